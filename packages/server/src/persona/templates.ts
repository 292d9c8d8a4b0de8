import { z } from 'zod';
import { AvatarProfileDraftSchema, type AvatarProfileDraft } from './avatar-profile.js';
import { BUILT_IN_TEMPLATES, type BUILT_IN_TEMPLATE_IDS } from './built-in-templates.js';

/**
 * A starting point for an avatar: a partial profile plus a name and a description for the
 * picker. Built-in and tenant-defined templates share this shape.
 */
export const PersonalityTemplateSchema = z.object({
  id: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,63}$/,
      'must be 1-64 lower-case letters, digits or dashes, starting with a letter or digit',
    ),
  name: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters'),
  description: z.string().trim().max(500, 'must be at most 500 characters'),
  profile: AvatarProfileDraftSchema.omit({ templateId: true }),
});
export type PersonalityTemplate = z.infer<typeof PersonalityTemplateSchema>;

/** Ids of the templates every tenant has. */
export type BuiltInTemplateId = (typeof BUILT_IN_TEMPLATE_IDS)[number];

/** The built-in templates, in picker order. */
export function listBuiltInTemplates(): readonly PersonalityTemplate[] {
  return BUILT_IN_TEMPLATES;
}

/** A built-in template by id, or undefined. */
export function getBuiltInTemplate(id: string): PersonalityTemplate | undefined {
  return BUILT_IN_TEMPLATES.find((template) => template.id === id);
}

/**
 * Starts a profile from a template: `overrides` win, nested objects (`traits`, `colors`, …)
 * merge key by key, arrays are replaced, and `templateId` records where it came from. The
 * result is a draft: parse it with `AvatarProfileSchema` (a template need not carry every
 * required field).
 */
export function applyTemplate(template: PersonalityTemplate, overrides: AvatarProfileDraft = {}): AvatarProfileDraft {
  const merged = mergeDeep(template.profile, overrides) as AvatarProfileDraft;
  return { ...merged, templateId: template.id };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function mergeDeep(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeDeep(current, value) : value;
  }
  return out;
}
