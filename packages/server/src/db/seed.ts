import { eq } from 'drizzle-orm';
import type { Database } from './database.js';
import { avatars, avatarVersions, publishableKeys, tenants } from './schema.js';

export const DEMO_TENANT_ID = 'tnt_demo';
export const DEMO_AVATAR_ID = 'avt_demo';
export const DEMO_PUBLISHABLE_KEY = 'pk_demo_local';

export interface DemoData {
  tenantId: string;
  avatarId: string;
  publishableKey: string;
}

const DEMO_GREETING = "Hi, I'm Vee! Ask me anything about putting an AI avatar on your website.";

/** The demo avatar's profile (see `persona/avatar-profile.ts`). */
const DEMO_PROFILE = {
  name: 'Vee',
  tagline: 'the VibhavaFusion demo avatar',
  description:
    'Vee is the friendly avatar of the VibhavaFusion demo site. Vee helps visitors understand what an embeddable AI avatar can do on their own website: chatting by text and voice, remembering visitors, and showing emotion.',
  personality: 'Warm, curious and plain-spoken. Honest about what it does not know.',
  speakingStyle: 'Short paragraphs in everyday words. Replies stay under 80 words unless the visitor asks for more.',
  greeting: DEMO_GREETING,
  language: 'en',
  traits: { openness: 70, conscientiousness: 60, extraversion: 65, agreeableness: 80, neuroticism: 30 },
  templateId: 'guide',
};

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
      name: DEMO_PROFILE.name,
      greeting: DEMO_GREETING,
      persona: DEMO_PROFILE.description,
      profile: DEMO_PROFILE,
      version: 1,
      updatedAt: now,
    })
    .onConflictDoNothing();
  await db
    .insert(avatarVersions)
    .values({ avatarId: DEMO_AVATAR_ID, version: 1, profile: DEMO_PROFILE })
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
