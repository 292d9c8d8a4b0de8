import {
  EKMAN_EMOTIONS,
  EKMAN_INDEX_OF_LABEL,
  EMOTION_LABELS,
  type EkmanEmotion,
  type EmotionLabel,
} from './emotion-labels.js';

/** A label with its calibrated probability. */
export interface EmotionScore {
  readonly label: EmotionLabel;
  readonly probability: number;
}

/** What the classifier says about one message. */
export interface EmotionResult {
  /** The single most likely GoEmotions label, always inside {@link ekman}'s group. */
  readonly label: EmotionLabel;
  /** The Ekman group, from the Ekman head and the 28-label head together (see {@link decideEmotion}). */
  readonly ekman: EkmanEmotion;
  /**
   * 0..1: how surely the message carries {@link ekman}'s emotion, the mean of the two calibrated
   * probabilities that chose it (the Ekman head's and the strongest label's). For a neutral
   * message, half of that score for its strongest non-neutral group, so neutral stays low.
   */
  readonly intensity: number;
  /** Every label at or over its tuned threshold (the multi-label prediction that is evaluated). */
  readonly labels: readonly EmotionLabel[];
  /** Every Ekman group at or over its tuned threshold. */
  readonly ekmanGroups: readonly EkmanEmotion[];
  /** The three labels with the highest calibrated probability, highest first. */
  readonly scores: readonly EmotionScore[];
}

/** Calibrated probabilities of all outputs for one text. */
export interface EmotionProbabilities {
  /** Indexed like {@link EMOTION_LABELS}. */
  readonly labels: Float32Array;
  /** Indexed like {@link EKMAN_EMOTIONS}. */
  readonly ekman: Float32Array;
}

const NEUTRAL_GROUP = EKMAN_EMOTIONS.indexOf('neutral');

/**
 * The answer for one message from its calibrated probabilities and the per-output thresholds (28
 * labels, then 7 groups). `evidence` false (no feature the model knows: empty text, another
 * script, a lone symbol) answers neutral with intensity 0.
 *
 * The single answer: each Ekman group scores the mean of its own head's probability and its
 * strongest label's probability (for neutral, the neutral label); the best group wins and the
 * label is its strongest member. On the official dev split this picks a gold label and a gold
 * group more often than either head alone or a ratio to the thresholds.
 */
export function decideEmotion(
  labelP: Float32Array,
  ekmanP: Float32Array,
  thresholds: Float32Array,
  evidence: boolean,
): EmotionResult {
  const scores = Array.from(labelP, (probability, id) => ({ label: EMOTION_LABELS[id]!, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, 3);
  if (!evidence) {
    return { label: 'neutral', ekman: 'neutral', intensity: 0, labels: ['neutral'], ekmanGroups: ['neutral'], scores };
  }
  const ekmanOffset = EMOTION_LABELS.length;
  const labels = EMOTION_LABELS.filter((_, id) => labelP[id]! >= thresholds[id]!);
  const ekmanGroups = EKMAN_EMOTIONS.filter((_, group) => ekmanP[group]! >= thresholds[ekmanOffset + group]!);
  const strongestLabel = new Array<number>(EKMAN_EMOTIONS.length).fill(-1);
  labelP.forEach((probability, id) => {
    const group = EKMAN_INDEX_OF_LABEL[id]!;
    const best = strongestLabel[group]!;
    if (best < 0 || probability > labelP[best]!) strongestLabel[group] = id;
  });
  const groupScore = (group: number) => (ekmanP[group]! + labelP[strongestLabel[group]!]!) / 2;
  const ekmanIndex = argmax(EKMAN_EMOTIONS.length, groupScore);
  const ekman = EKMAN_EMOTIONS[ekmanIndex]!;
  const label = EMOTION_LABELS[strongestLabel[ekmanIndex]!]!;
  let strongestEmotion = 0;
  for (let group = 0; group < EKMAN_EMOTIONS.length; group++) {
    if (group !== NEUTRAL_GROUP) strongestEmotion = Math.max(strongestEmotion, groupScore(group));
  }
  const intensity = ekmanIndex === NEUTRAL_GROUP ? strongestEmotion / 2 : groupScore(ekmanIndex);
  return { label, ekman, intensity, labels, ekmanGroups, scores };
}

function argmax(length: number, score: (position: number) => number): number {
  let best = 0;
  for (let position = 1; position < length; position++) if (score(position) > score(best)) best = position;
  return best;
}
