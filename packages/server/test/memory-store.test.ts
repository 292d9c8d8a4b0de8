import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryChangeSchema, type MemoryKind } from '@vibhava/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.js';
import { tenants } from '../src/db/schema.js';
import { loadSharedEmbeddingModel } from '../src/embeddings/index.js';
import { HeuristicMemoryExtractor } from '../src/memory/heuristic-extractor.js';
import { MemoryScopeCache, MemorySearch } from '../src/memory/memory-search.js';
import { MemoryService, type TurnToRemember } from '../src/memory/memory-service.js';
import { MemoryStore, readableScopes, type MemoryScope, type NewMemory } from '../src/memory/memory-store.js';

const DIMS = 384;
const T1 = 'tnt_one';
const T2 = 'tnt_two';
/** The scoping test's own tenant: its tenant-wide knowledge would show up in every other T1 search. */
const T3 = 'tnt_three';
const scopeOf = (tenantId: string, avatarId: string, visitorId: string): MemoryScope => ({
  tenantId,
  avatarId,
  visitorId,
});

const dirs: string[] = [];
const clients: Database[] = [];
afterAll(() => {
  for (const db of clients) db.$client.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh database file with two tenants; `connect()` opens another connection ("instance") to it. */
async function freshDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'vibhava-memory-'));
  dirs.push(dir);
  const url = `file:${join(dir, 'memory.db')}`;
  const connect = async () => {
    const db = await openDatabase({ url });
    clients.push(db);
    return db;
  };
  const db = await connect();
  await db.insert(tenants).values([
    { id: T1, name: 'Tenant one' },
    { id: T2, name: 'Tenant two' },
    { id: T3, name: 'Tenant three' },
  ]);
  return { db, connect };
}

/** One "server instance": a store, its vector cache and search over one connection. */
function instance(db: Database, maxBytes?: number, store = new MemoryStore(db)) {
  const cache = new MemoryScopeCache(store, { dimensions: DIMS, ...(maxBytes === undefined ? {} : { maxBytes }) });
  return { store, cache, search: new MemorySearch(store, cache) };
}
type Instance = ReturnType<typeof instance>;

let seed = 1;
/** A random unit vector: unrelated vectors have cosine ≈ 0 (±0.15), a vector with itself 1. */
function randomVector(): Float32Array {
  let state = seed++ * 0x9e3779b1;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296 - 0.5;
  };
  const values = Array.from({ length: DIMS }, next);
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (value) => value / norm);
}

let messageNumber = 0;
/** A memory drawn from its own message (search keeps one memory per source message). */
function memory(text: string, embedding: Float32Array | null, extra: Partial<NewMemory> = {}): NewMemory {
  return {
    kind: 'fact',
    category: 'preference',
    text,
    searchText: text,
    importance: 0.5,
    sourceMessageIds: [`msg_${++messageNumber}`],
    occurredAt: new Date('2025-03-04T10:00:00Z'),
    embedding,
    embeddingModel: embedding ? 'random' : null,
    ...extra,
  };
}

const byVisitor = { actor: 'visitor', reason: 'Added by the visitor' } as const;
const sorted = (ids: Iterable<string>) => [...ids].sort();

/** Ids found by keyword search only, or by vector search only (every readable vector comes back). */
async function keywordIds(search: MemorySearch, scope: MemoryScope, text: string): Promise<string[]> {
  const hits = await search.search(scope, { text }, { k: 50, weights: { vector: 0 } });
  return sorted(hits.map((hit) => hit.id));
}
async function vectorIds(search: MemorySearch, scope: MemoryScope, vector: Float32Array): Promise<string[]> {
  const hits = await search.search(scope, { text: '', vector }, { k: 50, weights: { keyword: 0 } });
  return sorted(hits.map((hit) => hit.id));
}
/** The best vector hit, straight from the instance's cached index (cosine, not the fused score). */
async function nearest(one: Instance, scope: MemoryScope, vector: Float32Array) {
  const cached = await one.cache.index(scope, await one.store.state(scope));
  const [hit] = cached.index.search(vector, 1);
  return { id: hit ? cached.index.key(hit.row) : undefined, score: hit?.score ?? -1, live: cached.index.live };
}

