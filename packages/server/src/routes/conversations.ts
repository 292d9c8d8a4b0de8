import {
  CreateConversationRequestSchema,
  EditMessageRequestSchema,
  FeedbackRequestSchema,
  IdSchema,
  SendMessageRequestSchema,
} from '@vibhava/protocol';
import { Hono } from 'hono';
import { z } from 'zod/mini';
import type { VisitorTokens } from '../auth/visitor-token.js';
import { AvatarCache } from '../avatars/avatar-cache.js';
import { ConversationStore } from '../conversations/conversation-store.js';
import { FeedbackStore } from '../conversations/feedback-store.js';
import { createTurnReplier, type TurnReplierDeps } from '../conversations/turn-replier.js';
import { ApiError, notFound } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { validate } from '../http/validate.js';
import type { RateLimitSettings } from '../limits/rate-limit-settings.js';
import { visitorScope } from '../memory/memory-store.js';
import { clientIp, perMinute, rateLimit } from '../middleware/rate-limit.js';
import { visitorAuth } from '../middleware/visitor-auth.js';
import { RegenerateRequestSchema } from './conversation-docs.js';

export { conversationDocs } from './conversation-docs.js';

const ConversationParams = z.object({ conversationId: IdSchema });
const MessageParams = z.object({ conversationId: IdSchema, messageId: IdSchema });
/** Recent votes that count as evidence for a reply-length or formality preference. */
const FEEDBACK_WINDOW = 5;

export interface ConversationRouteDeps extends TurnReplierDeps {
  limits: RateLimitSettings;
  tokens: VisitorTokens;
}

export function conversationRoutes(deps: ConversationRouteDeps) {
  const store = new ConversationStore(deps.db);
  const feedback = new FeedbackStore(deps.db);
  const avatarCache = new AvatarCache(deps.db);
  const { reply, replies, prepare } = createTurnReplier(deps);
  const { limits } = deps;
  const limitMessages = rateLimit(
    limits.store,
    'messages',
    [
      { name: 'visitor', policy: perMinute(limits.messagesPerVisitor), key: (c) => c.var.visitor.visitorId },
      { name: 'ip', policy: perMinute(limits.requestsPerIp), key: clientIp },
    ],
    (rule) => deps.metrics.refusals.inc({ kind: 'rate_limit', rule }),
  );
  return new Hono<AppEnv>()
    .use('*', visitorAuth(deps.tokens))
    .get('/', async (c) => c.json({ conversations: await store.list(c.var.visitor) }, 200))
    .post('/', validate('json', CreateConversationRequestSchema), async (c) => {
      // The conversation keeps the avatar version it began on: later edits don't rewrite it.
      const avatar = await avatarCache.get(c.var.visitor.avatarId);
      const conversation = await store.create(c.var.visitor, avatar ? { avatarVersion: avatar.version } : {});
      // While the visitor writes their first message, the model reads the avatar's persona.
      prepare(c.var.visitor, conversation).catch((error: unknown) => deps.log('Preparing the model failed', error));
      return c.json(conversation, 201);
    })
    .get('/:conversationId/messages', validate('param', ConversationParams), async (c) => {
      const conversation = await store.get(c.var.visitor, c.req.valid('param').conversationId);
      const [messages, votes] = await Promise.all([
        store.messages(conversation.id),
        feedback.recent(conversation.id, 500),
      ]);
      const ratings = new Map(votes.map((v) => [v.messageId, v.rating]));
      return c.json({ messages: messages.map((m) => ({ ...m, feedback: ratings.get(m.id) ?? null })) }, 200);
    })
    .put(
      '/:conversationId/messages/:messageId/feedback',
      validate('param', MessageParams),
      validate('json', FeedbackRequestSchema),
      async (c) => {
        const { conversationId, messageId } = c.req.valid('param');
        const conversation = await store.get(c.var.visitor, conversationId);
        const vote = c.req.valid('json');
        // The reasons before this vote: a single vote never changes a preference on its own.
        const earlier = await feedback.recent(conversation.id, FEEDBACK_WINDOW);
        const stored = await feedback.rate(conversation.id, messageId, vote);
        void deps.memory.preferences.learnFromFeedback(visitorScope(c.var.visitor), {
          rating: vote.rating,
          ...(vote.reason ? { reason: vote.reason } : {}),
          recentReasons: earlier.filter((v) => v.messageId !== messageId && v.reason).map((v) => v.reason!),
          messageId,
        });
        return c.json(stored, 200);
      },
    )
    .post(
      '/:conversationId/messages',
      validate('param', ConversationParams),
      validate('json', SendMessageRequestSchema),
      limitMessages,
      async (c) => {
        const { content } = c.req.valid('json');
        return reply(c, c.req.valid('param').conversationId, { content });
      },
    )
    .post(
      '/:conversationId/regenerate',
      validate('param', ConversationParams),
      validate('json', RegenerateRequestSchema),
      limitMessages,
      async (c) => {
        const conversation = await store.get(c.var.visitor, c.req.valid('param').conversationId);
        const last = await store.lastExchange(conversation.id);
        if (!last) throw new ApiError(409, 'conflict', 'There is no message to answer again yet.');
        return reply(c, conversation, { content: last.user.content, again: last });
      },
    )
    .put(
      '/:conversationId/messages/:messageId',
      validate('param', MessageParams),
      validate('json', EditMessageRequestSchema),
      limitMessages,
      async (c) => {
        const { conversationId, messageId } = c.req.valid('param');
        const { content } = c.req.valid('json');
        const conversation = await store.get(c.var.visitor, conversationId);
        const last = await store.lastExchange(conversation.id);
        if (!last || last.user.id !== messageId) {
          throw new ApiError(409, 'conflict', 'Only the visitor’s last message can be edited.');
        }
        return reply(c, conversation, { content, again: last, edited: true });
      },
    )
    .post('/:conversationId/stop', validate('param', ConversationParams), async (c) => {
      const conversation = await store.get(c.var.visitor, c.req.valid('param').conversationId);
      return c.json({ stopped: await replies.stop(conversation.id) }, 200);
    })
    .post('/:conversationId/close', validate('param', ConversationParams), async (c) => {
      const conversation = await store.get(c.var.visitor, c.req.valid('param').conversationId);
      await store.setState(conversation.id, 'closed');
      return c.json({ id: conversation.id, state: 'closed' as const }, 200);
    })
    .get('/:conversationId/messages/:messageId/trace', validate('param', MessageParams), async (c) => {
      const { conversationId, messageId } = c.req.valid('param');
      const conversation = await store.get(c.var.visitor, conversationId);
      const trace = await store.trace(conversation.id, messageId);
      if (!trace) throw notFound('The reply’s context trace');
      return c.json(trace, 200);
    });
}
