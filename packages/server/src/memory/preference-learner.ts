import type { PreferenceChange, PreferenceProfile, UpdatePreferencesRequest } from '@vibhava/protocol';
import { findStatedFacts } from './heuristic-extractor.js';

/*
 * How the visitor likes to be answered, learned from what they say and how they vote. Pure
 * functions: a profile in, the new profile and every change (before, after, why) out. Newer
 * evidence wins; the caller keeps the change history.
 */

export const EMPTY_PREFERENCES: PreferenceProfile = Object.freeze({
  replyLength: null,
  formality: null,
  language: null,
  likes: [],
  dislikes: [],
  avoid: [],
  updatedAt: null,
});

/** Learned topics kept per list; the oldest go first. */
export const MAX_LEARNED_TOPICS = 30;

export interface Learned {
  profile: PreferenceProfile;
  changes: PreferenceChange[];
}

export interface FeedbackVote {
  rating: 'up' | 'down';
  /** A code (`too_long`, `too_short`, `too_formal`, `too_casual`…) or free text. */
  reason?: string;
  /** The reasons of the visitor's earlier votes, most recent first, NOT including this one. */
  recentReasons: readonly string[];
}

type Field = PreferenceChange['field'];
type TopicField = 'likes' | 'dislikes' | 'avoid';

/** Reply length, formality, language, likes, dislikes and things to avoid, from one message. */
export function learnFromMessage(profile: PreferenceProfile, text: string, at: string): Learned {
  const draft = new ProfileDraft(profile);
  const length = replyLengthAskedFor(text);
  if (length) draft.set('replyLength', length.value, `said "${length.evidence}"`);
  const formality = formalityAskedFor(text);
  if (formality) draft.set('formality', formality.value, `said "${formality.evidence}"`);
  const language = languageAskedFor(text);
  if (language) draft.set('language', language.value, `said "${language.evidence}"`);
  for (const fact of findStatedFacts(text, { at })) {
    const topic = fact.topic && cleanTopic(fact.topic);
    if (!topic) continue;
    const liked = fact.slot.startsWith('like:');
    if (fact.mode === 'remove') {
      draft.removeTopic('likes', topic, `no longer likes ${topic}`);
    } else if (liked || fact.slot.startsWith('dislike:')) {
      draft.addTopic(liked ? 'likes' : 'dislikes', topic, fact.reason);
      const replaced = fact.replaces && cleanTopic(fact.replaces);
      if (liked && replaced) draft.removeTopic('likes', replaced, `now prefers ${topic} over ${replaced}`);
    }
  }
  for (const topic of topicsToAvoid(text)) draft.addTopic('avoid', topic.value, `said "${topic.evidence}"`);
  return draft.finish('conversation', at);
}

/**
 * Votes change the reply length only when they agree: this vote and at least one recent one
 * (and more of them than the opposite). A single vote changes nothing.
 */
export function learnFromFeedback(profile: PreferenceProfile, vote: FeedbackVote, at: string): Learned {
  const draft = new ProfileDraft(profile);
  const reason = vote.reason?.trim();
  if (reason) {
    for (const rule of FEEDBACK_RULES) {
      if (!rule.matches(reason)) continue;
      const agreeing = 1 + vote.recentReasons.filter(rule.matches).length;
      const opposing = vote.recentReasons.filter(rule.opposes).length;
      if (agreeing >= 2 && agreeing > opposing) {
        draft.set(rule.field, rule.value, `${agreeing} recent votes said ${rule.describe}`);
      }
    }
  }
  return draft.finish('feedback', at);
}

