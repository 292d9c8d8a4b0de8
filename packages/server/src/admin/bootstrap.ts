import { eq } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { adminUsers, memberships, tenants } from '../db/schema.js';
import { newId } from '../ids.js';
import { hashPassword } from './passwords.js';
import type { Role } from './permissions.js';

/** Creates (or updates the password of) a console user and gives them a role in a tenant. */
export async function ensureAdminUser(
  db: Database,
  input: { email: string; password: string; tenantId: string; role: Role; name?: string },
): Promise<string> {
  if (input.password.length < 12) throw new Error('The admin password must be at least 12 characters.');
  const tenant = await db.query.tenants.findFirst({ where: eq(tenants.id, input.tenantId) });
  if (!tenant)
    throw new Error(
      `There is no tenant ${input.tenantId} (the demo tenant is tnt_demo, created by \`vibhava start\`).`,
    );
  const email = input.email.toLowerCase();
  const passwordHash = await hashPassword(input.password);
  const existing = await db.query.adminUsers.findFirst({ where: eq(adminUsers.email, email) });
  const userId = existing?.id ?? newId('usr');
  if (existing) await db.update(adminUsers).set({ passwordHash }).where(eq(adminUsers.id, userId));
  else await db.insert(adminUsers).values({ id: userId, email, name: input.name ?? null, passwordHash });
  await db
    .insert(memberships)
    .values({ tenantId: input.tenantId, userId, role: input.role })
    .onConflictDoUpdate({ target: [memberships.tenantId, memberships.userId], set: { role: input.role } });
  return userId;
}
