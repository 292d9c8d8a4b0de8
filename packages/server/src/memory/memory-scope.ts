import { createHash } from 'node:crypto';
import type { Database } from '../db/database.js';
import { sqlRunner, type SqlRow, type SqlRunner, type SqlStep, type SqlValue } from '../db/sql-runner.js';

/**
 * Whose memories: one visitor of one avatar. Tenant knowledge lives in the same table with an
 * empty visitor (one avatar's) or an empty avatar and visitor (every avatar's).
 */
export interface MemoryScope {
  tenantId: string;
  avatarId: string;
  visitorId: string;
}

/** A visitor's own memories with the avatar their token names. */
export function visitorScope(visitor: { tenantId: string; avatarId: string; visitorId: string }): MemoryScope {
  return { tenantId: visitor.tenantId, avatarId: visitor.avatarId, visitorId: visitor.visitorId };
}

/** The scopes a visitor's search reads: their own memories, the avatar's and the tenant's knowledge. */
export function readableScopes(scope: MemoryScope): MemoryScope[] {
  const scopes = [scope];
  if (scope.visitorId) scopes.push({ ...scope, visitorId: '' });
  if (scope.avatarId) scopes.push({ tenantId: scope.tenantId, avatarId: '', visitorId: '' });
  return scopes;
}

/** One FTS5 token naming the scope (alphanumeric, so the tokenizer keeps it whole). */
export function scopeKey(scope: MemoryScope): string {
  const digest = createHash('sha256').update(`${scope.tenantId}\n${scope.avatarId}\n${scope.visitorId}`).digest('hex');
  return `s${digest.slice(0, 24)}`;
}

export interface ScopeState {
  revision: number;
  epoch: number;
  paused: boolean;
  preferences: Record<string, unknown> | null;
}

function toState(row: SqlRow): ScopeState {
  return {
    revision: Number(row['revision']),
    epoch: Number(row['epoch']),
    paused: Boolean(row['paused']),
    preferences: row['preferences'] ? (JSON.parse(String(row['preferences'])) as Record<string, unknown>) : null,
  };
}

export const scopeWhere = `tenant_id = ? AND avatar_id = ? AND visitor_id = ?`;
export const scopeArgs = (scope: MemoryScope): SqlValue[] => [scope.tenantId, scope.avatarId, scope.visitorId];

/** Bumps the scope's revision (creating its row) and returns it; `erase` also bumps the epoch. */
export function bumpScope(scope: MemoryScope, erase = false): SqlStep {
  return {
    sql: `INSERT INTO memory_scopes (tenant_id, avatar_id, visitor_id, revision, epoch) VALUES (?, ?, ?, 1, ?)
          ON CONFLICT (tenant_id, avatar_id, visitor_id) DO UPDATE SET revision = revision + 1, epoch = epoch + ?
          RETURNING revision`,
    args: [...scopeArgs(scope), erase ? 1 : 0, erase ? 1 : 0],
  };
}

/**
 * One row per memory scope (`memory_scopes`): the revision every write bumps in its transaction
 * (in-process caches catch up from it), the epoch erasures bump, the visitor's pause switch and
 * preference profile, and the profile's change log.
 */
export class ScopeStore {
  protected readonly sql: SqlRunner;

  constructor(db: Database) {
    this.sql = sqlRunner(db.$client);
  }

  async state(scope: MemoryScope): Promise<ScopeState> {
    const [row] = await this.sql.all(
      `SELECT revision, epoch, paused, preferences FROM memory_scopes WHERE ${scopeWhere}`,
      scopeArgs(scope),
    );
    if (!row) return { revision: 0, epoch: 0, paused: false, preferences: null };
    return toState(row);
  }

  /** The states of several scopes in one read, in their order. */
  async states(scopes: readonly MemoryScope[]): Promise<ScopeState[]> {
    if (scopes.length === 0) return [];
    if (scopes.length === 1) return [await this.state(scopes[0]!)];
    const rows = await this.sql.all(
      `SELECT tenant_id, avatar_id, visitor_id, revision, epoch, paused, preferences FROM memory_scopes
       WHERE ${scopes.map(() => `(${scopeWhere})`).join(' OR ')}`,
      scopes.flatMap(scopeArgs),
    );
    const found = new Map(
      rows.map((row) => [
        `${String(row['tenant_id'])}\n${String(row['avatar_id'])}\n${String(row['visitor_id'])}`,
        row,
      ]),
    );
    return scopes.map((scope) => {
      const row = found.get(`${scope.tenantId}\n${scope.avatarId}\n${scope.visitorId}`);
      return row ? toState(row) : { revision: 0, epoch: 0, paused: false, preferences: null };
    });
  }

  async setPaused(scope: MemoryScope, paused: boolean): Promise<void> {
    await this.sql.write([
      bumpScope(scope),
      { sql: `UPDATE memory_scopes SET paused = ? WHERE ${scopeWhere}`, args: [paused ? 1 : 0, ...scopeArgs(scope)] },
    ]);
  }

  async savePreferences(
    scope: MemoryScope,
    preferences: Record<string, unknown>,
    changes: ReadonlyArray<{
      field: string;
      before: unknown;
      after: unknown;
      source: string;
      reason: string | null;
      messageId?: string | null;
    }>,
  ): Promise<void> {
    const now = Date.now();
    await this.sql.write([
      bumpScope(scope),
      {
        sql: `UPDATE memory_scopes SET preferences = ?, preferences_updated_at = ? WHERE ${scopeWhere}`,
        args: [JSON.stringify(preferences), now, ...scopeArgs(scope)],
      },
      ...changes.map((change) => ({
        sql: `INSERT INTO preference_changes (tenant_id, avatar_id, visitor_id, field, before, after, source, reason, message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [
          ...scopeArgs(scope),
          change.field,
          JSON.stringify(change.before ?? null),
          JSON.stringify(change.after ?? null),
          change.source,
          change.reason,
          change.messageId ?? null,
          now,
        ],
      })),
    ]);
  }

  async preferenceHistory(scope: MemoryScope, limit = 100): Promise<SqlRow[]> {
    return this.sql.all(
      `SELECT field, before, after, source, reason, created_at FROM preference_changes WHERE ${scopeWhere} ORDER BY seq DESC LIMIT ?`,
      [...scopeArgs(scope), limit],
    );
  }
}
