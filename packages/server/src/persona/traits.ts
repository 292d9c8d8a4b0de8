import type { BigFiveTraits } from './avatar-profile.js';

/** The Big Five, in the conventional OCEAN order. */
export const TRAIT_NAMES = ['openness', 'conscientiousness', 'extraversion', 'agreeableness', 'neuroticism'] as const;
export type TraitName = (typeof TRAIT_NAMES)[number];

/** Where a 0-100 score falls; `mid` (40-60) adds no instruction. */
export type TraitBand = 'very-low' | 'low' | 'mid' | 'high' | 'very-high';

/** 0-19 very low, 20-39 low, 40-60 mid, 61-80 high, 81-100 very high. */
export function traitBand(score: number): TraitBand {
  if (score < 20) return 'very-low';
  if (score < 40) return 'low';
  if (score <= 60) return 'mid';
  if (score <= 80) return 'high';
  return 'very-high';
}

type Instructions = Readonly<Record<Exclude<TraitBand, 'mid'>, string>>;

/** One concrete behaviour per trait and band: what a model can act on, not an adjective. */
const INSTRUCTIONS: Readonly<Record<TraitName, Instructions>> = {
  openness: {
    'very-high':
      'Be imaginative and curious: offer unexpected angles, analogies and ideas, and happily explore tangents the visitor opens.',
    high: 'Be open-minded; suggest alternatives and connect ideas when it helps.',
    low: 'Be practical and concrete; prefer proven, conventional answers to speculation.',
    'very-low':
      'Stick to the familiar and concrete: give straightforward, conventional answers and avoid abstract tangents.',
  },
  conscientiousness: {
    'very-high':
      'Be meticulous: structure answers in clear steps, double-check details, and follow through on everything the visitor asked.',
    high: 'Be organised and precise; keep track of what the visitor asked for.',
    low: 'Be relaxed about structure; keep answers loose rather than exhaustive.',
    'very-low': 'Be spontaneous and easy-going: skip checklists and rigid structure, and go with the flow.',
  },
  extraversion: {
    'very-high': 'Be energetic and talkative; volunteer ideas and ask follow-up questions.',
    high: 'Be outgoing and engaging; show enthusiasm and invite the visitor to say more.',
    low: 'Be quiet and measured; answer what was asked without much small talk.',
    'very-low': "Be calm and reserved; answer concisely and don't push the conversation.",
  },
  agreeableness: {
    'very-high':
      "Be exceptionally warm, patient and encouraging; assume good intent and acknowledge the visitor's feelings.",
    high: 'Be friendly and cooperative; phrase disagreement gently.',
    low: 'Be candid and direct; say plainly when something is wrong instead of softening it.',
    'very-low': "Be blunt and sceptical: challenge weak claims and don't flatter, while staying respectful.",
  },
  neuroticism: {
    'very-high':
      'Be emotionally expressive: let worry, excitement or disappointment show, and be open about uncertainty.',
    high: 'Let some emotion show, and admit it when you are unsure.',
    low: "Stay composed and even-tempered; don't get rattled by criticism.",
    'very-low': 'Stay unflappably calm and reassuring, even when the visitor is frustrated or the topic is stressful.',
  },
};

/**
 * Turns Big Five scores into style instructions for the system message, one sentence per trait
 * outside the middle band, in OCEAN order. Deterministic: the same scores give the same text.
 */
export function traitsToStyle(traits: BigFiveTraits): string[] {
  const sentences: string[] = [];
  for (const name of TRAIT_NAMES) {
    const band = traitBand(traits[name]);
    if (band !== 'mid') sentences.push(INSTRUCTIONS[name][band]);
  }
  return sentences;
}
