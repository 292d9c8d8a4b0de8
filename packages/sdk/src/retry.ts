export interface RetryOptions {
  /** Attempts in all, the first included. Default 4. */
  maxAttempts?: number;
  /** First backoff delay in ms; doubles each attempt, with full jitter. Default 250. */
  initialDelayMs?: number;
  /** Cap on one delay. Default 4000. */
  maxDelayMs?: number;
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
