import { blendedLogits, headLogits, type EmotionEmbeddingHead } from './emotion-embedding-head.js';
import { quantizedHead } from './emotion-embedding-head-file.js';
import { EKMAN_EMOTIONS, EMOTION_LABELS } from './emotion-labels.js';
import { EKMAN_OFFSET, OUTPUT_COUNT, sigmoid } from './emotion-model.js';
import { calibrateOutputs, crossFittedF1, random, targetsOf, type TuneReport } from './emotion-trainer.js';

/** Settings of one head training run. The defaults are the ones the shipped head was trained with. */
export interface HeadTrainOptions {
  readonly hidden: number;
  readonly epochs: number;
  /** Adam step. */
  readonly learningRate: number;
  /** L2 penalty on the two weight matrices (added to the gradient). */
  readonly weightDecay: number;
  /** Fraction of hidden units dropped at random while training. */
  readonly dropout: number;
  readonly batchSize: number;
  /** Candidate weights of the n-gram logit in the blend; the one with the best cross-fitted Ekman macro-F1 on the tuning split wins. */
  readonly ngramWeights: readonly number[];
  /** Seed of initialisation, shuffles and dropout: the same seed and data give the same head. */
  readonly seed: number;
  readonly log?: (line: string) => void;
}

export const DEFAULT_HEAD_TRAIN_OPTIONS: HeadTrainOptions = {
  hidden: 256,
  epochs: 10,
  learningRate: 2e-3,
  weightDecay: 1e-4,
  dropout: 0.1,
  batchSize: 64,
  ngramWeights: [0.4, 0.5, 0.6, 0.7],
  seed: 20200519,
};

/** A training text as the head sees it: its embedding and its gold label ids. */
export interface EmbeddedText {
  readonly embedding: Float32Array;
  readonly labels: readonly number[];
}

/** A tuning text: also the n-gram model's calibrated probabilities (28 labels, then 7 groups). */
export interface TuneText extends EmbeddedText {
  readonly ngram: ArrayLike<number>;
}

/** What head training reports; `ngramWeight` is the blend it chose. */
export interface HeadTuneReport extends TuneReport {
  readonly ngramWeight: number;
}

/** A standard normal draw (Box–Muller) from a uniform source. */
function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/**
 * Trains the head on `train` (sigmoid cross-entropy on all 35 outputs, mini-batch Adam, dropout),
 * quantises it as its file will, then on `tune` (the official dev split, never the test split)
 * chooses the blend weight and fits each output's calibration and threshold. Deterministic for
 * fixed data and options.
 */
export function trainEmbeddingHead(
  embeddingModelId: string,
  train: readonly EmbeddedText[],
  tune: readonly TuneText[],
  overrides: Partial<HeadTrainOptions> = {},
): { head: EmotionEmbeddingHead; report: HeadTuneReport } {
  const options: HeadTrainOptions = { ...DEFAULT_HEAD_TRAIN_OPTIONS, ...overrides };
  const dimensions = train[0]?.embedding.length ?? 0;
  if (dimensions === 0) throw new RangeError('no training texts');
  const weights = fitNetwork(train, dimensions, options);
  const trained = quantizedHead({ ...weights, dimensions, hidden: options.hidden });
  const headOut = tune.map(({ embedding }) => headLogits(trained, embedding));
  const targets = tune.map(({ labels }) => targetsOf(labels));
  let best = { weight: options.ngramWeights[0] ?? 0.5, ekman: -1 };
  for (const weight of options.ngramWeights) {
    const blended = tune.map(({ ngram }, row) => blendedLogits({ ngramWeight: weight }, ngram, headOut[row]!));
    const { labelMacroF1, ekmanMacroF1 } = crossFittedF1(blended, targets);
    options.log?.(
      `blend n-gram weight ${weight}: cross-fitted macro-F1 28 labels ${labelMacroF1.toFixed(4)}, Ekman ${ekmanMacroF1.toFixed(4)}`,
    );
    if (ekmanMacroF1 > best.ekman) best = { weight, ekman: ekmanMacroF1 };
  }
  const blended = tune.map(({ ngram }, row) => blendedLogits({ ngramWeight: best.weight }, ngram, headOut[row]!));
  const { calibrationScale, calibrationShift, thresholds, f1 } = calibrateOutputs(blended, targets);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    head: {
      ...trained,
      embeddingModelId,
      ngramWeight: best.weight,
      calibrationScale,
      calibrationShift,
      thresholds,
    },
    report: {
      ngramWeight: best.weight,
      labelF1: Object.fromEntries(EMOTION_LABELS.map((label, output) => [label, f1[output]!])),
      ekmanF1: Object.fromEntries(EKMAN_EMOTIONS.map((group, k) => [group, f1[EKMAN_OFFSET + k]!])),
      labelMacroF1: mean(f1.slice(0, EKMAN_OFFSET)),
      ekmanMacroF1: mean(f1.slice(EKMAN_OFFSET)),
      crossFitted: crossFittedF1(blended, targets),
    },
  };
}

