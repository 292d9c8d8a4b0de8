import type { Memory } from '@vibhava/protocol';
import { inArray } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { messages } from '../db/schema.js';

/**
 * The memories, each with the conversation its first source message is in (memories keep
 * message ids only; a UI groups a conversation's episodes into one line by it).
 */
export async function withConversations(db: Database, memories: Memory[]): Promise<Memory[]> {
  const sources = [...new Set(memories.flatMap((memory) => memory.sourceMessageIds.slice(0, 1)))];
  if (sources.length === 0) return memories;
  const rows = await db
    .select({ id: messages.id, conversationId: messages.conversationId })
    .from(messages)
    .where(inArray(messages.id, sources));
  const conversationOf = new Map(rows.map((row) => [row.id, row.conversationId]));
  return memories.map((memory) => {
    const conversationId = conversationOf.get(memory.sourceMessageIds[0] ?? '');
    return conversationId ? { ...memory, conversationId } : memory;
  });
}
