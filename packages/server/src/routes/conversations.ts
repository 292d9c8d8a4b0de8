import {
  ConversationListSchema,
  ConversationSchema,
  CreateConversationRequestSchema,
  IdSchema,
  MessageListSchema,
  SendMessageRequestSchema,
  StreamPartSchema,
} from '@vibhava/protocol';
import { Hono } from 'hono';
import { z } from 'zod/mini';
import type { VisitorTokens } from '../auth/visitor-token.js';
import { AvatarCache } from '../avatars/avatar-cache.js';
import { ConversationStore } from '../conversations/conversation-store.js';
import { createReplyStream, type ReplySummary } from '../conversations/reply-stream.js';
import type { Database } from '../db/database.js';
import { ApiError, notFound } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import type { RouteDoc } from '../http/openapi.js';
import { validate } from '../http/validate.js';
import { visitorAuth } from '../middleware/visitor-auth.js';
import type { ChatModel, FailedAttempt } from '../providers/chat-model.js';
import type { ModelDirectory } from '../providers/registry.js';
import { ResilientChatModel, type ResilienceOptions } from '../providers/resilient-chat-model.js';
import { ScriptedChatModel } from '../providers/scripted/scripted-chat-model.js';
import { QuotaService } from '../quotas/quota-service.js';
import type { UsageLedger } from '../usage/usage-ledger.js';

const DEFAULT_LIMIT_MESSAGE =
  "I've had a lot of conversations today and need a short rest. Let's pick this up again a little later!";
import type { RateLimitSettings } from '../limits/rate-limit-settings.js';
import type { ErrorTracker } from '../observability/error-tracker.js';
import type { Metrics } from '../observability/metrics.js';
import { clientIp, perMinute, rateLimit } from '../middleware/rate-limit.js';

const ConversationParams = z.object({ conversationId: IdSchema });
/** Recent turns sent with each message (the context manager of the memory issue will budget this). */
const HISTORY_TURNS = 20;
const authErrors = {
  401: { description: 'Missing, forged or expired visitor token' },
  403: { description: 'Token used from another origin' },
};
const notFoundError = { 404: { description: 'No such conversation for this visitor' } };

export const conversationDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/conversations',
    summary: "List the visitor's conversations with this avatar",
    auth: 'visitor',
    responses: { 200: { description: 'Conversations, newest first', schema: ConversationListSchema }, ...authErrors },
  },
  {
    method: 'post',
    path: '/v1/conversations',
    summary: 'Start a conversation',
    auth: 'visitor',
    body: CreateConversationRequestSchema,
    responses: { 201: { description: 'The new conversation', schema: ConversationSchema }, ...authErrors },
  },
  {
    method: 'get',
    path: '/v1/conversations/{conversationId}/messages',
    summary: 'Read a conversation’s history',
    auth: 'visitor',
    params: { conversationId: IdSchema },
    responses: {
      200: { description: 'Messages, oldest first', schema: MessageListSchema },
      ...notFoundError,
      ...authErrors,
    },
  },
  {
    method: 'post',
    path: '/v1/conversations/{conversationId}/messages',
    summary: 'Send a message and stream the reply',
    description:
      'Stores the visitor message, then answers with Server-Sent Events, one JSON stream part per `data:` line: start, text-start, text-delta…, text-end, usage, error, finish.',
    auth: 'visitor',
    params: { conversationId: IdSchema },
    body: SendMessageRequestSchema,
    responses: {
      200: {
        description: 'The reply as a stream of parts',
        schema: StreamPartSchema,
        contentType: 'text/event-stream',
      },
      400: { description: 'Invalid message' },
      ...notFoundError,
      409: { description: 'A reply is still being written in this conversation' },
      413: { description: 'Body too large' },
      429: { description: 'Too many messages (rate_limited) or a budget is used up (quota_exceeded); see Retry-After' },
      415: { description: 'Body is not JSON' },
      ...authErrors,
    },
  },
];

export interface ConversationRouteDeps {
  models: ModelDirectory;
  resilience?: ResilienceOptions | undefined;
  limits: RateLimitSettings;
  metrics: Metrics;
  errors: ErrorTracker;
  ledger: UsageLedger;
  db: Database;
  tokens: VisitorTokens;
  model: ChatModel;
  log: (message: string, error: unknown) => void;
}

