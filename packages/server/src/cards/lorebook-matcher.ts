import type { LorebookEntry } from './card-schema.js';
import type { EntryDecorators } from './lorebook-decorators.js';
import type { ActivationReason } from './lorebook.js';
import { RegexRunner, compileCardRegex, isLinearPattern, type RegexGuard, type RegexRefusal } from './safe-regex.js';
import type { ScanText } from './scan-text.js';

/** Keys beyond this many per entry are ignored (bounds the work a hostile book can cause). */
const MAX_KEYS_PER_ENTRY = 64;

/** SillyTavern's `extensions.selectiveLogic`: how secondary keys combine. */
const SelectiveLogic = { AndAny: 0, NotAll: 1, NotAny: 2, AndAll: 3 } as const;

const asNumber = (value: unknown) => (typeof value === 'number' ? value : undefined);
const asBoolean = (value: unknown) => (typeof value === 'boolean' ? value : undefined);

/** Why a key could not be tested: a card regex refused, or the activation's time budget spent. */
export type KeyRefusal = RegexRefusal | 'time_budget';

export type KeyOutcome = ActivationReason | { refused: KeyRefusal; key: string } | undefined;

/** Matches an entry's keys against scanned text; one per activation (it owns the regex budget). */
export class KeyMatcher {
  private readonly runner: RegexRunner;
  private readonly compiled = new Map<string, ReturnType<typeof compileCardRegex>>();

  constructor(
    private readonly guard: RegexGuard,
    private readonly defaults: { caseSensitive?: boolean; matchWholeWords?: boolean },
    /** `performance.now()` after which no more keys are tested (bounds hostile books). */
    private readonly deadline: number,
  ) {
    this.runner = new RegexRunner(guard);
  }

  entryMatch(entry: LorebookEntry, decorators: EntryDecorators, text: ScanText, recursion: boolean): KeyOutcome {
    if (text.text === '') return undefined;
    const settings = this.settingsFor(entry);
    let refusal: { refused: KeyRefusal; key: string } | undefined;
    const first = (keys: readonly string[]) => {
      for (const key of keys.slice(0, MAX_KEYS_PER_ENTRY)) {
        if (key.trim() === '') continue;
        const result = this.match(key, text, settings);
        if (typeof result === 'string') return { key, matched: result };
        if (result) refusal ??= { refused: result.refused, key };
      }
      return undefined;
    };

    const primary = first(entry.keys);
    if (!primary) return refusal;
    if (decorators.excludeKeys.length > 0 && first(decorators.excludeKeys)) return undefined;
    if (decorators.additionalKeys.length > 0 && !first(decorators.additionalKeys)) return undefined;

    const secondary =
      typeof entry.secondary_keys === 'string' ? entry.secondary_keys.split(',') : (entry.secondary_keys ?? []);
    const secondaryKeys = secondary.map((key) => key.trim()).filter((key) => key.length > 0);
    let secondaryKey: string | undefined;
    if (entry.selective === true && secondaryKeys.length > 0) {
      const hits = secondaryKeys
        .slice(0, MAX_KEYS_PER_ENTRY)
        .map((key) => ({ key, hit: typeof this.match(key, text, settings) === 'string' }));
      const any = hits.some((item) => item.hit);
      const all = hits.every((item) => item.hit);
      const logic = asNumber(entry.extensions['selectiveLogic']) ?? SelectiveLogic.AndAny;
      const pass =
        logic === SelectiveLogic.NotAll
          ? !all
          : logic === SelectiveLogic.NotAny
            ? !any
            : logic === SelectiveLogic.AndAll
              ? all
              : any;
      if (!pass) return undefined;
      secondaryKey = hits.find((item) => item.hit)?.key;
    }
    return {
      kind: 'key',
      key: primary.key,
      matched: primary.matched,
      ...(secondaryKey === undefined ? {} : { secondaryKey }),
      regex: settings.regex,
      recursion,
    };
  }

  private settingsFor(entry: LorebookEntry) {
    return {
      regex: entry.use_regex === true,
      caseSensitive:
        entry.case_sensitive ?? asBoolean(entry.extensions['case_sensitive']) ?? this.defaults.caseSensitive ?? false,
      wholeWords: asBoolean(entry.extensions['match_whole_words']) ?? this.defaults.matchWholeWords ?? true,
    };
  }

  /** The matched text, null for no match, or a refusal for a card regex that could not run. */
  private match(
    key: string,
    text: ScanText,
    settings: { regex: boolean; caseSensitive: boolean; wholeWords: boolean },
  ): string | null | { refused: KeyRefusal } {
    if (performance.now() > this.deadline) return { refused: 'time_budget' };
    // A key longer than the scanned text can never match; skip the work.
    if (key.length > this.guard.maxInputLength) return null;
    // SillyTavern treats `/pattern/flags` keys as regexes whatever use_regex says.
    if (!settings.regex && !/^\/.+\/[a-z]*$/s.test(key)) return text.find(key, settings);
    const cacheKey = `${settings.caseSensitive ? 's' : 'i'}:${key}`;
    let pattern = this.compiled.get(cacheKey);
    if (pattern === undefined) {
      pattern = compileCardRegex(key, settings.caseSensitive, this.guard);
      this.compiled.set(cacheKey, pattern);
    }
    if (typeof pattern === 'string') return { refused: pattern };
    // Patterns that cannot backtrack (SillyTavern writes plain words with use_regex: true) run
    // directly; anything else runs in the time-limited sandbox.
    if (isLinearPattern(pattern)) return pattern.exec(text.text)?.[0] ?? null;
    const result = this.runner.test(pattern, text.text);
    return 'refused' in result ? { refused: result.refused } : result.matched;
  }
}
