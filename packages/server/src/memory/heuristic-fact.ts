/**
 * What the heuristic extractor's patterns produce: a fact the visitor stated, in two wordings
 * (to the visitor, and of the visitor), with the slot it fills.
 */
import type { MemoryCategory } from '@vibhava/protocol';
import { normalizeMemoryText } from './extraction-types.js';
import { capitalize } from './heuristic-words.js';

/** What a fact is about, as the extraction bench scores it. */
export type FactKind =
  | 'name'
  | 'age'
  | 'birthday'
  | 'location'
  | 'origin'
  | 'work'
  | 'study'
  | 'family'
  | 'pet'
  | 'like'
  | 'dislike'
  | 'allergy'
  | 'diet'
  | 'health'
  | 'preference'
  | 'plan'
  | 'event';

/** A fact a visitor stated about themselves, before it is weighed against what is remembered. */
export interface StatedFact {
  /** What it fills: `name`, `age`, `location`, `like:coffee`, `pet:dog:rex`, `plan:visit japan`… */
  slot: string;
  kind: FactKind;
  category: MemoryCategory;
  /** Said to the visitor, as the memory panel shows it: "You're allergic to walnuts." */
  text: string;
  /** Said of the visitor, naming them, for search: "Priya is allergic to walnuts." */
  canonical: string;
  /** The fact's value, normalised: `berlin`, `34`, `coffee`, `daughter mia`. */
  value: string;
  /** More values of the same kind the one statement holds: "two kids, Leo and Ada". */
  values?: string[];
  /** For plans and events: `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (a week is its Monday). */
  date?: string;
  /**
   * `state`: a plain statement; `switch`: a preference that replaces an earlier one ("now",
   * "instead", "over"); `remove`: an earlier preference no longer holds ("not anymore").
   */
  mode: 'state' | 'switch' | 'remove';
  /** For likes and dislikes: the topic in the visitor's words, e.g. `hiking`. */
  topic?: string;
  /** For a switch: what it replaces, when the visitor said so ("tea over coffee"). */
  replaces?: string;
  reason: string;
}

export interface Speaker {
  /** "Sam" or "the visitor". */
  subject: string;
  at: Date;
  /** The message is written without capitals (or all in capitals): capitals say nothing about names. */
  caseless: boolean;
}

export type Build = (match: RegExpExecArray, rest: string, speaker: Speaker, sentence: string) => StatedFact[];

export interface Pattern {
  pattern: RegExp;
  build: Build;
  /**
   * Also in questions, hypotheticals and reported speech: "can I bring my dog?" still says
   * the visitor has a dog.
   */
  anywhere?: boolean;
}

export interface FactSpec {
  slot: string;
  kind: FactKind;
  category: MemoryCategory;
  you: string;
  they: string;
  value: string;
  reason: string;
  values?: string[];
  date?: string | undefined;
}

export function fact(spec: FactSpec): StatedFact {
  const { you, they, value, values, date, ...rest } = spec;
  return {
    ...rest,
    text: sentence(you),
    canonical: sentence(they),
    value: normalizeMemoryText(value),
    ...(values && values.length > 0 ? { values: values.map(normalizeMemoryText) } : {}),
    ...(date ? { date } : {}),
    mode: 'state',
  };
}

function sentence(text: string): string {
  const trimmed = capitalize(text.trim().replace(/\s+/g, ' '));
  return /[.!?)]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** "Sam" or "The visitor", to start a sentence. */
export function cap(s: Speaker): string {
  return capitalize(s.subject);
}

/** "Sam's" or "The visitor's". */
export function whose(s: Speaker): string {
  return `${cap(s)}'s`;
}
