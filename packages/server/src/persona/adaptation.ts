import type { AdaptationBounds } from './avatar-profile.js';
import type { EkmanEmotion } from './expressions.js';
import { toneHint } from './tone-hint.js';
import {
  asksForFormality,
  asksForLonger,
  asksForShorter,
  feedbackAsksForLonger,
  feedbackAsksForShorter,
  feedbackAsksForWarmth,
  registerOf,
} from './tone-signals.js';

export const TONE_DIMENSIONS = ['warmth', 'brevity', 'formality', 'energy'] as const;
/** `warmth` gentler, `brevity` shorter, `formality` more formal, `energy` livelier, when positive. */
export type ToneDimension = (typeof TONE_DIMENSIONS)[number];
/** How far each dimension has moved from the authored tone, -1..1; 0 is the author's tone. */
export type ToneState = Readonly<Record<ToneDimension, number>>;

export const NEUTRAL_TONE: ToneState = { warmth: 0, brevity: 0, formality: 0, energy: 0 };

/** How many recent visitor messages and feedback entries the rules look at. */
export const TONE_WINDOW = 5;

export interface VisitorEmotion {
  /** The detector's own label, e.g. `grief`. */
  label: string;
  ekman: EkmanEmotion;
  /** 0..1. */
  intensity: number;
}

export interface ToneFeedback {
  rating: 'up' | 'down';
  /** A code (`too_long`, `too_short`, `too_formal`, `too_casual`, `rude`) or free text. */
  reason?: string;
  at: Date | string | number;
}

export interface AdaptToneInput {
  bounds: AdaptationBounds;
  visitorEmotion?: VisitorEmotion;
  /** This conversation's recent feedback, any order. */
  recentFeedback: readonly ToneFeedback[];
  /** The visitor's recent messages, oldest first. */
  recentVisitorMessages: readonly string[];
  /** The state after the previous turn; neutral when absent. */
  previous?: ToneState;
}

export interface ToneChange {
  dimension: ToneDimension;
  from: number;
  to: number;
  reason: string;
}

export interface ToneAdaptation {
  state: ToneState;
  /** A sentence for the system message's `tone` slot; empty when the tone is the author's. */
  hint: string;
  changes: ToneChange[];
}

interface Signal {
  target: number;
  reason: string;
}

const UPSET: readonly EkmanEmotion[] = ['sadness', 'fear', 'anger'];
const EXCITED: readonly EkmanEmotion[] = ['joy', 'surprise'];
const round = (value: number) => Math.round(value * 100) / 100;
const times = (count: number) => `${count}×`;

/**
 * Adapts the avatar's tone for the next reply: pure rules over the visitor's emotion, feedback
 * and wording. Each dimension moves toward what the signals ask for, never past the author's
 * bounds, and eases back toward the authored tone on turns without a signal.
 */
export function adaptTone(input: AdaptToneInput): ToneAdaptation {
  const { bounds } = input;
  const previous = input.previous ?? NEUTRAL_TONE;
  const limits: ToneState = bounds.enabled
    ? {
        warmth: bounds.maxWarmthShift,
        brevity: bounds.allowBrevity ? bounds.maxBrevityShift : 0,
        formality: bounds.maxFormalityShift,
        energy: bounds.maxEnergyShift,
      }
    : NEUTRAL_TONE;
  const signals = bounds.enabled ? readSignals(input) : {};
  const state: Record<ToneDimension, number> = { ...NEUTRAL_TONE };
  const changes: ToneChange[] = [];
  for (const dimension of TONE_DIMENSIONS) {
    const from = previous[dimension];
    const limit = limits[dimension];
    const { to, reason } = step(from, signals[dimension], limit, bounds.decayPerTurn, bounds.enabled);
    state[dimension] = to;
    if (to !== from) changes.push({ dimension, from, to, reason });
  }
  return { state, hint: toneHint(state), changes };
}

function step(from: number, signal: Signal | undefined, limit: number, decay: number, enabled: boolean) {
  if (!enabled) return { to: 0, reason: 'tone adaptation is turned off for this avatar' };
  if (limit === 0) return { to: 0, reason: "the author doesn't allow adapting this" };
  if (!signal) {
    const eased = Math.sign(from) * Math.max(0, Math.abs(from) - decay);
    return {
      to: round(Math.max(-limit, Math.min(limit, eased))),
      reason: 'a calm turn: easing back toward the usual tone',
    };
  }
  const keep = Math.sign(from) === Math.sign(signal.target) && Math.abs(from) >= Math.abs(signal.target);
  const wanted = keep ? from : signal.target;
  const to = round(Math.max(-limit, Math.min(limit, wanted)));
  const capped = Math.abs(wanted) > limit ? `; capped at the author's limit of ${limit}` : '';
  return { to, reason: signal.reason + capped };
}

