import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorCodes, type ErrorCode } from '@vibhava/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sdk from '../src/index.js';
import {
  ForbiddenOriginError,
  NetworkError,
  ProtocolError,
  RateLimitError,
  UpstreamError,
  VibhavaChat,
  VibhavaError,
  developerMessage,
  errorFromInfo,
  visitorMessage,
  type VibhavaClient,
} from '../src/index.js';
import { startTestServers, type TestServers } from './test-server.js';

let servers: TestServers;
beforeAll(async () => {
  servers = await startTestServers();
});
afterAll(async () => {
  await servers.close();
});

/** The real `fetch`, counting the calls made to each `METHOD /path`. */
function countingFetch(): { fetch: typeof fetch; calls: (route: string) => number } {
  const seen: string[] = [];
  return {
    fetch: (input, init) => {
      seen.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
    calls: (route) => seen.filter((call) => call === route).length,
  };
}

async function failure(promise: Promise<unknown>): Promise<VibhavaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VibhavaError);
  return error as VibhavaError;
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) void _;
}

describe('no retries on a 4xx', () => {
  // Generous retries, so a retried 4xx would show as several calls.
  const retry = { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 60_000 };

  it('asks once when the origin is refused, and says which origin and how to allow it', async () => {
    const counter = countingFetch();
    const client = servers.client({ origin: 'https://refused.example', fetch: counter.fetch, retry });
    const error = await failure(client.getSession());
    expect(error).toBeInstanceOf(ForbiddenOriginError);
    expect(error.status).toBe(403);
    expect(counter.calls('POST /v1/sessions')).toBe(1);
    expect(developerMessage(error)).toContain('https://refused.example');
    expect(developerMessage(error)).toContain('VIBHAVA_ALLOWED_ORIGINS');
    expect(visitorMessage(error)).toBe('This chat is not available on this page yet. Please let the site owner know.');
  });

  it('asks once for a wrong key, a missing conversation, bad input, a conflict and a long rate limit', async () => {
    const counter = countingFetch();
    const wrongKey = servers.client({ publishableKey: 'pk_wrong', fetch: counter.fetch, retry });
    expect((await failure(wrongKey.getSession())).code).toBe('invalid_publishable_key');
    expect(counter.calls('POST /v1/sessions')).toBe(1);

    const client = servers.client({ fetch: counter.fetch, retry });
    expect((await failure(client.getMessages('cnv_missing'))).code).toBe('not_found');
    expect(counter.calls('GET /v1/conversations/cnv_missing/messages')).toBe(1);

    const { id } = await client.createConversation();
    const messages = `POST /v1/conversations/${id}/messages`;
    expect((await failure(drain(client.sendMessage(id, '   ')))).code).toBe('invalid_request');
    expect(counter.calls(messages)).toBe(1);
    expect((await failure(drain(client.sendMessage(id, 'x'.repeat(70_000))))).code).toBe('payload_too_large');
    expect(counter.calls(messages)).toBe(2);
    expect((await failure(drain(client.regenerate(id)))).code).toBe('conflict');
    expect(counter.calls(`POST /v1/conversations/${id}/regenerate`)).toBe(1);

    const limited = await servers.start({ rateLimits: { messagesPerVisitor: 1 } });
    try {
      const counted = countingFetch();
      const visitor = servers.client({ serverUrl: limited.url, fetch: counted.fetch, retry: { maxAttempts: 5 } });
      const conversation = await visitor.createConversation();
      await drain(visitor.sendMessage(conversation.id, 'one'));
      const refused = await failure(drain(visitor.sendMessage(conversation.id, 'two')));
      expect(refused).toBeInstanceOf(RateLimitError);
      // The minute's wait is longer than the client would sit out: answered at once.
      expect(counted.calls(`POST /v1/conversations/${conversation.id}/messages`)).toBe(2);
    } finally {
      await limited.close();
    }
  });

  it('keeps a chat refused by the origin to one attempt per action', async () => {
    const counter = countingFetch();
    const chat = new VibhavaChat({
      client: servers.client({ origin: 'https://refused.example', fetch: counter.fetch, retry }),
    });
    await chat.connect();
    expect(chat.state.error).toBeInstanceOf(ForbiddenOriginError);
    expect(await chat.send('hello')).toBeNull();
    expect(chat.state.error).toBeInstanceOf(ForbiddenOriginError);
    expect(counter.calls('POST /v1/sessions')).toBe(2);
  });
});

