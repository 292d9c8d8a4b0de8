/**
 * The heuristic extractor's patterns, in priority order: first-person statements in English
 * ("I'm Priya", "I love hiking", "my dog is called Rex", "I'm moving to Lisbon next month"),
 * each with how it becomes facts. Where two patterns match the same words, the earlier wins.
 */
import type { Pattern } from './heuristic-fact.js';
import { HEALTH_PATTERNS } from './heuristic-health.js';
import { IDENTITY_PATTERNS } from './heuristic-identity.js';
import { NAME_PATTERNS } from './heuristic-names.js';
import { PREFERENCE_PATTERNS } from './heuristic-preferences.js';
import { RELATION_PATTERNS } from './heuristic-relations.js';
import { TASTE_PATTERNS } from './heuristic-tastes.js';
import { TIME_PATTERNS } from './heuristic-times.js';

export type { FactKind, Speaker, StatedFact } from './heuristic-fact.js';
export { DIET, JOB, PARTNER, stem, topicKey } from './heuristic-words.js';

const ALL: Pattern[] = [
  ...NAME_PATTERNS,
  ...IDENTITY_PATTERNS,
  ...HEALTH_PATTERNS,
  ...RELATION_PATTERNS,
  ...PREFERENCE_PATTERNS,
  ...TASTE_PATTERNS,
  ...TIME_PATTERNS,
];

/** Statements, claimed span by span. */
export const PATTERNS: Pattern[] = ALL.filter((p) => !p.anywhere);

/**
 * Mentions in passing ("ask my wife", "can I bring my dog?"), read in every sentence after the
 * statements, questions included; kept only where no statement already holds the same slot.
 */
export const MENTIONS: Pattern[] = ALL.filter((p) => p.anywhere);
