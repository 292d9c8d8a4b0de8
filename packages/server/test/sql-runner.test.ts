import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalClient } from '../src/db/local-client.js';
import { sqlRunner } from '../src/db/sql-runner.js';

// One contract, every runner: the local one (statements prepared once on the `libsql` driver)
// and the one over `@libsql/client` that remote databases use, both on real database files.
const clients: Array<[string, (path: string) => Client]> = [
  ['LocalClient', (path) => new LocalClient({ path })],
  ['@libsql/client', (path) => createClient({ url: `file:${path}` })],
];

describe.each(clients)('SqlRunner contract: %s', (_name, open) => {
  const client = open(join(mkdtempSync(join(tmpdir(), 'vibhava-sql-')), 'runner.db'));
  const sql = sqlRunner(client);
  afterAll(() => client.close());

  it('runs writes and reads with positional and numbered placeholders, many times over', async () => {
    await client.execute('CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER NOT NULL, note TEXT)');
    for (let i = 0; i < 50; i++) {
      expect(
        await sql.run('INSERT INTO items (id, n, note) VALUES (?, ?, ?)', [`i${i}`, i, i % 2 ? null : 'even']),
      ).toBe(1);
    }
    const rows = await sql.all('SELECT id, n, note FROM items WHERE n >= ?1 AND n < ?1 + ?2 ORDER BY n', [10, 3]);
    expect(rows).toEqual([
      { id: 'i10', n: 10, note: 'even' },
      { id: 'i11', n: 11, note: null },
      { id: 'i12', n: 12, note: 'even' },
    ]);
    // The same statement with other arguments: a cached statement starts afresh each time.
    for (const id of ['i3', 'i7', 'i3']) {
      expect(await sql.all('SELECT n FROM items WHERE id = ?', [id])).toEqual([{ n: Number(id.slice(1)) }]);
    }
    expect(await sql.all('SELECT n FROM items WHERE id = ?', ['missing'])).toEqual([]);
    expect(await sql.run('UPDATE items SET n = n + 100 WHERE n < ?', [5])).toBe(5);
  });

  it('returns the rows of a write with RETURNING', async () => {
    const upsert = `INSERT INTO items (id, n) VALUES (?, 1) ON CONFLICT (id) DO UPDATE SET n = n + 1 RETURNING n`;
    expect(await sql.all(upsert, ['counter'])).toEqual([{ n: 1 }]);
    expect(await sql.all(upsert, ['counter'])).toEqual([{ n: 2 }]);
    expect(await sql.all('UPDATE items SET n = 0 WHERE id = ? RETURNING id', ['nobody'])).toEqual([]);
  });

  it('writes all the steps of a write, or none of them', async () => {
    const results = await sql.write([
      { sql: 'INSERT INTO items (id, n) VALUES (?, ?)', args: ['w1', 1] },
      { sql: 'INSERT INTO items (id, n) VALUES (?, ?) RETURNING id', args: ['w2', 2] },
    ]);
    expect(results).toEqual([[], [{ id: 'w2' }]]);
    await expect(
      sql.write([
        { sql: 'INSERT INTO items (id, n) VALUES (?, ?)', args: ['w3', 3] },
        { sql: 'INSERT INTO items (id, n) VALUES (?, ?)', args: ['w1', 4] }, // duplicate key
      ]),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_CONSTRAINT/) });
    expect(await sql.all('SELECT id FROM items WHERE id IN (?, ?, ?) ORDER BY id', ['w1', 'w2', 'w3'])).toEqual([
      { id: 'w1' },
      { id: 'w2' },
    ]);
    // The failed statement does not poison the next use of the same SQL.
    expect(await sql.write([{ sql: 'INSERT INTO items (id, n) VALUES (?, ?)', args: ['w3', 3] }])).toEqual([[]]);
  });

  it('reports SQL errors with SQLite codes', async () => {
    await expect(sql.all('SELECT nope FROM items')).rejects.toMatchObject({ code: 'SQLITE_ERROR' });
    await expect(sql.run('INSERT INTO items (id, n) VALUES (?, NULL)', ['x'])).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_NOTNULL',
    });
  });
});
