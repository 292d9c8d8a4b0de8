import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageListSchema } from '@vibhava/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelsDir } from '../src/providers/local/model-files.js';
import { startServer, type RunningServer } from '../src/server.js';
import { api, collectParts, newConversation, PAGE_ORIGIN, startSession } from './support.js';

// The whole offline path: no API key, the real local model chosen by the registry, real HTTP.
let server: RunningServer;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'vibhava-local-'));
  server = await startServer({
    port: 0,
    dataDir,
    demo: true,
    allowedOrigins: [PAGE_ORIGIN],
    providers: {
      provider: 'auto',
      local: {
        modelsDir: process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir(),
        contextSize: 2048,
      },
    },
    log: () => {},
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('offline by default', () => {
  it('answers with the embedded local model and stores the turn with token counts', async () => {
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
    // The avatar's expression, from the grammar-constrained structured reply, before the words.
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
  });
});
