import type { AvatarProfile } from './avatar-profile.js';
import { expandCardMacros } from './card-macros.js';
import { traitsToStyle } from './traits.js';

/** What the caller knows about this turn; every field optional, slots default to empty. */
export interface SystemMessageContext {
  visitor?: {
    name?: string;
    id?: string;
    verified?: boolean;
    /** Verified identity-token claims; absent for anonymous visitors. */
    claims?: Record<string, unknown>;
  };
  /** Defaults to the current time. */
  now?: Date;
  /** The visitor's locale (BCP-47); defaults to the avatar's language. */
  locale?: string;
  /** IANA time zone; defaults to UTC. */
  timezone?: string;
  /** Slots later features fill; empty strings hide their section in the default template. */
  memories?: string;
  preferences?: string;
  lorebook?: string;
  /** The site's knowledge, one fact a line, when it is small enough to send whole. */
  knowledge?: string;
  /** The tone hint from `adaptTone`. */
  tone?: string;
  /** The visitor's detected emotion, in words. */
  emotion?: string;
}

/** Exactly what a system template sees. Every name here is documented for template authors. */
export interface SystemTemplateVariables {
  avatar: {
    name: string;
    tagline: string;
    description: string;
    personality: string;
    scenario: string;
    speaking_style: string;
    language: string;
    /** The language's English name, e.g. "Brazilian Portuguese" for pt-BR. */
    language_name: string;
    /** The Big Five instructions, one sentence a line. */
    style: string;
    greeting: string;
    example_dialogues: string;
  };
  visitor: { name: string; id: string; verified: boolean; claims: Record<string, unknown> };
  now: string;
  date: string;
  time: string;
  locale: string;
  timezone: string;
  memories: string;
  preferences: string;
  lorebook: string;
  knowledge: string;
  tone: string;
  emotion: string;
}

/** Variable names a template may use, with the keys of the fixed objects; `visitor.claims` is open. */
export const TEMPLATE_VARIABLES = {
  avatar: [
    'name',
    'tagline',
    'description',
    'personality',
    'scenario',
    'speaking_style',
    'language',
    'language_name',
    'style',
    'greeting',
    'example_dialogues',
  ],
  visitor: ['name', 'id', 'verified', 'claims'],
  scalars: [
    'now',
    'date',
    'time',
    'locale',
    'timezone',
    'memories',
    'preferences',
    'lorebook',
    'knowledge',
    'tone',
    'emotion',
  ],
} as const;

/** Builds the template variables for a profile and a turn. */
export function buildTemplateVariables(profile: AvatarProfile, context: SystemMessageContext): SystemTemplateVariables {
  const visitorName = context.visitor?.name?.trim() ?? '';
  const prose = { char: profile.name, user: visitorName || 'the visitor' };
  const dialogue = { char: profile.name, user: visitorName || 'Visitor' };
  const now = context.now ?? new Date();
  const { locale, timezone, date, time } = formatNow(now, context.locale ?? profile.language, context.timezone);
  return {
    avatar: {
      name: profile.name,
      tagline: profile.tagline ?? '',
      description: expandCardMacros(profile.description, prose),
      personality: expandCardMacros(profile.personality, prose),
      scenario: expandCardMacros(profile.scenario, prose),
      speaking_style: expandCardMacros(profile.speakingStyle, prose),
      language: profile.language,
      language_name: languageName(profile.language),
      style: traitsToStyle(profile.traits).join('\n'),
      greeting: expandCardMacros(profile.greeting, prose),
      example_dialogues: expandCardMacros(profile.exampleDialogues, dialogue),
    },
    visitor: {
      name: visitorName,
      id: context.visitor?.id ?? '',
      verified: context.visitor?.verified ?? false,
      claims: { ...context.visitor?.claims },
    },
    now: now.toISOString(),
    date,
    time,
    locale,
    timezone,
    memories: context.memories ?? '',
    preferences: context.preferences ?? '',
    lorebook: context.lorebook ?? '',
    knowledge: context.knowledge ?? '',
    tone: context.tone ?? '',
    emotion: context.emotion ?? '',
  };
}

const formatters = new Map<string, { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();

/** Formats the date and time in the visitor's locale and zone; unknown ones fall back to en/UTC. */
function formatNow(now: Date, wantedLocale: string, wantedZone = 'UTC') {
  const key = `${wantedLocale}|${wantedZone}`;
  let entry = formatters.get(key);
  if (!entry) {
    const locale = safely(() => Intl.getCanonicalLocales(wantedLocale)[0]) ?? 'en';
    const timeZone = safely(() => new Intl.DateTimeFormat('en', { timeZone: wantedZone }).resolvedOptions().timeZone);
    const zone = timeZone ?? 'UTC';
    entry = {
      date: new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: zone }),
      time: new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone: zone }),
    };
    if (formatters.size >= 256) formatters.clear();
    formatters.set(key, entry);
  }
  const options = entry.date.resolvedOptions();
  return {
    locale: options.locale,
    timezone: options.timeZone,
    date: entry.date.format(now),
    time: entry.time.format(now),
  };
}

const languageNames = new Intl.DisplayNames('en', { type: 'language', fallback: 'code' });

function languageName(tag: string): string {
  return safely(() => languageNames.of(tag)) ?? tag;
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
