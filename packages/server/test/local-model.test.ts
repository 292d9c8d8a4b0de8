import { afterAll, describe, expect, it } from 'vitest';
import type { ModelStreamPart } from '../src/providers/chat-model.js';
import {
  AVATAR_REPLY_FORMAT,
  AVATAR_REPLY_INSTRUCTION,
  AvatarReplySchema,
  encodeAvatarReply,
} from '../src/conversations/structured-reply.js';
import { LlamaChatModel } from '../src/providers/local/llama-chat-model.js';
import { DEFAULT_LOCAL_MODEL } from '../src/providers/local/model-catalog.js';
import { localModelFile, measureModelSpeed, modelTimeout } from './support.js';

// Loaded and measured before the tests are defined: each test's timeout comes from this
// machine's speed and the tokens the test lets the model read and write (docs/testing.md).
const model = await LlamaChatModel.load({
  modelPath: localModelFile(),
  modelId: DEFAULT_LOCAL_MODEL.id,
  contextSize: 2048,
  slots: 2,
});
afterAll(() => model.close());
const speed = await measureModelSpeed(model);

async function collect(stream: AsyncIterable<ModelStreamPart>) {
  const parts: ModelStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  const text = parts.flatMap((p) => (p.type === 'text-delta' ? [p.delta] : [])).join('');
  return { parts, text, usage: parts.find((p) => p.type === 'usage'), finish: parts.find((p) => p.type === 'finish') };
}

const persona = 'You are Vee, a friendly assistant on a bakery website. Answer in one short sentence.';

describe('the embedded local model', () => {
  it(
    'streams a real reply with usage and a finish reason',
    { timeout: modelTimeout(speed, { promptTokens: 100, outputTokens: 40 }) },
    async () => {
      const result = await collect(
        model.stream({
          messages: [
            { role: 'system', content: persona },
            { role: 'user', content: 'What is 2 plus 3? Answer with the number.' },
          ],
          signal: new AbortController().signal,
          conversationKey: 'conv-a',
          maxOutputTokens: 40,
          temperature: 0,
        }),
      );
      expect(result.text).toMatch(/5|five/i);
      expect(result.parts.filter((p) => p.type === 'text-delta').length).toBeGreaterThan(1);
      expect(result.usage).toMatchObject({ type: 'usage' });
      expect(result.usage && result.usage.type === 'usage' && result.usage.inputTokens).toBeGreaterThan(20);
      expect(result.finish).toMatchObject({ type: 'finish' });
    },
  );

  it(
    'writes structured replies through the JSON-schema grammar, in the canonical form the next turn re-encodes',
    { timeout: modelTimeout(speed, { promptTokens: 600, outputTokens: 120, calls: 2 }) },
    async () => {
      const system = `${persona}\n\n${AVATAR_REPLY_INSTRUCTION}`;
      const ask = (messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>) =>
        collect(
          model.stream({
            messages,
            signal: new AbortController().signal,
            conversationKey: 'conv-json',
            maxOutputTokens: 120,
            temperature: 0,
            responseFormat: AVATAR_REPLY_FORMAT,
            // Grammar-made tokens differ from a fresh tokenization: the model loads the next
            // turn's prefix after replying, so turn 2 starts from a warm cache.
            nextTurnPrefix: (reply) => [...messages, { role: 'assistant', content: reply }],
          }),
        );
      const first = await ask([
        { role: 'system', content: system },
        { role: 'user', content: 'I just got the job I wanted!! Any cake to celebrate?' },
      ]);
      const reply = AvatarReplySchema.parse(JSON.parse(first.text));
      expect(reply.reply.length).toBeGreaterThan(0);
      // Byte-identical re-encoding: the grammar allows only what JSON.stringify writes.
      expect(encodeAvatarReply({ content: reply.reply, emotion: reply.emotion })).toBe(first.text);
      const second = await ask([
        { role: 'system', content: system },
        { role: 'user', content: 'I just got the job I wanted!! Any cake to celebrate?' },
        { role: 'assistant', content: encodeAvatarReply({ content: reply.reply, emotion: reply.emotion }) },
        { role: 'user', content: 'Thanks!' },
      ]);
      AvatarReplySchema.parse(JSON.parse(second.text));
      if (second.usage?.type !== 'usage' || first.usage?.type !== 'usage') throw new Error('usage missing');
      // The whole first turn, the model's JSON reply included, is served from the KV cache.
      expect(second.usage.cachedInputTokens).toBeGreaterThanOrEqual(
        first.usage.inputTokens + first.usage.outputTokens - 2,
      );
    },
  );

  it(
    'reuses the conversation’s KV cache on the next turn',
    { timeout: modelTimeout(speed, { promptTokens: 120, outputTokens: 30, calls: 2 }) },
    async () => {
      const first = await collect(
        model.stream({
          messages: [
            { role: 'system', content: persona },
            { role: 'user', content: 'Hello! Do you sell bread?' },
          ],
          signal: new AbortController().signal,
          conversationKey: 'conv-b',
          maxOutputTokens: 30,
          temperature: 0,
        }),
      );
      const second = await collect(
        model.stream({
          messages: [
            { role: 'system', content: persona },
            { role: 'user', content: 'Hello! Do you sell bread?' },
            { role: 'assistant', content: first.text },
            { role: 'user', content: 'And cakes?' },
          ],
          signal: new AbortController().signal,
          conversationKey: 'conv-b',
          maxOutputTokens: 30,
          temperature: 0,
        }),
      );
      if (second.usage?.type !== 'usage' || first.usage?.type !== 'usage') throw new Error('usage missing');
      // Most of turn 2's prompt is turn 1, already in the KV cache.
      expect(second.usage.cachedInputTokens).toBeGreaterThan(first.usage.inputTokens * 0.8);
      expect(second.usage.inputTokens - (second.usage.cachedInputTokens ?? 0)).toBeLessThan(first.usage.inputTokens);
    },
  );

  it(
    'stops when aborted and reports no finish',
    { timeout: modelTimeout(speed, { promptTokens: 40, outputTokens: 60 }) },
    async () => {
      const abort = new AbortController();
      const parts: ModelStreamPart[] = [];
      for await (const part of model.stream({
        messages: [{ role: 'user', content: 'Count from 1 to 200, one number per line.' }],
        signal: abort.signal,
        conversationKey: 'conv-c',
        // Three times the deltas it may write before the stop: a stop that does not stop shows.
        maxOutputTokens: 60,
      })) {
        parts.push(part);
        if (parts.filter((p) => p.type === 'text-delta').length === 3) abort.abort();
      }
      const deltas = parts.filter((p) => p.type === 'text-delta').length;
      expect(deltas).toBeGreaterThanOrEqual(3);
      expect(deltas).toBeLessThan(20);
      expect(parts.some((p) => p.type === 'finish')).toBe(false);
    },
  );
});
