import type { MemoryCategory, MemoryKind } from '@vibhava/protocol';
import { addStats, FEEDBACK, feedbackTerms, keywordTerms, queryTokens } from './keyword-index.js';
import { MemoryScopeCache, type ScopeIndexes } from './memory-scope-cache.js';
import type { SimilarityMoments } from './vector-index.js';
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
  /** Cosine similarity to the query's vector (-1..1), comparable across searches; absent without vectors. */
  similarity?: number;
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
  /**
   * Pseudo-relevance feedback: what the best term drawn from the first keyword search's best
   * memories counts for beside a word of the query (0: no feedback).
   */
  feedback: number;
  /**
   * A memory from a day or month the query's text names ("on 3 May 2025", "in October 2024"):
   * this × a first place in a ranking (0: dates are words like any other).
   */
  date: number;
}

/**
 * Defaults measured on LoCoMo dev (docs/decisions/2026-12-01-memory-retrieval.md): BM25 finds
 * the names and rare words questions turn on, vectors the paraphrases; BM25 counts double.
 * Importance and recency only break near-ties. Feedback terms weigh half a query word (the
 * usual RM3 mix), a named date one first place of the vector ranking's weight; neither was tuned
 * to the data (the ADR has the measurements).
 */
export const DEFAULT_WEIGHTS: SearchWeights = {
  vector: 1,
  keyword: 2,
  rrfK: 10,
  importance: 0.01,
  recency: 0.01,
  recencyHalfLifeDays: 30,
  feedback: FEEDBACK.weight,
  date: 1,
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
  /** Only the scope's own memories, not the knowledge it reads (default false). */
  ownOnly?: boolean;
}

/**
 * Hybrid retrieval over the visitor's memories and the tenant's knowledge: exact vector search
 * and BM25 keyword search (with pseudo-relevance feedback), both in process for scopes the cache
 * keeps (plain FTS5 BM25 in the store for one it does not), facts drawn from messages scored
 * against their own group in both, fused by weighted reciprocal rank with a first place for
 * memories from a date the message names, nudged by importance and recency, with near-duplicates
 * dropped.
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
      if (!cached.rows.has(id)) continue;
      scores.set(id, vector ? (cosineOf([cached], id, vector) ?? 0) : 0);
    }
    return scores;
  }

  async search(scope: MemoryScope, query: SearchQuery, options: SearchOptions): Promise<RetrievedMemory[]> {
    const weights = { ...DEFAULT_WEIGHTS, ...options.weights };
    const candidates = options.candidates ?? Math.max(50, options.k * 5);
    const readable = readableScopes(scope);
    const all = options.ownOnly ? readable.slice(0, 1) : readable;
    const allStates = (options.states ?? (await this.store.states(all))).slice(0, all.length);
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
      // Facts drawn from messages and everything else (see `MemoryScopeCache`) each ranked by how
      // far a cosine stands above the rest of its group, over every readable scope: a short fact
      // sits closer to a short question than a whole exchange does, whatever it says.
      const found = indexes.map((cached) => cached.index.searchGroups(vector, candidates));
      const spread = standardizers(found.map((groups) => groups.map((group) => group.moments)));
      const hits: Array<{ id: string; score: number }> = [];
      found.forEach((groups, at) => {
        groups.forEach(({ hits: best }, group) => {
          for (const hit of best) hits.push({ id: indexes[at]!.index.key(hit.row), score: spread[group]!(hit.score) });
        });
      });
      hits.sort((a, b) => b.score - a.score);
      hits.slice(0, candidates).forEach((hit, rank) => add(hit.id, rank, weights.vector));
    }
    if (weights.keyword > 0) {
      const text = `${query.text}\n${query.context ?? ''}`;
      const kept = indexes.length > 0 && indexes.every((cached) => cached.keywords);
      const hits = kept
        ? keywordHits(indexes, queryTokens(text), candidates, weights.feedback)
        : await this.#fts5(scopes, text, candidates);
      hits.forEach((id, rank) => add(id, rank, weights.keyword));
    }
    if (fused.size === 0) return [];

    const now = options.now ?? Date.now();
    // The kept scopes' memories are in process; the store has the rest.
    const rows = new Map<string, MemoryEntry>();
    const read = async (ids: Iterable<string>) => {
      const missing: string[] = [];
      for (const id of ids) {
        if (rows.has(id)) continue;
        const entry = entryOf(indexes, id);
        if (entry) rows.set(id, entry);
        else missing.push(id);
      }
      if (missing.length > 0) for (const row of await this.store.byIds(scopes, missing)) rows.set(row.id, row);
    };
    // A day or month the message names is matched against when each memory happened: no memory's
    // words hold its date, so it counts as one more first place for the memories of that time.
    const dates = weights.date > 0 ? namedDates(query.text, now) : [];
    if (dates.length > 0) {
      await read(fused.keys());
      for (const [id, score] of fused) {
        const at = Date.parse(rows.get(id)?.occurredAt ?? '');
        if (dates.some((date) => at >= date.from - DAY && at < date.to + DAY)) {
          fused.set(id, score + weights.date / (weights.rrfK + 1));
        }
      }
    }
    const shortlist = [...fused.entries()].sort((a, b) => b[1] - a[1]).slice(0, options.k * 3);
    await read(shortlist.map(([id]) => id));
    const halfLife = weights.recencyHalfLifeDays * DAY;
    const ranked: RetrievedMemory[] = [];
    for (const [id, score] of shortlist) {
      const row = rows.get(id);
      if (!row) continue;
      const age = Math.max(0, now - Date.parse(row.occurredAt));
      const memory = toRetrieved(
        row,
        score + weights.importance * row.importance + weights.recency * 0.5 ** (age / halfLife),
      );
      const similarity = vector ? cosineOf(indexes, id, vector) : undefined;
      ranked.push(similarity === undefined ? memory : { ...memory, similarity });
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

/**
 * The `limit` best memories by BM25 over the scopes' keyword indexes, scored as one corpus (each
 * group of memories against its own statistics, see `MemoryScopeCache`); then, with
 * `feedback`, ranked again with terms drawn from the best few (pseudo-relevance feedback).
 */
