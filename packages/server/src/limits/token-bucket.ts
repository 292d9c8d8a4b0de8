import type { TakeResult, TokenBucketPolicy } from './rate-limit-store.js';

/** A bucket's level at `now`: refilled since `updatedAt`, never above the capacity. */
export function refilled(policy: TokenBucketPolicy, tokens: number, updatedAt: number, now: number): number {
  return Math.min(policy.capacity, tokens + Math.max(0, now - updatedAt) * (policy.refillPerSecond / 1000));
}

/** Turns a bucket's level after a take into the result every store reports. */
export function takeResult(policy: TokenBucketPolicy, tokens: number, allowed: boolean, cost: number): TakeResult {
  const perMs = policy.refillPerSecond / 1000;
  return {
    allowed,
    remaining: Math.max(0, Math.floor(tokens)),
    retryAfterMs: allowed ? 0 : Math.ceil(Math.max(0, cost - tokens) / perMs),
    resetMs: Math.ceil(Math.max(0, policy.capacity - tokens) / perMs),
    level: tokens,
  };
}
