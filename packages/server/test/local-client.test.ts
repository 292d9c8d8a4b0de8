import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibsqlError } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { LocalClient } from '../src/db/local-client.js';
import { tenants } from '../src/db/schema.js';

const path = join(mkdtempSync(join(tmpdir(), 'vibhava-local-')), 'local.db');
const client = new LocalClient({ path });
afterAll(() => client.close());

// What drizzle and our code rely on from a `@libsql/client` Client, on a real file.
describe('LocalClient as a @libsql/client Client', () => {
  it('executes with positional and named arguments and returns rows by index and by name', async () => {
    await client.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB, at INTEGER, flag INTEGER)');
    const inserted = await client.execute({
      sql: 'INSERT INTO t (name, data, at, flag) VALUES (?, ?, ?, ?)',
      args: ['one', new Uint8Array([1, 2, 3]), new Date(1_700_000_000_000), true],
    });
    expect(inserted).toMatchObject({ rowsAffected: 1, lastInsertRowid: 1n, rows: [] });
    await client.execute({ sql: 'INSERT INTO t (name, at) VALUES (:name, $at)', args: { name: 'two', $at: 5 } });
    const result = await client.execute('SELECT id, name, data, at, flag FROM t ORDER BY id');
    expect(result.columns).toEqual(['id', 'name', 'data', 'at', 'flag']);
    const [first, second] = result.rows;
    expect(first!['name']).toBe('one');
    expect(first![1]).toBe('one');
    expect(first!.length).toBe(5);
    expect(Object.keys(first!)).toEqual(['id', 'name', 'data', 'at', 'flag']);
    expect(new Uint8Array(first!['data'] as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(first!['at']).toBe(1_700_000_000_000);
    expect(first!['flag']).toBe(1);
    expect(second).toMatchObject({ name: 'two', at: 5, data: null });
    expect(result.toJSON()).toMatchObject({
      rows: [
        [1, 'one', 'AQID', 1_700_000_000_000, 1],
        [2, 'two', null, 5, null],
      ],
    });
  });

  it('refuses integers that a number cannot hold, like @libsql/client', async () => {
    await client.execute({ sql: 'INSERT INTO t (id, name) VALUES (?, ?)', args: [2n ** 60n, 'big'] });
    await expect(client.execute("SELECT id FROM t WHERE name = 'big'")).rejects.toBeInstanceOf(RangeError);
  });

  it('runs a batch in one transaction and rolls it back on an error', async () => {
    await expect(
      client.batch(
        [
          { sql: 'INSERT INTO t (id, name) VALUES (?, ?)', args: [10, 'ten'] },
          { sql: 'INSERT INTO t (id, name) VALUES (?, ?)', args: [10, 'ten again'] },
        ],
        'write',
      ),
    ).rejects.toBeInstanceOf(LibsqlError);
    expect((await client.execute('SELECT count(*) AS n FROM t WHERE id = 10')).rows[0]!['n']).toBe(0);
    const [, count] = await client.batch([
      ['INSERT INTO t (id, name) VALUES (?, ?)', [10, 'ten']],
      'SELECT count(*) AS n FROM t WHERE id = 10',
    ]);
    expect(count!.rows[0]!['n']).toBe(1);
  });

  it('gives interactive transactions their own connection', async () => {
    const tx = await client.transaction('write');
    await tx.execute({ sql: 'INSERT INTO t (id, name) VALUES (?, ?)', args: [20, 'in tx'] });
    // Not visible outside until committed (WAL: the main connection reads the last commit).
    expect((await client.execute('SELECT count(*) AS n FROM t WHERE id = 20')).rows[0]!['n']).toBe(0);
    await tx.commit();
    expect(tx.closed).toBe(true);
    expect((await client.execute('SELECT count(*) AS n FROM t WHERE id = 20')).rows[0]!['n']).toBe(1);
    const rolledBack = await client.transaction();
    await rolledBack.execute('DELETE FROM t');
    await rolledBack.rollback();
    await expect(rolledBack.execute('SELECT 1')).rejects.toMatchObject({ code: 'TRANSACTION_CLOSED' });
    expect((await client.execute('SELECT count(*) AS n FROM t')).rows[0]!['n']).toBeGreaterThan(0);
  });

  it('maps SQLite errors to LibsqlError with their codes', async () => {
    const error = await client.execute('INSERT INTO nowhere VALUES (1)').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LibsqlError);
    expect(error).toMatchObject({ code: 'SQLITE_ERROR' });
  });

  it('reopens after close with reconnect', async () => {
    const other = new LocalClient({ path });
    other.close();
    expect(other.closed).toBe(true);
    await expect(other.execute('SELECT 1')).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
    other.reconnect();
    expect((await other.execute('SELECT 1 AS one')).rows[0]!['one']).toBe(1);
    other.close();
  });
});

describe('openDatabase on a file', () => {
  it('uses LocalClient, migrates, and serves drizzle queries', async () => {
    const db = await openDatabase({ url: `file:${join(mkdtempSync(join(tmpdir(), 'vibhava-open-')), 'x.db')}` });
    expect(db.$client).toBeInstanceOf(LocalClient);
    await db.insert(tenants).values({ id: 'tnt_x', name: 'X' });
    expect(await db.query.tenants.findFirst({ columns: { name: true } })).toEqual({ name: 'X' });
    const journal = await db.$client.execute('PRAGMA journal_mode');
    expect(journal.rows[0]![0]).toBe('wal');
    db.$client.close();
  });
});
