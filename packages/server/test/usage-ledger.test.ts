import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { usageEvents } from '../src/db/schema.js';
import { QuotaService } from '../src/quotas/quota-service.js';
import { DEFAULT_PRICE_TABLE, costMicroUsd, priceFor } from '../src/usage/price-table.js';
import { UsageLedger } from '../src/usage/usage-ledger.js';
import { api, collectParts, newConversation, startHarness, startSession, type Harness } from './support.js';

const price = (model: string) => priceFor(DEFAULT_PRICE_TABLE, model);

describe('cost against the price table (micro-USD)', () => {
  it('prices each operation', () => {
    // chat: 800 uncached × $0.15 + 200 cached × $0.075 + 500 out × $0.60 per million tokens
    expect(costMicroUsd(price('gpt-4o-mini'), { inputTokens: 1000, cachedInputTokens: 200, outputTokens: 500 })).toBe(
      435,
    );
    // a dated snapshot is priced as its family
    expect(
      costMicroUsd(price('gpt-4o-mini-2024-07-18'), { inputTokens: 1000, cachedInputTokens: 200, outputTokens: 500 }),
    ).toBe(435);
    // transcription by audio tokens (3 $/M) + text out (5 $/M); per-minute price only without tokens
    expect(
      costMicroUsd(price('gpt-4o-mini-transcribe'), { audioInputTokens: 1000, outputTokens: 50, audioSeconds: 60 }),
    ).toBe(3250);
    expect(costMicroUsd(price('gpt-4o-mini-transcribe'), { audioSeconds: 90 })).toBe(4500);
    expect(costMicroUsd(price('whisper-1'), { audioSeconds: 90 })).toBe(9000);
    // speech: text in $0.60/M + audio out $12/M; tts-1 per million characters
    expect(costMicroUsd(price('gpt-4o-mini-tts'), { inputTokens: 100, audioOutputTokens: 1000 })).toBe(12060);
    expect(costMicroUsd(price('tts-1'), { characters: 2000 })).toBe(30000);
    // realtime / audio chat: audio in and out tokens are not free (LiteLLM #20228)
    expect(
      costMicroUsd(price('gpt-4o-mini-audio-preview'), {
        inputTokens: 100,
        audioInputTokens: 1000,
        audioOutputTokens: 1000,
      }),
    ).toBe(30015);
    // embeddings
    expect(costMicroUsd(price('text-embedding-3-small'), { inputTokens: 10_000 })).toBe(200);
    // the local model costs nothing
    expect(costMicroUsd(price('qwen2.5-coder-0.5b-instruct-q4'), { inputTokens: 10_000, outputTokens: 10_000 })).toBe(
      0,
    );
  });
});

describe('the ledger', () => {
  it('batches rows and writes them all by close()', async () => {
    const db = await openDatabase({ url: `file:${join(mkdtempSync(join(tmpdir(), 'vibhava-ledger-')), 'l.db')}` });
    const ledger = new UsageLedger(db, { flushMs: 60_000, maxBatch: 1000 });
    for (let i = 0; i < 250; i++) {
      ledger.record({
        tenantId: 't',
        provider: 'openai',
        model: 'gpt-4o-mini',
        operation: 'chat',
        inputTokens: 1000,
        outputTokens: 500,
        latencyMs: 10,
        outcome: 'ok',
      });
    }
    expect(await db.$count(usageEvents)).toBe(0);
    await ledger.close();
    expect(await db.$count(usageEvents)).toBe(250);
    const [row] = await db.select().from(usageEvents).limit(1);
    expect(row).toMatchObject({ costMicroUsd: 450, priceVersion: DEFAULT_PRICE_TABLE.version, operation: 'chat' });
  });
});

describe('the ledger over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('records one row per upstream call, successes and failures', async () => {
    const { token, visitorId } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'hello ledger' }, token }),
    );
    await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'fail:500' }, token }),
    );
    await h.server.ledger.flush();
    const rows = await h.server.db.select().from(usageEvents);
    const mine = rows.filter((r) => r.conversationId === id);
    // The failing call was tried twice (one retry): both attempts are in the ledger.
    expect(mine).toHaveLength(3);
    expect(mine[0]).toMatchObject({
      visitorId,
      avatarId: 'avt_demo',
      provider: 'openai',
      model: 'gpt-4o-mini',
      outcome: 'ok',
      outputTokens: 4,
    });
    expect(mine[0]!.costMicroUsd).toBe(
      costMicroUsd(price('gpt-4o-mini'), { inputTokens: mine[0]!.inputTokens, outputTokens: 4 }),
    );
    expect(mine[0]!.ttftMs).not.toBeNull();
    expect(mine[1]).toMatchObject({ outcome: 'error', errorCode: 'upstream_error', costMicroUsd: 0 });
    expect(mine[2]).toMatchObject({ outcome: 'error', errorCode: 'upstream_error', costMicroUsd: 0 });
  });
});

describe('calls made after a reply', () => {
  let h: Harness;
  beforeAll(async () => {
    // The hosted model draws the facts too, so extraction makes calls of its own.
    h = await startHarness({ memoryExtractor: 'llm' });
  });
  afterAll(() => h.close());

  it('records rolling summaries and memory extraction like replies: a ledger row each, and the budgets', async () => {
    const quotas = new QuotaService(h.server.db);
    await quotas.create({
      tenantId: 'tnt_demo',
      scope: 'visitor',
      metric: 'tokens',
      period: 'month',
      limit: 10_000_000,
    });
    const { token, visitorId } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    // Past 32 messages a hosted model's conversation gets a rolling summary.
    for (let turn = 1; turn <= 18; turn++) {
      await collectParts(
        await api(h.server, `/v1/conversations/${id}/messages`, {
          body: { content: `Turn ${turn}: I like the number ${turn}.` },
          token,
        }),
      );
    }
    const mine = async () => {
      await h.server.ledger.flush();
      return (await h.server.db.select().from(usageEvents)).filter((r) => r.visitorId === visitorId);
    };
    let rows = await mine();
    for (let wait = 0; wait < 100 && !rows.some((r) => r.operation === 'summary'); wait++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      rows = await mine();
    }
    const byOperation = (operation: string) => rows.filter((r) => r.operation === operation);
    expect(byOperation('chat')).toHaveLength(18);
    expect(byOperation('summary')[0]).toMatchObject({
      conversationId: id,
      avatarId: 'avt_demo',
      provider: 'openai',
      outcome: 'ok',
    });
    expect(byOperation('summary')[0]!.inputTokens).toBeGreaterThan(0);
    expect(byOperation('summary')[0]!.costMicroUsd).toBeGreaterThan(0);
    const extractions = byOperation('memory_extraction');
    expect(extractions.length).toBeGreaterThan(0);
    expect(extractions[0]).toMatchObject({ avatarId: 'avt_demo', outcome: 'ok' });
    expect(extractions[0]!.inputTokens).toBeGreaterThan(0);
    // Every recorded call counts against the visitor's token budget (once the last background
    // calls have settled, both figures stop moving and agree).
    const totals = async () => {
      const [budget] = await quotas.usage({ tenantId: 'tnt_demo', avatarId: 'avt_demo', visitorId });
      const recorded = (await mine()).reduce((sum, r) => sum + r.inputTokens + r.outputTokens, 0);
      return { budget: budget?.used, recorded };
    };
    let seen = await totals();
    for (let wait = 0; wait < 100 && seen.budget !== seen.recorded; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await totals();
    }
    expect(seen.recorded).toBeGreaterThan(0);
    expect(seen.budget).toBe(seen.recorded);
  });
});
