import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Database } from '../../db/database.js';
import { publishableKeys, secretKeys } from '../../db/schema.js';
import { notFound } from '../../http/api-error.js';
import { validate } from '../../http/validate.js';
import { newId } from '../../ids.js';
import { randomToken, sha256, tenantAccess } from '../admin-auth.js';
import type { AdminEnv } from '../admin-env.js';

const Origin = z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be an origin like https://example.com');
export const CreatePublishableKeySchema = z.object({ allowedOrigins: z.array(Origin).min(1).max(50) });
const UpdatePublishableKeySchema = CreatePublishableKeySchema;
export const CreateSecretKeySchema = z.object({
  name: z.string().trim().min(1).max(120),
  scopes: z
    .array(z.enum(['read', 'write']))
    .min(1)
    .default(['read']),
});

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** Publishable keys (browser, bound to origins) and secret keys (server-to-server, shown once). */
export function keyRoutes(db: Database) {
  return new Hono<AdminEnv>()
    .get('/tenants/:tenantId/keys', tenantAccess(db, 'keys:read'), async (c) => {
      const tenantId = c.var.tenantId;
      const [publishable, secret] = await Promise.all([
        db.select().from(publishableKeys).where(eq(publishableKeys.tenantId, tenantId)),
        db.select().from(secretKeys).where(eq(secretKeys.tenantId, tenantId)),
      ]);
      return c.json(
        {
          publishable: publishable.map((k) => ({
            id: k.id,
            key: k.key,
            allowedOrigins: k.allowedOrigins,
            createdAt: k.createdAt.toISOString(),
            revokedAt: iso(k.revokedAt),
          })),
          secret: secret.map((k) => ({
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            scopes: k.scopes,
            createdAt: k.createdAt.toISOString(),
            lastUsedAt: iso(k.lastUsedAt),
            revokedAt: iso(k.revokedAt),
          })),
        },
        200,
      );
    })
    .post(
      '/tenants/:tenantId/publishable-keys',
      tenantAccess(db, 'keys:write'),
      validate('json', CreatePublishableKeySchema),
      async (c) => {
        const [row] = await db
          .insert(publishableKeys)
          .values({
            id: newId('pkid'),
            tenantId: c.var.tenantId,
            key: `pk_${randomToken(18)}`,
            allowedOrigins: c.req.valid('json').allowedOrigins,
          })
          .returning();
        return c.json({ id: row!.id, key: row!.key, allowedOrigins: row!.allowedOrigins }, 201);
      },
    )
    .patch(
      '/tenants/:tenantId/publishable-keys/:keyId',
      tenantAccess(db, 'keys:write'),
      validate('json', UpdatePublishableKeySchema),
      async (c) => {
        const [row] = await db
          .update(publishableKeys)
          .set({ allowedOrigins: c.req.valid('json').allowedOrigins })
          .where(and(eq(publishableKeys.id, c.req.param('keyId')), eq(publishableKeys.tenantId, c.var.tenantId)))
          .returning();
        if (!row) throw notFound('The publishable key');
        return c.json({ id: row.id, key: row.key, allowedOrigins: row.allowedOrigins }, 200);
      },
    )
    .delete('/tenants/:tenantId/publishable-keys/:keyId', tenantAccess(db, 'keys:write'), async (c) => {
      const result = await db
        .update(publishableKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(publishableKeys.id, c.req.param('keyId')), eq(publishableKeys.tenantId, c.var.tenantId)));
      if (result.rowsAffected === 0) throw notFound('The publishable key');
      return c.body(null, 204);
    })
    .post(
      '/tenants/:tenantId/secret-keys',
      tenantAccess(db, 'keys:write'),
      validate('json', CreateSecretKeySchema),
      async (c) => {
        const body = c.req.valid('json');
        const secret = `sk_${randomToken(32)}`;
        const [row] = await db
          .insert(secretKeys)
          .values({
            id: newId('skid'),
            tenantId: c.var.tenantId,
            name: body.name,
            prefix: secret.slice(0, 10),
            keyHash: sha256(secret),
            scopes: body.scopes,
          })
          .returning();
        // The only time the key is shown: it is stored hashed.
        return c.json({ id: row!.id, name: row!.name, scopes: row!.scopes, prefix: row!.prefix, key: secret }, 201);
      },
    )
    .delete('/tenants/:tenantId/secret-keys/:keyId', tenantAccess(db, 'keys:write'), async (c) => {
      const result = await db
        .update(secretKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(secretKeys.id, c.req.param('keyId')), eq(secretKeys.tenantId, c.var.tenantId)));
      if (result.rowsAffected === 0) throw notFound('The secret key');
      return c.body(null, 204);
    });
}
