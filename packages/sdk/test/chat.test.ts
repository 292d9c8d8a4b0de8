import { createServer } from 'node:net';
import type { RunningServer } from '@vibhava/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ForbiddenOriginError,
  MemoryConversationCache,
  NetworkError,
  RateLimitError,
  VibhavaChat,
  type StreamPart,
} from '../src/index.js';
import { startTestServers, type TestServers } from './test-server.js';

let servers: TestServers;
let server: RunningServer;
const start = (port = 0) => servers.start({ port });
const client: TestServers['client'] = (overrides) => servers.client(overrides);

beforeAll(async () => {
  servers = await startTestServers();
  server = servers.server;
});
afterAll(async () => {
  await servers.close();
});

describe('VibhavaClient', () => {
  it('starts a session, streams validated parts and reads history', async () => {
    const c = client();
    const session = await c.getSession();
    expect(session.avatar.name).toBe('Vee');
    const conversation = await c.createConversation();
    const parts: StreamPart[] = [];
    for await (const part of c.sendMessage(conversation.id, 'ping')) parts.push(part);
    expect(parts[0]?.type).toBe('start');
    expect(parts.at(-1)).toMatchObject({ type: 'finish', message: { content: 'You said: ping', status: 'complete' } });
    const history = await c.getMessages(conversation.id);
    expect(history.map((m) => m.content)).toEqual(['ping', 'You said: ping']);
    expect((await c.listConversations()).map((x) => x.id)).toContain(conversation.id);
  });

  it('throws the error class for the server’s code', async () => {
    await expect(client({ publishableKey: 'pk_wrong' }).getSession()).rejects.toBeInstanceOf(AuthenticationError);
    await expect(client({ origin: 'https://evil.example' }).getSession()).rejects.toBeInstanceOf(ForbiddenOriginError);
  });

  it('retries a server that is not up yet, and gives up with a clear error', async () => {
    const port = await freePort();
    const late = client({
      serverUrl: `http://127.0.0.1:${port}`,
      retry: { maxAttempts: 8, initialDelayMs: 100, maxDelayMs: 400 },
    });
    const starting = new Promise<RunningServer>((resolve) => setTimeout(() => resolve(start(port)), 300));
    const session = await late.getSession();
    expect(session.token).toBeTruthy();
    await (await starting).close();

    const never = client({
      serverUrl: `http://127.0.0.1:${await freePort()}`,
      retry: { maxAttempts: 3, initialDelayMs: 10 },
    });
    const error = await never.getSession().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/Gave up after 3 attempts/);
  });
});

