import { and, eq, isNull, or } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { sqlRunner, type SqlRow, type SqlRunner } from '../db/sql-runner.js';
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

export type Admission =
  /** `degradeTo`: a budget passed its soft limit; answer with this (cheaper) model instead. */
  { admitted: true; degradeTo?: string } | { admitted: false; quota: QuotaRow; used: number; resetsAt: Date };

export interface NewQuota {
  tenantId: string;
  avatarId?: string | null;
  scope: QuotaRow['scope'];
  metric: QuotaMetric;
  period: QuotaPeriod;
  limit: number;
  onExceeded?: QuotaRow['onExceeded'];
  softLimitPercent?: number | null | undefined;
  softLimitModel?: string | null | undefined;
}

const settingsCache = new WeakMap<
  Database,
  Map<string, { at: number; value: Promise<{ quotas: QuotaRow[]; timeZone: string }> }>
>();

/** A budget's share kept free for a clear forecast: 5 % of its limit (at least 2). */
const FORECAST_MARGIN = 0.05;
/** Budget windows remembered for forecasts before the memory starts again. */
const MAX_SEEN = 100_000;

interface AdmissionRow {
  quota: QuotaRow;
  subject: string;
  window: { key: string; resetsAt: Date };
}

const seenKey = (row: { quota: QuotaRow; subject: string; window: { key: string } }) =>
  `${row.quota.id}|${row.subject}|${row.window.key}`;

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
  /** Prepared once per statement shape on a local file. */
  readonly #sql: SqlRunner;
  /** The last use this process saw of each budget window (`quota|subject|period` → used). */
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#sql = sqlRunner(db.$client);
  }

  async create(input: NewQuota): Promise<QuotaRow> {
    QuotaService.invalidate(this.db, input.tenantId);
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

  /**
   * A tenant's quotas and time zone, read at most once a second per tenant: every message needs
   * them twice, and a changed quota takes effect within a second.
   */
  /** The tenant's IANA time zone (cached with its budget settings). */
  async tenantTimeZone(tenantId: string): Promise<string> {
    return (await this.#tenantSettings(tenantId)).timeZone;
  }

  #tenantSettings(tenantId: string): Promise<{ quotas: QuotaRow[]; timeZone: string }> {
    let cache = settingsCache.get(this.db);
    if (!cache) settingsCache.set(this.db, (cache = new Map()));
    const settings = cache;
    const cached = settings.get(tenantId);
    if (cached && performance.now() - cached.at < 1000) return cached.value;
    const value = Promise.all([
      this.db.select().from(quotas).where(eq(quotas.tenantId, tenantId)),
      this.db.query.tenants.findFirst({ columns: { timeZone: true }, where: eq(tenants.id, tenantId) }),
    ]).then(([rows, tenant]) => ({ quotas: rows, timeZone: tenant?.timeZone ?? 'UTC' }));
    settings.set(tenantId, { at: performance.now(), value });
    value.catch(() => settings.delete(tenantId));
    return value;
  }

  /** Forget a tenant's cached quotas and time zone in this process (after a change). */
  static invalidate(db: Database, tenantId: string): void {
    settingsCache.get(db)?.delete(tenantId);
  }

  async #cachedApplicable(who: QuotaSubject): Promise<{ list: QuotaRow[]; timeZone: string }> {
    const settings = await this.#tenantSettings(who.tenantId);
    return {
      list: settings.quotas.filter((q) => q.avatarId === null || q.avatarId === who.avatarId),
      timeZone: settings.timeZone,
    };
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

  /**
   * Counts one message against every message quota and checks the token and cost quotas, in one
   * SQL statement: it inserts or increments the message counters only when no quota is used up,
   * so it is atomic without an interactive transaction (and waits out other processes' writes
   * through the connection's busy timeout).
   */
  async admitMessage(who: QuotaSubject): Promise<Admission> {
    return (await this.prepareAdmission(who)).admit();
  }

  /**
   * A message's admission, prepared: `clear` says whether every budget it counts against was, when
   * this process last saw it, far enough from its limit (and soft limit) that admission is all but
   * certain, so the model may be asked while `admit()` (still exact) runs. Another instance
   * spending fast can make a clear forecast wrong; `admit()` then refuses as always.
   */
  async prepareAdmission(who: QuotaSubject): Promise<{ clear: boolean; admit: () => Promise<Admission> }> {
    const { list, timeZone } = await this.#cachedApplicable(who);
    if (list.length === 0) return { clear: true, admit: () => Promise.resolve({ admitted: true }) };
    const now = this.now();
    const rows = list.map((quota) => ({
      quota,
      subject: subjectOf(quota, who),
      window: periodWindow(quota.period, timeZone, now),
    }));
    const clear = rows.every((row) => {
      const used = this.#seen.get(seenKey(row));
      if (used === undefined) return false;
      const { limit, softLimitPercent, softLimitModel } = row.quota;
      const ceiling = softLimitPercent && softLimitModel ? (limit * softLimitPercent) / 100 : limit;
      return used + Math.max(2, limit * FORECAST_MARGIN) < ceiling;
    });
    return { clear, admit: () => this.#admit(rows) };
  }

  async #admit(rows: AdmissionRow[]): Promise<Admission> {
    const values = rows.map(() => '(?, ?, ?, ?, ?)').join(', ');
    const args = rows.flatMap((r) => [
      r.quota.id,
      r.subject,
      r.window.key,
      r.quota.limit,
      r.quota.metric === 'messages' ? 1 : 0,
    ]);
    const counting = rows.some((r) => r.quota.metric === 'messages');
    if (counting) {
      const admitted = await this.#sql.all(
        `WITH wanted (quota_id, subject, period, lim, counts) AS (VALUES ${values})
              INSERT INTO quota_usage (quota_id, subject, period, used)
              SELECT quota_id, subject, period, 1 FROM wanted
              WHERE counts = 1 AND NOT EXISTS (
                SELECT 1 FROM wanted AS w
                LEFT JOIN quota_usage AS u ON u.quota_id = w.quota_id AND u.subject = w.subject AND u.period = w.period
                WHERE coalesce(u.used, 0) >= w.lim
              )
              ON CONFLICT (quota_id, subject, period) DO UPDATE SET used = used + 1
              RETURNING quota_id, subject, period, used`,
        args,
      );
      for (const row of admitted) this.#see(row);
      if (admitted.length > 0) return this.#softLimits(rows);
    }
    // Refused (or only token and cost quotas): find the quota that is used up.
    for (const row of rows) {
      const used = await this.#used(row);
      if (used >= row.quota.limit) return { admitted: false, quota: row.quota, used, resetsAt: row.window.resetsAt };
    }
    return this.#softLimits(rows);
  }

  async #used(row: { quota: QuotaRow; subject: string; window: { key: string } }): Promise<number> {
    const [found] = await this.#sql.all(
      'SELECT used FROM quota_usage WHERE quota_id = ? AND subject = ? AND period = ?',
      [row.quota.id, row.subject, row.window.key],
    );
    const used = Number(found?.['used'] ?? 0);
    this.#seen.set(seenKey(row), used);
    return used;
  }

  /** Remembers a budget window's use as a write returned it (for `prepareAdmission`'s forecast). */
  #see(row: SqlRow): void {
    if (this.#seen.size >= MAX_SEEN) this.#seen.clear();
    this.#seen.set(
      `${String(row['quota_id'])}|${String(row['subject'])}|${String(row['period'])}`,
      Number(row['used']),
    );
  }

  /** The degrade step: the first budget past its soft limit names the model to answer with. */
  async #softLimits(rows: AdmissionRow[]): Promise<Admission> {
    for (const row of rows) {
      const { softLimitPercent, softLimitModel, limit } = row.quota;
      if (!softLimitPercent || !softLimitModel) continue;
      if ((await this.#used(row)) >= (limit * softLimitPercent) / 100)
        return { admitted: true, degradeTo: softLimitModel };
    }
    return { admitted: true };
  }

  /** Adds what a reply used (tokens, micro-USD) to the token and cost quotas. */
  async record(who: QuotaSubject, usage: { tokens: number; costMicroUsd: number }): Promise<void> {
    const settings = await this.#cachedApplicable(who);
    const list = settings.list.filter((q) => q.metric !== 'messages');
    if (list.length === 0) return;
    const timeZone = settings.timeZone;
    const now = this.now();
    const results = await withBusyRetry(() =>
      this.#sql.write(
        list.map((quota) => ({
          sql: `INSERT INTO quota_usage (quota_id, subject, period, used) VALUES (?, ?, ?, ?)
              ON CONFLICT (quota_id, subject, period) DO UPDATE SET used = used + excluded.used
              RETURNING quota_id, subject, period, used`,
          args: [
            quota.id,
            subjectOf(quota, who),
            periodWindow(quota.period, timeZone, now).key,
            quota.metric === 'tokens' ? usage.tokens : usage.costMicroUsd,
          ],
        })),
      ),
    );
    for (const row of results.flat()) this.#see(row);
  }

  /** Current use of each applicable quota, for headers and the admin API. */
  async usage(who: QuotaSubject): Promise<Array<{ quota: QuotaRow; used: number; resetsAt: Date }>> {
    const list = await this.applicable(who);
    const timeZone = await this.#timeZone(who.tenantId);
    const now = this.now();
    return Promise.all(
      list.map(async (quota) => {
        const window = periodWindow(quota.period, timeZone, now);
        const used = await this.#used({ quota, subject: subjectOf(quota, who), window });
        return { quota, used, resetsAt: window.resetsAt };
      }),
    );
  }
}

/**
 * Waits out another process's write lock past the connection's busy timeout (or on a libSQL
 * server, which answers SQLITE_BUSY at once), with jitter, for up to `deadlineMs`.
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
