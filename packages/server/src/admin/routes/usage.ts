import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Database } from '../../db/database.js';
import { usageEvents } from '../../db/schema.js';
import { validate } from '../../http/validate.js';
import { tenantAccess } from '../admin-auth.js';
import type { AdminEnv } from '../admin-env.js';

export const UsageQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  groupBy: z.enum(['day', 'model', 'avatar', 'visitor', 'conversation', 'operation']).default('day'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** Usage reports from the ledger: by day, model, avatar, visitor (top spenders), conversation. */
export function usageRoutes(db: Database) {
  return new Hono<AdminEnv>().get(
    '/tenants/:tenantId/usage',
    tenantAccess(db, 'usage:read'),
    validate('query', UsageQuerySchema),
    async (c) => {
      const query = c.req.valid('query');
      const to = query.to ? new Date(query.to) : new Date();
      const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 86_400_000);
      const key = {
        day: sql<string>`strftime('%Y-%m-%d', ${usageEvents.createdAt} / 1000, 'unixepoch')`,
        model: sql<string>`${usageEvents.provider} || ':' || ${usageEvents.model}`,
        avatar: sql<string>`coalesce(${usageEvents.avatarId}, '')`,
        visitor: sql<string>`coalesce(${usageEvents.visitorId}, '')`,
        conversation: sql<string>`coalesce(${usageEvents.conversationId}, '')`,
        operation: sql<string>`${usageEvents.operation}`,
      }[query.groupBy];
      const costSum = sql<number>`sum(${usageEvents.costMicroUsd})`;
      const rows = await db
        .select({
          key,
          calls: sql<number>`count(*)`,
          errors: sql<number>`sum(${usageEvents.outcome} = 'error')`,
          inputTokens: sql<number>`sum(${usageEvents.inputTokens})`,
          cachedInputTokens: sql<number>`sum(${usageEvents.cachedInputTokens})`,
          outputTokens: sql<number>`sum(${usageEvents.outputTokens})`,
          audioSeconds: sql<number>`sum(${usageEvents.audioSeconds})`,
          costMicroUsd: costSum,
          avgLatencyMs: sql<number>`avg(${usageEvents.latencyMs})`,
          avgTtftMs: sql<number | null>`avg(${usageEvents.ttftMs})`,
        })
        .from(usageEvents)
        .where(
          and(
            eq(usageEvents.tenantId, c.var.tenantId),
            gte(usageEvents.createdAt, from),
            lt(usageEvents.createdAt, to),
          ),
        )
        .groupBy(key)
        .orderBy(query.groupBy === 'day' ? key : desc(costSum))
        .limit(query.limit);
      return c.json(
        {
          from: from.toISOString(),
          to: to.toISOString(),
          groupBy: query.groupBy,
          rows: rows.map((r) => ({
            ...r,
            costUsd: r.costMicroUsd / 1e6,
            avgLatencyMs: Math.round(r.avgLatencyMs),
            avgTtftMs: r.avgTtftMs === null ? null : Math.round(r.avgTtftMs),
          })),
        },
        200,
      );
    },
  );
}
