/*
 * What a visitor's own words say about the tone they want. Plain patterns, English only for now:
 * cheap enough to run on every turn, and each match is something a person could point to.
 */

const SHORTER = [
  /\btoo long\b/i,
  /\b(?:much |way |a bit )?shorter\b/i,
  /\btl;?\s?dr\b/i,
  /\bbe (?:more )?(?:brief|concise)\b/i,
  /\b(?:keep it|make it) (?:short|brief)\b/i,
  /\bget to the point\b/i,
  /\bin (?:one|a|two|a few) (?:sentence|line|word)s?\b/i,
  /\bless (?:text|detail|words|wordy)\b/i,
  /\btoo (?:wordy|verbose)\b/i,
  /\bshort (?:answers?|replies|version)\b/i,
];

const LONGER = [
  /\btoo short\b/i,
  /\bmore (?:detail|details|depth|information|info)\b/i,
  /\b(?:please )?elaborate\b/i,
  /\bexplain (?:more|further|in detail)\b/i,
  /\b(?:go|tell me) (?:into more|more)\b/i,
];

const MORE_FORMAL = [/\bbe (?:more )?(?:formal|professional)\b/i, /\btoo (?:casual|informal)\b/i];
const LESS_FORMAL = [
  /\b(?:less|not so|no need to be so) formal\b/i,
  /\btoo formal\b/i,
  /\bbe (?:more )?(?:casual|relaxed)\b/i,
  /\b(?:talk|speak) normally\b/i,
];

const CASUAL_MARKERS =
  /\b(?:lol|lmao|haha+|hehe|hey+|yo|gonna|wanna|gotta|u|ur|thx|ty|pls|plz|btw|omg|idk|tbh|ngl|nah|yep|yeah)\b|[\u{1F300}-\u{1FAFF}]|!!|\?\?/iu;
const FORMAL_MARKERS =
  /\b(?:dear|kindly|could you please|would you (?:please|kindly|be so kind)|i would (?:like|appreciate)|regards|sincerely|thank you (?:very much|in advance))\b/i;

const matchesAny = (text: string, patterns: readonly RegExp[]) => patterns.some((pattern) => pattern.test(text));

/** Whether a message or feedback note asks for shorter replies. */
export const asksForShorter = (text: string): boolean => matchesAny(text, SHORTER);

/** Whether it asks for longer, more detailed replies. */
export const asksForLonger = (text: string): boolean => !asksForShorter(text) && matchesAny(text, LONGER);

/** Whether it asks explicitly for a more formal (1) or less formal (-1) register; 0 when neither. */
export function asksForFormality(text: string): -1 | 0 | 1 {
  if (matchesAny(text, LESS_FORMAL)) return -1;
  if (matchesAny(text, MORE_FORMAL)) return 1;
  return 0;
}

/** The register a message is written in, judged by its markers. */
export function registerOf(text: string): 'casual' | 'formal' | 'plain' {
  const casual = CASUAL_MARKERS.test(text);
  const formal = FORMAL_MARKERS.test(text);
  if (casual === formal) return 'plain';
  return casual ? 'casual' : 'formal';
}

/** Feedback reasons, as structured codes or free text. */
export function feedbackAsksForShorter(reason: string): boolean {
  return reason === 'too_long' || asksForShorter(reason);
}

export function feedbackAsksForLonger(reason: string): boolean {
  return reason === 'too_short' || reason === 'not_detailed' || asksForLonger(reason);
}

/** Feedback that the avatar came across as cold or curt. */
export function feedbackAsksForWarmth(reason: string): boolean {
  return (
    ['rude', 'cold', 'unfriendly', 'curt'].includes(reason) || /\b(?:rude|cold|unfriendly|curt|harsh)\b/i.test(reason)
  );
}
