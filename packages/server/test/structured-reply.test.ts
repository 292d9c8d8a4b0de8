import { describe, expect, it } from 'vitest';
import {
  AVATAR_REPLY_FORMAT,
  AvatarReplyParser,
  empatheticExpression,
  encodeAvatarReply,
  type ReplyEvent,
} from '../src/conversations/structured-reply.js';
import { jsonSchemaToGbnf } from '../src/providers/local/json-schema-grammar.js';

/** Feeds `text` to a parser in chunks of `size` characters and collects the events. */
function parseInChunks(text: string, size: number): { events: ReplyEvent[]; parser: AvatarReplyParser } {
  const parser = new AvatarReplyParser();
  const events: ReplyEvent[] = [];
  for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
  return { events, parser };
}

describe('AvatarReplyParser', () => {
  const reply = 'Hi "friend" \\ here:\nline two\ttab — café 😀 \u0007';
  const encoded = encodeAvatarReply({ content: reply, emotion: 'joy' });

  it.each([1, 2, 3, 5, 7, 64, 10_000])('decodes the emotion first and the reply exactly, in chunks of %i', (size) => {
    const { events, parser } = parseInChunks(encoded, size);
    expect(events[0]).toEqual({ type: 'emotion', emotion: 'joy' });
    expect(events.filter((e) => e.type === 'emotion')).toHaveLength(1);
    const text = events.flatMap((e) => (e.type === 'text' ? [e.delta] : [])).join('');
    expect(text).toBe(reply);
    expect(parser.text).toBe(reply);
    expect(parser.emotion).toBe('joy');
  });

  it('decodes \\u escapes split across chunks, surrogate pairs included', () => {
    const { parser } = parseInChunks('{"emotion":"sadness","reply":"a\\u00e9b\\ud83d\\ude00"}', 3);
    expect(parser.text).toBe('aéb😀');
    expect(parser.emotion).toBe('sadness');
  });

  it('passes plain text through when the model ignores the format', () => {
    const { events, parser } = parseInChunks('  Hello there, {not json}', 4);
    expect(events.every((e) => e.type === 'text')).toBe(true);
    expect(parser.text).toBe('Hello there, {not json}');
    expect(parser.emotion).toBeUndefined();
  });

  it('maps an unknown expression to neutral and keeps a reply cut off mid-string', () => {
    const { events, parser } = parseInChunks('{"emotion":"smug","reply":"Half a sent', 5);
    expect(events[0]).toEqual({ type: 'emotion', emotion: 'neutral' });
    expect(parser.text).toBe('Half a sent');
  });

  it('takes the reply before the emotion when a provider writes them the other way round', () => {
    const { events, parser } = parseInChunks('{"reply":"Oh no.","emotion":"fear"}', 6);
    expect(parser.text).toBe('Oh no.');
    expect(events.at(-1)).toEqual({ type: 'emotion', emotion: 'fear' });
  });
});

describe('jsonSchemaToGbnf', () => {
  it('compiles the avatar reply schema to a compact grammar with the properties in order', () => {
    const grammar = jsonSchemaToGbnf(AVATAR_REPLY_FORMAT.schema);
    const root = grammar.split('\n')[0]!;
    expect(root).toMatch(/^root ::= r\d+$/);
    const objectRule = grammar.split('\n').find((l) => l.includes('emotion'))!;
    expect(objectRule.indexOf('\\"emotion\\":')).toBeLessThan(objectRule.indexOf('\\"reply\\":'));
    expect(grammar).toContain('"\\"joy\\""');
    expect(grammar).toContain('char ::=');
  });

  it('refuses a schema it cannot honour', () => {
    expect(() => jsonSchemaToGbnf({ type: 'object', properties: { a: { anyOf: [] } } })).toThrow(
      /unsupported schema at \$\.a/,
    );
  });
});

describe('empatheticExpression', () => {
  it('shows concern instead of anger or disgust while the visitor is upset, and leaves the rest alone', () => {
    expect(empatheticExpression('anger')('anger')).toBe('sadness');
    expect(empatheticExpression('fear')('disgust')).toBe('sadness');
    expect(empatheticExpression('sadness')('joy')).toBe('joy');
    expect(empatheticExpression('joy')('anger')).toBe('anger');
    expect(empatheticExpression(undefined)('anger')).toBe('anger');
  });
});
