import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { LocalClient } from './local-client.js';
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

/** The path of a `file:` URL (`file:/abs`, `file:///abs`, `file:relative`, `file::memory:`). */
function filePath(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url.replace(/\?.*$/, '')) : url.slice('file:'.length);
  return path.replace(/\?.*$/, '');
}

/**
 * Opens the database and brings its schema up to date (migrations are idempotent). A database
 * file is opened with `LocalClient` (statements prepared once, WAL, busy timeout); a libSQL
 * server (`libsql://`, `http(s)://`, `ws(s)://`: several instances) and an in-memory database
 * with `@libsql/client`.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  let client: Client;
  const path = options.url.startsWith('file:') ? filePath(options.url) : undefined;
  if (path !== undefined && !path.includes(':memory:')) {
    mkdirSync(dirname(path), { recursive: true });
    client = new LocalClient({ path });
  } else {
    client = createClient({ url: options.url, ...(options.authToken ? { authToken: options.authToken } : {}) });
    await client.execute('PRAGMA foreign_keys = ON');
  }
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder });
  return db;
}
