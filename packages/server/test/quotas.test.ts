import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.js';
import { seedDemo } from '../src/db/seed.js';
import { QuotaService } from '../src/quotas/quota-service.js';

let db: Database;
let url: string;
const who = { tenantId: 'tnt_demo', avatarId: 'avt_demo', visitorId: 'vis_a' };

beforeEach(async () => {
  url = `file:${join(mkdtempSync(join(tmpdir(), 'vibhava-quota-')), 'q.db')}`;
  db = await openDatabase({ url });
  await seedDemo(db, []);
});

function runWorker(count: number, visitorId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'fixtures/admit-worker.ts'),
        url,
        String(count),
        who.tenantId,
        who.avatarId,
        visitorId,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve((JSON.parse(out) as { admitted: number }).admitted)
        : reject(new Error(`worker exited ${code}`)),
    );
  });
}

describe('quotas', () => {
  it('admits exactly the limit of parallel messages at the boundary', async () => {
    const service = new QuotaService(db);
    await service.create({ tenantId: who.tenantId, scope: 'visitor', metric: 'messages', period: 'day', limit: 7 });
    const results = await Promise.all(Array.from({ length: 30 }, () => service.admitMessage(who)));
    expect(results.filter((r) => r.admitted)).toHaveLength(7);
    const refused = results.find((r) => !r.admitted);
    expect(refused).toMatchObject({ admitted: false, used: 7 });
    // Another visitor has their own allowance.
    expect(await service.admitMessage({ ...who, visitorId: 'vis_b' })).toEqual({ admitted: true });
  });

  it('admits exactly the limit across two processes sharing the database', async () => {
    const service = new QuotaService(db);
    await service.create({ tenantId: who.tenantId, scope: 'tenant', metric: 'messages', period: 'day', limit: 25 });
    const [a, b] = await Promise.all([runWorker(20, 'vis_x'), runWorker(20, 'vis_y')]);
    expect(a + b).toBe(25);
    expect((await service.usage(who))[0]?.used).toBe(25);
  });

  it('refuses without counting when any quota is used up, and resets in the next period', async () => {
    let now = new Date('2026-11-24T10:00:00Z');
    const service = new QuotaService(db, () => now);
    await service.create({ tenantId: who.tenantId, scope: 'visitor', metric: 'messages', period: 'day', limit: 100 });
    const tokens = await service.create({
      tenantId: who.tenantId,
      scope: 'avatar',
      metric: 'tokens',
      period: 'month',
      limit: 1000,
    });
    expect((await service.admitMessage(who)).admitted).toBe(true);
    await service.record(who, { tokens: 1000, costMicroUsd: 0 });
    const refused = await service.admitMessage(who);
    expect(refused).toMatchObject({
      admitted: false,
      quota: { id: tokens.id },
      used: 1000,
      resetsAt: new Date('2026-12-01T00:00:00Z'),
    });
    // The refused message was not counted against the daily quota.
    expect((await service.usage(who)).find((u) => u.quota.metric === 'messages')?.used).toBe(1);
    now = new Date('2026-12-01T00:00:01Z');
    expect((await service.admitMessage(who)).admitted).toBe(true);
  });

  it('resets daily quotas at midnight in the tenant’s time zone', async () => {
    await db.$client.execute("UPDATE tenants SET time_zone = 'Asia/Tokyo' WHERE id = 'tnt_demo'");
    let now = new Date('2026-11-24T14:59:00Z'); // 23:59 in Tokyo
    const service = new QuotaService(db, () => now);
    await service.create({ tenantId: who.tenantId, scope: 'visitor', metric: 'messages', period: 'day', limit: 1 });
    expect((await service.admitMessage(who)).admitted).toBe(true);
    expect(await service.admitMessage(who)).toMatchObject({
      admitted: false,
      resetsAt: new Date('2026-11-24T15:00:00Z'),
    });
    now = new Date('2026-11-24T15:00:30Z'); // 00:00:30 the next day in Tokyo
    expect((await service.admitMessage(who)).admitted).toBe(true);
  });
});
