import type { Message } from '@vibhava/protocol';

/** What the SDK keeps between page loads for one (server, key, avatar) triple. */
export interface CachedConversation {
  visitorId: string | null;
  conversationId: string | null;
  /** The most recent messages, oldest first (at most `MAX_CACHED_MESSAGES`). */
  messages: Message[];
}

export const MAX_CACHED_MESSAGES = 50;

/** Storage for the conversation cache: IndexedDB in browsers, memory in Node. */
export interface ConversationCache {
  get(key: string): Promise<CachedConversation | undefined>;
  set(key: string, value: CachedConversation): Promise<void>;
  delete(key: string): Promise<void>;
}

export class MemoryConversationCache implements ConversationCache {
  readonly #entries = new Map<string, CachedConversation>();

  async get(key: string): Promise<CachedConversation | undefined> {
    const entry = this.#entries.get(key);
    return entry && structuredClone(entry);
  }

  async set(key: string, value: CachedConversation): Promise<void> {
    this.#entries.set(key, structuredClone(value));
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }
}
