import type { Memory, MemoryCategory, MemoryChange, MemoryKind } from '@vibhava/protocol';
import type { SqlRow, SqlStep } from '../db/sql-runner.js';
import { newId } from '../ids.js';
import { bumpScope, scopeArgs, scopeKey, scopeWhere, ScopeStore, type MemoryScope } from './memory-scope.js';
import { blobToVector, vectorToBlob } from './vector-index.js';

export { readableScopes, scopeKey, visitorScope, type MemoryScope, type ScopeState } from './memory-scope.js';

export interface StoredMemory extends Memory {
  /** What keyword and vector search match on. */
  searchText: string;
  /** When what it says happened (ISO 8601). */
  occurredAt: string;
  status: 'active' | 'deleted';
}

export interface NewMemory {
  kind: MemoryKind;
  category: MemoryCategory;
  text: string;
  searchText: string;
  importance: number;
  sourceMessageIds: string[];
  occurredAt: Date;
  embedding: Float32Array | null;
  embeddingModel: string | null;
}

export interface ChangeNote {
  actor: MemoryChange['actor'];
  reason?: string | null;
  sourceMessageIds?: string[];
}

/** What a search returns of a memory (kept in process per scope by the search cache). */
export interface MemoryEntry {
  id: string;
  kind: MemoryKind;
  category: MemoryCategory;
  text: string;
  importance: number;
  sourceMessageIds: string[];
  /** ISO 8601. */
  occurredAt: string;
}

/** A changed row for the in-process search cache (vectors, keywords and the memory itself). */
export interface VectorRow {
  id: string;
  revision: number;
  active: boolean;
  embedding: Float32Array | null;
  /** What keyword search matches on (empty for a deleted row). */
  searchText: string;
  /** The memory as search returns it; null for a deleted row. */
  memory: MemoryEntry | null;
}

export interface KeywordHit {
  id: string;
  /** FTS5 bm25: smaller is better. */
  bm25: number;
}

const COLUMNS = `id, kind, category, text, importance, source_message_ids, avatar_id, visitor_id, search_text, status, occurred_at, created_at, updated_at`;

function toMemory(row: SqlRow): StoredMemory {
  return {
    id: String(row['id']),
    kind: row['kind'] as MemoryKind,
    category: row['category'] as MemoryCategory,
    text: String(row['text']),
    importance: Number(row['importance']),
    sourceMessageIds: JSON.parse(String(row['source_message_ids'])) as string[],
    scope: row['visitor_id'] ? 'visitor' : 'tenant',
    searchText: String(row['search_text']),
    status: row['status'] as 'active' | 'deleted',
    occurredAt: new Date(Number(row['occurred_at'])).toISOString(),
    createdAt: new Date(Number(row['created_at'])).toISOString(),
    updatedAt: new Date(Number(row['updated_at'])).toISOString(),
  };
}

function historyStep(
  memoryId: string,
  event: MemoryChange['event'],
  before: string | null,
  after: string | null,
  note: ChangeNote,
  /** Written only if the memory is then active with this text (the write before it happened). */
  onlyIfText?: string,
): SqlStep {
  const values = `SELECT ?, ?, ?, ?, ?, ?, ?, ?`;
  return {
    sql: `INSERT INTO memory_history (memory_id, event, before, after, actor, reason, source_message_ids, created_at) ${values}${
      onlyIfText === undefined
        ? ''
        : ` WHERE EXISTS (SELECT 1 FROM memories WHERE id = ? AND status = 'active' AND text = ?)`
    }`,
    args: [
      memoryId,
      event,
      before,
      after,
      note.actor,
      note.reason ?? null,
      JSON.stringify(note.sourceMessageIds ?? []),
      Date.now(),
      ...(onlyIfText === undefined ? [] : [memoryId, onlyIfText]),
    ],
  };
}

/**
 * Memories in libSQL: rows with their `F32_BLOB` vectors, an FTS5 index kept by triggers, every
 * change in `memory_history`, and one revision per scope that each write bumps in the same
 * transaction (several server instances' caches stay right by reading it).
 */
