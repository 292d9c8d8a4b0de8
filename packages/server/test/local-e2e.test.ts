import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageListSchema } from '@vibhava/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultModelsDir } from '../src/providers/local/model-files.js';
import { startServer } from '../src/server.js';
import {
  api,
  collectParts,
  localModelFile,
  measureModelSpeed,
  modelTimeout,
  newConversation,
  PAGE_ORIGIN,
  startSession,
} from './support.js';

// The whole offline path: no API key, the real local model chosen by the registry, real HTTP.
// Started and measured before the tests are defined: their timeouts come from this machine's
// speed and the tokens a reply may read (the context) and write (capped) (docs/testing.md).
const CONTEXT_TOKENS = 2048;
const REPLY_TOKENS = 64;
localModelFile();
const dataDir = mkdtempSync(join(tmpdir(), 'vibhava-local-'));
const server = await startServer({
  port: 0,
  dataDir,
  demo: true,
  allowedOrigins: [PAGE_ORIGIN],
  providers: {
    provider: 'auto',
    local: {
      modelsDir: process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir(),
      contextSize: CONTEXT_TOKENS,
      maxOutputTokens: REPLY_TOKENS,
    },
  },
  log: () => {},
});
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});
const speed = await measureModelSpeed(server.model);
const replies = (calls: number, extraMs = 0) =>
  modelTimeout(speed, { promptTokens: CONTEXT_TOKENS, outputTokens: REPLY_TOKENS, calls, extraMs });

describe('offline by default', () => {
  it(
    'answers with the embedded local model and stores the turn with token counts',
    { timeout: replies(2) },
    async () => {
      expect(server.model.provider).toBe('local');
      const { token } = await startSession(server);
      const id = await newConversation(server, token);
      const first = await collectParts(
        await api(server, `/v1/conversations/${id}/messages`, {
          body: { content: 'Hi! Who are you, in one sentence?' },
          token,
        }),
      );
      const text = first.flatMap((p) => (p.type === 'text-delta' ? [p.delta] : [])).join('');
      expect(text.trim().length).toBeGreaterThan(3);
      // The avatar's expression (a small model writes plain text; the classifier picks the face), before the words.
      const types = first.map((p) => p.type);
      expect(types.indexOf('emotion')).toBeGreaterThan(-1);
      expect(types.indexOf('emotion')).toBeLessThan(types.indexOf('text-delta'));
      expect(first.find((p) => p.type === 'emotion')).toMatchObject({
        emotion: expect.stringMatching(/^(neutral|joy|sadness|anger|fear|surprise|disgust)$/),
      });
      // The visitor's own emotion was classified and stored with their message.
      expect(first[0]).toMatchObject({ type: 'start', userMessage: { emotion: { ekman: expect.any(String) } } });
      expect(first.at(-1)).toMatchObject({ type: 'finish', message: { status: 'complete' } });

      const second = await collectParts(
        await api(server, `/v1/conversations/${id}/messages`, { body: { content: 'Thanks! Say goodbye.' }, token }),
      );
      const usage = second.find((p) => p.type === 'usage');
      // Turn 2 reuses the conversation's KV cache: most of its prompt is cached.
      expect(usage).toMatchObject({ type: 'usage' });
      if (usage?.type === 'usage') expect(usage.cachedInputTokens).toBeGreaterThan(usage.inputTokens / 2);

      const history = MessageListSchema.parse(
        await (await api(server, `/v1/conversations/${id}/messages`, { token })).json(),
      );
      expect(history.messages).toHaveLength(4);
      expect(history.messages[1]?.inputTokens).toBeGreaterThan(50);
    },
  );

  it(
    'answers from the page’s knowledge with the avatar’s system message read ahead, and remembers the visitor in a new conversation',
    { timeout: replies(2, 10_000) },
    async () => {
      const { token } = await startSession(server);
      const id = await newConversation(server, token);
      const parts = await collectParts(
        await api(server, `/v1/conversations/${id}/messages`, {
          body: { content: "Hi! I'm Priya. What time do you open on Sunday?" },
          token,
        }),
      );
      const context = parts.find((p) => p.type === 'context');
      // The demo page's knowledge is in the system message; the trace names the fact that answers.
      expect(context?.type === 'context' && context.trace.knowledge?.map((k) => k.text).join('\n')).toMatch(
        /Saturday and Sunday: 8:00 to 14:00/,
      );
      // Read into the model's cache when the conversation opened: the first turn reads only what is new.
      const usage = parts.find((p) => p.type === 'usage');
      if (usage?.type !== 'usage') throw new Error('no usage part');
      expect(usage.cachedInputTokens).toBeGreaterThan(usage.inputTokens / 2);
      const text = parts.flatMap((p) => (p.type === 'text-delta' ? [p.delta] : [])).join('');
      expect(text.trim()).not.toMatch(/^(Vee|Assistant|Visitor|User):/i);

      await server.settled();
      const next = await newConversation(server, token);
      const again = await collectParts(
        await api(server, `/v1/conversations/${next}/messages`, { body: { content: "What's my name?" }, token }),
      );
      const trace = again.find((p) => p.type === 'context');
      // The fact drawn from the first conversation, in the visitor's own wording.
      expect(trace?.type === 'context' && trace.trace.memories.map((m) => m.text)).toContain('Your name is Priya.');
    },
  );
});
