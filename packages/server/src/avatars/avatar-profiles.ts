import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { avatars, avatarVersions, personalityTemplates } from '../db/schema.js';
import { ApiError, notFound } from '../http/api-error.js';
import { newId } from '../ids.js';
import {
  AvatarProfileSchema,
  applyProfilePatch,
  applyTemplate,
  compileSystemTemplate,
  getBuiltInTemplate,
  type AvatarProfile,
  type AvatarProfileDraft,
  type AvatarProfilePatch,
  type PersonalityTemplate,
} from '../persona/index.js';
import { AvatarCache } from './avatar-cache.js';

export type AvatarRow = typeof avatars.$inferSelect;

/** Model and refusal settings that sit beside the persona (not versioned with it). */
export interface AvatarSettings {
  limitMessage?: string | null | undefined;
  fallbackModels?: string[] | null | undefined;
  /** The character card the avatar was imported from (kept for a faithful export). */
  card?: Record<string, unknown> | null | undefined;
}

/** An avatar made before profiles existed: its persona text becomes the description. */
export function profileOf(row: Pick<AvatarRow, 'name' | 'greeting' | 'persona' | 'profile'>): AvatarProfile {
  // Parsed once per row object: cached rows answer many messages.
  let profile = parsedProfiles.get(row);
  if (!profile) {
    const parsed = row.profile ? AvatarProfileSchema.safeParse(row.profile) : undefined;
    profile = parsed?.success
      ? parsed.data
      : AvatarProfileSchema.parse({ name: row.name, greeting: row.greeting, description: row.persona });
    parsedProfiles.set(row, profile);
  }
  return profile;
}

const parsedProfiles = new WeakMap<object, AvatarProfile>();

/** Parses a finished profile; the system template is compiled so an error names its line. */
export function parseProfile(draft: unknown): AvatarProfile {
  const parsed = AvatarProfileSchema.safeParse(draft);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'profile';
    throw new ApiError(400, 'invalid_request', `Invalid avatar profile: ${where}: ${issue.message}`);
  }
  if (parsed.data.systemTemplate !== undefined) {
    const compiled = compileSystemTemplate(parsed.data.systemTemplate);
    if (!compiled.ok) {
      throw new ApiError(400, 'invalid_request', `systemTemplate: ${compiled.error.message}`);
    }
  }
  return parsed.data;
}

const versionCache = new WeakMap<Database, Map<string, Promise<AvatarProfile | undefined>>>();

/**
 * Avatars' profiles and their versions. Every change writes a new version; a conversation keeps
 * the version it began on, so editing an avatar never rewrites past conversations.
 */
export class AvatarProfiles {
  constructor(private readonly db: Database) {}

