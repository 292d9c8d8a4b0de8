import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { EmbeddingModel } from '../embeddings/embedding-model.js';
import { loadEmotionClassifier, type EmotionClassifier } from './emotion-classifier.js';
import { decideEmotion, type EmotionProbabilities, type EmotionResult } from './emotion-decision.js';
import { blendedLogits, calibrateHead, headLogits, type EmotionEmbeddingHead } from './emotion-embedding-head.js';
import { decodeEmbeddingHead } from './emotion-embedding-head-file.js';
import { feelingSentences, messageEmotion } from './message-emotion.js';
import { EmotionModelFileError } from './emotion-model-file.js';
import { EKMAN_OFFSET, OUTPUT_COUNT } from './emotion-model.js';

/** File name of the shipped embedding head (trained by `scripts/train-emotion.ts --with-embeddings`). */
export const EMOTION_HEAD_FILE = 'goemotions-embedding-head.bin';

/**
 * The n-gram classifier with a second opinion from a sentence embedding: the n-gram model's
 * calibrated logits blended with a small network over the embedding, calibrated and thresholded
 * again (see {@link EmotionEmbeddingHead}). Same answers as {@link EmotionClassifier}, better
 * Ekman groups; the cost is one embedding per message, so a caller that already embeds the
 * message (memory) passes the vector to {@link classifyEmbedded} instead.
 */
export class EmbeddingEmotionClassifier {
  readonly #ngram: EmotionClassifier;
  readonly #head: EmotionEmbeddingHead;
  readonly #embeddings: EmbeddingModel;

  constructor(ngram: EmotionClassifier, head: EmotionEmbeddingHead, embeddings: EmbeddingModel) {
    if (embeddings.id !== head.embeddingModelId || embeddings.dimensions !== head.dimensions) {
      throw new EmotionModelFileError(
        `the emotion head was trained on ${head.embeddingModelId} (${head.dimensions} dimensions), not ${embeddings.id} (${embeddings.dimensions})`,
      );
    }
    this.#ngram = ngram;
    this.#head = head;
    this.#embeddings = embeddings;
  }

  /** The shipped n-gram weights and head (or the ones at `headPath`) over `embeddings`. */
  static async load(
    embeddings: EmbeddingModel,
    options: { headPath?: string; ngram?: EmotionClassifier } = {},
  ): Promise<EmbeddingEmotionClassifier> {
    const { head } = decodeEmbeddingHead(await readFile(options.headPath ?? defaultEmotionHeadPath()));
    return new EmbeddingEmotionClassifier(options.ngram ?? (await loadEmotionClassifier()), head, embeddings);
  }

  /** Embeds the message, then {@link classifyEmbedded}. */
  async classify(text: string): Promise<EmotionResult> {
    const [embedding] = await this.#embeddings.embed([text]);
    return this.classifyEmbedded(text, embedding!);
  }

  /**
   * Labels a visitor's message, sentence by sentence where it has several (see
   * `messageEmotion`); `embedding` is the whole message's, when already at hand.
   */
  async classifyMessage(text: string, embedding?: Float32Array | null): Promise<EmotionResult> {
    const sentences = feelingSentences(text);
    if (embedding && sentences.length === 0) return this.classifyEmbedded(text, embedding);
    const vectors = await this.#embeddings.embed(embedding ? sentences : [text, ...sentences]);
    const whole = embedding ?? vectors.shift()!;
    return messageEmotion(
      this.classifyEmbedded(text, whole),
      sentences.map((sentence, index) => this.classifyEmbedded(sentence, vectors[index]!)),
    );
  }

  /** Labels one message whose embedding (from the same embedding model) is already at hand. */
  classifyEmbedded(text: string, embedding: Float32Array): EmotionResult {
    const { labels, ekman, features } = this.scoreEmbedded(text, embedding);
    return decideEmotion(labels, ekman, this.#head.thresholds, features > 0);
  }

  /** Calibrated probabilities of every output, and how many n-gram features the text had. */
  scoreEmbedded(text: string, embedding: Float32Array): EmotionProbabilities & { features: number } {
    const ngram = this.#ngram.score(text);
    const ngramProbabilities = new Float32Array(OUTPUT_COUNT);
    ngramProbabilities.set(ngram.labels);
    ngramProbabilities.set(ngram.ekman, EKMAN_OFFSET);
    const probability = calibrateHead(
      this.#head,
      blendedLogits(this.#head, ngramProbabilities, headLogits(this.#head, embedding)),
    );
    return {
      labels: probability.slice(0, EKMAN_OFFSET),
      ekman: probability.slice(EKMAN_OFFSET),
      features: ngram.features,
    };
  }
}

/** Where the shipped head is: beside this module from source, or in `dist/` when bundled. */
export function defaultEmotionHeadPath(): string {
  const candidates = [`./${EMOTION_HEAD_FILE}`, `./emotion/${EMOTION_HEAD_FILE}`, `../${EMOTION_HEAD_FILE}`];
  for (const candidate of candidates) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new EmotionModelFileError(`emotion head file ${EMOTION_HEAD_FILE} not found beside ${import.meta.url}`);
}
