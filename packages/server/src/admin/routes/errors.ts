import { and, desc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import type { Database } from '../../db/database.js';
import { errorGroups } from '../../db/schema.js';
import { tenantAccess } from '../admin-auth.js';
import type { AdminEnv } from '../admin-env.js';

/** The tenant's error groups, most recent first. */
export function errorRoutes(db: Database) {
  return new Hono<AdminEnv>().get('/tenants/:tenantId/errors', tenantAccess(db, 'errors:read'), async (c) => {
    const rows = await db
      .select()
      .from(errorGroups)
      .where(and(eq(errorGroups.tenantId, c.var.tenantId)))
      .orderBy(desc(errorGroups.lastSeenAt))
      .limit(200);
    return c.json(
      {
        errors: rows.map((r) => ({
          ...r,
          firstSeenAt: r.firstSeenAt.toISOString(),
          lastSeenAt: r.lastSeenAt.toISOString(),
        })),
      },
      200,
    );
  });
}
