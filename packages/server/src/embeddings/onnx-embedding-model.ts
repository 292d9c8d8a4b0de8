import { readFile } from 'node:fs/promises';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { EmbeddingModelError, type EmbeddingModel } from './embedding-model.js';
import { quantizeMatMulsDynamically } from './onnx-int8-matmul.js';
import { WordPieceTokenizer } from './wordpiece-tokenizer.js';

type OnnxRuntime = typeof import('onnxruntime-node'); // eslint-disable-line @typescript-eslint/consistent-type-imports -- the native addon is loaded lazily

/** How token vectors become one sentence vector, as the model was trained. */
export type EmbeddingPooling = 'mean' | 'cls';

/** What an ONNX sentence-embedding model needs to run. */
export interface OnnxEmbeddingOptions {
  readonly id: string;
  /** The ONNX graph: inputs `input_ids`, `attention_mask` (and optionally `token_type_ids`), int64. */
  readonly modelPath: string;
  /** The model's Hugging Face `tokenizer.json` (WordPiece). */
  readonly tokenizerPath: string;
  readonly dimensions: number;
  readonly pooling: EmbeddingPooling;
  /** Tokens per text including `[CLS]` and `[SEP]`; longer texts are cut at the end. */
  readonly maxTokens: number;
  /**
   * Texts per forward pass (sorted by length first, so little padding is computed). Default: 1
   * with `int8` compute, whose activations are quantized over the whole batch, so that a text's
   * vector never depends on the texts beside it; 32 with `float`.
   */
  readonly batchSize?: number;
  /** CPU threads of one forward pass. Default 1: a short text gains nothing from more, and the server has other work. */
  readonly threads?: number;
  /**
   * `int8` (default): int8-weight matrix products run in integer arithmetic (see
   * {@link quantizeMatMulsDynamically}); `float`: as the file says, dequantized to float.
   */
  readonly compute?: 'int8' | 'float';
}

/**
 * A BERT-style sentence-embedding model run in-process with ONNX Runtime: WordPiece tokens →
 * the model's last hidden state → mean (or `[CLS]`) pooling → L2 normalisation. Texts are sorted
 * by length and run in batches so that little padding is computed; forward passes are serialised
 * so that concurrent callers do not fight over the CPU.
 */
