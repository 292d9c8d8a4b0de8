import { stemmer } from 'stemmer';

/**
 * An in-process BM25 keyword index over one scope's memories: per term, the rows that hold it
 * and how often (growable typed arrays), each row's length, removed rows tombstoned (skipped in
 * scoring, their postings dropped once most are dead). It ranks what FTS5's `bm25()` ranks for
 * the scope (same Porter stems, lengths counted in words), in well under a millisecond for 10k
 * memories, where the FTS5 query scored every match in SQL.
 */

/** Words too common to find anything by (also left out of FTS5 queries). */
export const STOPWORDS: ReadonlySet<string> = new Set(
  `a an the and or but if then so than too very of in on at to for with by from into onto about over under after before
  is are was were be been being am do does did done have has had having will would can could should may might must shall
  i me my mine you your yours he him his she her hers it its we us our ours they them their theirs this that these those
  what when where who whom whose which why how there here not no yes just also only ever really much many more most some any
  all each every both either neither one ones s t don doesn didn isn aren wasn weren won wouldn couldn shouldn im ive id
  let lets get got like know think say said tell told go going went`.split(/\s+/),
);

const WORD_SPLIT = /[^\p{L}\p{N}]+/u;
const NON_ASCII = /[^\p{ASCII}]/u;
const MARKS = /\p{M}+/gu;

/** Lower-cased, with diacritics folded the way FTS5's unicode61 tokenizer folds them ("café" → "cafe"). */
function fold(text: string): string {
  const lower = text.toLowerCase();
  return NON_ASCII.test(lower) ? lower.normalize('NFD').replace(MARKS, '') : lower;
}

/** The content words of a text in order: lower-cased Unicode words, stopwords and one-letter words left out. */
function* contentWords(text: string): Generator<string> {
  for (const word of fold(text).split(WORD_SPLIT)) {
    if (word.length < 2 || STOPWORDS.has(word)) continue;
    yield word;
  }
}

/**
 * A text's indexed tokens (its content words, Porter-stemmed, in order, repeats included) and
 * its length in words, stopwords included, as FTS5 counts it for BM25's length normalization.
 */
function tokenize(text: string): { tokens: string[]; length: number } {
  const tokens: string[] = [];
  let length = 0;
  for (const word of fold(text).split(WORD_SPLIT)) {
    if (word.length === 0) continue;
    length++;
    if (word.length < 2 || STOPWORDS.has(word)) continue;
    tokens.push(stem(word));
  }
  return { tokens, length };
}

/** The distinct content words of a text (unstemmed), for an FTS5 query: FTS5's Porter tokenizer stems them. */
export function keywordTerms(text: string, max = 32): string[] {
  const terms = new Set<string>();
  for (const word of contentWords(text)) {
    terms.add(word);
    if (terms.size >= max) break;
  }
  return [...terms];
}

const stems = new Map<string, string>();
const STEM_CACHE = 50_000;

/** Porter stem of a lower-cased word, memoized (the stemmer is a chain of regular expressions). */
function stem(word: string): string {
  let stemmed = stems.get(word);
  if (stemmed === undefined) {
    // Digits and long tokens (ids, URLs squashed into words) are kept as they are.
    stemmed = word.length > 40 || /^\p{N}+$/u.test(word) ? word : stemmer(word);
    if (stems.size >= STEM_CACHE) stems.clear();
    stems.set(word, stemmed);
  }
  return stemmed;
}

/** A text's indexed tokens in order, repeats included: its content words, Porter-stemmed. */
export function keywordTokens(text: string): string[] {
  return tokenize(text).tokens;
}

/**
 * A query's tokens: the stems of its distinct content words (at most `max`, like `keywordTerms`).
 * Two words with one stem ("research", "researching") count twice, as in the FTS5 query.
 */
export function queryTokens(text: string, max = 32): string[] {
  return keywordTerms(text, max).map(stem);
}

export interface KeywordHit {
  /** The row given to `add`. */
  row: number;
  /** BM25 score (higher is better). */
  score: number;
}

/** Collection statistics BM25 needs for a query; sum them over indexes to search several as one corpus. */
export interface KeywordStats {
  /** Live rows. */
  docs: number;
  /** Length (in words, as `add` counts them) of the live rows together. */
  tokens: number;
  /** Live rows holding each query token, in the query's order. */
  frequencies: number[];
}

export interface KeywordSearchOptions {
  /** Statistics of the whole corpus searched (default: this index's own). */
  stats?: KeywordStats;
  /**
   * IDF: `lucene` (default) is ln(1 + (N − n + 0.5) / (n + 0.5)), always positive; `fts5` is
   * SQLite FTS5's ln((N − n + 0.5) / (n + 0.5)), floored at 1e-6 for terms in half the rows or more.
   */
  idf?: 'lucene' | 'fts5';
}

