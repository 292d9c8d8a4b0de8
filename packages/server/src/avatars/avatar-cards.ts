import { eq } from 'drizzle-orm';
import {
  CardError,
  cardFromProfile,
  exportCard,
  importCard,
  parseCardJson,
  profileFromCard,
  type CharacterCard,
} from '../cards/index.js';
import type { Database } from '../db/database.js';
import { avatarAssets } from '../db/schema.js';
import { ApiError } from '../http/api-error.js';
import { newId } from '../ids.js';
import type { AvatarProfile, AvatarProfileDraft } from '../persona/index.js';
import { AvatarProfiles, profileOf, type AvatarRow } from './avatar-profiles.js';

export const CARD_EXPORT_FORMATS = ['json-v2', 'json-v3', 'png', 'charx'] as const;
export type CardExportFormat = (typeof CARD_EXPORT_FORMATS)[number];

/** The name under which a card's picture is stored; export puts it back. */
const PICTURE = 'avatar.png';

const MEDIA_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  json: 'application/json',
};

function mediaType(name: string): string {
  return MEDIA_TYPES[name.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
}

/** A card problem is the uploader's: a 4xx with the card module's explanation. */
function toApiError(error: unknown): unknown {
  if (!(error instanceof CardError)) return error;
  return new ApiError(
    error.code === 'too_large' ? 413 : 400,
    'invalid_request',
    `Invalid character card: ${error.message}`,
  );
}

/** What of a card becomes the avatar's persona; the rest stays in the stored card for export. */
export function draftFromCard(card: CharacterCard): AvatarProfileDraft {
  const profile = profileFromCard(card);
  const name = profile.name.trim() || 'Unnamed character';
  return {
    name: name.slice(0, 80),
    greeting: profile.greeting.trim() || `Hello, I'm ${name}.`,
    description: profile.description,
    personality: profile.personality,
    scenario: profile.scenario,
    alternateGreetings: profile.alternateGreetings.filter((g) => g.trim()).slice(0, 20),
    exampleDialogues: profile.exampleDialogues,
    ...(profile.postHistoryInstructions.trim() ? { postHistoryInstructions: profile.postHistoryInstructions } : {}),
    ...(profile.lorebook ? { lorebook: profile.lorebook as unknown as Record<string, unknown> } : {}),
    ...(Object.keys(profile.extensions).length ? { extensions: profile.extensions } : {}),
  };
}

/**
 * Character cards in and out of avatars: V1/V2/V3 JSON, PNG (`chara`/`ccv3` chunks) and CHARX.
 * The card as read is kept with the avatar, so fields we don't use (creator notes, tags, unknown
 * fields, extensions) come back on export; the card's picture and CHARX assets are stored and
 * served at `/v1/assets/<id>`, and the picture becomes the avatar's face.
 */
export class AvatarCards {
  readonly #profiles: AvatarProfiles;

  constructor(private readonly db: Database) {
    this.#profiles = new AvatarProfiles(db);
  }

  async import(
    tenantId: string,
    bytes: Uint8Array,
    file: { filename?: string; contentType?: string },
    createdBy?: string,
  ): Promise<AvatarRow> {
    let imported;
    try {
      imported = importCard(bytes, file);
    } catch (error) {
      throw toApiError(error);
    }
    const avatarId = newId('avt');
    const files = new Map(imported.assets);
    if (imported.avatar) files.set(PICTURE, imported.avatar.bytes);
    const assets = [...files].map(([name, content]) => ({
      id: newId('ast'),
      tenantId,
      avatarId,
      name,
      contentType: name === PICTURE ? 'image/png' : mediaType(name),
      bytes: Buffer.from(content),
    }));
    const picture = assets.find((a) => a.name === PICTURE);
    const draft = draftFromCard(imported.card);
    if (picture) draft.images = { neutral: `/v1/assets/${picture.id}` };
    const row = await this.#profiles.create(tenantId, draft, { card: { ...imported.card.raw } }, createdBy, {
      id: avatarId,
    });
    for (const asset of assets) await this.db.insert(avatarAssets).values(asset);
    return row;
  }

  async export(
    tenantId: string,
    avatarId: string,
    format: CardExportFormat,
  ): Promise<{ bytes: Uint8Array; contentType: string; filename: string }> {
    const row = await this.#profiles.get(tenantId, avatarId);
    const original = row.card ? parseStoredCard(row.card) : undefined;
    const card = cardFromProfile(toCardProfile(profileOf(row), original), original);
    const stored = await this.db.select().from(avatarAssets).where(eq(avatarAssets.avatarId, avatarId));
    const picture = stored.find((a) => a.name === PICTURE)?.bytes;
    const assets = new Map(stored.filter((a) => a.name !== PICTURE).map((a) => [a.name, new Uint8Array(a.bytes)]));
    let bytes: Uint8Array;
    try {
      bytes = exportCard(card, format, { ...(picture ? { avatarPng: new Uint8Array(picture) } : {}), assets });
    } catch (error) {
      throw toApiError(error);
    }
    const base = (row.name.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'avatar').slice(0, 60);
    const [contentType, extension] = (
      {
        'json-v2': ['application/json', '.v2.json'],
        'json-v3': ['application/json', '.v3.json'],
        png: ['image/png', '.png'],
        charx: ['application/zip', '.charx'],
      } as const
    )[format];
    return { bytes, contentType, filename: `${base}${extension}` };
  }
}

function parseStoredCard(raw: Record<string, unknown>): CharacterCard | undefined {
  try {
    return parseCardJson(raw);
  } catch {
    return undefined;
  }
}

/** The persona in the card module's terms, with what only the original card holds carried over. */
function toCardProfile(profile: AvatarProfile, original: CharacterCard | undefined) {
  const data = original?.data;
  return {
    name: profile.name,
    description: profile.description,
    personality: profile.personality,
    scenario: profile.scenario,
    greeting: profile.greeting,
    alternateGreetings: profile.alternateGreetings,
    exampleDialogues: profile.exampleDialogues,
    systemPrompt: data?.system_prompt ?? '',
    postHistoryInstructions: profile.postHistoryInstructions ?? '',
    creatorNotes: data?.creator_notes ?? profile.tagline ?? '',
    tags: data ? [...data.tags] : [],
    creator: data?.creator ?? '',
    characterVersion: data?.character_version ?? '',
    lorebook: (profile.lorebook as unknown as CharacterCard['data']['character_book']) ?? null,
    extensions: profile.extensions ?? {},
  };
}
