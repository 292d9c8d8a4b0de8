import { z } from 'zod';
import { isCssColor } from './css-color.js';
import { AVATAR_EXPRESSIONS, type AvatarExpression } from './expressions.js';

/** Upper bounds on every persona text, in characters. Exported so editors can show counters. */
export const PROFILE_LIMITS = {
  name: 80,
  tagline: 160,
  // Shared character cards often carry long descriptions.
  description: 16_000,
  personality: 8000,
  scenario: 8000,
  speakingStyle: 2000,
  greeting: 2000,
  alternateGreetings: 20,
  exampleDialogues: 16_000,
  systemTemplate: 20_000,
  postHistoryInstructions: 4000,
  imageUrl: 2048,
  lorebookJson: 1_000_000,
  extensionsJson: 100_000,
} as const;

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
const requiredText = (max: number) => text(max).min(1, 'must not be empty');

const slug = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,63}$/,
    'must be 1-64 lower-case letters, digits or dashes, starting with a letter or digit',
  );

const language = z
  .string()
  .trim()
  .max(35, 'must be at most 35 characters')
  .transform((tag, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical) return canonical;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: `"${tag}" is not a BCP-47 language tag like "en" or "pt-BR"` });
    return z.NEVER;
  });

const trait = z.number().int('must be a whole number').min(0, 'must be 0-100').max(100, 'must be 0-100');

/** Big Five scores, 0-100; 50 is the population middle and adds no instruction. */
export const BigFiveTraitsSchema = z.object({
  openness: trait.default(50),
  conscientiousness: trait.default(50),
  extraversion: trait.default(50),
  agreeableness: trait.default(50),
  neuroticism: trait.default(50),
});
/** Some of the scores, no defaults (zod's `.partial()` would still fill them in). */
const BigFiveTraitsDraftSchema = z
  .object({ openness: trait, conscientiousness: trait, extraversion: trait, agreeableness: trait, neuroticism: trait })
  .partial();
export type BigFiveTraits = z.infer<typeof BigFiveTraitsSchema>;

const cssColor = z
  .string()
  .trim()
  .max(80, 'must be at most 80 characters')
  .refine(isCssColor, 'must be a CSS colour such as #1a73e8, rgb(26 115 232) or teal');

/** Widget colours; each falls back to the widget's theme when absent. */
export const AvatarColorsSchema = z.object({
  accent: cssColor.optional(),
  background: cssColor.optional(),
  text: cssColor.optional(),
});

/** An http(s) URL, or an asset this server stores (`/v1/assets/<id>`, e.g. a card's picture). */
const imageUrl = z.union(
  [
    z
      .url({ protocol: /^https?$/ })
      .max(PROFILE_LIMITS.imageUrl, `must be at most ${PROFILE_LIMITS.imageUrl} characters`),
    z.string().regex(/^\/v1\/assets\/[A-Za-z0-9_-]{1,64}$/),
  ],
  { error: 'must be an http(s) URL or a stored asset path (/v1/assets/<id>)' },
);

