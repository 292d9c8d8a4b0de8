import type { MiddlewareHandler } from 'hono';
import type { VisitorTokens } from '../auth/visitor-token.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';

/**
 * Requires a valid visitor token, used from the origin it was minted for. Browsers omit Origin
 * on same-origin GETs, so a missing Origin is accepted only when the token's origin is this
 * server's own origin.
 */
export function visitorAuth(tokens: VisitorTokens): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1])
      throw new ApiError(401, 'unauthorized', 'A visitor token is required (Authorization: Bearer <token>).');
    const claims = await tokens.verify(match[1]);
    const origin = c.req.header('origin') ?? new URL(c.req.url).origin;
    if (origin !== claims.origin) {
      throw new ApiError(403, 'forbidden_origin', `This visitor token was issued for ${claims.origin}, not ${origin}.`);
    }
    c.set('visitor', claims);
    await next();
  };
}
