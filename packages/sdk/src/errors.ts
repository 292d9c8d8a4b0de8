import type { ErrorCode, ErrorInfo } from '@vibhava/protocol';

/** Base class of every error the SDK throws or puts into chat state. */
export class VibhavaError extends Error {
  override name = 'VibhavaError';
  readonly code: ErrorCode | 'network_error' | 'protocol_error';
  /** HTTP status, when the error came from a response. */
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: VibhavaError['code'],
    message: string,
    options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class InvalidRequestError extends VibhavaError {
  override name = 'InvalidRequestError';
}
export class AuthenticationError extends VibhavaError {
  override name = 'AuthenticationError';
}
export class ForbiddenOriginError extends VibhavaError {
  override name = 'ForbiddenOriginError';
}
/** The caller is known but not allowed to do this (a role without the permission, a failed CSRF check). */
export class PermissionError extends VibhavaError {
  override name = 'PermissionError';
}
export class NotFoundError extends VibhavaError {
  override name = 'NotFoundError';
}
export class RateLimitError extends VibhavaError {
  override name = 'RateLimitError';
}
/** A budget (messages, tokens or cost) is used up until `retryAfterMs` from now. */
export class QuotaExceededError extends VibhavaError {
  override name = 'QuotaExceededError';
}
export class UpstreamError extends VibhavaError {
  override name = 'UpstreamError';
}
export class AbortError extends VibhavaError {
  override name = 'AbortError';
}
/** The server could not be reached (after retries). */
export class NetworkError extends VibhavaError {
  override name = 'NetworkError';
}
/** The server answered with something that does not match the protocol. */
export class ProtocolError extends VibhavaError {
  override name = 'ProtocolError';
}

type ErrorClass = new (...args: ConstructorParameters<typeof VibhavaError>) => VibhavaError;

const classByCode: Record<ErrorCode, ErrorClass> = {
  invalid_request: InvalidRequestError,
  invalid_json: InvalidRequestError,
  payload_too_large: InvalidRequestError,
  conflict: InvalidRequestError,
  unauthorized: AuthenticationError,
  token_expired: AuthenticationError,
  invalid_publishable_key: AuthenticationError,
  forbidden_origin: ForbiddenOriginError,
  forbidden: PermissionError,
  not_found: NotFoundError,
  rate_limited: RateLimitError,
  quota_exceeded: QuotaExceededError,
  model_unavailable: UpstreamError,
  upstream_error: UpstreamError,
  upstream_timeout: UpstreamError,
  aborted: AbortError,
  internal_error: VibhavaError,
};

/** Turns a protocol error body into the SDK's error class for its code. */
export function errorFromInfo(info: ErrorInfo, status?: number): VibhavaError {
  const ErrorType = classByCode[info.code];
  return new ErrorType(info.code, info.message, {
    ...(status === undefined ? {} : { status }),
    ...(info.retryAfterMs === undefined ? {} : { retryAfterMs: info.retryAfterMs }),
  });
}

/** Any thrown value as a `VibhavaError` (an unexpected one becomes `internal_error`). */
export function toVibhavaError(error: unknown): VibhavaError {
  return error instanceof VibhavaError
    ? error
    : new VibhavaError('internal_error', error instanceof Error ? error.message : String(error), { cause: error });
}
