import type {
  ContextTrace,
  Memory,
  MemoryHistory,
  MemoryList,
  PreferencesResponse,
  StreamPart,
} from '@vibhava/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, collectParts, newConversation, readRest, startHarness, startSession, type Harness } from './support.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function say(token: string, conversationId: string, content: string): Promise<StreamPart[]> {
  const response = await api(h.server, `/v1/conversations/${conversationId}/messages`, { body: { content }, token });
  expect(response.status).toBe(200);
  return collectParts(response);
}

async function memories(token: string): Promise<MemoryList> {
  const response = await api(h.server, '/v1/memories', { token });
  expect(response.status).toBe(200);
  return (await response.json()) as MemoryList;
}

/** Memory is written after the reply, in the background: wait until it shows. */
async function eventually<T>(read: () => Promise<T>, ready: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await read();
    if (ready(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the condition never held');
}

const traceOf = (parts: StreamPart[]) =>
  (parts.find((part) => part.type === 'context') as { trace: ContextTrace } | undefined)?.trace;
const lastMemoryBlock = () =>
  h.upstream.requests
    .at(-1)!
    .messages.filter((m) => m.role === 'system')
    .map((m) => m.content)
    .find((content) => content.includes('<memories>')) ?? '';

describe('long-term memory over HTTP', () => {
  it('remembers a fact from one conversation, uses it in the next, and traces it', async () => {
    const { token } = await startSession(h.server);
    const first = await newConversation(h.server, token);
    await say(token, first, 'My name is Priya and I work as a marine biologist.');
    const list = await eventually(
      () => memories(token),
      (value) => value.memories.some((m) => m.kind === 'fact' && /marine biologist/i.test(m.text)),
    );
    const fact = list.memories.find((m) => m.kind === 'fact' && /marine biologist/i.test(m.text))!;
    expect(fact.sourceMessageIds).toHaveLength(1);
    const episode = list.memories.find((m) => m.kind === 'episode')!;
    expect(episode.text).toContain('marine biologist');
    expect(episode.sourceMessageIds).toHaveLength(2);

    const second = await newConversation(h.server, token);
    const parts = await say(token, second, 'What do you remember about my job as a biologist?');
    const trace = traceOf(parts)!;
    expect(trace.memories.map((m) => m.id)).toContain(fact.id);
    expect(trace.memoryPaused).toBe(false);
    expect(trace.tokens.used).toBeGreaterThan(0);
    expect(trace.tokens.used).toBeLessThanOrEqual(trace.tokens.budget);
    expect(lastMemoryBlock()).toContain('marine biologist');
    // The same trace is kept with the reply.
    const finish = parts.at(-1) as { message: { id: string } };
    const stored = await api(h.server, `/v1/conversations/${second}/messages/${finish.message.id}/trace`, { token });
    expect(stored.status).toBe(200);
    expect(((await stored.json()) as ContextTrace).memories.map((m) => m.id)).toContain(fact.id);
  });

  it('updates a changed fact and keeps the old one as history', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    await say(token, id, 'I really love coffee.');
    const before = await eventually(
      () => memories(token),
      (value) => value.memories.some((m) => m.kind === 'fact' && /coffee/i.test(m.text)),
    );
    const coffee = before.memories.find((m) => m.kind === 'fact' && /coffee/i.test(m.text))!;
    await say(token, id, 'These days I prefer tea instead of coffee.');
    const after = await eventually(
      () => memories(token),
      (value) => value.memories.some((m) => m.id === coffee.id && /tea/i.test(m.text)),
    );
    expect(after.memories.filter((m) => m.kind === 'fact' && /coffee/i.test(m.text) && !/tea/i.test(m.text))).toEqual(
      [],
    );
    const history = (await (
      await api(h.server, `/v1/memories/${coffee.id}/history`, { token })
    ).json()) as MemoryHistory;
    expect(history.changes.map((change) => change.event)).toEqual(['add', 'update']);
    expect(history.changes[1]!.before).toMatch(/coffee/i);
    expect(history.changes[1]!.after).toMatch(/tea/i);
    expect(history.changes[1]!.actor).toBe('extractor');
  });

  it('lets the visitor add, correct, delete and forget, and deleted memories leave the next reply at once', async () => {
    const { token } = await startSession(h.server);
    const added = await api(h.server, '/v1/memories', {
      body: { text: 'My sister Ana lives in Porto.', category: 'relationship' },
      token,
    });
    expect(added.status).toBe(201);
    const memory = (await added.json()) as Memory;
    expect(memory).toMatchObject({ kind: 'fact', category: 'relationship', scope: 'visitor' });

    const id = await newConversation(h.server, token);
    expect(traceOf(await say(token, id, 'Where does my sister live?'))!.memories.map((m) => m.id)).toContain(memory.id);

    const corrected = await api(h.server, `/v1/memories/${memory.id}`, {
      method: 'PATCH',
      body: { text: 'My sister Ana lives in Lisbon.' },
      token,
    });
    expect(corrected.status).toBe(200);
    expect(((await corrected.json()) as Memory).text).toBe('My sister Ana lives in Lisbon.');
    await say(token, id, 'Remind me where my sister lives?');
    expect(lastMemoryBlock()).toContain('Lisbon');
    expect(lastMemoryBlock()).not.toContain('Porto');

    expect((await api(h.server, `/v1/memories/${memory.id}`, { method: 'DELETE', token })).status).toBe(204);
    const next = traceOf(await say(token, id, 'Tell me about my sister again.'))!;
    expect(next.memories.map((m) => m.id)).not.toContain(memory.id);
    expect(lastMemoryBlock()).not.toContain('Lisbon');
    expect((await api(h.server, `/v1/memories/${memory.id}/history`, { token })).status).toBe(404);
    expect((await api(h.server, `/v1/memories/${memory.id}`, { method: 'DELETE', token })).status).toBe(404);

    await eventually(
      () => memories(token),
      (value) => value.memories.length >= 3,
    );
    const forgot = await api(h.server, '/v1/memories', { method: 'DELETE', token });
    expect(forgot.status).toBe(200);
    expect(((await forgot.json()) as { deleted: number }).deleted).toBeGreaterThan(0);
    expect((await memories(token)).memories).toEqual([]);
    const fresh = await newConversation(h.server, token);
    expect(traceOf(await say(token, fresh, 'What do you know about my sister?'))!.memories).toEqual([]);
  });

  it('remembers nothing and uses nothing while paused', async () => {
    const { token } = await startSession(h.server);
    await api(h.server, '/v1/memories', { body: { text: 'I am allergic to peanuts.' }, token });
    const paused = await api(h.server, '/v1/memories/settings', { method: 'PUT', body: { paused: true }, token });
    expect(await paused.json()).toEqual({ paused: true });
    const id = await newConversation(h.server, token);
    const trace = traceOf(await say(token, id, 'My name is Olu and I am allergic to peanuts.'))!;
    expect(trace).toMatchObject({ memoryPaused: true, memories: [] });
    const list = await memories(token);
    expect(list.paused).toBe(true);
    await api(h.server, '/v1/memories/settings', { method: 'PUT', body: { paused: false }, token });
    expect((await memories(token)).paused).toBe(false);
    // Turns are remembered in order, one visitor at a time: once the next turn shows, the paused
    // one has been passed over for good.
    await say(token, id, 'I work as a carpenter.');
    const after = await eventually(
      () => memories(token),
      (value) => value.memories.some((m) => m.kind === 'episode'),
    );
    expect(after.memories.filter((m) => m.kind === 'episode').map((m) => m.text)).toEqual([
      expect.stringContaining('carpenter'),
    ]);
    expect(after.memories.some((m) => /Olu/.test(m.text))).toBe(false);
    expect(after.memories.map((m) => m.text)).toContain('I am allergic to peanuts.');
  });

  it('never shows one visitor, avatar or tenant another’s memories', async () => {
    const a = await startSession(h.server);
    const b = await startSession(h.server);
    const secret = (await (
      await api(h.server, '/v1/memories', {
        body: { text: 'My locker code is 4719 at the zebra gym.' },
        token: a.token,
      })
    ).json()) as Memory;
    expect((await memories(b.token)).memories.map((m) => m.id)).not.toContain(secret.id);
    const id = await newConversation(h.server, b.token);
    const trace = traceOf(await say(b.token, id, 'What is my locker code at the zebra gym?'))!;
    expect(trace.memories.map((m) => m.id)).not.toContain(secret.id);
    expect(lastMemoryBlock()).not.toContain('4719');
    for (const [method, path] of [
      ['PATCH', `/v1/memories/${secret.id}`],
      ['DELETE', `/v1/memories/${secret.id}`],
      ['GET', `/v1/memories/${secret.id}/history`],
    ] as const) {
      const response = await api(h.server, path, {
        method,
        token: b.token,
        ...(method === 'PATCH' ? { body: { text: 'stolen' } } : {}),
      });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    expect((await memories(a.token)).memories.map((m) => m.text)).toContain('My locker code is 4719 at the zebra gym.');
  });

  it('refuses bad memory input with a clear 4xx and keeps what is stored', async () => {
    const { token } = await startSession(h.server);
    const kept = (await (
      await api(h.server, '/v1/memories', { body: { text: 'I like jazz.' }, token })
    ).json()) as Memory;
    for (const body of [
      { text: '' },
      { text: 'x'.repeat(1001) },
      { text: 'ok', category: 'secrets' },
      { text: 'ok', extra: 1 },
    ]) {
      const response = await api(h.server, '/v1/memories', { body, token });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    const badPatch = await api(h.server, `/v1/memories/${kept.id}`, { method: 'PATCH', body: { text: '  ' }, token });
    expect(badPatch.status).toBe(400);
    expect(
      (await api(h.server, '/v1/memories/settings', { method: 'PUT', body: { paused: 'yes' }, token })).status,
    ).toBe(400);
    expect((await api(h.server, '/v1/memories', { token: 'forged' })).status).toBe(401);
    expect((await memories(token)).memories.map((m) => m.text)).toEqual(['I like jazz.']);
  });
});

describe('preferences', () => {
  it('learns from what the visitor says and from feedback, and lets them edit it', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    await say(token, id, 'Please keep your answers short. Also, please answer in German from now on.');
    const learned = await eventually(
      async () => (await (await api(h.server, '/v1/preferences', { token })).json()) as PreferencesResponse,
      (value) => value.preferences.replyLength === 'short' && value.preferences.language === 'de',
    );
    expect(learned.history.map((change) => change.source)).toContain('conversation');
    // The next reply is written with them.
    const trace = traceOf(await say(token, id, 'Tell me about Berlin.'))!;
    expect(trace.preferences.map((p) => p.field)).toEqual(expect.arrayContaining(['replyLength', 'language']));

    const edited = await api(h.server, '/v1/preferences', {
      method: 'PATCH',
      body: { replyLength: 'long', avoid: ['football'] },
      token,
    });
    expect(edited.status).toBe(200);
    const profile = (await edited.json()) as PreferencesResponse;
    expect(profile.preferences).toMatchObject({ replyLength: 'long', avoid: ['football'], language: 'de' });
    expect(profile.history[0]).toMatchObject({ source: 'visitor' });

    // Two "too long" votes make replies short again; one alone changes nothing.
    const replies: string[] = [];
    for (const text of ['one', 'two']) {
      const parts = await say(token, id, text);
      replies.push((parts.at(-1) as { message: { id: string } }).message.id);
    }
    const vote = (messageId: string) =>
      api(h.server, `/v1/conversations/${id}/messages/${messageId}/feedback`, {
        method: 'PUT',
        body: { rating: 'down', reason: 'too_long' },
        token,
      });
    expect((await vote(replies[0]!)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const afterOne = (await (await api(h.server, '/v1/preferences', { token })).json()) as PreferencesResponse;
    expect(afterOne.preferences.replyLength).toBe('long');
    await vote(replies[1]!);
    const afterTwo = await eventually(
      async () => (await (await api(h.server, '/v1/preferences', { token })).json()) as PreferencesResponse,
      (value) => value.preferences.replyLength === 'short',
    );
    expect(afterTwo.history[0]).toMatchObject({ field: 'replyLength', source: 'feedback' });

    const bad = await api(h.server, '/v1/preferences', { method: 'PATCH', body: { language: 'not a tag!' }, token });
    expect(bad.status).toBe(400);
  });
});

describe('regenerate, edit and stop', () => {
  it('writes the last reply again, replacing it and its episode', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const firstParts = await say(token, id, 'Name three rivers in Spain.');
    const firstReply = (firstParts.at(-1) as { message: { id: string } }).message.id;
    const response = await api(h.server, `/v1/conversations/${id}/regenerate`, { body: {}, token });
    expect(response.status).toBe(200);
    const parts = await collectParts(response);
    const start = parts[0] as { userMessage: { id: string; content: string } };
    expect(start.userMessage.content).toBe('Name three rivers in Spain.');
    const messages = (await (await api(h.server, `/v1/conversations/${id}/messages`, { token })).json()) as {
      messages: Array<{ id: string; role: string }>;
    };
    expect(messages.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(messages.messages.map((m) => m.id)).not.toContain(firstReply);
    const episodes = await eventually(
      async () => (await memories(token)).memories.filter((m) => m.kind === 'episode'),
      (value) => value.length === 1 && !value[0]!.sourceMessageIds.includes(firstReply),
    );
    expect(episodes[0]!.sourceMessageIds[0]).toBe(start.userMessage.id);
  });

  it('keeps the old reply when writing it again fails', async () => {
    const own = await startHarness();
    try {
      const { token } = await startSession(own.server);
      const id = await newConversation(own.server, token);
      const first = await collectParts(
        await api(own.server, `/v1/conversations/${id}/messages`, { body: { content: 'Name a river.' }, token }),
      );
      const kept = (first.at(-1) as { message: { id: string; content: string } }).message;
      await own.upstream.close();
      const again = await collectParts(
        await api(own.server, `/v1/conversations/${id}/regenerate`, { body: {}, token }),
      );
      expect(again.some((part) => part.type === 'error')).toBe(true);
      const listed = await eventually(
        async () =>
          (
            (await (await api(own.server, `/v1/conversations/${id}/messages`, { token })).json()) as {
              messages: Array<{ id: string; role: string; content: string }>;
            }
          ).messages,
        (messages) => messages.length === 2,
      );
      expect(listed.map((m) => [m.role, m.id, m.content])).toEqual([
        ['user', expect.any(String), 'Name a river.'],
        ['assistant', kept.id, kept.content],
      ]);
    } finally {
      await own.close().catch(() => {});
    }
  });

  it('edits only the last visitor message and answers it again', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const first = (await say(token, id, 'first question'))[0] as { userMessage: { id: string } };
    const second = (await say(token, id, 'second questoin'))[0] as { userMessage: { id: string } };
    const stale = await api(h.server, `/v1/conversations/${id}/messages/${first.userMessage.id}`, {
      method: 'PUT',
      body: { content: 'changed' },
      token,
    });
    expect(stale.status).toBe(409);
    const edited = await api(h.server, `/v1/conversations/${id}/messages/${second.userMessage.id}`, {
      method: 'PUT',
      body: { content: 'second question' },
      token,
    });
    expect(edited.status).toBe(200);
    const parts = await collectParts(edited);
    const text = parts.flatMap((p) => (p.type === 'text-delta' ? [p.delta] : [])).join('');
    expect(text).toBe('You said: second question');
    const messages = (await (await api(h.server, `/v1/conversations/${id}/messages`, { token })).json()) as {
      messages: Array<{ content: string }>;
    };
    expect(messages.messages.map((m) => m.content)).toEqual([
      'first question',
      'You said: first question',
      'second question',
      'You said: second question',
    ]);
    // The model saw the edited message once, after the earlier turn.
    const sent = h.upstream.requests
      .at(-1)!
      .messages.filter((m) => m.role !== 'system')
      .map((m) => m.content);
    expect(sent).toEqual([
      'first question',
      JSON.stringify({ emotion: 'joy', reply: 'You said: first question' }),
      'second question',
    ]);
  });

  it('stops a reply being written and keeps what was written', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const response = await api(h.server, `/v1/conversations/${id}/messages`, {
      body: { content: 'slow:150' },
      token,
    });
    const reader = response.body!.getReader();
    await reader.read();
    const stopped = await api(h.server, `/v1/conversations/${id}/stop`, { body: {}, token });
    expect(await stopped.json()).toEqual({ stopped: true });
    expect(await readRest(reader)).toContain('"finishReason":"aborted"');
    const again = await api(h.server, `/v1/conversations/${id}/stop`, { body: {}, token });
    expect(await again.json()).toEqual({ stopped: false });
  });
});

describe('the context manager over HTTP', () => {
  it('folds older turns into a rolling summary in the background and keeps the prefix stable', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const prefixes: string[] = [];
    for (let turn = 1; turn <= 18; turn++) {
      await say(token, id, `Turn ${turn}: tell me one fact about the number ${turn}.`);
      prefixes.push(h.upstream.requests.at(-1)!.messages[0]!.content);
    }
    // The system message never changed while the conversation grew.
    expect(new Set(prefixes).size).toBe(1);
    // Past 32 messages the oldest were summarized (a model call of its own), then used.
    const summaryCall = await eventually(
      async () => h.upstream.requests.find((r) => r.messages.some((m) => m.content.includes('<transcript>'))),
      Boolean,
    );
    expect(summaryCall!.messages.at(-1)!.content).toContain('Turn 1: tell me');
    await eventually(
      async () =>
        (
          (await (await api(h.server, '/v1/conversations', { token })).json()) as {
            conversations: Array<{ state: string }>;
          }
        ).conversations[0]!.state,
      (state) => state === 'summarized',
    );
    const parts = await say(token, id, 'Turn 19: and what did we talk about first?');
    const trace = traceOf(parts)!;
    expect(trace.summarized).toBe(true);
    expect(trace.tokens.summary).toBeGreaterThan(0);
    const sent = h.upstream.requests.at(-1)!.messages;
    expect(sent.some((m) => m.role === 'system' && m.content.startsWith('Summary of earlier conversation'))).toBe(true);
    // The summarized turns are no longer sent verbatim.
    expect(sent.some((m) => m.role !== 'system' && m.content.includes('Turn 1: tell me'))).toBe(false);
    expect(sent.some((m) => m.role === 'user' && m.content.includes('Turn 18: tell me'))).toBe(true);
    const list = (await (await api(h.server, '/v1/conversations', { token })).json()) as {
      conversations: Array<{ id: string; state: string }>;
    };
    expect(list.conversations.find((c) => c.id === id)?.state).toBe('summarized');
  });
});
