import type { MemoryCategory, MemoryKind } from '@vibhava/protocol';
import { keywordTerms, queryTokens, type KeywordStats } from './keyword-index.js';
import { MemoryScopeCache, type ScopeIndexes } from './memory-scope-cache.js';
import {
  readableScopes,
  type MemoryEntry,
  type MemoryScope,
  type MemoryStore,
  type ScopeState,
} from './memory-store.js';

export { keywordTerms } from './keyword-index.js';
export { MemoryScopeCache, type ScopeIndexes };

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
  /** The states of `readableScopes(scope)`, in order, when the caller has just read them. */
  states?: readonly ScopeState[];
}

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

  /**
   * The memories among `ids` that belong to `scope` itself (not the knowledge it reads), each with
   * its cosine similarity to `vector` (0 without a vector on either side).
   */
  async similarity(
    scope: MemoryScope,
    ids: readonly string[],
    vector: Float32Array | null,
  ): Promise<Map<string, number>> {
    const cached = await this.cache.index(scope, await this.store.state(scope));
    const scores = new Map<string, number>();
    for (const id of ids) {
      const row = cached.rows.get(id);
      if (row === undefined) continue;
      if (row < 0 || !vector) {
        scores.set(id, 0);
        continue;
      }
      const stored = cached.index.vector(row);
      let dot = 0;
      for (let index = 0; index < stored.length; index++) dot += stored[index]! * vector[index]!;
      scores.set(id, dot);
    }
    return scores;
  }

  async search(scope: MemoryScope, query: SearchQuery, options: SearchOptions): Promise<RetrievedMemory[]> {
    const weights = { ...DEFAULT_WEIGHTS, ...options.weights };
    const candidates = options.candidates ?? Math.max(50, options.k * 5);
    const all = readableScopes(scope);
    const allStates = options.states ?? (await this.store.states(all));
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
