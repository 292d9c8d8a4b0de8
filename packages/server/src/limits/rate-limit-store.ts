/** A token bucket: `capacity` tokens, refilled continuously at `refillPerSecond`. */
export interface TokenBucketPolicy {
  capacity: number;
  refillPerSecond: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Whole tokens left after this take. */
  remaining: number;
  /** When denied: how long until `cost` tokens are back. 0 when allowed. */
  retryAfterMs: number;
  /** How long until the bucket is full again. */
  resetMs: number;
  /** The bucket's exact level after this take (fractional; below zero while it is in debt). */
  level: number;
}

/**
 * Where token buckets live. The arithmetic is the same everywhere (`token-bucket.ts`); each
 * store makes "read, refill, take, write" one atomic step: a single SQL upsert in libSQL, a Lua
 * script in Redis. One contract suite runs against every store.
 */
export interface RateLimitStore {
  readonly name: string;
  take(key: string, policy: TokenBucketPolicy, options?: { cost?: number; now?: number }): Promise<TakeResult>;
  /**
   * Reports `consumed` tokens already admitted elsewhere (by an in-process cache of this bucket):
   * refills, subtracts them whatever the level (a bucket can go into debt, down to minus its
   * capacity) and returns the level, in the same atomic step.
   */
  settle?(key: string, policy: TokenBucketPolicy, options: { consumed: number; now?: number }): Promise<number>;
  /** Whether the store answers (Redis: PING). */
  health?(): Promise<{ ok: boolean; detail?: string }>;
  close?(): Promise<void>;
}
