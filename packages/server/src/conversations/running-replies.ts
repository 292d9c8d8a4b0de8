import type { ConversationStore } from './conversation-store.js';

/** How often a reply being written looks for a stop request taken by another instance. */
const STOP_CHECK_MS = 1000;
const stopped = () => new DOMException('Stopped by the visitor', 'AbortError');

/**
 * The replies this instance is writing, one per conversation, and how a visitor stops one: at
 * once when the request reaches this instance; otherwise the instance that took it marks the
 * reply in the database, and the writer looks every second.
 */
export class RunningReplies {
  readonly #running = new Map<string, AbortController>();

  constructor(
    private readonly store: ConversationStore,
    private readonly log: (message: string, error: unknown) => void,
  ) {}

  /** Registers the conversation's reply: its stop signal, and `done` once nothing is being written. */
  start(conversationId: string): { signal: AbortSignal; done: () => void } {
    const stop = new AbortController();
    this.#running.set(conversationId, stop);
    const watch = setInterval(() => {
      this.store
        .stopRequested(conversationId)
        .then((requested) => {
          if (requested) stop.abort(stopped());
        })
        .catch((error: unknown) => this.log('Checking for a stop request failed', error));
    }, STOP_CHECK_MS);
    watch.unref();
    return {
      signal: stop.signal,
      done: () => {
        clearInterval(watch);
        if (this.#running.get(conversationId) === stop) this.#running.delete(conversationId);
      },
    };
  }

  /** Stops the conversation's reply wherever it is being written; false when none is. */
  async stop(conversationId: string): Promise<boolean> {
    const running = this.#running.get(conversationId);
    if (!running) return this.store.requestStop(conversationId);
    running.abort(stopped());
    return true;
  }
}
