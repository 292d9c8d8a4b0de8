import type { ErrorCode, ErrorBody } from '@vibhava/protocol';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An error that becomes a `{ error: { code, message } }` response with its status. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      },
    };
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} was not found.`);

/**
 * A page origin that is not allowed, with how to allow it (the developer reads this in the
 * console). `key`: the publishable key does not list it; `server`: no key on this server does.
 */
export function forbiddenOrigin(origin: string, refusedBy: 'key' | 'server'): ApiError {
  const by = refusedBy === 'key' ? 'this publishable key' : 'any publishable key on this server';
  const fix =
    origin === 'null'
      ? 'Pages opened from a file or a sandboxed frame have no origin: serve the page over http(s).'
      : `To allow it, add ${origin} to the publishable key's allowed origins ` +
        '(admin API: PATCH /admin/v1/tenants/{tenantId}/publishable-keys/{keyId}), ' +
        'or, for the demo key, to VIBHAVA_ALLOWED_ORIGINS on the server.';
  return new ApiError(403, 'forbidden_origin', `The origin ${origin} is not allowed by ${by}. ${fix}`);
}
