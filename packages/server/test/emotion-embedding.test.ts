import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddingModel } from '../src/embeddings/embedding-model.js';
import { loadLocalEmbeddingModel } from '../src/embeddings/local-embedding-model.js';
import type { OnnxEmbeddingModel } from '../src/embeddings/onnx-embedding-model.js';
import { EmbeddingEmotionClassifier } from '../src/emotion/embedding-emotion-classifier.js';
import { EmotionClassifier } from '../src/emotion/emotion-classifier.js';
import { decodeEmbeddingHead, encodeEmbeddingHead } from '../src/emotion/emotion-embedding-head-file.js';
import { trainEmbeddingHead } from '../src/emotion/emotion-embedding-head-trainer.js';
import { EKMAN_OF } from '../src/emotion/emotion-labels.js';
import { EmotionModelFileError } from '../src/emotion/emotion-model-file.js';
import { trainEmotionModel } from '../src/emotion/emotion-trainer.js';
import { DEFAULT_EMBEDDING_MODEL } from '../src/providers/local/model-catalog.js';
import { defaultModelsDir, embeddingModelPaths } from '../src/providers/local/model-files.js';
import { syntheticCorpus } from './emotion-corpus.js';

/**
 * A small real embedding model for synthetic data: each word hashes to a fixed random unit
 * direction, a text is the normalised sum of its words' directions. Enough to test training,
 * the file format and the blend without the ONNX model.
 */
class HashingEmbeddingModel implements EmbeddingModel {
  readonly id = 'hashing-32';
  readonly dimensions = 32;
  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((text) => this.embedOne(text)));
  }
  embedOne(text: string): Float32Array {
    const vector = new Float32Array(this.dimensions);
    for (const word of text.toLowerCase().split(/\s+/u).filter(Boolean)) {
      let state = [...word].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0, 2166136261);
      for (let d = 0; d < this.dimensions; d++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        vector[d]! += state / 4294967296 - 0.5;
      }
    }
    const norm = Math.hypot(...vector) || 1;
    return vector.map((value) => value / norm);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('emotion embedding head (synthetic data)', () => {
  const embeddings = new HashingEmbeddingModel();
  const train = syntheticCorpus(600, 1);
  const tune = syntheticCorpus(300, 2);
  const ngram = new EmotionClassifier(trainEmotionModel(train, tune, { epochs: 3, minDocumentFrequency: 2 }).model);
  const embedded = (rows: ReturnType<typeof syntheticCorpus>) =>
    rows.map((row) => ({ embedding: embeddings.embedOne(row.text), labels: row.labels }));
  const tuneTexts = embedded(tune).map((row, index) => {
    const { labels, ekman } = ngram.probabilities(tune[index]!.text);
    return { ...row, ngram: [...labels, ...ekman] };
  });
  const options = { hidden: 16, epochs: 8, learningRate: 1e-2, ngramWeights: [0.3, 0.7] };
  const trained = () => trainEmbeddingHead(embeddings.id, embedded(train), tuneTexts, options);

  it('learns the cues and blends with the n-gram model', async () => {
    const { head, report } = trained();
    expect([0.3, 0.7]).toContain(head.ngramWeight);
    expect(report.ekmanF1['fear']).toBeGreaterThan(0.9);
    const classifier = new EmbeddingEmotionClassifier(ngram, head, embeddings);
    expect((await classifier.classify('we went to the shop and i am so grateful')).label).toBe('gratitude');
    expect((await classifier.classify('my order is miserable today')).ekman).toBe('sadness');
    expect((await classifier.classify('the tent is at the store today')).label).toBe('neutral');
    const result = await classifier.classify('the price is terrified my order');
    expect(EKMAN_OF[result.label]).toBe(result.ekman);
    expect(result).toEqual(
      classifier.classifyEmbedded(
        'the price is terrified my order',
        embeddings.embedOne('the price is terrified my order'),
      ),
    );
  });

  it('is deterministic and round-trips through its file exactly', async () => {
    const first = encodeEmbeddingHead(trained().head, { note: 'test' });
    const second = encodeEmbeddingHead(trained().head, { note: 'test' });
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
    const { head, report } = trained();
    const { head: decoded, about } = decodeEmbeddingHead(first);
    expect(about).toEqual({ note: 'test' });
    expect(Array.from(decoded.hiddenWeights)).toEqual(Array.from(head.hiddenWeights));
    expect(Array.from(decoded.thresholds)).toEqual(Array.from(head.thresholds));
    const original = new EmbeddingEmotionClassifier(ngram, head, embeddings);
    const loaded = new EmbeddingEmotionClassifier(ngram, decoded, embeddings);
    for (const { text } of tune.slice(0, 20))
      expect(await loaded.classify(text)).toEqual(await original.classify(text));
    expect(report.crossFitted.ekmanMacroF1).toBeGreaterThan(0);
  });

  it('refuses another embedding model and bytes that are not a head file', () => {
    const { head } = trained();
    const other: EmbeddingModel = {
      ...embeddings,
      id: 'another-model',
      dimensions: 32,
      embed: embeddings.embed,
      close: embeddings.close,
    };
    expect(() => new EmbeddingEmotionClassifier(ngram, head, other)).toThrow(EmotionModelFileError);
    expect(() => decodeEmbeddingHead(new Uint8Array([1, 2, 3]))).toThrow(EmotionModelFileError);
    expect(() => decodeEmbeddingHead(gzipSync(Buffer.from('NOPE and more')))).toThrow(/bad magic/);
  });
});

// The shipped head over the real embedding model (`pnpm models pull` installs it).
const modelsDir = process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir();

describe('shipped emotion embedding head', () => {
  let model: OnnxEmbeddingModel;
  let classifier: EmbeddingEmotionClassifier;
  beforeAll(async () => {
    const paths = embeddingModelPaths(DEFAULT_EMBEDDING_MODEL, modelsDir);
    if (!existsSync(paths.model))
      throw new Error(`The embedding model is missing at ${paths.model}: run \`pnpm models pull\` first.`);
    model = await loadLocalEmbeddingModel({ modelsDir });
    classifier = await EmbeddingEmotionClassifier.load(model);
  });
  afterAll(() => model?.close());

  it.each([
    ['thank you so much!', 'joy'],
    ["I'm so scared", 'fear'],
    ['I hate this', 'anger'],
    ['I am so sad today', 'sadness'],
    ['That is disgusting.', 'disgust'],
    ['Wow, I did not expect that!', 'surprise'],
    ['My order number is 12345.', 'neutral'],
    ['I am not happy with the service', 'anger'],
  ] as const)('labels %j as %s', async (text, ekman) => {
    const result = await classifier.classify(text);
    expect(result.ekman).toBe(ekman);
    expect(EKMAN_OF[result.label]).toBe(result.ekman);
    expect(result.intensity).toBeGreaterThanOrEqual(0);
    expect(result.intensity).toBeLessThanOrEqual(1);
  });

  it('answers neutral with intensity 0 for text with no known features', async () => {
    expect(await classifier.classify('')).toMatchObject({ label: 'neutral', ekman: 'neutral', intensity: 0 });
  });
});
