import type { VibhavaError } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included. Default 4. */
  maxAttempts?: number;
  /** First backoff delay in ms; doubles each attempt, with full jitter. Default 250. */
  initialDelayMs?: number;
  /** Cap on one delay; a server asking for a longer wait is answered at once. Default 4000. */
  maxDelayMs?: number;
}

/**
 * Whether a failed attempt is worth another: the network failed, the server failed (5xx), or a
 * rate limit asks for a wait short enough to sit out. Never any other 4xx: the server read the
 * request and refused it, and asking again only hides why (and costs the visitor the wait).
 */
export function shouldRetry(error: VibhavaError, options: RetryOptions): boolean {
  if (error.code === 'network_error') return true;
  const { status, retryAfterMs } = error;
  if (status === undefined || (status < 500 && status !== 429)) return false;
  if (status === 429 && retryAfterMs === undefined) return false;
  return (retryAfterMs ?? 0) <= (options.maxDelayMs ?? 4000);
}

export function backoffDelay(attempt: number, options: RetryOptions): number {
  const initial = options.initialDelayMs ?? 250;
  const cap = options.maxDelayMs ?? 4000;
  const ceiling = Math.min(cap, initial * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
