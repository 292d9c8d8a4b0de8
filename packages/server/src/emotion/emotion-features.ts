/**
 * Text → sparse feature strings for the emotion classifier. Training and inference share this
 * module, so a model file always sees features made exactly as they were when it was trained; the
 * options that shape them travel inside the model file.
 */

/** How features are made from a text. Stored in the model file. */
export interface FeatureOptions {
  /** Add word bigrams (with sentence-start and -end markers) to the unigrams. */
  readonly wordBigrams: boolean;
  /** Shortest and longest character n-gram, taken inside each word padded with spaces (0 = none). */
  readonly charMin: number;
  readonly charMax: number;
  /**
   * Mark up to three words after a negation ("not", "never", "…n't") and before the next
   * punctuation or "but" as `neg_word`, with no character n-grams.
   */
  readonly negation: boolean;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { wordBigrams: true, charMin: 2, charMax: 5, negation: true };

const NEGATIONS = new Set(['not', 'no', 'never', 'nothing', 'nobody', 'none', 'nor', 'neither', 'without', 'cannot']);
const SCOPE_ENDS = new Set(['.', ',', ';', ':', '!', '?', 'but']);
const NEGATION_SCOPE = 3;

// One alternation, tried left to right at each position: placeholders, emoticons, emoji,
// words (with inner apostrophes), runs of ! or ?, and clause punctuation.
const TOKEN =
  /\[name\]|\[religion\]|<3|[:;=][-'^]?[)(\][dpo*/\\|]+(?![\p{L}\p{N}])|\p{Extended_Pictographic}|[\p{L}\p{N}]+(?:'[\p{L}]+)*|[!?]+|\.{2,}|[.,;:]/giu;
const URL_PATTERN = /\bhttps?:\/\/\S+|\bwww\.\S+/gu;
const APOSTROPHES = /[\u2018\u2019\u02bc`´]/gu;

/** Lowercases and unifies apostrophes, quotes and URLs so that variants share features. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').replace(URL_PATTERN, ' url ').replace(APOSTROPHES, "'").toLowerCase();
}

/**
 * Splits a text into tokens: words, emoji, emoticons, `!`/`?` runs (shortened to at most two
 * characters) and punctuation. A word written in capitals in the original text adds a `<caps>`
 * token after it, since shouting is a signal of its own once text is lowercased.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const cased = text.normalize('NFKC').replace(URL_PATTERN, ' url ').replace(APOSTROPHES, "'");
  for (const match of cased.matchAll(TOKEN)) {
    const raw = match[0];
    let token = normalizeText(raw);
    if (token[0] === '!' || token[0] === '?') token = token.length > 1 ? token.slice(0, 2) : token;
    else if (token.startsWith('..')) token = '...';
    tokens.push(token);
    if (raw.length >= 3 && raw[0] !== '[' && /^\p{Lu}+$/u.test(raw)) tokens.push('<caps>');
  }
  return tokens;
}

const isWord = (token: string): boolean => /^[\p{L}\p{N}]/u.test(token);

/**
 * The features of one text with their counts. Names are prefixed by kind: `w:` word, `b:` word
 * bigram, `c:` character n-gram, so the kinds never collide.
 */
export function extractFeatures(text: string, options: FeatureOptions): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  const tokens = tokenize(text);
  const words: string[] = [];
  let negated = 0;
  for (const token of tokens) {
    if (SCOPE_ENDS.has(token)) negated = 0;
    const marked = options.negation && negated > 0 && isWord(token) ? `neg_${token}` : token;
    if (isWord(token) && negated > 0) negated--;
    if (options.negation && (NEGATIONS.has(token) || token.endsWith("n't"))) negated = NEGATION_SCOPE;
    words.push(marked);
  }
  for (const word of words) add(`w:${word}`);
  if (options.wordBigrams) {
    const padded = ['<s>', ...words, '</s>'];
    for (let i = 0; i + 1 < padded.length; i++) add(`b:${padded[i]} ${padded[i + 1]}`);
  }
  if (options.charMin > 0) {
    // A negated word keeps only its `neg_` word features: its character n-grams would carry the
    // un-negated meaning ("not happy" scoring as joy), and measured on the official dev split,
    // dropping them scores better than keeping them or marking them.
    for (const word of words) {
      if (!isWord(word) || word.startsWith('neg_')) continue;
      const padded = ` ${word} `;
      for (let n = options.charMin; n <= options.charMax; n++) {
        for (let i = 0; i + n <= padded.length; i++) add(`c:${padded.slice(i, i + n)}`);
      }
    }
  }
  return counts;
}
