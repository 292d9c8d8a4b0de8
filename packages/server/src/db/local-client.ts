import { Buffer } from 'node:buffer';
import {
  LibsqlError,
  type Client,
  type InArgs,
  type InStatement,
  type InValue,
  type Replicated,
  type ResultSet,
  type Row,
  type Transaction,
  type TransactionMode,
} from '@libsql/client';
import {
  nativeSqlite,
  openNativeDatabase,
  StatementCache,
  type NativeDatabase,
  type NativeStatement,
  type NativeValue,
} from './native-sqlite.js';
import type { HasSqlRunner, SqlRow, SqlRunner, SqlStep, SqlValue } from './sql-runner.js';

export interface LocalClientOptions {
  /** The database file (or `:memory:`). */
  path: string;
  /** How long a statement waits for another connection's write lock. Default 5 s. */
  busyTimeoutMs?: number;
}

const BEGIN: Record<TransactionMode, string> = {
  write: 'BEGIN IMMEDIATE',
  read: 'BEGIN TRANSACTION READONLY',
  deferred: 'BEGIN DEFERRED',
};

/**
 * One connection's statements, prepared once each: in `@libsql/client`'s shape (raw rows, exact
 * integers) for drizzle and `execute`, and as plain row objects for the `SqlRunner`.
 */
class Connection {
  readonly clientStatements: StatementCache;
  readonly runnerStatements: StatementCache;

  constructor(readonly db: NativeDatabase) {
    this.clientStatements = new StatementCache(db, (statement) => {
      statement.safeIntegers(true);
      if (statement.reader) statement.raw(true);
    });
    this.runnerStatements = new StatementCache(db, (statement) => statement.safeIntegers(false));
  }

  /** Runs `work` between BEGIN and COMMIT, rolling back if it throws. */
  transaction<T>(mode: TransactionMode, work: () => T): T {
    this.execute(BEGIN[mode]);
    try {
      const result = work();
      this.execute('COMMIT');
      return result;
    } finally {
      if (this.db.inTransaction) this.execute('ROLLBACK');
    }
  }

  /** A statement in `@libsql/client`'s result shape. */
  execute(statement: InStatement): ResultSet {
    const sql = typeof statement === 'string' ? statement : statement.sql;
    const args = typeof statement === 'string' ? [] : toNativeArgs(statement.args);
    return this.#use(this.clientStatements, sql, (prepared) => {
      if (!prepared.reader) {
        const info = prepared.run(args);
        return resultSet([], [], [], info.changes, BigInt(info.lastInsertRowid));
      }
      const columns = prepared.columns();
      const names = columns.map((column) => column.name);
      const rows = (prepared.all(args) as unknown[][]).map((values) => toRow(values, names));
      return resultSet(
        names,
        columns.map((column) => column.type ?? ''),
        rows,
        0,
        undefined,
      );
    });
  }

  all(sql: string, args: readonly SqlValue[]): SqlRow[] {
    return this.#use(this.runnerStatements, sql, (prepared) => prepared.all(args) as SqlRow[]);
  }

  run(sql: string, args: readonly SqlValue[]): number {
    return this.#use(this.runnerStatements, sql, (prepared) => prepared.run(args).changes);
  }

  /** One step of a `SqlRunner.write`: its rows, or none when it returns none. */
  step(step: SqlStep): SqlRow[] {
    return this.#use(this.runnerStatements, step.sql, (prepared) =>
      prepared.reader ? (prepared.all(step.args) as SqlRow[]) : (prepared.run(step.args), []),
    );
  }

  /** Runs a statement from `cache`; a failed one is dropped from it and its error mapped. */
  #use<T>(cache: StatementCache, sql: string, work: (statement: NativeStatement) => T): T {
    try {
      return work(cache.get(sql));
    } catch (error) {
      cache.forget(sql);
      throw toLibsqlError(error);
    }
  }

  close(): void {
    this.clientStatements.clear();
    this.runnerStatements.clear();
    this.db.close();
  }
}

/**
 * A `@libsql/client` `Client` for a local file, on the `libsql` driver directly: the same driver
 * `@libsql/client` uses for files, plus what it lacks, a prepared-statement cache (parsing and
 * planning a statement costs more than running it). Its `sql` runner skips the row conversions
 * for the message path. Interactive transactions get a connection of their own, so they never
 * take in statements run meanwhile by other requests.
 */
export class LocalClient implements Client, HasSqlRunner {
  readonly protocol = 'file';
  readonly sql: SqlRunner;
  closed = false;
  #connection: Connection;

  constructor(private readonly options: LocalClientOptions) {
    this.#connection = this.#open();
    const connection = () => this.#live();
    this.sql = {
      all: async (sql, args = []) => connection().all(sql, args),
      run: async (sql, args = []) => connection().run(sql, args),
      write: async (steps) => {
        const live = connection();
        return live.transaction('write', () => steps.map((step) => live.step(step)));
      },
    };
  }

