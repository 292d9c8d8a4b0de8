import type { CreateMemoryRequest, Memory, UpdateMemoryRequest } from '@vibhava/protocol';
import type { VibhavaClient } from './client.js';
import { toVibhavaError, type VibhavaError } from './errors.js';

export type MemoryStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface MemoryState {
  /** `error`: the list could not be loaded (a failed change keeps `ready` and sets `error`). */
  status: MemoryStatus;
  /** What the avatar remembers about the visitor, as the server lists it. */
  memories: readonly Memory[];
  /** While paused nothing new is remembered and nothing remembered is used. */
  paused: boolean;
  /** The last failure, until the next call. */
  error: VibhavaError | null;
}

export type MemoryListener = (state: MemoryState) => void;

export interface VibhavaMemoryOptions {
  client: VibhavaClient;
}

/**
 * Framework-free state of the visitor's view of memory: the list, the pause switch and every
 * change the visitor makes to them. Like `VibhavaChat`, each change replaces `state` with a new
 * object, and a refused change is undone and put into `state.error`.
 */
export class VibhavaMemory {
  readonly client: VibhavaClient;
  #state: MemoryState = { status: 'idle', memories: [], paused: false, error: null };
  readonly #listeners = new Set<MemoryListener>();

  constructor(options: VibhavaMemoryOptions) {
    this.client = options.client;
  }

  get state(): MemoryState {
    return this.#state;
  }

  subscribe(listener: MemoryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads the list and the pause setting from the server. */
  async load(): Promise<void> {
    this.#update({ status: 'loading', error: null });
    try {
      const { memories, paused } = await this.client.listMemories();
      this.#update({ status: 'ready', memories, paused });
    } catch (error) {
      this.#update({ status: 'error', error: toVibhavaError(error) });
    }
  }

  /** Tells the avatar something to remember. Resolves with the stored memory, or null if refused. */
  add(memory: CreateMemoryRequest): Promise<Memory | null> {
    return this.#change(async () => {
      const added = await this.client.addMemory(memory);
      this.#update({ memories: [added, ...this.#state.memories] });
      return added;
    });
  }

  /** Rewrites one memory. Resolves with it as stored, or null if refused. */
  update(memoryId: string, memory: UpdateMemoryRequest): Promise<Memory | null> {
    return this.#change(async () => {
      const updated = await this.client.updateMemory(memoryId, memory);
      this.#update({ memories: this.#state.memories.map((m) => (m.id === memoryId ? updated : m)) });
      return updated;
    });
  }

  /** Forgets one memory: it leaves the list at once and comes back if the server refuses. */
  remove(memoryId: string): Promise<boolean> {
    return this.removeMany([memoryId]);
  }

  /**
   * Forgets several memories (say, the moments of one conversation): they leave the list at once,
   * and those the server has not deleted come back if it refuses one.
   */
  async removeMany(memoryIds: readonly string[]): Promise<boolean> {
    const { memories } = this.#state;
    const pending = new Set(memoryIds);
    this.#update({ memories: memories.filter((m) => !pending.has(m.id)) });
    const removed = await this.#change(async () => {
      for (const id of memoryIds) {
        await this.client.deleteMemory(id);
        pending.delete(id);
      }
      return true;
    });
    if (!removed)
      this.#update({ memories: memories.filter((m) => pending.has(m.id) || this.#state.memories.includes(m)) });
    return removed ?? false;
  }

  /** Forgets everything about the visitor. Resolves with how many memories went, or null if refused. */
  forgetAll(): Promise<number | null> {
    return this.#change(async () => {
      const deleted = await this.client.forgetAll();
      this.#update({ memories: [] });
      return deleted;
    });
  }

  /** Pauses or resumes memory; the switch moves at once and back if the server refuses. */
  async setPaused(paused: boolean): Promise<boolean> {
    const before = this.#state.paused;
    this.#update({ paused });
    const settings = await this.#change(() => this.client.setMemoryPaused(paused));
    this.#update({ paused: settings ? settings.paused : before });
    return settings !== null;
  }

  dispose(): void {
    this.#listeners.clear();
  }

  /** Runs one change; a failure goes into `state.error` and resolves null. */
  async #change<T>(run: () => Promise<T>): Promise<T | null> {
    this.#update({ error: null });
    try {
      return await run();
    } catch (error) {
      this.#update({ error: toVibhavaError(error) });
      return null;
    }
  }

  #update(patch: Partial<MemoryState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener(this.#state);
  }
}
