import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidRequestError,
  MemoryConversationCache,
  NotFoundError,
  VibhavaChat,
  type StreamPart,
} from '../src/index.js';
import { startTestServers, type TestServers } from './test-server.js';

// Needs the server's memory routes, `context` part, regenerate, edit and stop.
let servers: TestServers;

beforeAll(async () => {
  servers = await startTestServers();
});
afterAll(async () => {
  await servers.close();
});

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

/** Whether the upstream model was asked to answer `content` (its last message) since request `since`. */
function asked(content: string, since: number): boolean {
  return servers.upstream.requests.slice(since).some((request) => request.messages.at(-1)?.content === content);
}

describe('what went into a reply', () => {
  it('streams a context part right after text-start naming the memory used, and keeps it', async () => {
    const client = servers.client();
    await client.addMemory({ text: 'My cat is called Miso', category: 'relationship' });
    const conversation = await client.createConversation();
    const parts = await collect(client.sendMessage(conversation.id, 'What is my cat called?'));
    const types = parts.map((p) => p.type);
    expect(types.indexOf('context')).toBe(types.indexOf('text-start') + 1);
    const context = parts.find((p) => p.type === 'context')!;
    const finish = parts.at(-1)!;
    expect(finish.type === 'finish' && context.id === finish.message.id).toBe(true);
    expect(context.trace.memoryPaused).toBe(false);
    expect(context.trace.memories.map((m) => m.text)).toContain('My cat is called Miso');
    expect(context.trace.tokens.used).toBeGreaterThan(0);
    expect(context.trace.tokens.used).toBeLessThanOrEqual(context.trace.tokens.budget);

    // The trace is stored with the reply; the visitor's own message has none.
    expect(await client.getTrace(conversation.id, context.id)).toEqual(context.trace);
    const [question] = await client.getMessages(conversation.id);
    await expect(client.getTrace(conversation.id, question!.id)).rejects.toBeInstanceOf(NotFoundError);
    // Another visitor cannot read it.
    await expect(servers.client().getTrace(conversation.id, context.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('puts each reply’s trace into chat state, and loads it on demand after a reload', async () => {
    const cache = new MemoryConversationCache();
    const chat = new VibhavaChat({ client: servers.client({ cache }) });
    await chat.connect();
    await chat.client.addMemory({ text: 'I am allergic to peanuts', category: 'health' });
    const reply = await chat.send('Can I eat peanuts?');
    const trace = chat.state.traces[reply!.id];
    expect(trace?.memories.map((m) => m.text)).toContain('I am allergic to peanuts');

    const reloaded = new VibhavaChat({ client: servers.client({ cache }) });
    await reloaded.connect();
    expect(reloaded.state.traces).toEqual({});
    expect(await reloaded.loadTrace(reply!.id)).toEqual(trace);
    expect(reloaded.state.traces[reply!.id]).toEqual(trace);
    // A message without a trace is remembered as having none.
    const question = reloaded.state.messages[0]!;
    expect(await reloaded.loadTrace(question.id)).toBeNull();
    expect(reloaded.state.traces).toHaveProperty(question.id, null);
  });
});

describe('writing a reply again', () => {
  it('regenerates the last reply in state, on the server and in the cache', async () => {
    const cache = new MemoryConversationCache();
    const chat = new VibhavaChat({ client: servers.client({ cache }) });
    await chat.connect();
    await chat.send('first');
    const first = await chat.send('hello');
    const question = chat.state.messages.at(-2)!;
    const since = servers.upstream.requests.length;

    const seen: string[][] = [];
    const unsubscribe = chat.subscribe((state) => seen.push(state.messages.map((m) => m.id)));
    const again = await chat.regenerate();
    unsubscribe();
    expect(asked('hello', since)).toBe(true);
    expect(again).toMatchObject({ role: 'assistant', content: 'You said: hello', status: 'complete' });
    expect(again!.id).not.toBe(first!.id);
    // The old reply never shows next to the new one.
    expect(seen.some((ids) => ids.includes(first!.id) && ids.includes(again!.id))).toBe(false);
    expect(chat.state.messages.map((m) => m.id).slice(-2)).toEqual([question.id, again!.id]);
    expect(chat.state.messages.map((m) => m.content)).toEqual(['first', 'You said: first', 'hello', 'You said: hello']);
    expect(chat.state.traces[again!.id]).toBeDefined();

    const stored = await chat.client.getMessages(chat.state.conversationId!);
    expect(stored.map((m) => m.id)).toEqual(chat.state.messages.map((m) => m.id));
    const cached = await cache.get(chat.client.cacheKey);
    expect(cached?.messages.map((m) => m.id)).toEqual(stored.map((m) => m.id));

    // Nothing to write again: no conversation yet, or the last message is not a reply.
    expect(await new VibhavaChat({ client: servers.client() }).regenerate()).toBeNull();
  });

  it('edits the visitor’s last message and writes the reply to it again', async () => {
    const cache = new MemoryConversationCache();
    const chat = new VibhavaChat({ client: servers.client({ cache }) });
    await chat.connect();
    await chat.send('one');
    const typo = await chat.send('helo wrold');
    const question = chat.state.messages.at(-2)!;
    const since = servers.upstream.requests.length;

    const reply = await chat.editLastMessage('hello world');
    expect(asked('hello world', since)).toBe(true);
    expect(reply).toMatchObject({ content: 'You said: hello world', status: 'complete' });
    expect(reply!.id).not.toBe(typo!.id);
    expect(chat.state.messages.map((m) => m.content)).toEqual([
      'one',
      'You said: one',
      'hello world',
      'You said: hello world',
    ]);
    expect(chat.state.messages.at(-2)!.id).toBe(question.id);
    const stored = await chat.client.getMessages(chat.state.conversationId!);
    expect(stored.map((m) => [m.id, m.content])).toEqual(chat.state.messages.map((m) => [m.id, m.content]));
    const cached = await cache.get(chat.client.cacheKey);
    expect(cached?.messages.map((m) => m.content)).toEqual(stored.map((m) => m.content));

    // Only the last visitor message can be edited.
    const firstQuestion = stored[0]!;
    const refused = await collect(chat.client.editMessage(chat.state.conversationId!, firstQuestion.id, 'x')).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(InvalidRequestError);
    expect(refused).toMatchObject({ code: 'conflict', status: 409 });
  });

  it('resends a last message the server refused, replacing it', async () => {
    const limited = await servers.start({ rateLimits: { messagesPerVisitor: 1 } });
    try {
      const chat = new VibhavaChat({ client: servers.client({ serverUrl: limited.url }) });
      await chat.connect();
      await chat.send('one');
      expect(await chat.send('two')).toBeNull();
      expect(chat.state.messages.at(-1)).toMatchObject({ content: 'two', status: 'error' });
      // Still limited: the edited message replaces the unsent one and is marked unsent in turn.
      expect(await chat.editLastMessage('two, again')).toBeNull();
      expect(chat.state.messages.map((m) => [m.content, m.status])).toEqual([
        ['one', 'complete'],
        ['You said: one', 'complete'],
        ['two, again', 'error'],
      ]);
    } finally {
      await limited.close();
    }
  });
});

describe('stopping a reply', () => {
  it('stops a reply from another request, which ends the stream as a partial reply', async () => {
    const client = servers.client();
    const conversation = await client.createConversation();
    expect(await client.stopReply(conversation.id)).toBe(false);
    const parts: StreamPart[] = [];
    let stopped: boolean | undefined;
    for await (const part of client.sendMessage(conversation.id, 'slow:100')) {
      parts.push(part);
      if (part.type === 'text-delta' && stopped === undefined) stopped = await client.stopReply(conversation.id);
    }
    expect(stopped).toBe(true);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'aborted', message: { status: 'partial' } });
    expect((await client.getMessages(conversation.id)).map((m) => m.status)).toEqual(['complete', 'partial']);
  });

  it('lets the next reply through after a stop', async () => {
    const chat = new VibhavaChat({ client: servers.client() });
    await chat.connect();
    const unsubscribe = chat.subscribe((state) => {
      const last = state.messages.at(-1);
      if (last?.role === 'assistant' && last.content.length > 0 && state.status === 'streaming') chat.stop();
    });
    const stopped = await chat.send('slow:100');
    unsubscribe();
    expect(stopped?.status).toBe('partial');
    // Sent at once: the stop told to the server must not reach this reply.
    const next = await chat.send('slow:20');
    expect(next).toMatchObject({ content: 'You said: slow:20', status: 'complete' });
    const again = await chat.regenerate();
    expect(again).toMatchObject({ status: 'complete' });
  });
});
