import { DEFAULT_FEATURE_OPTIONS, extractFeatures, type FeatureOptions } from './emotion-features.js';
import { ekmanIndices, EMOTION_LABELS, EKMAN_EMOTIONS } from './emotion-labels.js';
import { bestF1Threshold, f1Score } from './emotion-metrics.js';
import {
  EKMAN_OFFSET,
  logits,
  OUTPUT_COUNT,
  sigmoid,
  vectorize,
  type EmotionModel,
  type SparseVector,
} from './emotion-model.js';
import type { LabelledText } from './goemotions-tsv.js';
import { decodeEmotionModel, encodeEmotionModel } from './emotion-model-file.js';

/** Settings of one training run. The defaults are the ones the shipped weights were trained with. */
export interface TrainOptions {
  readonly features: FeatureOptions;
  /** Keep a feature only when at least this many training texts have it. */
  readonly minDocumentFrequency: number;
  readonly epochs: number;
  /** AdaGrad base step. */
  readonly learningRate: number;
  /** L2 penalty of the 28 label outputs, applied to a weight each time its feature is seen. */
  readonly l2: number;
  /** The same for the 7 Ekman outputs, which gain from stronger smoothing. */
  readonly ekmanL2: number;
  /** Weight of a positive example relative to a negative one (helps the rare labels). */
  readonly positiveWeight: number;
  /** Seed of the per-epoch shuffle; the same seed and data give the same model, bit for bit. */
  readonly seed: number;
  readonly log?: (line: string) => void;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  features: DEFAULT_FEATURE_OPTIONS,
  minDocumentFrequency: 3,
  epochs: 4,
  learningRate: 0.2,
  l2: 3e-3,
  ekmanL2: 1e-2,
  positiveWeight: 1,
  seed: 20200519,
};

/** Deterministic 32-bit PRNG (mulberry32), so training is reproducible byte for byte. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Targets of one text: its 28-label set followed by its Ekman groups, as 0/1 per output. */
export function targetsOf(labels: readonly number[]): Uint8Array {
  const targets = new Uint8Array(OUTPUT_COUNT);
  for (const label of labels) targets[label] = 1;
  for (const group of ekmanIndices(labels)) targets[EKMAN_OFFSET + group] = 1;
  return targets;
}

/** Vocabulary of features seen in at least `minDf` texts, sorted, with smoothed IDF. */
export function buildVocabulary(texts: readonly LabelledText[], options: TrainOptions) {
  const documentFrequency = new Map<string, number>();
  for (const { text } of texts) {
    for (const name of extractFeatures(text, options.features).keys()) {
      documentFrequency.set(name, (documentFrequency.get(name) ?? 0) + 1);
    }
  }
  const vocabulary = [...documentFrequency]
    .filter(([, count]) => count >= options.minDocumentFrequency)
    .map(([name]) => name)
    .sort();
  const idf = Float32Array.from(
    vocabulary,
    (name) => Math.log((1 + texts.length) / (1 + documentFrequency.get(name)!)) + 1,
  );
  return { vocabulary, idf, index: new Map(vocabulary.map((name, position) => [name, position])) };
}

/**
 * One-vs-rest logistic regression for all outputs at once, by per-example AdaGrad with an L2
 * penalty on the weights of the features present ("lazy" L2: a feature's weights shrink when
 * it is seen, which regularises frequent features more, as measured to help here).
 */
