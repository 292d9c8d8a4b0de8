import type { MemoryCategory, MemoryKind } from '@vibhava/protocol';
import { KeywordIndex, keywordTerms, queryTokens, type KeywordStats } from './keyword-index.js';
import {
  readableScopes,
  type MemoryEntry,
  type MemoryScope,
  type MemoryStore,
  type ScopeState,
  type VectorRow,
} from './memory-store.js';
import { VectorIndex } from './vector-index.js';

export { keywordTerms } from './keyword-index.js';

/** A memory chosen for a reply's context, with how well it matched. */
export interface RetrievedMemory {
  id: string;
  kind: MemoryKind;
  category: MemoryCategory;
  text: string;
  importance: number;
  sourceMessageIds: string[];
  occurredAt: string;
  /** The fused score (higher is better); comparable within one search only. */
  score: number;
}

export interface SearchWeights {
  /** Weight of the vector ranking in reciprocal-rank fusion. */
  vector: number;
  /** Weight of the BM25 ranking. */
  keyword: number;
  /** RRF's k: smaller trusts the top ranks more. */
  rrfK: number;
  /** Added for importance (0..1) times this. */
  importance: number;
  /** Added for recency: this × 0.5^(age / half-life). */
  recency: number;
  recencyHalfLifeDays: number;
}

/**
 * Defaults measured on LoCoMo dev (docs/decisions/2026-12-01-memory-retrieval.md): BM25 finds
 * the names and rare words questions turn on, vectors the paraphrases; BM25 counts double.
 * Importance and recency only break near-ties.
 */
export const DEFAULT_WEIGHTS: SearchWeights = {
  vector: 1,
  keyword: 2,
  rrfK: 10,
  importance: 0.01,
  recency: 0.01,
  recencyHalfLifeDays: 30,
};

export interface SearchQuery {
  /** What to match (the visitor's message, with recent turns for context). */
  text: string;
  /** Extra text whose words also count for keyword search (earlier turns). */
  context?: string;
  /** The query's embedding; without it only keyword search runs. */
  vector?: Float32Array | null;
}

