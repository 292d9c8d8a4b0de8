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
    const taken: Array<{ rule: RateLimitRule; result: TakeResult }> = [];
    for (const rule of rules) {
      const key = await rule.key(c);
      if (key === undefined) continue;
      taken.push({ rule, result: await store.take(`${scope}:${rule.name}:${key}`, rule.policy) });
    }
    const refused = taken
      .filter((t) => !t.result.allowed)
      .sort((a, b) => b.result.retryAfterMs - a.result.retryAfterMs)[0];
    const tightest = refused ?? [...taken].sort((a, b) => a.result.remaining - b.result.remaining)[0];
    const setHeaders = (headers: Headers) => {
      if (!tightest) return;
      const { rule, result } = tightest;
      const windowSeconds = Math.round(rule.policy.capacity / rule.policy.refillPerSecond);
      headers.set('RateLimit-Policy', `"${rule.name}";q=${rule.policy.capacity};w=${windowSeconds}`);
      headers.set('RateLimit', `"${rule.name}";r=${result.remaining};t=${Math.ceil(result.resetMs / 1000)}`);
    };
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
      setHeaders(response.headers);
      return response;
    }
    // Set before the handler runs, so responses it builds (streams included) carry them.
    const headers = new Headers();
    setHeaders(headers);
    headers.forEach((value, name) => c.header(name, value));
    await next();
  };
}
