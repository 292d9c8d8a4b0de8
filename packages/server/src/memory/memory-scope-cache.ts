import { KeywordIndex } from './keyword-index.js';
import type { MemoryEntry, MemoryScope, MemoryStore, ScopeState, VectorRow } from './memory-store.js';
import { VectorIndex } from './vector-index.js';

interface CachedScope {
  epoch: number;
  revision: number;
  /** The scope's vectors (keyed by memory id). */
  index: VectorIndex;
  /** id → the memory's vector row, or -1 without one. */
  rows: Map<string, number>;
  /** The scope's keywords by slot; null where the scope is not kept (FTS5 answers instead). */
  keywords: KeywordIndex | null;
  /** Per slot: the memory (null once changed or gone); one slot per version of a memory. */
  slots: Array<MemoryEntry | null>;
  /** id → the memory's current slot. */
  slotOf: Map<string, number>;
  /** Approximate bytes held beside the two indexes (the memories' texts). */
  entryBytes: number;
  /** Bytes counted in the cache's total while kept. */
  counted: number;
  lastUsed: number;
  /** The catch-up in flight: one at a time, so changes are applied in the order they were read. */
  pending?: Promise<void> | undefined;
}

/** A search's view of one scope: its vectors, and its keywords and memories where it is kept in process. */
export type ScopeIndexes = Readonly<CachedScope>;

/**
 * Facts drawn from messages are their own collection, in both indexes: BM25 scores them against
 * their own statistics and search compares their cosines with one another's, apart from what was
 * said or written (episodes, knowledge, facts the visitor wrote). They are a second, short,
 * templated account of moments the episodes hold verbatim: all name the visitor (and often a
 * date), so against the whole scope those words look rare, every short fact looks like a perfect
 * keyword match and sits closer to a short question than a whole exchange does, and facts took
 * the places of the episodes they came from (docs/decisions/2026-12-01-memory-retrieval.md).
 */
const memoryGroup = (memory: MemoryEntry | null): number =>
  memory?.kind === 'fact' && memory.sourceMessageIds.length > 0 ? 1 : 0;

/** Bytes a cached memory costs beside its vector and postings (UTF-16 texts, the entry, map slots). */
const entryBytes = (row: VectorRow) =>
  2 * (row.id.length + (row.memory?.text.length ?? 0) + (row.memory?.sourceMessageIds.join('').length ?? 0)) + 240;

/**
 * Each scope's vectors (an in-process `VectorIndex`), keywords (a BM25 `KeywordIndex`) and
 * memories as search returns them, kept current from the store: a search reads the scope's
 * revision (one indexed row) and applies only the rows changed since; an erase (new epoch)
 * reloads the scope. Least recently used scopes are dropped past `maxBytes`; a scope that alone
 * does not fit is not kept: its vectors are read for each search, FTS5 finds its keywords and
 * the store its memories.
 */
export class MemoryScopeCache {
  readonly #scopes = new Map<string, CachedScope>();
  readonly #loads = new Map<string, { epoch: number; promise: Promise<CachedScope> }>();
  readonly #store: MemoryStore;
  readonly #dimensions: number;
  readonly #maxBytes: number;
  /** Bytes of the kept scopes, as last counted. */
  #total = 0;

