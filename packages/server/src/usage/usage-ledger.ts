import type { Database } from '../db/database.js';
import type { usageEvents } from '../db/schema.js';
import { sqlRunner, type SqlRunner, type SqlValue } from '../db/sql-runner.js';
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

const INSERT_EVENT = `INSERT INTO usage_events (id, tenant_id, avatar_id, visitor_id, conversation_id, message_id,
  provider, model, operation, input_tokens, cached_input_tokens, output_tokens, audio_seconds, characters,
  cost_micro_usd, price_version, latency_ms, ttft_ms, outcome, error_code, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Records one row per upstream call. `record()` only prices the call and queues the row, so it
 * never slows a stream; rows are written in batches (every `flushMs`, or at `maxBatch` rows) and
 * on `close()`.
 */
export class UsageLedger {
  /** Each queued row's values, in `INSERT_EVENT`'s column order. */
  readonly #queue: SqlValue[][] = [];
  readonly #sql: SqlRunner;
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    db: Database,
    private readonly options: {
      prices?: PriceTable;
      flushMs?: number;
      maxBatch?: number;
      log?: (message: string, error: unknown) => void;
    } = {},
  ) {
    this.#sql = sqlRunner(db.$client);
    this.#timer = setInterval(() => void this.flush(), options.flushMs ?? 250);
    this.#timer.unref();
  }

  get prices(): PriceTable {
    return this.options.prices ?? DEFAULT_PRICE_TABLE;
  }

  /** Prices and queues one call; returns its cost in micro-USD. */
  record(event: UsageEventInput): number {
    const cost = costMicroUsd(priceFor(this.prices, event.model), event);
    this.#queue.push([
      newId('use'),
      event.tenantId,
      event.avatarId ?? null,
      event.visitorId ?? null,
      event.conversationId ?? null,
      event.messageId ?? null,
      event.provider,
      event.model,
      event.operation,
      event.inputTokens ?? 0,
      event.cachedInputTokens ?? 0,
      (event.outputTokens ?? 0) + (event.audioOutputTokens ?? 0),
      event.audioSeconds ?? 0,
      event.characters ?? 0,
      cost,
      this.prices.version,
      Math.round(event.latencyMs),
      event.ttftMs === undefined || event.ttftMs === null ? null : Math.round(event.ttftMs),
      event.outcome,
      event.errorCode ?? null,
      Date.now(),
    ]);
    if (this.#queue.length >= (this.options.maxBatch ?? 100)) void this.flush();
    return cost;
  }

  /**
   * Writes what is queued, in one transaction (one prepared insert run per row on a local file).
   * Rows that fail to write are put back and retried on the next flush.
   */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#queue.length === 0) return;
      const batch = this.#queue.splice(0, this.#queue.length);
      try {
        await this.#sql.write(batch.map((args) => ({ sql: INSERT_EVENT, args })));
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
