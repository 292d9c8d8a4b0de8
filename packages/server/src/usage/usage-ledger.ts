import type { Database } from '../db/database.js';
import { usageEvents } from '../db/schema.js';
import { newId } from '../ids.js';
import { DEFAULT_PRICE_TABLE, costMicroUsd, priceFor, type BillableUsage, type PriceTable } from './price-table.js';

export type UsageEventRow = typeof usageEvents.$inferSelect;

export interface UsageEventInput extends BillableUsage {
  tenantId: string;
  avatarId?: string | null;
  visitorId?: string | null;
  conversationId?: string | null;
  messageId?: string | null;
  provider: string;
  model: string;
  operation: UsageEventRow['operation'];
  latencyMs: number;
  ttftMs?: number | null;
  outcome: UsageEventRow['outcome'];
  errorCode?: string | null;
}

/**
 * Records one row per upstream call. `record()` only prices the call and queues the row, so it
 * never slows a stream; rows are written in batches (every `flushMs`, or at `maxBatch` rows) and
 * on `close()`.
 */
export class UsageLedger {
  readonly #queue: Array<typeof usageEvents.$inferInsert> = [];
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly options: {
      prices?: PriceTable;
      flushMs?: number;
      maxBatch?: number;
      log?: (message: string, error: unknown) => void;
    } = {},
  ) {
    this.#timer = setInterval(() => void this.flush(), options.flushMs ?? 250);
    this.#timer.unref();
  }

  get prices(): PriceTable {
    return this.options.prices ?? DEFAULT_PRICE_TABLE;
  }

  /** Prices and queues one call; returns its cost in micro-USD. */
  record(event: UsageEventInput): number {
    const cost = costMicroUsd(priceFor(this.prices, event.model), event);
    this.#queue.push({
      id: newId('use'),
      tenantId: event.tenantId,
      avatarId: event.avatarId ?? null,
      visitorId: event.visitorId ?? null,
      conversationId: event.conversationId ?? null,
      messageId: event.messageId ?? null,
      provider: event.provider,
      model: event.model,
      operation: event.operation,
      inputTokens: event.inputTokens ?? 0,
      cachedInputTokens: event.cachedInputTokens ?? 0,
      outputTokens: (event.outputTokens ?? 0) + (event.audioOutputTokens ?? 0),
      audioSeconds: event.audioSeconds ?? 0,
      characters: event.characters ?? 0,
      costMicroUsd: cost,
      priceVersion: this.prices.version,
      latencyMs: Math.round(event.latencyMs),
      ttftMs: event.ttftMs === undefined || event.ttftMs === null ? null : Math.round(event.ttftMs),
      outcome: event.outcome,
      errorCode: event.errorCode ?? null,
      createdAt: new Date(),
    });
    if (this.#queue.length >= (this.options.maxBatch ?? 100)) void this.flush();
    return cost;
  }

  /** Writes what is queued. Rows that fail to write are put back and retried on the next flush. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#queue.length === 0) return;
      const batch = this.#queue.splice(0, this.#queue.length);
      try {
        await this.db.insert(usageEvents).values(batch);
      } catch (error) {
        this.#queue.unshift(...batch);
        this.options.log?.('Writing usage events failed; will retry', error);
      }
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