export function fitWeights(
  vectors: readonly SparseVector[],
  targets: readonly Uint8Array[],
  size: number,
  options: TrainOptions,
) {
  const weights = new Float32Array(size * OUTPUT_COUNT);
  const squares = new Float32Array(size * OUTPUT_COUNT).fill(1e-8);
  const bias = new Float32Array(OUTPUT_COUNT);
  const biasSquares = new Float32Array(OUTPUT_COUNT).fill(1e-8);
  const l2 = Float32Array.from({ length: OUTPUT_COUNT }, (_, output) =>
    output < EKMAN_OFFSET ? options.l2 : options.ekmanL2,
  );
  const next = random(options.seed);
  const order = Array.from({ length: vectors.length }, (_, index) => index);
  const scratch = new Float32Array(OUTPUT_COUNT);
  const gradient = new Float32Array(OUTPUT_COUNT);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let index = order.length - 1; index > 0; index--) {
      const swap = Math.floor(next() * (index + 1));
      [order[index], order[swap]] = [order[swap]!, order[index]!];
    }
    let loss = 0;
    for (const item of order) {
      const vector = vectors[item]!;
      const target = targets[item]!;
      logits({ weights, bias }, vector, scratch);
      for (let output = 0; output < OUTPUT_COUNT; output++) {
        const probability = sigmoid(scratch[output]!);
        const positive = target[output] === 1;
        loss -= Math.log(Math.max(1e-12, positive ? probability : 1 - probability));
        gradient[output] = positive ? (probability - 1) * options.positiveWeight : probability;
        biasSquares[output]! += gradient[output]! ** 2;
        bias[output]! -= (options.learningRate * gradient[output]!) / Math.sqrt(biasSquares[output]!);
      }
      for (let k = 0; k < vector.indices.length; k++) {
        const row = vector.indices[k]! * OUTPUT_COUNT;
        const value = vector.values[k]!;
        for (let output = 0; output < OUTPUT_COUNT; output++) {
          const cell = row + output;
          const grad = gradient[output]! * value + l2[output]! * weights[cell]!;
          squares[cell]! += grad * grad;
          weights[cell]! -= (options.learningRate * grad) / Math.sqrt(squares[cell]!);
        }
      }
    }
    options.log?.(
      `epoch ${epoch + 1}/${options.epochs}: mean log-loss per output ${(loss / order.length / OUTPUT_COUNT).toFixed(5)}`,
    );
  }
  return { weights, bias };
}

/** Platt scaling: the `scale`, `shift` minimising log-loss of sigmoid(scale·z + shift), by Newton's method. */
export function fitPlatt(logit: ArrayLike<number>, positives: ArrayLike<boolean>): { scale: number; shift: number } {
  let scale = 1;
  let shift = 0;
  for (let iteration = 0; iteration < 50; iteration++) {
    let ga = 0,
      gb = 0,
      haa = 1e-6,
      hab = 0,
      hbb = 1e-6;
    for (let index = 0; index < logit.length; index++) {
      const z = logit[index]!;
      const p = sigmoid(scale * z + shift);
      const residual = p - (positives[index] ? 1 : 0);
      const curvature = Math.max(p * (1 - p), 1e-12);
      ga += residual * z;
      gb += residual;
      haa += curvature * z * z;
      hab += curvature * z;
      hbb += curvature;
    }
    const determinant = haa * hbb - hab * hab;
    if (!(determinant > 0)) break;
    const da = (hbb * ga - hab * gb) / determinant;
    const db = (haa * gb - hab * ga) / determinant;
    scale -= da;
    shift -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { scale, shift };
}

/** What training reports about the held-out (tuning) split. */
export interface TuneReport {
  /** Per-output binary F1 on the tuning split at the chosen thresholds (optimistic: chosen there). */
  readonly labelF1: Record<string, number>;
  readonly ekmanF1: Record<string, number>;
  readonly labelMacroF1: number;
  readonly ekmanMacroF1: number;
  /**
   * Honest estimates: the tuning split halved (odd/even rows), calibration and thresholds fitted
   * on one half and F1 counted on the other, both ways round, counts pooled.
   */
  readonly crossFitted: { readonly labelMacroF1: number; readonly ekmanMacroF1: number };
}

/**
 * Trains on `train` and fits calibration and thresholds on `tune` (GoEmotions' official dev split;
 * never the test split). The weights go through the file format's int8 quantisation before the
 * calibration is fitted, so the returned model is exactly what its weights file will hold.
 * Deterministic for fixed data and options.
 */
export function trainEmotionModel(
  train: readonly LabelledText[],
  tune: readonly LabelledText[],
  overrides: Partial<TrainOptions> = {},
): { model: EmotionModel; report: TuneReport } {
  const options: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...overrides };
  const { vocabulary, idf, index } = buildVocabulary(train, options);
  options.log?.(`vocabulary: ${vocabulary.length} features (document frequency ≥ ${options.minDocumentFrequency})`);
  const vectors = train.map(({ text }) => vectorize(text, options.features, index, idf));
  const targets = train.map(({ labels }) => targetsOf(labels));
  const { weights, bias } = fitWeights(vectors, targets, vocabulary.length, options);
  const uncalibrated: EmotionModel = {
    features: options.features,
    vocabulary,
    idf,
    weights,
    bias,
    calibrationScale: new Float32Array(OUTPUT_COUNT).fill(1),
    calibrationShift: new Float32Array(OUTPUT_COUNT),
    thresholds: new Float32Array(OUTPUT_COUNT).fill(0.5),
  };
  const shipped = decodeEmotionModel(encodeEmotionModel(uncalibrated)).model;
  return fitCalibration(shipped, index, tune);
}

