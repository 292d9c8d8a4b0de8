import type { Client, Transaction } from '@libsql/client';
import { and, eq, isNull, or } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { quotas, tenants } from '../db/schema.js';
import { newId } from '../ids.js';
import { periodWindow, type QuotaPeriod } from './periods.js';

export type QuotaRow = typeof quotas.$inferSelect;
export type QuotaMetric = QuotaRow['metric'];

export interface QuotaSubject {
  tenantId: string;
  avatarId: string;
  visitorId: string;
}

export type Admission = { admitted: true } | { admitted: false; quota: QuotaRow; used: number; resetsAt: Date };

export interface NewQuota {
  tenantId: string;
  avatarId?: string | null;
  scope: QuotaRow['scope'];
  metric: QuotaMetric;
  period: QuotaPeriod;
  limit: number;
  onExceeded?: QuotaRow['onExceeded'];
}

function subjectOf(quota: QuotaRow, who: QuotaSubject): string {
  return quota.scope === 'tenant' ? who.tenantId : quota.scope === 'avatar' ? who.avatarId : who.visitorId;
}

/**
 * Budgets per tenant, avatar and visitor. Admission of a message is one write transaction that
 * counts it against every message quota at once and checks the token and cost quotas; SQLite's
 * single writer (across processes sharing the file, or on a libSQL server) makes N parallel
 * requests at the boundary admit exactly the limit.
 */
export class QuotaService {
  readonly #client: Client;

  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#client = db.$client;
  }

  async create(input: NewQuota): Promise<QuotaRow> {
    const [row] = await this.db
      .insert(quotas)
      .values({
        id: newId('quota'),
        ...input,
        avatarId: input.avatarId ?? null,
        onExceeded: input.onExceeded ?? 'refuse',
      })
      .returning();
    return row!;
  }

  async applicable(who: QuotaSubject): Promise<QuotaRow[]> {
    return this.db
      .select()
      .from(quotas)
      .where(and(eq(quotas.tenantId, who.tenantId), or(isNull(quotas.avatarId), eq(quotas.avatarId, who.avatarId))));
  }

  async #timeZone(tenantId: string): Promise<string> {
    const tenant = await this.db.query.tenants.findFirst({
      columns: { timeZone: true },
      where: eq(tenants.id, tenantId),
    });
    return tenant?.timeZone ?? 'UTC';
  }

  /** Counts one message against every applicable quota, or refuses without counting anything. */
  async admitMessage(who: QuotaSubject): Promise<Admission> {
    const list = await this.applicable(who);
    if (list.length === 0) return { admitted: true };
    const timeZone = await this.#timeZone(who.tenantId);
    const now = this.now();
    // One admission at a time in this process; other processes are waited out on SQLITE_BUSY.
    const run = this.#queue.then(() => withBusyRetry(() => this.#admit(list, who, timeZone, now)));
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  #queue: Promise<void> = Promise.resolve();

  async #admit(list: QuotaRow[], who: QuotaSubject, timeZone: string, now: Date): Promise<Admission> {
    const tx = await this.#client.transaction('write');
    try {
      for (const quota of list) {
        const window = periodWindow(quota.period, timeZone, now);
        const subject = subjectOf(quota, who);
        const refusal =
          quota.metric === 'messages'
            ? await this.#countOne(tx, quota, subject, window.key)
            : await this.#check(tx, quota, subject, window.key);
        if (refusal !== undefined) {
          await tx.rollback();
          return { admitted: false, quota, used: refusal, resetsAt: window.resetsAt };
        }
      }
      await tx.commit();
      return { admitted: true };
    } finally {
      tx.close();
    }
  }

  /** Adds what a reply used (tokens, micro-USD) to the token and cost quotas. */
  async record(who: QuotaSubject, usage: { tokens: number; costMicroUsd: number }): Promise<void> {
    const list = (await this.applicable(who)).filter((q) => q.metric !== 'messages');
    if (list.length === 0) return;
    const timeZone = await this.#timeZone(who.tenantId);
    const now = this.now();
    await withBusyRetry(() =>
      this.#client.batch(
        list.map((quota) => ({
          sql: `INSERT INTO quota_usage (quota_id, subject, period, used) VALUES (?, ?, ?, ?)
              ON CONFLICT (quota_id, subject, period) DO UPDATE SET used = used + excluded.used`,
          args: [
            quota.id,
            subjectOf(quota, who),
            periodWindow(quota.period, timeZone, now).key,
            quota.metric === 'tokens' ? usage.tokens : usage.costMicroUsd,
          ],
        })),
        'write',
      ),
    );
  }

  /** Current use of each applicable quota, for headers and the admin API. */
  async usage(who: QuotaSubject): Promise<Array<{ quota: QuotaRow; used: number; resetsAt: Date }>> {
    const list = await this.applicable(who);
    const timeZone = await this.#timeZone(who.tenantId);
    const now = this.now();
    return Promise.all(
      list.map(async (quota) => {
        const window = periodWindow(quota.period, timeZone, now);
        const result = await this.#client.execute({
          sql: 'SELECT used FROM quota_usage WHERE quota_id = ? AND subject = ? AND period = ?',
          args: [quota.id, subjectOf(quota, who), window.key],
        });
        return { quota, used: Number(result.rows[0]?.['used'] ?? 0), resetsAt: window.resetsAt };
      }),
    );
  }

  /** +1 unless at the limit; returns the use that refused it, or undefined when counted. */
  async #countOne(tx: Transaction, quota: QuotaRow, subject: string, period: string): Promise<number | undefined> {
    const result = await tx.execute({
      sql: `INSERT INTO quota_usage (quota_id, subject, period, used)
            SELECT :quota, :subject, :period, 1 WHERE :limit > 0
            ON CONFLICT (quota_id, subject, period) DO UPDATE SET used = used + 1 WHERE used < :limit
            RETURNING used`,
      args: { quota: quota.id, subject, period, limit: quota.limit },
    });
    return result.rows.length > 0 ? undefined : quota.limit;
  }

  async #check(tx: Transaction, quota: QuotaRow, subject: string, period: string): Promise<number | undefined> {
    const result = await tx.execute({
      sql: 'SELECT used FROM quota_usage WHERE quota_id = ? AND subject = ? AND period = ?',
      args: [quota.id, subject, period],
    });
    const used = Number(result.rows[0]?.['used'] ?? 0);
    return used >= quota.limit ? used : undefined;
  }
}

/**
 * A write transaction on a file opens its own connection, without the main connection's busy
 * timeout: wait out another process's write lock here, with jitter, for up to `deadlineMs`.
 */
async function withBusyRetry<T>(run: () => Promise<T>, deadlineMs = 10_000): Promise<T> {
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const busy = (error as { code?: string }).code === 'SQLITE_BUSY';
      if (!busy || performance.now() - started > deadlineMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 + attempt) * (0.5 + Math.random())));
    }
  }
}
