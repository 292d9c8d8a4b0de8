import { eq } from 'drizzle-orm';
import type { Database } from './database.js';
import { avatars, publishableKeys, tenants } from './schema.js';

export const DEMO_TENANT_ID = 'tnt_demo';
export const DEMO_AVATAR_ID = 'avt_demo';
export const DEMO_PUBLISHABLE_KEY = 'pk_demo_local';

export interface DemoData {
  tenantId: string;
  avatarId: string;
  publishableKey: string;
}

const DEMO_PERSONA = [
  'You are Vee, the friendly avatar of the VibhavaFusion demo site.',
  'You help visitors understand what an embeddable AI avatar can do on their own website:',
  'chatting by text and voice, remembering visitors, and showing emotion.',
  'Speak warmly and plainly, in short paragraphs. Keep replies under 80 words unless asked for more.',
  'If you do not know something, say so instead of guessing.',
].join(' ');

/**
 * Creates the demo tenant, publishable key and avatar on first start so there is something to
 * talk to. Re-running it only widens the key's allowed origins; it never overwrites an avatar.
 */
export async function seedDemo(db: Database, allowedOrigins: readonly string[]): Promise<DemoData> {
  const now = new Date();
  await db.insert(tenants).values({ id: DEMO_TENANT_ID, name: 'Demo tenant' }).onConflictDoNothing();
  await db
    .insert(avatars)
    .values({
      id: DEMO_AVATAR_ID,
      tenantId: DEMO_TENANT_ID,
      name: 'Vee',
      greeting: "Hi, I'm Vee! Ask me anything about putting an AI avatar on your website.",
      persona: DEMO_PERSONA,
      updatedAt: now,
    })
    .onConflictDoNothing();
  const existing = await db.query.publishableKeys.findFirst({ where: eq(publishableKeys.key, DEMO_PUBLISHABLE_KEY) });
  if (!existing) {
    await db.insert(publishableKeys).values({
      id: 'pkid_demo',
      tenantId: DEMO_TENANT_ID,
      key: DEMO_PUBLISHABLE_KEY,
      allowedOrigins: [...allowedOrigins],
    });
  } else {
    const merged = [...new Set([...existing.allowedOrigins, ...allowedOrigins])];
    if (merged.length !== existing.allowedOrigins.length) {
      await db.update(publishableKeys).set({ allowedOrigins: merged }).where(eq(publishableKeys.id, existing.id));
    }
  }
  return { tenantId: DEMO_TENANT_ID, avatarId: DEMO_AVATAR_ID, publishableKey: DEMO_PUBLISHABLE_KEY };
}