export class OnnxEmbeddingModel implements EmbeddingModel {
  readonly id: string;
  readonly dimensions: number;
  readonly #ort: OnnxRuntime;
  readonly #session: InferenceSession;
  readonly #tokenizer: WordPieceTokenizer;
  readonly #options: OnnxEmbeddingOptions;
  readonly #tokenTypes: boolean;
  readonly #output: string;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(init: {
    ort: OnnxRuntime;
    session: InferenceSession;
    tokenizer: WordPieceTokenizer;
    options: OnnxEmbeddingOptions;
  }) {
    this.id = init.options.id;
    this.dimensions = init.options.dimensions;
    this.#ort = init.ort;
    this.#session = init.session;
    this.#tokenizer = init.tokenizer;
    this.#options = init.options;
    this.#tokenTypes = init.session.inputNames.includes('token_type_ids');
    this.#output = init.session.outputNames.includes('last_hidden_state')
      ? 'last_hidden_state'
      : init.session.outputNames[0]!;
  }

  /** Loads the tokenizer and the ONNX graph and checks that the graph gives vectors of `dimensions`. */
  static async load(options: OnnxEmbeddingOptions): Promise<OnnxEmbeddingModel> {
    let tokenizerJson: unknown;
    try {
      tokenizerJson = JSON.parse(await readFile(options.tokenizerPath, 'utf8'));
    } catch (cause) {
      throw new EmbeddingModelError(`cannot read the tokenizer ${options.tokenizerPath}`, { cause });
    }
    const tokenizer = WordPieceTokenizer.fromTokenizerJson(tokenizerJson);
    let ort: OnnxRuntime;
    try {
      ort = await import('onnxruntime-node');
    } catch (cause) {
      throw new EmbeddingModelError('onnxruntime-node is not installed or cannot load on this platform', { cause });
    }
    let graph: Uint8Array;
    try {
      graph = await readFile(options.modelPath);
    } catch (cause) {
      throw new EmbeddingModelError(`cannot read the embedding model ${options.modelPath}`, { cause });
    }
    if ((options.compute ?? 'int8') === 'int8') graph = quantizeMatMulsDynamically(graph).bytes;
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(graph, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        intraOpNumThreads: options.threads ?? 1,
        interOpNumThreads: 1,
        logSeverityLevel: 3,
      });
    } catch (cause) {
      throw new EmbeddingModelError(`cannot load the embedding model ${options.modelPath}`, { cause });
    }
    for (const input of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(input)) {
        await session.release();
        throw new EmbeddingModelError(`${options.modelPath} has no ${input} input`);
      }
    }
    const model = new OnnxEmbeddingModel({ ort, session, tokenizer, options });
    const [probe] = await model.embed(['probe']);
    if (probe?.length !== options.dimensions) {
      await model.close();
      throw new EmbeddingModelError(
        `${options.modelPath} gives ${probe?.length} dimensions, not ${options.dimensions}`,
      );
    }
    return model;
  }

  /** Token ids of one text as the model sees them (with `[CLS]`/`[SEP]`, truncated). */
  tokenize(text: string): number[] {
    return this.#tokenizer.encode(text, this.#options.maxTokens);
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.#closed) return Promise.reject(new EmbeddingModelError(`the embedding model ${this.id} is closed`));
    const run = this.#tail.then(() => this.#embedAll(texts));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #embedAll(texts: readonly string[]): Promise<Float32Array[]> {
    const encoded = texts.map((text) => this.tokenize(text));
    const order = encoded.map((_, index) => index).sort((a, b) => encoded[a]!.length - encoded[b]!.length);
    const vectors = new Array<Float32Array>(texts.length);
    const batchSize = this.#options.batchSize ?? ((this.#options.compute ?? 'int8') === 'int8' ? 1 : 32);
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      const pooled = await this.#forward(batch.map((index) => encoded[index]!));
      batch.forEach((index, row) => (vectors[index] = pooled[row]!));
    }
    return vectors;
  }

  /** One forward pass over a batch of token-id lists, padded to the longest. */
  async #forward(batch: readonly number[][]): Promise<Float32Array[]> {
    if (this.#closed) throw new EmbeddingModelError(`the embedding model ${this.id} is closed`);
    const length = Math.max(...batch.map((ids) => ids.length));
    const size = batch.length * length;
    const ids = new BigInt64Array(size).fill(BigInt(this.#tokenizer.padId));
    const mask = new BigInt64Array(size);
    batch.forEach((tokens, row) => {
      tokens.forEach((id, position) => {
        ids[row * length + position] = BigInt(id);
        mask[row * length + position] = 1n;
      });
    });
    const shape = [batch.length, length];
    const feeds: Record<string, Tensor> = {
      input_ids: new this.#ort.Tensor('int64', ids, shape),
      attention_mask: new this.#ort.Tensor('int64', mask, shape),
    };
    if (this.#tokenTypes) feeds['token_type_ids'] = new this.#ort.Tensor('int64', new BigInt64Array(size), shape);
    const outputs = await this.#session.run(feeds, [this.#output]);
    const hidden = outputs[this.#output];
    if (!hidden || hidden.type !== 'float32' || hidden.dims.length !== 3) {
      throw new EmbeddingModelError(`${this.id}: expected a float32 [batch, tokens, dimensions] output`);
    }
    const dimensions = hidden.dims[2]!;
    const data = hidden.data as Float32Array;
    try {
      return batch.map((tokens, row) => pool(data, row, tokens.length, length, dimensions, this.#options.pooling));
    } finally {
      hidden.dispose();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
    await this.#session.release();
  }
}

/** Mean over the first `tokens` positions of one row (or its `[CLS]` vector), L2-normalised. */
function pool(
  data: Float32Array,
  row: number,
  tokens: number,
  length: number,
  dimensions: number,
  pooling: EmbeddingPooling,
): Float32Array {
  const vector = new Float32Array(dimensions);
  const base = row * length * dimensions;
  const count = pooling === 'cls' ? 1 : tokens;
  for (let position = 0; position < count; position++) {
    const offset = base + position * dimensions;
    for (let dimension = 0; dimension < dimensions; dimension++) vector[dimension]! += data[offset + dimension]!;
  }
  let norm = 0;
  for (let dimension = 0; dimension < dimensions; dimension++) norm += vector[dimension]! ** 2;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let dimension = 0; dimension < dimensions; dimension++) vector[dimension]! *= scale;
  return vector;
}
