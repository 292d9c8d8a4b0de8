import { extractFeatures, type FeatureOptions } from './emotion-features.js';
import { EKMAN_EMOTIONS, EMOTION_LABELS } from './emotion-labels.js';

/** Outputs of the model, in order: the 28 GoEmotions labels, then the 7 Ekman groups (own head). */
export const OUTPUT_COUNT = EMOTION_LABELS.length + EKMAN_EMOTIONS.length;
/** Index of the first Ekman output. */
export const EKMAN_OFFSET = EMOTION_LABELS.length;

/**
 * A trained linear emotion model: one logistic regression per output over the same sparse
 * TF-IDF vector (sublinear term frequency × inverse document frequency, L2-normalised), with a
 * Platt calibration and an F1-optimal decision threshold per output, both fitted on held-out data.
 */
export interface EmotionModel {
  readonly features: FeatureOptions;
  /** Feature names; a feature's index is its row in {@link weights}. */
  readonly vocabulary: readonly string[];
  readonly idf: Float32Array;
  /** Row-major `vocabulary.length × OUTPUT_COUNT`. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  /** Per output: calibrated probability = sigmoid(scale · logit + shift). */
  readonly calibrationScale: Float32Array;
  readonly calibrationShift: Float32Array;
  /** Per output: the calibrated probability at and above which the output counts as present. */
  readonly thresholds: Float32Array;
}

/** A text as the model sees it: the indices of its known features and their normalised weights. */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Feature counts → L2-normalised sublinear TF-IDF over the features in `index`. */
export function vectorize(
  text: string,
  features: FeatureOptions,
  index: ReadonlyMap<string, number>,
  idf: Float32Array,
): SparseVector {
  const indices: number[] = [];
  const values: number[] = [];
  let norm = 0;
  for (const [name, count] of extractFeatures(text, features)) {
    const feature = index.get(name);
    if (feature === undefined) continue;
    const value = (1 + Math.log(count)) * idf[feature]!;
    indices.push(feature);
    values.push(value);
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return { indices: Int32Array.from(indices), values: Float32Array.from(values, (value) => value * scale) };
}

/** Raw logits of every output for one vector. */
export function logits(
  model: Pick<EmotionModel, 'weights' | 'bias'>,
  vector: SparseVector,
  out?: Float32Array,
): Float32Array {
  const result = out ?? new Float32Array(OUTPUT_COUNT);
  result.set(model.bias);
  for (let k = 0; k < vector.indices.length; k++) {
    const row = vector.indices[k]! * OUTPUT_COUNT;
    const value = vector.values[k]!;
    for (let output = 0; output < OUTPUT_COUNT; output++) result[output]! += model.weights[row + output]! * value;
  }
  return result;
}

/** Calibrated probabilities of every output, in place over `logit`. */
export function calibrate(model: EmotionModel, logit: Float32Array): Float32Array {
  for (let output = 0; output < OUTPUT_COUNT; output++) {
    logit[output] = sigmoid(model.calibrationScale[output]! * logit[output]! + model.calibrationShift[output]!);
  }
  return logit;
}
