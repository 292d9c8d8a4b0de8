import { LorebookSchema, activateLorebook, type Lorebook } from '../cards/index.js';
import type { AvatarProfile } from '../persona/index.js';

/** Tokens of lore a turn may carry when the book sets no budget. */
const DEFAULT_LORE_BUDGET = 600;

const parsed = new WeakMap<object, Lorebook | null>();

function bookOf(profile: AvatarProfile): Lorebook | null {
  const raw = profile.lorebook;
  if (!raw) return null;
  let book = parsed.get(raw);
  if (book === undefined) {
    const result = LorebookSchema.safeParse(raw);
    book = result.success ? result.data : null;
    parsed.set(raw, book);
  }
  return book;
}

/** About four characters a token: close enough for a budget, and needs no tokenizer. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

export interface TurnLore {
  /** Entries that are always in: they go into the stable system message. */
  constant: string;
  /** Entries this turn's words activated. */
  triggered: string;
  /** What went in and why (for the reply's trace). */
  entries: Array<{ id: string | number | null; name: string | null; reason: string }>;
}

/** The avatar's lorebook entries for this turn, within the book's (or a default) token budget. */
export function loreForTurn(profile: AvatarProfile, recentMessages: readonly string[]): TurnLore {
  const book = bookOf(profile);
  if (!book) return { constant: '', triggered: '', entries: [] };
  const activation = activateLorebook(book, recentMessages, {
    countTokens: estimateTokens,
    tokenBudget: DEFAULT_LORE_BUDGET,
  });
  const constant: string[] = [];
  const triggered: string[] = [];
  for (const entry of activation.entries) {
    (entry.reason.kind === 'key' ? triggered : constant).push(entry.content);
  }
  return {
    constant: constant.join('\n\n'),
    triggered: triggered.join('\n\n'),
    entries: activation.entries.map((entry) => ({
      id: entry.id,
      name: entry.name,
      reason: entry.reason.kind === 'key' ? `key "${entry.reason.key}"` : entry.reason.kind,
    })),
  };
}
