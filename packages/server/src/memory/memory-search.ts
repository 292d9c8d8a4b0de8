import type { MemoryCategory, MemoryKind } from '@vibhava/protocol';
import {
  readableScopes,
  type MemoryScope,
  type MemoryStore,
  type ScopeState,
  type StoredMemory,
} from './memory-store.js';
import { VectorIndex } from './vector-index.js';

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
  /** Skip memories whose source messages better results already cover (default true). */
  collapseSources?: boolean;
  now?: number;
}

const STOPWORDS = new Set(
  `a an the and or but if then so than too very of in on at to for with by from into onto about over under after before
  is are was were be been being am do does did done have has had having will would can could should may might must shall
  i me my mine you your yours he him his she her hers it its we us our ours they them their theirs this that these those
  what when where who whom whose which why how there here not no yes just also only ever really much many more most some any
  all each every both either neither one ones s t don doesn didn isn aren wasn weren won wouldn couldn shouldn im ive id
  let lets get got like know think say said tell told go going went`.split(/\s+/),
);

/** The distinct content words of a text, for FTS5 (stopwords and one-letter words left out). */
export function keywordTerms(text: string, max = 32): string[] {
  const terms = new Set<string>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (word.length < 2 || STOPWORDS.has(word)) continue;
    terms.add(word);
    if (terms.size >= max) break;
  }
  return [...terms];
}

interface CachedScope {
  epoch: number;
  revision: number;
  index: VectorIndex;
  rows: Map<string, number>;
  lastUsed: number;
  /** The catch-up in flight: one at a time, so changes are applied in the order they were read. */
  pending?: Promise<void> | undefined;
}

/**
 * Each scope's vectors in an in-process `VectorIndex`, kept current from the store: a search
 * reads the scope's revision (one indexed row) and applies only the rows changed since; an
 * erase (new epoch) reloads the scope. Least recently used scopes are dropped past `maxBytes`.
 */
export class MemoryVectorCache {
  readonly #scopes = new Map<string, CachedScope>();
  readonly #store: MemoryStore;
  readonly #dimensions: number;
  readonly #maxBytes: number;

  constructor(store: MemoryStore, options: { dimensions: number; maxBytes?: number }) {
    this.#store = store;
    this.#dimensions = options.dimensions;
    this.#maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  async index(scope: MemoryScope, state: ScopeState): Promise<CachedScope> {
    const key = `${scope.tenantId}\n${scope.avatarId}\n${scope.visitorId}`;
    let cached = this.#scopes.get(key);
    if (cached && cached.epoch !== state.epoch) cached = undefined;
    if (!cached) {
      cached = {
        epoch: state.epoch,
        revision: 0,
        index: new VectorIndex(this.#dimensions),
        rows: new Map(),
        lastUsed: 0,
      };
      this.#scopes.set(key, cached);
    }
    // An older read applied after a newer one would put back vectors that have changed since
    // (a libSQL server's answers need not arrive in order): wait for the catch-up in flight.
    while (cached.pending) await cached.pending.catch(() => undefined);
    if (cached.revision < state.revision) {
      const pending = this.#catchUp(scope, cached, state);
      cached.pending = pending;
      try {
        await pending;
      } finally {
        if (cached.pending === pending) cached.pending = undefined;
      }
    }
    cached.lastUsed = performance.now();
    this.#evict(key);
    return cached;
  }

  /** Applies the rows changed since the cached revision. */
  async #catchUp(scope: MemoryScope, cached: CachedScope, state: ScopeState): Promise<void> {
    const changed = await this.#store.vectorsSince(scope, cached.revision);
    for (const row of changed) {
      const previous = cached.rows.get(row.id);
      if (previous !== undefined) {
        cached.index.remove(previous);
        cached.rows.delete(row.id);
      }
      if (row.active && row.embedding && row.embedding.length === this.#dimensions) {
        cached.rows.set(row.id, cached.index.size);
        cached.index.add(row.id, row.embedding);
      }
      cached.revision = Math.max(cached.revision, row.revision);
    }
    cached.revision = Math.max(cached.revision, state.revision);
    // Mostly removed rows: rebuild on the next search.
    if (cached.index.size > 1024 && cached.index.live < cached.index.size / 2) cached.epoch = -1;
  }

  /** Forgets every cached scope (tests, and after a restore). */
  clear(): void {
    this.#scopes.clear();
  }

  #evict(keep: string): void {
    let total = 0;
    for (const scope of this.#scopes.values()) total += scope.index.byteLength;
    if (total <= this.#maxBytes) return;
    const byAge = [...this.#scopes.entries()]
      .filter(([key]) => key !== keep)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, scope] of byAge) {
      if (total <= this.#maxBytes) break;
      total -= scope.index.byteLength;
      this.#scopes.delete(key);
    }
  }
}

/**
 * Hybrid retrieval: exact vector search (in-process) and FTS5 BM25 over the visitor's memories
 * and the tenant's knowledge, fused by weighted reciprocal rank, nudged by importance and
 * recency, with near-duplicates dropped.
 */
export class MemorySearch {
  constructor(
    private readonly store: MemoryStore,
    private readonly vectors: MemoryVectorCache,
  ) {}

  async search(scope: MemoryScope, query: SearchQuery, options: SearchOptions): Promise<RetrievedMemory[]> {
    const weights = { ...DEFAULT_WEIGHTS, ...options.weights };
    const candidates = options.candidates ?? Math.max(50, options.k * 5);
    const all = readableScopes(scope);
    const allStates = await Promise.all(all.map((each) => this.store.state(each)));
    // Scopes that never held a memory (usually the tenant's) cost nothing.
    const scopes = all.filter((_, index) => allStates[index]!.revision > 0);
    const states = allStates.filter((state) => state.revision > 0);
    if (scopes.length === 0) return [];
    const fused = new Map<string, number>();
    const add = (id: string, rank: number, weight: number) =>
      fused.set(id, (fused.get(id) ?? 0) + weight / (weights.rrfK + rank + 1));

    if (query.vector && weights.vector > 0) {
      const hits: Array<{ id: string; score: number }> = [];
      for (const [index, each] of scopes.entries()) {
        const state = states[index]!;
        const cached = await this.vectors.index(each, state);
        for (const hit of cached.index.search(query.vector, candidates)) {
          hits.push({ id: cached.index.key(hit.row), score: hit.score });
        }
      }
      hits.sort((a, b) => b.score - a.score);
      hits.slice(0, candidates).forEach((hit, rank) => add(hit.id, rank, weights.vector));
    }
    if (weights.keyword > 0) {
      const terms = keywordTerms(`${query.text}\n${query.context ?? ''}`);
      const hits = await this.store.keywordSearch(scopes, terms, candidates);
      hits.forEach((hit, rank) => add(hit.id, rank, weights.keyword));
    }
    if (fused.size === 0) return [];

    const shortlist = [...fused.entries()].sort((a, b) => b[1] - a[1]).slice(0, options.k * 3);
    const rows = new Map(
      (
        await this.store.byIds(
          scopes,
          shortlist.map(([id]) => id),
        )
      ).map((row) => [row.id, row]),
    );
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
    // a better-ranked result already covers (a fact and the episode it came from say the same).
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
}

function toRetrieved(row: StoredMemory, score: number): RetrievedMemory {
  return {
    id: row.id,
    kind: row.kind,
    category: row.category,
    text: row.text,
    importance: row.importance,
    sourceMessageIds: row.sourceMessageIds,
    occurredAt: row.occurredAt,
    score,
  };
}
