import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import {
  ConversationListSchema,
  ConversationSchema,
  CreateConversationRequestSchema,
  ErrorBodySchema,
  IdSchema,
  MessageListSchema,
  SendMessageRequestSchema,
  StreamPartSchema,
} from '@vibhava/protocol';
import { eq } from 'drizzle-orm';
import type { VisitorTokens } from '../auth/visitor-token.js';
import { ConversationStore } from '../conversations/conversation-store.js';
import { createReplyStream } from '../conversations/reply-stream.js';
import type { Database } from '../db/database.js';
import { avatars } from '../db/schema.js';
import { ApiError, notFound } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { validationHook } from '../http/validation.js';
import { visitorAuth } from '../middleware/visitor-auth.js';
import type { ChatModel } from '../providers/chat-model.js';

const errors = { content: { 'application/json': { schema: ErrorBodySchema } } };
const authErrors = {
  401: { description: 'Missing, forged or expired visitor token', ...errors },
  403: { description: 'Token used from another origin', ...errors },
};
const security = [{ visitorToken: [] }];
const ConversationParams = z.object({ conversationId: IdSchema });

const listConversations = createRoute({
  method: 'get',
  path: '/',
  summary: "List the visitor's conversations with this avatar",
  security,
  responses: { 200: { description: 'Conversations, newest first', content: { 'application/json': { schema: ConversationListSchema } } }, ...authErrors },
});

const createConversation = createRoute({
  method: 'post',
  path: '/',
  summary: 'Start a conversation',
  security,
  request: { body: { required: false, content: { 'application/json': { schema: CreateConversationRequestSchema } } } },
  responses: { 201: { description: 'The new conversation', content: { 'application/json': { schema: ConversationSchema } } }, ...authErrors },
});

const listMessages = createRoute({
  method: 'get',
  path: '/{conversationId}/messages',
  summary: 'Read a conversation’s history',
  security,
  request: { params: ConversationParams },
  responses: {
    200: { description: 'Messages, oldest first', content: { 'application/json': { schema: MessageListSchema } } },
    404: { description: 'No such conversation for this visitor', ...errors },
    ...authErrors,
  },
});

const sendMessage = createRoute({
  method: 'post',
  path: '/{conversationId}/messages',
  summary: 'Send a message and stream the reply',
  description:
    'Stores the visitor message, then answers with Server-Sent Events, one JSON stream part per `data:` line: start, text-start, text-delta…, text-end, usage, error, finish.',
  security,
  request: { params: ConversationParams, body: { required: true, content: { 'application/json': { schema: SendMessageRequestSchema } } } },
  responses: {
    200: { description: 'The reply as a stream of parts', content: { 'text/event-stream': { schema: StreamPartSchema } } },
    400: { description: 'Invalid message', ...errors },
    404: { description: 'No such conversation for this visitor', ...errors },
    409: { description: 'A reply is still being written in this conversation', ...errors },
    413: { description: 'Body too large', ...errors },
    ...authErrors,
  },
});

export interface ConversationRouteDeps {
  db: Database;
  tokens: VisitorTokens;
  model: ChatModel;
  log: (message: string, error: unknown) => void;
}

export function conversationRoutes(deps: ConversationRouteDeps) {
  const store = new ConversationStore(deps.db);
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('*', visitorAuth(deps.tokens));
  return app
    .openapi(listConversations, async (c) => c.json({ conversations: await store.list(c.var.visitor) }, 200))
    .openapi(createConversation, async (c) => c.json(await store.create(c.var.visitor), 201))
    .openapi(listMessages, async (c) => {
      const conversation = await store.get(c.var.visitor, c.req.valid('param').conversationId);
      return c.json({ messages: await store.messages(conversation.id) }, 200);
    })
    .openapi(sendMessage, async (c) => {
      const { content } = c.req.valid('json');
      const conversation = await store.get(c.var.visitor, c.req.valid('param').conversationId);
      if (await store.hasReplyInProgress(conversation.id, 120_000)) {
        throw new ApiError(409, 'conflict', 'A reply is still being written in this conversation; wait for it or stop it first.');
      }
      const avatar = await deps.db.query.avatars.findFirst({ where: eq(avatars.id, conversation.avatarId) });
      if (!avatar) throw notFound('The avatar');
      const body = await createReplyStream({
        store,
        model: deps.model,
        conversationId: conversation.id,
        persona: avatar.persona,
        content,
        signal: c.req.raw.signal,
        log: deps.log,
      });
      return new Response(body, {
        status: 200,
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' },
      }) as never;
    });
}