/** BM25 parameters, FTS5's and Lucene's defaults. */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** One term's postings: rows ascending (rows are added in increasing order), with term frequencies. */
interface Postings {
  rows: Int32Array;
  counts: Uint16Array;
  length: number;
}

const MIN_COMPACT_POSTINGS = 4096;

export class KeywordIndex {
  readonly #terms = new Map<string, Postings>();
  /** Per row: its length in words, or -1 where no live row is (never added, or removed). */
  #lengths = new Float32Array(64);
  /** Per row: its distinct terms (how many postings it holds). */
  #distinct = new Uint16Array(64);
  /** One past the highest row added. */
  #size = 0;
  #live = 0;
  #liveTokens = 0;
  #postings = 0;
  #deadPostings = 0;
  #postingBytes = 0;
  #scores = new Float64Array(64);
  #touched = new Int32Array(64);

  constructor() {
    this.#lengths.fill(-1);
  }

  /** One past the highest row added (removed rows included). */
  get size(): number {
    return this.#size;
  }

  /** Rows that search still returns. */
  get live(): number {
    return this.#live;
  }

  /** Distinct terms held. */
  get terms(): number {
    return this.#terms.size;
  }

  /** Approximate memory held, in bytes. */
  get byteLength(): number {
    return (
      this.#postingBytes +
      this.#terms.size * 96 +
      this.#lengths.byteLength +
      this.#distinct.byteLength +
      this.#scores.byteLength +
      this.#touched.byteLength
    );
  }

  /** Whether `row` is held and not removed. */
  has(row: number): boolean {
    return row >= 0 && row < this.#size && this.#lengths[row]! >= 0;
  }

  /**
   * Indexes `text` as `row`. Rows are the caller's: non-negative, each added once, in increasing
   * order (a changed memory is removed and added again under a new row).
   */
  add(row: number, text: string): void {
    const { tokens, length } = tokenize(text);
    this.addTokens(row, tokens, length);
  }

  /**
   * Indexes already tokenized text (`keywordTokens`) as `row`; `length` is its length for BM25
   * (`add` counts every word, stopwords included, like FTS5).
   */
  addTokens(row: number, tokens: readonly string[], length = tokens.length): void {
    if (!Number.isInteger(row) || row < this.#size) {
      throw new RangeError(`rows must be added in increasing order: ${row} after ${this.#size - 1}`);
    }
    this.#reserveRows(row + 1);
    const counts = new Map<string, number>();
    for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    for (const [token, count] of counts) {
      let postings = this.#terms.get(token);
      if (!postings) {
        postings = { rows: new Int32Array(2), counts: new Uint16Array(2), length: 0 };
        this.#terms.set(token, postings);
        this.#postingBytes += 12;
      }
      if (postings.length === postings.rows.length) {
        const capacity = postings.length * 2;
        const rows = new Int32Array(capacity);
        rows.set(postings.rows);
        const grown = new Uint16Array(capacity);
        grown.set(postings.counts);
        this.#postingBytes += postings.length * 6;
        postings.rows = rows;
        postings.counts = grown;
      }
      postings.rows[postings.length] = row;
      postings.counts[postings.length] = Math.min(count, 0xffff);
      postings.length++;
    }
    this.#lengths[row] = length;
    this.#distinct[row] = Math.min(counts.size, 0xffff);
    this.#size = row + 1;
    this.#live++;
    this.#liveTokens += length;
    this.#postings += counts.size;
  }