  constructor(store: MemoryStore, options: { dimensions: number; maxBytes?: number }) {
    this.#store = store;
    this.#dimensions = options.dimensions;
    this.#maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  /** The scope's indexes, caught up to `state` (read just before). */
  async index(scope: MemoryScope, state: ScopeState): Promise<ScopeIndexes> {
    const key = `${scope.tenantId}\n${scope.avatarId}\n${scope.visitorId}`;
    let cached = this.#scopes.get(key);
    if (cached && cached.epoch !== state.epoch) {
      this.#drop(key);
      cached = undefined;
    }
    if (!cached) {
      // One load of a scope at a time: concurrent searches share it, then catch up from it.
      let load = this.#loads.get(key);
      if (!load || load.epoch !== state.epoch) {
        const started = { epoch: state.epoch, promise: this.#load(key, scope, state) };
        this.#loads.set(key, started);
        void started.promise
          .finally(() => {
            if (this.#loads.get(key) === started) this.#loads.delete(key);
          })
          .catch(() => undefined);
        load = started;
      }
      cached = await load.promise;
    }
    // An older read applied after a newer one would put back rows that have changed since
    // (a libSQL server's answers need not arrive in order): wait for the catch-up in flight.
    while (cached.pending) await cached.pending.catch(() => undefined);
    if (cached.revision < state.revision) {
      const entry = cached;
      const pending = this.#store.vectorsSince(scope, entry.revision).then((rows) => this.#apply(entry, rows, state));
      entry.pending = pending;
      try {
        await pending;
      } finally {
        if (entry.pending === pending) entry.pending = undefined;
      }
    }
    cached.lastUsed = performance.now();
    if (this.#scopes.get(key) === cached) {
      const bytes = this.#bytes(cached);
      this.#total += bytes - cached.counted;
      cached.counted = bytes;
      if (this.#total > this.#maxBytes) this.#evict(key, cached);
    }
    return cached;
  }

  /** Reads the whole scope; keeps it when it fits the budget on its own. */
  async #load(key: string, scope: MemoryScope, state: ScopeState): Promise<CachedScope> {
    const rows = await this.#store.vectorsSince(scope, 0);
    const fits = this.#maxBytes > 0 && this.#estimate(rows) <= this.#maxBytes;
    const cached = this.#empty(state.epoch, fits);
    this.#apply(cached, rows, state);
    if (fits && this.#scopes.get(key)?.epoch !== state.epoch) {
      this.#drop(key);
      this.#scopes.set(key, cached);
    }
    return cached;
  }

  #empty(epoch: number, kept: boolean): CachedScope {
    return {
      epoch,
      revision: 0,
      index: new VectorIndex(this.#dimensions),
      rows: new Map(),
      keywords: kept ? new KeywordIndex() : null,
      slots: [],
      slotOf: new Map(),
      entryBytes: 0,
      counted: 0,
      lastUsed: 0,
    };
  }

  #apply(cached: CachedScope, changed: readonly VectorRow[], state: ScopeState): void {
    const keywords = cached.keywords;
    for (const row of changed) {
      const previous = cached.rows.get(row.id);
      if (previous !== undefined) {
        if (previous >= 0) cached.index.remove(previous);
        cached.rows.delete(row.id);
      }
      const slot = cached.slotOf.get(row.id);
      if (slot !== undefined) {
        keywords?.remove(slot);
        cached.slots[slot] = null;
        cached.slotOf.delete(row.id);
      }
      if (row.active) {
        const vector = row.embedding && row.embedding.length === this.#dimensions ? row.embedding : null;
        cached.rows.set(row.id, vector ? cached.index.size : -1);
        if (vector) cached.index.add(row.id, vector, memoryGroup(row.memory));
        if (keywords && row.memory) {
          const next = cached.slots.length;
          keywords.add(next, row.searchText, memoryGroup(row.memory));
          cached.slots.push(row.memory);
          cached.slotOf.set(row.id, next);
          cached.entryBytes += entryBytes(row);
        }
      }
      cached.revision = Math.max(cached.revision, row.revision);
    }
    cached.revision = Math.max(cached.revision, state.revision);
    // Mostly changed or removed rows: reload on the next search.
    const dead = (size: number, live: number) => size > 1024 && live < size / 2;
    if (dead(cached.index.size, cached.index.live) || dead(cached.slots.length, cached.slotOf.size)) cached.epoch = -1;
  }

  /** Whether scopes are kept in process at all (a budget of 0 keeps none). */
  get keeps(): boolean {
    return this.#maxBytes > 0;
  }

  /** Forgets every cached scope (tests, and after a restore). */
  clear(): void {
    this.#scopes.clear();
    this.#loads.clear();
    this.#total = 0;
  }

  #drop(key: string): void {
    const scope = this.#scopes.get(key);
    if (!scope) return;
    this.#total -= scope.counted;
    this.#scopes.delete(key);
  }

  /** What a scope of these rows would hold, in bytes. */
  #estimate(rows: readonly VectorRow[]): number {
    let bytes = 0;
    for (const row of rows) {
      if (!row.active) continue;
      bytes += this.#dimensions * 4 + entryBytes(row) + row.searchText.length * 2;
    }
    return bytes;
  }

  #bytes(scope: CachedScope): number {
    return scope.index.byteLength + (scope.keywords?.byteLength ?? 0) + scope.entryBytes;
  }

  /** Drops least recently used scopes until the kept ones fit `maxBytes` (called when they do not). */
  #evict(keep: string, kept: CachedScope): void {
    // Grown past the whole budget on its own: not kept after this search.
    if (kept.counted > this.#maxBytes) {
      this.#drop(keep);
      return;
    }
    const byAge = [...this.#scopes.entries()]
      .filter(([key]) => key !== keep)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key] of byAge) {
      if (this.#total <= this.#maxBytes) break;
      this.#drop(key);
    }
  }
}
