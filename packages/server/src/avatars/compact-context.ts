import type { ContextMemory } from '../context/index.js';
import type { RetrievedMemory } from '../memory/memory-search.js';
import { compactGuidance, type TurnIntent } from './turn-intent.js';

/**
 * What a small model is given next to the visitor's message: only the few facts that clearly
 * bear on it (a 0.5B model reads every fact it sees as an answer), what is known of the visitor
 * in the third person, and one line of guidance. Thresholds are cosine similarities between the
 * message and each entry (all-MiniLM-L6-v2), set with `pnpm bench replies` on its tuning half.
 */
export interface CompactContextSettings {
  /** A knowledge entry answers a question from this similarity. */
  questionFactAt: number;
  /** Knowledge beside a message that is no question (small talk, feelings) needs this much. */
  otherFactAt: number;
  /** A visitor's fact is brought up from this similarity. */
  visitorFactAt: number;
  /** An episode (a past exchange) is brought up from this similarity. */
  episodeAt: number;
  maxFacts: number;
  maxVisitorFacts: number;
}

export const DEFAULT_COMPACT_SETTINGS: CompactContextSettings = {
  questionFactAt: 0.35,
  otherFactAt: 0.55,
  visitorFactAt: 0.3,
  episodeAt: 0.4,
  maxFacts: 3,
  maxVisitorFacts: 4,
};

export interface CompactContextInput {
  intent: TurnIntent;
  /** The site's knowledge found for the message, best first, with similarities. */
  knowledge: readonly RetrievedMemory[];
  /** Whether the system message already holds all of the knowledge (a small site). */
  wholeKnowledge: boolean;
  /** The site's contact details (a knowledge entry), offered when nothing answers a question. */
  contact?: RetrievedMemory | undefined;
  /** The visitor's memories found for the message, best first. */
  memories: readonly RetrievedMemory[];
  /** For a question about themselves: the visitor's facts, most important first. */
  aboutVisitor?: readonly RetrievedMemory[] | undefined;
  /** Whether the visitor already said something in this conversation. */
  visitorSpoke: boolean;
  avatarName: string;
  settings?: CompactContextSettings;
}

export interface CompactContext {
  /** The knowledge to send with the message (none when the system message holds it all). */
  knowledge: ContextMemory[];
  /** The knowledge that bears on the message, for the reply's trace. */
  relevant: ContextMemory[];
  memories: ContextMemory[];
  /** The guidance line for the turn note ('' for none). */
  guidance: string;
}

/** Chooses and words the entries a small model gets for this message. */
export function compactContext(input: CompactContextInput): CompactContext {
  const settings = input.settings ?? DEFAULT_COMPACT_SETTINGS;
  const factAt = input.intent === 'question' ? settings.questionFactAt : settings.otherFactAt;
  const relevant = input.knowledge
    .filter((entry) => (entry.similarity ?? 0) >= factAt)
    .slice(0, settings.maxFacts)
    .map(asContext);
  const knowledge = input.wholeKnowledge ? [] : [...relevant];
  const offerContact =
    !input.wholeKnowledge && input.intent === 'question' && knowledge.length === 0 && input.contact !== undefined;
  if (offerContact) knowledge.push(asContext(input.contact!));
  const memories = visitorMemories(input, settings).map((memory) => ({
    ...asContext(memory),
    text: memory.kind === 'fact' ? thirdPerson(memory.text) : pastWords(memory.text, input.avatarName),
    shown: memory.text,
  }));
  return {
    knowledge,
    relevant,
    memories,
    guidance: compactGuidance({
      intent: input.intent,
      facts: input.wholeKnowledge ? 'whole' : knowledge.length > 0 && !offerContact,
      knowsVisitor: memories.length > 0 || input.visitorSpoke,
      contact: offerContact,
    }),
  };
}

/**
 * What the visitor told the avatar that bears on the message: their facts first (for a question
 * about themselves, their newest facts whatever they say), then past exchanges that match well
 * and say something no chosen fact came from (any that match, for a question about themselves).
 */
function visitorMemories(input: CompactContextInput, settings: CompactContextSettings): RetrievedMemory[] {
  const aboutMe = input.intent === 'about-me';
  const found = input.memories.filter((m) => m.kind === 'fact' && (m.similarity ?? 0) >= settings.visitorFactAt);
  const facts = aboutMe && input.aboutVisitor ? [...input.aboutVisitor, ...found] : found;
  const chosen: RetrievedMemory[] = [];
  for (const fact of facts) if (!chosen.some((m) => m.id === fact.id)) chosen.push(fact);
  const covered = new Set(chosen.flatMap((m) => m.sourceMessageIds));
  const episodeAt = aboutMe ? settings.visitorFactAt : settings.episodeAt;
  for (const episode of input.memories) {
    if (episode.kind !== 'episode' || (episode.similarity ?? 0) < episodeAt) continue;
    // A fact rarely holds all of its message ("I'm Emma, I'm anxious about dentists" gave only
    // the name): asked about themselves, the visitor gets their own words back too.
    if (!aboutMe && episode.sourceMessageIds.some((id) => covered.has(id))) continue;
    chosen.push(episode);
  }
  return chosen.slice(0, settings.maxVisitorFacts);
}

function asContext(memory: RetrievedMemory): ContextMemory {
  return { id: memory.id, kind: memory.kind, text: memory.text, score: memory.score, occurredAt: memory.occurredAt };
}

const SECOND_PERSON: ReadonlyArray<[RegExp, string]> = [
  [/\byou're\b/gi, "they're"],
  [/\byou are\b/gi, 'they are'],
  [/\byou've\b/gi, "they've"],
  [/\byou'd\b/gi, "they'd"],
  [/\byou'll\b/gi, "they'll"],
  [/\byou were\b/gi, 'they were'],
  [/\byourself\b/gi, 'themselves'],
  [/\byours\b/gi, 'theirs'],
  [/\byour\b/gi, 'their'],
  // "you" after a verb or preposition is an object ("reminds you"); at a clause start, a subject.
  [/(^|[.!?;,]\s*|\b(?:and|but|so|because|when|if|that)\s+)you\b/gi, '$1they'],
  [/\byou\b/gi, 'them'],
];

/**
 * A fact about the visitor as the avatar should read it: "You're allergic to walnuts" (as the
 * visitor's memory panel shows it) is "They're allergic to walnuts" to the model, which would
 * otherwise take "you" for itself.
 */
export function thirdPerson(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECOND_PERSON) out = out.replace(pattern, replacement);
  return out.replace(/(^|[.!?]\s+)(they|their|them)/g, (_, lead: string, word: string) => lead + capitalize(word));
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** An episode ("Visitor: …\nVee: …") as the visitor's own words: 'Earlier they said: "…"'. */
function pastWords(transcript: string, avatarName: string): string {
  const own = `${avatarName}:`;
  const line = transcript.split('\n').find((each) => !each.startsWith(own)) ?? transcript;
  const words = line.replace(/^[^:\n]{1,40}:\s*/, '');
  return `Earlier they said: "${words}"`;
}
