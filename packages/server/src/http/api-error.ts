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
