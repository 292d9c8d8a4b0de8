import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.js';
import { tenants } from '../src/db/schema.js';
import {
  addStats,
  feedbackTerms,
  KeywordIndex,
  keywordTerms,
  keywordTokens,
  queryTokens,
  type KeywordHit,
} from '../src/memory/keyword-index.js';
import { MemoryScopeCache, MemorySearch, namedDates } from '../src/memory/memory-search.js';
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
      const stats = addStats(a, b);
      const merged = [
        ...left.search(tokens, 50, { stats }),
        ...right.search(tokens, 50, { stats }).map((hit) => ({ ...hit, row: hit.row + 6 })),
      ].sort((x, y) => y.score - x.score || x.row - y.row);
      expectSameHits(merged, whole.search(tokens, 50));
    }
  });
});

describe('KeywordIndex groups, weights and feedback', () => {
  // Rows 1, 4 and 8 (say, facts) are their own collection; the others another.
  const FACTS = new Set([1, 4, 8]);
  const build = () => {
    const index = new KeywordIndex();
    CORPUS.forEach((text, row) => index.add(row, text, FACTS.has(row) ? 1 : 0));
    return index;
  };
  const only = (group: number) => CORPUS.map((text, row) => ((FACTS.has(row) ? 1 : 0) === group ? text : null));

  it('scores each row against its own group’s statistics', () => {
    const index = build();
    for (const query of QUERIES) {
      const expected = [...referenceBm25(only(0), query), ...referenceBm25(only(1), query)].sort(
        (a, b) => b.score - a.score || a.row - b.row,
      );
      expectSameHits(index.search(queryTokens(query), 50), expected);
    }
    const stats = index.stats(queryTokens('Caroline cats'));
    expect(stats.docs).toEqual([7, 3]);
    // Caroline: rows 0, 2, 5 and 8; a cat: rows 4 and 7.
    expect(stats.frequencies).toEqual([
      [3, 1],
      [1, 1],
    ]);
    // Removed rows leave their group's counts.
    index.remove(4);
    expect(index.stats(queryTokens('Caroline cats'))).toMatchObject({
      docs: [7, 2],
      frequencies: [
        [3, 1],
        [1, 0],
      ],
    });
    expect(() => index.add(20, 'x', 256)).toThrow(RangeError);
  });

  it('weighs each token, and lets tokens after `matchFirst` only reorder rows an earlier token matched', () => {
    const index = new KeywordIndex();
    CORPUS.forEach((text, row) => index.add(row, text));
    const plain = new Map(index.search(queryTokens('kids'), 50).map((hit) => [hit.row, hit.score]));
    const alone = new Map(index.search(queryTokens('beach'), 50).map((hit) => [hit.row, hit.score]));
    const tokens = [...queryTokens('kids'), ...queryTokens('beach')];
    const stats = index.stats(tokens);
    const hits = index.search(tokens, 50, { stats, weights: [1, 0.5], matchFirst: 1 });
    // Rows 6 and 9 mention kids; only row 6 the beach. No row that only says "beach" comes in.
    expect(hits.map((hit) => hit.row)).toEqual([6, 9]);
    expect(hits[0]!.score).toBeCloseTo(plain.get(6)! + 0.5 * alone.get(6)!, 9);
    expect(hits[1]!.score).toBeCloseTo(plain.get(9)!, 9);
  });

  it('keeps each row’s distinct tokens, through removals and compaction', () => {
    const index = new KeywordIndex();
    index.add(0, 'Running runs; the runner ran.');
    index.add(1, 'zebra giraffe zebra');
    index.add(2, 'lion');
    expect(index.rowTokens(0)).toEqual([
      { token: 'run', count: 2 },
      { token: 'runner', count: 1 },
      { token: 'ran', count: 1 },
    ]);
    index.remove(1);
    expect(index.rowTokens(1)).toEqual([]);
    index.compact();
    expect(index.rowTokens(2)).toEqual([{ token: 'lion', count: 1 }]);
    expect(index.rowTokens(0)).toHaveLength(3);
    index.add(3, 'zebra lion');
    expect(index.rowTokens(3)).toEqual([
      { token: 'zebra', count: 1 },
      { token: 'lion', count: 1 },
    ]);
    expect(index.stats(['lion', 'zebra']).frequencies).toEqual([[2, 1]]);
  });

  it('draws feedback terms from the best rows: not the query’s, by share times IDF, the best at `weight`', () => {
    const index = new KeywordIndex();
    CORPUS.forEach((text, row) => index.add(row, text));
    const query = queryTokens('camping beach');
    // Row 6: Melanie took her kids camping at the beach and they roasted marshmallows.
    const terms = feedbackTerms([index.rowTokens(6)], query, (tokens) => index.stats(tokens), { terms: 3 });
    expect(terms.map((term) => term.token)).toEqual(['took', 'roast', 'marshmallow']);
    expect(terms[0]!.weight).toBe(0.5);
    // "kids" and "melanie" are in other rows too: less telling, left out at three terms.
    expect(terms.map((term) => term.token)).not.toContain('kid');
    expect(feedbackTerms([], query, (tokens) => index.stats(tokens))).toEqual([]);
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
    // Without feedback: the store's FTS5 path ranks by plain BM25 (no second, expanded query).
    const search = (via: MemorySearch, text: string) =>
      via.search(scope, { text }, { k: 3, weights: { vector: 0, importance: 0, recency: 0, feedback: 0 } });
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
    const options = { k: 3, weights: { vector: 0, feedback: 0 } };
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

describe('MemorySearch keyword ranking in process: each kind its own collection, and feedback', () => {
  let dir: string;
  let db: Database;
  let store: MemoryStore;
  let search: MemorySearch;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vibhava-keywords-'));
    db = await openDatabase({ url: `file:${join(dir, 'memory.db')}` });
    await db.insert(tenants).values({ id: 'tnt_rank', name: 'Ranking' });
    store = new MemoryStore(db);
    search = new MemorySearch(store, new MemoryScopeCache(store, { dimensions: 384 }));
  });
  afterAll(() => {
    db?.$client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  let message = 0;
  const add = (scope: MemoryScope, kind: 'fact' | 'episode', text: string) =>
    store.insert(
      scope,
      {
        kind,
        category: kind === 'fact' ? 'event' : 'other',
        text,
        searchText: text,
        importance: 0.5,
        sourceMessageIds: [`msg_${++message}`],
        occurredAt: new Date('2025-03-04T10:00:00Z'),
        embedding: null,
        embeddingModel: null,
      },
      { actor: 'extractor' },
    );
  const sorted = (ids: string[]) => [...ids].sort();
  const keywords = (scope: MemoryScope, text: string, feedback?: number) =>
    search.search(
      scope,
      { text },
      { k: 10, weights: { vector: 0, importance: 0, recency: 0, ...(feedback === undefined ? {} : { feedback }) } },
    );

  it('does not let the words every fact shares (the visitor’s name, a date) outrank what was said', async () => {
    const scope = { tenantId: 'tnt_rank', avatarId: 'avt_rank', visitorId: 'vis_sam' };
    for (const fact of [
      'On 2025-02-10, Sam went to a jazz concert.',
      'On 2025-02-20, Sam adopted a cat.',
      'Sam works as a nurse.',
    ]) {
      await add(scope, 'fact', fact);
    }
    const hikes = [
      await add(
        scope,
        'episode',
        'Went hiking up the ridge trail this weekend, the views were unreal and my legs are still sore\nAmazing, you earned a rest!',
      ),
      await add(
        scope,
        'episode',
        'I think I will go hiking again soon, maybe along the coast this time\nGreat idea, take water.',
      ),
    ];
    for (const other of [
      'Work was busy, twelve hours at the hospital again and my feet hurt all evening\nThat sounds exhausting, look after yourself.',
      'We played board games all evening with my cousins and I lost every single round\nHa, there is always next time!',
      'The new bakery on the corner sells the best sourdough I have ever had\nNow I want to try it too.',
    ]) {
      await add(scope, 'episode', other);
    }
    // Against the whole scope's statistics "Sam" and "2025" look rare and the short dated facts
    // came first; against the facts' own, every fact has them and they tell nothing.
    // (Without feedback: this is about the statistics alone.)
    const found = await keywords(scope, 'When did Sam go hiking in 2025?', 0);
    expect(sorted(found.slice(0, 2).map((hit) => hit.id))).toEqual(sorted(hikes.map((hike) => hike.id)));
  });

  it('ranks higher, with feedback, the memories that say more of what the best matches say', async () => {
    const scope = { tenantId: 'tnt_rank', avatarId: 'avt_rank', visitorId: 'vis_camp' };
    for (const text of [
      'We went camping at the lake and roasted marshmallows with the kids',
      'Our camping trip to the lake: the kids roasted marshmallows until midnight',
      'The camping trip by the lake was the best part of the summer for the kids, marshmallows included',
      'My sister moved to Denver for a new job in marketing',
      'The lake was frozen solid when we drove past it in January',
    ]) {
      await add(scope, 'episode', text);
    }
    const related = await add(scope, 'episode', 'The kids keep asking for another lake trip with marshmallows');
    const unrelated = await add(scope, 'episode', 'My business trip got cancelled');
    const order = async (feedback?: number) =>
      (await keywords(scope, 'How was the camping trip?', feedback)).map((hit) => hit.id);
    // Both say "trip" once; the shorter text ranks first by BM25 alone.
    const without = await order(0);
    expect(without.indexOf(unrelated.id)).toBeLessThan(without.indexOf(related.id));
    // The best matches are about the lake, the kids and marshmallows: so is the related memory.
    const withFeedback = await order();
    expect(withFeedback.indexOf(related.id)).toBeLessThan(withFeedback.indexOf(unrelated.id));
    // Feedback reorders what the query found: the frozen lake shares no word with the question.
    expect(withFeedback).toHaveLength(5);
  });
});

describe('namedDates', () => {
  const now = Date.UTC(2025, 5, 15);
  const days = (text: string) =>
    namedDates(text, now).map(
      ({ from, to }) => `${new Date(from).toISOString().slice(0, 10)}/${new Date(to).toISOString().slice(0, 10)}`,
    );

  it('reads days and months in the orders people write them, as UTC ranges', () => {
    expect(days('What did Maria do on May 3, 2023?')).toEqual(['2023-05-03/2023-05-04']);
    expect(days('What did Gina find on 1 February, 2023?')).toEqual(['2023-02-01/2023-02-02']);
    expect(days('on the 3rd of May 2024')).toEqual(['2024-05-03/2024-05-04']);
    expect(days('Sept. 5 2022 and 2024-02-29')).toEqual(['2024-02-29/2024-03-01', '2022-09-05/2022-09-06']);
    expect(days('What setback did she face in October 2023?')).toEqual(['2023-10-01/2023-11-01']);
    expect(days('May 2024 and 8 May, 2023')).toEqual(['2023-05-08/2023-05-09', '2024-05-01/2024-06-01']);
  });

  it('takes a day without a year as its latest occurrence, and leaves out what is no date', () => {
    expect(days('on May 3rd')).toEqual(['2025-05-03/2025-05-04']);
    expect(days('on Dec 24')).toEqual(['2024-12-24/2024-12-25']);
    expect(days('I may go, in May, maybe')).toEqual([]);
    expect(days('on 31 June 2024 or 2023-02-29')).toEqual([]);
    expect(days('back in 2019')).toEqual([]);
  });
});
