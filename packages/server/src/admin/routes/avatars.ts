import { and, desc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { AvatarCache } from '../../avatars/avatar-cache.js';
import { AvatarCards, CARD_EXPORT_FORMATS } from '../../avatars/avatar-cards.js';
import { AvatarProfiles, profileOf, type AvatarRow } from '../../avatars/avatar-profiles.js';
import type { Database } from '../../db/database.js';
import {
  avatarAssets,
  avatars,
  conversations,
  messageFeedback,
  personalityTemplates,
  toneAdaptations,
} from '../../db/schema.js';
import { ApiError, notFound } from '../../http/api-error.js';
import { validate } from '../../http/validate.js';
import { newId } from '../../ids.js';
import {
  AvatarProfileDraftSchema,
  AvatarProfilePatchSchema,
  AvatarProfileSchema,
  applyProfilePatch,
  PersonalityTemplateSchema,
  listBuiltInTemplates,
  previewSystemMessage,
  traitsToStyle,
  type SystemMessageContext,
} from '../../persona/index.js';
import { tenantAccess } from '../admin-auth.js';
import type { AdminEnv, AdminPrincipal } from '../admin-env.js';

const settingsFields = {
  limitMessage: z.string().trim().min(1).max(1000).nullable().optional(),
  /** Model ids that take over, in order, when the default model keeps failing. */
  fallbackModels: z.array(z.string().min(1).max(100)).max(5).nullable().optional(),
};

/**
 * A new avatar: profile fields (see `persona/avatar-profile.ts`), optionally starting from a
 * personality template (`templateId`: its fields are the defaults, these override them).
 * `persona` is the older single-text form and becomes the description.
 */
export const CreateAvatarSchema = AvatarProfileDraftSchema.extend({
  persona: z.string().trim().min(1).max(20_000).optional(),
  ...settingsFields,
});

/** An edit: any profile field (`null` clears an optional one); each edit is a new version. */
export const UpdateAvatarSchema = AvatarProfilePatchSchema.extend({
  persona: z.string().trim().min(1).max(20_000).optional(),
  ...settingsFields,
});

export const DuplicateAvatarSchema = z.strictObject({ name: z.string().trim().min(1).max(80).optional() });

export const PreviewSchema = z.strictObject({
  /** Unsaved changes to preview (the same shape as an edit). */
  changes: AvatarProfilePatchSchema.optional(),
  visitor: z
    .strictObject({
      name: z.string().max(100).optional(),
      verified: z.boolean().optional(),
      claims: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  emotion: z.string().max(200).optional(),
  tone: z.string().max(1000).optional(),
  memories: z.string().max(20_000).optional(),
  lorebook: z.string().max(20_000).optional(),
});

export const TemplateBodySchema = PersonalityTemplateSchema.omit({ id: true }).extend({
  id: PersonalityTemplateSchema.shape.id.optional(),
});

function splitBody<T extends { persona?: string | undefined; limitMessage?: unknown; fallbackModels?: unknown }>(
  body: T,
) {
  const { persona, limitMessage, fallbackModels, ...profile } = body;
  const withPersona =
    persona !== undefined && !('description' in profile) ? { ...profile, description: persona } : profile;
  return {
    profile: withPersona,
    settings: {
      limitMessage: limitMessage as string | null | undefined,
      fallbackModels: fallbackModels as string[] | null | undefined,
    },
  };
}

const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** The image type from its first bytes (never from a header the uploader chose). */
function sniffImage(bytes: Uint8Array): string | undefined {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP') return 'image/webp';
  return undefined;
}

function by(principal: AdminPrincipal): string {
  return principal.kind === 'user' ? principal.userId : `key:${principal.keyId}`;
}

export function publicAvatar(row: AvatarRow) {
  const profile = profileOf(row);
  return {
    id: row.id,
    name: row.name,
    greeting: row.greeting,
    version: row.version,
    profile,
    /** What the Big Five sliders add to the system message. */
    style: traitsToStyle(profile.traits),
    limitMessage: row.limitMessage,
    fallbackModels: row.fallbackModels ?? [],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The tenant's avatars: profiles with versions, templates, preview, duplication, tone log. */
export function avatarRoutes(db: Database) {
  const profiles = new AvatarProfiles(db);
  const cards = new AvatarCards(db);
  return new Hono<AdminEnv>()
    .post('/tenants/:tenantId/avatars/import', tenantAccess(db, 'avatars:write'), async (c) => {
      // The card file as the body (`?filename=` helps detection), or a multipart form's `file`.
      const type = c.req.header('content-type') ?? '';
      let bytes: Uint8Array;
      let filename = c.req.query('filename');
      let contentType: string | undefined = type;
      if (type.startsWith('multipart/form-data')) {
        const form = await c.req.parseBody().catch(() => {
          throw new ApiError(400, 'invalid_request', 'The multipart form could not be read.');
        });
        const file = form['file'];
        if (!(file instanceof File)) {
          throw new ApiError(400, 'invalid_request', 'Send the card as the form field "file".');
        }
        bytes = new Uint8Array(await file.arrayBuffer());
        filename ??= file.name;
        contentType = file.type;
      } else {
        bytes = new Uint8Array(await c.req.arrayBuffer());
      }
      if (bytes.length === 0) throw new ApiError(400, 'invalid_request', 'The card file is empty.');
      const row = await cards.import(
        c.var.tenantId,
        bytes,
        { ...(filename ? { filename } : {}), ...(contentType ? { contentType } : {}) },
        by(c.var.principal),
      );
      return c.json(publicAvatar(row), 201);
    })
    .post('/tenants/:tenantId/avatars/:avatarId/images', tenantAccess(db, 'avatars:write'), async (c) => {
      // An expression image as the body; the answer's `url` goes into the profile's `images`.
      const avatar = await profiles.get(c.var.tenantId, c.req.param('avatarId'));
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const contentType = sniffImage(bytes);
      if (!contentType) {
        throw new ApiError(400, 'invalid_request', 'Send a PNG, JPEG, WebP or GIF image as the request body.');
      }
      if (bytes.length > MAX_IMAGE_BYTES) {
        throw new ApiError(413, 'payload_too_large', `Images are limited to ${MAX_IMAGE_BYTES / 1024 / 1024} MB.`);
      }
      const id = newId('ast');
      await db.insert(avatarAssets).values({
        id,
        tenantId: c.var.tenantId,
        avatarId: avatar.id,
        name: `image-${id}`,
        contentType,
        bytes: Buffer.from(bytes),
      });
      return c.json({ id, url: `/v1/assets/${id}`, contentType }, 201);
    })
    .get(
      '/tenants/:tenantId/avatars/:avatarId/card',
      tenantAccess(db, 'avatars:read'),
      validate('query', z.object({ format: z.enum(CARD_EXPORT_FORMATS).default('png') })),
      async (c) => {
        const file = await cards.export(c.var.tenantId, c.req.param('avatarId'), c.req.valid('query').format);
        return c.body(new Uint8Array(file.bytes), 200, {
          'content-type': file.contentType,
          'content-disposition': `attachment; filename="${file.filename}"`,
        });
      },
    )
    .get('/tenants/:tenantId/avatars', tenantAccess(db, 'avatars:read'), async (c) => {
      const rows = await profiles.list(c.var.tenantId);
      return c.json({ avatars: rows.map(publicAvatar) }, 200);
    })
    .post(
      '/tenants/:tenantId/avatars',
      tenantAccess(db, 'avatars:write'),
      validate('json', CreateAvatarSchema),
      async (c) => {
        const { profile, settings } = splitBody(c.req.valid('json'));
        const row = await profiles.create(c.var.tenantId, profile, settings, by(c.var.principal));
        return c.json(publicAvatar(row), 201);
      },
    )
    .get('/tenants/:tenantId/avatars/:avatarId', tenantAccess(db, 'avatars:read'), async (c) =>
      c.json(publicAvatar(await profiles.get(c.var.tenantId, c.req.param('avatarId'))), 200),
    )
    .patch(
      '/tenants/:tenantId/avatars/:avatarId',
      tenantAccess(db, 'avatars:write'),
      validate('json', UpdateAvatarSchema),
      async (c) => {
        const { profile, settings } = splitBody(c.req.valid('json'));
        const row = await profiles.update(
          c.var.tenantId,
          c.req.param('avatarId'),
          profile,
          settings,
          by(c.var.principal),
        );
        return c.json(publicAvatar(row), 200);
      },
    )
    .post(
      '/tenants/:tenantId/avatars/:avatarId/duplicate',
      tenantAccess(db, 'avatars:write'),
      validate('json', DuplicateAvatarSchema),
      async (c) => {
        const { name } = c.req.valid('json');
        const row = await profiles.duplicate(c.var.tenantId, c.req.param('avatarId'), name, by(c.var.principal));
        return c.json(publicAvatar(row), 201);
      },
    )
    .delete('/tenants/:tenantId/avatars/:avatarId', tenantAccess(db, 'avatars:write'), async (c) => {
      const id = c.req.param('avatarId');
      const result = await db.delete(avatars).where(and(eq(avatars.id, id), eq(avatars.tenantId, c.var.tenantId)));
      AvatarCache.invalidate(db, id);
      if (result.rowsAffected === 0) throw notFound('The avatar');
      return c.body(null, 204);
    })
    .get('/tenants/:tenantId/avatars/:avatarId/versions', tenantAccess(db, 'avatars:read'), async (c) =>
      c.json({ versions: await profiles.versions(c.var.tenantId, c.req.param('avatarId')) }, 200),
    )
    .get('/tenants/:tenantId/avatars/:avatarId/versions/:version', tenantAccess(db, 'avatars:read'), async (c) => {
      const avatarId = c.req.param('avatarId');
      await profiles.get(c.var.tenantId, avatarId);
      const version = Number(c.req.param('version'));
      const profile = Number.isInteger(version) ? await profiles.version(avatarId, version) : undefined;
      if (!profile) throw notFound('That version of the avatar');
      return c.json({ version, profile }, 200);
    })
    .post(
      '/tenants/:tenantId/avatars/:avatarId/preview',
      tenantAccess(db, 'avatars:read'),
      validate('json', PreviewSchema),
      async (c) => {
        const { changes, ...context } = c.req.valid('json');
        const row = await profiles.get(c.var.tenantId, c.req.param('avatarId'));
        const draft = changes ? applyProfilePatch(profileOf(row), changes) : profileOf(row);
        const parsed = AvatarProfileSchema.safeParse(draft);
        if (!parsed.success) {
          throw new ApiError(400, 'invalid_request', `Invalid avatar profile: ${parsed.error.issues[0]!.message}`);
        }
        // JSON has no undefined: drop absent fields so the template sees them as unset.
        const result = previewSystemMessage(parsed.data, JSON.parse(JSON.stringify(context)) as SystemMessageContext);
        if (!result.ok) {
          return c.json(
            {
              error: {
                code: 'invalid_request' as const,
                message: `systemTemplate: ${result.error.message}`,
                template: result.error,
              },
            },
            400,
          );
        }
        return c.json({ systemMessage: result.text }, 200);
      },
    )
    .get('/tenants/:tenantId/avatars/:avatarId/adaptations', tenantAccess(db, 'avatars:read'), async (c) => {
      const avatarId = c.req.param('avatarId');
      await profiles.get(c.var.tenantId, avatarId);
      const rows = await db
        .select()
        .from(toneAdaptations)
        .where(and(eq(toneAdaptations.tenantId, c.var.tenantId), eq(toneAdaptations.avatarId, avatarId)))
        .orderBy(desc(toneAdaptations.seq))
        .limit(200);
      return c.json(
        {
          adaptations: rows.map((row) => ({
            conversationId: row.conversationId,
            messageId: row.messageId,
            dimension: row.dimension,
            from: row.fromValue,
            to: row.toValue,
            reason: row.reason,
            createdAt: row.createdAt.toISOString(),
          })),
        },
        200,
      );
    })
    .get('/tenants/:tenantId/avatars/:avatarId/feedback', tenantAccess(db, 'avatars:read'), async (c) => {
      const avatarId = c.req.param('avatarId');
      await profiles.get(c.var.tenantId, avatarId);
      const rows = await db
        .select({
          messageId: messageFeedback.messageId,
          conversationId: messageFeedback.conversationId,
          rating: messageFeedback.rating,
          reason: messageFeedback.reason,
          comment: messageFeedback.comment,
          createdAt: messageFeedback.createdAt,
        })
        .from(messageFeedback)
        .innerJoin(conversations, eq(conversations.id, messageFeedback.conversationId))
        .where(and(eq(conversations.tenantId, c.var.tenantId), eq(conversations.avatarId, avatarId)))
        .orderBy(desc(messageFeedback.createdAt))
        .limit(500);
      const up = rows.filter((r) => r.rating === 'up').length;
      return c.json(
        {
          summary: { up, down: rows.length - up },
          feedback: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
        },
        200,
      );
    })
    .get('/tenants/:tenantId/personality-templates', tenantAccess(db, 'avatars:read'), async (c) => {
      const own = await db.select().from(personalityTemplates).where(eq(personalityTemplates.tenantId, c.var.tenantId));
      return c.json(
        {
          templates: [
            ...listBuiltInTemplates().map((t) => ({ ...t, builtIn: true })),
            ...own.map((t) => ({
              id: t.id,
              name: t.name,
              description: t.description,
              profile: t.profile,
              builtIn: false,
            })),
          ],
        },
        200,
      );
    })
    .post(
      '/tenants/:tenantId/personality-templates',
      tenantAccess(db, 'avatars:write'),
      validate('json', TemplateBodySchema),
      async (c) => {
        const body = c.req.valid('json');
        const id = body.id ?? newId('tpl').toLowerCase().replace(/_/g, '-');
        if (listBuiltInTemplates().some((t) => t.id === id)) {
          throw new ApiError(409, 'conflict', `"${id}" is a built-in template; choose another id.`);
        }
        const [row] = await db
          .insert(personalityTemplates)
          .values({
            id,
            tenantId: c.var.tenantId,
            name: body.name,
            description: body.description,
            profile: body.profile as Record<string, unknown>,
            updatedAt: new Date(),
          })
          .onConflictDoNothing()
          .returning();
        if (!row) throw new ApiError(409, 'conflict', `A template with the id "${id}" already exists.`);
        return c.json(
          { id: row.id, name: row.name, description: row.description, profile: row.profile, builtIn: false },
          201,
        );
      },
    )
    .delete('/tenants/:tenantId/personality-templates/:templateId', tenantAccess(db, 'avatars:write'), async (c) => {
      const result = await db
        .delete(personalityTemplates)
        .where(
          and(
            eq(personalityTemplates.id, c.req.param('templateId')),
            eq(personalityTemplates.tenantId, c.var.tenantId),
          ),
        );
      if (result.rowsAffected === 0) throw notFound('The template');
      return c.body(null, 204);
    });
}