describe('VibhavaChat', () => {
  it('streams a reply into state and resumes the conversation from the cache', async () => {
    const cache = new MemoryConversationCache();
    const chat = new VibhavaChat({ client: client({ cache }) });
    const statuses: string[] = [];
    chat.subscribe((state) => statuses.push(state.status));
    await chat.connect();
    expect(chat.state.avatar?.name).toBe('Vee');
    const reply = await chat.send('hello avatar');
    expect(reply).toMatchObject({ role: 'assistant', content: 'You said: hello avatar', status: 'complete' });
    expect(statuses).toContain('streaming');
    expect(chat.state.messages.map((m) => m.content)).toEqual(['hello avatar', 'You said: hello avatar']);

    // A "reload": a new client and chat over the same cache see the same visitor and conversation.
    const resumed = new VibhavaChat({ client: client({ cache }) });
    await resumed.connect();
    expect(resumed.state.conversationId).toBe(chat.state.conversationId);
    expect(resumed.state.messages.map((m) => m.content)).toEqual(['hello avatar', 'You said: hello avatar']);
  });

  it('shows the avatar’s expression as soon as it streams, and keeps it with the reply', async () => {
    const chat = new VibhavaChat({ client: client() });
    await chat.connect();
    expect(chat.state.avatarEmotion).toBe('neutral');
    // The expression is in state before the first word of the reply.
    let textWhenExpressed: string | undefined;
    const unsubscribe = chat.subscribe((state) => {
      if (state.avatarEmotion === 'surprise' && textWhenExpressed === undefined) {
        textWhenExpressed = state.messages.at(-1)?.content ?? '';
      }
    });
    const reply = await chat.send('feel:surprise a cake for my cat?');
    unsubscribe();
    expect(textWhenExpressed).toBe('');
    expect(reply).toMatchObject({ content: 'You said: a cake for my cat?', emotion: { ekman: 'surprise' } });
    expect(chat.state.avatarEmotion).toBe('surprise');

    // Another visitor (a fresh device and cache) starts neutral: expressions belong to a conversation.
    const again = new VibhavaChat({ client: client({ cache: new MemoryConversationCache() }) });
    await again.connect();
    expect(again.state.avatarEmotion).toBe('neutral');
  });

  it('rates a reply, shows the vote at once and stores it on the server', async () => {
    const chat = new VibhavaChat({ client: client() });
    await chat.connect();
    const reply = await chat.send('hello');
    await chat.rate(reply!.id, { rating: 'down', reason: 'too_long' });
    expect(chat.state.messages.at(-1)?.feedback).toBe('down');
    const stored = await chat.client.getMessages(chat.state.conversationId!);
    expect(stored.map((m) => m.feedback)).toEqual([null, 'down']);
    // The visitor's own message cannot be rated: the server says so, and the vote is undone.
    const own = chat.state.messages[0]!;
    await expect(chat.client.rateMessage(chat.state.conversationId!, own.id, { rating: 'up' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await chat.rate(reply!.id, { rating: 'up' });
    expect((await chat.client.getMessages(chat.state.conversationId!)).at(-1)?.feedback).toBe('up');
  });

  it('keeps what arrived when the visitor stops a reply', async () => {
    const chat = new VibhavaChat({ client: client() });
    await chat.connect();
    const unsubscribe = chat.subscribe((state) => {
      const last = state.messages.at(-1);
      if (last?.role === 'assistant' && last.content.length > 0) chat.stop();
    });
    const reply = await chat.send('slow:100');
    unsubscribe();
    expect(reply?.status).toBe('partial');
    expect(reply?.content.length).toBeGreaterThan(0);
    expect(chat.state.status).toBe('ready');
    // The server stored the partial reply too.
    await expect
      .poll(async () => (await chat.client.getMessages(chat.state.conversationId!)).map((m) => m.status), {
        timeout: 5000,
      })
      .toEqual(['complete', 'partial']);
  });

  it('puts a typed error into state when the model fails, keeping the visitor message', async () => {
    const chat = new VibhavaChat({ client: client() });
    await chat.connect();
    await chat.send('fail:500');
    expect(chat.state.error?.code).toBe('upstream_error');
    const stored = await chat.client.getMessages(chat.state.conversationId!);
    expect(stored.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'error'],
    ]);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('rate limits', () => {
  it('surfaces a long rate-limit wait as a RateLimitError at once', async () => {
    const limited = await servers.start({ rateLimits: { messagesPerVisitor: 1 } });
    try {
      const chat = new VibhavaChat({ client: client({ serverUrl: limited.url }) });
      await chat.connect();
      expect((await chat.send('one'))?.status).toBe('complete');
      const started = performance.now();
      expect(await chat.send('two')).toBeNull();
      expect(performance.now() - started).toBeLessThan(2000);
      expect(chat.state.error).toBeInstanceOf(RateLimitError);
      // The refused message is marked as not sent, not left looking delivered.
      expect(chat.state.messages.at(-1)).toMatchObject({ role: 'user', content: 'two', status: 'error' });
      expect(chat.state.error?.retryAfterMs).toBeGreaterThan(30_000);
    } finally {
      await limited.close();
    }
  });
});

describe('signed-in visitors', () => {
  it('follows the user to a new device, with their history', async () => {
    const { SignJWT } = await import('jose');
    const secret = 'sdk-test-identity-secret-0123456789abcdef';
    await server.db.$client.execute({
      sql: "UPDATE tenants SET identity_secret = ?, identity_issuer = 'https://docs.example', identity_audience = 'vibhava' WHERE id = 'tnt_demo'",
      args: [secret],
    });
    const identityToken = () =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('reader-1')
        .setIssuer('https://docs.example')
        .setAudience('vibhava')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
    const laptop = new VibhavaChat({ client: client({ cache: new MemoryConversationCache(), identityToken }) });
    await laptop.connect();
    await laptop.send('remember this');
    const phone = new VibhavaChat({ client: client({ cache: new MemoryConversationCache(), identityToken }) });
    await phone.connect();
    expect(phone.state.conversationId).toBe(laptop.state.conversationId);
    expect(phone.state.messages.map((m) => m.content)).toEqual(['remember this', 'You said: remember this']);
  });
});
