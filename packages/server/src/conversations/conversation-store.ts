import type { Conversation, Message } from '@vibhava/protocol';
import { and, desc, eq, inArray } from 'drizzle-orm';
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

  /** The visitor's own conversation, or a 404 (never another visitor's). */
  async get(visitor: VisitorClaims, conversationId: string): Promise<ConversationRow> {
    const row = await this.db.query.conversations.findFirst({
      where: and(
        eq(conversations.id, conversationId),
        eq(conversations.visitorId, visitor.visitorId),
        eq(conversations.avatarId, visitor.avatarId),
        eq(conversations.tenantId, visitor.tenantId),
      ),
    });
    if (!row) throw notFound('The conversation');
    return row;
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

  /** Recent turns with text, oldest first: the prompt's history. */
  async history(conversationId: string, limit: number): Promise<Message[]> {
    const rows = await this.db
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), inArray(messages.status, ['complete', 'partial'])))
      .orderBy(desc(messages.seq))
      .limit(limit);
    return rows.reverse().map(toMessage);
  }

  async hasReplyInProgress(conversationId: string, staleAfterMs: number): Promise<boolean> {
    const row = await this.db.query.messages.findFirst({
      where: and(eq(messages.conversationId, conversationId), eq(messages.status, 'streaming')),
      orderBy: desc(messages.seq),
    });
    return row !== undefined && Date.now() - row.updatedAt.getTime() < staleAfterMs;
  }

  /** Stores the visitor's message and an empty assistant placeholder in one batch. */
  async beginTurn(conversationId: string, content: string): Promise<{ userMessage: Message; assistantId: string }> {
    const now = new Date();
    const assistantId = newId('msg');
    const [userRows] = await this.db.batch([
      this.db
        .insert(messages)
        .values({
          id: newId('msg'),
          conversationId,
          role: 'user',
          content,
          status: 'complete',
          createdAt: now,
          updatedAt: now,
        })
        .returning(),
      this.db.insert(messages).values({
        id: assistantId,
        conversationId,
        role: 'assistant',
        content: '',
        status: 'streaming',
        createdAt: now,
        updatedAt: now,
      }),
      this.db.update(conversations).set({ updatedAt: now }).where(eq(conversations.id, conversationId)),
    ]);
    return { userMessage: toMessage(userRows[0]!), assistantId };
  }

  async finishReply(
    assistantId: string,
    values: Pick<
      MessageRow,
      'content' | 'status' | 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'provider' | 'model' | 'errorCode'
    >,
  ): Promise<Message> {
    const [row] = await this.db
      .update(messages)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(messages.id, assistantId))
      .returning();
    return toMessage(row!);
  }
}
