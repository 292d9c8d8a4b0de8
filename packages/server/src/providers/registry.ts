import { existsSync } from 'node:fs';
import type { ChatModel } from './chat-model.js';
import { LlamaChatModel } from './local/llama-chat-model.js';
import {
  DEFAULT_LOCAL_MODEL,
  findLocalChatModel,
  LOCAL_CHAT_MODELS,
  type LocalChatModelSpec,
} from './local/model-catalog.js';
import { ensureModelFile, modelPath } from './local/model-files.js';
import { OpenAIChatModel } from './openai/openai-chat-model.js';

export interface ProviderSettings {
  provider: 'auto' | 'openai' | 'local';
  openai?: {
    apiKey?: string | undefined;
    baseURL?: string | undefined;
    model: string;
    /** Whether the server supports structured outputs (`json_schema`). Default true. */
    structuredOutput?: boolean | undefined;
  };
  local?: {
    /** A catalog model by id or alias (`small`, `large`); default `DEFAULT_LOCAL_MODEL`. */
    model?: string | undefined;
    modelPath?: string | undefined;
    modelsDir: string;
    threads?: number | undefined;
    contextSize?: number | undefined;
    /** Tokens one reply may have at most, whatever the reply asks for. */
    maxOutputTokens?: number | undefined;
    /** Fixes the sampler's random seed, so the same prompt gets the same reply (benchmarks). */
    seed?: number | undefined;
    /** Fetch the default model on first run when it is missing (with a progress bar). */
    autoPull?: boolean;
  };
}

type Factory = (settings: ProviderSettings) => Promise<ChatModel>;

/** Vendors by name. Adding one is a folder under providers/ and a line here. */
const factories: Record<'openai' | 'local', Factory> = {
  async openai(settings) {
    const openai = settings.openai;
    if (!openai?.apiKey) throw new Error('OPENAI_API_KEY is not set.');
    return new OpenAIChatModel({
      apiKey: openai.apiKey,
      model: openai.model,
      ...(openai.baseURL ? { baseURL: openai.baseURL } : {}),
      ...(openai.structuredOutput === undefined ? {} : { structuredOutput: openai.structuredOutput }),
    });
  },
  async local(settings) {
    const local = settings.local;
    if (!local) throw new Error('Local model settings are missing.');
    const spec = localChatModel(local.model);
    let path = local.modelPath ?? modelPath(spec, local.modelsDir);
    if (!existsSync(path)) {
      if (local.modelPath || !local.autoPull) {
        throw new Error(
          `The local model file ${path} is missing. Run \`pnpm models pull\` (or set OPENAI_API_KEY to use a hosted model).`,
        );
      }
      path = await ensureModelFile(spec, { modelsDir: local.modelsDir, progress: true });
    }
    return LlamaChatModel.load({
      modelPath: path,
      modelId: local.modelPath ? (path.split('/').pop() ?? path) : spec.id,
      // A file of the user's own is sampled like the catalog model it replaces.
      generation: spec.generation,
      ...(local.threads ? { threads: local.threads } : {}),
      ...(local.contextSize ? { contextSize: local.contextSize } : {}),
      ...(local.maxOutputTokens ? { maxOutputTokens: local.maxOutputTokens } : {}),
      ...(local.seed === undefined ? {} : { seed: local.seed }),
    });
  },
};

/** The catalog's chat model for an id or alias; the default when none is given. */
export function localChatModel(idOrAlias: string | undefined): LocalChatModelSpec {
  if (idOrAlias === undefined) return DEFAULT_LOCAL_MODEL;
  const spec = findLocalChatModel(idOrAlias);
  if (!spec) {
    const known = LOCAL_CHAT_MODELS.map((m) => `${m.alias} (${m.id})`).join(', ');
    throw new Error(`Unknown model "${idOrAlias}": choose one of ${known}.`);
  }
  return spec;
}

/** OpenAI when a key is set (or asked for), otherwise the embedded local model. */
export function resolveProviderName(settings: ProviderSettings): 'openai' | 'local' {
  if (settings.provider !== 'auto') return settings.provider;
  return settings.openai?.apiKey ? 'openai' : 'local';
}

export async function createChatModel(settings: ProviderSettings): Promise<ChatModel> {
  return factories[resolveProviderName(settings)](settings);
}

/** Finds a model by id for fallback chains; undefined when the provider cannot serve it. */
export type ModelDirectory = (modelId: string) => ChatModel | undefined;

/**
 * Hosted providers serve any model id they know (each gets its own client, cached); the local
 * provider serves only the loaded model.
 */
export function createModelDirectory(settings: ProviderSettings, primary: ChatModel): ModelDirectory {
  const cache = new Map<string, ChatModel>([[primary.modelId, primary]]);
  const openai = settings.openai;
  return (modelId) => {
    const known = cache.get(modelId);
    if (known) return known;
    if (resolveProviderName(settings) !== 'openai' || !openai?.apiKey) return undefined;
    const model = new OpenAIChatModel({
      apiKey: openai.apiKey,
      model: modelId,
      ...(openai.baseURL ? { baseURL: openai.baseURL } : {}),
      ...(openai.structuredOutput === undefined ? {} : { structuredOutput: openai.structuredOutput }),
    });
    cache.set(modelId, model);
    return model;
  };
}
