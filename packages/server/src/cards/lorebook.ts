import type { Lorebook, LorebookEntry } from './card-schema.js';
import { parseDecorators, type EntryDecorators } from './lorebook-decorators.js';
import { KeyMatcher, type KeyRefusal } from './lorebook-matcher.js';
import { DEFAULT_REGEX_GUARD, type RegexGuard } from './safe-regex.js';
import { ScanText } from './scan-text.js';

/** Options for `activateLorebook`. */
export interface LorebookActivationOptions {
  /** Counts the tokens of an entry's content (the model's tokenizer, or an estimate). */
  countTokens: (text: string) => number;
  /** The caller's budget for lore; the smaller of this and the book's `token_budget` applies. */
  tokenBudget?: number;
  /** Messages scanned when the book sets no `scan_depth`. Default 2, as in SillyTavern. */
  scanDepth?: number;
  /** Default for entries without `case_sensitive`. Default false. */
  caseSensitive?: boolean;
  /** Keys match whole words only (SillyTavern's "match whole words"). Default true. */
  matchWholeWords?: boolean;
  /** Passes over activated content when the book has `recursive_scanning: true`. Default 3. */
  maxRecursionPasses?: number;
  /** Guards for regexes from the card; see `RegexGuard`. */
  regex?: Partial<RegexGuard>;
  /**
   * Wall-clock budget for testing keys, in ms (default 500). A real book of thousands of entries
   * takes well under 100 ms; a hostile one could take minutes. Entries not reached in time are
   * reported as skipped with `time_budget`.
   */
  scanBudgetMs?: number;
}

/** Why an entry activated: what a "trace" view shows. */
export type ActivationReason =
  | { kind: 'constant' }
  | { kind: 'decorator'; decorator: '@@activate' }
  | {
      kind: 'key';
      /** The key (or regex) from the card that matched, and the text it matched. */
      key: string;
      matched: string;
      /** The secondary key that satisfied `selective`, when one was needed. */
      secondaryKey?: string;
      regex: boolean;
      /** True when the match was in another activated entry's content (recursive scanning). */
      recursion: boolean;
    };

/** One entry chosen for the prompt. */
export interface ActivatedLoreEntry {
  /** Position in `book.entries`. */
  index: number;
  id: string | number | null;
  name: string | null;
  comment: string | null;
  /** The content to insert, decorators stripped. */
  content: string;
  insertionOrder: number;
  priority: number | null;
  position: string | null;
  tokens: number;
  reason: ActivationReason;
}

export type SkipReason = 'over_budget' | 'empty_content' | KeyRefusal;

/** An entry that matched but was left out, or whose regex keys were refused. */
export interface SkippedLoreEntry {
  index: number;
  id: string | number | null;
  reason: SkipReason;
  key?: string;
}

export interface LorebookActivation {
  /** Chosen entries in prompt order: `insertion_order` ascending, then book order. */
  entries: ActivatedLoreEntry[];
  skipped: SkippedLoreEntry[];
  tokensUsed: number;
  /** The budget applied, or null for none. */
  tokenBudget: number | null;
  scanDepth: number;
}

const DEFAULT_SCAN_DEPTH = 2;
const DEFAULT_SCAN_BUDGET_MS = 500;

interface Candidate {
  index: number;
  entry: LorebookEntry;
  decorators: EntryDecorators;
  content: string;
  reason: ActivationReason;
}

/**
 * Chooses the lorebook entries for the next prompt, following Character Card V2/V3 and
 * SillyTavern's world-info rules:
 * - `enabled: false` entries never activate; `constant` (and `@@activate`) entries always do;
 * - others activate when a key appears in the last `scan_depth` messages, case-insensitively
 *   unless `case_sensitive`, whole words unless turned off, as regexes when `use_regex`
 *   (guarded, see `RegexGuard`); with `selective`, `secondary_keys` must match too (combined by
 *   SillyTavern's `selectiveLogic` when present);
 * - with `recursive_scanning`, activated content is scanned again for more entries;
 * - the total stays within the token budget: constants first, then highest `priority` (else
 *   `insertion_order`), and the chosen entries come back in `insertion_order`;
 * - key testing stops at `scanBudgetMs`, so no book, however hostile, stalls a reply.
 * Entries left out (over budget, empty, regex refused, not reached) are listed in `skipped`.
 * Deviations from V3's letter, for compatibility with SillyTavern-made cards (which always write
 * `use_regex: true`): `constant` and `secondary_keys` are honoured even when `use_regex` is set.
 */
