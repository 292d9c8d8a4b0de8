import { CreateMemoryRequestSchema, IdSchema } from '@vibhava/protocol';
import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod/mini';
import { ConversationStore } from '../../conversations/conversation-store.js';
import type { Database } from '../../db/database.js';
import { avatars, conversations } from '../../db/schema.js';
import { notFound } from '../../http/api-error.js';
import { validate } from '../../http/validate.js';
import { publicMemory, type MemoryService } from '../../memory/memory-service.js';
import type { MemoryScope } from '../../memory/memory-store.js';
import { tenantAccess } from '../admin-auth.js';
import type { AdminEnv } from '../admin-env.js';

const KnowledgeRequestSchema = z.strictObject({
  ...CreateMemoryRequestSchema.shape,
  /** One avatar's knowledge; every avatar of the tenant when absent. */
  avatarId: z.optional(IdSchema),
});
const KnowledgeQuerySchema = z.object({ avatarId: z.optional(IdSchema) });

/**
 * Tenant knowledge (memories every visitor's avatar may draw on, for one avatar or all), and what
 * the console shows of a conversation: its messages with each reply's context trace, and what an
 * avatar remembers about a visitor.
 */
export function memoryRoutes(db: Database, memory: MemoryService) {
  const store = new ConversationStore(db);
  const knowledgeScope = (tenantId: string, avatarId: string | undefined): MemoryScope => ({
    tenantId,
    avatarId: avatarId ?? '',
    visitorId: '',
  });
  const ownAvatar = async (tenantId: string, avatarId: string | undefined) => {
    if (!avatarId) return;
    const [row] = await db
      .select({ id: avatars.id })
      .from(avatars)
      .where(and(eq(avatars.id, avatarId), eq(avatars.tenantId, tenantId)));
    if (!row) throw notFound('The avatar');
  };
  return new Hono<AdminEnv>()
    .get(
      '/tenants/:tenantId/knowledge',
      tenantAccess(db, 'avatars:read'),
      validate('query', KnowledgeQuerySchema),
      async (c) => {
        const { avatarId } = c.req.valid('query');
        await ownAvatar(c.var.tenantId, avatarId);
        return c.json(
          { memories: (await memory.store.list(knowledgeScope(c.var.tenantId, avatarId))).map(publicMemory) },
          200,
        );
      },
    )
    .post(
      '/tenants/:tenantId/knowledge',
      tenantAccess(db, 'avatars:write'),
      validate('json', KnowledgeRequestSchema),
      async (c) => {
        const { avatarId, ...request } = c.req.valid('json');
        await ownAvatar(c.var.tenantId, avatarId);
        const created = await memory.create(knowledgeScope(c.var.tenantId, avatarId), request, 'admin');
        return c.json(created, 201);
      },
    )
    .delete(
      '/tenants/:tenantId/knowledge/:memoryId',
      tenantAccess(db, 'avatars:write'),
      validate('query', KnowledgeQuerySchema),
      async (c) => {
        const { avatarId } = c.req.valid('query');
        const erased = await memory.delete(knowledgeScope(c.var.tenantId, avatarId), c.req.param('memoryId'));
        if (!erased) throw notFound('The knowledge entry');
        return c.body(null, 204);
      },
    )
    .get(
      '/tenants/:tenantId/conversations/:conversationId/messages',
      tenantAccess(db, 'conversations:read'),
      async (c) => {
        const [conversation] = await db
          .select({ id: conversations.id })
          .from(conversations)
          .where(and(eq(conversations.id, c.req.param('conversationId')), eq(conversations.tenantId, c.var.tenantId)));
        if (!conversation) throw notFound('The conversation');
        const messages = await store.messages(conversation.id, 500);
        const traced = await Promise.all(
          messages.map(async (message) => ({
            ...message,
            trace: message.role === 'assistant' ? await store.trace(conversation.id, message.id) : null,
          })),
        );
        return c.json({ messages: traced }, 200);
      },
    )
    .get(
      '/tenants/:tenantId/avatars/:avatarId/visitors/:visitorId/memories',
      tenantAccess(db, 'conversations:read'),
      async (c) => {
        const avatarId = c.req.param('avatarId');
        await ownAvatar(c.var.tenantId, avatarId);
        const scope = { tenantId: c.var.tenantId, avatarId, visitorId: c.req.param('visitorId') };
        return c.json(await memory.list(scope), 200);
      },
    );
}