export function conversationRoutes(deps: ConversationRouteDeps) {
  const store = new ConversationStore(deps.db);
  const quotas = new QuotaService(deps.db);
  const avatarCache = new AvatarCache(deps.db);
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
    .post('/', validate('json', CreateConversationRequestSchema), async (c) =>
      c.json(await store.create(c.var.visitor), 201),
    )
    .get('/:conversationId/messages', validate('param', ConversationParams), async (c) => {
      const conversation = await store.get(c.var.visitor, c.req.valid('param').conversationId);
      return c.json({ messages: await store.messages(conversation.id) }, 200);
    })
    .post(
      '/:conversationId/messages',
      validate('param', ConversationParams),
      validate('json', SendMessageRequestSchema),
      limitMessages,
      async (c) => {
        const { content } = c.req.valid('json');
        const conversation = await store.get(c.var.visitor, c.req.valid('param').conversationId);
        const turn = await store.turnContext(conversation.id, HISTORY_TURNS, 120_000);
        if (turn.replyInProgress) {
          throw new ApiError(
            409,
            'conflict',
            'A reply is still being written in this conversation; wait for it or stop it first.',
          );
        }
        const avatar = await avatarCache.get(conversation.avatarId);
        if (!avatar) throw notFound('The avatar');
        const visitor = c.var.visitor;
        const admission = await quotas.admitMessage(visitor);
        const fallbacks = (avatar.fallbackModels ?? []).flatMap((id) => deps.models(id) ?? []);
        // Past a budget's soft limit, a cheaper model answers first (when the provider has it).
        const primary = (admission.admitted && admission.degradeTo && deps.models(admission.degradeTo)) || deps.model;
        let model: ChatModel = new ResilientChatModel([primary, ...fallbacks], deps.resilience);
        if (!admission.admitted) {
          const { scope, metric, period } = admission.quota;
          deps.metrics.refusals.inc({ kind: 'quota', rule: `${scope}:${metric}:${period}` });
          const retryAfterMs = Math.max(0, admission.resetsAt.getTime() - Date.now());
          if (admission.quota.onExceeded === 'refuse') {
            const seconds = Math.ceil(retryAfterMs / 1000);
            const window = { day: 86_400, week: 604_800, month: 2_592_000 }[period];
            c.header('Retry-After', String(seconds));
            c.header('RateLimit-Policy', `"quota";q=${admission.quota.limit};w=${window}`);
            c.header('RateLimit', `"quota";r=0;t=${seconds}`);
            throw new ApiError(
              429,
              'quota_exceeded',
              `The ${{ day: 'daily', week: 'weekly', month: 'monthly' }[admission.quota.period]} ${admission.quota.metric} budget for this chat is used up; it resets at ${admission.resetsAt.toISOString()}.`,
              retryAfterMs,
            );
          }
          model = new ScriptedChatModel(avatar.limitMessage ?? DEFAULT_LIMIT_MESSAGE);
        }
        const body = await createReplyStream({
          store,
          model,
          onFailedAttempt: (attempt) => {
            const cost = deps.ledger.record({
              tenantId: visitor.tenantId,
              avatarId: visitor.avatarId,
              visitorId: visitor.visitorId,
              conversationId: conversation.id,
              provider: attempt.provider,
              model: attempt.modelId,
              operation: 'chat',
              latencyMs: attempt.latencyMs,
              outcome: 'error',
              errorCode: attempt.error.code,
            });
            observeReply(deps, failedSummary(attempt), cost, visitor.tenantId);
          },
          onSettled: async (summary) => {
            const cost = deps.ledger.record({
              ...summary,
              tenantId: visitor.tenantId,
              avatarId: visitor.avatarId,
              visitorId: visitor.visitorId,
              conversationId: conversation.id,
              operation: 'chat',
            });
            observeReply(deps, summary, cost, visitor.tenantId);
            await quotas.record(visitor, { tokens: summary.inputTokens + summary.outputTokens, costMicroUsd: cost });
          },
          conversationId: conversation.id,
          history: turn.history,
          persona: avatar.persona,
          content,
          signal: c.req.raw.signal,
          log: deps.log,
        });
        return c.body(body, 200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          'x-accel-buffering': 'no',
        });
      },
    );
}

function failedSummary(attempt: FailedAttempt): ReplySummary {
  return {
    messageId: '',
    provider: attempt.provider,
    model: attempt.modelId,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    latencyMs: attempt.latencyMs,
    ttftMs: null,
    outcome: 'error',
    errorCode: attempt.error.code,
    errorMessage: attempt.error.message,
  };
}

/** Metrics and error groups for one finished model call. */
function observeReply(
  deps: ConversationRouteDeps,
  summary: ReplySummary,
  costMicroUsd: number,
  tenantId: string,
): void {
  const labels = { provider: summary.provider, model: summary.model };
  if (summary.ttftMs !== null) deps.metrics.timeToFirstToken.observe(labels, summary.ttftMs / 1000);
  deps.metrics.tokens.inc({ ...labels, kind: 'input' }, summary.inputTokens - summary.cachedInputTokens);
  deps.metrics.tokens.inc({ ...labels, kind: 'cached_input' }, summary.cachedInputTokens);
  deps.metrics.tokens.inc({ ...labels, kind: 'output' }, summary.outputTokens);
  deps.metrics.cost.inc(labels, costMicroUsd / 1e6);
  if (summary.outcome === 'error') {
    const code = summary.errorCode ?? 'upstream_error';
    deps.metrics.upstreamErrors.inc({ provider: summary.provider, code });
    void deps.errors.record({
      kind: 'upstream',
      code,
      message: summary.errorMessage ?? code,
      tenantId,
      context: { provider: summary.provider, model: summary.model, latencyMs: Math.round(summary.latencyMs) },
    });
  }
}