/** The visitor's own edit: fields given are set (null clears), lists replaced, deduplicated. */
export function applyVisitorEdit(profile: PreferenceProfile, edit: UpdatePreferencesRequest, at: string): Learned {
  const draft = new ProfileDraft(profile);
  if (edit.replyLength !== undefined) draft.set('replyLength', edit.replyLength, 'edited by the visitor');
  if (edit.formality !== undefined) draft.set('formality', edit.formality, 'edited by the visitor');
  if (edit.language !== undefined) {
    draft.set('language', edit.language === null ? null : canonicalTag(edit.language), 'edited by the visitor');
  }
  const lists = (['likes', 'dislikes', 'avoid'] as const).filter((field) => edit[field] !== undefined);
  for (const field of lists) draft.setTopics(field, edit[field]!, 'edited by the visitor');
  // A topic the visitor just put in one list leaves the lists it contradicts, unless edited too.
  for (const field of lists) {
    for (const other of CONFLICTS[field]) {
      if (lists.includes(other)) continue;
      for (const topic of edit[field]!) draft.removeTopic(other, topic, `the visitor put it in ${field}`);
    }
  }
  return draft.finish('visitor', at);
}

/** Likes exclude dislikes and things to avoid; disliking something and avoiding it agree. */
const CONFLICTS: Record<TopicField, readonly TopicField[]> = {
  likes: ['dislikes', 'avoid'],
  dislikes: ['likes'],
  avoid: ['likes'],
};

/** A copy of a profile that records what each field was before it first changed, and why. */
class ProfileDraft {
  readonly #original: PreferenceProfile;
  readonly #profile: PreferenceProfile;
  readonly #reasons = new Map<Field, string[]>();

