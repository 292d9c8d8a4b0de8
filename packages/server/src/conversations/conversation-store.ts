import type { ContextTrace, Conversation, ConversationState, Emotion, Message } from '@vibhava/protocol';
import { and, desc, eq } from 'drizzle-orm';
import type { VisitorClaims } from '../auth/visitor-token.js';
import type { Database } from '../db/database.js';
import { sqlRunner, type SqlRunner, type SqlStep } from '../db/sql-runner.js';
import { conversations, messages } from '../db/schema.js';
import { notFound } from '../http/api-error.js';
import { newId } from '../ids.js';
import {
  CONVERSATION_COLUMNS,
  conversationRefOf,
  messageFromSql,
  toConversation,
  toMessage,
  turnColumns,
  turnContextOf,
  withoutUpdatedAt,
  type ConversationRef,
  type MessageRow,
  type TurnContext,
  type TurnMessage,
} from './conversation-rows.js';

export type { ConversationRef, RecentFeedback, TurnContext, TurnMessage } from './conversation-rows.js';

/** More statements for a turn's write batch, given its message ids (a memory outbox entry). */
export type AlsoStore = (ids: { userMessageId: string; assistantMessageId: string }) => SqlStep[];

/** Conversations and messages, always scoped to one visitor of one avatar. */
export class ConversationStore {
  /** The message path's statements: prepared once on a local file. */
  readonly #sql: SqlRunner;

  constructor(private readonly db: Database) {
    this.#sql = sqlRunner(db.$client);
  }

