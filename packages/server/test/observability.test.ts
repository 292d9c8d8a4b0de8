import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminUser } from '../src/admin/bootstrap.js';
import { ErrorTracker } from '../src/observability/error-tracker.js';
import { redact } from '../src/observability/redact.js';
import { api, collectParts, newConversation, startHarness, startSession, type Harness } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ rateLimits: { messagesPerVisitor: 2 } });
});
afterAll(() => h.close());

describe('metrics', () => {
  it('exposes requests, latency, time to first token, tokens, cost, refusals and upstream errors', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'hello metrics' }, token }),
    );
    await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'fail:500' }, token }),
    );
    expect(
      (await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'refused' }, token })).status,
    ).toBe(429);

    const response = await fetch(`${h.server.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    expect(text).toMatch(
      /vibhava_http_requests_total\{method="POST",route="\/v1\/conversations\/:conversationId\/messages",status="200"\} 2/,
    );
    expect(text).toMatch(
      /vibhava_http_request_duration_seconds_bucket\{le="0.5",method="POST",route="\/v1\/sessions"\} \d+/,
    );
    expect(text).toMatch(/vibhava_time_to_first_token_seconds_count\{provider="openai",model="gpt-4o-mini"\} 1/);
    expect(text).toMatch(/vibhava_tokens_total\{provider="openai",model="gpt-4o-mini",kind="output"\} 4/);
    expect(text).toMatch(/vibhava_cost_usd_total\{provider="openai",model="gpt-4o-mini"\} \d/);
    expect(text).toMatch(/vibhava_refusals_total\{kind="rate_limit",rule="messages:visitor"\} 1/);
    expect(text).toMatch(/vibhava_upstream_errors_total\{provider="openai",code="upstream_error"\} 2/);
    expect(text).toMatch(/vibhava_process_cpu_seconds_total/);
  });

  it('reports the stores in /health', async () => {
    const health = (await (await fetch(`${h.server.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, database: { ok: true }, rateLimits: { store: 'libsql', ok: true } });
  });
});

describe('error groups', () => {
  it('groups repeated upstream failures with counts and a redacted sample, per tenant', async () => {
    const { token } = await startSession(h.server);
    for (let i = 0; i < 2; i++) {
      const id = await newConversation(h.server, token);
      await collectParts(
        await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'fail:500' }, token }),
      );
    }
    await ensureAdminUser(h.server.db, {
      email: 'analyst@obs.example',
      password: 'a long password!!',
      tenantId: 'tnt_demo',
      role: 'analyst',
    });
    const login = await fetch(`${h.server.url}/admin/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'analyst@obs.example', password: 'a long password!!' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { errors } = (await (
      await fetch(`${h.server.url}/admin/v1/tenants/tnt_demo/errors`, { headers: { cookie } })
    ).json()) as {
      errors: Array<{ kind: string; code: string; count: number; message: string }>;
    };
    const upstream = errors.find((e) => e.kind === 'upstream');
    expect(upstream?.code).toBe('upstream_error');
    expect(upstream?.count).toBeGreaterThanOrEqual(3);
    expect(upstream?.message).toMatch(/HTTP 500/);
  });

  it('keeps secrets out of samples and groups messages that differ only in ids and numbers', () => {
    expect(redact('key sk-proj-abcdefghijklmnop and Bearer abc.def.ghi for ada@example.com password=hunter2')).toBe(
      'key sk_[redacted] and Bearer [redacted] for [email] password=[redacted]',
    );
    const a = ErrorTracker.fingerprint({
      kind: 'upstream',
      code: 'upstream_error',
      message: 'failed for conv_abcdefgh1234 after 1500 ms',
    });
    const b = ErrorTracker.fingerprint({
      kind: 'upstream',
      code: 'upstream_error',
      message: 'failed for conv_zyxwvuts9876 after 30 ms',
    });
    const c = ErrorTracker.fingerprint({
      kind: 'upstream',
      code: 'upstream_timeout',
      message: 'failed for conv_abcdefgh1234 after 1500 ms',
    });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});
