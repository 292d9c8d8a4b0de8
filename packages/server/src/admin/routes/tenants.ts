import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Database } from '../../db/database.js';
import { adminUsers, memberships, tenants } from '../../db/schema.js';
import { ApiError, notFound } from '../../http/api-error.js';
import { validate } from '../../http/validate.js';
import { newId } from '../../ids.js';
import { requireUser, tenantAccess } from '../admin-auth.js';
import type { AdminEnv } from '../admin-env.js';
import { hashPassword } from '../passwords.js';
import { QuotaService } from '../../quotas/quota-service.js';

const TimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Berlin');

export const CreateTenantSchema = z.object({
  name: z.string().trim().min(1).max(120),
  timeZone: TimeZone.default('UTC'),
});
export const UpdateTenantSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    timeZone: TimeZone,
    identitySecret: z.string().min(32).max(512).nullable(),
    identityJwksUrl: z.url().nullable(),
    identityIssuer: z.string().min(1).max(512).nullable(),
    identityAudience: z.string().min(1).max(512).nullable(),
  })
  .partial();
const RoleSchema = z.enum(['owner', 'admin', 'analyst', 'viewer']);
export const AddMemberSchema = z.object({
  email: z.email().max(320),
  role: RoleSchema,
  name: z.string().max(200).optional(),
  /** Needed when the person has no console account yet. */
  password: z.string().min(12, 'must be at least 12 characters').max(1024).optional(),
});

function publicTenant(row: typeof tenants.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.timeZone,
    identity: {
      hasSecret: row.identitySecret !== null,
      jwksUrl: row.identityJwksUrl,
      issuer: row.identityIssuer,
      audience: row.identityAudience,
    },
    createdAt: row.createdAt.toISOString(),
  };
}

/** Tenants and their members. */
export function tenantRoutes(db: Database) {
  return new Hono<AdminEnv>()
    .post('/tenants', validate('json', CreateTenantSchema), async (c) => {
      const userId = requireUser(c);
      const body = c.req.valid('json');
      const id = newId('tnt');
      await db.batch([
        db.insert(tenants).values({ id, name: body.name, timeZone: body.timeZone }),
        db.insert(memberships).values({ tenantId: id, userId, role: 'owner' }),
      ]);
      const row = (await db.query.tenants.findFirst({ where: eq(tenants.id, id) }))!;
      return c.json(publicTenant(row), 201);
    })
    .get('/tenants/:tenantId', tenantAccess(db, 'tenant:read'), async (c) => {
      const row = await db.query.tenants.findFirst({ where: eq(tenants.id, c.var.tenantId) });
      if (!row) throw notFound('The tenant');
      return c.json(publicTenant(row), 200);
    })
    .patch('/tenants/:tenantId', tenantAccess(db, 'tenant:write'), validate('json', UpdateTenantSchema), async (c) => {
      const changes = c.req.valid('json');
      if (Object.keys(changes).length === 0)
        throw new ApiError(400, 'invalid_request', 'Send at least one field to change.');
      const [row] = await db.update(tenants).set(changes).where(eq(tenants.id, c.var.tenantId)).returning();
      QuotaService.invalidate(db, c.var.tenantId);
      return c.json(publicTenant(row!), 200);
    })
    .get('/tenants/:tenantId/members', tenantAccess(db, 'members:read'), async (c) => {
      const rows = await db
        .select({ userId: adminUsers.id, email: adminUsers.email, name: adminUsers.name, role: memberships.role })
        .from(memberships)
        .innerJoin(adminUsers, eq(adminUsers.id, memberships.userId))
        .where(eq(memberships.tenantId, c.var.tenantId));
      return c.json({ members: rows }, 200);
    })
    .post(
      '/tenants/:tenantId/members',
      tenantAccess(db, 'members:write'),
      validate('json', AddMemberSchema),
      async (c) => {
        const body = c.req.valid('json');
        const email = body.email.toLowerCase();
        let user = await db.query.adminUsers.findFirst({ where: eq(adminUsers.email, email) });
        if (!user) {
          if (!body.password)
            throw new ApiError(400, 'invalid_request', `${email} has no console account yet: send a password for it.`);
          [user] = await db
            .insert(adminUsers)
            .values({
              id: newId('usr'),
              email,
              name: body.name ?? null,
              passwordHash: await hashPassword(body.password),
            })
            .returning();
        }
        if (body.role !== 'owner') await keepAnOwner(db, c.var.tenantId, user!.id);
        await db
          .insert(memberships)
          .values({ tenantId: c.var.tenantId, userId: user!.id, role: body.role })
          .onConflictDoUpdate({ target: [memberships.tenantId, memberships.userId], set: { role: body.role } });
        return c.json({ userId: user!.id, email, name: user!.name, role: body.role }, 201);
      },
    )
    .delete('/tenants/:tenantId/members/:userId', tenantAccess(db, 'members:write'), async (c) => {
      const userId = c.req.param('userId');
      await keepAnOwner(db, c.var.tenantId, userId);
      const result = await db
        .delete(memberships)
        .where(and(eq(memberships.tenantId, c.var.tenantId), eq(memberships.userId, userId)));
      if (result.rowsAffected === 0) throw notFound('The member');
      return c.body(null, 204);
    });
}

/** Refuses a change that would leave the tenant without an owner (removing or demoting the last one). */
async function keepAnOwner(db: Database, tenantId: string, userId: string): Promise<void> {
  const owners = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, 'owner')));
  if (owners.length === 1 && owners[0]!.userId === userId) {
    throw new ApiError(409, 'conflict', 'A tenant keeps at least one owner: make someone else owner first.');
  }
}
