import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.js';
import { tenants } from '../src/db/schema.js';
import {
  KeywordIndex,
  keywordTerms,
  keywordTokens,
  queryTokens,
  type KeywordHit,
} from '../src/memory/keyword-index.js';
import { MemoryScopeCache, MemorySearch } from '../src/memory/memory-search.js';
import { MemoryStore, type MemoryScope, type NewMemory } from '../src/memory/memory-store.js';

const CORPUS = [
  'Caroline went to the LGBTQ support group yesterday and felt accepted',
  'Melanie painted a sunrise over the lake last year',
  'Caroline is researching adoption agencies because she wants to build a family',
  'Melanie ran a charity race for mental health and loves running',
  'The visitor has two cats named Oliver and Luna',
  'Caroline researched counseling programs; research matters to her career in counseling',
  'Melanie took her kids camping at the beach and they roasted marshmallows',
  'Oliver the cat knocked the painting off the wall while Luna slept',
  'Caroline gave a talk at a school about her transgender journey',
  'Melanie signed up for a pottery class and made a bowl for her kids',
];

/** Words in a text as FTS5's unicode61 tokenizer counts them (stopwords included). */
const wordCount = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean).length;

/** BM25 as written in the textbooks, over `keywordTokens`, with every word in a row's length. */
function referenceBm25(
  docs: ReadonlyArray<string | null>,
  query: string,
  idf: 'lucene' | 'fts5' = 'lucene',
): KeywordHit[] {
  const live = docs.flatMap((text, row) =>
    text === null ? [] : [{ row, tokens: keywordTokens(text), length: wordCount(text) }],
  );
  const average = live.reduce((sum, doc) => sum + doc.length, 0) / live.length;
  const weights = queryTokens(query).map((term) => {
    const n = live.filter((doc) => doc.tokens.includes(term)).length;
    const ratio = (live.length - n + 0.5) / (n + 0.5);
    return { term, idf: idf === 'fts5' ? (Math.log(ratio) > 0 ? Math.log(ratio) : 1e-6) : Math.log(1 + ratio) };
  });
  const hits: KeywordHit[] = [];
  for (const doc of live) {
    let score = 0;
    for (const { term, idf: weight } of weights) {
      const tf = doc.tokens.filter((token) => token === term).length;
      if (tf === 0) continue;
      score += (weight * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * doc.length) / average));
    }
    if (score > 0) hits.push({ row: doc.row, score });
  }
  return hits.sort((a, b) => b.score - a.score || a.row - b.row);
}

function expectSameHits(actual: KeywordHit[], expected: KeywordHit[]) {
  expect(actual.map((hit) => hit.row)).toEqual(expected.map((hit) => hit.row));
  actual.forEach((hit, at) => expect(hit.score).toBeCloseTo(expected[at]!.score, 9));
}

const QUERIES = [
  'What did Caroline research?',
  'Which cats does the visitor have?',
  "What did Melanie's kids do at the beach?",
  'Tell me about painting and pottery',
  'counseling career research',
  'nothing here matches zebra',
];

describe('keywordTokens', () => {
  it('lower-cases Unicode words, drops stopwords and one-letter words, and Porter-stems', () => {
    expect(keywordTokens('I was RESEARCHING the Café’s history, and it is researched!')).toEqual([
      'research',
      'cafe',
      'histori',
      'research',
    ]);
    expect(keywordTokens('researching')).toEqual(keywordTokens('research'));
    expect(keywordTokens('Running runs')).toEqual(['run', 'run']);
    expect(keywordTokens('Zürich 2024 東京')).toEqual(['zurich', '2024', '東京']);
  });

  it('keeps the FTS5 query terms unstemmed and distinct; query tokens are their stems', () => {
    expect(keywordTerms('What did you research, researching it all?')).toEqual(['research', 'researching']);
    expect(queryTokens('What did you research, researching it all?')).toEqual(['research', 'research']);
    expect(keywordTerms('a b c the of')).toEqual([]);
  });
});

