import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CachedConversation, ConversationCache } from './cache.js';

interface VibhavaDb extends DBSchema {
  conversations: { key: string; value: CachedConversation };
}

/** The browser cache: one IndexedDB database, one record per (server, key, avatar). */
export class IndexedDbConversationCache implements ConversationCache {
  #db: Promise<IDBPDatabase<VibhavaDb>> | undefined;

  constructor(private readonly databaseName = 'vibhava') {}

  #open(): Promise<IDBPDatabase<VibhavaDb>> {
    this.#db ??= openDB<VibhavaDb>(this.databaseName, 1, {
      upgrade(db) {
        db.createObjectStore('conversations');
      },
    });
    return this.#db;
  }

  async get(key: string): Promise<CachedConversation | undefined> {
    return (await this.#open()).get('conversations', key);
  }

  async set(key: string, value: CachedConversation): Promise<void> {
    await (await this.#open()).put('conversations', value, key);
  }

  async delete(key: string): Promise<void> {
    await (await this.#open()).delete('conversations', key);
  }
}

/** IndexedDB where the platform has it (browsers), otherwise undefined. */
export function defaultBrowserCache(): ConversationCache | undefined {
  return typeof indexedDB === 'undefined' ? undefined : new IndexedDbConversationCache();
}