// Each scope's indexes kept in process, and none kept (every search reads the scope; FTS5 finds keywords).
describe.each([
  { cache: 'kept in process', maxBytes: undefined },
  { cache: 'not kept', maxBytes: 0 },
])('MemoryStore and MemorySearch over a libSQL file, scope cache $cache', ({ maxBytes }) => {
  let db: Database;
  let connect: () => Promise<Database>;
  let one: Instance;
  beforeAll(async () => {
    ({ db, connect } = await freshDatabase());
    one = instance(db, maxBytes);
  });
  const ftsIntact = () => db.$client.execute(`INSERT INTO memories_fts(memories_fts) VALUES ('integrity-check')`);

  it('records insert, update and retire in the history (oldest first); erase drops row and history', async () => {
    const scope = scopeOf(T1, 'avt_a', 'vis_history');
    const { store } = one;
    const added = await store.insert(
      scope,
      memory('Sam likes coffee', randomVector(), { sourceMessageIds: ['msg_1'] }),
      byVisitor,
    );
    expect(added).toMatchObject({ kind: 'fact', text: 'Sam likes coffee', scope: 'visitor', status: 'active' });
    const updated = await store.update(
      scope,
      added.id,
      {
        text: 'Sam now prefers tea',
        searchText: 'Sam now prefers tea',
        embedding: randomVector(),
        embeddingModel: 'random',
        sourceMessageIds: ['msg_2'],
      },
      { actor: 'extractor', reason: 'Switched drinks', sourceMessageIds: ['msg_2'] },
    );
    expect(updated).toMatchObject({ id: added.id, text: 'Sam now prefers tea', sourceMessageIds: ['msg_1', 'msg_2'] });
    expect(await store.retire(scope, added.id, { actor: 'admin', reason: 'Out of date' })).toBe(true);

    const history = await store.history(scope, added.id);
    expect(history).toMatchObject([
      {
        event: 'add',
        before: null,
        after: 'Sam likes coffee',
        actor: 'visitor',
        reason: 'Added by the visitor',
        sourceMessageIds: ['msg_1'],
      },
      {
        event: 'update',
        before: 'Sam likes coffee',
        after: 'Sam now prefers tea',
        actor: 'extractor',
        reason: 'Switched drinks',
        sourceMessageIds: ['msg_2'],
      },
      {
        event: 'delete',
        before: 'Sam now prefers tea',
        after: null,
        actor: 'admin',
        reason: 'Out of date',
        sourceMessageIds: [],
      },
    ]);
    for (const change of history!) MemoryChangeSchema.parse(change);
    expect(history!.map((change) => Date.parse(change.at))).toEqual(
      history!.map((change) => Date.parse(change.at)).sort(),
    );
    // Retired: out of reads and edits, history kept; not visible from another scope.
    expect(await store.get(scope, added.id)).toBeNull();
    expect(await store.list(scope)).toEqual([]);
    expect(
      await store.update(
        scope,
        added.id,
        { text: 'x', searchText: 'x', embedding: null, embeddingModel: null },
        byVisitor,
      ),
    ).toBeNull();
    expect(await store.retire(scope, added.id, byVisitor)).toBe(false);
    expect(await store.history({ ...scope, visitorId: 'vis_other' }, added.id)).toBeNull();

    expect(await store.erase({ ...scope, visitorId: 'vis_other' }, added.id)).toBe(false);
    expect(await store.erase(scope, added.id)).toBe(true);
    expect(await store.history(scope, added.id)).toBeNull();
    expect(await store.erase(scope, added.id)).toBe(false);
    const left = await db.$client.execute({
      sql: 'SELECT count(*) AS n FROM memory_history WHERE memory_id = ?',
      args: [added.id],
    });
    expect(Number(left.rows[0]!['n'])).toBe(0);

    // eraseAll counts the active memories it erased, and leaves other scopes alone.
    const neighbour = await store.insert(
      { ...scope, visitorId: 'vis_neighbour' },
      memory('Neighbour keeps bees', null),
      byVisitor,
    );
    const ids = [];
    for (const text of ['First', 'Second', 'Third'])
      ids.push((await store.insert(scope, memory(text, null), byVisitor)).id);
    await store.retire(scope, ids[0]!, byVisitor);
    expect(await store.eraseAll(scope)).toBe(2);
    for (const id of ids) expect(await store.history(scope, id)).toBeNull();
    expect(await store.count(scope)).toBe(0);
    expect((await store.list({ ...scope, visitorId: 'vis_neighbour' })).map((m) => m.id)).toEqual([neighbour.id]);
    await ftsIntact();
  });

  it('keeps visitors, avatars and tenants apart; tenant knowledge is read by every visitor of its tenant', async () => {
    const { store, search } = one;
    const add = async (scope: MemoryScope, text: string) => {
      const vector = randomVector();
      return { id: (await store.insert(scope, memory(text, vector), byVisitor)).id, vector };
    };
    const a = await add(scopeOf(T3, 'avt_1', 'vis_a'), 'Visitor A goes kayaking on the lake');
    const b = await add(scopeOf(T3, 'avt_1', 'vis_b'), 'Visitor B goes kayaking on weekends');
    const otherAvatar = await add(scopeOf(T3, 'avt_2', 'vis_a'), 'Kayaking came up with the second avatar');
    const avatarKnowledge = await add(scopeOf(T3, 'avt_1', ''), 'The shop rents kayaking gear');
    const tenantKnowledge = await add(scopeOf(T3, '', ''), 'Guided kayaking tours run on Sundays');
    const otherTenant = await add(scopeOf(T2, 'avt_1', 'vis_a'), 'Another tenant visitor loves kayaking');
    const otherTenantKnowledge = await add(scopeOf(T2, '', ''), 'Tenant two sells kayaking insurance');
    const all = [a, b, otherAvatar, avatarKnowledge, tenantKnowledge, otherTenant, otherTenantKnowledge];

    const readers: Array<[MemoryScope, Array<typeof a>]> = [
      [scopeOf(T3, 'avt_1', 'vis_a'), [a, avatarKnowledge, tenantKnowledge]],
      [scopeOf(T3, 'avt_1', 'vis_b'), [b, avatarKnowledge, tenantKnowledge]],
      [scopeOf(T3, 'avt_1', 'vis_new'), [avatarKnowledge, tenantKnowledge]],
      [scopeOf(T3, 'avt_2', 'vis_a'), [otherAvatar, tenantKnowledge]],
      [scopeOf(T2, 'avt_1', 'vis_a'), [otherTenant, otherTenantKnowledge]],
      [scopeOf(T2, 'avt_1', 'vis_b'), [otherTenantKnowledge]],
    ];
    for (const [reader, readable] of readers) {
      const expected = sorted(readable.map((m) => m.id));
      // "kayaking" is in every memory: only the scopes decide what is found.
      expect(await keywordIds(search, reader, 'kayaking')).toEqual(expected);
      // Each memory's own vector: found (as the best hit) exactly where it is readable.
      for (const each of all) {
        const hits = await search.search(reader, { text: '', vector: each.vector }, { k: 1, weights: { keyword: 0 } });
        if (readable.includes(each)) expect(hits.map((hit) => hit.id)).toEqual([each.id]);
        else expect(hits.map((hit) => hit.id)).not.toContain(each.id);
      }
      expect(await vectorIds(search, reader, randomVector())).toEqual(expected);
      expect(
        sorted(
          (
            await store.byIds(
              readableScopes(reader),
              all.map((m) => m.id),
            )
          ).map((m) => m.id),
        ),
      ).toEqual(expected);
    }
    expect((await store.list(scopeOf(T3, 'avt_1', 'vis_a'))).map((m) => m.id)).toEqual([a.id]);
    expect((await store.list(scopeOf(T3, 'avt_1', 'vis_b'))).map((m) => m.id)).toEqual([b.id]);
    expect((await store.list(scopeOf(T2, 'avt_1', 'vis_a'))).map((m) => m.id)).toEqual([otherTenant.id]);
    const [tenantRow] = await store.list(scopeOf(T3, '', ''));
    expect(tenantRow).toMatchObject({ id: tenantKnowledge.id, scope: 'tenant' });
  });

  it('leaves erased, retired and wiped memories out of the very next search (warm cache)', async () => {
    const { store, search } = one;
    const scope = scopeOf(T1, 'avt_gone', 'vis_gone');
    const texts = [
      'Loves sailing boats',
      'Sailing lessons on Fridays',
      'Sailing trip to Greece',
      'Sailing club member',
    ];
    const rows = [];
    for (const text of texts) {
      const vector = randomVector();
      rows.push({ id: (await store.insert(scope, memory(text, vector), byVisitor)).id, vector });
    }
    const both = async (vector: Float32Array) =>
      (await search.search(scope, { text: 'sailing', vector }, { k: 10 })).map((hit) => hit.id);
    expect(sorted(await both(rows[0]!.vector))).toEqual(sorted(rows.map((row) => row.id)));

    await store.erase(scope, rows[0]!.id);
    expect(await both(rows[0]!.vector)).not.toContain(rows[0]!.id);
    expect(await nearest(one, scope, rows[0]!.vector)).toMatchObject({ live: 3 });

    await store.retire(scope, rows[1]!.id, byVisitor);
    expect(await both(rows[1]!.vector)).not.toContain(rows[1]!.id);
    expect(await keywordIds(search, scope, 'lessons')).toEqual([]);
    expect(await nearest(one, scope, rows[1]!.vector)).toMatchObject({ live: 2 });

    await store.eraseAll(scope);
    expect(await both(rows[2]!.vector)).toEqual([]);
    expect(await vectorIds(search, scope, rows[3]!.vector)).toEqual([]);
    const again = await store.insert(scope, memory('Sailing again', rows[3]!.vector), byVisitor);
    expect(await both(rows[3]!.vector)).toEqual([again.id]);
  });

  it('keeps two instances consistent through the revision (writes, updates) and the epoch (erases)', async () => {
    const two = instance(await connect(), maxBytes);
    const scope = scopeOf(T1, 'avt_multi', 'vis_multi');
    const first = randomVector();
    const kept = await one.store.insert(scope, memory('Plays the cello', first), byVisitor);
    // Both caches warm.
    expect(await vectorIds(one.search, scope, first)).toEqual([kept.id]);
    expect(await vectorIds(two.search, scope, first)).toEqual([kept.id]);

    const second = randomVector();
    const added = await one.store.insert(scope, memory('Collects vinyl records', second), byVisitor);
    expect(await vectorIds(two.search, scope, second)).toEqual(sorted([kept.id, added.id]));
    expect(await nearest(two, scope, second)).toMatchObject({ id: added.id, live: 2 });

    // An update's new vector replaces the old one in the other instance's index.
    const replacement = randomVector();
    await two.store.update(
      scope,
      added.id,
      {
        text: 'Sold the vinyl, streams music now',
        searchText: 'Sold the vinyl, streams music now',
        embedding: replacement,
        embeddingModel: 'random',
      },
      byVisitor,
    );
    const viaNew = await one.search.search(scope, { text: '', vector: replacement }, { k: 1, weights: { keyword: 0 } });
    expect(viaNew).toMatchObject([{ id: added.id, text: 'Sold the vinyl, streams music now' }]);
    const hit = await nearest(one, scope, replacement);
    expect(hit).toMatchObject({ id: added.id, live: 2 });
    expect(hit.score).toBeCloseTo(1, 5);
    expect((await nearest(one, scope, second)).score).toBeLessThan(0.5);
    expect(await keywordIds(one.search, scope, 'records')).toEqual([]);
    expect(await keywordIds(one.search, scope, 'streams')).toEqual([added.id]);

    // Retire and erase through one instance: gone from the other's next search.
    await one.store.retire(scope, added.id, byVisitor);
    expect(await vectorIds(two.search, scope, replacement)).toEqual([kept.id]);
    expect((await nearest(two, scope, replacement)).live).toBe(1);
    await two.store.erase(scope, kept.id);
    expect(await vectorIds(one.search, scope, first)).toEqual([]);
    expect((await nearest(one, scope, first)).live).toBe(0);
  });

  it('applies catch-ups in order when an older read answers after a newer one (remote latency)', async () => {
    // A store whose `vectorsSince` reads at once but answers only when released, like a slow
    // round trip to a libSQL server: the answers of two searches can arrive out of order.
    let hold: Promise<void> | undefined;
    let readDone: () => void = () => {};
    class SlowStore extends MemoryStore {
      override async vectorsSince(scope: MemoryScope, revision: number) {
        const rows = await super.vectorsSince(scope, revision);
        const held = hold;
        if (held) {
          readDone();
          await held;
        }
        return rows;
      }
    }
    const slow = instance(db, maxBytes, new SlowStore(db));
    const { store, search } = slow;
    const scope = scopeOf(T1, 'avt_race', 'vis_race');
    const other = await store.insert(scope, memory('Unrelated', randomVector()), byVisitor);
    expect(await vectorIds(search, scope, randomVector())).toEqual([other.id]);

    const [before, after] = [randomVector(), randomVector()];
    const changed = await store.insert(scope, memory('Drinks coffee', before), byVisitor);
    let release: () => void = () => {};
    hold = new Promise((resolve) => (release = resolve));
    const read = new Promise<void>((resolve) => (readDone = resolve));
    const older = vectorIds(search, scope, before); // reads the coffee vector, answers late
    await read;
    hold = undefined;
    await store.update(
      scope,
      changed.id,
      { text: 'Drinks tea', searchText: 'Drinks tea', embedding: after, embeddingModel: 'random' },
      byVisitor,
    );
    const newer = vectorIds(search, scope, after); // reads the tea vector
    await Promise.race([newer, new Promise((resolve) => setTimeout(resolve, 200))]);
    release();
    await Promise.all([older, newer]);
    const hit = await nearest(slow, scope, after);
    expect(hit).toMatchObject({ id: changed.id, live: 2 });
    expect(hit.score).toBeCloseTo(1, 5);
  });

  it('stems with Porter, never crosses scopes by keyword, and re-indexes an updated text', async () => {
    const { store, search } = one;
    const mine = scopeOf(T1, 'avt_fts', 'vis_mine');
    const theirs = scopeOf(T1, 'avt_fts', 'vis_theirs');
    const research = await store.insert(mine, memory('Has been researching volcanoes in Iceland', null), byVisitor);
    const other = await store.insert(theirs, memory('Researches volcanoes for a living', null), byVisitor);
    expect(await keywordIds(search, mine, 'research')).toEqual([research.id]);
    expect(await keywordIds(search, mine, 'Volcano')).toEqual([research.id]);
    expect(await keywordIds(search, theirs, 'researched volcanoes')).toEqual([other.id]);
    expect(await store.keywordSearch([mine], ['research'], 10)).toEqual([
      { id: research.id, bm25: expect.any(Number) },
    ]);
    expect(await store.keywordSearch([mine, theirs], ['volcano'], 10)).toHaveLength(2);
    expect((await store.keywordSearch([theirs], ['researching'], 10)).map((hit) => hit.id)).toEqual([other.id]);

    const coffee = await store.insert(mine, memory('Likes coffee', null), byVisitor);
    expect(await keywordIds(search, mine, 'coffee')).toEqual([coffee.id]);
    await store.update(
      mine,
      coffee.id,
      { text: 'Now prefers tea', searchText: 'Now prefers tea', embedding: null, embeddingModel: null },
      byVisitor,
    );
    expect(await keywordIds(search, mine, 'coffee')).toEqual([]);
    expect(await keywordIds(search, mine, 'preferring tea')).toEqual([coffee.id]);
    // FTS5 itself (what search uses for scopes not kept in process) re-indexed it too.
    expect(await store.keywordSearch([mine], ['coffee'], 10)).toEqual([]);
    expect((await store.keywordSearch([mine], ['tea'], 10)).map((hit) => hit.id)).toEqual([coffee.id]);
    await store.retire(mine, coffee.id, byVisitor);
    expect(await keywordIds(search, mine, 'tea')).toEqual([]);
    await ftsIntact();
  });

  it('moves an anonymous visitor to a signed-in one: memories, preferences and both searches', async () => {
    const { store, search } = one;
    const anon = scopeOf(T1, 'avt_m1', 'vis_anon');
    const anonOther = scopeOf(T1, 'avt_m2', 'vis_anon');
    const user = scopeOf(T1, 'avt_m1', 'usr_signed');
    const vectors = [randomVector(), randomVector(), randomVector()];
    const garden = await store.insert(anon, memory('Grows tomatoes in the garden', vectors[0]!), byVisitor);
    const chess = await store.insert(anonOther, memory('Plays chess online', vectors[1]!), byVisitor);
    const own = await store.insert(user, memory('Signed in to order tomatoes seeds', vectors[2]!), byVisitor);
    await store.savePreferences(anon, { replyLength: 'short' }, [
      { field: 'replyLength', before: null, after: 'short', source: 'visitor', reason: 'asked for brevity' },
    ]);
    expect(await vectorIds(search, anon, vectors[0]!)).toEqual([garden.id]);
    expect(await vectorIds(search, user, vectors[2]!)).toEqual([own.id]);

    expect(await store.moveVisitor(T1, 'vis_anon', 'usr_signed')).toBe(2);
    expect(await store.list(anon)).toEqual([]);
    expect(await store.list(anonOther)).toEqual([]);
    expect(sorted((await store.list(user)).map((m) => m.id))).toEqual(sorted([garden.id, own.id]));
    expect((await store.list(scopeOf(T1, 'avt_m2', 'usr_signed'))).map((m) => m.id)).toEqual([chess.id]);
    expect(await vectorIds(search, anon, vectors[0]!)).toEqual([]);
    expect(await keywordIds(search, anon, 'tomatoes')).toEqual([]);
    expect(await vectorIds(search, user, vectors[0]!)).toEqual(sorted([garden.id, own.id]));
    expect(await keywordIds(search, user, 'tomatoes')).toEqual(sorted([garden.id, own.id]));
    expect((await store.state(user)).preferences).toEqual({ replyLength: 'short' });
    expect(await store.preferenceHistory(user)).toMatchObject([{ field: 'replyLength', after: '"short"' }]);
    expect(await store.preferenceHistory(anon)).toEqual([]);
    expect(await store.history(user, garden.id)).toMatchObject([
      { event: 'add', after: 'Grows tomatoes in the garden' },
    ]);
    expect(await store.history(anon, garden.id)).toBeNull();
    await ftsIntact();
  });

  it('ranks facts drawn from messages by their cosine among such facts, the rest among the rest', async () => {
    const { store, search } = one;
    const scope = scopeOf(T1, 'avt_groups', 'vis_groups');
    const query = randomVector();
    /** A unit vector at exactly `cos` from the query. */
    const near = (cos: number) => {
      const other = randomVector();
      let along = 0;
      for (let at = 0; at < DIMS; at++) along += other[at]! * query[at]!;
      const side = other.map((value, at) => value - along * query[at]!);
      const length = Math.hypot(...side);
      return side.map((value, at) => cos * query[at]! + (Math.sqrt(1 - cos * cos) * value) / length);
    };
    const extracted = (text: string, cos: number) =>
      store.insert(scope, memory(text, near(cos), { kind: 'fact', sourceMessageIds: [`msg_x${++messageNumber}`] }), {
        actor: 'extractor',
      });
    for (let at = 0; at < 20; at++) {
      await store.insert(scope, memory(`episode ${at}`, randomVector(), { kind: 'episode' }), byVisitor);
    }
    const episode = await store.insert(scope, memory('the episode', near(0.45), { kind: 'episode' }), byVisitor);
    // Short facts all sit close to a short question; the visitor's own note is primary, like an episode.
    const facts = [await extracted('fact a', 0.5), await extracted('fact b', 0.48), await extracted('fact c', 0.52)];
    const written = await store.insert(
      scope,
      memory('written by the visitor', near(0.5), { sourceMessageIds: [] }),
      byVisitor,
    );
    const hits = await search.search(
      scope,
      { text: '', vector: query },
      { k: 5, weights: { keyword: 0, importance: 0, recency: 0 } },
    );
    // By cosine alone "fact c" (0.52) would come first and the episode (0.45) last of these.
    expect(hits.slice(0, 3).map((hit) => hit.id)).toEqual([written.id, episode.id, facts[2]!.id]);
  });

  it('matches a day or month the message names against when each memory happened', async () => {
    const { store, search } = one;
    const scope = scopeOf(T1, 'avt_dates', 'vis_dates');
    const at = (iso: string) => ({ occurredAt: new Date(iso) });
    const april = await store.insert(scope, memory('Cooked a curry', null, at('2025-04-10T18:00:00Z')), byVisitor);
    const may = await store.insert(
      scope,
      memory('Cooked a big pot of vegetable soup for the whole family', null, at('2025-05-03T19:30:00Z')),
      byVisitor,
    );
    const ask = async (text: string, date?: number) =>
      (
        await search.search(
          scope,
          { text },
          {
            k: 5,
            weights: { vector: 0, importance: 0, recency: 0, ...(date === undefined ? {} : { date }) },
            now: Date.parse('2025-06-01T00:00:00Z'),
          },
        )
      ).map((hit) => hit.id);
    // By words alone the shorter text ranks first.
    expect(await ask('What did I cook on 3 May 2025?', 0)).toEqual([april.id, may.id]);
    for (const text of [
      'What did I cook on 3 May 2025?',
      'what did I cook on may 3rd?',
      'What did I cook on 2025-05-04?', // a day either side: the visitor's time zone is not UTC
      'What did I cook in May 2025?',
    ]) {
      expect(await ask(text)).toEqual([may.id, april.id]);
    }
    // A date that matches nothing, or no date, changes nothing; a date never brings in a memory.
    expect(await ask('What did I cook on 20 January 2025?')).toEqual([april.id, may.id]);
    expect(await ask('What happened on 3 May 2025?')).toEqual([]);
  });

  it('retires the episodes that quote a message and the facts drawn only from it', async () => {
    const { store } = one;
    const scope = scopeOf(T1, 'avt_src', 'vis_src');
    const insert = (text: string, kind: MemoryKind, sourceMessageIds: string[]) =>
      store.insert(scope, memory(text, null, { kind, sourceMessageIds }), { actor: 'extractor', reason: 'test' });
    const episode = await insert('Visitor: I adopted a parrot. Avatar: Lovely!', 'episode', ['msg_u1', 'msg_a1']);
    const onlyFromIt = await insert('Has a parrot', 'fact', ['msg_u1']);
    const alsoElsewhere = await insert('Likes parrots and other birds', 'fact', ['msg_u1', 'msg_u0']);
    const unrelated = await insert('Lives near a parrot sanctuary', 'fact', ['msg_u0']);
    const note = { actor: 'extractor', reason: 'Its message was written again' } as const;
    expect(await store.retireBySource(scope, ['msg_u1'], note)).toBe(2);
    expect(sorted((await store.list(scope)).map((m) => m.id))).toEqual(sorted([alsoElsewhere.id, unrelated.id]));
    expect(sorted((await store.keywordSearch([scope], ['parrot'], 10)).map((hit) => hit.id))).toEqual(
      sorted([alsoElsewhere.id, unrelated.id]),
    );
    expect((await store.history(scope, episode.id))!.at(-1)).toMatchObject({ event: 'delete', reason: note.reason });
    expect((await store.history(scope, onlyFromIt.id))!.at(-1)).toMatchObject({ event: 'delete' });
    expect(await store.retireBySource(scope, [], note)).toBe(0);
    expect(await store.retireBySource({ ...scope, visitorId: 'vis_else' }, ['msg_u0'], note)).toBe(0);
  });
});

