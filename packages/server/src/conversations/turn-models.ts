import type { Context } from 'hono';
import { ApiError } from '../http/api-error.js';
import type { Metrics } from '../observability/metrics.js';
import type { ChatModel } from '../providers/chat-model.js';
import type { ModelDirectory } from '../providers/registry.js';
import { ResilientChatModel, type ResilienceOptions } from '../providers/resilient-chat-model.js';
import { ScriptedChatModel } from '../providers/scripted/scripted-chat-model.js';
import type { Admission } from '../quotas/quota-service.js';

const PERIOD_SECONDS = { day: 86_400, week: 604_800, month: 2_592_000 } as const;
const PERIOD_NAMES = { day: 'daily', week: 'weekly', month: 'monthly' } as const;

/**
 * The models that answer a message, given its budget verdict (none yet: admission runs while the
 * request travels, so the usual chain). Past a budget's soft limit a cheaper model answers first
 * (when the provider has it). A refused message either throws the 429 (`quota_exceeded`, with
 * `Retry-After` and the `RateLimit` headers) or is answered with the avatar's limit message.
 */
export function modelsFor(
  verdict: Admission | undefined,
  deps: {
    model: ChatModel;
    models: ModelDirectory;
    fallbacks: readonly ChatModel[];
    resilience?: ResilienceOptions | undefined;
    metrics: Metrics;
    limitMessage: string;
    c: Context;
  },
): { primary: ChatModel; model: ChatModel } {
  const primary = (verdict?.admitted && verdict.degradeTo && deps.models(verdict.degradeTo)) || deps.model;
  if (!verdict || verdict.admitted) {
    return { primary, model: new ResilientChatModel([primary, ...deps.fallbacks], deps.resilience) };
  }
  const { scope, metric, period, limit, onExceeded } = verdict.quota;
  deps.metrics.refusals.inc({ kind: 'quota', rule: `${scope}:${metric}:${period}` });
  if (onExceeded !== 'refuse') return { primary, model: new ScriptedChatModel(deps.limitMessage) };
  const retryAfterMs = Math.max(0, verdict.resetsAt.getTime() - Date.now());
  const seconds = Math.ceil(retryAfterMs / 1000);
  deps.c.header('Retry-After', String(seconds));
  deps.c.header('RateLimit-Policy', `"quota";q=${limit};w=${PERIOD_SECONDS[period]}`);
  deps.c.header('RateLimit', `"quota";r=0;t=${seconds}`);
  throw new ApiError(
    429,
    'quota_exceeded',
    `The ${PERIOD_NAMES[period]} ${metric} budget for this chat is used up; it resets at ${verdict.resetsAt.toISOString()}.`,
    retryAfterMs,
  );
}