describe('KeywordIndex', () => {
  const build = (docs: ReadonlyArray<string | null>) => {
    const index = new KeywordIndex();
    docs.forEach((text, row) => {
      if (text !== null) index.add(row, text);
    });
    return index;
  };

  it('scores BM25 (k1 1.2, b 0.75) like a straightforward implementation, with either IDF', () => {
    const index = build(CORPUS);
    expect(index.live).toBe(CORPUS.length);
    for (const query of QUERIES) {
      expectSameHits(index.search(queryTokens(query), 50), referenceBm25(CORPUS, query));
      expectSameHits(index.search(queryTokens(query), 50, { idf: 'fts5' }), referenceBm25(CORPUS, query, 'fts5'));
      expectSameHits(index.search(queryTokens(query), 2), referenceBm25(CORPUS, query).slice(0, 2));
    }
    expect(index.search(queryTokens('zebra'), 10)).toEqual([]);
    expect(index.search([], 10)).toEqual([]);
  });

  it('finds "researching" by "research" and the other way round', () => {
    const index = build(['She is researching volcanoes', 'Research on glaciers', 'Unrelated cooking notes']);
    expect(index.search(queryTokens('research'), 10).map((hit) => hit.row)).toEqual(
      expect.arrayContaining([0, 1]) as unknown,
    );
    expect(index.search(queryTokens('researching'), 10)).toHaveLength(2);
    expect(index.search(queryTokens('volcano'), 10).map((hit) => hit.row)).toEqual([0]);
  });

  it('leaves removed rows out, with document counts and lengths of live rows only', () => {
    const index = build(CORPUS);
    const docs: Array<string | null> = [...CORPUS];
    for (const row of [2, 5, 7]) {
      index.remove(row);
      docs[row] = null;
    }
    index.remove(2); // twice: no effect
    index.remove(99); // never added
    expect(index.live).toBe(CORPUS.length - 3);
    expect(index.has(2)).toBe(false);
    expect(index.has(3)).toBe(true);
    for (const query of QUERIES) expectSameHits(index.search(queryTokens(query), 50), referenceBm25(docs, query));
    // A changed memory comes back under a new row.
    index.add(CORPUS.length, 'Caroline finished researching adoption agencies');
    docs.push('Caroline finished researching adoption agencies');
    expectSameHits(index.search(queryTokens('adoption research'), 50), referenceBm25(docs, 'adoption research'));
    expect(() => index.add(3, 'again')).toThrow(RangeError);
  });

  it('drops dead postings when most rows are removed, and answers the same after', () => {
    const docs: Array<string | null> = [];
    const index = new KeywordIndex();
    for (let row = 0; row < 3000; row++) {
      const text = `${CORPUS[row % CORPUS.length]!} note ${row % 97} batch${row % 13}`;
      docs.push(text);
      index.add(row, text);
    }
    const before = index.byteLength;
    for (let row = 0; row < 3000; row++) {
      if (row % 10 === 0) continue;
      index.remove(row);
      docs[row] = null;
    }
    // The automatic compaction ran (postings held shrank); the rest are dropped on demand.
    expect(index.byteLength).toBeLessThan(before);
    index.compact();
    expect(index.live).toBe(300);
    for (const query of [...QUERIES, 'batch7 note 42', 'batch3 caroline']) {
      expectSameHits(index.search(queryTokens(query), 20), referenceBm25(docs, query).slice(0, 20));
    }
    // Terms only removed rows held are gone.
    const onlyRemoved = new KeywordIndex();
    onlyRemoved.add(0, 'zebra giraffe');
    onlyRemoved.add(1, 'lion');
    expect(onlyRemoved.terms).toBe(3);
    onlyRemoved.remove(0);
    onlyRemoved.compact();
    expect(onlyRemoved.terms).toBe(1);
    expect(onlyRemoved.search(queryTokens('zebra lion'), 5)).toEqual([{ row: 1, score: expect.any(Number) as number }]);
  });

  it('scores several indexes as one corpus with summed statistics', () => {
    const [left, right] = [build(CORPUS.slice(0, 6)), new KeywordIndex()];
    CORPUS.slice(6).forEach((text, at) => right.add(at, text));
    const whole = build(CORPUS);
    for (const query of QUERIES) {
      const tokens = queryTokens(query);
      const [a, b] = [left.stats(tokens), right.stats(tokens)];
      const stats = {
        docs: a.docs + b.docs,
        tokens: a.tokens + b.tokens,
        frequencies: a.frequencies.map((n, at) => n + b.frequencies[at]!),
      };
      const merged = [
        ...left.search(tokens, 50, { stats }),
        ...right.search(tokens, 50, { stats }).map((hit) => ({ ...hit, row: hit.row + 6 })),
      ].sort((x, y) => y.score - x.score || x.row - y.row);
      expectSameHits(merged, whole.search(tokens, 50));
    }
  });
});

