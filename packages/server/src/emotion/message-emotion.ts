import type { EmotionResult } from './emotion-decision.js';

/** Feelings a visitor needs met first: one sentence of bad news outweighs a glad one beside it. */
const PRESSING = new Set(['sadness', 'fear', 'anger', 'disgust']);
/** A sentence's pressing feeling counts from this intensity. */
const PRESSING_AT = 0.35;

/**
 * The sentences of a message that can carry a feeling of their own (two words or more), when
 * there are at least two: "My grandmother passed away last week. She loved your cinnamon buns."
 */
export function feelingSentences(text: string): string[] {
  const sentences = text
    .split(/(?<=[.!?…])\s+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.split(/\s+/).length >= 2);
  return sentences.length >= 2 ? sentences : [];
}

/**
 * The reading of a whole message, given its sentences' readings too: the strongest pressing
 * feeling (sadness, fear, anger, disgust) any of them carries clearly, else the whole message's.
 * Read whole, "My grandmother passed away last week. She loved your cinnamon buns." is joy.
 */
export function messageEmotion(whole: EmotionResult, sentences: readonly EmotionResult[]): EmotionResult {
  let pressing: EmotionResult | undefined;
  for (const reading of [whole, ...sentences]) {
    if (!PRESSING.has(reading.ekman) || reading.intensity < PRESSING_AT) continue;
    if (!pressing || reading.intensity > pressing.intensity) pressing = reading;
  }
  return pressing ?? whole;
}
