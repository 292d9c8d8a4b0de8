import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelError, type ModelStreamPart } from '../src/providers/chat-model.js';
import { OpenAIChatModel } from '../src/providers/openai/openai-chat-model.js';
import { startOpenAIWireServer, type OpenAIWireServer } from '../src/testing/openai-wire-server.js';

let upstream: OpenAIWireServer;
let model: OpenAIChatModel;
beforeAll(async () => {
  upstream = await startOpenAIWireServer();
  model = new OpenAIChatModel({ apiKey: 'sk-test', baseURL: upstream.baseURL, model: 'gpt-4o-mini', maxRetries: 0 });
});
afterAll(() => upstream.close());

async function run(content: string, signal = new AbortController().signal): Promise<ModelStreamPart[]> {
  const parts: ModelStreamPart[] = [];
  for await (const part of model.stream({ messages: [{ role: 'user', content }], signal, maxOutputTokens: 50 }))
    parts.push(part);
  return parts;
}

describe('OpenAIChatModel against an OpenAI-wire server (real `openai` package, real SSE)', () => {
  it('streams deltas, then usage, then finish', async () => {
    const parts = await run('hi there');
    expect(
      parts
        .filter((p) => p.type === 'text-delta')
        .map((p) => (p as { delta: string }).delta)
        .join(''),
    ).toBe('You said: hi there');
    expect(parts.at(-2)).toMatchObject({ type: 'usage', outputTokens: 4, cachedInputTokens: 0 });
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(upstream.requests.at(-1)).toMatchObject({ model: 'gpt-4o-mini', stream: true, max_completion_tokens: 50 });
  });

  it('maps HTTP failures to typed model errors', async () => {
    await expect(run('fail:500')).rejects.toMatchObject({ name: 'ModelError', code: 'upstream_error' });
    await expect(run('fail:429')).rejects.toMatchObject({ name: 'ModelError', code: 'rate_limited' });
    await expect(run('fail:midstream')).rejects.toBeInstanceOf(ModelError);
  });

  it('stops quietly when aborted', async () => {
    const abort = new AbortController();
    const parts: ModelStreamPart[] = [];
    for await (const part of model.stream({ messages: [{ role: 'user', content: 'slow:50' }], signal: abort.signal })) {
      parts.push(part);
      abort.abort();
    }
    expect(parts).toEqual([{ type: 'text-delta', delta: 'You ' }]);
  });

  it('reports a timeout as upstream_timeout', async () => {
    const impatient = new OpenAIChatModel({
      apiKey: 'sk-test',
      baseURL: upstream.baseURL,
      model: 'm',
      maxRetries: 0,
      timeoutMs: 1,
    });
    const parts: ModelStreamPart[] = [];
    await expect(
      (async () => {
        for await (const part of impatient.stream({
          messages: [{ role: 'user', content: 'slow:200' }],
          signal: new AbortController().signal,
        }))
          parts.push(part);
      })(),
    ).rejects.toMatchObject({ code: 'upstream_timeout' });
  });
});

describe('OpenAIChatModel, whole replies (`whole: true`, no stream)', () => {
  const whole = async (content: string, maxOutputTokens = 50) => {
    const parts: ModelStreamPart[] = [];
    for await (const part of model.stream({
      messages: [{ role: 'user', content }],
      signal: new AbortController().signal,
      maxOutputTokens,
      whole: true,
    }))
      parts.push(part);
    return parts;
  };

  it('asks without a stream and gives the same parts, the text in one delta', async () => {
    expect(await whole('the whole thing')).toEqual([
      { type: 'text-delta', delta: 'You said: the whole thing' },
      { type: 'usage', inputTokens: 4, outputTokens: 5, cachedInputTokens: 0 },
      { type: 'finish', finishReason: 'stop' },
    ]);
    expect(upstream.requests.at(-1)?.stream).toBeUndefined();
  });

  it('says when the reply stopped at the token limit, and types failures', async () => {
    expect((await whole('one two three four five', 3)).at(-1)).toEqual({ type: 'finish', finishReason: 'length' });
    await expect(whole('fail:500')).rejects.toMatchObject({ name: 'ModelError', code: 'upstream_error' });
    await expect(whole('fail:midstream')).rejects.toBeInstanceOf(ModelError);
  });
});
