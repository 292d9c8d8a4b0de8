import {
  ConversationListSchema,
  ConversationSchema,
  CreateConversationRequestSchema,
  FeedbackRequestSchema,
  FeedbackSchema,
  IdSchema,
  MessageListSchema,
  SendMessageRequestSchema,
  StreamPartSchema,
} from '@vibhava/protocol';
import { Hono } from 'hono';
import { z } from 'zod/mini';
import type { VisitorTokens } from '../auth/visitor-token.js';
import { AvatarCache } from '../avatars/avatar-cache.js';
import { loreForTurn } from '../avatars/avatar-lore.js';
import { AvatarProfiles } from '../avatars/avatar-profiles.js';
import { composeTurn } from '../avatars/avatar-turn.js';
import { VisitorDirectory } from '../visitors/visitor-directory.js';
import { loadEmotionClassifier } from '../emotion/emotion-classifier.js';
import type { EmotionDetector } from '../emotion/index.js';
import { DEFAULT_ADAPTATION_BOUNDS, NEUTRAL_TONE, TONE_WINDOW, adaptTone, type ToneState } from '../persona/index.js';
import { ConversationStore } from '../conversations/conversation-store.js';
import { FeedbackStore } from '../conversations/feedback-store.js';
import { createReplyStream, type ReplySummary } from '../conversations/reply-stream.js';
import { empatheticExpression } from '../conversations/structured-reply.js';
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
const MessageParams = z.object({ conversationId: IdSchema, messageId: IdSchema });
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
  {
    method: 'put',
    path: '/v1/conversations/{conversationId}/messages/{messageId}/feedback',
    summary: 'Rate a reply: thumbs up or down, with an optional reason',
    description:
      'One vote per reply; voting again replaces it. Reasons such as `too_long` steer the avatar’s tone adaptation.',
    auth: 'visitor',
    params: { conversationId: IdSchema, messageId: IdSchema },
    body: FeedbackRequestSchema,
    responses: {
      200: { description: 'The stored vote', schema: FeedbackSchema },
      400: { description: 'Invalid vote, or the message is not a reply' },
      404: { description: 'No such reply in this visitor’s conversation' },
      409: { description: 'The reply is still being written' },
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
  emotions?: Promise<EmotionDetector> | undefined;
}

export function conversationRoutes(deps: ConversationRouteDeps) {
  const store = new ConversationStore(deps.db);
  const feedback = new FeedbackStore(deps.db);
  const quotas = new QuotaService(deps.db);
  const avatarCache = new AvatarCache(deps.db);
  const profiles = new AvatarProfiles(deps.db);
  const visitorDirectory = new VisitorDirectory(deps.db);
  // Loaded once. Without it (a broken install) replies still work, just without the visitor's emotion.
  const emotions = (deps.emotions ?? loadEmotionClassifier()).catch((error: unknown) => {
    deps.log('Loading the emotion classifier failed; visitor emotions are off', error);
    return null;
  });
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
      return c.json(await store.create(c.var.visitor, avatar ? { avatarVersion: avatar.version } : {}), 201);
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
        return c.json(await feedback.rate(conversation.id, messageId, c.req.valid('json')), 200);
      },
    )
    .post(
      '/:conversationId/messages',
      validate('param', ConversationParams),
      validate('json', SendMessageRequestSchema),
      limitMessages,
      async (c) => {
        const { content } = c.req.valid('json');
        const conversation = await store.get(c.var.visitor, c.req.valid('param').conversationId);
        const turn = await store.turnContext(conversation.id, HISTORY_TURNS, 120_000, TONE_WINDOW);
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
        const profile = await profiles.forConversation(avatar, conversation.avatarVersion);
        // The visitor's emotion: stored with their message, and a tone hint for the reply.
        const detected = await (await emotions)?.classify(content);
        const visitorEmotion = detected
          ? { label: detected.label, ekman: detected.ekman, intensity: detected.intensity }
          : undefined;
        const visitorMessages = [...turn.history.filter((m) => m.role === 'user').map((m) => m.content), content];
        const tone = adaptTone({
          bounds: profile.adaptation ?? DEFAULT_ADAPTATION_BOUNDS,
          ...(visitorEmotion ? { visitorEmotion } : {}),
          recentFeedback: turn.feedback.map((v) => ({
            rating: v.rating,
            at: v.at,
            ...(v.reason ? { reason: v.reason } : {}),
          })),
          recentVisitorMessages: visitorMessages.slice(-TONE_WINDOW),
          previous: { ...NEUTRAL_TONE, ...(conversation.toneState as Partial<ToneState> | null) },
        });
        const lore = loreForTurn(profile, [...turn.history.map((m) => m.content), content]);
        const who = await visitorDirectory.profile(visitor.visitorId);
        const prompt = composeTurn({
          avatarKey: `${avatar.id}@${conversation.avatarVersion ?? avatar.version}`,
          profile,
          visitor: { verified: who.verified, ...(who.name ? { name: who.name } : {}) },
          timeZone: await quotas.tenantTimeZone(visitor.tenantId),
          visitorEmotion,
          tone: tone.hint,
          lorebook: lore.triggered,
          constantLore: lore.constant,
          log: deps.log,
        });
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
          persona: prompt.system,
          turnNote: prompt.turnNote,
          visitorEmotion: visitorEmotion ?? null,
          expressionFilter: empatheticExpression(visitorEmotion?.ekman),
          content,
          signal: c.req.raw.signal,
          log: deps.log,
          onStarted: (userMessage) => {
            if (tone.changes.length === 0) return;
            const ref = { ...visitor, conversationId: conversation.id, messageId: userMessage.id };
            store
              .saveTone(ref, tone.state, tone.changes)
              .catch((error: unknown) => deps.log('Saving the tone failed', error));
          },
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