function keywordHits(
  indexes: readonly ScopeIndexes[],
  tokens: readonly string[],
  limit: number,
  feedback: number,
): string[] {
  if (tokens.length === 0) return [];
  const statsOf = (list: readonly string[]) => indexes.map((cached) => cached.keywords!.stats(list)).reduce(addStats);
  const rank = (list: readonly string[], weights?: number[]) => {
    const stats = statsOf(list);
    const options = { stats, ...(weights ? { weights, matchFirst: tokens.length } : {}) };
    const hits: Array<{ scope: number; row: number; score: number }> = [];
    indexes.forEach((cached, scope) => {
      for (const hit of cached.keywords!.search(list, limit, options)) hits.push({ scope, ...hit });
    });
    // Stable: on a tie the visitor's own memories (searched first) go first.
    hits.sort((a, b) => b.score - a.score);
    return hits.slice(0, limit);
  };
  let hits = rank(tokens);
  if (feedback > 0 && hits.length > 0) {
    const best = hits.slice(0, FEEDBACK.rows).map((hit) => indexes[hit.scope]!.keywords!.rowTokens(hit.row));
    const terms = feedbackTerms(best, tokens, statsOf, { weight: feedback });
    if (terms.length > 0) {
      hits = rank(
        [...tokens, ...terms.map((term) => term.token)],
        [...tokens.map(() => 1), ...terms.map((term) => term.weight)],
      );
    }
  }
  return hits.map((hit) => indexes[hit.scope]!.slots[hit.row]!.id);
}

/**
 * Per group: a similarity as standard deviations above its group's mean, over the moments of
 * every index; a group of fewer than two rows (or with no spread) uses all rows together.
 */
function standardizers(moments: ReadonlyArray<readonly SimilarityMoments[]>): Array<(score: number) => number> {
  const groups = Math.max(0, ...moments.map((each) => each.length));
  const total: SimilarityMoments = { count: 0, sum: 0, squares: 0 };
  const sums = Array.from({ length: groups }, (_, group) => {
    const sum: SimilarityMoments = { count: 0, sum: 0, squares: 0 };
    for (const each of moments) {
      const one = each[group];
      if (!one) continue;
      sum.count += one.count;
      sum.sum += one.sum;
      sum.squares += one.squares;
    }
    total.count += sum.count;
    total.sum += sum.sum;
    total.squares += sum.squares;
    return sum;
  });
  const scale = (each: SimilarityMoments) => {
    const mean = each.sum / each.count;
    const deviation = Math.sqrt(Math.max(0, each.squares / each.count - mean * mean));
    return each.count >= 2 && deviation > 1e-6 ? { mean, deviation } : null;
  };
  const whole = scale(total) ?? { mean: 0, deviation: 1 };
  return sums.map((sum) => {
    const { mean, deviation } = scale(sum) ?? whole;
    return (score: number) => (score - mean) / deviation;
  });
}

