import type { Client } from '@libsql/client';
import { sqlRunner, type SqlRunner } from '../db/sql-runner.js';
import type { RateLimitStore, TakeResult, TokenBucketPolicy } from './rate-limit-store.js';
import { takeResult } from './token-bucket.js';

// ?1 key, ?2 capacity, ?3 cost, ?4 now (ms), ?5 refill per ms. `level` is the refilled level.
const LEVEL = 'min(?2, tokens + max(0, ?4 - updated_at) * ?5)';
const TAKE_SQL = `INSERT INTO rate_limit_buckets (key, tokens, updated_at, allowed)
  VALUES (?1, CASE WHEN ?2 >= ?3 THEN ?2 - ?3 ELSE ?2 END, ?4, ?2 >= ?3)
  ON CONFLICT (key) DO UPDATE SET
    tokens = CASE WHEN ${LEVEL} >= ?3 THEN ${LEVEL} - ?3 ELSE ${LEVEL} END,
    allowed = ${LEVEL} >= ?3,
    updated_at = max(updated_at, ?4)
  RETURNING tokens, allowed`;
// ?3 is the consumed count here: subtracted whatever the level, down to minus the capacity.
const SETTLE_SQL = `INSERT INTO rate_limit_buckets (key, tokens, updated_at, allowed)
  VALUES (?1, max(-?2, ?2 - ?3), ?4, 1)
  ON CONFLICT (key) DO UPDATE SET
    tokens = max(-?2, ${LEVEL} - ?3),
    updated_at = max(updated_at, ?4)
  RETURNING tokens`;

/**
 * Token buckets in libSQL: one upsert refills, takes and records the decision atomically. SQLite
 * evaluates every SET expression against the row as it was, so `allowed` and `tokens` agree.
 * Works across processes sharing the file or a libSQL server. On a local file the statements
 * are prepared once (`sqlRunner`).
 */
export class LibsqlRateLimitStore implements RateLimitStore {
  readonly name = 'libsql';
  readonly #sql: SqlRunner;

  constructor(client: Client) {
    this.#sql = sqlRunner(client);
  }

  async take(
    key: string,
    policy: TokenBucketPolicy,
    options: { cost?: number; now?: number } = {},
  ): Promise<TakeResult> {
    const cost = options.cost ?? 1;
    const [row] = await this.#sql.all(TAKE_SQL, [
      key,
      policy.capacity,
      cost,
      options.now ?? Date.now(),
      policy.refillPerSecond / 1000,
    ]);
    return takeResult(policy, Number(row!['tokens']), Number(row!['allowed']) === 1, cost);
  }

  async settle(key: string, policy: TokenBucketPolicy, options: { consumed: number; now?: number }): Promise<number> {
    const [row] = await this.#sql.all(SETTLE_SQL, [
      key,
      policy.capacity,
      options.consumed,
      options.now ?? Date.now(),
      policy.refillPerSecond / 1000,
    ]);
    return Number(row!['tokens']);
  }
}
