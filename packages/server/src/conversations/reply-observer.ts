import type { ErrorTracker } from '../observability/error-tracker.js';
import type { Metrics } from '../observability/metrics.js';
import type { FailedAttempt } from '../providers/chat-model.js';
import { observeCall } from '../usage/metered-model.js';
import type { ReplySummary } from './reply-stream.js';

/** A failed attempt (retried, or handed to a fallback model) as a reply summary for the ledger. */
export function failedSummary(attempt: FailedAttempt): ReplySummary {
  return {
    messageId: '',
    text: '',
    provider: attempt.provider,
    model: attempt.modelId,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    latencyMs: attempt.latencyMs,
    ttftMs: null,
    outcome: 'error',
    errorCode: attempt.error.code,
    errorMessage: attempt.error.message,
  };
}

/** Metrics and error groups for one finished reply call. */
export function observeReply(
  deps: { metrics: Metrics; errors: ErrorTracker },
  summary: ReplySummary,
  costMicroUsd: number,
  tenantId: string,
): void {
  const labels = { provider: summary.provider, model: summary.model };
  if (summary.ttftMs !== null) deps.metrics.timeToFirstToken.observe(labels, summary.ttftMs / 1000);
  observeCall(deps.metrics, summary, costMicroUsd);
  if (summary.outcome === 'error') {
    const code = summary.errorCode ?? 'upstream_error';
    void deps.errors.record({
      kind: 'upstream',
      code,
      message: summary.errorMessage ?? code,
      tenantId,
      context: { provider: summary.provider, model: summary.model, latencyMs: Math.round(summary.latencyMs) },
    });
  }
}
