import { z } from 'zod';

/**
 * Character Card V1/V2/V3 schemas, after malfoyslastname/character-card-spec-v2 (`spec_v2.md`) and
 * kwaroran/character-card-spec-v3 (`SPEC_V3.md`).
 *
 * Every object is loose: fields we do not know survive import and export untouched, as both specs
 * require ("must never destroy unknown key-value pairs"). Fields a spec requires but real cards
 * often omit get the spec's default instead of a refusal; a field of the wrong type is refused.
 * Optional fields accept `null`, which several editors write for "unset".
 */

const text = z.string().default('');
const textList = z.array(z.string()).default([]);
/** `extensions` is mandatory in V2/V3 and "must default to `{}`". */
const extensions = z.record(z.string(), z.unknown()).default({});

const lorebookEntryV2Shape = {
  keys: textList,
  content: text,
  extensions,
  enabled: z.boolean().default(true),
  insertion_order: z.number().default(100),
  case_sensitive: z.boolean().nullish(),
  name: z.string().nullish(),
  priority: z.number().nullish(),
  id: z.union([z.number(), z.string()]).nullish(),
  comment: z.string().nullish(),
  selective: z.boolean().nullish(),
  /** An array in both specs' TypeScript; V3's prose calls it comma-separated, so a string is read too. */
  secondary_keys: z.union([z.array(z.string()), z.string()]).optional(),
  constant: z.boolean().nullish(),
  position: z.string().nullish(),
};

/** A V2 lorebook entry. */
export const LorebookEntryV2Schema = z.looseObject(lorebookEntryV2Shape);
/** A lorebook entry as held after import: V2 plus V3's `use_regex` when the card had it. */
export const LorebookEntrySchema = z.looseObject({ ...lorebookEntryV2Shape, use_regex: z.boolean().optional() });
/** A V3 lorebook entry: `use_regex` is required (false when a V2 card is upgraded). */
export const LorebookEntryV3Schema = z.looseObject({ ...lorebookEntryV2Shape, use_regex: z.boolean().default(false) });

const lorebookShape = {
  name: z.string().nullish(),
  description: z.string().nullish(),
  scan_depth: z.number().nullish(),
  token_budget: z.number().nullish(),
  recursive_scanning: z.boolean().nullish(),
  extensions,
};

export const LorebookV2Schema = z.looseObject({ ...lorebookShape, entries: z.array(LorebookEntryV2Schema) });
export const LorebookSchema = z.looseObject({ ...lorebookShape, entries: z.array(LorebookEntrySchema) });
export const LorebookV3Schema = z.looseObject({ ...lorebookShape, entries: z.array(LorebookEntryV3Schema) });

/** A V3 asset: `embeded://path`, `ccdefault:`, an https URL or a data URL. */
export const CardAssetSchema = z.looseObject({
  type: z.string(),
  uri: z.string(),
  name: z.string().default(''),
  ext: z.string().default('unknown'),
});

const cardDataV2Shape = {
  name: z.string(),
  description: text,
  personality: text,
  scenario: text,
  first_mes: text,
  mes_example: text,
  creator_notes: text,
  system_prompt: text,
  post_history_instructions: text,
  alternate_greetings: textList,
  tags: textList,
  creator: text,
  character_version: text,
  extensions,
};

const cardDataV3Additions = {
  assets: z.array(CardAssetSchema).optional(),
  nickname: z.string().nullish(),
  creator_notes_multilingual: z.record(z.string(), z.string()).optional(),
  source: z.array(z.string()).optional(),
  creation_date: z.number().nullish(),
  modification_date: z.number().nullish(),
};

export const CardDataV2Schema = z.looseObject({ ...cardDataV2Shape, character_book: LorebookV2Schema.optional() });

/**
 * Card data as held after import, whatever spec it came in: the V3 shape, with V3's additions
 * optional so that a V2 card exported again as V2 comes out as it went in.
 */
export const CardDataSchema = z.looseObject({
  ...cardDataV2Shape,
  ...cardDataV3Additions,
  group_only_greetings: z.array(z.string()).optional(),
  character_book: LorebookSchema.optional(),
});

export const CardDataV3Schema = z.looseObject({
  ...cardDataV2Shape,
  ...cardDataV3Additions,
  group_only_greetings: textList,
  character_book: LorebookV3Schema.optional(),
});

export const CardV2Schema = z.looseObject({
  spec: z.literal('chara_card_v2'),
  spec_version: z.string().default('2.0'),
  data: CardDataV2Schema,
});

/**
 * `spec_version` is a float in a string; V3 says newer versions should still be imported, so
 * anything from 3.0 up is read (SillyTavern's validator takes 3.x only).
 */
export const V3SpecVersionSchema = z
  .string()
  .refine((version) => Number.parseFloat(version) >= 3, { message: 'spec_version must be "3.0" or later' });

export const CardV3Schema = z.looseObject({
  spec: z.literal('chara_card_v3'),
  spec_version: V3SpecVersionSchema,
  data: CardDataV3Schema,
});

/** The flat legacy card (TavernAI / V1), with the extras SillyTavern reads from it. */
export const CardV1Schema = z.looseObject({
  name: z.string(),
  description: text,
  personality: text,
  scenario: text,
  first_mes: text,
  mes_example: text,
  creatorcomment: z.string().optional(),
  creator_notes: z.string().optional(),
  creator: z.string().optional(),
  /** SillyTavern accepts tags as a comma-separated string in V1 files. */
  tags: z.union([z.array(z.string()), z.string()]).optional(),
});

export type LorebookEntry = z.output<typeof LorebookEntrySchema>;
export type Lorebook = z.output<typeof LorebookSchema>;
export type LorebookV3 = z.output<typeof LorebookV3Schema>;
export type CardAsset = z.output<typeof CardAssetSchema>;
export type CardData = z.output<typeof CardDataSchema>;
export type CardDataV2 = z.output<typeof CardDataV2Schema>;
export type CardDataV3 = z.output<typeof CardDataV3Schema>;
export type CharacterCardV1 = z.output<typeof CardV1Schema>;
export type CharacterCardV2 = z.output<typeof CardV2Schema>;
export type CharacterCardV3 = z.output<typeof CardV3Schema>;