  /** Leaves the row out of every later search; its postings are dropped once most postings are dead. */
  remove(row: number): void {
    if (!this.has(row)) return;
    this.#liveTokens -= this.#lengths[row]!;
    this.#lengths[row] = -1;
    this.#live--;
    this.#deadPostings += this.#distinct[row]!;
    if (this.#deadPostings > MIN_COMPACT_POSTINGS && this.#deadPostings * 2 > this.#postings) this.compact();
  }

  /** Drops removed rows' postings (and terms left with none); rows keep their numbers. */
  compact(): void {
    const lengths = this.#lengths;
    let bytes = 0;
    for (const [term, postings] of this.#terms) {
      let kept = 0;
      for (let at = 0; at < postings.length; at++) {
        const row = postings.rows[at]!;
        if (lengths[row]! < 0) continue;
        postings.rows[kept] = row;
        postings.counts[kept] = postings.counts[at]!;
        kept++;
      }
      if (kept === 0) {
        this.#terms.delete(term);
        continue;
      }
      if (kept * 4 < postings.rows.length) {
        postings.rows = postings.rows.slice(0, kept * 2);
        postings.counts = postings.counts.slice(0, kept * 2);
      }
      postings.length = kept;
      bytes += postings.rows.length * 6;
    }
    this.#postings -= this.#deadPostings;
    this.#deadPostings = 0;
    this.#postingBytes = bytes;
  }

  /** This index's statistics for `tokens` (stemmed query tokens, `queryTokens`). */
  stats(tokens: readonly string[]): KeywordStats {
    const lengths = this.#lengths;
    const frequencies = tokens.map((token) => {
      const postings = this.#terms.get(token);
      if (!postings) return 0;
      let live = 0;
      for (let at = 0; at < postings.length; at++) if (lengths[postings.rows[at]!]! >= 0) live++;
      return live;
    });
    return { docs: this.#live, tokens: this.#liveTokens, frequencies };
  }

  /**
   * The `k` best rows for `tokens` (stemmed query tokens, `queryTokens`; a repeated token counts
   * each time) by BM25 (k1 = 1.2, b = 0.75), best first; ties go to the earlier row. Rows
   * matching no token are left out.
   */
  search(tokens: readonly string[], k: number, options: KeywordSearchOptions = {}): KeywordHit[] {
    if (k <= 0 || tokens.length === 0 || this.#live === 0) return [];
    const stats = options.stats ?? this.stats(tokens);
    if (stats.docs <= 0) return [];
    const average = stats.tokens / stats.docs || 1;
    const fts5 = options.idf === 'fts5';
    const lengths = this.#lengths;
    const scores = this.#scores;
    const touched = this.#touched;
    let hits = 0;
    for (const [index, token] of tokens.entries()) {
      const postings = this.#terms.get(token);
      if (!postings) continue;
      const n = stats.frequencies[index] ?? 0;
      const ratio = (stats.docs - n + 0.5) / (n + 0.5);
      const idf = fts5 ? (ratio > 1 ? Math.log(ratio) : 1e-6) : Math.log(1 + ratio);
      // tf·(k1 + 1) / (tf + k1·(1 − b + b·len/avg)) = tf·(k1 + 1) / (tf + base + scale·len)
      const base = BM25_K1 * (1 - BM25_B);
      const scale = (BM25_K1 * BM25_B) / average;
      const { rows, counts } = postings;
      for (let at = 0; at < postings.length; at++) {
        const row = rows[at]!;
        const length = lengths[row]!;
        if (length < 0) continue;
        const tf = counts[at]!;
        const score = (idf * tf * (BM25_K1 + 1)) / (tf + base + scale * length);
        if (scores[row] === 0) touched[hits++] = row;
        scores[row]! += score;
      }
    }
    const best = topK(scores, touched, hits, Math.min(k, hits));
    for (let at = 0; at < hits; at++) scores[touched[at]!] = 0;
    return best;
  }

  #reserveRows(rows: number): void {
    if (rows <= this.#lengths.length) return;
    let capacity = this.#lengths.length;
    while (capacity < rows) capacity *= 2;
    const lengths = new Float32Array(capacity).fill(-1);
    lengths.set(this.#lengths);
    this.#lengths = lengths;
    const distinct = new Uint16Array(capacity);
    distinct.set(this.#distinct);
    this.#distinct = distinct;
    this.#scores = new Float64Array(capacity);
    this.#touched = new Int32Array(capacity);
  }
}

/** The `limit` best of the touched rows, best first (ties: lower row first), with a min-heap. */
function topK(scores: Float64Array, touched: Int32Array, count: number, limit: number): KeywordHit[] {
  if (limit <= 0) return [];
  // Worse = lower score, or the same score and a later row.
  const worse = (a: number, b: number) => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  const heap = new Int32Array(limit);
  let size = 0;
  for (let at = 0; at < count; at++) {
    const row = touched[at]!;
    if (size < limit) {
      let slot = size++;
      while (slot > 0) {
        const parent = (slot - 1) >> 1;
        if (!worse(row, heap[parent]!)) break;
        heap[slot] = heap[parent]!;
        slot = parent;
      }
      heap[slot] = row;
    } else if (worse(heap[0]!, row)) {
      let slot = 0;
      for (;;) {
        const left = 2 * slot + 1;
        if (left >= size) break;
        const right = left + 1;
        const child = right < size && worse(heap[right]!, heap[left]!) ? right : left;
        if (!worse(heap[child]!, row)) break;
        heap[slot] = heap[child]!;
        slot = child;
      }
      heap[slot] = row;
    }
  }
  const hits: KeywordHit[] = [];
  for (let at = 0; at < size; at++) hits.push({ row: heap[at]!, score: scores[heap[at]!]! });
  return hits.sort((a, b) => b.score - a.score || a.row - b.row);
}