/**
 * A proxy in front of the real server that answers the first requests with scripted failures
 * (what a restarting server or a gateway in between may say), then forwards the rest.
 */
async function flakyProxy(target: string, failures: { status: number; body: string }[]) {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const failure = failures.shift();
    if (failure) {
      res.writeHead(failure.status, { 'content-type': 'application/json' }).end(failure.body);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
      void fetch(`${target}${req.url}`, {
        method: req.method!,
        headers,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      }).then(async (response) => {
        res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'text/plain' });
        res.end(Buffer.from(await response.arrayBuffer()));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const errorBody = (code: string, retryAfterMs?: number) =>
  JSON.stringify({ error: { code, message: `scripted ${code}`, ...(retryAfterMs ? { retryAfterMs } : {}) } });

describe('retries', () => {
  it('retries a 5xx, a gateway page and a short rate limit, then succeeds', async () => {
    const proxy = await flakyProxy(servers.server.url, [
      { status: 503, body: errorBody('model_unavailable') },
      { status: 502, body: '<html>Bad gateway</html>' },
      { status: 429, body: errorBody('rate_limited', 30) },
    ]);
    try {
      const client = servers.client({ serverUrl: proxy.url, retry: { maxAttempts: 4, initialDelayMs: 10 } });
      expect((await client.getSession()).avatar.name).toBe('Vee');
      expect(proxy.requests()).toBe(4);
    } finally {
      await proxy.close();
    }
  });

  it('does not retry a 429 that names no wait, and gives up on 5xx after its attempts', async () => {
    const proxy = await flakyProxy(servers.server.url, [
      { status: 429, body: errorBody('rate_limited') },
      { status: 500, body: errorBody('internal_error') },
      { status: 502, body: errorBody('upstream_error') },
    ]);
    try {
      const client = servers.client({ serverUrl: proxy.url, retry: { maxAttempts: 2, initialDelayMs: 10 } });
      expect(await failure(client.getSession())).toBeInstanceOf(RateLimitError);
      expect(proxy.requests()).toBe(1);
      const error = await failure(client.getSession());
      expect(error).toBeInstanceOf(UpstreamError);
      expect(proxy.requests()).toBe(3);
    } finally {
      await proxy.close();
    }
  });
});

describe('messages for visitors and developers', () => {
  /** Every error class the SDK exports. */
  const exportedClasses = Object.values(sdk).filter(
    (value): value is typeof VibhavaError =>
      typeof value === 'function' && (value === VibhavaError || value.prototype instanceof VibhavaError),
  );
  const fromServer = errorCodes.map((code: ErrorCode) =>
    errorFromInfo({ code, message: `The server's words for ${code}.` }, 400),
  );
  const fromClient = [
    new NetworkError('network_error', 'Could not reach the server at http://127.0.0.1:1.'),
    new ProtocolError('protocol_error', 'The server answered 200 without a body.'),
  ];

  it('covers every error class the SDK exports', () => {
    expect(exportedClasses.length).toBeGreaterThanOrEqual(12);
    const made = new Set([...fromServer, ...fromClient].map((error) => error.constructor));
    for (const errorClass of exportedClasses) expect(made, errorClass.name).toContain(errorClass);
  });

  it('gives each a short message a visitor can act on, without the technical words', () => {
    for (const error of [...fromServer, ...fromClient]) {
      const text = visitorMessage(error);
      expect(text, error.code).toMatch(/^[A-Z].{10,90}\.$/);
      expect(text, error.code).not.toContain(error.message);
      expect(text, error.code).not.toMatch(/http|origin|key|token|json|server's|_/i);
    }
    // Anything thrown that is not the SDK's reads as our own failure, not as a crash.
    expect(visitorMessage(new TypeError('x is undefined'))).toBe('Something went wrong on our side. Please try again.');
    expect(visitorMessage('nope')).toBe('Something went wrong on our side. Please try again.');
  });

  it('says how long to wait when the server says', () => {
    const limited = (code: 'rate_limited' | 'quota_exceeded', retryAfterMs: number) =>
      visitorMessage(errorFromInfo({ code, message: 'x', retryAfterMs }, 429));
    expect(limited('rate_limited', 40_000)).toBe('You are sending messages quickly. Please try again in 40 seconds.');
    expect(limited('rate_limited', 1)).toBe('You are sending messages quickly. Please try again in 1 second.');
    expect(limited('quota_exceeded', 3 * 60_000)).toBe(
      'The chat has reached its limit for now. Please try again in 3 minutes.',
    );
    expect(limited('quota_exceeded', 5 * 3_600_000)).toBe(
      'The chat has reached its limit for now. Please try again in about 5 hours.',
    );
  });

  it('gives developers the class, the code, the status and the server’s message', () => {
    const error = errorFromInfo(
      { code: 'forbidden_origin', message: 'The origin https://a.example is not allowed.' },
      403,
    );
    expect(developerMessage(error)).toBe(
      'VibhavaFusion ForbiddenOriginError (forbidden_origin, HTTP 403): The origin https://a.example is not allowed.',
    );
    expect(developerMessage(fromClient[0])).toMatch(/^VibhavaFusion NetworkError \(network_error\): Could not reach/);
    expect(developerMessage(fromClient[0])).toContain('CORS');
  });
});

describe('a new conversation', () => {
  async function chatWith(client: VibhavaClient): Promise<VibhavaChat> {
    const chat = new VibhavaChat({ client });
    await chat.connect();
    return chat;
  }

  it('starts empty, keeps the old one on the server, and is what this device resumes', async () => {
    const cache = new sdk.MemoryConversationCache();
    const chat = await chatWith(servers.client({ cache }));
    await chat.send('feel:joy first conversation');
    const first = chat.state.conversationId!;
    expect(chat.state.avatarEmotion).toBe('joy');

    const second = (await chat.newConversation())!;
    expect(second).toMatch(/^conv_/);
    expect(second).not.toBe(first);
    expect(chat.state).toMatchObject({ conversationId: second, messages: [], avatarEmotion: 'neutral', error: null });
    expect(chat.state.status).toBe('ready');
    // Asked again before anything was said, it keeps the empty one.
    expect(await chat.newConversation()).toBe(second);

    const listed = (await chat.client.listConversations()).map((c) => c.id);
    expect(listed).toEqual(expect.arrayContaining([first, second]));
    expect((await chat.client.getMessages(first)).map((m) => m.content)).toContain('You said: first conversation');

    // A reload resumes the new conversation, not the old one.
    const reloaded = await chatWith(servers.client({ cache }));
    expect(reloaded.state.conversationId).toBe(second);
    expect(reloaded.state.messages).toEqual([]);
    await reloaded.send('second conversation');
    expect((await chat.client.getMessages(second)).map((m) => m.content)).toEqual([
      'second conversation',
      'You said: second conversation',
    ]);
  });

  it('stops a reply being written first', async () => {
    const chat = await chatWith(servers.client());
    const replying = chat.send('slow:200');
    await new Promise<void>((resolve) => {
      const unsubscribe = chat.subscribe((state) => {
        if (state.messages.at(-1)?.role === 'assistant' && state.messages.at(-1)!.content) {
          unsubscribe();
          resolve();
        }
      });
    });
    const first = chat.state.conversationId;
    const second = await chat.newConversation();
    expect((await replying)?.status).toBe('partial');
    expect(second).not.toBe(first);
    expect(chat.state.messages).toEqual([]);
    expect(chat.state.status).toBe('ready');
  });
});
