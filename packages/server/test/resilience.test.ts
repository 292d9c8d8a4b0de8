import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { usageEvents } from '../src/db/schema.js';
import { ModelError, type ChatModel, type ModelStreamPart } from '../src/providers/chat-model.js';
import { OpenAIChatModel } from '../src/providers/openai/openai-chat-model.js';
import { ResilientChatModel } from '../src/providers/resilient-chat-model.js';
import { api, collectParts, newConversation, startHarness, startSession, type Harness } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const openai = (model: string) =>
  new OpenAIChatModel({ apiKey: 'sk-test', baseURL: h.upstream.baseURL, model, maxRetries: 0 });

async function run(model: ChatModel, content: string, failures: string[] = []) {
  const parts: ModelStreamPart[] = [];
  for await (const part of model.stream({
    messages: [{ role: 'user', content }],
    signal: new AbortController().signal,
    onFailedAttempt: (a) => failures.push(`${a.modelId}:${a.error.code}`),
  })) {
    parts.push(part);
  }
  return parts;
}

describe('retries and fallback models', () => {
  it('retries a failing model, then hands over to the next, reporting each failed attempt', async () => {
    const failures: string[] = [];
    const model = new ResilientChatModel([openai('fail-primary'), openai('gpt-4o-mini')], {
      retries: 1,
      baseDelayMs: 5,
    });
    const parts = await run(model, 'hello', failures);
    expect(failures).toEqual(['fail-primary:upstream_error', 'fail-primary:upstream_error']);
    expect(parts.filter((p) => p.type === 'model').at(-1)).toEqual({
      type: 'model',
      provider: 'openai',
      modelId: 'gpt-4o-mini',
    });
    expect(parts.some((p) => p.type === 'finish')).toBe(true);
  });

  it('gives up with the last error when every model fails', async () => {
    const model = new ResilientChatModel([openai('fail-a'), openai('fail-b')], { retries: 0, baseDelayMs: 1 });
    await expect(run(model, 'x')).rejects.toMatchObject({ code: 'upstream_error' });
  });

  it('does not retry once text has streamed, nor on errors that a retry cannot fix', async () => {
    const failures: string[] = [];
    await expect(
      run(new ResilientChatModel([openai('gpt-4o-mini')], { retries: 2, baseDelayMs: 1 }), 'fail:midstream', failures),
    ).rejects.toBeInstanceOf(ModelError);
    expect(failures).toEqual([]);
  });

  it('times out a model that sends no text, and tries again', async () => {
    const failures: string[] = [];
    const model = new ResilientChatModel([openai('gpt-4o-mini')], {
      retries: 1,
      baseDelayMs: 1,
      firstTokenTimeoutMs: 50,
    });
    // "slow:200" spaces every delta by 200 ms, so the first text misses the 50 ms deadline twice.
    await expect(run(model, 'slow:200', failures)).rejects.toMatchObject({ code: 'upstream_timeout' });
    expect(failures).toEqual(
      ['gpt-4o-mini:upstream_timeout', 'gpt-4o-mini:upstream_timeout'].slice(0, failures.length),
    );
    expect(failures.length).toBeGreaterThanOrEqual(1);
  });

  it('uses an avatar’s fallback models over HTTP and shows every attempt in the ledger', async () => {
    await h.server.close();
    h = await startHarness({
      model: openai('fail-primary'),
      models: (id) => (id === 'gpt-4o-mini' ? openai('gpt-4o-mini') : undefined),
      resilience: { retries: 1, baseDelayMs: 5 },
    });
    await h.server.db.$client.execute(`UPDATE avatars SET fallback_models = '["gpt-4o-mini"]' WHERE id = 'avt_demo'`);
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const parts = await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'still there?' }, token }),
    );
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: 'stop',
      message: { status: 'complete', content: 'You said: still there?' },
    });
    await h.server.ledger.flush();
    const rows = await h.server.db.select().from(usageEvents).where(eq(usageEvents.conversationId, id));
    expect(rows.map((r) => [r.model, r.outcome])).toEqual([
      ['fail-primary', 'error'],
      ['fail-primary', 'error'],
      ['gpt-4o-mini', 'ok'],
    ]);
  });
});