const optionalImageUrl = imageUrl.optional();
/** One image per expression; missing ones fall back to `neutral` (see `imageForExpression`). */
export const AvatarImagesSchema = z.strictObject(
  Object.fromEntries(AVATAR_EXPRESSIONS.map((expression) => [expression, optionalImageUrl])) as Record<
    AvatarExpression,
    typeof optionalImageUrl
  >,
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown expression ${issue.keys.map((key) => `"${key}"`).join(', ')}; use ${AVATAR_EXPRESSIONS.join(', ')}`
        : undefined,
  },
);

const shift = z.number().min(0, 'must be 0-1').max(1, 'must be 0-1');
const adaptationFields = {
  enabled: z.boolean(),
  maxWarmthShift: shift,
  allowBrevity: z.boolean(),
  maxBrevityShift: shift,
  maxFormalityShift: shift,
  maxEnergyShift: shift,
  /** A detected emotion counts only at or above this intensity. */
  emotionThreshold: z.number().min(0, 'must be 0-1').max(1, 'must be 0-1'),
  /** How much each calm turn moves a shifted dimension back toward neutral. */
  decayPerTurn: z.number().min(0.05, 'must be 0.05-1').max(1, 'must be 0.05-1'),
};

/**
 * How far the avatar may drift from its authored tone while adapting to a visitor. Shifts are on
 * a -1..1 scale per dimension; 0 turns a dimension off.
 */
export const AdaptationBoundsSchema = z.object({
  enabled: adaptationFields.enabled.default(true),
  maxWarmthShift: adaptationFields.maxWarmthShift.default(0.6),
  allowBrevity: adaptationFields.allowBrevity.default(true),
  maxBrevityShift: adaptationFields.maxBrevityShift.default(0.6),
  maxFormalityShift: adaptationFields.maxFormalityShift.default(0.4),
  maxEnergyShift: adaptationFields.maxEnergyShift.default(0.4),
  emotionThreshold: adaptationFields.emotionThreshold.default(0.6),
  decayPerTurn: adaptationFields.decayPerTurn.default(0.2),
});
/** Some of the bounds, no defaults. */
const AdaptationBoundsDraftSchema = z.object(adaptationFields).partial();
export type AdaptationBounds = z.infer<typeof AdaptationBoundsSchema>;

/** The bounds used when an avatar sets none. */
export const DEFAULT_ADAPTATION_BOUNDS: AdaptationBounds = AdaptationBoundsSchema.parse({});

const jsonObject = (max: number, what: string) =>
  z.record(z.string(), z.unknown()).refine((value) => {
    try {
      return JSON.stringify(value).length <= max;
    } catch {
      return false;
    }
  }, `${what} must be JSON of at most ${max} characters`);

const fields = {
  name: requiredText(PROFILE_LIMITS.name),
  tagline: text(PROFILE_LIMITS.tagline),
  description: text(PROFILE_LIMITS.description),
  personality: text(PROFILE_LIMITS.personality),
  scenario: text(PROFILE_LIMITS.scenario),
  speakingStyle: text(PROFILE_LIMITS.speakingStyle),
  greeting: requiredText(PROFILE_LIMITS.greeting),
  alternateGreetings: z
    .array(requiredText(PROFILE_LIMITS.greeting))
    .max(PROFILE_LIMITS.alternateGreetings, `at most ${PROFILE_LIMITS.alternateGreetings} alternate greetings`),
  /** SillyTavern-style example chats: `<START>` blocks of `{{user}}:` / `{{char}}:` lines. */
  exampleDialogues: text(PROFILE_LIMITS.exampleDialogues),
  language,
  templateId: slug,
  /** A Liquid template for the system message; see `compileSystemTemplate`. */
  systemTemplate: text(PROFILE_LIMITS.systemTemplate),
  /** Sent after the conversation history (SillyTavern's "jailbreak"/post-history slot). */
  postHistoryInstructions: text(PROFILE_LIMITS.postHistoryInstructions),
  colors: AvatarColorsSchema,
  images: AvatarImagesSchema,
  /** Opaque here: the cards module owns the lorebook's shape. */
  lorebook: jsonObject(PROFILE_LIMITS.lorebookJson, 'the lorebook'),
  extensions: jsonObject(PROFILE_LIMITS.extensionsJson, 'extensions'),
};

/** An avatar's persona: who it is, how it speaks, how it looks, and how far it may adapt. */
export const AvatarProfileSchema = z.object({
  name: fields.name,
  tagline: fields.tagline.optional(),
  description: fields.description.default(''),
  personality: fields.personality.default(''),
  scenario: fields.scenario.default(''),
  speakingStyle: fields.speakingStyle.default(''),
  greeting: fields.greeting,
  alternateGreetings: fields.alternateGreetings.default([]),
  exampleDialogues: fields.exampleDialogues.default(''),
  language: fields.language.default('en'),
  traits: BigFiveTraitsSchema.prefault({}),
  templateId: fields.templateId.optional(),
  systemTemplate: fields.systemTemplate.optional(),
  postHistoryInstructions: fields.postHistoryInstructions.optional(),
  colors: fields.colors.optional(),
  images: fields.images.optional(),
  adaptation: AdaptationBoundsSchema.optional(),
  lorebook: fields.lorebook.optional(),
  extensions: fields.extensions.optional(),
});
/** A parsed profile, defaults filled in. */
export type AvatarProfile = z.infer<typeof AvatarProfileSchema>;
/** What `AvatarProfileSchema` accepts. */
export type AvatarProfileInput = z.input<typeof AvatarProfileSchema>;

/**
 * Any part of a profile, without defaults: what a template supplies and what an edit sends.
 * Nested objects are partial too (a template can set just `traits.extraversion`).
 */
export const AvatarProfileDraftSchema = z.object({
  name: fields.name.optional(),
  tagline: fields.tagline.optional(),
  description: fields.description.optional(),
  personality: fields.personality.optional(),
  scenario: fields.scenario.optional(),
  speakingStyle: fields.speakingStyle.optional(),
  greeting: fields.greeting.optional(),
  alternateGreetings: fields.alternateGreetings.optional(),
  exampleDialogues: fields.exampleDialogues.optional(),
  language: fields.language.optional(),
  traits: BigFiveTraitsDraftSchema.optional(),
  templateId: fields.templateId.optional(),
  systemTemplate: fields.systemTemplate.optional(),
  postHistoryInstructions: fields.postHistoryInstructions.optional(),
  colors: fields.colors.optional(),
  images: fields.images.optional(),
  adaptation: AdaptationBoundsDraftSchema.optional(),
  lorebook: fields.lorebook.optional(),
  extensions: fields.extensions.optional(),
});
export type AvatarProfileDraft = z.infer<typeof AvatarProfileDraftSchema>;

/** Optional fields a patch may clear with `null`. */
const CLEARABLE = [
  'tagline',
  'templateId',
  'systemTemplate',
  'postHistoryInstructions',
  'colors',
  'images',
  'adaptation',
  'lorebook',
  'extensions',
] as const;
type Clearable = (typeof CLEARABLE)[number];

/** An edit: every field optional; `null` clears an optional field (e.g. `systemTemplate: null` → default). */
export const AvatarProfilePatchSchema = AvatarProfileDraftSchema.extend({
  tagline: fields.tagline.nullable().optional(),
  templateId: fields.templateId.nullable().optional(),
  systemTemplate: fields.systemTemplate.nullable().optional(),
  postHistoryInstructions: fields.postHistoryInstructions.nullable().optional(),
  colors: fields.colors.nullable().optional(),
  images: fields.images.nullable().optional(),
  adaptation: AdaptationBoundsDraftSchema.nullable().optional(),
  lorebook: fields.lorebook.nullable().optional(),
  extensions: fields.extensions.nullable().optional(),
});
export type AvatarProfilePatch = z.infer<typeof AvatarProfilePatchSchema>;

/**
 * Applies a parsed patch: scalars and arrays replace, `traits`/`colors`/`images`/`adaptation`
 * merge key by key, `null` removes an optional field.
 */
export function applyProfilePatch(profile: AvatarProfile, patch: AvatarProfilePatch): AvatarProfile {
  const next: Record<string, unknown> = { ...profile };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) {
      if ((CLEARABLE as readonly string[]).includes(key)) delete next[key as Clearable];
      continue;
    }
    next[key] = value;
  }
  next.traits = { ...profile.traits, ...patch.traits };
  if (patch.colors) next.colors = { ...profile.colors, ...patch.colors };
  if (patch.images) next.images = { ...profile.images, ...patch.images };
  if (patch.adaptation) next.adaptation = { ...(profile.adaptation ?? DEFAULT_ADAPTATION_BOUNDS), ...patch.adaptation };
  return next as AvatarProfile;
}
