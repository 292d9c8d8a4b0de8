import { createRequire } from 'node:module';

/** A value the driver binds to a placeholder. */
export type NativeValue = string | number | bigint | null | Uint8Array;

/** The parts of a `libsql` prepared statement (better-sqlite3's API) that the server uses. */
export interface NativeStatement {
  /** Whether the statement returns rows (a SELECT, or a write with RETURNING). */
  readonly reader: boolean;
  all(args: readonly NativeValue[] | Readonly<Record<string, NativeValue>>): unknown[];
  run(args: readonly NativeValue[] | Readonly<Record<string, NativeValue>>): {
    changes: number;
    lastInsertRowid: number | bigint;
  };
  raw(on?: boolean): NativeStatement;
  safeIntegers(on?: boolean): NativeStatement;
  columns(): Array<{ name: string; type: string | null }>;
}

/** The parts of a `libsql` connection that the server uses. */
export interface NativeDatabase {
  readonly inTransaction: boolean;
  prepare(sql: string): NativeStatement;
  exec(sql: string): void;
  close(): void;
}

interface NativeModule {
  new (path: string): NativeDatabase;
  SqliteError: abstract new (...args: never[]) => Error & { code: string; rawCode?: number };
}

let loaded: NativeModule | undefined;

/**
 * The `libsql` driver that `@libsql/client` itself uses for local files. It is loaded through
 * `@libsql/client` (whose dependency it is) unless it is installed beside the server.
 */
export function nativeSqlite(): NativeModule {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  try {
    loaded = require('libsql') as NativeModule;
  } catch {
    loaded = createRequire(require.resolve('@libsql/client'))('libsql') as NativeModule;
  }
  return loaded;
}

/**
 * Opens one connection to a local database file and sets it up the same way every time: WAL (so
 * readers never wait for the writer), `synchronous = NORMAL` (safe in WAL, one fsync fewer per
 * commit), a busy timeout that rides out another connection's write lock, foreign keys on.
 */
export function openNativeDatabase(path: string, busyTimeoutMs: number): NativeDatabase {
  const Database = nativeSqlite();
  const db = new Database(path);
  if (path !== ':memory:' && !path.startsWith('file::memory:')) {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
  }
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  db.exec('PRAGMA foreign_keys = ON');
  return db;
}

/**
 * Prepared statements of one connection, by SQL text: SQLite parses and plans each distinct
 * statement once. Bounded: past `capacity` the least recently prepared one is dropped. A
 * statement that failed is dropped too, so the next use starts from a fresh one. Run cached
 * statements with `all()` and `run()` only: in libsql 0.5.29, `get()` on a statement that
 * `all()` ran before answers with a stale row (and a write with RETURNING may not run).
 */
export class StatementCache {
  readonly #statements = new Map<string, NativeStatement>();

  constructor(
    private readonly db: NativeDatabase,
    private readonly setUp: (statement: NativeStatement) => void,
    private readonly capacity = 256,
  ) {}

  get(sql: string): NativeStatement {
    let statement = this.#statements.get(sql);
    if (statement) return statement;
    statement = this.db.prepare(sql);
    this.setUp(statement);
    if (this.#statements.size >= this.capacity) {
      this.#statements.delete(this.#statements.keys().next().value!);
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  forget(sql: string): void {
    this.#statements.delete(sql);
  }

  clear(): void {
    this.#statements.clear();
  }
}