/** The memory's cosine with `vector`, when a kept index holds its embedding. */
function cosineOf(indexes: readonly ScopeIndexes[], id: string, vector: Float32Array): number | undefined {
  for (const cached of indexes) {
    const row = cached.rows.get(id);
    if (row === undefined) continue;
    if (row < 0) return undefined;
    const stored = cached.index.vector(row);
    let dot = 0;
    for (let index = 0; index < stored.length; index++) dot += stored[index]! * vector[index]!;
    return dot;
  }
  return undefined;
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

const DAY = 86_400_000;
const MONTH_NAMES = 'january|february|march|april|may|june|july|august|september|october|november|december';
const MONTH_ABBREVIATIONS = 'jan|feb|mar|apr|may|jun|jul|aug|sept|sep|oct|nov|dec';
const MONTH = `(${MONTH_NAMES}|(?:${MONTH_ABBREVIATIONS})\\.?)`;
const ORDINAL = '(\\d{1,2})(?:st|nd|rd|th)?';
/** Day, month and year in the orders people write them; a month alone only with its year ("May" is a word too). */
const DATE_PATTERNS: Array<{
  pattern: RegExp;
  parts: (match: RegExpExecArray) => [string | undefined, string, string | undefined];
}> = [
  { pattern: /\b(\d{4})-(\d{2})-(\d{2})\b/g, parts: (m) => [m[1], m[2]!, m[3]] },
  {
    pattern: new RegExp(`\\b${ORDINAL}\\s+(?:of\\s+)?${MONTH}(?:,?\\s+(\\d{4}))?\\b`, 'gi'),
    parts: (m) => [m[3], m[2]!, m[1]],
  },
  {
    pattern: new RegExp(`\\b${MONTH}\\s+${ORDINAL}\\b(?:,?\\s+(\\d{4})\\b)?`, 'gi'),
    parts: (m) => [m[3], m[1]!, m[2]],
  },
  { pattern: new RegExp(`\\b${MONTH},?\\s+(\\d{4})\\b`, 'gi'), parts: (m) => [m[2], m[1]!, undefined] },
];

function monthNumber(month: string): number {
  if (/^\d+$/.test(month)) return Number(month) - 1;
  const short = month.toLowerCase().replace('.', '').slice(0, 3);
  return MONTH_NAMES.split('|').findIndex((name) => name.startsWith(short));
}

/**
 * The days and months a text names, as UTC ranges [from, to): "3 May 2025", "May 3rd, 2025",
 * "2025-05-03", "October 2024"; a day without a year is its latest occurrence up to `now`.
 */
export function namedDates(text: string, now: number): Array<{ from: number; to: number }> {
  const dates: Array<{ from: number; to: number }> = [];
  let rest = text;
  for (const { pattern, parts } of DATE_PATTERNS) {
    rest = rest.replace(pattern, (...args: unknown[]) => {
      const match = args.slice(0, -2) as unknown as RegExpExecArray;
      const [yearText, monthText, dayText] = parts(match);
      const month = monthNumber(monthText);
      const day = dayText === undefined ? undefined : Number(dayText);
      let year = yearText === undefined ? new Date(now).getUTCFullYear() : Number(yearText);
      if (yearText === undefined && Date.UTC(year, month, day ?? 1) > now) year--;
      const from = Date.UTC(year, month, day ?? 1);
      // "31 June" is no day (and not June either).
      const valid = month >= 0 && month <= 11 && (day === undefined || new Date(from).getUTCDate() === day);
      if (valid) dates.push({ from, to: day === undefined ? Date.UTC(year, month + 1, 1) : from + DAY });
      return ' '.repeat(match[0].length);
    });
  }
  return dates;
}
