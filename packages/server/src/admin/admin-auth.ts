import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Database } from '../db/database.js';
import { adminSessions, memberships, secretKeys } from '../db/schema.js';
import { ApiError, notFound } from '../http/api-error.js';
import type { AdminEnv } from './admin-env.js';
import { roleForScopes, rolePermissions, type Permission } from './permissions.js';

export const ADMIN_COOKIE = 'vibhava_admin';
export const SESSION_TTL_MS = 12 * 3_600_000;

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Who is calling the admin API: a console user (httpOnly session cookie; state-changing requests
 * must echo the session's CSRF token in `x-csrf-token`) or a secret key (`Authorization: Bearer
 * sk_…`). Revoked keys and ended sessions fail on the very next request, on every instance,
 * because both are looked up in the database each time.
 */
export function adminAuth(db: Database): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const bearer = /^Bearer\s+(sk_\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (bearer) {
      const key = await db.query.secretKeys.findFirst({
        where: and(eq(secretKeys.keyHash, sha256(bearer)), isNull(secretKeys.revokedAt)),
      });
      if (!key) throw new ApiError(401, 'unauthorized', 'The secret key is unknown or has been revoked.');
      const now = Date.now();
      if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > 60_000) {
        await db
          .update(secretKeys)
          .set({ lastUsedAt: new Date(now) })
          .where(eq(secretKeys.id, key.id));
      }
      c.set('principal', { kind: 'key', keyId: key.id, tenantId: key.tenantId, role: roleForScopes(key.scopes) });
      return next();
    }
    const token = getCookie(c, ADMIN_COOKIE);
    if (!token) throw new ApiError(401, 'unauthorized', 'Sign in to the console, or send a secret key.');
    const session = await db.query.adminSessions.findFirst({
      where: and(eq(adminSessions.tokenHash, sha256(token)), gt(adminSessions.expiresAt, new Date())),
    });
    if (!session) throw new ApiError(401, 'unauthorized', 'Your console session has ended; sign in again.');
    if (!SAFE_METHODS.has(c.req.method) && c.req.header('x-csrf-token') !== session.csrfToken) {
      throw new ApiError(403, 'forbidden', 'Missing or wrong x-csrf-token header.');
    }
    c.set('principal', { kind: 'user', userId: session.userId, csrfToken: session.csrfToken });
    return next();
  };
}

/**
 * For `/tenants/:tenantId/…`: the caller must belong to the tenant (else 404, so tenants stay
 * invisible to each other) and their role must grant `permission` (else 403).
 */
export function tenantAccess(db: Database, permission: Permission): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const tenantId = c.req.param('tenantId');
    if (!tenantId) throw notFound('The tenant');
    const principal = c.var.principal;
    let role;
    if (principal.kind === 'key') {
      if (principal.tenantId !== tenantId) throw notFound('The tenant');
      role = principal.role;
    } else {
      const membership = await db.query.memberships.findFirst({
        where: and(eq(memberships.tenantId, tenantId), eq(memberships.userId, principal.userId)),
      });
      if (!membership) throw notFound('The tenant');
      role = membership.role;
    }
    if (!rolePermissions[role].has(permission)) {
      throw new ApiError(403, 'forbidden', `The ${role} role cannot do this (needs ${permission}).`);
    }
    c.set('tenantId', tenantId);
    c.set('role', role);
    return next();
  };
}

export function requireUser(c: Context<AdminEnv>): string {
  const principal = c.var.principal;
  if (principal.kind !== 'user')
    throw new ApiError(403, 'forbidden', 'Only a signed-in person can do this, not a secret key.');
  return principal.userId;
}

/** Deletes sessions past their expiry (called on login; cheap with few rows). */
export async function pruneSessions(db: Database): Promise<void> {
  await db.delete(adminSessions).where(lt(adminSessions.expiresAt, new Date()));
}