export class MemoryStore extends ScopeStore {
  async insert(scope: MemoryScope, memory: NewMemory, note: ChangeNote): Promise<StoredMemory> {
    const id = newId('mem');
    const now = Date.now();
    const [bump, rows] = await this.sql.write([
      bumpScope(scope),
      {
        sql: `INSERT INTO memories (id, tenant_id, avatar_id, visitor_id, scope_key, revision, kind, category, text, importance, source_message_ids, search_text, embedding, embedding_model, status, occurred_at, created_at, updated_at)
              VALUES (?, ?, ?, ?, ?, (SELECT revision FROM memory_scopes WHERE ${scopeWhere}), ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)
              RETURNING ${COLUMNS}`,
        args: [
          id,
          ...scopeArgs(scope),
          scopeKey(scope),
          ...scopeArgs(scope),
          memory.kind,
          memory.category,
          memory.text,
          clamp01(memory.importance),
          JSON.stringify(memory.sourceMessageIds),
          memory.searchText,
          memory.embedding ? vectorToBlob(memory.embedding) : null,
          memory.embeddingModel,
          memory.occurredAt.getTime(),
          now,
          now,
        ],
      },
      historyStep(id, 'add', null, memory.text, {
        ...note,
        sourceMessageIds: note.sourceMessageIds ?? memory.sourceMessageIds,
      }),
    ]);
    void bump;
    return toMemory(rows![0]!);
  }

  /**
   * Rewrites an active memory; the old text stays in its history. `sourceMessageIds` are added to
   * the memory's own; `ownSources` replaces them (a memory the visitor rewrote stands for what they
   * say now, not for those messages, which its history keeps). Null when there is no such memory.
   */
  async update(
    scope: MemoryScope,
    id: string,
    patch: Pick<NewMemory, 'text' | 'searchText' | 'embedding' | 'embeddingModel'> &
      Partial<Pick<NewMemory, 'category' | 'importance' | 'sourceMessageIds'>> & { ownSources?: readonly string[] },
    note: ChangeNote,
  ): Promise<StoredMemory | null> {
    const current = await this.get(scope, id);
    if (!current) return null;
    const sources = patch.ownSources
      ? [...patch.ownSources]
      : patch.sourceMessageIds
        ? [...new Set([...current.sourceMessageIds, ...patch.sourceMessageIds])]
        : current.sourceMessageIds;
    const [, rows] = await this.sql.write([
      bumpScope(scope),
      {
        sql: `UPDATE memories SET text = ?, search_text = ?, embedding = ?, embedding_model = ?, category = ?, importance = ?, source_message_ids = ?, updated_at = ?,
                revision = (SELECT revision FROM memory_scopes WHERE ${scopeWhere})
              WHERE id = ? AND ${scopeWhere} AND status = 'active' RETURNING ${COLUMNS}`,
        args: [
          patch.text,
          patch.searchText,
          patch.embedding ? vectorToBlob(patch.embedding) : null,
          patch.embeddingModel,
          patch.category ?? current.category,
          clamp01(patch.importance ?? current.importance),
          JSON.stringify(sources),
          Date.now(),
          ...scopeArgs(scope),
          id,
          ...scopeArgs(scope),
        ],
      },
      historyStep(
        id,
        'update',
        current.text,
        patch.text,
        { ...note, sourceMessageIds: note.sourceMessageIds ?? [] },
        patch.text,
      ),
    ]);
    const row = rows?.[0];
    return row ? toMemory(row) : null;
  }

  /** Marks a memory deleted (the extractor's decision): gone from search, kept in its history. */
  async retire(scope: MemoryScope, id: string, note: ChangeNote): Promise<boolean> {
    const current = await this.get(scope, id);
    if (!current) return false;
    await this.sql.write([
      bumpScope(scope),
      {
        sql: `UPDATE memories SET status = 'deleted', updated_at = ?, revision = (SELECT revision FROM memory_scopes WHERE ${scopeWhere})
              WHERE id = ? AND ${scopeWhere}`,
        args: [Date.now(), ...scopeArgs(scope), id, ...scopeArgs(scope)],
      },
      historyStep(id, 'delete', current.text, null, note),
    ]);
    return true;
  }

