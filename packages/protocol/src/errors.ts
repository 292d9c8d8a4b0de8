import { z } from 'zod/mini';

/**
 * Every error code the server can answer with. The SDK maps each one to its own error class, so
 * adding a code here is a protocol change (and a changeset).
 */
export const errorCodes = [
  'invalid_request',
  'invalid_json',
  'payload_too_large',
  'unauthorized',
  'token_expired',
  'forbidden_origin',
  'forbidden',
  'invalid_publishable_key',
  'not_found',
  'conflict',
  'rate_limited',
  'quota_exceeded',
  'model_unavailable',
  'upstream_error',
  'upstream_timeout',
  'aborted',
  'internal_error',
] as const;

export const ErrorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorInfoSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  retryAfterMs: z.optional(z.int().check(z.nonnegative())),
});
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

/** The one error body every non-2xx JSON response carries. */
export const ErrorBodySchema = z.object({ error: ErrorInfoSchema });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Codes a client may retry with backoff: the request itself was fine. */
export const retryableErrorCodes: ReadonlySet<string> = new Set<ErrorCode>([
  'rate_limited',
  'upstream_error',
  'upstream_timeout',
  'model_unavailable',
  'internal_error',
]);
