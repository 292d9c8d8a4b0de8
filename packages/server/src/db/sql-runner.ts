import type { Client, Row } from '@libsql/client';

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** One result row by column name. Integers arrive as numbers (ours are counters and ms timestamps). */
export type SqlRow = Readonly<Record<string, string | number | bigint | null | ArrayBuffer | Uint8Array>>;

/** One statement of a `SqlRunner.write`. */
export interface SqlStep {
  sql: string;
  args: readonly SqlValue[];
}

/**
 * Runs the message path's SQL. On a local file every distinct statement is prepared once per
 * connection and run in-process (`LocalClient`); on a libSQL server (several instances) each call
 * goes through `@libsql/client`. Get one with `sqlRunner(db.$client)`.
 */
export interface SqlRunner {
  /** The rows of a SELECT, or of a write with RETURNING. */
  all(sql: string, args?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** A write without RETURNING; how many rows it changed. */
  run(sql: string, args?: readonly SqlValue[]): Promise<number>;
  /** The steps in one write transaction, all or nothing; each step's rows (empty without RETURNING). */
  write(steps: readonly SqlStep[]): Promise<SqlRow[][]>;
}

/** Provides its own runner (`LocalClient` does: statements prepared once, no round trips). */
export interface HasSqlRunner {
  readonly sql: SqlRunner;
}

function hasSqlRunner(client: Client): client is Client & HasSqlRunner {
  return 'sql' in client && typeof (client as Partial<HasSqlRunner>).sql === 'object';
}

/** `@libsql/client` for remote databases: one request per call, a batch per write. */
class ClientSqlRunner implements SqlRunner {
  constructor(private readonly client: Client) {}

  async all(sql: string, args: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return toRows((await this.client.execute({ sql, args: [...args] })).rows);
  }

  async run(sql: string, args: readonly SqlValue[] = []): Promise<number> {
    return (await this.client.execute({ sql, args: [...args] })).rowsAffected;
  }

  async write(steps: readonly SqlStep[]): Promise<SqlRow[][]> {
    const results = await this.client.batch(
      steps.map((step) => ({ sql: step.sql, args: [...step.args] })),
      'write',
    );
    return results.map((result) => toRows(result.rows));
  }
}

// A libSQL `Row` also answers by column name, which is all a `SqlRow` promises.
const toRows = (rows: Row[]) => rows as unknown as SqlRow[];

const runners = new WeakMap<Client, SqlRunner>();

/** The SQL runner for a client: its own when it has one (local files), else one over `execute`/`batch`. */
export function sqlRunner(client: Client): SqlRunner {
  if (hasSqlRunner(client)) return client.sql;
  let runner = runners.get(client);
  if (!runner) runners.set(client, (runner = new ClientSqlRunner(client)));
  return runner;
}
