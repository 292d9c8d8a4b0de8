import { describe, expect, it } from 'vitest';
import {
  LorebookSchema,
  activateLorebook,
  parseCardJson,
  type Lorebook,
  type LorebookActivationOptions,
} from '../src/cards/index.js';

/** Whitespace-separated words: a stand-in tokenizer that is easy to reason about in tests. */
const countTokens = (text: string) => text.split(/\s+/).filter(Boolean).length;
const options: LorebookActivationOptions = { countTokens };

type EntryInput = Partial<Lorebook['entries'][number]> & { content: string };
function book(entries: EntryInput[], extra: Partial<Lorebook> = {}): Lorebook {
  return LorebookSchema.parse({
    extensions: {},
    ...extra,
    entries: entries.map((entry, id) => ({ id, insertion_order: 100, ...entry })),
  });
}
const ids = (result: ReturnType<typeof activateLorebook>) => result.entries.map((entry) => entry.id);

describe('lorebook activation', () => {
  it('activates entries whose keys appear, whole words and case-insensitive by default', () => {
    const lore = book([
      { keys: ['dragon'], content: 'Dragons hoard gold.' },
      { keys: ['cat'], content: 'Cats are sacred.' },
      { keys: ['magical forest'], content: 'The forest hums.' },
    ]);
    const result = activateLorebook(
      lore,
      ['I saw a DRAGON near the Magical  Forest', 'A category error, concatenated.'],
      options,
    );
    expect(ids(result)).toEqual([0]);
    expect(result.entries[0]?.reason).toEqual({
      kind: 'key',
      key: 'dragon',
      matched: 'DRAGON',
      regex: false,
      recursion: false,
    });
    // Exact phrase, across a single space.
    expect(ids(activateLorebook(lore, ['into the magical forest we go'], options))).toEqual([2]);
    // Whole-word matching can be turned off, per call or per entry (SillyTavern's extension field).
    expect(ids(activateLorebook(lore, ['concatenated'], { ...options, matchWholeWords: false }))).toEqual([1]);
    const perEntry = book([{ keys: ['cat'], content: 'Cats.', extensions: { match_whole_words: false } }]);
    expect(ids(activateLorebook(perEntry, ['concatenated'], options))).toEqual([0]);
  });

  it('matches whole words in non-Latin scripts and keys with symbols', () => {
    const lore = book([
      { keys: ['café'], content: 'Coffee.' },
      { keys: ['C++'], content: 'A language.' },
    ]);
    expect(ids(activateLorebook(lore, ['Meet me at the CAFÉ.'], options))).toEqual([0]);
    expect(ids(activateLorebook(lore, ['the cafés are closed'], options))).toEqual([]);
    expect(ids(activateLorebook(lore, ['I write C++ daily'], options))).toEqual([1]);
  });

  it('honours case_sensitive', () => {
    const lore = book([{ keys: ['Rose'], content: 'Rose is the queen.', case_sensitive: true }]);
    expect(ids(activateLorebook(lore, ['a rose by any other name'], options))).toEqual([]);
    expect(ids(activateLorebook(lore, ['Rose arrives'], options))).toEqual([0]);
    expect(
      ids(activateLorebook(book([{ keys: ['Rose'], content: 'x' }]), ['rose'], { ...options, caseSensitive: true })),
    ).toEqual([]);
  });

  it('always includes constant entries and never disabled ones', () => {
    const lore = book([
      { keys: [], content: 'The world is flat.', constant: true },
      { keys: ['dragon'], content: 'Disabled lore.', enabled: false },
      { keys: ['dragon'], content: 'Disabled even if constant.', enabled: false, constant: true },
    ]);
    const result = activateLorebook(lore, ['a dragon!'], options);
    expect(ids(result)).toEqual([0]);
    expect(result.entries[0]?.reason).toEqual({ kind: 'constant' });
  });

  it('requires a secondary key for selective entries, with SillyTavern selective logic', () => {
    const entry = { keys: ['king'], secondary_keys: ['crown', 'throne'], selective: true, content: 'The king is old.' };
    const lore = book([entry]);
    expect(ids(activateLorebook(lore, ['the king rides'], options))).toEqual([]);
    const hit = activateLorebook(lore, ['the king sits on his throne'], options);
    expect(hit.entries[0]?.reason).toMatchObject({ key: 'king', secondaryKey: 'throne' });
    // Not selective: secondary keys are ignored.
    expect(ids(activateLorebook(book([{ ...entry, selective: false }]), ['the king rides'], options))).toEqual([0]);
    // NOT_ANY (2): none of the secondary keys may appear.
    const notAny = book([{ ...entry, extensions: { selectiveLogic: 2 } }]);
    expect(ids(activateLorebook(notAny, ['the king rides'], options))).toEqual([0]);
    expect(ids(activateLorebook(notAny, ['the king and his crown'], options))).toEqual([]);
    // AND_ALL (3): all must appear.
    const andAll = book([{ ...entry, extensions: { selectiveLogic: 3 } }]);
    expect(ids(activateLorebook(andAll, ['king, crown'], options))).toEqual([]);
    expect(ids(activateLorebook(andAll, ['king, crown, throne'], options))).toEqual([0]);
  });

  it('matches regex keys when use_regex is set, and /pattern/flags keys like SillyTavern', () => {
    const lore = book([
      { keys: ['colou?r(ed)?\\b'], content: 'Colours matter.', use_regex: true },
      { keys: ['/^ship\\s+\\d+$/m'], content: 'Ships are numbered.' },
      { keys: ['[unclosed'], content: 'Never.', use_regex: true },
    ]);
    const result = activateLorebook(lore, ['The COLORED glass', 'ship 42'], options);
    expect(ids(result)).toEqual([0, 1]);
    expect(result.entries[0]?.reason).toMatchObject({ regex: true, matched: 'COLORED' });
    expect(result.skipped).toEqual([{ index: 2, id: 2, reason: 'invalid_regex', key: '[unclosed' }]);
    // Case-sensitive regex.
    const sensitive = book([{ keys: ['Colou?r'], content: 'x', use_regex: true, case_sensitive: true }]);
    expect(ids(activateLorebook(sensitive, ['color'], options))).toEqual([]);
  });

  it('survives catastrophic regexes from a card: time-limited, reported, no match', () => {
    const lore = book([
      { keys: ['(a+)+$'], content: 'Evil.', use_regex: true },
      { keys: ['(x|x?)+y'], content: 'Also evil.', use_regex: true },
      { keys: ['a'.repeat(300)], content: 'Too long.', use_regex: true },
      { keys: ['fine'], content: 'A fine entry.', use_regex: true },
    ]);
    const started = performance.now();
    const result = activateLorebook(lore, [`${'a'.repeat(5000)}!`, `fine ${'x'.repeat(40)}`], options);
    const elapsed = performance.now() - started;
    expect(ids(result)).toEqual([3]);
    expect(result.skipped.map((skip) => [skip.index, skip.reason])).toEqual([
      [0, 'timeout'],
      [1, 'timeout'],
      [2, 'pattern_too_long'],
    ]);
    expect(elapsed).toBeLessThan(1500);
  });

  it('stops running card regexes once the per-activation time budget is spent', () => {
    const evil = Array.from({ length: 20 }, () => ({ keys: ['(a+)+$'], content: 'Evil.', use_regex: true }));
    const started = performance.now();
    const result = activateLorebook(book(evil), [`${'a'.repeat(5000)}!`], {
      ...options,
      regex: { timeoutMs: 10, totalBudgetMs: 60 },
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.entries).toEqual([]);
    expect(result.skipped.some((skip) => skip.reason === 'budget_exhausted')).toBe(true);
  });

  it('bounds the time a hostile book can take, reporting what it did not reach', () => {
    // 5000 entries x 64 distinct multi-word keys over 20k characters: minutes of indexOf, unbounded.
    const entries = Array.from({ length: 5000 }, (_, i) => ({
      keys: Array.from({ length: 64 }, (_, k) => `b c${i}-${k}`),
      content: 'x',
    }));
    const started = performance.now();
    const result = activateLorebook(book(entries), ['ab c'.repeat(5000)], { ...options, scanBudgetMs: 100 });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(result.entries).toEqual([]);
    expect(result.skipped.at(-1)).toMatchObject({ index: 4999, reason: 'time_budget' });
  });

  it('handles a large ordinary book quickly', () => {
    const entries = Array.from({ length: 5000 }, (_, i) => ({
      keys: [`word${i}`, `the word${i}x`],
      content: `lore ${i}`,
    }));
    const text = Array.from({ length: 2000 }, (_, i) => `word${i * 3}`).join(' ');
    const started = performance.now();
    const result = activateLorebook(book(entries), [text], options);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.entries).toHaveLength(1667); // word0, word3, ... below 5000
    expect(result.skipped).toEqual([]);
  });

  it('scans only the last scan_depth messages', () => {
    const lore = book([{ keys: ['dragon'], content: 'Dragons.' }], { scan_depth: 1 });
    expect(ids(activateLorebook(lore, ['a dragon', 'nothing here'], options))).toEqual([]);
    expect(ids(activateLorebook(lore, ['nothing here', 'a dragon'], options))).toEqual([0]);
    // The caller's default applies when the book has none; SillyTavern's per-entry override wins.
    const noDepth = book([{ keys: ['dragon'], content: 'Dragons.' }]);
    expect(activateLorebook(noDepth, [], options).scanDepth).toBe(2);
    expect(ids(activateLorebook(noDepth, ['a dragon', 'x', 'y'], { ...options, scanDepth: 3 }))).toEqual([0]);
    const perEntry = book([{ keys: ['dragon'], content: 'Dragons.', extensions: { scan_depth: 3 } }], {
      scan_depth: 1,
    });
    expect(ids(activateLorebook(perEntry, ['a dragon', 'x', 'y'], options))).toEqual([0]);
  });

  it('keeps within the token budget, dropping the lowest priority first, and returns insertion order', () => {
    const lore = book(
      [
        { keys: ['a'], content: 'one two three four', insertion_order: 30, priority: 1 },
        { keys: ['a'], content: 'five six seven', insertion_order: 10, priority: 5 },
        { keys: ['a'], content: 'eight nine', insertion_order: 20, priority: 3 },
        { keys: [], content: 'constant lore', constant: true, insertion_order: 40 },
      ],
      { token_budget: 8 },
    );
    const result = activateLorebook(lore, ['a'], options);
    // Constant (2) + priority 5 (3) + priority 3 (2) = 7; priority 1 (4) no longer fits.
    expect(ids(result)).toEqual([1, 2, 3]);
    expect(result.tokensUsed).toBe(7);
    expect(result.tokenBudget).toBe(8);
    expect(result.skipped).toEqual([{ index: 0, id: 0, reason: 'over_budget' }]);
    // The caller's budget applies when smaller than the book's.
    expect(ids(activateLorebook(lore, ['a'], { ...options, tokenBudget: 5 }))).toEqual([1, 3]);
    // Without priorities, the higher insertion_order is kept first (V3: lowest dropped first).
    const byOrder = book(
      [
        { keys: ['a'], content: 'one two', insertion_order: 1 },
        { keys: ['a'], content: 'three four', insertion_order: 2 },
      ],
      { token_budget: 2 },
    );
    expect(ids(activateLorebook(byOrder, ['a'], options))).toEqual([1]);
  });

  it('scans activated content again with recursive_scanning', () => {
    const entries = [
      { keys: ['castle'], content: 'The castle belongs to the duke.' },
      { keys: ['duke'], content: 'The duke fears the witch.' },
      { keys: ['witch'], content: 'The witch is kind.' },
    ];
    expect(ids(activateLorebook(book(entries), ['the castle'], options))).toEqual([0]);
    const recursive = activateLorebook(book(entries, { recursive_scanning: true }), ['the castle'], options);
    expect(ids(recursive)).toEqual([0, 1, 2]);
    expect(recursive.entries[2]?.reason).toMatchObject({ key: 'witch', recursion: true });
    const limited = activateLorebook(book(entries, { recursive_scanning: true }), ['the castle'], {
      ...options,
      maxRecursionPasses: 1,
    });
    expect(ids(limited)).toEqual([0, 1]);
    const excluded = book([entries[0]!, { ...entries[1]!, extensions: { exclude_recursion: true } }], {
      recursive_scanning: true,
    });
    expect(ids(activateLorebook(excluded, ['the castle'], options))).toEqual([0]);
  });

  it('honours V3 decorators and strips them from the content', () => {
    const lore = book([
      { keys: [], content: '@@activate\nAlways here.' },
      { keys: ['dragon'], content: '@@dont_activate\nNever here.' },
      { keys: ['dragon'], content: '@@exclude_keys peace, truce\nWar lore.' },
      { keys: ['dragon'], content: '@@risu_only 4\n@@@additional_keys fire\n\nFire lore.' },
    ]);
    const result = activateLorebook(lore, ['a dragon breathes fire during the truce'], options);
    expect(ids(result)).toEqual([0, 3]);
    expect(result.entries.map((entry) => entry.content)).toEqual(['Always here.', 'Fire lore.']);
    expect(result.entries[0]?.reason).toEqual({ kind: 'decorator', decorator: '@@activate' });
  });

  it('leaves out entries with empty content and runs on a lorebook read from a card', () => {
    const card = parseCardJson({
      spec: 'chara_card_v3',
      spec_version: '3.0',
      data: {
        name: 'N',
        character_book: {
          extensions: {},
          entries: [
            { keys: ['x'], content: '', extensions: {}, enabled: true, insertion_order: 0, use_regex: false },
            { keys: ['y'], content: 'Why.', extensions: {}, enabled: true, insertion_order: 0, use_regex: false },
          ],
        },
      },
    });
    const result = activateLorebook(card.data.character_book!, ['x y'], options);
    expect(result.entries.map((entry) => entry.index)).toEqual([1]);
    expect(result.skipped).toEqual([{ index: 0, id: null, reason: 'empty_content' }]);
  });
});
