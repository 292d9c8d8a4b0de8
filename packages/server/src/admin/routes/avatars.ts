import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Database } from '../../db/database.js';
import { avatars } from '../../db/schema.js';
import { notFound } from '../../http/api-error.js';
import { validate } from '../../http/validate.js';
import { newId } from '../../ids.js';
import { AvatarCache } from '../../avatars/avatar-cache.js';
import { tenantAccess } from '../admin-auth.js';
import type { AdminEnv } from '../admin-env.js';

export const AvatarFields = z.object({
  name: z.string().trim().min(1).max(80),
  greeting: z.string().trim().min(1).max(1000),
  persona: z.string().trim().min(1).max(20_000),
  limitMessage: z.string().trim().min(1).max(1000).nullable().optional(),
  /** Model ids that take over, in order, when the default model keeps failing. */
  fallbackModels: z.array(z.string().min(1).max(100)).max(5).nullable().optional(),
});

function publicAvatar(row: typeof avatars.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    greeting: row.greeting,
    persona: row.persona,
    limitMessage: row.limitMessage,
    fallbackModels: row.fallbackModels ?? [],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The tenant's avatars. (Versioning, templates and cards arrive with the avatar issue.) */
export function avatarRoutes(db: Database) {
  const mine = (id: string, tenantId: string) => and(eq(avatars.id, id), eq(avatars.tenantId, tenantId));
  return new Hono<AdminEnv>()
    .get('/tenants/:tenantId/avatars', tenantAccess(db, 'avatars:read'), async (c) => {
      const rows = await db.select().from(avatars).where(eq(avatars.tenantId, c.var.tenantId));
      return c.json({ avatars: rows.map(publicAvatar) }, 200);
    })
    .post(
      '/tenants/:tenantId/avatars',
      tenantAccess(db, 'avatars:write'),
      validate('json', AvatarFields),
      async (c) => {
        const body = c.req.valid('json');
        const [row] = await db
          .insert(avatars)
          .values({
            id: newId('avt'),
            tenantId: c.var.tenantId,
            ...body,
            limitMessage: body.limitMessage ?? null,
            updatedAt: new Date(),
          })
          .returning();
        return c.json(publicAvatar(row!), 201);
      },
    )
    .patch(
      '/tenants/:tenantId/avatars/:avatarId',
      tenantAccess(db, 'avatars:write'),
      validate('json', AvatarFields.partial()),
      async (c) => {
        const body = c.req.valid('json');
        const [row] = await db
          .update(avatars)
          .set({ ...body, updatedAt: new Date() })
          .where(mine(c.req.param('avatarId'), c.var.tenantId))
          .returning();
        if (!row) throw notFound('The avatar');
        return c.json(publicAvatar(row), 200);
      },
    )
    .delete('/tenants/:tenantId/avatars/:avatarId', tenantAccess(db, 'avatars:write'), async (c) => {
      const result = await db.delete(avatars).where(mine(c.req.param('avatarId'), c.var.tenantId));
      AvatarCache.invalidate(db, c.req.param('avatarId'));
      if (result.rowsAffected === 0) throw notFound('The avatar');
      return c.body(null, 204);
    });
}