  /**
   * Retires the episodes that quote any of these messages, and the facts drawn only from them.
   */
  async retireBySource(scope: MemoryScope, messageIds: readonly string[], note: ChangeNote): Promise<number> {
    if (messageIds.length === 0) return 0;
    const rows = await this.sql.all(
      `SELECT id, kind, source_message_ids FROM memories WHERE ${scopeWhere} AND status = 'active'
       AND EXISTS (SELECT 1 FROM json_each(source_message_ids) WHERE value IN (${messageIds.map(() => '?').join(', ')}))`,
      [...scopeArgs(scope), ...messageIds],
    );
    const gone = new Set(messageIds);
    let retired = 0;
    for (const row of rows) {
      const sources = JSON.parse(String(row['source_message_ids'])) as string[];
      const stale = row['kind'] === 'episode' || sources.every((id) => gone.has(id));
      if (stale && (await this.retire(scope, String(row['id']), note))) retired++;
    }
    return retired;
  }

  /**
   * Moves an anonymous visitor's memories (for every avatar) to the visitor they signed in as,
   * with their pause switch and preferences where the signed-in visitor has none yet.
   */
  async moveVisitor(tenantId: string, from: string, to: string): Promise<number> {
    const avatars = await this.sql.all(
      `SELECT DISTINCT avatar_id FROM memories WHERE tenant_id = ? AND visitor_id = ?
       UNION SELECT avatar_id FROM memory_scopes WHERE tenant_id = ? AND visitor_id = ?`,
      [tenantId, from, tenantId, from],
    );
    let moved = 0;
    for (const row of avatars) {
      const avatarId = String(row['avatar_id']);
      const source = { tenantId, avatarId, visitorId: from };
      const target = { tenantId, avatarId, visitorId: to };
      const [, , , rows] = await this.sql.write([
        bumpScope(source, true),
        bumpScope(target, true),
        {
          sql: `UPDATE memory_scopes SET preferences = (SELECT preferences FROM memory_scopes WHERE ${scopeWhere}),
                  paused = (SELECT paused FROM memory_scopes WHERE ${scopeWhere})
                WHERE ${scopeWhere} AND preferences IS NULL`,
          args: [...scopeArgs(source), ...scopeArgs(source), ...scopeArgs(target)],
        },
        {
          sql: `UPDATE memories SET visitor_id = ?, scope_key = ?, revision = (SELECT revision FROM memory_scopes WHERE ${scopeWhere})
                WHERE ${scopeWhere} RETURNING id`,
          args: [to, scopeKey(target), ...scopeArgs(target), ...scopeArgs(source)],
        },
        {
          sql: `UPDATE preference_changes SET visitor_id = ? WHERE ${scopeWhere}`,
          args: [to, ...scopeArgs(source)],
        },
      ]);
      moved += rows?.length ?? 0;
    }
    return moved;
  }

  /** Erases a memory and its history for good (the visitor deleted it). */
  async erase(scope: MemoryScope, id: string): Promise<boolean> {
    const [, deleted] = await this.sql.write([
      bumpScope(scope, true),
      { sql: `DELETE FROM memories WHERE id = ? AND ${scopeWhere} RETURNING id`, args: [id, ...scopeArgs(scope)] },
    ]);
    return (deleted?.length ?? 0) > 0;
  }

  /** Erases every memory of the scope, with their histories. */
  async eraseAll(scope: MemoryScope): Promise<number> {
    const [, deleted] = await this.sql.write([
      bumpScope(scope, true),
      { sql: `DELETE FROM memories WHERE ${scopeWhere} RETURNING status`, args: scopeArgs(scope) },
    ]);
    return (deleted ?? []).filter((row) => row['status'] === 'active').length;
  }

  async get(scope: MemoryScope, id: string): Promise<StoredMemory | null> {
    const [row] = await this.sql.all(
      `SELECT ${COLUMNS} FROM memories WHERE id = ? AND ${scopeWhere} AND status = 'active'`,
      [id, ...scopeArgs(scope)],
    );
    return row ? toMemory(row) : null;
  }

  /** Active memories by id, across the given scopes (for building a reply's context). */
  async byIds(scopes: readonly MemoryScope[], ids: readonly string[]): Promise<StoredMemory[]> {
    if (ids.length === 0) return [];
    // By primary key only (the planner would otherwise walk the scope's index); scoped here.
    const rows = await this.sql.all(
      `SELECT ${COLUMNS}, scope_key FROM memories WHERE id IN (${ids.map(() => '?').join(', ')}) AND status = 'active'`,
      ids,
    );
    const keys = new Set(scopes.map(scopeKey));
    return rows.filter((row) => keys.has(String(row['scope_key']))).map(toMemory);
  }