describe('MemoryService with the real embedding model and the heuristic extractor', () => {
  let db: Database;
  let connect: () => Promise<Database>;
  let service: MemoryService;
  const services: MemoryService[] = [];
  const make = (on: Database) => {
    const made = new MemoryService({
      db: on,
      embeddings: () => loadSharedEmbeddingModel(),
      extractor: new HeuristicMemoryExtractor(),
      log: (message, error) => {
        throw new Error(`${message}: ${String(error)}`);
      },
    });
    services.push(made);
    return made;
  };
  beforeAll(async () => {
    ({ db, connect } = await freshDatabase());
    service = make(db);
    expect(await service.embeddingModel()).not.toBeNull();
  });
  afterAll(() => Promise.all(services.map((each) => each.idle())));

  let messageSeq = 0;
  const turn = (scope: MemoryScope, content: string): TurnToRemember => {
    messageSeq++;
    return {
      scope,
      user: {
        id: `msg_u${messageSeq}`,
        content,
        createdAt: new Date(Date.UTC(2025, 2, 4, 10, messageSeq)).toISOString(),
      },
      assistant: { id: `msg_a${messageSeq}`, content: 'Noted!' },
    };
  };

  it('remembers turns as episodes and updates the coffee fact when tea replaces it', async () => {
    const scope = scopeOf(T1, 'avt_e2e', 'vis_sam');
    const turns = ['My name is Sam', 'I love coffee', 'These days I prefer tea instead of coffee'].map((text) =>
      turn(scope, text),
    );
    for (const each of turns) await service.remember(each);

    const episodes = await service.store.list(scope, { kinds: ['episode'] });
    expect(episodes.map((e) => e.sourceMessageIds).reverse()).toEqual(turns.map((t) => [t.user.id, t.assistant!.id]));
    expect(episodes.at(-1)!.text).toBe('Visitor: My name is Sam\nAvatar: Noted!');

    const facts = await service.store.list(scope, { kinds: ['fact'] });
    // Said to the visitor, as the panel and the prompt show them; searched by a wording of the visitor.
    expect(facts.map((f) => f.text).reverse()).toEqual(['Your name is Sam.', 'You now prefer tea instead of coffee.']);
    expect(facts.map((f) => f.searchText).reverse()).toEqual([
      "The visitor's name is Sam.",
      'The visitor now prefers tea instead of coffee.',
    ]);
    const drink = facts.find((f) => f.text.includes('tea'))!;
    expect(drink.sourceMessageIds).toEqual([turns[1]!.user.id, turns[2]!.user.id]);
    expect(await service.history(scope, drink.id)).toMatchObject([
      {
        event: 'add',
        before: null,
        after: 'You love coffee.',
        actor: 'extractor',
        sourceMessageIds: [turns[1]!.user.id],
      },
      {
        event: 'update',
        before: 'You love coffee.',
        after: 'You now prefer tea instead of coffee.',
        sourceMessageIds: [turns[2]!.user.id],
      },
    ]);

    // The reply path finds it by meaning.
    const query = 'What should I drink this afternoon?';
    const { memories, paused } = await service.contextFor(
      scope,
      { text: query, vector: await service.embed(query) },
      { k: 3 },
    );
    expect(paused).toBe(false);
    expect(memories.map((m) => m.id)).toContain(drink.id);
  });

  it('puts a fact the visitor corrected into the context, even though the episode it came from ranks higher', async () => {
    const scope = scopeOf(T1, 'avt_e2e', 'vis_corrected');
    const said = turn(scope, 'I live in Berlin');
    await service.remember(said);
    const [fact] = await service.store.list(scope, { kinds: ['fact'] });
    expect(fact?.text).toBe('You live in Berlin.');
    const corrected = await service.update(scope, fact!.id, { text: 'You live in Munich now.' });
    // The visitor's word now: no longer one of the facts drawn from those messages, which stay in its history.
    expect(corrected?.sourceMessageIds).toEqual([]);
    expect((await service.history(scope, fact!.id))?.[0]).toMatchObject({
      event: 'add',
      sourceMessageIds: [said.user.id],
    });
    const query = 'Do you remember where I live? Berlin, right?';
    const { memories } = await service.contextFor(scope, { text: query, vector: await service.embed(query) }, { k: 3 });
    expect(memories.map((m) => m.text)).toContain('You live in Munich now.');
  });

  it('stores nothing and retrieves nothing while the visitor has paused memory', async () => {
    const scope = scopeOf(T1, 'avt_e2e', 'vis_paused');
    await service.remember(turn(scope, 'I live in Lisbon'));
    expect(await service.store.count(scope)).toBe(2);
    await service.setPaused(scope, true);
    await service.remember(turn(scope, 'I love surfing'));
    expect(await service.store.count(scope)).toBe(2);
    const query = { text: 'Where do I live?', vector: await service.embed('Where do I live?') };
    expect(await service.contextFor(scope, query, { k: 5 })).toEqual({
      memories: [],
      knowledge: [],
      preferences: null,
      paused: true,
    });
    expect(await service.retrieve(scope, query, { k: 5 })).toEqual([]);
    expect((await service.list(scope)).paused).toBe(true);
    await service.setPaused(scope, false);
    const { memories } = await service.contextFor(scope, query, { k: 5 });
    // The fact or the episode it came from (search keeps one memory per message).
    expect(memories.map((m) => m.text).join('\n')).toMatch(/lives? in Lisbon/);
  });

  it('forgetAll waits for the turns still queued, then erases everything', async () => {
    const scope = scopeOf(T1, 'avt_e2e', 'vis_forget');
    const pending = ['I love hiking', 'I have a dog called Rex', 'I work as a nurse'].map((text) =>
      service.remember(turn(scope, text)),
    );
    const erased = await service.forgetAll(scope);
    expect(erased).toBe(6); // three episodes and three facts
    await Promise.all(pending);
    expect((await service.list(scope)).memories).toEqual([]);
    const query = { text: 'dog hiking nurse', vector: await service.embed('dog hiking nurse') };
    expect((await service.contextFor(scope, query, { k: 5 })).memories).toEqual([]);
  });

  it('shows one instance’s writes, edits and deletions in another instance’s next search', async () => {
    const other = make(await connect());
    const scope = scopeOf(T1, 'avt_e2e', 'vis_multi');
    const ask = async (on: MemoryService, text: string) =>
      (await on.search(scope, { text, vector: await on.embed(text) }, { k: 3, weights: { keyword: 0 } })).map(
        (m) => m.text,
      );
    const created = await service.create(scope, { text: 'Keeps honeybees on the roof', category: 'other' });
    expect(await ask(other, 'beekeeping hobby')).toEqual(['Keeps honeybees on the roof']);
    await service.update(scope, created.id, { text: 'Gave the beehives away and took up pottery' });
    expect((await ask(other, 'ceramics and clay'))[0]).toBe('Gave the beehives away and took up pottery');
    expect(await service.delete(scope, created.id)).toBe(true);
    expect(await ask(other, 'ceramics and clay')).toEqual([]);
  });

  it('lets a new visitor read tenant knowledge by keyword when no embedding model is loaded', async () => {
    const keywordsOnly = new MemoryService({ db, embeddings: async () => null });
    await keywordsOnly.store.insert(scopeOf(T2, '', ''), memory('Returns are free within 30 days', null), byVisitor);
    const { memories, knowledge } = await keywordsOnly.contextFor(
      scopeOf(T2, 'avt_e2e', 'vis_brand_new'),
      { text: 'Are returns free?' },
      { k: 3 },
    );
    expect(knowledge.map((m) => m.text)).toEqual(['Returns are free within 30 days']);
    expect(memories).toEqual([]);
  });
});

