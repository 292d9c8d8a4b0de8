import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, EmbeddingModelError } from '../src/embeddings/embedding-model.js';
import { loadLocalEmbeddingModel } from '../src/embeddings/local-embedding-model.js';
import type { OnnxEmbeddingModel } from '../src/embeddings/onnx-embedding-model.js';
import { quantizeMatMulsDynamically } from '../src/embeddings/onnx-int8-matmul.js';
import { readFields, writeFields } from '../src/embeddings/protobuf-fields.js';
import { TokenizerFileError, WordPieceTokenizer } from '../src/embeddings/wordpiece-tokenizer.js';
import { DEFAULT_EMBEDDING_MODEL } from '../src/providers/local/model-catalog.js';
import { defaultModelsDir, embeddingModelPaths } from '../src/providers/local/model-files.js';

const VOCAB = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  'un',
  '##aff',
  '##able',
  'aff',
  'cafe',
  ',',
  '!',
  '$',
  '中',
  'hi',
];

describe('WordPiece tokenizer', () => {
  const tokenizer = WordPieceTokenizer.fromVocabText(`${VOCAB.join('\n')}\n`);
  const ids = (...tokens: string[]) => tokens.map((token) => VOCAB.indexOf(token));

  it('splits greedily into the longest known pieces, between [CLS] and [SEP]', () => {
    expect(tokenizer.encode('unaffable')).toEqual(ids('[CLS]', 'un', '##aff', '##able', '[SEP]'));
    expect(tokenizer.encode('aff')).toEqual(ids('[CLS]', 'aff', '[SEP]'));
  });

  it('turns a word with an unknown piece into one [UNK], and isolates punctuation and CJK', () => {
    expect(tokenizer.encode('unaffablex hi!')).toEqual(ids('[CLS]', '[UNK]', 'hi', '!', '[SEP]'));
    expect(tokenizer.encode('hi,$hi中hi')).toEqual(ids('[CLS]', 'hi', ',', '$', 'hi', '中', 'hi', '[SEP]'));
  });

  it('lowercases, strips accents, drops control characters and treats every whitespace alike', () => {
    expect(tokenizer.normalize('CAFÉ\u0000\u200b\tHi\u00a0')).toBe('cafe hi ');
    expect(tokenizer.encode('Café\n\tHI')).toEqual(ids('[CLS]', 'cafe', 'hi', '[SEP]'));
  });

  it('reads special-token strings in the text as text, never as control tokens', () => {
    expect(tokenizer.encode('[SEP]')).toEqual(ids('[CLS]', '[UNK]', '[UNK]', '[UNK]', '[SEP]'));
  });

  it('truncates to maxTokens, keeping [CLS] and [SEP]', () => {
    expect(tokenizer.encode('hi hi hi hi hi', 4)).toEqual(ids('[CLS]', 'hi', 'hi', '[SEP]'));
    expect(tokenizer.encode('', 4)).toEqual(ids('[CLS]', '[SEP]'));
    expect(() => tokenizer.encode('hi', 1)).toThrow(RangeError);
  });

  it('reads a tokenizer.json and refuses one it cannot run', () => {
    const json = {
      model: { type: 'WordPiece', vocab: Object.fromEntries(VOCAB.map((token, id) => [token, id])) },
      normalizer: { type: 'BertNormalizer', lowercase: true, strip_accents: null },
      pre_tokenizer: { type: 'BertPreTokenizer' },
    };
    expect(WordPieceTokenizer.fromTokenizerJson(json).encode('Unaffable!')).toEqual(
      ids('[CLS]', 'un', '##aff', '##able', '!', '[SEP]'),
    );
    expect(() => WordPieceTokenizer.fromTokenizerJson({ ...json, model: { type: 'BPE', vocab: {} } })).toThrow(
      TokenizerFileError,
    );
    expect(() => WordPieceTokenizer.fromVocabText('[UNK]\n[CLS]\n')).toThrow(/\[SEP\]/);
  });
});

describe('local embedding model files', () => {
  it('says how to fetch the model when its files are missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'vibhava-embeddings-'));
    await expect(loadLocalEmbeddingModel({ modelsDir: empty })).rejects.toThrow(EmbeddingModelError);
    await expect(loadLocalEmbeddingModel({ modelsDir: empty })).rejects.toThrow(/models pull/);
  });
});

// The setup script pulls the model (`pnpm models pull`); a missing file is a failed setup, not a skip.
const modelsDir = process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir();
const paths = embeddingModelPaths(DEFAULT_EMBEDDING_MODEL, modelsDir);

