import { EKMAN_EMOTIONS, type EkmanEmotion } from '@vibhava/protocol';
import { z } from 'zod';
import type { ChatPromptMessage, StructuredOutput } from '../providers/chat-model.js';

/**
 * What the model writes for every reply: the avatar's expression first, so it can be streamed
 * before the words, then the reply itself. Providers enforce it: OpenAI through structured
 * outputs (`response_format: json_schema`), the local model through a grammar built from the same
 * JSON schema.
 */
export const AvatarReplySchema = z.strictObject({
  emotion: z.enum(EKMAN_EMOTIONS).describe('The expression your face shows while saying the reply.'),
  reply: z.string().describe('What you say to the visitor.'),
});
export type AvatarReply = z.infer<typeof AvatarReplySchema>;

const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(AvatarReplySchema, { target: 'draft-7' });

export const AVATAR_REPLY_FORMAT: StructuredOutput = { name: 'avatar_reply', schema: jsonSchema };

/** The instruction added to the system message so the model knows what the fields mean. */
export const AVATAR_REPLY_INSTRUCTION =
  `Answer with a JSON object: {"emotion": one of ${EKMAN_EMOTIONS.map((e) => `"${e}"`).join(', ')}, ` +
  `"reply": your message}. "emotion" is the expression your own face shows while you say the reply. ` +
  `Be empathetic: when the visitor is upset, look concerned ("sadness") or calm ("neutral"), never angry or disgusted at them.`;

/**
 * A past reply as the model wrote it. Rebuilt byte for byte (`JSON.stringify`, the same canonical
 * form the local grammar allows), so the local model's KV cache still matches on the next turn.
 */
export function encodeAvatarReply(message: { content: string; emotion?: EkmanEmotion | undefined }): string {
  return JSON.stringify({ emotion: message.emotion ?? 'neutral', reply: message.content });
}

/** Turns a past assistant message into what the model would have written in structured mode. */
export function toStructuredHistory(message: ChatPromptMessage, emotion: EkmanEmotion | undefined): ChatPromptMessage {
  return message.role === 'assistant'
    ? { role: 'assistant', content: encodeAvatarReply({ content: message.content, emotion }) }
    : message;
}

export type ReplyEvent = { type: 'emotion'; emotion: EkmanEmotion } | { type: 'text'; delta: string };

/**
 * Reads the model's structured reply as it streams and splits it into the expression (as soon as
 * its value is complete) and the reply text (decoded as it arrives, escapes included, even when a
 * chunk ends inside one). Output that does not start with `{` is passed through as plain text, so a
 * model or server that ignores the format still answers.
 */
export class AvatarReplyParser {
  #mode: 'start' | 'json' | 'plain' | 'done' = 'start';
  #state: 'object' | 'colon' | 'value' | 'string' | 'other' | 'after' = 'object';
  #key = '';
  #value = '';
  #inString: 'key' | 'value' = 'key';
  #escape = '';
  #emotion: EkmanEmotion | undefined;
  /** An expression completed by the last character, not yet handed out. */
  #found: EkmanEmotion | undefined;
  #text = '';

  /** The reply text decoded so far. */
  get text(): string {
    return this.#text;
  }

  get emotion(): EkmanEmotion | undefined {
    return this.#emotion;
  }

  push(chunk: string): ReplyEvent[] {
    const events: ReplyEvent[] = [];
    let delta = '';
    for (const char of chunk) {
      if (this.#mode === 'start') {
        if (/\s/.test(char)) continue;
        this.#mode = char === '{' ? 'json' : 'plain';
        if (this.#mode === 'json') continue;
      }
      if (this.#mode === 'plain') {
        delta += char;
        continue;
      }
      if (this.#mode === 'done') continue;
      delta += this.#step(char);
      if (this.#found) {
        // Text decoded earlier in this chunk goes out first, in order.
        if (delta) this.#emitText(delta, events);
        delta = '';
        events.push({ type: 'emotion', emotion: this.#found });
        this.#found = undefined;
      }
    }
    if (delta) this.#emitText(delta, events);
    return events;
  }

  #emitText(delta: string, events: ReplyEvent[]): void {
    this.#text += delta;
    const last = events.at(-1);
    if (last?.type === 'text') last.delta += delta;
    else events.push({ type: 'text', delta });
  }

  /** Advances the JSON state machine by one character; returns reply text to emit. */
  #step(char: string): string {
    switch (this.#state) {
      case 'object':
      case 'after':
        if (char === '"') {
          this.#state = 'string';
          this.#inString = 'key';
          this.#key = '';
        } else if (char === '}') {
          this.#mode = 'done';
        }
        return '';
      case 'colon':
        if (char === ':') this.#state = 'value';
        return '';
      case 'value':
        if (char === '"') {
          this.#state = 'string';
          this.#inString = 'value';
          this.#value = '';
        } else if (!/\s/.test(char)) {
          this.#state = 'other';
        }
        return '';
      case 'other':
        if (char === ',') this.#state = 'after';
        else if (char === '}') this.#mode = 'done';
        return '';
      case 'string':
        return this.#stringChar(char);
    }
  }

  #stringChar(char: string): string {
    let decoded: string | undefined;
    if (this.#escape) {
      this.#escape += char;
      if (this.#escape.length === 2 && this.#escape[1] !== 'u') {
        decoded = ESCAPES[this.#escape[1]!] ?? this.#escape[1]!;
        this.#escape = '';
      } else if (this.#escape.length === 6) {
        decoded = String.fromCharCode(Number.parseInt(this.#escape.slice(2), 16) || 0xfffd);
        this.#escape = '';
      } else {
        return '';
      }
    } else if (char === '\\') {
      this.#escape = '\\';
      return '';
    } else if (char === '"') {
      this.#closeString();
      return '';
    } else {
      decoded = char;
    }
    if (this.#inString === 'key') {
      this.#key += decoded;
      return '';
    }
    if (this.#key === 'reply') return decoded;
    this.#value += decoded;
    return '';
  }

  #closeString(): void {
    if (this.#inString === 'key') {
      this.#state = 'colon';
      return;
    }
    this.#state = 'other';
    if (this.#key === 'emotion' && this.#emotion === undefined) {
      const emotion = (EKMAN_EMOTIONS as readonly string[]).includes(this.#value)
        ? (this.#value as EkmanEmotion)
        : 'neutral';
      this.#emotion = emotion;
      this.#found = emotion;
    }
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };

const UPSET: readonly EkmanEmotion[] = ['anger', 'sadness', 'fear', 'disgust'];

/**
 * Small models mirror an upset visitor's anger. An avatar that glares at a frustrated visitor
 * reads as hostile, so while the visitor is upset an angry or disgusted face shows concern.
 */
export function empatheticExpression(visitor: EkmanEmotion | undefined) {
  return (avatar: EkmanEmotion): EkmanEmotion =>
    visitor && UPSET.includes(visitor) && (avatar === 'anger' || avatar === 'disgust') ? 'sadness' : avatar;
}
