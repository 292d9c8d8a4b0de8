import {
  ForbiddenOriginError,
  NetworkError,
  QuotaExceededError,
  RateLimitError,
  type VibhavaError,
} from '@vibhava/sdk';

/** What to tell the visitor: each SDK error class says what went wrong and what to do. */
export function describeError(error: VibhavaError): string {
  const wait = error.retryAfterMs ? ` Try again in ${Math.ceil(error.retryAfterMs / 1000)} s.` : '';
  if (error instanceof ForbiddenOriginError) {
    // The developer's side: the page's origin is not one the publishable key allows.
    console.error(`${error.message} Allow ${location.origin} on the key (VIBHAVA_ALLOWED_ORIGINS for the demo key).`);
    return 'The chat is not available on this page.';
  }
  if (error instanceof NetworkError) return 'The chat server could not be reached. Check your connection.';
  if (error instanceof RateLimitError) return `That was a lot of messages at once.${wait}`;
  if (error instanceof QuotaExceededError) return `The avatar is resting for now.${wait}`;
  return error.message;
}
