const WORD = /[\p{L}\p{M}\p{N}_]+/gu;
const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;
const SINGLE_WORD = /^[\p{L}\p{M}\p{N}_]+$/u;

/**
 * The text a lorebook scans, indexed once so each key costs little: single-word keys are a map
 * lookup, other keys an `indexOf` walk. No regex is built per key (compiling Unicode-aware
 * regexes for thousands of keys took seconds).
 */
export class ScanText {
  private readonly lower: string;
  private words?: { exact: Map<string, number>; folded: Map<string, number> };
  /** Books repeat keys across entries; each distinct key is looked for once. */
  private readonly found = new Map<string, string | null>();

  constructor(readonly text: string) {
    this.lower = text.toLowerCase();
  }

  /** Where `key` occurs (trimmed), or null. Whole words: not touching a letter, digit or `_`. */
  find(key: string, options: { caseSensitive: boolean; wholeWords: boolean }): string | null {
    const cacheKey = `${options.caseSensitive ? 's' : 'i'}${options.wholeWords ? 'w' : 'p'}:${key}`;
    let result = this.found.get(cacheKey);
    if (result === undefined) {
      result = this.search(key, options);
      this.found.set(cacheKey, result);
    }
    return result;
  }

  private search(key: string, options: { caseSensitive: boolean; wholeWords: boolean }): string | null {
    const needle = options.caseSensitive ? key.trim() : key.trim().toLowerCase();
    if (needle === '') return null;
    const haystack = options.caseSensitive ? this.text : this.lower;
    if (options.wholeWords && SINGLE_WORD.test(needle)) {
      const at = this.wordIndex(options.caseSensitive).get(needle);
      return at === undefined ? null : this.slice(at, needle.length, options.caseSensitive);
    }
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
      if (!options.wholeWords || (isEdge(haystack, at - 1) && isEdge(haystack, at + needle.length))) {
        return this.slice(at, needle.length, options.caseSensitive);
      }
    }
    return null;
  }

  private wordIndex(caseSensitive: boolean): Map<string, number> {
    if (!this.words) {
      const exact = new Map<string, number>();
      const folded = new Map<string, number>();
      for (const match of this.text.matchAll(WORD)) if (!exact.has(match[0])) exact.set(match[0], match.index);
      for (const match of this.lower.matchAll(WORD)) if (!folded.has(match[0])) folded.set(match[0], match.index);
      this.words = { exact, folded };
    }
    return caseSensitive ? this.words.exact : this.words.folded;
  }

  /** The matched text as written (or as folded, where lower-casing changed the text's length). */
  private slice(at: number, length: number, caseSensitive: boolean): string {
    const source = caseSensitive || this.lower.length === this.text.length ? this.text : this.lower;
    return source.slice(at, at + length);
  }
}

const isEdge = (text: string, index: number) => index < 0 || index >= text.length || !WORD_CHAR.test(text[index]!);
