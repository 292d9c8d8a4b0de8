import { PreferenceChangeSchema, PreferenceProfileSchema, type PreferenceProfile } from '@vibhava/protocol';
import { describe, expect, it } from 'vitest';
import {
  applyVisitorEdit,
  EMPTY_PREFERENCES,
  learnFromFeedback,
  learnFromMessage,
  MAX_LEARNED_TOPICS,
} from '../src/memory/preference-learner.js';

const AT = '2025-03-04T10:00:00.000Z';
const profile = (fields: Partial<PreferenceProfile> = {}): PreferenceProfile => ({ ...EMPTY_PREFERENCES, ...fields });
const learn = (text: string, from = profile()) => learnFromMessage(from, text, AT);

describe('learnFromMessage', () => {
  it.each<[string, Partial<PreferenceProfile>]>([
    ['Please keep it short.', { replyLength: 'short' }],
    ['Could you be more brief?', { replyLength: 'short' }],
    ['tl;dr please', { replyLength: 'short' }],
    ['That was way too long', { replyLength: 'short' }],
    ['I want more detail in your answers', { replyLength: 'long' }],
    ['Can you explain in depth?', { replyLength: 'long' }],
    ['longer answers please', { replyLength: 'long' }],
    ['Please be more formal', { formality: 'formal' }],
    ["You're too casual, stay professional", { formality: 'formal' }],
    ['Just talk normally', { formality: 'casual' }],
    ["Don't be so formal with me", { formality: 'casual' }],
    ['Answer in German from now on', { language: 'de' }],
    ['Can you reply in Spanish?', { language: 'es' }],
    ['auf Deutsch bitte', { language: 'de' }],
    ['en español, por favor', { language: 'es' }],
    ['Speak French with me', { language: 'fr' }],
    ['Please switch to Brazilian Portuguese', { language: 'pt-BR' }],
    ['日本語', { language: 'ja' }],
    ['I love hiking', { likes: ['hiking'] }],
    ['I hate spoilers', { dislikes: ['spoilers'] }],
    ["Please don't mention my ex.", { avoid: ['my ex'] }],
    ['Never bring up politics again', { avoid: ['politics'] }],
    ['Stop talking about football!', { avoid: ['football'] }],
    ['Please avoid talking about work', { avoid: ['work'] }],
  ])('%j', (text, expected) => {
    const { profile: learned, changes } = learn(text);
    expect(learned).toEqual({ ...EMPTY_PREFERENCES, ...expected, updatedAt: AT });
    expect(changes).toHaveLength(1);
    const [field] = Object.keys(expected) as Array<keyof PreferenceProfile>;
    expect(changes[0]).toMatchObject({ field, before: EMPTY_PREFERENCES[field!], after: expected[field!] });
    expect(changes[0]).toMatchObject({ source: 'conversation', at: AT, reason: expect.any(String) });
    PreferenceProfileSchema.parse(learned);
    PreferenceChangeSchema.parse(changes[0]);
  });

  it.each([
    'Hello there!',
    'I speak French.',
    'Do you speak German?',
    'I was in Spanish class today',
    'I waited too long for the bus',
    "Don't be brief, I have time",
    "Don't mention it!",
    'Do you like hiking?',
    'My friend loves hiking',
  ])('learns nothing from %j and returns the same profile', (text) => {
    const before = profile();
    const { profile: after, changes } = learn(text, before);
    expect(changes).toEqual([]);
    expect(after).toBe(before);
  });

  it('reads several signals from one message, with the words that gave each away', () => {
    const { profile: learned, changes } = learn(
      'Keep it short and casual, talk normally. I love jazz and I hate mornings.',
    );
    expect(learned).toMatchObject({
      replyLength: 'short',
      formality: 'casual',
      likes: ['jazz'],
      dislikes: ['mornings'],
    });
    expect(changes.map((c) => [c.field, c.reason])).toEqual([
      ['replyLength', 'said "Keep it short"'],
      ['formality', 'said "talk normally"'],
      ['likes', 'loves jazz'],
      ['dislikes', 'hates mornings'],
    ]);
  });

  it('lets newer evidence win: a topic moves from dislikes to likes, and a new length replaces the old', () => {
    const start = profile({ replyLength: 'long', dislikes: ['Mushrooms', 'spoilers'], avoid: ['mushrooms'] });
    const { profile: learned, changes } = learn('Keep it short. I love mushrooms now.', start);
    expect(learned).toMatchObject({ replyLength: 'short', likes: ['mushrooms'], dislikes: ['spoilers'], avoid: [] });
    expect(changes).toEqual([
      {
        field: 'replyLength',
        before: 'long',
        after: 'short',
        source: 'conversation',
        reason: 'said "Keep it short"',
        at: AT,
      },
      {
        field: 'dislikes',
        before: ['Mushrooms', 'spoilers'],
        after: ['spoilers'],
        source: 'conversation',
        reason: 'now loves mushrooms',
        at: AT,
      },
      {
        field: 'avoid',
        before: ['mushrooms'],
        after: [],
        source: 'conversation',
        reason: 'now loves mushrooms',
        at: AT,
      },
      {
        field: 'likes',
        before: [],
        after: ['mushrooms'],
        source: 'conversation',
        reason: 'now loves mushrooms',
        at: AT,
      },
    ]);
    // And back: disliking it again takes it out of likes.
    const again = learn("I can't stand mushrooms", learned);
    expect(again.profile).toMatchObject({ likes: [], dislikes: ['spoilers', 'mushrooms'] });
  });

  it('drops a like the visitor no longer has, and the one a new preference replaces', () => {
    const start = profile({ likes: ['coffee', 'tea', 'jazz'] });
    expect(learn("I don't like coffee anymore", start).profile.likes).toEqual(['tea', 'jazz']);
    expect(learn('I now prefer tea over coffee', profile({ likes: ['coffee'] })).profile.likes).toEqual(['tea']);
  });

  it('deduplicates topics case-insensitively and keeps the newest when the list is full', () => {
    const same = learn('I LOVE HIKING', profile({ likes: ['hiking'] }));
    expect(same.changes).toEqual([]);
    const full = profile({ likes: Array.from({ length: MAX_LEARNED_TOPICS }, (_, i) => `topic ${i}`) });
    const { profile: learned, changes } = learn('I love jazz', full);
    expect(learned.likes).toHaveLength(MAX_LEARNED_TOPICS);
    expect(learned.likes[0]).toBe('topic 1');
    expect(learned.likes.at(-1)).toBe('jazz');
    expect(changes[0]!.before).toEqual(full.likes);
  });

  it('ignores a request for both shorter and longer replies', () => {
    expect(learn('Keep it short but with more detail').changes).toEqual([]);
  });

  it('does not change what is already known', () => {
    expect(learn('Please keep it short', profile({ replyLength: 'short' })).changes).toEqual([]);
    expect(learn('auf Deutsch bitte', profile({ language: 'de' })).changes).toEqual([]);
  });
});

