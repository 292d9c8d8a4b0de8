import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema, MessageListSchema, SessionSchema, decodeSseStream, type StreamPart } from '@vibhava/protocol';
import { VisitorTokens } from '../src/auth/visitor-token.js';
import {
  api,
  collectParts,
  newConversation,
  PAGE_ORIGIN,
  readRest,
  startHarness,
  startSession,
  type Harness,
} from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = ErrorBodySchema.parse(await response.json());
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(5);
}

describe('visitor sessions', () => {
  it('issues a short-lived token bound to the page origin', async () => {
    const response = await api(h.server, '/v1/sessions', {
      body: { publishableKey: h.server.demo!.publishableKey, avatarId: h.server.demo!.avatarId },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    const session = SessionSchema.parse(await response.json());
    expect(session.avatar.name).toBe('Vee');
    expect(session.expiresAt - Date.now()).toBeLessThanOrEqual(900_000);
    expect(session.expiresAt - Date.now()).toBeGreaterThan(800_000);
  });

  it('keeps the visitor id the SDK sends back, and refuses to adopt an unknown one', async () => {
    const first = await startSession(h.server);
    const again = await api(h.server, '/v1/sessions', {
      body: {
        publishableKey: h.server.demo!.publishableKey,
        avatarId: h.server.demo!.avatarId,
        visitorId: first.visitorId,
      },
    });
    expect(SessionSchema.parse(await again.json()).visitorId).toBe(first.visitorId);
    const made_up = await api(h.server, '/v1/sessions', {
      body: {
        publishableKey: h.server.demo!.publishableKey,
        avatarId: h.server.demo!.avatarId,
        visitorId: 'vis_made_up',
      },
    });
    expect(SessionSchema.parse(await made_up.json()).visitorId).not.toBe('vis_made_up');
  });

  it('refuses a wrong origin, a missing origin, an unknown key and an unknown avatar', async () => {
    const body = { publishableKey: h.server.demo!.publishableKey, avatarId: h.server.demo!.avatarId };
    await expectError(
      await api(h.server, '/v1/sessions', { body, origin: 'https://evil.example' }),
      403,
      'forbidden_origin',
    );
    await expectError(await api(h.server, '/v1/sessions', { body, origin: null }), 403, 'forbidden_origin');
    await expectError(
      await api(h.server, '/v1/sessions', { body: { ...body, publishableKey: 'pk_nope' } }),
      401,
      'invalid_publishable_key',
    );
    await expectError(
      await api(h.server, '/v1/sessions', { body: { ...body, avatarId: 'avt_nope' } }),
      404,
      'not_found',
    );
  });
});

describe('bad input never becomes a 500', () => {
  it('rejects malformed JSON, wrong types, empty and oversized messages', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const path = `/v1/conversations/${id}/messages`;
    await expectError(await api(h.server, path, { rawBody: '{"content": ', token }), 400, 'invalid_json');
    await expectError(await api(h.server, path, { body: { content: 42 }, token }), 400, 'invalid_request');
    await expectError(await api(h.server, path, { body: { content: '   ' }, token }), 400, 'invalid_request');
    await expectError(
      await api(h.server, path, { body: { content: 'x'.repeat(4001) }, token }),
      400,
      'invalid_request',
    );
    await expectError(
      await api(h.server, path, { rawBody: JSON.stringify({ content: 'y'.repeat(70_000) }), token }),
      413,
      'payload_too_large',
    );
    await expectError(await api(h.server, '/v1/sessions', { rawBody: '[]' }), 400, 'invalid_request');
    await expectError(await api(h.server, '/v1/nowhere'), 404, 'not_found');
    const plain = await fetch(`${h.server.url}${path}`, {
      method: 'POST',
      headers: { origin: PAGE_ORIGIN, authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    await expectError(plain, 415, 'invalid_request');
    await expectError(
      await api(h.server, `/v1/conversations/${'x'.repeat(65)}/messages`, { token }),
      400,
      'invalid_request',
    );
    // Nothing was stored by any of those.
    const history = MessageListSchema.parse(await (await api(h.server, path, { token })).json());
    expect(history.messages).toEqual([]);
  });

  it('rejects forged, expired, missing and cross-origin tokens', async () => {
    const { token } = await startSession(h.server);
    await expectError(await api(h.server, '/v1/conversations'), 401, 'unauthorized');
    await expectError(
      await api(h.server, '/v1/conversations', { token: `${token.slice(0, -4)}AAAA` }),
      401,
      'unauthorized',
    );
    const forged = await new SignJWT({ tid: 'tnt_demo', aid: 'avt_demo', org: PAGE_ORIGIN })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('vis_x')
      .setIssuer('vibhava')
      .setAudience('vibhava:visitor')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('not-the-server-secret-not-the-server-secret'));
    await expectError(await api(h.server, '/v1/conversations', { token: forged }), 401, 'unauthorized');
    const secret = (await import('node:fs')).readFileSync(`${h.dataDir}/secret`, 'utf8').trim();
    const past = new VisitorTokens(secret, 60, () => Date.now() - 3_600_000);
    const expired = await past.sign({
      visitorId: 'vis_x',
      tenantId: 'tnt_demo',
      avatarId: 'avt_demo',
      origin: PAGE_ORIGIN,
    });
    await expectError(await api(h.server, '/v1/conversations', { token: expired.token }), 401, 'token_expired');
    await expectError(
      await api(h.server, '/v1/conversations', { token, origin: 'https://evil.example' }),
      403,
      'forbidden_origin',
    );
  });
});

describe('conversations', () => {
  it('streams a reply as typed parts and stores both messages', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const response = await api(h.server, `/v1/conversations/${id}/messages`, {
      body: { content: 'hello there' },
      token,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const parts = await collectParts(response);
    expect(parts.map((p) => p.type)).toEqual([
      'start',
      'text-start',
      // What went into the context (memories, preferences, token budget), then the avatar's
      // expression before the words: the model writes it first.
      'context',
      'emotion',
      ...parts.filter((p) => p.type === 'text-delta').map(() => 'text-delta'),
      'text-end',
      'usage',
      'finish',
    ]);
    const text = parts.flatMap((p) => (p.type === 'text-delta' ? [p.delta] : [])).join('');
    expect(text).toBe('You said: hello there');
    const finish = parts.at(-1);
    expect(parts.find((p) => p.type === 'emotion')).toMatchObject({ emotion: 'joy' });
    expect(finish).toMatchObject({
      type: 'finish',
      finishReason: 'stop',
      message: { status: 'complete', content: text, emotion: { ekman: 'joy' } },
    });
    // The persona went to the model as the system message, with the structured-output schema.
    const request = h.upstream.requests.at(-1);
    expect(request?.messages[0]).toMatchObject({ role: 'system' });
    expect(request?.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'avatar_reply', strict: true, schema: { required: ['emotion', 'reply'] } },
    });

    const history = MessageListSchema.parse(
      await (await api(h.server, `/v1/conversations/${id}/messages`, { token })).json(),
    );
    expect(history.messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', 'hello there', 'complete'],
      ['assistant', 'You said: hello there', 'complete'],
    ]);
    expect(history.messages[1]?.outputTokens).toBeGreaterThan(0);
  });

  it('sends earlier turns as history on the next turn', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    await collectParts(await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'first' }, token }));
    await collectParts(await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'second' }, token }));
    const [earlier, later] = h.upstream.requests.slice(-2);
    expect(later?.messages.filter((m) => m.role !== 'system').map((m) => m.content)).toEqual([
      'first',
      '{"emotion":"joy","reply":"You said: first"}',
      'second',
    ]);
    // The system message is byte-identical turn after turn (prompt caches hold); what changes
    // each turn is a short note right before the visitor's message.
    expect(later?.messages[0]).toEqual(earlier?.messages[0]);
    expect(later?.messages.at(-2)).toMatchObject({
      role: 'system',
      content: expect.stringMatching(/^\(Context for your next reply/),
    });
  });

  it('turns an upstream failure into an error part and keeps the visitor message', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const parts = await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'fail:500' }, token }),
    );
    expect(parts.find((p) => p.type === 'error')).toMatchObject({ error: { code: 'upstream_error' } });
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'error', message: { status: 'error' } });

    const mid = await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'fail:midstream' }, token }),
    );
    expect(mid.find((p) => p.type === 'error')).toMatchObject({ error: { code: 'upstream_error' } });
    expect(mid.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: 'error',
      message: { status: 'partial', content: 'You said:' },
    });

    const history = MessageListSchema.parse(
      await (await api(h.server, `/v1/conversations/${id}/messages`, { token })).json(),
    );
    expect(history.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'error'],
      ['user', 'complete'],
      ['assistant', 'partial'],
    ]);
  });

  it('streams a reply through the Fetch API path too (app.request, no node socket)', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const response = await h.server.app.request(`/v1/conversations/${id}/messages`, {
      method: 'POST',
      headers: { origin: PAGE_ORIGIN, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'web streams' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    const parts = await collectParts(response);
    const text = parts.flatMap((p) => (p.type === 'text-delta' ? [p.delta] : [])).join('');
    expect(text).toBe('You said: web streams');
    expect(parts.at(-1)).toMatchObject({ type: 'finish', message: { status: 'complete', content: text } });
    const history = MessageListSchema.parse(
      await (await api(h.server, `/v1/conversations/${id}/messages`, { token })).json(),
    );
    expect(history.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'web streams'],
      ['assistant', 'You said: web streams'],
    ]);
  });

  it('refuses a body over the limit that comes without a Content-Length (chunked)', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const chunk = new TextEncoder().encode('y'.repeat(16_384));
    let sent = 0;
    const response = await fetch(`${h.server.url}/v1/conversations/${id}/messages`, {
      method: 'POST',
      headers: { origin: PAGE_ORIGIN, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 5) controller.enqueue(chunk);
          else controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    await expectError(response, 413, 'payload_too_large');
    const history = MessageListSchema.parse(
      await (await api(h.server, `/v1/conversations/${id}/messages`, { token })).json(),
    );
    expect(history.messages).toEqual([]);
  });

  it('stores a partial reply when the visitor disconnects mid-stream', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const abort = new AbortController();
    const response = await fetch(`${h.server.url}/v1/conversations/${id}/messages`, {
      method: 'POST',
      headers: { origin: PAGE_ORIGIN, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'slow:100' }),
      signal: abort.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    abort.abort();
    await expect
      .poll(
        async () => {
          const history = MessageListSchema.parse(
            await (await api(h.server, `/v1/conversations/${id}/messages`, { token })).json(),
          );
          return history.messages.map((m) => m.status);
        },
        { timeout: 5000 },
      )
      .toEqual(['complete', 'partial']);
  });

  it('ends the stream with an error and a finish when the reply cannot be saved', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const response = await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'slow:60' }, token });
    const reader = decodeSseStream(response.body!);
    const first = await reader.next();
    expect(first.value).toMatchObject({ type: 'start' });
    // The conversation disappears mid-reply (as when an admin deletes its avatar).
    await h.server.db.$client.execute({ sql: 'DELETE FROM conversations WHERE id = ?', args: [id] });
    const rest: StreamPart[] = [];
    for await (const part of reader) rest.push(part);
    expect(rest.find((p) => p.type === 'error')).toMatchObject({ error: { code: 'internal_error' } });
    expect(rest.at(-1)).toMatchObject({ type: 'finish', message: { role: 'assistant', content: 'You said: slow:60' } });
  });

  it('never shows one visitor another visitor’s conversation', async () => {
    const alice = await startSession(h.server);
    const bob = await startSession(h.server);
    const id = await newConversation(h.server, alice.token);
    await expectError(await api(h.server, `/v1/conversations/${id}/messages`, { token: bob.token }), 404, 'not_found');
    await expectError(
      await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'hi' }, token: bob.token }),
      404,
      'not_found',
    );
    const list = (await (await api(h.server, '/v1/conversations', { token: bob.token })).json()) as {
      conversations: unknown[];
    };
    expect(list.conversations).toEqual([]);
  });
});

