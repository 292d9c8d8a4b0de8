import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import * as schema from './schema.js';

export type Database = LibSQLDatabase<typeof schema> & { $client: Client };

export interface OpenDatabaseOptions {
  /** `file:/path/to.db`, `libsql://…`, `http(s)://…`. */
  url: string;
  authToken?: string;
}

/** The committed drizzle-kit migrations at the package root (this file runs from `dist/` or `src/db/`). */
const here = dirname(fileURLToPath(import.meta.url));
const migrationsFolder =
  [resolve(here, '../drizzle'), resolve(here, '../../drizzle')].find((dir) =>
    existsSync(resolve(dir, 'meta/_journal.json')),
  ) ?? resolve(here, '../drizzle');

/** Opens the database and brings its schema up to date (migrations are idempotent). */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url.startsWith('file:')) {
    mkdirSync(dirname(options.url.slice('file:'.length)), { recursive: true });
  }
  const client = createClient({ url: options.url, ...(options.authToken ? { authToken: options.authToken } : {}) });
  if (options.url.startsWith('file:')) {
    // WAL lets readers proceed while a reply is being written; the timeout rides out brief locks
    // from a second process on the same file.
    await client.execute('PRAGMA journal_mode = WAL');
    // In WAL mode NORMAL is safe from corruption and skips an fsync per commit (a power cut can
    // lose the last few commits, never the database).
    await client.execute('PRAGMA synchronous = NORMAL');
    await client.execute('PRAGMA busy_timeout = 5000');
  }
  await client.execute('PRAGMA foreign_keys = ON');
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder });
  return db;
}
