import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import type { RateLimitStore, TakeResult, TokenBucketPolicy } from '../limits/rate-limit-store.js';

export interface RateLimitRule {
  /** Names the policy in the `RateLimit` headers: "ip", "visitor", "key". */
  name: string;
  policy: TokenBucketPolicy;
  /** The bucket key for this request, or undefined to skip the rule. */
  key: (c: Context<AppEnv>) => string | undefined | Promise<string | undefined>;
}

/** A policy of `perMinute` requests with bursts of the same size. */
export function perMinute(perMinute: number): TokenBucketPolicy {
  return { capacity: perMinute, refillPerSecond: perMinute / 60 };
}

/** The client's address as the socket sees it (a proxy in front must be configured to pass it). */
export function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Token-bucket rate limits. Every answer carries the IETF `RateLimit-Policy` / `RateLimit`
 * headers of the tightest rule; a refusal is a 429 with `Retry-After` and a typed error body.
 */
/** `scope` keeps buckets of different routes apart ("sessions", "messages"). */
export function rateLimit(
  store: RateLimitStore,
  scope: string,
  rules: readonly RateLimitRule[],
  onRefused: (rule: string) => void = () => {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // The refusal with the longest wait, else the rule with the fewest tokens left (first on ties).
    let refused: { rule: RateLimitRule; result: TakeResult } | undefined;
    let tightest: { rule: RateLimitRule; result: TakeResult } | undefined;
    for (const rule of rules) {
      const key = await rule.key(c);
      if (key === undefined) continue;
      const result = await store.take(`${scope}:${rule.name}:${key}`, rule.policy);
      if (!result.allowed && (!refused || result.retryAfterMs > refused.result.retryAfterMs))
        refused = { rule, result };
      if (!tightest || result.remaining < tightest.result.remaining) tightest = { rule, result };
    }
    const shown = refused ?? tightest;
    const policyHeader = shown && policyHeaders(shown.rule, shown.result);
    if (refused) {
      onRefused(`${scope}:${refused.rule.name}`);
      const seconds = Math.max(1, Math.ceil(refused.result.retryAfterMs / 1000));
      const error = new ApiError(
        429,
        'rate_limited',
        `Too many requests (${refused.rule.name} limit); try again in ${seconds} s.`,
        refused.result.retryAfterMs,
      );
      const response = c.json(error.toBody(), 429);
      response.headers.set('Retry-After', String(seconds));
      response.headers.set('RateLimit-Policy', policyHeader!.policy);
      response.headers.set('RateLimit', policyHeader!.state);
      return response;
    }
    // Set before the handler runs, so responses it builds (streams included) carry them.
    if (policyHeader) {
      c.header('RateLimit-Policy', policyHeader.policy);
      c.header('RateLimit', policyHeader.state);
    }
    await next();
  };
}

/** The IETF `RateLimit-Policy` and `RateLimit` header values of one rule's take. */
function policyHeaders(rule: RateLimitRule, result: TakeResult): { policy: string; state: string } {
  const windowSeconds = Math.round(rule.policy.capacity / rule.policy.refillPerSecond);
  return {
    policy: `"${rule.name}";q=${rule.policy.capacity};w=${windowSeconds}`,
    state: `"${rule.name}";r=${result.remaining};t=${Math.ceil(result.resetMs / 1000)}`,
  };
}
