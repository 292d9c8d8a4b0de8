import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  EKMAN_EMOTIONS,
  EKMAN_INDEX_OF_LABEL,
  EMOTION_LABELS,
  type EkmanEmotion,
  type EmotionLabel,
} from './emotion-labels.js';
import { decodeEmotionModel, EmotionModelFileError } from './emotion-model-file.js';
import { calibrate, EKMAN_OFFSET, logits, OUTPUT_COUNT, vectorize, type EmotionModel } from './emotion-model.js';

/** File name of the shipped weights (trained by `scripts/train-emotion.ts`). */
export const EMOTION_WEIGHTS_FILE = 'goemotions-linear.bin';

/** A label with its calibrated probability. */
export interface EmotionScore {
  readonly label: EmotionLabel;
  readonly probability: number;
}

/** What the classifier says about one message. */
export interface EmotionResult {
  /** The single most likely GoEmotions label, always inside {@link ekman}'s group. */
  readonly label: EmotionLabel;
  /** The Ekman group, from the Ekman head and the 28-label head together (see {@link EmotionClassifier.classify}). */
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

/**
 * A GoEmotions classifier over word and character n-grams: 28 labels and 7 Ekman groups, each a
 * calibrated logistic regression. Pure CPU, no I/O after loading; tens of microseconds a message.
 */
export class EmotionClassifier {
  readonly #model: EmotionModel;
  readonly #index: Map<string, number>;
  readonly #scratch = new Float32Array(OUTPUT_COUNT);

  constructor(model: EmotionModel) {
    this.#model = model;
    this.#index = new Map(model.vocabulary.map((name, position) => [name, position]));
  }

  /** A classifier from the bytes of a weights file. */
  static fromBytes(bytes: Uint8Array): EmotionClassifier {
    return new EmotionClassifier(decodeEmotionModel(bytes).model);
  }

  /** Reads a weights file; by default the one shipped with this package. */
  static async load(path: string = defaultEmotionWeightsPath()): Promise<EmotionClassifier> {
    return EmotionClassifier.fromBytes(await readFile(path));
  }

  /** Calibrated probabilities of every label and Ekman group. */
  probabilities(text: string): EmotionProbabilities {
    const { labels, ekman } = this.#score(text);
    return { labels, ekman };
  }

  #score(text: string): EmotionProbabilities & { features: number } {
    const model = this.#model;
    const vector = vectorize(text, model.features, this.#index, model.idf);
    const probability = calibrate(model, logits(model, vector, this.#scratch));
    return {
      labels: probability.slice(0, EKMAN_OFFSET),
      ekman: probability.slice(EKMAN_OFFSET),
      features: vector.indices.length,
    };
  }

  /**
   * Labels one message. Any string is fine; text with no feature the model knows (empty, only
   * punctuation, another script) comes out neutral with intensity 0.
   *
   * The single answer: each Ekman group scores the mean of its own head's probability and its
   * strongest label's probability (for neutral, the neutral label); the best group wins and the
   * label is its strongest member. On the official dev split this picks a gold label and a gold
   * group more often than either head alone or a ratio to the thresholds.
   */
  classify(text: string): EmotionResult {
    const { labels: labelP, ekman: ekmanP, features } = this.#score(text);
    const scores = Array.from(labelP, (probability, id) => ({ label: EMOTION_LABELS[id]!, probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, 3);
    // Nothing the model knows (empty text, unknown script, a lone symbol): no evidence of any emotion.
    if (features === 0) {
      return {
        label: 'neutral',
        ekman: 'neutral',
        intensity: 0,
        labels: ['neutral'],
        ekmanGroups: ['neutral'],
        scores,
      };
    }
    const thresholds = this.#model.thresholds;
    const labels = EMOTION_LABELS.filter((_, id) => labelP[id]! >= thresholds[id]!);
    const ekmanGroups = EKMAN_EMOTIONS.filter((_, group) => ekmanP[group]! >= thresholds[EKMAN_OFFSET + group]!);
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
}

const NEUTRAL_GROUP = EKMAN_EMOTIONS.indexOf('neutral');

function argmax(length: number, score: (position: number) => number): number {
  let best = 0;
  for (let position = 1; position < length; position++) if (score(position) > score(best)) best = position;
  return best;
}

/**
 * Where the shipped weights are: beside this module when run from source (`src/emotion/`), or in
 * the package's `dist/` when bundled (tsup copies the file there).
 */
export function defaultEmotionWeightsPath(): string {
  const candidates = [`./${EMOTION_WEIGHTS_FILE}`, `./emotion/${EMOTION_WEIGHTS_FILE}`, `../${EMOTION_WEIGHTS_FILE}`];
  for (const candidate of candidates) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new EmotionModelFileError(`emotion weights file ${EMOTION_WEIGHTS_FILE} not found beside ${import.meta.url}`);
}

let shared: Promise<EmotionClassifier> | undefined;

/** The classifier with the shipped weights, loaded once per process and shared. */
export function loadEmotionClassifier(): Promise<EmotionClassifier> {
  shared ??= EmotionClassifier.load().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}
