import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../http/api-error.js';

/**
 * CORS limited to origins some publishable key allows. Preflights carry no key, so they are
 * checked against all keys; each route then checks the exact key or token it is given.
 */
export function corsForKnownOrigins(isKnownOrigin: (origin: string) => Promise<boolean>): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const known = origin ? await isKnownOrigin(origin) : false;
    if (c.req.method === 'OPTIONS' && origin) {
      if (!known) {
        return c.json(new ApiError(403, 'forbidden_origin', `The origin ${origin} is not allowed.`).toBody(), 403);
      }
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type',
          'access-control-max-age': '600',
          vary: 'Origin',
        },
      });
    }
    if (!origin || !known) return next();
    // Before the handler, so responses it writes itself (streams straight to the socket) carry them…
    c.header('access-control-allow-origin', origin);
    c.header('vary', 'Origin');
    await next();
    // …and after it, for a `Response` it built on its own.
    if (!c.res.headers.has('access-control-allow-origin')) {
      c.res.headers.set('access-control-allow-origin', origin);
      c.res.headers.append('vary', 'Origin');
    }
  };
}

/** Cache of the allowed-origin set for a few seconds, so preflights do not hit the database. */
export function cachedOriginLookup(
  load: () => Promise<Set<string>>,
  ttlMs = 5_000,
): (origin: string) => Promise<boolean> {
  let cache: { origins: Set<string>; at: number } | undefined;
  return async (origin) => {
    if (!cache || performance.now() - cache.at > ttlMs) cache = { origins: await load(), at: performance.now() };
    return cache.origins.has(origin);
  };
}