  #open(): Connection {
    return new Connection(openNativeDatabase(this.options.path, this.options.busyTimeoutMs ?? 5000));
  }

  #live(): Connection {
    if (this.closed) throw new LibsqlError('The client is closed', 'CLIENT_CLOSED');
    return this.#connection;
  }

  execute(statement: InStatement): Promise<ResultSet>;
  execute(sql: string, args?: InArgs): Promise<ResultSet>;
  async execute(statement: InStatement, args?: InArgs): Promise<ResultSet> {
    return this.#live().execute(typeof statement === 'string' && args ? { sql: statement, args } : statement);
  }

  async batch(
    statements: Array<InStatement | [string, InArgs?]>,
    mode: TransactionMode = 'deferred',
  ): Promise<ResultSet[]> {
    const connection = this.#live();
    return connection.transaction(mode, () =>
      statements.map((statement) =>
        connection.execute(Array.isArray(statement) ? { sql: statement[0], args: statement[1] ?? [] } : statement),
      ),
    );
  }

  async migrate(statements: InStatement[]): Promise<ResultSet[]> {
    const connection = this.#live();
    connection.db.exec('PRAGMA foreign_keys = OFF');
    try {
      return connection.transaction('deferred', () => statements.map((statement) => connection.execute(statement)));
    } finally {
      connection.db.exec('PRAGMA foreign_keys = ON');
    }
  }

  async transaction(mode: TransactionMode = 'write'): Promise<Transaction> {
    this.#live();
    const connection = this.#open();
    try {
      connection.execute(BEGIN[mode]);
    } catch (error) {
      connection.close();
      throw error;
    }
    return new LocalTransaction(connection);
  }

  async executeMultiple(sql: string): Promise<void> {
    const connection = this.#live();
    try {
      connection.db.exec(sql);
    } catch (error) {
      if (connection.db.inTransaction) connection.db.exec('ROLLBACK');
      throw toLibsqlError(error);
    }
  }

  async sync(): Promise<Replicated> {
    throw new LibsqlError('A local file has no replica to sync.', 'SYNC_NOT_SUPPORTED');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#connection.close();
  }

  reconnect(): void {
    if (!this.closed) this.#connection.close();
    this.#connection = this.#open();
    this.closed = false;
  }
}

/** An interactive transaction on its own connection, closed when the transaction ends. */
class LocalTransaction implements Transaction {
  #ended = false;

  constructor(private readonly connection: Connection) {}

  /** Ended by commit, rollback or close, or rolled back by SQLite itself after an error. */
  get closed(): boolean {
    return this.#ended || !this.connection.db.inTransaction;
  }

  async execute(statement: InStatement): Promise<ResultSet> {
    return this.#open().execute(statement);
  }

  async batch(statements: InStatement[]): Promise<ResultSet[]> {
    const connection = this.#open();
    return statements.map((statement) => connection.execute(statement));
  }

  async executeMultiple(sql: string): Promise<void> {
    try {
      this.#open().db.exec(sql);
    } catch (error) {
      throw toLibsqlError(error);
    }
  }

  async rollback(): Promise<void> {
    this.close();
  }

  async commit(): Promise<void> {
    this.#open().execute('COMMIT');
    this.close();
  }

  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      if (this.connection.db.inTransaction) this.connection.execute('ROLLBACK');
    } finally {
      this.connection.close();
    }
  }

  #open(): Connection {
    if (this.closed) throw new LibsqlError('The transaction is closed', 'TRANSACTION_CLOSED');
    return this.connection;
  }
}

function resultSet(
  columns: string[],
  columnTypes: string[],
  rows: Row[],
  rowsAffected: number,
  lastInsertRowid: bigint | undefined,
): ResultSet {
  return {
    columns,
    columnTypes,
    rows,
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({
      columns,
      columnTypes,
      rows: rows.map((row) =>
        Array.from({ length: row.length }, (_, i) => {
          const value = row[i];
          if (typeof value === 'bigint') return String(value);
          return value instanceof ArrayBuffer ? Buffer.from(value).toString('base64') : value;
        }),
      ),
      rowsAffected,
      lastInsertRowid: lastInsertRowid === undefined ? null : String(lastInsertRowid),
    }),
  };
}

/** A row as `@libsql/client` makes it: values by index (hidden) and by column name. */
function toRow(values: unknown[], names: string[]): Row {
  const row = {} as Row;
  Object.defineProperty(row, 'length', { value: values.length });
  for (let i = 0; i < values.length; i++) {
    const value = fromNative(values[i]);
    Object.defineProperty(row, i, { value });
    const name = names[i]!;
    if (!Object.hasOwn(row, name)) {
      Object.defineProperty(row, name, { value, enumerable: true, configurable: true, writable: true });
    }
  }
  return row;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function fromNative(value: unknown): Row[number] {
  if (typeof value === 'bigint') {
    if (value < MIN_SAFE || value > MAX_SAFE) {
      throw new RangeError('Received integer which cannot be safely represented as a JavaScript number');
    }
    return Number(value);
  }
  if (value instanceof Uint8Array) return new Uint8Array(value).buffer;
  return value as Row[number];
}

function toNative(value: InValue): NativeValue {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments');
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.valueOf();
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  return value;
}

function toNativeArgs(args: InArgs | undefined): NativeValue[] | Record<string, NativeValue> {
  if (args === undefined) return [];
  if (Array.isArray(args)) return args.map(toNative);
  const named: Record<string, NativeValue> = {};
  for (const [name, value] of Object.entries(args)) {
    named[name[0] === '@' || name[0] === '$' || name[0] === ':' ? name.slice(1) : name] = toNative(value);
  }
  return named;
}

function toLibsqlError(error: unknown): unknown {
  const { SqliteError } = nativeSqlite();
  if (error instanceof SqliteError) return new LibsqlError(error.message, error.code, error.rawCode, error);
  return error;
}
