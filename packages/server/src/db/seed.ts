import { eq } from 'drizzle-orm';
import { addKnowledge, parseKnowledgeFile } from '../knowledge/knowledge-file.js';
import type { MemoryService } from '../memory/memory-service.js';
import type { Database } from './database.js';
import { avatars, avatarVersions, publishableKeys, tenants } from './schema.js';

export const DEMO_TENANT_ID = 'tnt_demo';
export const DEMO_AVATAR_ID = 'avt_demo';
export const DEMO_PUBLISHABLE_KEY = 'pk_demo_local';

export interface DemoData {
  tenantId: string;
  avatarId: string;
  publishableKey: string;
  /**
   * Whether the demo avatar was created (or brought up from an earlier version's) in this start:
   * only then does it get the demo page's facts, so a developer's own knowledge is never mixed
   * with them again once they cleared them.
   */
  fresh: boolean;
}

const DEMO_GREETING = "Hi, I'm Vee from Juniper & Rye! Ask me about our bread and cakes, allergens or opening hours.";

/** The demo avatar's profile (see `persona/avatar-profile.ts`): the assistant of the demo page's bakery. */
export const DEMO_PROFILE = {
  name: 'Vee',
  tagline: 'the assistant of Juniper & Rye Bakery',
  description:
    'Vee helps visitors of the website of Juniper & Rye, a neighbourhood bakery on Elm Street: opening hours, bread and pastries, custom cakes, allergens, and ordering ahead.',
  personality: 'Warm, cheerful and plain-spoken. Honest about what she does not know.',
  speakingStyle:
    'Short, friendly sentences in everyday words. Replies stay under 60 words unless the visitor asks for more.',
  greeting: DEMO_GREETING,
  language: 'en',
  traits: { openness: 60, conscientiousness: 70, extraversion: 65, agreeableness: 85, neuroticism: 25 },
  templateId: 'support-agent',
};

/** The demo avatar as earlier versions seeded it: replaced by the current one unless it was edited. */
const EARLIER_DEMO_GREETINGS = ["Hi, I'm Vee! Ask me anything about putting an AI avatar on your website."];

/**
 * Creates the demo tenant, publishable key and avatar on first start so there is something to
 * talk to. Re-running it only widens the key's allowed origins; it never overwrites an avatar.
 */
export async function seedDemo(db: Database, allowedOrigins: readonly string[]): Promise<DemoData> {
  const now = new Date();
  await db.insert(tenants).values({ id: DEMO_TENANT_ID, name: 'Demo tenant' }).onConflictDoNothing();
  const created = await db
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
    .onConflictDoNothing()
    .returning({ id: avatars.id });
  await db
    .insert(avatarVersions)
    .values({ avatarId: DEMO_AVATAR_ID, version: 1, profile: DEMO_PROFILE })
    .onConflictDoNothing();
  const refreshed = await refreshDemoAvatar(db);
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
  return {
    tenantId: DEMO_TENANT_ID,
    avatarId: DEMO_AVATAR_ID,
    publishableKey: DEMO_PUBLISHABLE_KEY,
    fresh: created.length > 0 || refreshed,
  };
}

/**
 * A demo avatar seeded by an earlier version (the greeting says so) and never edited since gets
 * the current profile as a new version; one its owner changed is left alone.
 */
async function refreshDemoAvatar(db: Database): Promise<boolean> {
  const avatar = await db.query.avatars.findFirst({ where: eq(avatars.id, DEMO_AVATAR_ID) });
  if (!avatar || !EARLIER_DEMO_GREETINGS.includes(avatar.greeting ?? '')) return false;
  const version = avatar.version + 1;
  await db
    .insert(avatarVersions)
    .values({ avatarId: DEMO_AVATAR_ID, version, profile: DEMO_PROFILE })
    .onConflictDoNothing();
  await db
    .update(avatars)
    .set({
      greeting: DEMO_GREETING,
      persona: DEMO_PROFILE.description,
      profile: DEMO_PROFILE,
      version,
      updatedAt: new Date(),
    })
    .where(eq(avatars.id, DEMO_AVATAR_ID));
  return true;
}

/**
 * The demo avatar's knowledge: the facts of the page it sits on, one per list item of a Markdown
 * file (examples/script-tag/knowledge.md), added when missing, when the demo avatar is new
 * (`DemoData.fresh`). Entries added another way stay.
 */
export async function seedDemoKnowledge(memory: MemoryService, markdown: string): Promise<number> {
  const scope = { tenantId: DEMO_TENANT_ID, avatarId: DEMO_AVATAR_ID, visitorId: '' };
  return (await addKnowledge(memory, scope, parseKnowledgeFile(markdown))).added;
}
