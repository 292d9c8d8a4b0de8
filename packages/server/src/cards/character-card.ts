import type { z } from 'zod';
import { CardError } from './card-error.js';
import { resolveLimits, type CardReadOptions } from './card-limits.js';
import {
  CardDataSchema,
  CardV1Schema,
  V3SpecVersionSchema,
  type CardData,
  type CardDataV3,
  type CharacterCardV2,
  type CharacterCardV3,
} from './card-schema.js';
import { assertJsonDepth, isPlainObject, parseUntrustedJson } from './untrusted-text.js';

/** The spec a card was read in. */
export type CardSpec = 'chara_card_v1' | 'chara_card_v2' | 'chara_card_v3';

/**
 * A card after import, whatever spec it came in: V3-shaped `data` (unknown fields kept as extra
 * keys), the spec it came from, and the original JSON object so that fields outside `data`
 * (SillyTavern's legacy top-level copies, other apps' extras) survive export too.
 */
export interface CharacterCard {
  readonly spec: CardSpec;
  readonly data: CardData;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** Top-level fields that SillyTavern mirrors from `data` for V1 readers; export refreshes them. */
const V1_MIRRORED_FIELDS = ['name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example'] as const;

/**
 * Reads a card from JSON text or an already-parsed object: V1 (flat), V2 (`chara_card_v2`) or V3
 * (`chara_card_v3`), plus the flat Pygmalion/Gradio shape (`char_name`, ...) SillyTavern also reads.
 * @throws {CardError} `invalid_card` for bad JSON, an unknown `spec` or fields of the wrong type.
 */
export function parseCardJson(input: string | object, options?: CardReadOptions): CharacterCard {
  const limits = resolveLimits(options);
  let raw: unknown;
  if (typeof input === 'string') {
    raw = parseUntrustedJson(input, 'The card', { maxBytes: limits.maxFileBytes, maxDepth: limits.maxJsonDepth });
  } else {
    assertJsonDepth(input, limits.maxJsonDepth, 'The card');
    raw = input;
  }
  if (!isPlainObject(raw)) throw new CardError('invalid_card', 'The card must be a JSON object.');

  const card = normalise(raw);
  const entries = card.data.character_book?.entries.length ?? 0;
  if (entries > limits.maxLorebookEntries) {
    throw new CardError('too_large', `The lorebook has ${entries} entries; at most ${limits.maxLorebookEntries}.`);
  }
  return card;
}

function normalise(raw: Record<string, unknown>): CharacterCard {
  const spec = raw['spec'];
  if (spec === 'chara_card_v2' || spec === 'chara_card_v3') {
    if (!isPlainObject(raw['data'])) throw new CardError('invalid_card', `A ${spec} card needs a "data" object.`);
    if (spec === 'chara_card_v3') {
      const version = V3SpecVersionSchema.safeParse(raw['spec_version']);
      if (!version.success) throw new CardError('invalid_card', 'A chara_card_v3 card needs spec_version "3.0".');
    } else if (raw['spec_version'] !== undefined && typeof raw['spec_version'] !== 'string') {
      throw new CardError('invalid_card', 'spec_version must be a string.');
    }
    return { spec, data: parseData(withoutNullBook(raw['data'])), raw };
  }
  if (spec !== undefined) {
    throw new CardError(
      'invalid_card',
      `Unknown card spec ${JSON.stringify(spec).slice(0, 60)}; expected chara_card_v2 or chara_card_v3.`,
    );
  }
  if (typeof raw['name'] === 'string') return { spec: 'chara_card_v1', data: fromV1(raw), raw };
  if (typeof raw['char_name'] === 'string') return { spec: 'chara_card_v1', data: fromGradio(raw), raw };
  throw new CardError('invalid_card', 'Not a character card: no "spec" and no "name".');
}

function parseData(data: Record<string, unknown>): CardData {
  const result = CardDataSchema.safeParse(data);
  if (!result.success) throw invalidFields(result.error, 'data');
  return result.data;
}

function withoutNullBook(data: Record<string, unknown>): Record<string, unknown> {
  if (data['character_book'] !== null) return data;
  const { character_book: _null, ...rest } = data;
  return rest;
}

/** V1 to V3 data the way SillyTavern's `convertToV2` does it (creatorcomment, talkativeness, fav). */
function fromV1(raw: Record<string, unknown>): CardData {
  const result = CardV1Schema.safeParse(raw);
  if (!result.success) throw invalidFields(result.error);
  const v1 = result.data;
  const extensions: Record<string, unknown> = {};
  if (raw['talkativeness'] !== undefined) extensions['talkativeness'] = raw['talkativeness'];
  if (raw['fav'] !== undefined) extensions['fav'] = raw['fav'];
  return parseData({
    name: v1.name,
    description: v1.description,
    personality: v1.personality,
    scenario: v1.scenario,
    first_mes: v1.first_mes,
    mes_example: v1.mes_example,
    creator_notes: v1.creatorcomment ?? v1.creator_notes ?? '',
    creator: v1.creator ?? '',
    tags: splitTags(v1.tags),
    extensions,
  });
}

function fromGradio(raw: Record<string, unknown>): CardData {
  const field = (key: string) => (typeof raw[key] === 'string' ? raw[key] : '');
  return parseData({
    name: field('char_name'),
    description: field('char_persona'),
    scenario: field('world_scenario'),
    first_mes: field('char_greeting'),
    mes_example: field('example_dialogue'),
  });
}

function splitTags(tags: string[] | string | undefined): string[] {
  if (tags === undefined) return [];
  if (Array.isArray(tags)) return tags;
  return tags
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0);
}

