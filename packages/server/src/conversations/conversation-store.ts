import type { Row } from '@libsql/client';
import type { Conversation, Message } from '@vibhava/protocol';
import { and, desc, eq } from 'drizzle-orm';
import type { VisitorClaims } from '../auth/visitor-token.js';
import type { Database } from '../db/database.js';
import { conversations, messages } from '../db/schema.js';
import { notFound } from '../http/api-error.js';
import { newId } from '../ids.js';

type MessageRow = typeof messages.$inferSelect;
type ConversationRow = typeof conversations.$inferSelect;

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversationId,
    role: row.role,
    content: row.content,
    status: row.status,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    avatarId: row.avatarId,
    title: row.title,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Conversations and messages, always scoped to one visitor of one avatar. */
export class ConversationStore {
  constructor(private readonly db: Database) {}

  async create(visitor: VisitorClaims): Promise<Conversation> {
    const now = new Date();
    const [row] = await this.db
      .insert(conversations)
      .values({
        id: newId('conv'),
        tenantId: visitor.tenantId,
        avatarId: visitor.avatarId,
        visitorId: visitor.visitorId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return toConversation(row!);
  }

  async list(visitor: VisitorClaims, limit = 50): Promise<Conversation[]> {
    const rows = await this.db
      .select()
      .from(conversations)
      .where(and(eq(conversations.visitorId, visitor.visitorId), eq(conversations.avatarId, visitor.avatarId)))
      .orderBy(desc(conversations.updatedAt))
      .limit(limit);
    return rows.map(toConversation);
  }

  /** The visitor's own conversation, or a 404 (never another visitor's). Raw SQL: it is on every message's path. */
  async get(visitor: VisitorClaims, conversationId: string): Promise<{ id: string; avatarId: string }> {
    const result = await this.db.$client.execute({
      sql: 'SELECT id, avatar_id FROM conversations WHERE id = ? AND visitor_id = ? AND avatar_id = ? AND tenant_id = ?',
      args: [conversationId, visitor.visitorId, visitor.avatarId, visitor.tenantId],
    });
    const row = result.rows[0];
    if (!row) throw notFound('The conversation');
    return { id: String(row['id']), avatarId: String(row['avatar_id']) };
  }

  /** The latest `limit` messages, oldest first. */
  async messages(conversationId: string, limit = 200): Promise<Message[]> {
    const rows = await this.db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(desc(messages.seq))
      .limit(limit);
    return rows.reverse().map(toMessage);
  }

  /**
   * What a new turn needs, in one query: the recent turns with text (oldest first, the prompt's
   * history) and whether a reply is still being written (a `streaming` message younger than
   * `staleAfterMs`; an older one was cut off by a crash and does not block).
   */
  async turnContext(
    conversationId: string,
    limit: number,
    staleAfterMs: number,
  ): Promise<{ history: Message[]; replyInProgress: boolean }> {
    const result = await this.db.$client.execute({
      sql: `SELECT id, conversation_id, role, content, status, input_tokens, output_tokens, created_at, updated_at
            FROM messages WHERE conversation_id = ? AND status IN ('complete', 'partial', 'streaming')
            ORDER BY seq DESC LIMIT ?`,
      args: [conversationId, limit + 1],
    });
    const rows = result.rows.map(messageFromSql);
    const latestStreaming = rows.find((m) => m.status === 'streaming');
    const replyInProgress = latestStreaming !== undefined && Date.now() - latestStreaming.updatedAt < staleAfterMs;
    const history = rows
      .filter((m) => m.status !== 'streaming')
      .slice(0, limit)
      .reverse()
      .map(({ updatedAt: _updatedAt, ...message }) => message);
    return { history, replyInProgress };
  }

  /** Stores the visitor's message and an empty assistant placeholder in one transaction. */
  async beginTurn(conversationId: string, content: string): Promise<{ userMessage: Message; assistantId: string }> {
    const now = Date.now();
    const userId = newId('msg');
    const assistantId = newId('msg');
    const insert = `INSERT INTO messages (id, conversation_id, role, content, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`;
    await this.db.$client.batch(
      [
        { sql: insert, args: [userId, conversationId, 'user', content, 'complete', now, now] },
        { sql: insert, args: [assistantId, conversationId, 'assistant', '', 'streaming', now, now] },
        { sql: 'UPDATE conversations SET updated_at = ? WHERE id = ?', args: [now, conversationId] },
      ],
      'write',
    );
    const createdAt = new Date(now).toISOString();
    return {
      userMessage: {
        id: userId,
        conversationId,
        role: 'user',
        content,
        status: 'complete',
        inputTokens: null,
        outputTokens: null,
        createdAt,
      },
      assistantId,
    };
  }

  async finishReply(
    assistantId: string,
    values: Pick<
      MessageRow,
      'content' | 'status' | 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'provider' | 'model' | 'errorCode'
    >,
  ): Promise<Message> {
    const result = await this.db.$client.execute({
      sql: `UPDATE messages SET content = ?, status = ?, input_tokens = ?, output_tokens = ?, cached_input_tokens = ?,
              provider = ?, model = ?, error_code = ?, updated_at = ?
            WHERE id = ?
            RETURNING id, conversation_id, role, content, status, input_tokens, output_tokens, created_at, updated_at`,
      args: [
        values.content,
        values.status,
        values.inputTokens,
        values.outputTokens,
        values.cachedInputTokens,
        values.provider,
        values.model,
        values.errorCode,
        Date.now(),
        assistantId,
      ],
    });
    const row = result.rows[0];
    // Gone while the reply streamed (its conversation or avatar was deleted).
    if (!row) throw new Error(`The message ${assistantId} no longer exists.`);
    const { updatedAt: _updatedAt, ...message } = messageFromSql(row);
    return message;
  }
}

function messageFromSql(row: Row): Message & { updatedAt: number } {
  const count = (value: unknown) => (value === null ? null : Number(value));
  return {
    id: String(row['id']),
    conversationId: String(row['conversation_id']),
    role: row['role'] as Message['role'],
    content: String(row['content']),
    status: row['status'] as Message['status'],
    inputTokens: count(row['input_tokens']),
    outputTokens: count(row['output_tokens']),
    createdAt: new Date(Number(row['created_at'])).toISOString(),
    updatedAt: Number(row['updated_at']),
  };
}
