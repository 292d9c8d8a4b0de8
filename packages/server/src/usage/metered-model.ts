import type { Metrics } from '../observability/metrics.js';
import { ModelError, type ChatModel, type ModelStreamPart } from '../providers/chat-model.js';
import type { QuotaService, QuotaSubject } from '../quotas/quota-service.js';
import type { UsageEventInput, UsageLedger } from './usage-ledger.js';

/** What one model call used and how it went, for the usage ledger. */
export interface ModelCall {
  provider: string;
  model: string;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  latencyMs: number;
  ttftMs: number | null;
  outcome: 'ok' | 'error' | 'aborted';
  errorCode: string | null;
}

/**
 * The model, with every call it makes reported to `onCall` once it ends (finished, failed or
 * aborted): how background work (rolling summaries, memory extraction) reaches the usage ledger
 * and the budgets like replies do.
 */
export function meteredModel(model: ChatModel, onCall: (call: ModelCall) => void): ChatModel {
  return {
    provider: model.provider,
    modelId: model.modelId,
    ...(model.structuredOutput === undefined ? {} : { structuredOutput: model.structuredOutput }),
    ...(model.contextWindow === undefined ? {} : { contextWindow: model.contextWindow }),
    ...(model.countTokens ? { countTokens: (text: string) => model.countTokens!(text) } : {}),
    ...(model.promptStyle ? { promptStyle: model.promptStyle } : {}),
    health: () => model.health(),
    async *stream(options) {
      const started = performance.now();
      const call: ModelCall = {
        provider: model.provider,
        model: model.modelId,
        inputTokens: 0,
        cachedInputTokens: 0,
        outputTokens: 0,
        latencyMs: 0,
        ttftMs: null,
        outcome: 'aborted',
        errorCode: null,
      };
      try {
        for await (const part of model.stream(options) as AsyncIterable<ModelStreamPart>) {
          if (part.type === 'model') {
            call.provider = part.provider;
            call.model = part.modelId;
          } else if (part.type === 'text-delta') {
            call.ttftMs ??= performance.now() - started;
          } else if (part.type === 'usage') {
            call.inputTokens = part.inputTokens;
            call.outputTokens = part.outputTokens;
            call.cachedInputTokens = part.cachedInputTokens ?? 0;
          } else {
            call.outcome = 'ok';
          }
          yield part;
        }
      } catch (error) {
        call.outcome = options.signal.aborted ? 'aborted' : 'error';
        call.errorCode = error instanceof ModelError ? error.code : 'upstream_error';
        throw error;
      } finally {
        call.latencyMs = performance.now() - started;
        onCall(call);
      }
    },
  };
}

/** Where a background call is recorded: the ledger, the budgets, and (when given) the metrics. */
export interface CallRecorder {
  ledger: UsageLedger;
  quotas: QuotaService;
  metrics?: Metrics | undefined;
  log: (message: string, error: unknown) => void;
}

/**
 * Records one call made for a visitor's conversation outside the reply (a summary, a memory
 * extraction): a ledger row, its tokens and cost against the budgets, and the token and cost
 * metrics.
 */
export function recordCall(
  to: CallRecorder,
  who: QuotaSubject & { conversationId?: string | null },
  operation: UsageEventInput['operation'],
  call: ModelCall,
): void {
  const cost = to.ledger.record({ ...who, ...call, operation });
  if (to.metrics) observeCall(to.metrics, call, cost);
  const tokens = call.inputTokens + call.outputTokens;
  if (tokens > 0 || cost > 0) {
    to.quotas
      .record(who, { tokens, costMicroUsd: cost })
      .catch((error: unknown) => to.log('Counting a background call against budgets failed', error));
  }
}

/** A call's tokens and cost (micro-USD) in the metrics, and its failure when it failed. */
export function observeCall(metrics: Metrics, call: ModelCall, costMicroUsd: number): void {
  const labels = { provider: call.provider, model: call.model };
  metrics.tokens.inc({ ...labels, kind: 'input' }, call.inputTokens - call.cachedInputTokens);
  metrics.tokens.inc({ ...labels, kind: 'cached_input' }, call.cachedInputTokens);
  metrics.tokens.inc({ ...labels, kind: 'output' }, call.outputTokens);
  metrics.cost.inc(labels, costMicroUsd / 1e6);
  if (call.outcome === 'error') {
    metrics.upstreamErrors.inc({ provider: call.provider, code: call.errorCode ?? 'upstream_error' });
  }
}