/** Mini-batch Adam on the mean sigmoid cross-entropy of all outputs, with dropout on the hidden layer. */
function fitNetwork(train: readonly EmbeddedText[], dimensions: number, options: HeadTrainOptions) {
  const { hidden, batchSize, dropout } = options;
  const next = random(options.seed);
  // He initialisation for the ReLU layer, Xavier-like for the output layer.
  const hiddenWeights = Float32Array.from(
    { length: dimensions * hidden },
    () => gaussian(next) * Math.sqrt(2 / dimensions),
  );
  const hiddenBias = new Float32Array(hidden);
  const outputWeights = Float32Array.from(
    { length: hidden * OUTPUT_COUNT },
    () => gaussian(next) * Math.sqrt(1 / hidden),
  );
  const outputBias = new Float32Array(OUTPUT_COUNT);
  const parameters = [hiddenWeights, hiddenBias, outputWeights, outputBias];
  const gradients = parameters.map((values) => new Float32Array(values.length));
  const firstMoments = parameters.map((values) => new Float32Array(values.length));
  const secondMoments = parameters.map((values) => new Float32Array(values.length));
  const decays = [options.weightDecay, 0, options.weightDecay, 0];
  const targets = train.map(({ labels }) => targetsOf(labels));
  const order = Array.from({ length: train.length }, (_, index) => index);
  const activation = new Float32Array(hidden);
  const keep = new Float32Array(hidden);
  const logits = new Float32Array(OUTPUT_COUNT);
  const outputGradient = new Float32Array(OUTPUT_COUNT);
  const hiddenGradient = new Float32Array(hidden);
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let index = order.length - 1; index > 0; index--) {
      const swap = Math.floor(next() * (index + 1));
      [order[index], order[swap]] = [order[swap]!, order[index]!];
    }
    let loss = 0;
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      for (const gradient of gradients) gradient.fill(0);
      for (const item of batch) {
        const embedding = train[item]!.embedding;
        const target = targets[item]!;
        // Forward with dropout (inverted: kept units scaled up so inference needs no change).
        activation.set(hiddenBias);
        for (let input = 0; input < dimensions; input++) {
          const value = embedding[input]!;
          const row = input * hidden;
          for (let unit = 0; unit < hidden; unit++) activation[unit]! += hiddenWeights[row + unit]! * value;
        }
        for (let unit = 0; unit < hidden; unit++) {
          if (activation[unit]! < 0) activation[unit] = 0;
          keep[unit] = next() >= dropout ? 1 / (1 - dropout) : 0;
        }
        logits.set(outputBias);
        for (let unit = 0; unit < hidden; unit++) {
          const value = activation[unit]! * keep[unit]!;
          if (value === 0) continue;
          const row = unit * OUTPUT_COUNT;
          for (let output = 0; output < OUTPUT_COUNT; output++) logits[output]! += outputWeights[row + output]! * value;
        }
        for (let output = 0; output < OUTPUT_COUNT; output++) {
          const probability = sigmoid(logits[output]!);
          const positive = target[output] === 1;
          loss -= Math.log(Math.max(1e-12, positive ? probability : 1 - probability));
          outputGradient[output] = (probability - (positive ? 1 : 0)) / batch.length;
          gradients[3]![output]! += outputGradient[output]!;
        }
        hiddenGradient.fill(0);
        for (let unit = 0; unit < hidden; unit++) {
          const value = activation[unit]! * keep[unit]!;
          if (value === 0) continue;
          const row = unit * OUTPUT_COUNT;
          let back = 0;
          for (let output = 0; output < OUTPUT_COUNT; output++) {
            gradients[2]![row + output]! += outputGradient[output]! * value;
            back += outputGradient[output]! * outputWeights[row + output]!;
          }
          hiddenGradient[unit] = back * keep[unit]!;
          gradients[1]![unit]! += hiddenGradient[unit]!;
        }
        for (let input = 0; input < dimensions; input++) {
          const value = embedding[input]!;
          if (value === 0) continue;
          const row = input * hidden;
          for (let unit = 0; unit < hidden; unit++) gradients[0]![row + unit]! += hiddenGradient[unit]! * value;
        }
      }
      step++;
      const correction1 = 1 - 0.9 ** step;
      const correction2 = 1 - 0.999 ** step;
      parameters.forEach((values, k) => {
        const gradient = gradients[k]!;
        const first = firstMoments[k]!;
        const second = secondMoments[k]!;
        const decay = decays[k]!;
        for (let cell = 0; cell < values.length; cell++) {
          const g = gradient[cell]! + decay * values[cell]!;
          first[cell] = 0.9 * first[cell]! + 0.1 * g;
          second[cell] = 0.999 * second[cell]! + 0.001 * g * g;
          values[cell]! -=
            (options.learningRate * (first[cell]! / correction1)) / (Math.sqrt(second[cell]! / correction2) + 1e-8);
        }
      });
    }
    options.log?.(
      `head epoch ${epoch + 1}/${options.epochs}: mean log-loss per output ${(loss / order.length / OUTPUT_COUNT).toFixed(5)}`,
    );
  }
  return { hiddenWeights, hiddenBias, outputWeights, outputBias };
}
