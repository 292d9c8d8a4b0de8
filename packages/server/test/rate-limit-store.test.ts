import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { LibsqlRateLimitStore } from '../src/limits/libsql-rate-limit-store.js';
import type { RateLimitStore } from '../src/limits/rate-limit-store.js';
import { RedisRateLimitStore } from '../src/limits/redis-rate-limit-store.js';

// One contract, every store: the libSQL file store and Redis (running on 127.0.0.1:6379 on these
// machines; set REDIS_URL to point elsewhere). A missing Redis fails the suite, it is not skipped.
/** Each entry opens a backing store and returns a way to connect clients to it. */
const stores: Array<[string, () => Promise<() => Promise<RateLimitStore>>]> = [
  [
    'libsql',
    async () => {
      const url = `file:${join(mkdtempSync(join(tmpdir(), 'vibhava-rl-')), 'rl.db')}`;
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

describe.each(stores)('rate-limit store contract: %s', (_name, backing) => {
  const opened: RateLimitStore[] = [];
  const connect = backing();
  const open = async () => {
    const store = await (await connect)();
    opened.push(store);
    return store;
  };
  afterAll(async () => {
    for (const store of opened) await store.close?.();
  });
  const policy = { capacity: 5, refillPerSecond: 1 };

  it('admits up to the capacity, then refuses with the time until a token is back', async () => {
    const store = await open();
    const now = 1_000_000;
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await store.take('k', policy, { now }));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
    expect(results[5]!.retryAfterMs).toBe(1000);
    expect(results[5]!.resetMs).toBe(5000);
  });

  it('refills continuously and never above the capacity', async () => {
    const store = await open();
    const now = 2_000_000;
    for (let i = 0; i < 5; i++) await store.take('r', policy, { now });
    expect((await store.take('r', policy, { now: now + 999 })).allowed).toBe(false);
    const later = await store.take('r', policy, { now: now + 2_500 });
    // 0.999 tokens after the refused take, + 1.501 refilled = 2.5, minus the one taken.
    expect(later).toMatchObject({ allowed: true, remaining: 1 });
    const much_later = await store.take('r', policy, { now: now + 60_000 });
    expect(much_later).toMatchObject({ allowed: true, remaining: 4 });
  });

  it('charges a cost and keeps keys apart', async () => {
    const store = await open();
    const now = 3_000_000;
    expect(await store.take('a', policy, { now, cost: 4 })).toMatchObject({ allowed: true, remaining: 1 });
    expect(await store.take('a', policy, { now, cost: 2 })).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    expect(await store.take('b', policy, { now, cost: 5 })).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('settles tokens admitted elsewhere: refills, subtracts whatever the level, floors at minus the capacity', async () => {
    const store = await open();
    const now = 5_000_000;
    // A bucket seen for the first time starts full.
    expect(await store.settle!('s', policy, { consumed: 2, now })).toBe(3);
    expect(await store.settle!('s', policy, { consumed: 0, now: now + 1_000 })).toBe(4);
    // Into debt: takes are refused until it has refilled past the cost.
    expect(await store.settle!('s', policy, { consumed: 7, now: now + 1_000 })).toBe(-3);
    expect((await store.take('s', policy, { now: now + 3_500 })).allowed).toBe(false);
    expect(await store.take('s', policy, { now: now + 5_000 })).toMatchObject({ allowed: true, level: 0 });
    expect(await store.settle!('s', policy, { consumed: 100, now: now + 5_000 })).toBe(-5);
  });

  it('admits exactly the capacity under concurrent takes from two clients', async () => {
    const first = await open();
    const second = await open();
    const now = 4_000_000;
    const big = { capacity: 25, refillPerSecond: 0.001 };
    const results = await Promise.all(
      Array.from({ length: 80 }, (_, i) => (i % 2 ? first : second).take('c', big, { now })),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(25);
  });
});
