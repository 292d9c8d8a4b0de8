/**
 * A sentence-embedding model: texts in, one unit-length vector per text out, so that the dot
 * product of two vectors is their cosine similarity. Memory search and the emotion classifier's
 * embedding head both use it through this interface only.
 */
export interface EmbeddingModel {
  /** Names the model and its output space; vectors from different ids are not comparable. */
  readonly id: string;
  /** Length of every vector. */
  readonly dimensions: number;
  /** One L2-normalised vector per text, in the order of `texts`. An empty list gives an empty list. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Frees the model; `embed` fails afterwards. */
  close(): Promise<void>;
}

/** The embedding model is missing, unreadable, closed, or not the model it was said to be. */
export class EmbeddingModelError extends Error {
  override name = 'EmbeddingModelError';
}

/** Cosine similarity of two vectors of the same length (their dot product when both are normalised). */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`vectors of different lengths: ${a.length} and ${b.length}`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index++) {
    dot += a[index]! * b[index]!;
    normA += a[index]! * a[index]!;
    normB += b[index]! * b[index]!;
  }
  const norms = Math.sqrt(normA * normB);
  return norms > 0 ? dot / norms : 0;
}
