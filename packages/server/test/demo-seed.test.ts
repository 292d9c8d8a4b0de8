import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KnowledgeCommands } from '../src/cli/knowledge-command.js';
import { openDatabase } from '../src/db/database.js';
import { DEMO_AVATAR_ID, DEMO_TENANT_ID, seedDemo } from '../src/db/seed.js';
import { parseKnowledgeFile } from '../src/knowledge/knowledge-file.js';
import { startHarness } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'vibhava-demo-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PAGE_FACTS = parseKnowledgeFile(
  readFileSync(resolve(import.meta.dirname, '../../../examples/script-tag/knowledge.md'), 'utf8'),
);
const DEMO = { tenant: DEMO_TENANT_ID, avatar: DEMO_AVATAR_ID };

/** The demo avatar's knowledge as `vibhava knowledge list` reads it, from the server's database file. */
async function demoKnowledge(dataDir: string, clear = false): Promise<string[]> {
  const db = await openDatabase({ url: `file:${join(dataDir, 'vibhava.db')}` });
  try {
    const knowledge = new KnowledgeCommands(db, null);
    if (clear) await knowledge.clear(DEMO);
    return (await knowledge.list(DEMO)).map((entry) => entry.text);
  } finally {
    db.$client.close();
  }
}

describe('the demo tenant', () => {
  it('is new on the first start only', async () => {
    const db = await openDatabase({ url: `file:${join(dir, 'vibhava.db')}` });
    const first = await seedDemo(db, ['http://localhost:8787']);
    const second = await seedDemo(db, ['http://localhost:8787', 'https://shop.example']);
    db.$client.close();
    expect(first.fresh).toBe(true);
    expect(second).toMatchObject({ fresh: false, tenantId: first.tenantId, avatarId: first.avatarId });
  });

  it('knows its page’s facts after the first start, and knowledge a developer cleared stays cleared', async () => {
    const first = await startHarness();
    const { dataDir } = first;
    await first.server.close();
    await first.upstream.close();
    expect(PAGE_FACTS.length).toBeGreaterThan(10);
    expect((await demoKnowledge(dataDir)).sort()).toEqual([...PAGE_FACTS].sort());

    expect(await demoKnowledge(dataDir, true)).toEqual([]);
    const again = await startHarness({ dataDir });
    try {
      expect(await demoKnowledge(dataDir)).toEqual([]);
    } finally {
      await again.close();
    }
  });
});