  /** Active memories, newest first. */
  async list(
    scope: MemoryScope,
    options: { kinds?: readonly MemoryKind[]; limit?: number } = {},
  ): Promise<StoredMemory[]> {
    const kinds = options.kinds ?? ['fact', 'episode'];
    const rows = await this.sql.all(
      `SELECT ${COLUMNS} FROM memories WHERE ${scopeWhere} AND status = 'active' AND kind IN (${kinds.map(() => '?').join(', ')})
       ORDER BY seq DESC LIMIT ?`,
      [...scopeArgs(scope), ...kinds, options.limit ?? 500],
    );
    return rows.map(toMemory);
  }

  async count(scope: MemoryScope): Promise<number> {
    const [row] = await this.sql.all(
      `SELECT count(*) AS n FROM memories WHERE ${scopeWhere} AND status = 'active'`,
      scopeArgs(scope),
    );
    return Number(row?.['n'] ?? 0);
  }

  /** A memory's changes, oldest first; null when the memory is not in the scope (deleted ones included). */
  async history(scope: MemoryScope, id: string): Promise<MemoryChange[] | null> {
    const [owner] = await this.sql.all(`SELECT id FROM memories WHERE id = ? AND ${scopeWhere}`, [
      id,
      ...scopeArgs(scope),
    ]);
    if (!owner) return null;
    const rows = await this.sql.all(
      `SELECT event, before, after, actor, reason, source_message_ids, created_at FROM memory_history WHERE memory_id = ? ORDER BY seq`,
      [id],
    );
    return rows.map((row) => ({
      event: row['event'] as MemoryChange['event'],
      before: (row['before'] as string | null) ?? null,
      after: (row['after'] as string | null) ?? null,
      actor: row['actor'] as MemoryChange['actor'],
      reason: (row['reason'] as string | null) ?? null,
      sourceMessageIds: JSON.parse(String(row['source_message_ids'])) as string[],
      at: new Date(Number(row['created_at'])).toISOString(),
    }));
  }

  /**
   * Rows changed after `revision` (all rows when 0), for the in-process search cache: deleted
   * rows come without their text and vector.
   */
  async vectorsSince(scope: MemoryScope, revision: number): Promise<VectorRow[]> {
    const rows = await this.sql.all(
      `SELECT id, revision, status, CASE WHEN status = 'active' THEN embedding END AS embedding,
         CASE WHEN status = 'active' THEN search_text END AS search_text, kind, category,
         CASE WHEN status = 'active' THEN text END AS text, importance, source_message_ids, occurred_at
       FROM memories WHERE scope_key = ? AND revision > ? ORDER BY seq`,
      [scopeKey(scope), revision],
    );
    return rows.map((row) => {
      const active = row['status'] === 'active';
      const blob = row['embedding'] as Uint8Array | ArrayBuffer | null;
      const id = String(row['id']);
      return {
        id,
        revision: Number(row['revision']),
        active,
        embedding: blob ? blobToVector(blob) : null,
        searchText: active ? String(row['search_text'] ?? '') : '',
        memory: active
          ? {
              id,
              kind: row['kind'] as MemoryKind,
              category: row['category'] as MemoryCategory,
              text: String(row['text']),
              importance: Number(row['importance']),
              sourceMessageIds: JSON.parse(String(row['source_message_ids'])) as string[],
              occurredAt: new Date(Number(row['occurred_at'])).toISOString(),
            }
          : null,
      };
    });
  }

  /** FTS5 keyword search (Porter-stemmed BM25) inside the given scopes; best first. */
  async keywordSearch(scopes: readonly MemoryScope[], terms: readonly string[], limit: number): Promise<KeywordHit[]> {
    if (terms.length === 0) return [];
    const scopeTokens = scopes.map((scope) => `"${scopeKey(scope)}"`).join(' OR ');
    const match = `scope_key : (${scopeTokens}) AND search_text : (${terms.map((term) => `"${term.replaceAll('"', '')}"`).join(' OR ')})`;
    const rows = await this.sql.all(
      `SELECT m.id AS id, bm25(memories_fts, 1.0, 0.0) AS rank FROM memories_fts JOIN memories m ON m.seq = memories_fts.rowid
       WHERE memories_fts MATCH ? AND m.status = 'active' ORDER BY rank LIMIT ?`,
      [match, limit],
    );
    return rows.map((row) => ({ id: String(row['id']), bm25: Number(row['rank']) }));
  }
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0.5;
}
