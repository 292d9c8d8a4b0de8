import type { TakeResult, TokenBucketPolicy } from './rate-limit-store.js';

/** Turns a bucket's level after a take into the result every store reports. */
export function takeResult(policy: TokenBucketPolicy, tokens: number, allowed: boolean, cost: number): TakeResult {
  const perMs = policy.refillPerSecond / 1000;
  return {
    allowed,
    remaining: Math.max(0, Math.floor(tokens)),
    retryAfterMs: allowed ? 0 : Math.ceil(Math.max(0, cost - tokens) / perMs),
    resetMs: Math.ceil(Math.max(0, policy.capacity - tokens) / perMs),
  };
}
