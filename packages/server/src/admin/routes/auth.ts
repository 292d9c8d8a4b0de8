import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { Database } from '../../db/database.js';
import { adminSessions, adminUsers, memberships, tenants } from '../../db/schema.js';
import { ApiError } from '../../http/api-error.js';
import { validate } from '../../http/validate.js';
import {
  ADMIN_COOKIE,
  SESSION_TTL_MS,
  adminAuth,
  pruneSessions,
  randomToken,
  requireUser,
  sha256,
} from '../admin-auth.js';
import type { AdminEnv } from '../admin-env.js';
import { verifyPassword } from '../passwords.js';

export const LoginSchema = z.object({ email: z.email().max(320), password: z.string().min(1).max(1024) });

/** Sign in and out of the console, and who am I. */
export function authRoutes(db: Database) {
  return new Hono<AdminEnv>()
    .post('/auth/login', validate('json', LoginSchema), async (c) => {
      const { email, password } = c.req.valid('json');
      const user = await db.query.adminUsers.findFirst({ where: eq(adminUsers.email, email.toLowerCase()) });
      // Same answer (and similar time) for an unknown email and a wrong password.
      const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyPassword(password, DUMMY_HASH);
      if (!user || !ok) throw new ApiError(401, 'unauthorized', 'Wrong email or password.');
      await pruneSessions(db);
      const token = randomToken();
      const csrfToken = randomToken(24);
      await db.insert(adminSessions).values({
        tokenHash: sha256(token),
        userId: user.id,
        csrfToken,
        expiresAt: new Date(Date.now() + SESSION_TTL_MS),
      });
      setCookie(c, ADMIN_COOKIE, token, {
        httpOnly: true,
        sameSite: 'Strict',
        secure: new URL(c.req.url).protocol === 'https:',
        path: '/admin',
        maxAge: SESSION_TTL_MS / 1000,
      });
      return c.json({ user: { id: user.id, email: user.email, name: user.name }, csrfToken }, 200);
    })
    .use('/auth/logout', adminAuth(db))
    .post('/auth/logout', async (c) => {
      const token = getCookie(c, ADMIN_COOKIE);
      if (token) await db.delete(adminSessions).where(eq(adminSessions.tokenHash, sha256(token)));
      deleteCookie(c, ADMIN_COOKIE, { path: '/admin' });
      return c.body(null, 204);
    })
    .use('/me', adminAuth(db))
    .get('/me', async (c) => {
      const userId = requireUser(c);
      const user = (await db.query.adminUsers.findFirst({ where: eq(adminUsers.id, userId) }))!;
      const rows = await db
        .select({ id: tenants.id, name: tenants.name, role: memberships.role })
        .from(memberships)
        .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
        .where(eq(memberships.userId, userId));
      const principal = c.var.principal;
      return c.json(
        {
          user: { id: user.id, email: user.email, name: user.name },
          tenants: rows,
          csrfToken: principal.kind === 'user' ? principal.csrfToken : null,
        },
        200,
      );
    });
}

/** Verified against when the email is unknown, so both failures take about as long. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(86);