describe('learnFromFeedback', () => {
  it('needs two agreeing votes: a single too_long changes nothing', () => {
    const start = profile();
    const once = learnFromFeedback(start, { rating: 'down', reason: 'too_long', recentReasons: [] }, AT);
    expect(once.changes).toEqual([]);
    expect(once.profile).toBe(start);
    const twice = learnFromFeedback(
      start,
      { rating: 'down', reason: 'too_long', recentReasons: ['unhelpful', 'too_long'] },
      AT,
    );
    expect(twice.profile).toMatchObject({ replyLength: 'short', updatedAt: AT });
    expect(twice.changes).toEqual([
      {
        field: 'replyLength',
        before: null,
        after: 'short',
        source: 'feedback',
        reason: '2 recent votes said replies were too long',
        at: AT,
      },
    ]);
  });

  it('makes replies longer after two too_short votes, free-text reasons included', () => {
    const { profile: learned } = learnFromFeedback(
      profile({ replyLength: 'short' }),
      { rating: 'down', reason: 'Way too short, I wanted more detail', recentReasons: ['too_short'] },
      AT,
    );
    expect(learned.replyLength).toBe('long');
  });

  it('does nothing while the opposite votes are as many, or without a reason', () => {
    const start = profile();
    expect(
      learnFromFeedback(start, { rating: 'down', reason: 'too_long', recentReasons: ['too_short', 'too_short'] }, AT)
        .changes,
    ).toEqual([]);
    expect(learnFromFeedback(start, { rating: 'down', recentReasons: ['too_long', 'too_long'] }, AT).changes).toEqual(
      [],
    );
    expect(learnFromFeedback(start, { rating: 'up', recentReasons: [] }, AT).profile).toBe(start);
  });

  it('moves the register after two votes that it was too formal', () => {
    const { profile: learned, changes } = learnFromFeedback(
      profile({ formality: 'formal' }),
      { rating: 'down', reason: 'too_formal', recentReasons: ['too_formal'] },
      AT,
    );
    expect(learned.formality).toBe('casual');
    expect(changes[0]).toMatchObject({ field: 'formality', before: 'formal', after: 'casual', source: 'feedback' });
  });
});

describe('applyVisitorEdit', () => {
  it('sets, clears and replaces what the visitor edits, and records each change as theirs', () => {
    const start = profile({ replyLength: 'long', formality: 'formal', likes: ['jazz'], dislikes: ['Hiking'] });
    const { profile: edited, changes } = applyVisitorEdit(
      start,
      { replyLength: 'short', formality: null, language: 'pt-br', likes: ['Hiking', 'hiking ', 'tea', ''] },
      AT,
    );
    expect(edited).toEqual({
      replyLength: 'short',
      formality: null,
      language: 'pt-BR',
      likes: ['Hiking', 'tea'],
      dislikes: [],
      avoid: [],
      updatedAt: AT,
    });
    expect(changes.map((c) => [c.field, c.before, c.after, c.source])).toEqual([
      ['replyLength', 'long', 'short', 'visitor'],
      ['formality', 'formal', null, 'visitor'],
      ['language', null, 'pt-BR', 'visitor'],
      ['likes', ['jazz'], ['Hiking', 'tea'], 'visitor'],
      ['dislikes', ['Hiking'], [], 'visitor'],
    ]);
  });

  it('leaves fields it does not name alone, and keeps both lists when the visitor edits both', () => {
    const start = profile({ language: 'de', likes: ['tea'] });
    const { profile: edited } = applyVisitorEdit(start, { likes: ['tea', 'jazz'], dislikes: ['jazz'] }, AT);
    expect(edited).toMatchObject({ language: 'de', likes: ['tea', 'jazz'], dislikes: ['jazz'] });
    const none = applyVisitorEdit(start, { likes: ['TEA'] }, AT);
    expect(none.changes.map((c) => c.field)).toEqual(['likes']);
    expect(applyVisitorEdit(start, {}, AT).changes).toEqual([]);
  });
});
