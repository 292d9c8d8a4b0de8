import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Database } from '../../db/database.js';
import { avatars, quotas, quotaUsage } from '../../db/schema.js';
import { ApiError, notFound } from '../../http/api-error.js';
import { validate } from '../../http/validate.js';
import { periodWindow } from '../../quotas/periods.js';
import { QuotaService } from '../../quotas/quota-service.js';
import { tenantAccess } from '../admin-auth.js';
import type { AdminEnv } from '../admin-env.js';

export const CreateQuotaSchema = z.object({
  scope: z.enum(['tenant', 'avatar', 'visitor']),
  metric: z.enum(['messages', 'tokens', 'cost']),
  period: z.enum(['day', 'week', 'month']),
  /** Messages or tokens; for `cost`, micro-USD (1 USD = 1,000,000). */
  limit: z.number().int().nonnegative(),
  avatarId: z.string().min(1).max(64).nullable().optional(),
  onExceeded: z.enum(['refuse', 'polite-reply']).default('refuse'),
  /** Degrade step: past this share of the limit, `softLimitModel` answers instead. */
  softLimitPercent: z.number().int().min(1).max(99).nullable().optional(),
  softLimitModel: z.string().min(1).max(100).nullable().optional(),
});

/** Budgets and their current use (tenant-wide and per-avatar ones; per-visitor ones list their top users). */
export function quotaRoutes(db: Database) {
  const service = new QuotaService(db);
  return new Hono<AdminEnv>()
    .get('/tenants/:tenantId/quotas', tenantAccess(db, 'quotas:read'), async (c) => {
      const tenant = await db.query.tenants.findFirst({ where: (t, { eq: equals }) => equals(t.id, c.var.tenantId) });
      const rows = await db.select().from(quotas).where(eq(quotas.tenantId, c.var.tenantId));
      const now = new Date();
      const result = await Promise.all(
        rows.map(async (quota) => {
          const window = periodWindow(quota.period, tenant?.timeZone ?? 'UTC', now);
          const usage = await db
            .select({ subject: quotaUsage.subject, used: quotaUsage.used })
            .from(quotaUsage)
            .where(and(eq(quotaUsage.quotaId, quota.id), eq(quotaUsage.period, window.key)));
          usage.sort((a, b) => b.used - a.used);
          return {
            ...quota,
            createdAt: quota.createdAt.toISOString(),
            period: quota.period,
            currentPeriod: window.key,
            resetsAt: window.resetsAt.toISOString(),
            used: quota.scope === 'visitor' ? null : (usage[0]?.used ?? 0),
            topSubjects: usage.slice(0, 10),
          };
        }),
      );
      return c.json({ quotas: result }, 200);
    })
    .post(
      '/tenants/:tenantId/quotas',
      tenantAccess(db, 'quotas:write'),
      validate('json', CreateQuotaSchema),
      async (c) => {
        const body = c.req.valid('json');
        if (body.avatarId) {
          const avatar = await db.query.avatars.findFirst({
            where: and(eq(avatars.id, body.avatarId), eq(avatars.tenantId, c.var.tenantId)),
          });
          if (!avatar)
            throw new ApiError(400, 'invalid_request', `avatarId: no avatar ${body.avatarId} in this tenant`);
        }
        const quota = await service.create({ tenantId: c.var.tenantId, ...body, avatarId: body.avatarId ?? null });
        return c.json({ ...quota, createdAt: quota.createdAt.toISOString() }, 201);
      },
    )
    .delete('/tenants/:tenantId/quotas/:quotaId', tenantAccess(db, 'quotas:write'), async (c) => {
      const result = await db
        .delete(quotas)
        .where(and(eq(quotas.id, c.req.param('quotaId')), eq(quotas.tenantId, c.var.tenantId)));
      QuotaService.invalidate(db, c.var.tenantId);
      if (result.rowsAffected === 0) throw notFound('The quota');
      return c.body(null, 204);
    });
}
