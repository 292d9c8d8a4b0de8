/**
 * BERT's WordPiece tokenizer (uncased), as Hugging Face `tokenizers` runs it for models such as
 * all-MiniLM-L6-v2: `BertNormalizer` → `BertPreTokenizer` → greedy longest-match WordPiece →
 * `[CLS] … [SEP]`. Built from the model's own `tokenizer.json` (or a `vocab.txt`), so the ids are
 * the ones the model was trained on. One difference on purpose: special-token strings typed in a
 * text ("[SEP]") are read as ordinary text, never as control tokens.
 */

/** The tokenizer file is not one this tokenizer can run. */
export class TokenizerFileError extends Error {
  override name = 'TokenizerFileError';
}

/** Settings read from `tokenizer.json`; the defaults are BERT-base-uncased's. */
export interface WordPieceOptions {
  readonly lowercase: boolean;
  /** Strip accents (NFD, drop non-spacing marks); `tokenizers` does so whenever it lowercases. */
  readonly stripAccents: boolean;
  readonly continuingSubwordPrefix: string;
  /** A word longer than this (in characters) becomes a single `[UNK]`. */
  readonly maxInputCharsPerWord: number;
}

const DEFAULT_OPTIONS: WordPieceOptions = {
  lowercase: true,
  stripAccents: true,
  continuingSubwordPrefix: '##',
  maxInputCharsPerWord: 100,
};

// `tokenizers`' BertNormalizer: drop NUL, U+FFFD and "other" characters (Cc, Cf, Cn, Co, Cs)
// except tab and newlines, which are whitespace; every whitespace becomes a space.
const REMOVED = /[\0\uFFFD]|(?![\t\n\r])\p{C}/gu;
const WHITESPACE = /[\t\n\r]|\p{White_Space}/gu;
const CJK =
  /[\u4E00-\u9FFF\u3400-\u4DBF\uF900-\uFAFF\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{2F800}-\u{2FA1F}]/gu;
const NONSPACING_MARK = /\p{Mn}/gu;
// BertPreTokenizer: split on whitespace, and every punctuation character (Unicode P*, or any
// ASCII punctuation, which includes symbols such as $ + < = > ^ ` | ~) is a token of its own.
const PRE_TOKEN = /[\p{P}!-/:-@[-`{-~]|[^\s\p{P}!-/:-@[-`{-~]+/gu;

/** A WordPiece vocabulary and the rules to split text into its ids. */
export class WordPieceTokenizer {
  readonly #vocabulary: ReadonlyMap<string, number>;
  readonly #options: WordPieceOptions;
  readonly #unknown: number;
  /** Id of `[CLS]`, put before every text. */
  readonly clsId: number;
  /** Id of `[SEP]`, put after every text. */
  readonly sepId: number;
  /** Id of `[PAD]`, used to pad a batch. */
  readonly padId: number;

  constructor(vocabulary: ReadonlyMap<string, number>, options: Partial<WordPieceOptions> = {}) {
    this.#vocabulary = vocabulary;
    this.#options = { ...DEFAULT_OPTIONS, ...options };
    const special = (token: string) => {
      const id = vocabulary.get(token);
      if (id === undefined) throw new TokenizerFileError(`the vocabulary has no ${token} token`);
      return id;
    };
    this.#unknown = special('[UNK]');
    this.clsId = special('[CLS]');
    this.sepId = special('[SEP]');
    this.padId = special('[PAD]');
  }

  /** From a BERT `vocab.txt`: one token a line, the line number is the id. */
  static fromVocabText(text: string, options: Partial<WordPieceOptions> = {}): WordPieceTokenizer {
    const tokens = text.split('\n').map((line) => line.replace(/\r$/u, ''));
    if (tokens.at(-1) === '') tokens.pop();
    return new WordPieceTokenizer(new Map(tokens.map((token, id) => [token, id])), options);
  }

  /**
   * From a Hugging Face `tokenizer.json` (already parsed). Refuses a file whose model is not
   * WordPiece or whose normalizer is not BERT's, rather than tokenizing differently from the model.
   */
  static fromTokenizerJson(json: unknown): WordPieceTokenizer {
    const file = json as {
      model?: {
        type?: string;
        vocab?: Record<string, number>;
        continuing_subword_prefix?: string;
        max_input_chars_per_word?: number;
      };
      normalizer?: { type?: string; lowercase?: boolean; strip_accents?: boolean | null };
      pre_tokenizer?: { type?: string };
    };
    const model = file?.model;
    if (model?.type !== 'WordPiece' || typeof model.vocab !== 'object' || model.vocab === null) {
      throw new TokenizerFileError('tokenizer.json: expected a WordPiece model with a vocab');
    }
    if (file.normalizer?.type !== 'BertNormalizer' || file.pre_tokenizer?.type !== 'BertPreTokenizer') {
      throw new TokenizerFileError('tokenizer.json: expected BertNormalizer and BertPreTokenizer');
    }
    const lowercase = file.normalizer.lowercase ?? true;
    const vocabulary = new Map<string, number>();
    for (const [token, id] of Object.entries(model.vocab)) {
      if (!Number.isInteger(id)) throw new TokenizerFileError(`tokenizer.json: bad id for ${JSON.stringify(token)}`);
      vocabulary.set(token, id);
    }
    return new WordPieceTokenizer(vocabulary, {
      lowercase,
      stripAccents: file.normalizer.strip_accents ?? lowercase,
      continuingSubwordPrefix: model.continuing_subword_prefix ?? '##',
      maxInputCharsPerWord: model.max_input_chars_per_word ?? 100,
    });
  }

  /** Text after BERT's normalizer (cleaned, CJK spaced, accents stripped, lowercased). */
  normalize(text: string): string {
    let normalized = text.replace(REMOVED, '').replace(WHITESPACE, ' ').replace(CJK, ' $& ');
    if (this.#options.stripAccents) normalized = normalized.normalize('NFD').replace(NONSPACING_MARK, '');
    return this.#options.lowercase ? normalized.toLowerCase() : normalized;
  }

  /**
   * The ids of `text`: `[CLS]`, its word pieces, `[SEP]`, at most `maxTokens` in all (the word
   * pieces are cut at the end to fit, as `tokenizers`' truncation does).
   */
  encode(text: string, maxTokens = Number.POSITIVE_INFINITY): number[] {
    if (maxTokens < 2) throw new RangeError('maxTokens must leave room for [CLS] and [SEP]');
    const budget = maxTokens - 2;
    const ids = [this.clsId];
    for (const match of this.normalize(text).matchAll(PRE_TOKEN)) {
      if (ids.length > budget) break;
      this.#wordPieces(match[0], ids);
    }
    ids.length = Math.min(ids.length, budget + 1);
    ids.push(this.sepId);
    return ids;
  }

  /** Greedy longest-match-first split of one word, appended to `out`; `[UNK]` if any part fails. */
  #wordPieces(word: string, out: number[]): void {
    const chars = Array.from(word);
    if (chars.length > this.#options.maxInputCharsPerWord) {
      out.push(this.#unknown);
      return;
    }
    const start = out.length;
    let begin = 0;
    while (begin < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      while (end > begin) {
        const piece = chars.slice(begin, end).join('');
        found = this.#vocabulary.get(begin > 0 ? this.#options.continuingSubwordPrefix + piece : piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) {
        out.length = start;
        out.push(this.#unknown);
        return;
      }
      out.push(found);
      begin = end;
    }
  }
}
