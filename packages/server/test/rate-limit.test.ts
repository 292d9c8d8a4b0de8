import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '@vibhava/protocol';
import { api, collectParts, newConversation, startHarness, startSession, type Harness } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ rateLimits: { messagesPerVisitor: 3, sessionsPerIp: 4 } });
});
afterAll(() => h.close());

describe('rate limits over HTTP', () => {
  it('refuses a visitor’s 4th message in a burst with 429, Retry-After and RateLimit headers', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const send = () => api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'hi' }, token });
    for (let i = 0; i < 3; i++) {
      const ok = await send();
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit-policy')).toBe('"visitor";q=3;w=60');
      expect(ok.headers.get('ratelimit')).toMatch(new RegExp(`^"visitor";r=${2 - i};t=\\d+$`));
      await collectParts(ok);
    }
    const refused = await send();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit')).toMatch(/^"visitor";r=0;t=\d+$/);
    const body = ErrorBodySchema.parse(await refused.json());
    expect(body.error).toMatchObject({ code: 'rate_limited' });
    expect(body.error.retryAfterMs).toBeGreaterThan(0);
    // The refused message was not stored.
    const history = (await (await api(h.server, `/v1/conversations/${id}/messages`, { token })).json()) as {
      messages: unknown[];
    };
    expect(history.messages).toHaveLength(6);
  });

  it('keeps the same limits with every take in the shared store (rateLimitSyncMs: 0)', async () => {
    const exact = await startHarness({ rateLimits: { messagesPerVisitor: 2 }, rateLimitSyncMs: 0 });
    try {
      const { token } = await startSession(exact.server);
      const id = await newConversation(exact.server, token);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await api(exact.server, `/v1/conversations/${id}/messages`, {
          body: { content: 'hi' },
          token,
        });
        statuses.push(response.status);
        if (response.ok) await collectParts(response);
      }
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await exact.close();
    }
  });

  it('limits session starts per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await api(h.server, '/v1/sessions', {
        body: { publishableKey: h.server.demo!.publishableKey, avatarId: h.server.demo!.avatarId },
      });
      statuses.push(response.status);
    }
    // 4 per minute per address; the first test already started one session.
    expect(statuses).toEqual([201, 201, 201]);
    const refused = await api(h.server, '/v1/sessions', {
      body: { publishableKey: h.server.demo!.publishableKey, avatarId: h.server.demo!.avatarId },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-policy')).toBe('"ip";q=4;w=60');
  });
});