export interface SearchOptions {
  k: number;
  weights?: Partial<SearchWeights>;
  /** Candidates from each ranking before fusion. */
  candidates?: number;
  /** Skip memories whose every source message better results already cover (default true). */
  collapseSources?: boolean;
  now?: number;
}

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
        if (vector) cached.index.add(row.id, vector);
        if (keywords && row.memory) {
          const next = cached.slots.length;
          keywords.add(next, row.searchText);
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

/** The earlier name of `MemoryScopeCache`. */
export const MemoryVectorCache = MemoryScopeCache;
export type MemoryVectorCache = MemoryScopeCache;

/**
 * Hybrid retrieval over the visitor's memories and the tenant's knowledge: exact vector search
 * and BM25 keyword search, both in process for scopes the cache keeps (FTS5 in the store for
 * one it does not), fused by weighted reciprocal rank, nudged by importance and recency, with
 * near-duplicates dropped.
 */
export class MemorySearch {
  constructor(
    private readonly store: MemoryStore,
    private readonly cache: MemoryScopeCache,
  ) {}

  async search(scope: MemoryScope, query: SearchQuery, options: SearchOptions): Promise<RetrievedMemory[]> {
    const weights = { ...DEFAULT_WEIGHTS, ...options.weights };
    const candidates = options.candidates ?? Math.max(50, options.k * 5);
    const all = readableScopes(scope);
    const allStates = await this.store.states(all);
    // Scopes that never held a memory (usually the tenant's) cost nothing.
    const scopes = all.filter((_, index) => allStates[index]!.revision > 0);
    const states = allStates.filter((state) => state.revision > 0);
    if (scopes.length === 0) return [];
    const vector = weights.vector > 0 ? (query.vector ?? null) : null;
    // Without a vector to match and nothing kept in process, the store answers alone.
    const indexes =
      vector || this.cache.keeps
        ? await Promise.all(scopes.map((each, index) => this.cache.index(each, states[index]!)))
        : [];
    const fused = new Map<string, number>();
    const add = (id: string, rank: number, weight: number) =>
      fused.set(id, (fused.get(id) ?? 0) + weight / (weights.rrfK + rank + 1));

    if (vector) {
      const hits: Array<{ id: string; score: number }> = [];
      for (const cached of indexes) {
        for (const hit of cached.index.search(vector, candidates)) {
          hits.push({ id: cached.index.key(hit.row), score: hit.score });
        }
      }
      hits.sort((a, b) => b.score - a.score);
      hits.slice(0, candidates).forEach((hit, rank) => add(hit.id, rank, weights.vector));
    }
    if (weights.keyword > 0) {
      const text = `${query.text}\n${query.context ?? ''}`;
      const kept = indexes.length > 0 && indexes.every((cached) => cached.keywords);
      const hits = kept
        ? keywordHits(indexes, queryTokens(text), candidates)
        : await this.#fts5(scopes, text, candidates);
      hits.forEach((id, rank) => add(id, rank, weights.keyword));
    }
    if (fused.size === 0) return [];

    const shortlist = [...fused.entries()].sort((a, b) => b[1] - a[1]).slice(0, options.k * 3);
    // The kept scopes' memories are in process; the store has the rest.
    const rows = new Map<string, MemoryEntry>();
    const missing: string[] = [];
    for (const [id] of shortlist) {
      const entry = entryOf(indexes, id);
      if (entry) rows.set(id, entry);
      else missing.push(id);
    }
    if (missing.length > 0) for (const row of await this.store.byIds(scopes, missing)) rows.set(row.id, row);
    const now = options.now ?? Date.now();
    const halfLife = weights.recencyHalfLifeDays * 86_400_000;
    const ranked: RetrievedMemory[] = [];
    for (const [id, score] of shortlist) {
      const row = rows.get(id);
      if (!row) continue;
      const age = Math.max(0, now - Date.parse(row.occurredAt));
      ranked.push(
        toRetrieved(row, score + weights.importance * row.importance + weights.recency * 0.5 ** (age / halfLife)),
      );
    }
    ranked.sort((a, b) => b.score - a.score);
    // One memory per moment: skip near-duplicate texts, and memories whose every source message
    // a better-ranked result already covers (a fact and the episode it came from say the same; a
    // fact updated over several turns still says more than any one of them).
    const seen = new Set<string>();
    const covered = new Set<string>();
    const collapse = options.collapseSources ?? true;
    const results: RetrievedMemory[] = [];
    for (const memory of ranked) {
      const key = memory.text
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, ' ')
        .trim();
      const sources = memory.sourceMessageIds;
      const redundant = collapse && sources.length > 0 && sources.every((id) => covered.has(id));
      if (seen.has(key) || redundant) continue;
      seen.add(key);
      for (const id of sources) covered.add(id);
      results.push(memory);
      if (results.length >= options.k) break;
    }
    return results;
  }

  /** FTS5's BM25 ranking in the store (for scopes not kept in process). */
  async #fts5(scopes: readonly MemoryScope[], text: string, limit: number): Promise<string[]> {
    const hits = await this.store.keywordSearch(scopes, keywordTerms(text), limit);
    return hits.map((hit) => hit.id);
  }
}

/** The `limit` best memories by BM25 over the scopes' keyword indexes, scored as one corpus. */
function keywordHits(indexes: readonly ScopeIndexes[], tokens: readonly string[], limit: number): string[] {
  if (tokens.length === 0) return [];
  const each = indexes.map((cached) => cached.keywords!.stats(tokens));
  const stats: KeywordStats = {
    docs: each.reduce((sum, one) => sum + one.docs, 0),
    tokens: each.reduce((sum, one) => sum + one.tokens, 0),
    frequencies: tokens.map((_, index) => each.reduce((sum, one) => sum + one.frequencies[index]!, 0)),
  };
  const hits: Array<{ id: string; score: number }> = [];
  for (const cached of indexes) {
    for (const hit of cached.keywords!.search(tokens, limit, { stats })) {
      hits.push({ id: cached.slots[hit.row]!.id, score: hit.score });
    }
  }
  // Stable: on a tie the visitor's own memories (searched first) go first.
  hits.sort((a, b) => b.score - a.score);
  return hits.slice(0, limit).map((hit) => hit.id);
}

function entryOf(indexes: readonly ScopeIndexes[], id: string): MemoryEntry | undefined {
  for (const cached of indexes) {
    const slot = cached.slotOf.get(id);
    if (slot !== undefined) return cached.slots[slot] ?? undefined;
  }
  return undefined;
}

function toRetrieved(row: MemoryEntry, score: number): RetrievedMemory {
  return {
    id: row.id,
    kind: row.kind,
    category: row.category,
    text: row.text,
    importance: row.importance,
    // A copy: the row may be the cache's own.
    sourceMessageIds: [...row.sourceMessageIds],
    occurredAt: row.occurredAt,
    score,
  };
}
