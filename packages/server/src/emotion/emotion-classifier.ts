import { feelingSentences, messageEmotion } from './message-emotion.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { decideEmotion, type EmotionProbabilities, type EmotionResult } from './emotion-decision.js';
import { decodeEmotionModel, EmotionModelFileError } from './emotion-model-file.js';
export type { EmotionProbabilities, EmotionResult, EmotionScore } from './emotion-decision.js';
import { calibrate, EKMAN_OFFSET, logits, OUTPUT_COUNT, vectorize, type EmotionModel } from './emotion-model.js';

/** File name of the shipped weights (trained by `scripts/train-emotion.ts`). */
export const EMOTION_WEIGHTS_FILE = 'goemotions-linear.bin';

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
    const { labels, ekman } = this.score(text);
    return { labels, ekman };
  }

  /** The calibrated probabilities and how many of the text's features the model knows (0: no evidence). */
  score(text: string): EmotionProbabilities & { features: number } {
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
  /** Labels a visitor's message, sentence by sentence where it has several (see `messageEmotion`). */
  classifyMessage(text: string): EmotionResult {
    return messageEmotion(
      this.classify(text),
      feelingSentences(text).map((sentence) => this.classify(sentence)),
    );
  }

  classify(text: string): EmotionResult {
    const { labels, ekman, features } = this.score(text);
    return decideEmotion(labels, ekman, this.#model.thresholds, features > 0);
  }
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
