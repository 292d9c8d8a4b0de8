import type { MiddlewareHandler } from 'hono';
import { forbiddenOrigin } from '../http/api-error.js';

const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-max-age': '600',
  vary: 'Origin',
};

/**
 * CORS for the visitor API. An origin some publishable key allows gets the CORS headers on every
 * response; each route then checks the exact key or token it is given.
 *
 * Any other origin is refused, but readably: its preflight is answered, so the browser sends the
 * request itself, and that request gets a 403 `forbidden_origin` (with the CORS headers, so the
 * page can read why) without ever reaching a route. A refused preflight would reach the page as a
 * bare network error, indistinguishable from a server that is down. The error body is all such
 * an origin can ever read.
 */
export function corsForKnownOrigins(isKnownOrigin: (origin: string) => Promise<boolean>): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (!origin) return next();
    if (c.req.method === 'OPTIONS') {
      return new Response(null, {
        status: 204,
        headers: { ...PREFLIGHT_HEADERS, 'access-control-allow-origin': origin },
      });
    }
    c.header('access-control-allow-origin', origin);
    c.header('vary', 'Origin');
    if (!(await isKnownOrigin(origin))) return c.json(forbiddenOrigin(origin, 'server').toBody(), 403);
    // Set before the handler, so responses it writes itself (streams straight to the socket) carry them…
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
