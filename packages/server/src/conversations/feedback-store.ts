import type { Feedback, FeedbackRequest } from '@vibhava/protocol';
import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { messageFeedback, messages } from '../db/schema.js';
import { ApiError } from '../http/api-error.js';

type FeedbackRow = typeof messageFeedback.$inferSelect;

function toFeedback(row: FeedbackRow): Feedback {
  return {
    messageId: row.messageId,
    rating: row.rating,
    reason: (row.reason as Feedback['reason']) ?? null,
    comment: row.comment,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Thumbs up / down on replies. One vote per reply: voting again replaces it. */
export class FeedbackStore {
  constructor(private readonly db: Database) {}

  /** Records the visitor's vote on a reply of this conversation (a 404 for anything else). */
  async rate(conversationId: string, messageId: string, input: FeedbackRequest): Promise<Feedback> {
    const target = await this.db
      .select({ role: messages.role, status: messages.status })
      .from(messages)
      .where(and(eq(messages.id, messageId), eq(messages.conversationId, conversationId)))
      .get();
    if (!target) throw new ApiError(404, 'not_found', 'The message was not found in this conversation.');
    if (target.role !== 'assistant') {
      throw new ApiError(400, 'invalid_request', 'Feedback is for the avatar’s replies, not the visitor’s messages.');
    }
    if (target.status === 'streaming') {
      throw new ApiError(409, 'conflict', 'The reply is still being written; rate it once it has finished.');
    }
    const values = {
      messageId,
      conversationId,
      rating: input.rating,
      reason: input.reason ?? null,
      comment: input.comment || null,
      createdAt: new Date(),
    };
    const [row] = await this.db
      .insert(messageFeedback)
      .values(values)
      .onConflictDoUpdate({ target: messageFeedback.messageId, set: values })
      .returning();
    return toFeedback(row!);
  }

  /** The conversation's latest votes, newest first. */
  async recent(conversationId: string, limit = 20): Promise<Feedback[]> {
    const rows = await this.db
      .select()
      .from(messageFeedback)
      .where(eq(messageFeedback.conversationId, conversationId))
      .orderBy(desc(messageFeedback.createdAt))
      .limit(limit);
    return rows.map(toFeedback);
  }
}