describe('service documents', () => {
  it('serves an OpenAPI document generated from the schemas, and health', async () => {
    const doc = (await (await fetch(`${h.server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/conversations',
        '/v1/conversations/{conversationId}/messages',
        '/v1/sessions',
        '/admin/v1/auth/login',
        '/admin/v1/tenants/{tenantId}/quotas',
      ]),
    );
    // Every path parameter is declared.
    for (const [path, methods] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const operation of Object.values(methods as Record<string, { parameters?: Array<{ name: string }> }>)) {
        expect((operation.parameters ?? []).map((p) => p.name)).toEqual(names);
      }
    }
    const health = await fetch(`${h.server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, model: { provider: 'openai' } });
  });
});

describe('stopping a reply from another instance', () => {
  it('stops a reply written by one instance when the stop request reaches another', async () => {
    const { startServer } = await import('../src/server.js');
    const { OpenAIChatModel } = await import('../src/providers/openai/openai-chat-model.js');
    // A second instance on the same database (and token secret), as behind a load balancer.
    const other = await startServer({
      port: 0,
      dataDir: h.dataDir,
      demo: true,
      allowedOrigins: [PAGE_ORIGIN],
      model: new OpenAIChatModel({ apiKey: 'test-key', baseURL: h.upstream.baseURL, model: 'gpt-4o-mini' }),
      log: () => {},
    });
    try {
      const { token } = await startSession(h.server);
      const id = await newConversation(h.server, token);
      const response = await api(h.server, `/v1/conversations/${id}/messages`, {
        body: { content: 'slow:300' },
        token,
      });
      const reader = response.body!.getReader();
      await reader.read();
      const stopped = await api(other, `/v1/conversations/${id}/stop`, { body: {}, token });
      expect(await stopped.json()).toEqual({ stopped: true });
      expect(await readRest(reader)).toContain('"finishReason":"aborted"');
      const history = MessageListSchema.parse(
        await (await api(h.server, `/v1/conversations/${id}/messages`, { token })).json(),
      );
      expect(history.messages.map((m) => m.status)).toEqual(['complete', 'partial']);
      // Nothing is being written any more, on either instance.
      expect(await (await api(other, `/v1/conversations/${id}/stop`, { body: {}, token })).json()).toEqual({
        stopped: false,
      });
    } finally {
      await other.close();
    }
  });
});
