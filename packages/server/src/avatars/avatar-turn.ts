import { createHash } from 'node:crypto';
import type { Emotion } from '@vibhava/protocol';
import { renderSystemMessage, type AvatarProfile, type SystemMessageContext } from '../persona/index.js';
import type { PromptStyle } from '../providers/chat-model.js';

export interface TurnVisitor {
  name?: string | undefined;
  verified: boolean;
  claims?: Record<string, unknown> | undefined;
}

export interface TurnInput {
  /** `avatarId@version`: with the visitor and the day, the key of the cached system message. */
  avatarKey: string;
  profile: AvatarProfile;
  visitor: TurnVisitor;
  timeZone: string;
  now?: Date;
  /** The visitor's emotion in their latest message. */
  visitorEmotion?: Emotion | null | undefined;
  /** The tone hint from `adaptTone` (empty: the authored tone). */
  tone?: string;
  /** Lorebook entries activated by this turn's words. */
  lorebook?: string;
  /** Lorebook entries that are always in (`constant`): part of the stable system message. */
  constantLore?: string;
  /** The answering model's `promptStyle`: `compact` gets the built-in template for small models. */
  style?: PromptStyle;
  /** The site's knowledge, whole (small sites): part of the stable system message. */
  knowledge?: readonly string[] | undefined;
  log?: (message: string, error: unknown) => void;
}

export interface TurnPrompt {
  /** The stable system message: the same text turn after turn (within a day), so prompt caches hold. */
  system: string;
  /** What changes every turn (time, the visitor's emotion, tone, activated lore), sent just before the visitor's message. */
  turnNote: string;
}

/** Slots that change every turn; an author's own template that uses them gets them in place. */
const DYNAMIC_SLOTS = /\b(emotion|tone|lorebook|time|now)\b/;
const systemCache = new Map<string, string>();
const SYSTEM_CACHE_SIZE = 2000;

/**
 * Builds the persona part of a turn's prompt. The system message is rendered once per avatar
 * version, visitor and day and then reused byte for byte, so OpenAI's prompt cache and the local
 * model's KV cache keep matching; the parts that change with every message go into a short note
 * placed right before the visitor's message.
 */
export function composeTurn(input: TurnInput): TurnPrompt {
  const now = input.now ?? new Date();
  const dynamic: Pick<SystemMessageContext, 'emotion' | 'tone' | 'lorebook'> = {
    emotion: input.visitorEmotion ? describeEmotion(input.visitorEmotion) : '',
    tone: input.tone ?? '',
    lorebook: input.lorebook ?? '',
  };
  const knowledge = (input.knowledge ?? []).map((fact) => `- ${fact.replace(/\s+/g, ' ').trim()}`).join('\n');
  const base: SystemMessageContext = {
    visitor: {
      ...(input.visitor.name ? { name: input.visitor.name } : {}),
      verified: input.visitor.verified,
      ...(input.visitor.claims ? { claims: input.visitor.claims } : {}),
    },
    timezone: input.timeZone,
  };
  const style = input.style ?? 'full';
  const options = {
    style,
    onTemplateError: (error: unknown) => input.log?.('The avatar’s system template failed', error),
  };
  const custom = input.profile.systemTemplate;
  if (custom && DYNAMIC_SLOTS.test(custom)) {
    // The author placed the per-turn slots themselves: render it all each turn.
    const lorebook = [input.constantLore, dynamic.lorebook].filter(Boolean).join('\n\n');
    return {
      system: renderSystemMessage(input.profile, { ...base, ...dynamic, lorebook, knowledge, now }, options),
      turnNote: '',
    };
  }
  const day = dayKey(now, input.timeZone);
  const key = [input.avatarKey, style, day, JSON.stringify(base.visitor), input.timeZone, digest(knowledge)].join(
    '\u0000',
  );
  let system = systemCache.get(key);
  if (system === undefined) {
    system = renderSystemMessage(
      input.profile,
      { ...base, now, lorebook: input.constantLore ?? '', knowledge },
      options,
    );
    if (systemCache.size >= SYSTEM_CACHE_SIZE) systemCache.delete(systemCache.keys().next().value!);
    systemCache.set(key, system);
  }
  // A small model gets no time, emotion or tone notes: the caller adds one line of guidance.
  const note = style === 'compact' ? (dynamic.lorebook ?? '') : turnNote(now, input.timeZone, dynamic);
  return { system, turnNote: note };
}

function digest(text: string): string {
  return text ? createHash('sha256').update(text).digest('base64url') : '';
}

function turnNote(now: Date, timeZone: string, slots: { emotion?: string; tone?: string; lorebook?: string }): string {
  const lines = [`(Context for your next reply, not from the visitor. Time now: ${timeOfDay(now, timeZone)}.`];
  if (slots.emotion) lines.push(`The visitor's last message sounds ${slots.emotion}.`);
  if (slots.tone) lines.push(`Tone: ${slots.tone}`);
  if (slots.lorebook) lines.push(`Background knowledge that may help:\n${slots.lorebook}`);
  return `${lines.join('\n')})`;
}

const INTENSITY = ['slightly', 'somewhat', 'clearly', 'strongly'] as const;

/** "strongly grateful (joy)": the label and how strongly, for the model. */
export function describeEmotion(emotion: Emotion): string {
  if (emotion.ekman === 'neutral') return 'neutral';
  const strength = INTENSITY[Math.min(INTENSITY.length - 1, Math.floor(emotion.intensity * INTENSITY.length))];
  return emotion.label === emotion.ekman
    ? `${strength} ${emotion.label}`
    : `${strength} ${emotion.label} (${emotion.ekman})`;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();
const timeFormats = new Map<string, Intl.DateTimeFormat>();

function format(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, options: Intl.DateTimeFormatOptions) {
  let formatter = cache.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-CA', { ...options, timeZone });
    } catch {
      formatter = new Intl.DateTimeFormat('en-CA', { ...options, timeZone: 'UTC' });
    }
    cache.set(timeZone, formatter);
  }
  return formatter;
}

function dayKey(now: Date, timeZone: string): string {
  return format(dayFormats, timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

function timeOfDay(now: Date, timeZone: string): string {
  return format(timeFormats, timeZone, { hour: '2-digit', minute: '2-digit', hour12: false }).format(now);
}
