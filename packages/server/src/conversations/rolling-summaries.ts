import { selectTurnsToSummarize, summarizeTurns, type TokenCounter } from '../context/index.js';
import type { Metrics } from '../observability/metrics.js';
import type { ChatModel } from '../providers/chat-model.js';
import type { QuotaService, QuotaSubject } from '../quotas/quota-service.js';
import { meteredModel, recordCall } from '../usage/metered-model.js';
import type { UsageLedger } from '../usage/usage-ledger.js';
import type { ConversationRef, ConversationStore, TurnMessage } from './conversation-store.js';

/** Messages kept verbatim when older ones are folded into the summary, and the smallest fold. */
const KEEP_RECENT = 16;
const SUMMARY_BATCH = 8;

/**
 * Folds a conversation's oldest turns into its rolling summary in the background, one run per
 * conversation at a time; the call is recorded like a reply (a ledger row, its tokens and cost
 * against the budgets).
 */
export function rollingSummaries(deps: {
  store: ConversationStore;
  quotas: QuotaService;
  ledger: UsageLedger;
  metrics: Metrics;
  log: (message: string, error: unknown) => void;
}) {
  const { store } = deps;
  const summarizing = new Set<string>();
  return function summarizeLater(
    visitor: QuotaSubject,
    conversation: ConversationRef,
    history: readonly TurnMessage[],
    model: ChatModel,
    counter: TokenCounter,
  ) {
    if (summarizing.has(conversation.id)) return;
    const turns = selectTurnsToSummarize(history, KEEP_RECENT, { minBatch: SUMMARY_BATCH });
    const last = turns.at(-1);
    if (!last) return;
    summarizing.add(conversation.id);
    const who = { tenantId: visitor.tenantId, avatarId: visitor.avatarId, visitorId: visitor.visitorId };
    summarizeTurns({
      // Recorded like a reply: a ledger row, and its tokens and cost against the budgets.
      model: meteredModel(model, (call) =>
        recordCall(deps, { ...who, conversationId: conversation.id }, 'summary', call),
      ),
      previousSummary: conversation.summary,
      turns: turns.map((m) => ({ role: m.role, content: m.content })),
      counter,
      signal: AbortSignal.timeout(120_000),
    })
      .then((text) => store.saveSummary(conversation.id, text, last.seq))
      .catch((error: unknown) => deps.log('Summarizing older turns failed; they stay verbatim', error))
      .finally(() => summarizing.delete(conversation.id));
  };
}
