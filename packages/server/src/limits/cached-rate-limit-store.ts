import type { RateLimitStore, TakeResult, TokenBucketPolicy } from './rate-limit-store.js';
import { refilled, takeResult } from './token-bucket.js';

export interface CachedRateLimitOptions {
  /** How often the buckets in use are reconciled with the shared store. Default 100 ms. */
  syncMs?: number;
  /**
   * A bucket not reconciled for this long (it sat idle) is taken from the shared store again on
   * its next use, exactly: the most out of date a decision made here can be. Default 1 s.
   */
  maxStaleMs?: number;
  /** Buckets idle this long leave memory. Default 60 s. */
  evictAfterMs?: number;
  log?: (message: string, error: unknown) => void;
  /** Wall clock for staleness and eviction (bucket arithmetic uses each take's `now`). */
  clock?: () => number;
}

interface Bucket {
  policy: TokenBucketPolicy;
  /** The level at `updatedAt`, as this process knows it. */
  tokens: number;
  updatedAt: number;
  /** Tokens admitted here and not yet reported to the shared store. */
  pending: number;
  /** Wall times: the level last came from the shared store; the bucket was last used. */
  syncedAt: number;
  usedAt: number;
  /** A first (or stale) take going to the shared store; other takes wait for it. */
  loading: Promise<unknown> | undefined;
  settling: Promise<void> | undefined;
}

/** A store whose buckets can be reconciled (`settle`). Both the libSQL and the Redis store can. */
export type SettlingRateLimitStore = RateLimitStore & Required<Pick<RateLimitStore, 'settle'>>;

/**
 * Token buckets computed in-process, with the shared state in a `RateLimitStore` (libSQL by
 * default, Redis with `REDIS_URL`). A bucket's first take, and any take after it went
 * unreconciled for `maxStaleMs`, goes to the shared store and is exact; otherwise takes are
 * decided in memory, and every `syncMs` the buckets used since are reconciled in the background
 * (`settle`): what was admitted here is reported and what other instances took comes back.
 *
 * Bounded staleness: within one process admission is exact. With several instances, a decision
 * here misses at most the last `maxStaleMs` (busy buckets: `syncMs` plus a store round trip) of
 * the others' takes, so a burst can be over-admitted by what they admit in that window; the
 * overshoot is then owed (the shared bucket goes below zero, down to minus its capacity), so
 * the rate over a window stays the configured one. Budgets (quotas) are not rate limits: they
 * stay exact (`QuotaService`).
 */
export class CachedRateLimitStore implements RateLimitStore {
  readonly name: string;
  readonly #buckets = new Map<string, Bucket>();
  /** Buckets used since their last reconciliation: the only ones a sync looks at. */
  readonly #dirty = new Set<string>();
  #sweptAt = 0;
  readonly #timer: NodeJS.Timeout;
  readonly #syncMs: number;
  readonly #maxStaleMs: number;
  readonly #evictAfterMs: number;
  readonly #clock: () => number;
  #closing: Promise<void> | undefined;

  constructor(
    private readonly shared: SettlingRateLimitStore,
    private readonly options: CachedRateLimitOptions = {},
  ) {
    this.name = shared.name;
    this.#syncMs = options.syncMs ?? 100;
    this.#maxStaleMs = Math.max(options.maxStaleMs ?? 1000, this.#syncMs);
    this.#evictAfterMs = options.evictAfterMs ?? 60_000;
    this.#clock = options.clock ?? (() => performance.now());
    this.#timer = setInterval(() => this.#sync(), this.#syncMs);
    this.#timer.unref();
  }

  async take(
    key: string,
    policy: TokenBucketPolicy,
    options: { cost?: number; now?: number } = {},
  ): Promise<TakeResult> {
    const cost = options.cost ?? 1;
    const now = options.now ?? Date.now();
    let bucket = this.#buckets.get(key);
    while (bucket?.loading) {
      await bucket.loading.catch(() => {});
      bucket = this.#buckets.get(key);
    }
    const wall = this.#clock();
    if (bucket && wall - bucket.syncedAt <= this.#maxStaleMs) {
      this.#dirty.add(key);
      return this.#takeHere(bucket, policy, cost, now, wall);
    }
    return this.#takeShared(key, bucket, policy, cost, now);
  }