function readSignals(input: AdaptToneInput): Partial<Record<ToneDimension, Signal>> {
  const messages = input.recentVisitorMessages.slice(-TONE_WINDOW);
  const feedback = [...input.recentFeedback]
    .sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime())
    .slice(-TONE_WINDOW)
    .filter((entry) => entry.rating === 'down' && entry.reason);
  const reasons = feedback.map((entry) => entry.reason ?? '');
  const signals: Partial<Record<ToneDimension, Signal>> = {};

  const emotion = input.visitorEmotion;
  const strong = emotion && emotion.intensity >= input.bounds.emotionThreshold ? emotion : undefined;
  const felt = strong && `${strong.label} ${strong.intensity.toFixed(2)}`;
  const coldVotes = reasons.filter(feedbackAsksForWarmth).length;
  const warmth: string[] = [];
  let warmthTarget = 0;
  if (strong && UPSET.includes(strong.ekman)) {
    warmthTarget = strong.intensity;
    warmth.push(`visitor seemed upset (${felt})`);
    signals.energy = { target: -strong.intensity / 2, reason: `visitor seemed upset (${felt}): calmer pacing` };
  } else if (strong && EXCITED.includes(strong.ekman)) {
    signals.energy = { target: strong.intensity / 2, reason: `visitor sounds excited (${felt})` };
  }
  if (coldVotes > 0) {
    warmthTarget = Math.max(warmthTarget, 0.3 * coldVotes);
    warmth.push(`${coldVotes} thumbs-down for coming across as cold`);
  }
  if (warmth.length > 0) signals.warmth = { target: warmthTarget, reason: warmth.join(' and ') };

  const brevity = brevitySignal(messages, reasons);
  if (brevity) signals.brevity = brevity;
  const formality = formalitySignal(messages, reasons);
  if (formality) signals.formality = formality;
  return signals;
}

function brevitySignal(messages: readonly string[], reasons: readonly string[]): Signal | undefined {
  const shorter = messages.filter(asksForShorter).length;
  const longer = messages.filter(asksForLonger).length;
  const shortVotes = reasons.filter(feedbackAsksForShorter).length;
  const longVotes = reasons.filter(feedbackAsksForLonger).length;
  // An explicit request counts fully; one thumbs-down alone is too weak a hint to act on.
  const score = shorter + shortVotes / 2 - (longer + longVotes / 2);
  if (Math.abs(score) < 1) return undefined;
  const direction = Math.sign(score);
  const [asked, votes, what] = direction > 0 ? [shorter, shortVotes, 'shorter'] : [longer, longVotes, 'more detailed'];
  const why: string[] = [];
  if (asked > 0) why.push(`asked for ${what} replies ${times(asked)} in the last ${messages.length} messages`);
  if (votes > 0) why.push(`${votes} thumbs-down for ${direction > 0 ? 'long' : 'thin'} replies`);
  return { target: direction * Math.min(1, 0.3 * Math.abs(score)), reason: why.join(' and ') };
}

function formalitySignal(messages: readonly string[], reasons: readonly string[]): Signal | undefined {
  const explicit =
    messages.reduce((sum, text) => sum + asksForFormality(text), 0) +
    reasons.filter((reason) => reason === 'too_casual').length -
    reasons.filter((reason) => reason === 'too_formal').length;
  if (explicit !== 0) {
    const direction = Math.sign(explicit);
    return {
      target: direction * Math.min(1, 0.5 * Math.abs(explicit)),
      reason: `asked for a ${direction > 0 ? 'more formal' : 'more relaxed'} tone ${times(Math.abs(explicit))}`,
    };
  }
  const registers = messages.map(registerOf);
  const casual = registers.filter((register) => register === 'casual').length;
  const formal = registers.filter((register) => register === 'formal').length;
  if (casual >= 2 && casual > formal) {
    return { target: -0.3, reason: `visitor writes casually (${casual} of the last ${messages.length} messages)` };
  }
  if (formal >= 2 && formal > casual) {
    return { target: 0.3, reason: `visitor writes formally (${formal} of the last ${messages.length} messages)` };
  }
  return undefined;
}