describe('MemoryService when the embedding model fails', () => {
  it('still remembers the turn and finds it by keyword, and says why in the log', async () => {
    const { db } = await freshDatabase();
    const logged: string[] = [];
    const broken = {
      id: 'broken',
      dimensions: DIMS,
      embed: () => Promise.reject(new Error('the ONNX session is gone')),
      close: () => Promise.resolve(),
    };
    const service = new MemoryService({
      db,
      embeddings: () => Promise.resolve(broken),
      extractor: new HeuristicMemoryExtractor(),
      log: (message) => logged.push(message),
    });
    const scope = scopeOf(T1, 'avt_broken', 'vis_broken');
    expect(await service.embed('anything')).toBeNull();
    await service.remember({
      scope,
      user: {
        id: 'msg_b1',
        content: 'I restore vintage motorcycles on weekends.',
        createdAt: new Date().toISOString(),
      },
      assistant: { id: 'msg_b2', content: 'That sounds like a rewarding hobby!' },
    });
    const { memories } = await service.contextFor(scope, { text: 'motorcycles', vector: null }, { k: 5 });
    expect(memories.map((m) => m.kind)).toContain('episode');
    expect(memories[0]!.sourceMessageIds).toEqual(['msg_b1', 'msg_b2']);
    expect(logged.some((line) => line.startsWith('Embedding a text failed'))).toBe(true);
  });
});