describe('the local embedding model (all-MiniLM-L6-v2)', () => {
  let model: OnnxEmbeddingModel;
  let float: OnnxEmbeddingModel;
  beforeAll(async () => {
    for (const path of [paths.model, paths.tokenizer]) {
      if (!existsSync(path))
        throw new Error(`The embedding model is missing at ${path}: run \`pnpm models pull\` first.`);
    }
    model = await loadLocalEmbeddingModel({ modelsDir });
    float = await loadLocalEmbeddingModel({ modelsDir, compute: 'float', batchSize: 3 });
  });
  afterAll(async () => {
    await model?.close();
    await float?.close();
  });

  it('tokenizes as Hugging Face tokenizers does with this tokenizer.json', () => {
    expect(model.tokenize('Hello, world!')).toEqual([101, 7592, 1010, 2088, 999, 102]);
    expect(model.tokenize('tokenization')).toEqual([101, 19204, 3989, 102]);
    expect(model.tokenize('Unbelievable café résumé 😂')).toEqual([101, 23653, 7668, 13746, 100, 102]);
    expect(model.tokenize('word '.repeat(1000))).toHaveLength(DEFAULT_EMBEDDING_MODEL.maxTokens);
  });

  it('puts related sentences closer than unrelated ones', async () => {
    const [dogs, puppies, taxes, cats] = await model.embed([
      'I love dogs',
      'puppies are great',
      'tax forms are due',
      'my cat sleeps on the sofa all day',
    ]);
    expect(cosineSimilarity(dogs!, puppies!)).toBeGreaterThan(cosineSimilarity(dogs!, taxes!) + 0.2);
    expect(cosineSimilarity(dogs!, cats!)).toBeGreaterThan(cosineSimilarity(dogs!, taxes!));
    const [refund, money, weather] = await model.embed([
      'How do I get my money back for this order?',
      'I would like a refund, please.',
      'It is sunny and warm today.',
    ]);
    expect(cosineSimilarity(refund!, money!)).toBeGreaterThan(cosineSimilarity(refund!, weather!) + 0.2);
  });

  it('returns one unit-length vector of 384 dimensions per text, in order', async () => {
    const texts = ['short', 'a somewhat longer sentence about the weather', '', 'short'];
    const vectors = await model.embed(texts);
    expect(vectors).toHaveLength(4);
    for (const vector of vectors) {
      expect(vector).toHaveLength(384);
      const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
      expect(norm).toBeCloseTo(1, 5);
    }
    expect(Array.from(vectors[3]!)).toEqual(Array.from(vectors[0]!));
    expect(await model.embed([])).toEqual([]);
    const [alone] = await model.embed(['a somewhat longer sentence about the weather']);
    expect(Array.from(alone!)).toEqual(Array.from(vectors[1]!));
  });

  it('gives the same vectors in batches as one by one in float (padding is masked out)', async () => {
    const texts = ['one', 'two words', 'and a third, longer text', 'four', 'five is here too'];
    const batched = await float.embed(texts);
    for (const [index, text] of texts.entries()) {
      const [single] = await float.embed([text]);
      for (let d = 0; d < 384; d++) expect(batched[index]![d]).toBeCloseTo(single![d]!, 5);
    }
  });

  it('computes in int8 close to the float path', async () => {
    const texts = ['I love dogs', 'Where is my refund? This is ridiculous.', 'thank you so much!'];
    const [int8, reference] = [await model.embed(texts), await float.embed(texts)];
    for (const [index] of texts.entries())
      expect(cosineSimilarity(int8[index]!, reference[index]!)).toBeGreaterThan(0.95);
  });

  it('embeds concurrent calls and very long text', async () => {
    const long = 'The shop was lovely and the staff were kind. '.repeat(300);
    const results = await Promise.all([model.embed([long]), model.embed(['hi']), model.embed(['hello there'])]);
    expect(results.map((vectors) => vectors.length)).toEqual([1, 1, 1]);
  });

  it('rewrites the int8 graph to integer matrix products, and copies protobuf fields byte for byte', () => {
    const bytes = readFileSync(paths.model);
    expect(Buffer.from(writeFields(readFields(bytes))).equals(bytes)).toBe(true);
    const { bytes: rewritten, rewritten: count } = quantizeMatMulsDynamically(bytes);
    expect(count).toBe(36); // 6 layers × (query, key, value, attention output, two feed-forward)
    expect(quantizeMatMulsDynamically(rewritten).rewritten).toBe(0);
    const noGraph = writeFields(readFields(bytes).filter((field) => field.number !== 7));
    expect(quantizeMatMulsDynamically(noGraph)).toEqual({ bytes: noGraph, rewritten: 0 });
  });

  it('refuses to embed after close', async () => {
    const closing = await loadLocalEmbeddingModel({ modelsDir });
    await closing.close();
    await expect(closing.embed(['hi'])).rejects.toThrow(EmbeddingModelError);
  });
});
