import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { CachedRateLimitStore, type CachedRateLimitOptions } from '../src/limits/cached-rate-limit-store.js';
import { LibsqlRateLimitStore } from '../src/limits/libsql-rate-limit-store.js';
import { RedisRateLimitStore } from '../src/limits/redis-rate-limit-store.js';
import type { RateLimitStore } from '../src/limits/rate-limit-store.js';

// In-process buckets over each shared store: a real libSQL file and Redis on 127.0.0.1:6379
// (REDIS_URL elsewhere). Each shared store is reached through its own client, like instances.
type Shared = RateLimitStore & Required<Pick<RateLimitStore, 'settle'>>;
const backings: Array<[string, () => Promise<() => Promise<Shared>>]> = [
  [
    'libsql',
    async () => {
      const url = `file:${join(mkdtempSync(join(tmpdir(), 'vibhava-crl-')), 'rl.db')}`;
      return async () => new LibsqlRateLimitStore((await openDatabase({ url })).$client);
    },
  ],
  [
    'redis',
    async () => {
      const keyPrefix = `test:${randomUUID()}:`;
      return async () =>
        new RedisRateLimitStore({ url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', keyPrefix });
    },
  ],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(backings)('cached rate-limit store over %s', (_name, backing) => {
  const opened: RateLimitStore[] = [];
  const connect = backing();
  const shared = async () => {
    const store = await (await connect)();
    opened.push(store);
    return store;
  };
  /** An "instance": its own in-process buckets over its own connection (closed with it). */
  const instance = async (options: CachedRateLimitOptions = {}) => {
    const store = new CachedRateLimitStore(await (await connect)(), options);
    opened.push(store);
    return store;
  };
  afterAll(async () => {
    for (const store of opened.reverse()) await store.close?.();
  });
  const policy = { capacity: 5, refillPerSecond: 1 };
  const slow = { capacity: 10, refillPerSecond: 0.001 };

  it('decides like the shared stores: capacity, refusal with retry time, continuous refill', async () => {
    const store = await instance();
    const now = 1_000_000;
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await store.take('k', policy, { now }));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
    expect(results[5]).toMatchObject({ retryAfterMs: 1000, resetMs: 5000 });
    expect((await store.take('k', policy, { now: now + 999 })).allowed).toBe(false);
    expect(await store.take('k', policy, { now: now + 2_500 })).toMatchObject({ allowed: true, remaining: 1 });
    expect(await store.take('k', policy, { now: now + 60_000 })).toMatchObject({ allowed: true, remaining: 4 });
  });

  it('admits exactly the capacity to concurrent takes in one process', async () => {
    const store = await instance();
    const big = { capacity: 25, refillPerSecond: 0.001 };
    const results = await Promise.all(Array.from({ length: 80 }, () => store.take('c', big)));
    expect(results.filter((r) => r.allowed)).toHaveLength(25);
  });

  it('reports what it admitted to the shared store, where another instance sees it', async () => {
    const first = await instance({ syncMs: 60_000 });
    for (let i = 0; i < 4; i++) expect((await first.take('r', slow)).allowed).toBe(true);
    await first.flush();
    // A bucket new to this instance is taken in the shared store, exactly: 6 left, not 10.
    const second = await instance({ syncMs: 60_000 });
    const results = await Promise.all(Array.from({ length: 8 }, () => second.take('r', slow)));
    expect(results.filter((r) => r.allowed)).toHaveLength(6);
    // close() reports what is still pending.
    await second.close();
    expect((await (await shared()).take('r', slow)).allowed).toBe(false);
  });

  it('brings back other instances’ takes within a sync, and owes what a race over-admitted', async () => {
    const a = await instance({ syncMs: 20 });
    const b = await instance({ syncMs: 20 });
    expect((await a.take('d', slow)).allowed).toBe(true);
    expect((await b.take('d', slow)).allowed).toBe(true);
    // Both now decide in memory; each admits what it believes is left before they sync.
    const admitted = (await Promise.all([...Array(10)].flatMap(() => [a.take('d', slow), b.take('d', slow)]))).filter(
      (r) => r.allowed,
    ).length;
    expect(admitted).toBeGreaterThanOrEqual(8);
    expect(admitted).toBeLessThanOrEqual(18);
    await sleep(300);
    // After a few syncs both see the shared level, in debt if they over-admitted: no more tokens.
    expect((await a.take('d', slow)).allowed).toBe(false);
    expect((await b.take('d', slow)).allowed).toBe(false);
  });

  it('takes an idle bucket from the shared store again', async () => {
    const store = await instance({ syncMs: 10, maxStaleMs: 30 });
    expect(await store.take('i', slow)).toMatchObject({ allowed: true, remaining: 9 });
    await store.flush();
    // Meanwhile, elsewhere: 7 more tokens go.
    const elsewhere = await shared();
    for (let i = 0; i < 7; i++) await elsewhere.take('i', slow);
    await sleep(80);
    expect(await store.take('i', slow)).toMatchObject({ allowed: true, remaining: 1 });
  });
});
