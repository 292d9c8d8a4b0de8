import type { MemoryCategory } from '@vibhava/protocol';

/** One finished turn, the input of memory extraction. */
export interface ExtractionTurn {
  /** The visitor's message that ended the turn. */
  userMessage: { id: string; content: string; createdAt: string };
  /** The avatar's reply to it, when there is one. */
  assistantMessage?: { id: string; content: string };
  /** A few earlier messages for context, oldest first. */
  recent: ReadonlyArray<{ id: string; role: 'user' | 'assistant'; content: string }>;
  /** How to call the visitor in memory text ("the visitor" when unknown). */
  visitorName?: string;
  /** Whose memory it is (for recording what a model-based extractor's call used). */
  scope?: { tenantId: string; avatarId: string; visitorId: string };
}

/** A memory the visitor already has, as `similar()` returns it. */
export interface ExistingMemory {
  id: string;
  text: string;
  category: MemoryCategory;
  importance: number;
  /** cosine similarity to the turn, 0..1 */
  score: number;
}

/** What to do with the visitor's memories after a turn. */
export type MemoryDecision =
  | {
      event: 'add';
      text: string;
      /** What search reads for it, when not `text` (a wording of the visitor in the third person). */
      searchText?: string;
      category: MemoryCategory;
      importance: number;
      sourceMessageIds: string[];
      reason: string;
    }
  | {
      event: 'update';
      id: string;
      text: string;
      searchText?: string;
      category: MemoryCategory;
      importance: number;
      sourceMessageIds: string[];
      reason: string;
    }
  | { event: 'delete'; id: string; sourceMessageIds: string[]; reason: string };

export interface MemoryExtractor {
  readonly name: 'llm' | 'heuristic';
  /** `similar(texts)`: existing memories of this visitor most similar to any of the texts, best first. */
  extract(
    turn: ExtractionTurn,
    similar: (texts: string[]) => Promise<ExistingMemory[]>,
    signal?: AbortSignal,
  ): Promise<MemoryDecision[]>;
}

/**
 * How much a fact of each category matters when nothing better is known (an addition to the
 * contract, shared by both extractors): who the visitor is matters most, passing events least.
 */
export const DEFAULT_IMPORTANCE: Readonly<Record<MemoryCategory, number>> = {
  identity: 0.9,
  health: 0.8,
  relationship: 0.7,
  work: 0.7,
  preference: 0.6,
  plan: 0.5,
  event: 0.4,
  other: 0.3,
};

/** Lower case, punctuation and repeated spaces gone: two texts that say the same thing compare equal. */
export function normalizeMemoryText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[’']/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