  /** Starts a conversation on the avatar's current version (`avatarVersion`), which it keeps. */
  async create(visitor: VisitorClaims, options: { avatarVersion?: number } = {}): Promise<Conversation> {
    const now = new Date();
    const [row] = await this.db
      .insert(conversations)
      .values({
        id: newId('conv'),
        tenantId: visitor.tenantId,
        avatarId: visitor.avatarId,
        visitorId: visitor.visitorId,
        avatarVersion: options.avatarVersion ?? null,
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
  async get(visitor: VisitorClaims, conversationId: string): Promise<ConversationRef> {
    const [row] = await this.#sql.all(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations AS c WHERE c.id = ? AND c.visitor_id = ? AND c.avatar_id = ? AND c.tenant_id = ?`,
      [conversationId, visitor.visitorId, visitor.avatarId, visitor.tenantId],
    );
    if (!row) throw notFound('The conversation');
    return conversationRefOf(row);
  }

  /** Replaces the rolling summary: it now covers every message up to `throughSeq`. */
  async saveSummary(conversationId: string, summary: string, throughSeq: number): Promise<void> {
    await this.#sql.run(
      `UPDATE conversations SET summary = ?, summary_through_seq = ?, state = CASE WHEN state = 'closed' THEN state ELSE 'summarized' END
       WHERE id = ? AND coalesce(summary_through_seq, 0) < ?`,
      [summary, throughSeq, conversationId, throughSeq],
    );
  }

  async setState(conversationId: string, state: ConversationState): Promise<void> {
    await this.#sql.run('UPDATE conversations SET state = ?, updated_at = ? WHERE id = ?', [
      state,
      Date.now(),
      conversationId,
    ]);
  }

  /** The context trace stored with a reply, or null. */
  async trace(conversationId: string, messageId: string): Promise<ContextTrace | null> {
    const [row] = await this.#sql.all(
      `SELECT trace FROM messages WHERE id = ? AND conversation_id = ? AND role = 'assistant'`,
      [messageId, conversationId],
    );
    return row?.['trace'] ? (JSON.parse(String(row['trace'])) as ContextTrace) : null;
  }

  /** The conversation's last visitor message and what follows it (a reply, or nothing). */
  async lastExchange(conversationId: string): Promise<{ user: TurnMessage; after: TurnMessage[] } | null> {
    const rows = await this.#sql.all(
      `SELECT seq, id, conversation_id, role, content, status, input_tokens, output_tokens, emotion, created_at, updated_at
       FROM messages WHERE conversation_id = ? AND seq >= coalesce(
         (SELECT max(seq) FROM messages WHERE conversation_id = ? AND role = 'user'), 0) ORDER BY seq`,
      [conversationId, conversationId],
    );
    const messages = rows.map((row) => ({ ...withoutUpdatedAt(messageFromSql(row)), seq: Number(row['seq']) }));
    const [user, ...after] = messages;
    return user && user.role === 'user' ? { user, after } : null;
  }

  /** Deletes the given messages (a reply being written again); their votes go with them. */
  async deleteMessages(conversationId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#sql.run(`DELETE FROM messages WHERE conversation_id = ? AND id IN (${ids.map(() => '?').join(', ')})`, [
      conversationId,
      ...ids,
    ]);
  }

  /** Replaces the text (and detected emotion) of a visitor's message. */
  async editMessage(
    conversationId: string,
    messageId: string,
    content: string,
    emotion: Emotion | null,
  ): Promise<void> {
    await this.#sql.run(
      `UPDATE messages SET content = ?, emotion = ?, updated_at = ? WHERE id = ? AND conversation_id = ? AND role = 'user'`,
      [content, emotion && JSON.stringify(emotion), Date.now(), messageId, conversationId],
    );
  }

  /** An empty assistant placeholder for a reply to an existing visitor message (regenerate, edit). */
  async beginReply(
    conversationId: string,
    options: { userMessageId?: string; also?: AlsoStore } = {},
  ): Promise<{ assistantId: string; createdAt: string }> {
    const now = Date.now();
    const assistantId = newId('msg');
    await this.#sql.write([
      ...(options.also && options.userMessageId
        ? options.also({ userMessageId: options.userMessageId, assistantMessageId: assistantId })
        : []),
      {
        sql: `INSERT INTO messages (id, conversation_id, role, content, status, created_at, updated_at) VALUES (?, ?, 'assistant', '', 'streaming', ?, ?)`,
        args: [assistantId, conversationId, now, now],
      },
      {
        sql: `UPDATE conversations SET updated_at = ?, state = CASE WHEN summary IS NULL THEN 'active' ELSE 'summarized' END WHERE id = ?`,
        args: [now, conversationId],
      },
    ]);
    return { assistantId, createdAt: new Date(now).toISOString() };
  }

  /**
   * Asks whichever instance writes the conversation's reply to stop it (it checks every second);
   * false when no reply is being written.
   */
  async requestStop(conversationId: string): Promise<boolean> {
    const changed = await this.#sql.run(
      `UPDATE messages SET stop_requested_at = ? WHERE conversation_id = ? AND status = 'streaming' AND stop_requested_at IS NULL`,
      [Date.now(), conversationId],
    );
    return changed > 0;
  }

  /** Whether the visitor asked (through any instance) to stop the reply being written. */
  async stopRequested(conversationId: string): Promise<boolean> {
    // The reply being written is the conversation's latest message.
    const [latest] = await this.#sql.all(
      'SELECT status, stop_requested_at FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT 1',
      [conversationId],
    );
    return latest?.['status'] === 'streaming' && latest['stop_requested_at'] !== null;
  }

  /** Saves the conversation's tone and logs each change with its reason (for the console). */
  async saveTone(
    ref: { tenantId: string; avatarId: string; conversationId: string; messageId: string | null },
    state: Readonly<Record<string, number>>,
    changes: ReadonlyArray<{ dimension: string; from: number; to: number; reason: string }>,
  ): Promise<void> {
    const now = Date.now();
    await this.db.$client.batch(
      [
        {
          sql: 'UPDATE conversations SET tone_state = ? WHERE id = ?',
          args: [JSON.stringify(state), ref.conversationId],
        },
        ...changes.map((change) => ({
          sql: `INSERT INTO tone_adaptations (tenant_id, avatar_id, conversation_id, message_id, dimension, from_value, to_value, reason, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          args: [
            ref.tenantId,
            ref.avatarId,
            ref.conversationId,
            ref.messageId,
            change.dimension,
            change.from,
            change.to,
            change.reason,
            now,
          ],
        })),
      ],
      'write',
    );
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
    feedbackLimit = 5,
    afterSeq = 0,
  ): Promise<TurnContext> {
    // One JSON array instead of ~200 values: the driver's cost is per value it hands to JS, and
    // parsing one string is several times cheaper. Sorted here (the aggregate keeps no order).
    // The visitor's latest votes (for tone adaptation) come in the same statement.
    const [found] = await this.#sql.all(`SELECT ${turnColumns('?', '?')}`, [
      conversationId,
      afterSeq,
      limit + 1,
      conversationId,
      feedbackLimit,
    ]);
    return turnContextOf(conversationId, found, limit, staleAfterMs);
  }

  /**
   * The visitor's own conversation (else a 404) with its turn context (`turnContext`), in one
   * statement: the start of every new message.
   */
  async openTurn(
    visitor: VisitorClaims,
    conversationId: string,
    limit: number,
    staleAfterMs: number,
    feedbackLimit = 5,
  ): Promise<TurnContext & { conversation: ConversationRef }> {
    const [found] = await this.#sql.all(
      `SELECT ${CONVERSATION_COLUMNS}, ${turnColumns('c.id', 'coalesce(c.summary_through_seq, 0)')}
       FROM conversations AS c WHERE c.id = ? AND c.visitor_id = ? AND c.avatar_id = ? AND c.tenant_id = ?`,
      [limit + 1, feedbackLimit, conversationId, visitor.visitorId, visitor.avatarId, visitor.tenantId],
    );
    if (!found) throw notFound('The conversation');
    return { conversation: conversationRefOf(found), ...turnContextOf(conversationId, found, limit, staleAfterMs) };
  }

  /** Stores the visitor's message (with its detected emotion) and an empty assistant placeholder in one transaction. */
  async beginTurn(
    conversationId: string,
    content: string,
    options: { emotion?: Emotion | null; also?: AlsoStore } = {},
  ): Promise<{ userMessage: Message; assistantId: string }> {
    const now = Date.now();
    const userId = newId('msg');
    const assistantId = newId('msg');
    const emotion = options.emotion ?? null;
    const insert = `INSERT INTO messages (id, conversation_id, role, content, status, emotion, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
    await this.#sql.write([
      {
        sql: insert,
        args: [userId, conversationId, 'user', content, 'complete', emotion && JSON.stringify(emotion), now, now],
      },
      { sql: insert, args: [assistantId, conversationId, 'assistant', '', 'streaming', null, now, now] },
      ...(options.also?.({ userMessageId: userId, assistantMessageId: assistantId }) ?? []),
      {
        sql: `UPDATE conversations SET updated_at = ?, state = CASE WHEN summary IS NULL THEN 'active' ELSE 'summarized' END WHERE id = ?`,
        args: [now, conversationId],
      },
    ]);
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
        emotion,
        createdAt,
      },
      assistantId,
    };
  }

  /** Stores the finished reply (`createdAt`: when its placeholder was written) and returns it. */
  async finishReply(
    reply: { id: string; conversationId: string; createdAt: string },
    values: Pick<
      MessageRow,
      'content' | 'status' | 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'provider' | 'model' | 'errorCode'
    > & { emotion?: Emotion | null; trace?: ContextTrace | null },
  ): Promise<Message> {
    const emotion = values.emotion ?? null;
    const changed = await this.#sql.run(
      `UPDATE messages SET content = ?, status = ?, input_tokens = ?, output_tokens = ?, cached_input_tokens = ?,
              provider = ?, model = ?, error_code = ?, emotion = ?, trace = ?, updated_at = ?
            WHERE id = ?`,
      [
        values.content,
        values.status,
        values.inputTokens,
        values.outputTokens,
        values.cachedInputTokens,
        values.provider,
        values.model,
        values.errorCode,
        emotion ? JSON.stringify(emotion) : null,
        values.trace ? JSON.stringify(values.trace) : null,
        Date.now(),
        reply.id,
      ],
    );
    // Gone while the reply streamed (its conversation or avatar was deleted).
    if (changed === 0) throw new Error(`The message ${reply.id} no longer exists.`);
    return {
      id: reply.id,
      conversationId: reply.conversationId,
      role: 'assistant',
      content: values.content,
      status: values.status,
      inputTokens: values.inputTokens,
      outputTokens: values.outputTokens,
      emotion,
      createdAt: reply.createdAt,
    };
  }
}
