import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ErrorBodySchema, MessageListSchema } from '@vibhava/protocol';
import { QuotaService } from '../src/quotas/quota-service.js';
import { api, collectParts, newConversation, startHarness, startSession, type Harness } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** Runs `test` with a per-visitor daily message budget of `limit` on the demo tenant, removed after. */
async function withMessageBudget(limit: number, test: (quota: { id: string }, quotas: QuotaService) => Promise<void>) {
  const quotas = new QuotaService(h.server.db);
  const quota = await quotas.create({
    tenantId: 'tnt_demo',
    scope: 'visitor',
    metric: 'messages',
    period: 'day',
    limit,
  });
  try {
    await test(quota, quotas);
  } finally {
    await h.server.db.$client.execute({ sql: 'DELETE FROM quotas WHERE id = ?', args: [quota.id] });
    QuotaService.invalidate(h.server.db, 'tnt_demo');
  }
}

describe('budgets over HTTP', () => {
  it('refuses past a per-visitor message budget with 429 quota_exceeded, storing nothing', async () => {
    await withMessageBudget(2, async () => {
      const { token } = await startSession(h.server);
      const id = await newConversation(h.server, token);
      for (const content of ['one', 'two']) {
        await collectParts(await api(h.server, `/v1/conversations/${id}/messages`, { body: { content }, token }));
      }
      const refused = await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'three' }, token });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('ratelimit-policy')).toBe('"quota";q=2;w=86400');
      expect(refused.headers.get('ratelimit')).toMatch(/^"quota";r=0;t=\d+$/);
      const body = ErrorBodySchema.parse(await refused.json());
      expect(body.error.code).toBe('quota_exceeded');
      expect(body.error.message).toMatch(/daily messages budget/);
      const history = MessageListSchema.parse(
        await (await api(h.server, `/v1/conversations/${id}/messages`, { token })).json(),
      );
      expect(history.messages.map((m) => m.content)).toEqual(['one', 'You said: one', 'two', 'You said: two']);
    });
  });

  it('asks the model while admitting a message far from its budget, and cuts the call off when the budget went meanwhile', async () => {
    await withMessageBudget(100, async (quota, quotas) => {
      const { token, visitorId } = await startSession(h.server);
      const id = await newConversation(h.server, token);
      const path = `/v1/conversations/${id}/messages`;
      // The first message is admitted before the call (this process has not seen the budget yet);
      // the second goes out at once, its admission checked while the request travels.
      for (const content of ['one', 'two']) await collectParts(await api(h.server, path, { body: { content }, token }));
      // Another instance spends the rest of the budget.
      await h.server.db.$client.execute({
        sql: 'UPDATE quota_usage SET used = 100 WHERE quota_id = ? AND subject = ?',
        args: [quota.id, visitorId],
      });
      const refused = await api(h.server, path, { body: { content: 'three' }, token });
      expect(refused.status).toBe(429);
      expect(ErrorBodySchema.parse(await refused.json()).error.code).toBe('quota_exceeded');
      // The call went out on the forecast and was cut off; the ledger says so.
      await h.server.ledger.flush();
      const rows = await h.server.db.$client.execute({
        sql: `SELECT outcome, error_code FROM usage_events WHERE conversation_id = ? ORDER BY created_at`,
        args: [id],
      });
      expect(rows.rows.map((r) => [r['outcome'], r['error_code']])).toEqual([
        ['ok', null],
        ['ok', null],
        ['aborted', 'admission_changed'],
      ]);
      const history = MessageListSchema.parse(await (await api(h.server, path, { token })).json());
      expect(history.messages.map((m) => m.content)).toEqual(['one', 'You said: one', 'two', 'You said: two']);
      const [usage] = await quotas.usage({ tenantId: 'tnt_demo', avatarId: 'avt_demo', visitorId });
      expect(usage?.used).toBe(100);
    });
  });

  it('answers politely in the avatar’s voice without calling the model when configured to', async () => {
    const quotas = new QuotaService(h.server.db);
    await quotas.create({
      tenantId: 'tnt_demo',
      scope: 'visitor',
      metric: 'tokens',
      period: 'month',
      limit: 10,
      onExceeded: 'polite-reply',
    });
    const { token, visitorId } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'use some tokens please' }, token }),
    );
    const used = await quotas.usage({ tenantId: 'tnt_demo', avatarId: 'avt_demo', visitorId });
    expect(used[0]?.used).toBeGreaterThan(10);

    const calls = h.upstream.requests.length;
    const parts = await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'and more' }, token }),
    );
    expect(h.upstream.requests.length).toBe(calls);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', message: { status: 'complete' } });
    const text = parts.flatMap((p) => (p.type === 'text-delta' ? [p.delta] : [])).join('');
    expect(text).toMatch(/rest/);
  });

  it('answers with a cheaper model past a soft limit, then refuses at the limit', async () => {
    await h.close();
    const { OpenAIChatModel } = await import('../src/providers/openai/openai-chat-model.js');
    const { startOpenAIWireServer } = await import('../src/testing/openai-wire-server.js');
    const upstream = await startOpenAIWireServer();
    const model = (id: string) => new OpenAIChatModel({ apiKey: 'sk-test', baseURL: upstream.baseURL, model: id });
    h = await startHarness({ model: model('gpt-4o'), models: (id) => (id === 'gpt-4o-mini' ? model(id) : undefined) });
    onTestFinished(() => upstream.close());
    await new QuotaService(h.server.db).create({
      tenantId: 'tnt_demo',
      scope: 'visitor',
      metric: 'messages',
      period: 'day',
      limit: 4,
      softLimitPercent: 50,
      softLimitModel: 'gpt-4o-mini',
    });
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const models: string[] = [];
    for (let i = 0; i < 4; i++) {
      await collectParts(
        await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: `m${i}` }, token }),
      );
      models.push(upstream.requests.at(-1)!.model);
    }
    // Messages 1-2 are under half the budget; from the 2nd counted use on, the cheaper model answers.
    expect(models).toEqual(['gpt-4o', 'gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini']);
    const refused = await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'm4' }, token });
    expect(refused.status).toBe(429);
  });
});