  constructor(profile: PreferenceProfile) {
    this.#original = profile;
    this.#profile = {
      ...profile,
      likes: [...profile.likes],
      dislikes: [...profile.dislikes],
      avoid: [...profile.avoid],
    };
  }

  set<K extends 'replyLength' | 'formality' | 'language'>(field: K, value: PreferenceProfile[K], reason: string): void {
    if (this.#profile[field] === value) return;
    this.#profile[field] = value;
    this.#note(field, reason);
  }

  /** Adds a learned topic (newest last, capped), taking it out of the lists it contradicts. */
  addTopic(field: TopicField, topic: string, reason: string): void {
    for (const other of CONFLICTS[field]) this.removeTopic(other, topic, reason);
    const list = this.#profile[field];
    if (list.some((t) => sameTopic(t, topic))) return;
    list.push(topic);
    list.splice(0, Math.max(0, list.length - MAX_LEARNED_TOPICS));
    this.#note(field, reason);
  }

  removeTopic(field: TopicField, topic: string, reason: string): void {
    const list = this.#profile[field];
    const kept = list.filter((t) => !sameTopic(t, topic));
    if (kept.length === list.length) return;
    this.#profile[field] = kept;
    this.#note(field, reason);
  }

  setTopics(field: TopicField, topics: readonly string[], reason: string): void {
    const unique: string[] = [];
    for (const topic of topics.map(cleanTopic)) {
      if (topic && !unique.some((t) => sameTopic(t, topic))) unique.push(topic);
    }
    this.#profile[field] = unique;
    this.#note(field, reason);
  }

  #note(field: Field, reason: string): void {
    const reasons = this.#reasons.get(field) ?? [];
    if (!reasons.includes(reason)) reasons.push(reason);
    this.#reasons.set(field, reasons);
  }

  finish(source: PreferenceChange['source'], at: string): Learned {
    const changes: PreferenceChange[] = [];
    for (const [field, reasons] of this.#reasons) {
      const before = this.#original[field];
      const after = this.#profile[field];
      if (JSON.stringify(before) === JSON.stringify(after)) continue;
      changes.push({ field, before, after, source, reason: reasons.join('; '), at });
    }
    if (changes.length === 0) return { profile: this.#original, changes };
    return { profile: { ...this.#profile, updatedAt: at }, changes };
  }
}

// ---------------------------------------------------------------------------------------------
// Signals in a message.

interface Signal<T> {
  value: T;
  /** The words that gave it away. */
  evidence: string;
}

const SHORTER =
  /\b(?:keep (?:it|them|things|(?:your|the) (?:answers?|replies|responses|messages?)) (?:short|brief|concise)|(?:be|more) (?:brief|concise|succinct)|shorter (?:answers|replies|responses|messages|please)|(?:answer|reply|respond|write) (?:more )?(?:briefly|shorter|concisely)|tl;?\s?dr|(?:that's|that was|this is|it's|you're being|(?:your|the) (?:answers?|replies|responses|messages?) (?:are|is)) (?:way |much |a bit |a little |far )?too (?:long|wordy|verbose)|less wordy|fewer words|short (?:answers|replies|responses) please|make (?:it|them) shorter|get to the point)\b/i;
const LONGER =
  /\b(?:more (?:detail|details|depth)|in (?:more )?(?:depth|detail)|longer (?:answers|replies|responses|messages)|(?:explain|answer|describe) (?:it |that |this |things )?(?:more fully|further|in (?:more )?(?:depth|detail))|elaborate|(?:that's|that was|it's|(?:your|the) (?:answers?|replies|responses) (?:are|is)) (?:way |much |a bit )?too short|more detailed|go deeper)\b/i;
const MEDIUM = /\b(?:normal|medium|moderate|regular) length\b/i;
const LESS_FORMAL =
  /\b(?:less formal|(?:way |a bit )?too formal|not so formal|no need to be (?:so )?formal|don't be so formal|(?:be|more|sound|talk|speak|write) (?:more )?(?:casual|casually|relaxed|informal|laid[- ]back)|talk (?:to me )?(?:normally|like a friend|like a normal person)|speak normally|you can be casual)\b/i;
const MORE_FORMAL =
  /\b(?:(?:be|sound|talk|speak|write|stay|keep it) (?:more )?(?:formal|formally|professional|professionally)|more (?:formal|professional)|too (?:casual|informal)|less casual)\b/i;
const NEGATED = /\b(?:don't|do not|no need to|not|never|didn't)\s+(?:\w+\s+)?$/i;

function firstSignal<T>(text: string, rules: ReadonlyArray<readonly [RegExp, T]>): Signal<T> | undefined {
  for (const [pattern, value] of rules) {
    const match = pattern.exec(text);
    if (match && !NEGATED.test(text.slice(Math.max(0, match.index - 20), match.index))) {
      return { value, evidence: match[0] };
    }
  }
  return undefined;
}

function replyLengthAskedFor(text: string): Signal<'short' | 'medium' | 'long'> | undefined {
  const short = firstSignal(text, [[SHORTER, 'short' as const]]);
  const long = firstSignal(text, [[LONGER, 'long' as const]]);
  // Asking for both at once says nothing.
  if (short && long) return undefined;
  return short ?? long ?? firstSignal(text, [[MEDIUM, 'medium' as const]]);
}

function formalityAskedFor(text: string): Signal<'casual' | 'formal'> | undefined {
  return firstSignal(text, [
    [LESS_FORMAL, 'casual'],
    [MORE_FORMAL, 'formal'],
  ]);
}

/** Language names, English and their own, by BCP 47 tag. */
const LANGUAGES: Record<string, readonly string[]> = {
  en: ['english', 'englisch', 'inglés', 'ingles', 'anglais', 'inglese'],
  de: ['german', 'deutsch', 'alemán', 'aleman', 'allemand', 'tedesco'],
  es: ['spanish', 'español', 'espanol', 'castellano', 'spanisch', 'espagnol'],
  fr: ['french', 'français', 'francais', 'französisch', 'francés'],
  it: ['italian', 'italiano', 'italienisch'],
  'pt-BR': ['brazilian portuguese', 'português brasileiro', 'português do brasil'],
  pt: ['portuguese', 'português', 'portugues'],
  nl: ['dutch', 'nederlands', 'het nederlands', 'niederländisch'],
  pl: ['polish', 'polski', 'polsku'],
  ru: ['russian', 'русский', 'русском', 'по-русски', 'russisch'],
  uk: ['ukrainian', 'українська', 'українською'],
  ja: ['japanese', '日本語'],
  'zh-Hant': ['traditional chinese'],
  zh: ['chinese', 'mandarin', 'simplified chinese', '中文', '汉语', '普通话'],
  ko: ['korean', '한국어'],
  hi: ['hindi', 'हिन्दी', 'हिंदी'],
  ar: ['arabic', 'العربية'],
  tr: ['turkish', 'türkçe', 'turkce'],
  sv: ['swedish', 'svenska'],
  no: ['norwegian', 'norsk'],
  da: ['danish', 'dansk'],
  fi: ['finnish', 'suomi', 'suomeksi'],
  el: ['greek', 'ελληνικά'],
  cs: ['czech', 'čeština', 'česky'],
  hu: ['hungarian', 'magyar', 'magyarul'],
  ro: ['romanian', 'română', 'romana'],
  he: ['hebrew', 'עברית'],
  vi: ['vietnamese', 'tiếng việt'],
  th: ['thai', 'ภาษาไทย'],
  id: ['indonesian', 'bahasa indonesia'],
  ms: ['malay', 'bahasa melayu'],
  fil: ['filipino', 'tagalog'],
  ca: ['catalan', 'català'],
  bn: ['bengali', 'bangla', 'বাংলা'],
  ur: ['urdu', 'اردو'],
  fa: ['persian', 'farsi', 'فارسی'],
  sw: ['swahili', 'kiswahili'],
  hr: ['croatian', 'hrvatski'],
  sr: ['serbian', 'srpski'],
  bg: ['bulgarian', 'български'],
  sk: ['slovak', 'slovenčina'],
  ta: ['tamil'],
  cy: ['welsh', 'cymraeg'],
  ga: ['irish'],
};
const NAMES = Object.entries(LANGUAGES)
  .flatMap(([tag, names]) => names.map((name) => [name, tag] as const))
  .sort((a, b) => b[0].length - a[0].length);
const NAME_PATTERN = NAMES.map(([name]) => escape(name)).join('|');
/** Names in English; "in Italian" needs a request around it, "in italiano" does not. */
const ENGLISH_NAMES = new Set(Object.values(LANGUAGES).map((names) => names[0]));
const edge = (body: string) => new RegExp(`(?<![\\p{L}\\p{M}])(?:${body})(?![\\p{L}\\p{M}])`, 'iu');
const REQUESTED_IN = edge(
  `(?:answer|reply|respond|speak|talk|write|chat|continue|say (?:it|that)|tell me|translate (?:it|that|this)?)(?:\\s+(?:to|with)\\s+me)?(?:\\s+only)?(?:\\s+from now on)?\\s+(?:in|into)\\s+(${NAME_PATTERN})`,
);
const SWITCH_TO = edge(`(?:switch|change)(?:\\s+over)?\\s+to\\s+(${NAME_PATTERN})`);
const SPEAK = edge(`(?<!\\b(?:i|i can|you|do you|does it|we|they)\\s)speak\\s+(${NAME_PATTERN})`);
const FOREIGN_PHRASE = edge(`(?:auf|en|em|på|po|na|in|in het|op)\\s+(${NAME_PATTERN})`);
const BARE = new RegExp(
  `^\\s*(?:(?:in|auf|en|em)\\s+)?(${NAME_PATTERN})(?:\\s+(?:please|pls|bitte|por favor|s'il (?:te|vous) plaît|per favore|alsjeblieft|proszę))?[\\s.!]*$`,
  'iu',
);

/** The language the visitor asks to be answered in: a request, an endonym phrase, or just the name. */
function languageAskedFor(text: string): Signal<string> | undefined {
  for (const pattern of [REQUESTED_IN, SWITCH_TO, SPEAK, BARE]) {
    const match = pattern.exec(text);
    if (match) return { value: tagOf(match[1]!), evidence: match[0].trim() };
  }
  const phrase = FOREIGN_PHRASE.exec(text);
  if (phrase && !ENGLISH_NAMES.has(phrase[1]!.toLowerCase())) {
    return { value: tagOf(phrase[1]!), evidence: phrase[0].trim() };
  }
  return undefined;
}

function tagOf(name: string): string {
  const lower = name.toLowerCase();
  return NAMES.find(([n]) => n === lower)?.[1] ?? lower;
}

const AVOID =
  /\b(?:(?:please\s+)?(?:don't|do not|never|stop|quit)\s+(?:ever\s+)?(?:mention(?:ing)?|bring(?:ing)?\s+up|talk(?:ing)?\s+about|ask(?:ing)?(?:\s+me)?\s+about|discuss(?:ing)?|joke\s+about|joking\s+about)|(?:please\s+)?avoid(?:\s+(?:talking about|mentioning|the (?:topic|subject) of))?|let's\s+not\s+(?:talk about|discuss|mention)|i\s+(?:don't|do not)\s+want\s+to\s+(?:talk|hear)\s+about)\s+/gi;
const AVOID_END =
  /[,.;:!?()]|\s(?:but|because|since|please|again|anymore|any more|ever|ok|okay|thanks|thank you|with me|to me|around me|if)\b/i;

/** "don't mention my ex", "please avoid politics" → the topics, in the visitor's words. */
function topicsToAvoid(text: string): Array<Signal<string>> {
  const found: Array<Signal<string>> = [];
  const plain = text.replace(/[’‘]/g, "'");
  for (const match of plain.matchAll(AVOID)) {
    const rest = plain.slice(match.index + match[0].length);
    const cut = AVOID_END.exec(rest);
    const topic = cleanTopic(cut ? rest.slice(0, cut.index) : rest);
    if (!topic || topic.split(/\s+/).length > 6) continue;
    if (
      /^(?:it|that|this|them|those|these|him|her|me|you|anything|everything|something|so much|too much)$/i.test(topic)
    ) {
      continue;
    }
    found.push({ value: topic, evidence: `${match[0]}${topic}`.trim() });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Feedback.

const isCode = (code: string, words: RegExp) => (reason: string) => reason === code || words.test(reason);
const tooLong = isCode('too_long', /\b(?:too long|too wordy|too verbose|shorter|tl;?dr)\b/i);
const tooShort = isCode('too_short', /\b(?:too short|more detail|not detailed|too brief)\b/i);
const tooFormal = isCode('too_formal', /\b(?:too formal|too stiff|less formal)\b/i);
const tooCasual = isCode('too_casual', /\b(?:too casual|too informal|more formal|unprofessional)\b/i);

const FEEDBACK_RULES: ReadonlyArray<{
  field: 'replyLength' | 'formality';
  value: 'short' | 'long' | 'casual' | 'formal';
  matches: (reason: string) => boolean;
  opposes: (reason: string) => boolean;
  describe: string;
}> = [
  { field: 'replyLength', value: 'short', matches: tooLong, opposes: tooShort, describe: 'replies were too long' },
  { field: 'replyLength', value: 'long', matches: tooShort, opposes: tooLong, describe: 'replies were too short' },
  { field: 'formality', value: 'casual', matches: tooFormal, opposes: tooCasual, describe: 'replies were too formal' },
  { field: 'formality', value: 'formal', matches: tooCasual, opposes: tooFormal, describe: 'replies were too casual' },
];

// ---------------------------------------------------------------------------------------------
// Topics.

/** Trimmed, without trailing punctuation, at most 80 characters; empty when nothing is left. */
function cleanTopic(topic: string): string {
  const clean = topic
    .replace(/\s+/g, ' ')
    .replace(/^[\s"'“”‘’]+|[\s"'“”‘’.,;:!?]+$/g, '')
    .trim();
  return clean.length > 80 ? clean.slice(0, 80).trim() : clean;
}

function sameTopic(a: string, b: string): boolean {
  return a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;
}

function canonicalTag(tag: string): string {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? tag;
  } catch {
    return tag;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
