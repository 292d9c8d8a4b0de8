import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema, MessageListSchema } from '@vibhava/protocol';
import { publishableKeys } from '../src/db/schema.js';
import { api, newConversation, PAGE_ORIGIN, startHarness, startSession, type Harness } from './support.js';

// What a browser on a page the keys do not allow can do: its preflights are answered, so the
// request itself is sent and its 403 can be read; nothing else ever is.

const REFUSED = 'https://not-allowed.example';
/** Allowed by a second key of the demo tenant, not by the demo key. */
const OTHER_KEYS_ORIGIN = 'https://other-key.example';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.server.db
    .insert(publishableKeys)
    .values({ id: 'pkid_other', tenantId: 'tnt_demo', key: 'pk_other', allowedOrigins: [OTHER_KEYS_ORIGIN] });
});
afterAll(() => h.close());

function preflight(path: string, origin: string, method = 'POST'): Promise<Response> {
  return fetch(`${h.server.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type',
    },
  });
}

/** A 403 `forbidden_origin` the page can read: the CORS headers are there, and only the error body. */
async function expectReadableRefusal(response: Response, origin: string): Promise<string> {
  expect(response.status).toBe(403);
  expect(response.headers.get('access-control-allow-origin')).toBe(origin);
  const body: unknown = await response.json();
  expect(Object.keys(body as object)).toEqual(['error']);
  const { error } = ErrorBodySchema.parse(body);
  expect(error.code).toBe('forbidden_origin');
  return error.message;
}

describe('a page on an origin no key allows', () => {
  it('gets its preflight answered and reads the refusal of the request itself', async () => {
    const answered = await preflight('/v1/sessions', REFUSED);
    expect(answered.status).toBe(204);
    expect(answered.headers.get('access-control-allow-origin')).toBe(REFUSED);
    expect(answered.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(answered.headers.get('access-control-allow-methods')).toContain('POST');

    const body = { publishableKey: h.server.demo!.publishableKey, avatarId: h.server.demo!.avatarId };
    const message = await expectReadableRefusal(
      await api(h.server, '/v1/sessions', { body, origin: REFUSED }),
      REFUSED,
    );
    // The developer reads this in the console: which origin, and how to allow it.
    expect(message).toContain(`The origin ${REFUSED} is not allowed`);
    expect(message).toContain("publishable key's allowed origins");
    expect(message).toContain('PATCH /admin/v1/tenants/{tenantId}/publishable-keys/{keyId}');
    expect(message).toContain('VIBHAVA_ALLOWED_ORIGINS');
  });

  it('reads no data with a token from an allowed page, and changes nothing', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'my secret' }, token }).then((r) =>
      r.text(),
    );
    for (const path of ['/v1/conversations', `/v1/conversations/${id}/messages`, '/v1/memories', '/v1/preferences']) {
      const response = await api(h.server, path, { token, origin: REFUSED });
      const text = await response.clone().text();
      expect(text).not.toContain('my secret');
      await expectReadableRefusal(response, REFUSED);
    }
    // A request a browser sends without a preflight (a "simple" POST) does not reach the route either.
    const simple = await fetch(`${h.server.url}/v1/conversations/${id}/messages`, {
      method: 'POST',
      headers: { origin: REFUSED, authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: JSON.stringify({ content: 'sent from elsewhere' }),
    });
    await expectReadableRefusal(simple, REFUSED);
    const history = MessageListSchema.parse(
      await (await api(h.server, `/v1/conversations/${id}/messages`, { token })).json(),
    );
    expect(history.messages.map((m) => m.content)).not.toContain('sent from elsewhere');
  });

  it('still loads avatar assets, which any page may show', async () => {
    const response = await api(h.server, '/v1/assets/ast_unknown', { origin: REFUSED });
    expect(response.status).toBe(404);
  });
});

describe('a page on an origin another key allows', () => {
  it('reads why this key refuses it', async () => {
    const answered = await preflight('/v1/sessions', OTHER_KEYS_ORIGIN);
    expect(answered.status).toBe(204);
    const body = { publishableKey: h.server.demo!.publishableKey, avatarId: h.server.demo!.avatarId };
    const response = await api(h.server, '/v1/sessions', { body, origin: OTHER_KEYS_ORIGIN });
    const message = await expectReadableRefusal(response, OTHER_KEYS_ORIGIN);
    expect(message).toContain(`The origin ${OTHER_KEYS_ORIGIN} is not allowed by this publishable key`);
    // With its own key it starts a session.
    const own = await api(h.server, '/v1/sessions', {
      body: { ...body, publishableKey: 'pk_other' },
      origin: OTHER_KEYS_ORIGIN,
    });
    expect(own.status).toBe(201);
  });
});

describe('an allowed page', () => {
  it('gets its preflight answered and CORS headers on its responses', async () => {
    const answered = await preflight('/v1/conversations', PAGE_ORIGIN, 'GET');
    expect(answered.status).toBe(204);
    expect(answered.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    const { token } = await startSession(h.server);
    const response = await api(h.server, '/v1/conversations', { token });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
  });
});
