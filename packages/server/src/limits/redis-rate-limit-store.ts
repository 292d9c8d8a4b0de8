import { Redis } from 'ioredis';
import type { RateLimitStore, TakeResult, TokenBucketPolicy } from './rate-limit-store.js';
import { takeResult } from './token-bucket.js';

// Both scripts start by reading the bucket. KEYS[1] bucket; ARGV: capacity, refill per ms,
// cost (or consumed), now (ms). A missing bucket is full.
const READ_BUCKET = `
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local amount = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated_at')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil then
  tokens = capacity
  updated = now
end
`;

// Returns { tokens * 1000, allowed }.
const TAKE_SCRIPT = `${READ_BUCKET}
local cost = amount
tokens = math.min(capacity, tokens + math.max(0, now - updated) * per_ms)
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated_at', tostring(math.max(updated, now)))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / per_ms) + 1000)
return { math.floor(tokens * 1000), allowed }
`;

// Subtracts `consumed` whatever the level, down to minus the capacity. Returns the level * 1000.
const SETTLE_SCRIPT = `${READ_BUCKET}
local consumed = amount
tokens = math.max(-capacity, math.min(capacity, tokens + math.max(0, now - updated) * per_ms) - consumed)
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated_at', tostring(math.max(updated, now)))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / per_ms) + 1000)
return math.floor(tokens * 1000)
`;

type ScriptCommand<T> = (...args: Array<string | number>) => Promise<T>;

/** Token buckets in Redis (for several instances): one Lua script per take, atomic on the server. */
export class RedisRateLimitStore implements RateLimitStore {
  readonly name = 'redis';
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(options: { url: string; keyPrefix?: string }) {
    this.#redis = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    this.#redis.defineCommand('vibhavaTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    this.#redis.defineCommand('vibhavaSettle', { numberOfKeys: 1, lua: SETTLE_SCRIPT });
    this.#prefix = options.keyPrefix ?? 'vibhava:rl:';
  }

  async take(
    key: string,
    policy: TokenBucketPolicy,
    options: { cost?: number; now?: number } = {},
  ): Promise<TakeResult> {
    const cost = options.cost ?? 1;
    const now = options.now ?? Date.now();
    const [milliTokens, allowed] = await this.#script<[number, number]>('vibhavaTake')(
      this.#prefix + key,
      policy.capacity,
      policy.refillPerSecond / 1000,
      cost,
      now,
    );
    return takeResult(policy, milliTokens / 1000, allowed === 1, cost);
  }

  async settle(key: string, policy: TokenBucketPolicy, options: { consumed: number; now?: number }): Promise<number> {
    const milliTokens = await this.#script<number>('vibhavaSettle')(
      this.#prefix + key,
      policy.capacity,
      policy.refillPerSecond / 1000,
      options.consumed,
      options.now ?? Date.now(),
    );
    return milliTokens / 1000;
  }

  /** A command defined with `defineCommand` (ioredis adds them to the instance, untyped). */
  #script<T>(name: string): ScriptCommand<T> {
    const command = (this.#redis as unknown as Record<string, ScriptCommand<T>>)[name]!;
    return (...args) => command.apply(this.#redis, args);
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    const started = performance.now();
    await this.#redis.ping();
    return { ok: true, detail: `PING ${(performance.now() - started).toFixed(1)} ms` };
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }
}