/**
 * Fits each output's Platt calibration and F1-optimal threshold on `tune`, for a model whose
 * weights are final (also after quantisation, so that the shipped numbers are fitted to the
 * shipped weights).
 */
export function fitCalibration(
  model: Pick<EmotionModel, 'features' | 'vocabulary' | 'idf' | 'weights' | 'bias'>,
  index: ReadonlyMap<string, number>,
  tune: readonly LabelledText[],
): { model: EmotionModel; report: TuneReport } {
  const tuneLogits = tune.map(({ text }) => logits(model, vectorize(text, model.features, index, model.idf)));
  const tuneTargets = tune.map(({ labels }) => targetsOf(labels));
  const { calibrationScale, calibrationShift, thresholds, f1 } = calibrateOutputs(tuneLogits, tuneTargets);
  const crossFitted = crossFittedF1(tuneLogits, tuneTargets);
  const labelF1 = Object.fromEntries(EMOTION_LABELS.map((label, output) => [label, f1[output]!]));
  const ekmanF1 = Object.fromEntries(EKMAN_EMOTIONS.map((group, k) => [group, f1[EKMAN_OFFSET + k]!]));
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    model: { ...model, calibrationScale, calibrationShift, thresholds },
    report: {
      labelF1,
      ekmanF1,
      labelMacroF1: mean(f1.slice(0, EKMAN_OFFSET)),
      ekmanMacroF1: mean(f1.slice(EKMAN_OFFSET)),
      crossFitted,
    },
  };
}

/** Two-fold threshold cross-fitting over odd/even rows; per-output counts pooled over both folds. */
export function crossFittedF1(tuneLogits: readonly Float32Array[], tuneTargets: readonly Uint8Array[]) {
  const f1 = new Array<number>(OUTPUT_COUNT).fill(0);
  for (let output = 0; output < OUTPUT_COUNT; output++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const fold of [0, 1]) {
      const fit = tuneLogits.flatMap((_, row) => (row % 2 === fold ? [row] : []));
      const held = tuneLogits.flatMap((_, row) => (row % 2 === fold ? [] : [row]));
      const positives = fit.map((row) => tuneTargets[row]![output] === 1);
      const z = fit.map((row) => tuneLogits[row]![output]!);
      const { scale, shift } = fitPlatt(z, positives);
      const { threshold } = bestF1Threshold(
        z.map((value) => sigmoid(scale * value + shift)),
        positives,
      );
      for (const row of held) {
        const predicted = sigmoid(scale * tuneLogits[row]![output]! + shift) >= threshold;
        const actual = tuneTargets[row]![output] === 1;
        if (predicted && actual) tp++;
        else if (predicted) fp++;
        else if (actual) fn++;
      }
    }
    f1[output] = f1Score(tp, fp, fn);
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return { labelMacroF1: mean(f1.slice(0, EKMAN_OFFSET)), ekmanMacroF1: mean(f1.slice(EKMAN_OFFSET)) };
}

/**
 * Per output: a Platt scaling of the logits and the probability threshold with the best F1 on
 * the tuning rows (shared by the n-gram model and the embedding head).
 */
export function calibrateOutputs(
  logitRows: ReadonlyArray<ArrayLike<number>>,
  targetRows: ReadonlyArray<ArrayLike<number>>,
): { calibrationScale: Float32Array; calibrationShift: Float32Array; thresholds: Float32Array; f1: number[] } {
  const calibrationScale = new Float32Array(OUTPUT_COUNT);
  const calibrationShift = new Float32Array(OUTPUT_COUNT);
  const thresholds = new Float32Array(OUTPUT_COUNT);
  const f1 = new Array<number>(OUTPUT_COUNT).fill(0);
  for (let output = 0; output < OUTPUT_COUNT; output++) {
    const z = logitRows.map((row) => row[output]!);
    const positives = targetRows.map((row) => row[output] === 1);
    const { scale, shift } = fitPlatt(z, positives);
    calibrationScale[output] = scale;
    calibrationShift[output] = shift;
    const best = bestF1Threshold(
      z.map((value) => sigmoid(scale * value + shift)),
      positives,
    );
    thresholds[output] = Math.min(best.threshold, 1);
    f1[output] = best.f1;
  }
  return { calibrationScale, calibrationShift, thresholds, f1 };
}