describe('in-process BM25 against FTS5 over a libSQL file', () => {
  const scope: MemoryScope = { tenantId: 'tnt_kw', avatarId: 'avt_kw', visitorId: 'vis_kw' };
  let dir: string;
  let db: Database;
  let store: MemoryStore;
  const ids: string[] = [];
  const memory = (text: string, index: number): NewMemory => ({
    kind: 'fact',
    category: 'other',
    text,
    searchText: text,
    importance: 0.5,
    sourceMessageIds: [`msg_${index}`],
    occurredAt: new Date('2025-03-04T10:00:00Z'),
    embedding: null,
    embeddingModel: null,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vibhava-keywords-'));
    db = await openDatabase({ url: `file:${join(dir, 'memory.db')}` });
    await db.insert(tenants).values({ id: scope.tenantId, name: 'Keywords' });
    store = new MemoryStore(db);
    for (const [index, text] of CORPUS.entries()) {
      ids.push((await store.insert(scope, memory(text, index), { actor: 'visitor' })).id);
    }
  });
  afterAll(() => {
    db?.$client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ranks what FTS5 ranks, and with FTS5’s IDF and lengths scores what it scores', async () => {
    // The only scope in the file, so FTS5's whole-table statistics are the scope's.
    const index = new KeywordIndex();
    // FTS5's bm25() counts a row's length over all its columns: the scope key is one more word.
    const asFts5 = new KeywordIndex();
    for (const [row, text] of CORPUS.entries()) {
      index.add(row, text);
      asFts5.addTokens(row, keywordTokens(text), wordCount(text) + 1);
    }
    for (const query of QUERIES) {
      const fts5 = await store.keywordSearch([scope], keywordTerms(query), 50);
      const exact = asFts5.search(queryTokens(query), 50, { idf: 'fts5' });
      expect(exact.map((hit) => ids[hit.row])).toEqual(fts5.map((hit) => hit.id));
      exact.forEach((hit, at) => expect(hit.score).toBeCloseTo(-fts5[at]!.bm25, 9));
      // The index as search uses it (Lucene's IDF, lengths in words): the same top results.
      const ours = index.search(queryTokens(query), 3).map((hit) => ids[hit.row]);
      expect(ours).toEqual(fts5.slice(0, 3).map((hit) => hit.id));
    }
  });

  it('finds the same memories through the scope cache as through FTS5, and sees another instance’s edits', async () => {
    const kept = new MemorySearch(store, new MemoryScopeCache(store, { dimensions: 384 }));
    const other = new MemoryStore(db);
    const fts5 = new MemorySearch(other, new MemoryScopeCache(other, { dimensions: 384, maxBytes: 0 }));
    const search = (via: MemorySearch, text: string) =>
      via.search(scope, { text }, { k: 3, weights: { vector: 0, importance: 0, recency: 0 } });
    for (const query of QUERIES) {
      const [a, b] = await Promise.all([search(kept, query), search(fts5, query)]);
      expect(a.map((hit) => hit.id)).toEqual(b.map((hit) => hit.id));
      expect(a).toEqual(b);
    }
    // Written through the other store: the kept scope catches up (keywords and texts) by revision.
    const target = ids[4]!;
    await other.update(
      scope,
      target,
      {
        text: 'The visitor adopted a zebra',
        searchText: 'The visitor adopted a zebra',
        embedding: null,
        embeddingModel: null,
      },
      { actor: 'visitor' },
    );
    const [hit] = await search(kept, 'zebra');
    expect(hit).toMatchObject({ id: target, text: 'The visitor adopted a zebra' });
    expect((await search(kept, 'cats Oliver Luna')).map((each) => each.id)).not.toContain(target);
    await other.retire(scope, target, { actor: 'visitor' });
    expect(await search(kept, 'zebra')).toEqual([]);
    expect(await search(fts5, 'zebra')).toEqual([]);
  });

  it('asks the store only for scopes the cache cannot keep', async () => {
    const calls = { keywordSearch: 0, byIds: 0 };
    class CountingStore extends MemoryStore {
      override keywordSearch(...args: Parameters<MemoryStore['keywordSearch']>) {
        calls.keywordSearch++;
        return super.keywordSearch(...args);
      }
      override byIds(...args: Parameters<MemoryStore['byIds']>) {
        calls.byIds++;
        return super.byIds(...args);
      }
    }
    const counting = new CountingStore(db);
    const query = { text: 'Caroline research' };
    const options = { k: 3, weights: { vector: 0 } };
    const kept = new MemorySearch(counting, new MemoryScopeCache(counting, { dimensions: 384 }));
    const found = await kept.search(scope, query, options);
    expect(found.length).toBeGreaterThan(0);
    expect(calls).toEqual({ keywordSearch: 0, byIds: 0 });
    // A budget smaller than the scope: FTS5 finds the keywords and the store has the memories.
    const tooSmall = new MemorySearch(counting, new MemoryScopeCache(counting, { dimensions: 384, maxBytes: 4096 }));
    expect((await tooSmall.search(scope, query, options)).map((hit) => hit.id)).toEqual(found.map((hit) => hit.id));
    expect(calls).toEqual({ keywordSearch: 1, byIds: 1 });
  });
});
