import type { ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ApiError } from '../http/api-error.js';

/** Every failure leaves as `{ error: { code, message } }`; only real bugs are 500s, and they are logged. */
export function errorHandler(
  log: (message: string, error: unknown) => void,
  onUnhandled: (error: Error, route: string, method: string) => void = () => {},
): ErrorHandler {
  return (error, c) => {
    if (error instanceof ApiError) return c.json(error.toBody(), error.status);
    if (error instanceof HTTPException) {
      const status = error.status;
      if (status === 413)
        return c.json(new ApiError(413, 'payload_too_large', 'The request body is too large.').toBody(), 413);
      if (status === 400 && /json/i.test(error.message)) {
        return c.json(new ApiError(400, 'invalid_json', 'The request body is not valid JSON.').toBody(), 400);
      }
      if (status >= 400 && status < 500) {
        return c.json(new ApiError(400, 'invalid_request', error.message || 'Bad request.').toBody(), 400);
      }
    }
    log(`Unhandled error on ${c.req.method} ${c.req.path}`, error);
    onUnhandled(error, c.req.routePath, c.req.method);
    return c.json(new ApiError(500, 'internal_error', 'Something went wrong on our side.').toBody(), 500);
  };
}

export const notFoundHandler: NotFoundHandler = (c) =>
  c.json(new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`).toBody(), 404);
