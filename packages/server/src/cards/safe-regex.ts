import { Script, createContext, type Context } from 'node:vm';

/**
 * Limits for regular expressions that come from cards (V3 `use_regex` keys, SillyTavern
 * `/pattern/flags` keys). JavaScript regexes backtrack, so a pattern like `(a+)+$` can take
 * forever on a short input, and nothing in the language can interrupt it. Three guards:
 *
 * 1. pattern length is capped and the pattern is compiled inside try/catch (invalid = no match,
 *    as V3 requires);
 * 2. the caller caps the text scanned (`maxInputLength`);
 * 3. every `exec` runs in a `node:vm` context with a `timeout`, which V8 enforces by interrupting
 *    the regex engine, plus a total time budget per activation so many slow-but-legal patterns
 *    cannot add up. A pattern that times out counts as no match and is reported.
 *
 * The vm call costs about 0.1 ms, so patterns that cannot backtrack (no quantifier, alternation,
 * lookaround or backreference: `isLinearPattern`, e.g. the plain words SillyTavern writes with
 * `use_regex: true`) run directly, as do literal keys, which never become regexes at all.
 * Caveat: the timeout is wall-clock, so on a starved CPU a legitimate pattern can time out too;
 * it is then reported like any other refusal rather than failing the reply.
 */
export interface RegexGuard {
  maxPatternLength: number;
  maxInputLength: number;
  timeoutMs: number;
  totalBudgetMs: number;
}

export const DEFAULT_REGEX_GUARD: Readonly<RegexGuard> = Object.freeze({
  maxPatternLength: 256,
  maxInputLength: 20_000,
  timeoutMs: 25,
  totalBudgetMs: 250,
});

export type RegexRefusal = 'pattern_too_long' | 'invalid_regex' | 'timeout' | 'budget_exhausted';

export type RegexTestResult = { matched: string } | { matched: null } | { refused: RegexRefusal };

const SLASH_FORM = /^\/([\s\S]+)\/([a-z]*)$/;
const ALLOWED_FLAGS = /^[imsuv]*$/;

/**
 * Compiles a key from a card as a regex: `/pattern/flags` (SillyTavern's form) keeps its flags
 * (minus stateful `g`/`y`); a bare pattern gets `i` unless matching is case-sensitive.
 */
export function compileCardRegex(key: string, caseSensitive: boolean, guard: RegexGuard): RegExp | RegexRefusal {
  if (key.length > guard.maxPatternLength) return 'pattern_too_long';
  const slash = SLASH_FORM.exec(key);
  const source = slash ? slash[1]! : key;
  const flags = slash ? slash[2]!.replace(/[gyd]/g, '') : caseSensitive ? '' : 'i';
  if (!ALLOWED_FLAGS.test(flags)) return 'invalid_regex';
  try {
    return new RegExp(source, flags);
  } catch {
    return 'invalid_regex';
  }
}

/**
 * True for patterns with no quantifier, alternation, lookaround or backreference: they try each
 * start position with at most one path through the pattern, so their cost is bounded by
 * pattern length x input length and they may run outside the sandbox.
 */
export function isLinearPattern(pattern: RegExp): boolean {
  const source = pattern.source.replace(/\\[^1-9k]/g, '');
  return !/[*+?{|]|\\[1-9k]|\(\?/.test(source);
}

let sandbox: { context: Context; script: Script } | undefined;

/** Runs card regexes under a shared time budget; one instance per activation. */
export class RegexRunner {
  private spentMs = 0;

  constructor(private readonly guard: RegexGuard) {}

  test(pattern: RegExp, input: string): RegexTestResult {
    // vm wants a whole number of milliseconds.
    const timeout = Math.floor(Math.min(this.guard.timeoutMs, this.guard.totalBudgetMs - this.spentMs));
    if (timeout < 1) return { refused: 'budget_exhausted' };
    sandbox ??= {
      context: createContext(Object.create(null) as object),
      script: new Script('(() => { const m = pattern.exec(input); return m === null ? null : m[0]; })()'),
    };
    const started = performance.now();
    try {
      sandbox.context['pattern'] = pattern;
      sandbox.context['input'] = input;
      const matched: unknown = sandbox.script.runInContext(sandbox.context, { timeout });
      return { matched: typeof matched === 'string' ? matched : null };
    } catch (error) {
      const timedOut =
        typeof error === 'object' && error !== null && 'code' in error && error.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
      // Anything else (the regex engine's own stack overflow) also counts as no match.
      return { refused: timedOut ? 'timeout' : 'invalid_regex' };
    } finally {
      this.spentMs += performance.now() - started;
      sandbox.context['pattern'] = undefined;
      sandbox.context['input'] = undefined;
    }
  }
}