  /** Decides in memory, the same arithmetic as the stores' atomic step. */
  #takeHere(bucket: Bucket, policy: TokenBucketPolicy, cost: number, now: number, wall: number): TakeResult {
    const level = refilled(policy, bucket.tokens, bucket.updatedAt, now);
    const allowed = level >= cost;
    bucket.policy = policy;
    bucket.tokens = allowed ? level - cost : level;
    bucket.updatedAt = Math.max(bucket.updatedAt, now);
    bucket.usedAt = wall;
    if (allowed) bucket.pending += cost;
    return takeResult(policy, bucket.tokens, allowed, cost);
  }

  /** A first or stale take: exact, in the shared store, after reporting what is pending. */
  async #takeShared(
    key: string,
    existing: Bucket | undefined,
    policy: TokenBucketPolicy,
    cost: number,
    now: number,
  ): Promise<TakeResult> {
    const bucket: Bucket = existing ?? {
      policy,
      tokens: policy.capacity,
      updatedAt: now,
      pending: 0,
      syncedAt: -Infinity,
      usedAt: this.#clock(),
      loading: undefined,
      settling: undefined,
    };
    this.#buckets.set(key, bucket);
    const loading = (async () => {
      await bucket.settling;
      if (bucket.pending > 0) await this.#settle(key, bucket);
      const startedAt = this.#clock();
      const result = await this.shared.take(key, policy, { cost, now });
      Object.assign(bucket, { policy, tokens: result.level, updatedAt: now, syncedAt: startedAt, usedAt: startedAt });
      return result;
    })();
    bucket.loading = loading;
    try {
      return await loading;
    } catch (error) {
      if (this.#buckets.get(key) === bucket && bucket.pending === 0) this.#buckets.delete(key);
      throw error;
    } finally {
      bucket.loading = undefined;
    }
  }

  /** Reports a bucket's admitted tokens and takes back the shared level (with others' takes in it). */
  #settle(key: string, bucket: Bucket): Promise<void> {
    const consumed = bucket.pending;
    const at = bucket.updatedAt;
    const startedAt = this.#clock();
    bucket.pending = 0;
    const settling: Promise<void> = this.shared
      .settle(key, bucket.policy, { consumed, now: at })
      .then(
        (level) => {
          // Takes made here meanwhile are in `pending` again: keep them out of the fresh level.
          bucket.tokens = refilled(bucket.policy, level, at, bucket.updatedAt) - bucket.pending;
          bucket.syncedAt = startedAt;
        },
        (error: unknown) => {
          bucket.pending += consumed;
          this.options.log?.('Reconciling a rate-limit bucket with the shared store failed; will retry', error);
        },
      )
      .finally(() => {
        if (bucket.settling === settling) bucket.settling = undefined;
      });
    bucket.settling = settling;
    return settling;
  }

  /**
   * Every `syncMs`: reconcile the buckets used since their last reconciliation (at most once per
   * `syncMs` each, sooner when they admitted something); now and then, drop idle ones.
   */
  #sync(): Promise<void> {
    const wall = this.#clock();
    const work: Array<Promise<void>> = [];
    for (const key of this.#dirty) {
      const bucket = this.#buckets.get(key);
      if (!bucket) {
        this.#dirty.delete(key);
      } else if (
        !bucket.loading &&
        !bucket.settling &&
        (bucket.pending > 0 || wall - bucket.syncedAt >= this.#syncMs)
      ) {
        this.#dirty.delete(key);
        work.push(this.#settle(key, bucket));
      }
    }
    if (wall - this.#sweptAt >= this.#evictAfterMs / 4) {
      this.#sweptAt = wall;
      for (const [key, bucket] of this.#buckets) {
        const idle = !bucket.loading && !bucket.settling && bucket.pending === 0 && !this.#dirty.has(key);
        if (idle && wall - bucket.usedAt > this.#evictAfterMs) this.#buckets.delete(key);
      }
    }
    return Promise.all(work).then(() => {});
  }

  /** Reports everything still pending (waiting for reconciliations in flight). */
  async flush(): Promise<void> {
    for (const [key, bucket] of this.#buckets) {
      await bucket.loading?.catch(() => {});
      await bucket.settling;
      if (bucket.pending > 0) await this.#settle(key, bucket);
    }
  }

  health(): Promise<{ ok: boolean; detail?: string }> {
    return this.shared.health?.() ?? Promise.resolve({ ok: true });
  }

  /** Reports what is pending and closes the shared store (once). */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      await this.flush();
      await this.shared.close?.();
    })();
    return this.#closing;
  }
}