export function activateLorebook(
  book: Lorebook,
  recentMessages: readonly string[],
  options: LorebookActivationOptions,
): LorebookActivation {
  const guard = { ...DEFAULT_REGEX_GUARD, ...options.regex };
  const scanDepth = nonNegative(book.scan_depth) ?? options.scanDepth ?? DEFAULT_SCAN_DEPTH;
  const matcher = new KeyMatcher(guard, options, performance.now() + (options.scanBudgetMs ?? DEFAULT_SCAN_BUDGET_MS));
  const windows = new Map<number, ScanText>();
  const windowFor = (depth: number) => {
    let text = windows.get(depth);
    if (text === undefined) {
      text = new ScanText(depth === 0 ? '' : recentMessages.slice(-depth).join('\n').slice(-guard.maxInputLength));
      windows.set(depth, text);
    }
    return text;
  };

  type Pending = { index: number; entry: LorebookEntry; decorators: EntryDecorators; content: string };
  const activated: Candidate[] = [];
  const refusals = new Map<number, SkippedLoreEntry>();
  const scanPass = (items: Pending[], textFor: (item: Pending) => ScanText, recursion: boolean): Pending[] => {
    const left: Pending[] = [];
    for (const item of items) {
      const outcome =
        (recursion ? undefined : staticReason(item.entry, item.decorators)) ??
        matcher.entryMatch(item.entry, item.decorators, textFor(item), recursion);
      if (outcome && 'kind' in outcome) {
        activated.push({ ...item, reason: outcome });
        continue;
      }
      if (outcome && !refusals.has(item.index)) {
        refusals.set(item.index, {
          index: item.index,
          id: item.entry.id ?? null,
          reason: outcome.refused,
          key: outcome.key,
        });
      }
      left.push(item);
    }
    return left;
  };

  let remaining = book.entries
    .map((entry, index) => ({ index, entry, ...parseDecorators(entry.content) }))
    .filter((item) => item.entry.enabled !== false && (item.decorators.activate || !item.decorators.dontActivate));
  remaining = scanPass(
    remaining,
    (item) => windowFor(item.decorators.scanDepth ?? stScanDepth(item.entry) ?? scanDepth),
    false,
  );

  if (book.recursive_scanning === true) {
    let scanned = 0;
    for (let pass = 0; pass < (options.maxRecursionPasses ?? 3) && remaining.length > 0; pass++) {
      const fresh = activated
        .slice(scanned)
        .filter((candidate) => candidate.entry.extensions['prevent_recursion'] !== true);
      scanned = activated.length;
      if (fresh.length === 0) break;
      const text = new ScanText(
        fresh
          .map((candidate) => candidate.content)
          .join('\n')
          .slice(-guard.maxInputLength),
      );
      const excluded = (item: Pending) => item.entry.extensions['exclude_recursion'] === true;
      remaining = [
        ...remaining.filter(excluded),
        ...scanPass(
          remaining.filter((item) => !excluded(item)),
          () => text,
          true,
        ),
      ];
    }
  }

  const activatedIndexes = new Set(activated.map((candidate) => candidate.index));
  const refused = [...refusals.values()].filter((skip) => !activatedIndexes.has(skip.index));
  return select(activated, refused, options, scanDepth, book.token_budget);
}

function staticReason(entry: LorebookEntry, decorators: EntryDecorators): ActivationReason | undefined {
  if (decorators.activate) return { kind: 'decorator', decorator: '@@activate' };
  if (entry.constant === true) return { kind: 'constant' };
  return undefined;
}

function select(
  activated: Candidate[],
  skipped: SkippedLoreEntry[],
  options: LorebookActivationOptions,
  scanDepth: number,
  bookBudget: number | null | undefined,
): LorebookActivation {
  const budgets = [options.tokenBudget, bookBudget].filter(
    (value): value is number => typeof value === 'number' && value >= 0,
  );
  const tokenBudget = budgets.length > 0 ? Math.min(...budgets) : null;
  const rank = (candidate: Candidate) => candidate.entry.priority ?? candidate.entry.insertion_order;
  const byImportance = [...activated].sort(
    (a, b) =>
      Number(b.reason.kind !== 'key') - Number(a.reason.kind !== 'key') || rank(b) - rank(a) || a.index - b.index,
  );
  const chosen: ActivatedLoreEntry[] = [];
  let tokensUsed = 0;
  for (const candidate of byImportance) {
    const id = candidate.entry.id ?? null;
    if (candidate.content.trim() === '') {
      skipped.push({ index: candidate.index, id, reason: 'empty_content' });
      continue;
    }
    const tokens = options.countTokens(candidate.content);
    if (tokenBudget !== null && tokensUsed + tokens > tokenBudget) {
      skipped.push({ index: candidate.index, id, reason: 'over_budget' });
      continue;
    }
    tokensUsed += tokens;
    chosen.push({
      index: candidate.index,
      id,
      name: candidate.entry.name ?? null,
      comment: candidate.entry.comment ?? null,
      content: candidate.content,
      insertionOrder: candidate.entry.insertion_order,
      priority: candidate.entry.priority ?? null,
      position: candidate.entry.position ?? null,
      tokens,
      reason: candidate.reason,
    });
  }
  chosen.sort((a, b) => a.insertionOrder - b.insertionOrder || a.index - b.index);
  skipped.sort((a, b) => a.index - b.index);
  return { entries: chosen, skipped, tokensUsed, tokenBudget, scanDepth };
}

const nonNegative = (value: number | null | undefined): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;

/** SillyTavern keeps per-entry overrides in `extensions` (null means "use the global setting"). */
const stScanDepth = (entry: LorebookEntry) => {
  const depth = entry.extensions['scan_depth'];
  return typeof depth === 'number' ? nonNegative(depth) : undefined;
};
