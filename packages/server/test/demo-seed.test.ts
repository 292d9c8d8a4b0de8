import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { seedDemo } from '../src/db/seed.js';

const dir = mkdtempSync(join(tmpdir(), 'vibhava-demo-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the demo tenant', () => {
  it('is new (and gets the demo page’s facts) on the first start only, so cleared knowledge stays cleared', async () => {
    const db = await openDatabase({ url: `file:${join(dir, 'vibhava.db')}` });
    const first = await seedDemo(db, ['http://localhost:8787']);
    const second = await seedDemo(db, ['http://localhost:8787', 'https://shop.example']);
    db.$client.close();
    expect(first.fresh).toBe(true);
    expect(second).toMatchObject({ fresh: false, tenantId: first.tenantId, avatarId: first.avatarId });
  });
});
