import type { Template } from 'liquidjs';
import type { AvatarProfile } from './avatar-profile.js';
import type { PromptStyle } from '../providers/chat-model.js';
import { COMPACT_SYSTEM_TEMPLATE } from './compact-system-template.js';
import { DEFAULT_SYSTEM_TEMPLATE } from './default-system-template.js';
import { checkVariables, createSandbox, renderWithin } from './liquid-sandbox.js';
import { SANDBOX_LIMITS } from './sandbox-limits.js';
import { templateError, toTemplateError, type TemplateError } from './template-error.js';
import {
  buildTemplateVariables,
  type SystemMessageContext,
  type SystemTemplateVariables,
} from './template-variables.js';

/** A template that parsed, names only known variables, and rendered sample data within the limits. */
export interface CompiledSystemTemplate {
  readonly source: string;
  /** Renders within the sandbox's limits; real data can still break a limit the sample didn't. */
  render(variables: SystemTemplateVariables): SystemMessageResult;
}

export type CompileResult = { ok: true; template: CompiledSystemTemplate } | { ok: false; error: TemplateError };
export type SystemMessageResult = { ok: true; text: string } | { ok: false; error: TemplateError };

/** Sample data for previews: every slot filled so every section shows. */
export const PREVIEW_CONTEXT: SystemMessageContext = {
  visitor: { name: 'Alex', id: 'vis_preview', verified: true, claims: { plan: 'pro' } },
  now: new Date('2025-06-03T14:05:00Z'),
  timezone: 'Europe/London',
  memories: '- Alex is planning a trip to Lisbon in September.\n- Prefers vegetarian food.',
  preferences: '- Likes short answers.',
  lorebook: 'The shop ships to the EU, UK and US; returns are free within 30 days.',
  knowledge: '- Opening hours: Monday to Friday, 9:00 to 18:00.\n- Returns are free within 30 days.',
  tone: 'Be a little gentler and warmer than usual.',
  emotion: 'curious',
};

/** What a template sees when it is checked at save time. Claims are empty, so an unguarded claim fails. */
const TRIAL_VARIABLES: SystemTemplateVariables = {
  avatar: {
    name: 'Sample',
    tagline: 'A sample avatar',
    description: 'A description.',
    personality: 'A personality.',
    scenario: 'A scenario.',
    speaking_style: 'A speaking style.',
    language: 'en',
    language_name: 'English',
    style: 'Be friendly.',
    greeting: 'Hello!',
    example_dialogues: '<START>\nVisitor: Hi\nSample: Hello!',
  },
  visitor: { name: 'Alex', id: 'vis_sample', verified: true, claims: {} },
  now: '2025-06-03T14:05:00.000Z',
  date: 'Tuesday, June 3, 2025',
  time: '2:05 PM',
  locale: 'en',
  timezone: 'UTC',
  memories: 'A memory.',
  preferences: 'A preference.',
  lorebook: 'Some knowledge.',
  knowledge: '- A fact.',
  tone: 'A tone hint.',
  emotion: 'calm',
};

const liquid = createSandbox();
const compiled = new Map<string, CompileResult>();
const CACHE_SIZE = 256;

/**
 * Checks a system template at save time and compiles it: syntax, allowed tags, known variables
 * (by static analysis) and a sample render within the limits. Results are cached by source, so
 * calling this on every message is cheap.
 */
export function compileSystemTemplate(source: string): CompileResult {
  const hit = compiled.get(source);
  if (hit) {
    compiled.delete(source);
    compiled.set(source, hit);
    return hit;
  }
  const result = compile(source);
  if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value as string);
  compiled.set(source, result);
  return result;
}

function compile(source: string): CompileResult {
  if (source.length > SANDBOX_LIMITS.templateChars) {
    return {
      ok: false,
      error: templateError(1, 1, `the template is longer than ${SANDBOX_LIMITS.templateChars} characters`),
    };
  }
  let templates: Template[];
  try {
    templates = liquid.parse(source);
  } catch (error) {
    return { ok: false, error: toTemplateError(error) };
  }
  const unknown = checkVariables(liquid, templates);
  if (unknown) return { ok: false, error: unknown };
  const template: CompiledSystemTemplate = {
    source,
    render(variables) {
      try {
        return { ok: true, text: renderWithin(liquid, templates, variables) };
      } catch (error) {
        return { ok: false, error: toTemplateError(error) };
      }
    },
  };
  const trial = template.render(TRIAL_VARIABLES);
  return trial.ok ? { ok: true, template } : { ok: false, error: trial.error };
}

function builtInTemplate(style: PromptStyle): CompiledSystemTemplate {
  const result = compileSystemTemplate(builtIn(style));
  if (!result.ok) throw new Error(`The built-in system template is broken: ${result.error.message}`);
  return result.template;
}

/** The template an avatar uses: its own when set and not blank, else the built-in one for the style. */
function sourceOf(profile: AvatarProfile, style: PromptStyle = 'full'): string {
  return profile.systemTemplate?.trim() ? profile.systemTemplate : builtIn(style);
}

function builtIn(style: PromptStyle): string {
  return style === 'compact' ? COMPACT_SYSTEM_TEMPLATE : DEFAULT_SYSTEM_TEMPLATE;
}

export interface RenderSystemMessageOptions {
  /** Told when the avatar's own template fails and the built-in one was used instead. */
  onTemplateError?: (error: TemplateError) => void;
  /** Which built-in template an avatar without its own gets (the model's `promptStyle`). Default `full`. */
  style?: PromptStyle;
}

/**
 * The system message for one turn. Never fails a conversation: if the avatar's template breaks
 * on real data it reports through `onTemplateError` and falls back to the built-in template.
 */
export function renderSystemMessage(
  profile: AvatarProfile,
  context: SystemMessageContext = {},
  options: RenderSystemMessageOptions = {},
): string {
  const variables = buildTemplateVariables(profile, context);
  const own = compileSystemTemplate(sourceOf(profile, options.style));
  const result = own.ok ? own.template.render(variables) : own;
  if (result.ok) return result.text;
  options.onTemplateError?.(result.error);
  const fallback = builtInTemplate(options.style ?? 'full').render(variables);
  if (!fallback.ok) throw new Error(`The built-in system template failed: ${fallback.error.message}`);
  return fallback.text;
}

/**
 * For the editor's preview: the system message with sample data (overridable), or the error
 * that saving this profile's template would give. No fallback, so the author sees the problem.
 */
export function previewSystemMessage(
  profile: AvatarProfile,
  sampleContext: SystemMessageContext = {},
): SystemMessageResult {
  const own = compileSystemTemplate(sourceOf(profile));
  if (!own.ok) return own;
  return own.template.render(buildTemplateVariables(profile, { ...PREVIEW_CONTEXT, ...sampleContext }));
}
