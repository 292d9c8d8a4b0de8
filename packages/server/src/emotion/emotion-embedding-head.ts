import { OUTPUT_COUNT, sigmoid } from './emotion-model.js';

/**
 * The emotion head over a sentence embedding: a one-hidden-layer network (ReLU) from the
 * embedding to the same 35 outputs as the n-gram model (28 labels, then 7 Ekman groups). Its
 * logits are blended with the n-gram model's calibrated logits, then calibrated (Platt) and
 * thresholded per output, all fitted on held-out data.
 */
export interface EmotionEmbeddingHead {
  /** The embedding model whose vectors the head was trained on; any other is refused. */
  readonly embeddingModelId: string;
  readonly dimensions: number;
  readonly hidden: number;
  /** Row-major `dimensions × hidden`. */
  readonly hiddenWeights: Float32Array;
  readonly hiddenBias: Float32Array;
  /** Row-major `hidden × OUTPUT_COUNT`. */
  readonly outputWeights: Float32Array;
  readonly outputBias: Float32Array;
  /** Blended logit = ngramWeight · logit(n-gram probability) + (1 − ngramWeight) · head logit. */
  readonly ngramWeight: number;
  /** Per output: calibrated probability = sigmoid(scale · blended logit + shift). */
  readonly calibrationScale: Float32Array;
  readonly calibrationShift: Float32Array;
  /** Per output: the calibrated probability at and above which the output counts as present. */
  readonly thresholds: Float32Array;
}

type HeadWeights = Pick<
  EmotionEmbeddingHead,
  'dimensions' | 'hidden' | 'hiddenWeights' | 'hiddenBias' | 'outputWeights' | 'outputBias'
>;

/** The head's raw logits for one embedding; `hiddenOut` receives the hidden activations (for training). */
export function headLogits(
  head: HeadWeights,
  embedding: Float32Array,
  out = new Float32Array(OUTPUT_COUNT),
  hiddenOut = new Float32Array(head.hidden),
): Float32Array {
  const { dimensions, hidden, hiddenWeights, outputWeights } = head;
  hiddenOut.set(head.hiddenBias);
  for (let input = 0; input < dimensions; input++) {
    const value = embedding[input]!;
    if (value === 0) continue;
    const row = input * hidden;
    for (let unit = 0; unit < hidden; unit++) hiddenOut[unit]! += hiddenWeights[row + unit]! * value;
  }
  out.set(head.outputBias);
  for (let unit = 0; unit < hidden; unit++) {
    const activation = hiddenOut[unit]! > 0 ? hiddenOut[unit]! : 0;
    hiddenOut[unit] = activation;
    if (activation === 0) continue;
    const row = unit * OUTPUT_COUNT;
    for (let output = 0; output < OUTPUT_COUNT; output++) out[output]! += outputWeights[row + output]! * activation;
  }
  return out;
}

/** logit(p), with p kept inside (1e-6, 1 − 1e-6). */
export function logit(probability: number): number {
  const p = Math.min(1 - 1e-6, Math.max(1e-6, probability));
  return Math.log(p / (1 - p));
}

/** Blended, uncalibrated logits: the n-gram model's calibrated probabilities with the head's logits. */
export function blendedLogits(
  head: Pick<EmotionEmbeddingHead, 'ngramWeight'>,
  ngramProbabilities: ArrayLike<number>,
  headLogit: Float32Array,
  out = new Float32Array(OUTPUT_COUNT),
): Float32Array {
  const weight = head.ngramWeight;
  for (let output = 0; output < OUTPUT_COUNT; output++) {
    out[output] = weight * logit(ngramProbabilities[output]!) + (1 - weight) * headLogit[output]!;
  }
  return out;
}

/** Calibrated probabilities of every output (in place over `logits`). */
export function calibrateHead(
  head: Pick<EmotionEmbeddingHead, 'calibrationScale' | 'calibrationShift'>,
  logits: Float32Array,
): Float32Array {
  for (let output = 0; output < OUTPUT_COUNT; output++) {
    logits[output] = sigmoid(head.calibrationScale[output]! * logits[output]! + head.calibrationShift[output]!);
  }
  return logits;
}
