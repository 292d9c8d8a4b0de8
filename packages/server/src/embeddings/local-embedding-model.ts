import { existsSync } from 'node:fs';
import { DEFAULT_EMBEDDING_MODEL, type EmbeddingModelSpec } from '../providers/local/model-catalog.js';
import { defaultModelsDir, embeddingModelPaths } from '../providers/local/model-files.js';
import { EmbeddingModelError } from './embedding-model.js';
import { OnnxEmbeddingModel } from './onnx-embedding-model.js';

/** Where to find the embedding model, and how to run it. */
export interface LocalEmbeddingOptions {
  /** The folder `vibhava models pull` fills. */
  readonly modelsDir: string;
  /** Default: {@link DEFAULT_EMBEDDING_MODEL}. */
  readonly spec?: EmbeddingModelSpec;
  readonly threads?: number;
  readonly batchSize?: number;
  /** Default `int8`; see `OnnxEmbeddingOptions.compute`. */
  readonly compute?: 'int8' | 'float';
}

/**
 * The catalog's embedding model from `modelsDir`, loaded in-process. The files are only ever
 * placed there after their SHA-256 was checked (`vibhava models pull`), so they are not hashed
 * again here; a missing file is an {@link EmbeddingModelError} that says how to fetch it.
 */
export async function loadLocalEmbeddingModel(options: LocalEmbeddingOptions): Promise<OnnxEmbeddingModel> {
  const spec = options.spec ?? DEFAULT_EMBEDDING_MODEL;
  const paths = embeddingModelPaths(spec, options.modelsDir);
  const missing = [paths.model, paths.tokenizer].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new EmbeddingModelError(
      `The embedding model ${spec.id} is not installed (missing: ${missing.join(', ')}). Run \`pnpm models pull\` (or \`vibhava models pull\`).`,
    );
  }
  return OnnxEmbeddingModel.load({
    id: spec.id,
    modelPath: paths.model,
    tokenizerPath: paths.tokenizer,
    dimensions: spec.dimensions,
    pooling: spec.pooling,
    maxTokens: spec.maxTokens,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.compute === undefined ? {} : { compute: options.compute }),
  });
}

let shared: Promise<OnnxEmbeddingModel> | undefined;

/**
 * The default embedding model from `VIBHAVA_MODELS_DIR` (or the default models folder), loaded
 * once per process and shared; a failed load is not cached, so a later call tries again.
 */
export function loadSharedEmbeddingModel(env: NodeJS.ProcessEnv = process.env): Promise<OnnxEmbeddingModel> {
  shared ??= loadLocalEmbeddingModel({ modelsDir: env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir(env) }).catch(
    (error: unknown) => {
      shared = undefined;
      throw error;
    },
  );
  return shared;
}
