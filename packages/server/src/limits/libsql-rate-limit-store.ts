import type { Client } from '@libsql/client';
import type { RateLimitStore, TakeResult, TokenBucketPolicy } from './rate-limit-store.js';
import { takeResult } from './token-bucket.js';

/**
 * Token buckets in libSQL: one upsert refills, takes and records the decision atomically. SQLite
 * evaluates every SET expression against the row as it was, so `allowed` and `tokens` agree.
 * Works across processes sharing the file or a libSQL server.
 */
export class LibsqlRateLimitStore implements RateLimitStore {
  readonly name = 'libsql';

  constructor(private readonly client: Client) {}

  async take(
    key: string,
    policy: TokenBucketPolicy,
    options: { cost?: number; now?: number } = {},
  ): Promise<TakeResult> {
    const cost = options.cost ?? 1;
    const now = options.now ?? Date.now();
    const perMs = policy.refillPerSecond / 1000;
    const level = `min(:capacity, tokens + max(0, :now - updated_at) * :perMs)`;
    const result = await this.client.execute({
      sql: `INSERT INTO rate_limit_buckets (key, tokens, updated_at, allowed)
            VALUES (:key, CASE WHEN :capacity >= :cost THEN :capacity - :cost ELSE :capacity END, :now, :capacity >= :cost)
            ON CONFLICT (key) DO UPDATE SET
              tokens = CASE WHEN ${level} >= :cost THEN ${level} - :cost ELSE ${level} END,
              allowed = ${level} >= :cost,
              updated_at = max(updated_at, :now)
            RETURNING tokens, allowed`,
      args: { key, capacity: policy.capacity, cost, now, perMs },
    });
    const row = result.rows[0]!;
    return takeResult(policy, Number(row['tokens']), Number(row['allowed']) === 1, cost);
  }
}