function invalidFields(error: z.ZodError, prefix?: string): CardError {
  const issues = error.issues.slice(0, 5).map((issue) => {
    const path = [...(prefix ? [prefix] : []), ...issue.path.map(String)].join('.');
    return `${path || '(card)'}: ${issue.message}`;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : '';
  return new CardError('invalid_card', `The card has invalid fields: ${issues.join('; ')}${more}.`, { cause: error });
}

/**
 * Fields of the original outside `data`. SillyTavern's top-level copies of V1 fields follow edits
 * made since import; ones left unedited stay as they were, stale or not, so a round trip is exact.
 */
function topLevelExtras(card: CharacterCard): Record<string, unknown> {
  if (card.spec === 'chara_card_v1') return {};
  const { spec: _spec, spec_version: _version, data: original, ...extras }: Record<string, unknown> = card.raw;
  for (const field of V1_MIRRORED_FIELDS) {
    const edited = !isPlainObject(original) || original[field] !== card.data[field];
    if (field in extras && edited) extras[field] = card.data[field];
  }
  return extras;
}

/**
 * The card as Character Card V2 JSON. V3-only fields stay in `data` (V2 readers ignore unknown
 * fields; SillyTavern writes them there too), so nothing is lost on the way down.
 */
export function toV2(card: CharacterCard): CharacterCardV2 {
  const spec_version =
    card.spec === 'chara_card_v2' && typeof card.raw['spec_version'] === 'string' ? card.raw['spec_version'] : '2.0';
  return { ...topLevelExtras(card), spec: 'chara_card_v2', spec_version, data: { ...card.data } };
}

/** The card as Character Card V3 JSON: V3's required fields are filled in when the card lacked them. */
export function toV3(card: CharacterCard): CharacterCardV3 {
  const { character_book: book, ...rest } = card.data;
  const data: CardDataV3 = { ...rest, group_only_greetings: rest.group_only_greetings ?? [] };
  if (book) {
    data.character_book = {
      ...book,
      entries: book.entries.map((entry) => ({ ...entry, use_regex: entry.use_regex ?? false })),
    };
  }
  return { ...topLevelExtras(card), spec: 'chara_card_v3', spec_version: '3.0', data };
}