  /** The profile of one version (immutable, so cached for the process's life). */
  version(avatarId: string, version: number): Promise<AvatarProfile | undefined> {
    let cache = versionCache.get(this.db);
    if (!cache) versionCache.set(this.db, (cache = new Map()));
    const key = `${avatarId}@${version}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = this.db
        .select({ profile: avatarVersions.profile })
        .from(avatarVersions)
        .where(and(eq(avatarVersions.avatarId, avatarId), eq(avatarVersions.version, version)))
        .get()
        .then((row) => (row ? profileOf({ name: '', greeting: '', persona: '', profile: row.profile }) : undefined));
      const entries = cache;
      hit.catch(() => entries.delete(key));
      if (cache.size > 5000) cache.clear();
      cache.set(key, hit);
    }
    return hit;
  }

  /** The profile a conversation answers with: its starting version, else the avatar's current one. */
  async forConversation(avatar: AvatarRow, version: number | null): Promise<AvatarProfile> {
    if (version !== null && version !== avatar.version) {
      const old = await this.version(avatar.id, version);
      if (old) return old;
    }
    return profileOf(avatar);
  }

  async get(tenantId: string, avatarId: string): Promise<AvatarRow> {
    const row = await this.db
      .select()
      .from(avatars)
      .where(and(eq(avatars.id, avatarId), eq(avatars.tenantId, tenantId)))
      .get();
    if (!row) throw notFound('The avatar');
    return row;
  }

  async list(tenantId: string): Promise<AvatarRow[]> {
    return this.db.select().from(avatars).where(eq(avatars.tenantId, tenantId)).orderBy(avatars.createdAt);
  }

  /** A tenant's template or a built-in one, by id. */
  async template(tenantId: string, templateId: string): Promise<PersonalityTemplate> {
    const builtIn = getBuiltInTemplate(templateId);
    if (builtIn) return builtIn;
    const row = await this.db
      .select()
      .from(personalityTemplates)
      .where(and(eq(personalityTemplates.id, templateId), eq(personalityTemplates.tenantId, tenantId)))
      .get();
    if (!row) throw new ApiError(400, 'invalid_request', `Unknown personality template "${templateId}".`);
    return { id: row.id, name: row.name, description: row.description, profile: row.profile as AvatarProfileDraft };
  }

  /** Creates an avatar from a draft, starting from a template when the draft names one. */
  async create(
    tenantId: string,
    draft: AvatarProfileDraft,
    settings: AvatarSettings = {},
    createdBy?: string,
    options: { applyTemplate?: boolean; id?: string } = {},
  ): Promise<AvatarRow> {
    const fromTemplate = draft.templateId && options.applyTemplate !== false;
    const merged = fromTemplate ? applyTemplate(await this.template(tenantId, draft.templateId!), draft) : draft;
    const profile = parseProfile(merged);
    const id = options.id ?? newId('avt');
    const now = new Date();
    const [row] = await this.db.batch([
      this.db
        .insert(avatars)
        .values({
          id,
          tenantId,
          ...columnsOf(profile),
          limitMessage: settings.limitMessage ?? null,
          fallbackModels: settings.fallbackModels ?? null,
          card: settings.card ?? null,
          version: 1,
          updatedAt: now,
        })
        .returning(),
      this.db.insert(avatarVersions).values({ avatarId: id, version: 1, profile, createdBy: createdBy ?? null }),
    ]);
    return row[0]!;
  }

  /** Applies an edit as a new version (settings alone do not make a version). */
  async update(
    tenantId: string,
    avatarId: string,
    patch: AvatarProfilePatch | undefined,
    settings: AvatarSettings = {},
    createdBy?: string,
  ): Promise<AvatarRow> {
    const current = await this.get(tenantId, avatarId);
    const changes: Partial<typeof avatars.$inferInsert> = { updatedAt: new Date() };
    if (settings.limitMessage !== undefined) changes.limitMessage = settings.limitMessage;
    if (settings.fallbackModels !== undefined) changes.fallbackModels = settings.fallbackModels;
    const statements = [];
    if (patch && Object.keys(patch).length > 0) {
      const profile = parseProfile(applyProfilePatch(profileOf(current), patch));
      const version = current.version + 1;
      Object.assign(changes, columnsOf(profile), { version });
      statements.push(
        this.db.insert(avatarVersions).values({ avatarId, version, profile, createdBy: createdBy ?? null }),
      );
      // The first edit of an avatar made before versions keeps its original as version 1.
      statements.push(
        this.db
          .insert(avatarVersions)
          .values({ avatarId, version: current.version, profile: profileOf(current), createdBy: null })
          .onConflictDoNothing(),
      );
    }
    const update = this.db
      .update(avatars)
      .set(changes)
      .where(and(eq(avatars.id, avatarId), eq(avatars.tenantId, tenantId)))
      .returning();
    const [rows] = await this.db.batch([update, ...statements]);
    AvatarCache.invalidate(this.db, avatarId);
    const row = rows[0];
    if (!row) throw notFound('The avatar');
    return row;
  }

  /** A copy with its own id and history, starting at version 1. */
  async duplicate(tenantId: string, avatarId: string, name?: string, createdBy?: string): Promise<AvatarRow> {
    const source = await this.get(tenantId, avatarId);
    const profile = profileOf(source);
    // The copy keeps the template it came from without applying it again.
    return this.create(
      tenantId,
      { ...profile, name: name ?? `${profile.name} (copy)`.slice(0, 80) },
      { limitMessage: source.limitMessage, fallbackModels: source.fallbackModels },
      createdBy,
      { applyTemplate: false },
    );
  }

  async versions(
    tenantId: string,
    avatarId: string,
  ): Promise<Array<{ version: number; createdAt: string; createdBy: string | null; name: string }>> {
    await this.get(tenantId, avatarId);
    const rows = await this.db
      .select()
      .from(avatarVersions)
      .where(eq(avatarVersions.avatarId, avatarId))
      .orderBy(desc(avatarVersions.version));
    return rows.map((row) => ({
      version: row.version,
      createdAt: row.createdAt.toISOString(),
      createdBy: row.createdBy,
      name: typeof row.profile['name'] === 'string' ? row.profile['name'] : '',
    }));
  }
}

/** The avatar row's own columns, kept in step with the profile (lists and old readers use them). */
function columnsOf(profile: AvatarProfile) {
  return {
    name: profile.name,
    greeting: profile.greeting,
    persona: profile.description || profile.personality || profile.name,
    profile: profile as unknown as Record<string, unknown>,
  };
}
