import type { ContextTrace, Conversation, Emotion, Message } from '@vibhava/protocol';
import type { Context } from 'hono';
import { AvatarCache } from '../avatars/avatar-cache.js';
import { loreForTurn } from '../avatars/avatar-lore.js';
import { AvatarProfiles } from '../avatars/avatar-profiles.js';
import { expressionAfterReply, expressionForVisitor } from '../avatars/avatar-expression.js';
import { composeTurn } from '../avatars/avatar-turn.js';
import { compactContext, type CompactContext } from '../avatars/compact-context.js';
import { turnIntent } from '../avatars/turn-intent.js';
import {
  buildContext,
  contextBudget,
  DEFAULT_CONTEXT_WINDOW,
  DEFAULT_MAX_INPUT_TOKENS,
  tokenCounterFor,
} from '../context/index.js';
import type { VisitorClaims } from '../auth/visitor-token.js';
import type { Database } from '../db/database.js';
import { loadEmotionClassifier } from '../emotion/emotion-classifier.js';
import type { EmotionDetector } from '../emotion/index.js';
import { ApiError, notFound } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { streamText } from '../http/node-http.js';
import type { MemoryOutbox } from '../memory/memory-outbox.js';
import type { MemoryService, RecalledContext } from '../memory/memory-service.js';
import { visitorScope, type MemoryScope } from '../memory/memory-store.js';
import type { ErrorTracker } from '../observability/error-tracker.js';
import type { Metrics } from '../observability/metrics.js';
import { DEFAULT_ADAPTATION_BOUNDS, NEUTRAL_TONE, TONE_WINDOW, adaptTone, type ToneState } from '../persona/index.js';
import type { ChatModel, PromptStyle } from '../providers/chat-model.js';
import type { ModelDirectory } from '../providers/registry.js';
import type { ResilienceOptions } from '../providers/resilient-chat-model.js';
import { QuotaService, type Admission } from '../quotas/quota-service.js';
import type { UsageLedger } from '../usage/usage-ledger.js';
import { VisitorDirectory } from '../visitors/visitor-directory.js';
import { ConversationStore, type ConversationRef, type TurnMessage } from './conversation-store.js';
import { failedSummary, observeReply } from './reply-observer.js';
import { rollingSummaries } from './rolling-summaries.js';
import { RunningReplies } from './running-replies.js';
import { startReply, type ReplyRun } from './reply-stream.js';
import { modelsFor } from './turn-models.js';
import { AVATAR_REPLY_INSTRUCTION, empatheticExpression, toStructuredHistory } from './structured-reply.js';

const DEFAULT_LIMIT_MESSAGE =
  "I've had a lot of conversations today and need a short rest. Let's pick this up again a little later!";
/** Messages since the summary point read for a turn (summaries keep fewer behind them); the context manager keeps what fits. */
const HISTORY_LIMIT = 64;
/**
 * Past this many messages since the summary point, the oldest are summarized in the background
 * (hosted models). The local model summarizes only once the budget leaves turns out: it writes
 * one thing at a time, and a summary would hold up the visitor's next reply.
 */
const SUMMARIZE_AFTER = 32;
/** Recent messages whose words may activate lorebook entries. */
const LORE_WINDOW = 20;
/** Memories retrieved per turn (the context manager may send fewer). */
const MEMORY_RESULTS = 8;
/** Entries of the site's knowledge retrieved per turn. */
const KNOWLEDGE_RESULTS = 4;
/**
 * A small model gets a site's knowledge whole, in its system message, up to this many entries
 * (about 800 tokens): read once into its cache, it spares every question a retrieval miss.
 */
const WHOLE_KNOWLEDGE = 40;
/** Tokens a reply may take; a small model's replies are kept short (it loops when it runs on). */
const MAX_OUTPUT_TOKENS: Record<PromptStyle, number> = { full: 1024, compact: 256 };
/** What finds the site's contact details among its knowledge. */
const CONTACT_QUERY = 'contact phone call email address';
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

export interface TurnReplierDeps {
  db: Database;
  model: ChatModel;
  models: ModelDirectory;
  resilience?: ResilienceOptions | undefined;
  metrics: Metrics;
  errors: ErrorTracker;
  ledger: UsageLedger;
  memory: MemoryService;
  /** Where turns wait until memory has them (survives a stopped process); none: remembered in memory only. */
  memoryOutbox?: MemoryOutbox | undefined;
  emotions?: Promise<EmotionDetector> | undefined;
  /** Input tokens per reply at most (default 8192). */
  maxContextTokens?: number | undefined;
  log: (message: string, error: unknown) => void;
}

/** What the visitor asked for: a new message, the last one again, or an edited last one. */
export interface TurnRequest {
  content: string;
  again?: { user: TurnMessage; after: TurnMessage[] };
  edited?: boolean;
}

/**
 * Answers visitors' messages: the avatar's side (profile, emotion, tone, lore), memory and the
 * context manager, budgets and the model chain, the streamed reply, then, in the background,
 * remembering the turn and folding old turns into the summary. `replies` holds the replies this
 * instance is writing, so a stop request can end them.
 */
export function createTurnReplier(deps: TurnReplierDeps) {
  const store = new ConversationStore(deps.db);
  const quotas = new QuotaService(deps.db);
  const avatarCache = new AvatarCache(deps.db);
  const profiles = new AvatarProfiles(deps.db);
  const visitorDirectory = new VisitorDirectory(deps.db);
  // Loaded once. Without it (a broken install) replies still work, just without the visitor's emotion.
  const emotions = (deps.emotions ?? loadEmotionClassifier()).catch((error: unknown) => {
    deps.log('Loading the emotion classifier failed; visitor emotions are off', error);
    return null;
  });
  const replies = new RunningReplies(store, deps.log);
  const summarizeLater = rollingSummaries({ ...deps, store, quotas });
  return { reply, replies, prepare };

  /**
   * Loads the avatar's system message into the model's own cache (the local model's KV cache)
   * for a conversation that has just begun, while the visitor writes: the first reply then reads
   * only what is new. Does nothing for models without such a cache.
   */
  async function prepare(visitor: VisitorClaims, conversation: Pick<Conversation, 'id' | 'avatarId'>): Promise<void> {
    if (!deps.model.prepare) return;
    const avatar = await avatarCache.get(conversation.avatarId);
    if (!avatar) return;
    // A new conversation begins on the avatar's current version.
    const profile = await profiles.forConversation(avatar, avatar.version);
    const who = await visitorDirectory.profile(visitor.visitorId);
    const style = deps.model.promptStyle ?? 'full';
    const prompt = composeTurn({
      avatarKey: `${avatar.id}@${avatar.version}`,
      profile,
      visitor: { verified: who.verified, ...(who.name ? { name: who.name } : {}) },
      timeZone: await quotas.tenantTimeZone(visitor.tenantId),
      constantLore: loreForTurn(profile, []).constant,
      style,
      knowledge:
        style === 'compact' ? await deps.memory.wholeKnowledge(visitorScope(visitor), WHOLE_KNOWLEDGE) : undefined,
      log: deps.log,
    });
    await deps.model.prepare({
      messages: [{ role: 'system', content: prompt.system }],
      conversationKey: conversation.id,
    });
  }

  /**
   * Answers the visitor: a new message, the last one again (`again`), or an edited last one.
   * Builds the context (summary, recent turns, memories, preferences within the model's token
   * budget), streams the reply, then remembers the turn in the background.
   */
  async function reply(c: Context<AppEnv>, target: ConversationRef | string, request: TurnRequest) {
    const { content, again } = request;
    const visitor = c.var.visitor;
    const scope = visitorScope(visitor);
    // A new message (an id) reads its conversation and recent turns in one statement.
    // One embedding of the message serves both memory search and the visitor's emotion. It runs
    // on ONNX Runtime's own thread: started first, it is computed while the turn is read.
    const embedding = deps.memory.enabled ? deps.memory.embed(content) : Promise.resolve(null);
    const turn =
      typeof target === 'string'
        ? await store.openTurn(visitor, target, HISTORY_LIMIT, 120_000, TONE_WINDOW)
        : {
            conversation: target,
            ...(await store.turnContext(target.id, HISTORY_LIMIT, 120_000, TONE_WINDOW, target.summaryThroughSeq)),
          };
    const { conversation } = turn;
    if (turn.replyInProgress) {
      throw new ApiError(
        409,
        'conflict',
        'A reply is still being written in this conversation; wait for it or stop it first.',
      );
    }
    // Answering again: the history stops before the message being answered.
    const history = again ? turn.history.filter((m) => m.seq < again.user.seq) : turn.history;
    const avatar = await avatarCache.get(conversation.avatarId);
    if (!avatar) throw notFound('The avatar');
    const profile = await profiles.forConversation(avatar, conversation.avatarVersion);
    const vector = await embedding;
    const detector = await emotions;
    const detected = detector ? await detector.classifyMessage(content, vector) : undefined;
    const visitorEmotion = detected
      ? { label: detected.label, ekman: detected.ekman, intensity: detected.intensity }
      : undefined;
    const visitorMessages = [...history.filter((m) => m.role === 'user').map((m) => m.content), content];
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
    const style = deps.model.promptStyle ?? 'full';
    // The query is the message with the turns before it, so "and what about her?" still finds her.
    const recall = await deps.memory.contextFor(
      scope,
      {
        text: content,
        context: history
          .slice(-2)
          .map((m) => m.content)
          .join('\n'),
        vector,
      },
      // Extra results make up for those the verbatim history already holds.
      {
        k: MEMORY_RESULTS + 4,
        knowledge: KNOWLEDGE_RESULTS,
        // A small model is given facts before the exchanges they came from (see `compactContext`).
        ...(style === 'compact' ? { collapseSources: false } : {}),
        ...(style === 'compact' ? { wholeKnowledgeUpTo: WHOLE_KNOWLEDGE } : {}),
      },
    );
    const lore = loreForTurn(profile, [...history.slice(-LORE_WINDOW).map((m) => m.content), content]);
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
      style,
      knowledge: recall.wholeKnowledge,
      log: deps.log,
    });
    const compact =
      style === 'compact'
        ? await compactPieces(deps.memory, scope, {
            content,
            visitorEmotion,
            recall,
            visitorSpoke: history.some((m) => m.role === 'user'),
            avatarName: profile.name,
          })
        : undefined;
    // Clear of every budget (as this process last saw them), a new message's model call goes out
    // at once and the exact admission runs while it travels; otherwise admission comes first.
    const admission = await quotas.prepareAdmission(visitor);
    let verdict = admission.clear && !again ? undefined : await admission.admit();
    const fallbacks = (avatar.fallbackModels ?? []).flatMap((id) => deps.models(id) ?? []);
    const chooseModels = (verdict: Admission | undefined) =>
      modelsFor(verdict, { ...deps, fallbacks, limitMessage: avatar.limitMessage ?? DEFAULT_LIMIT_MESSAGE, c });
    let { primary, model } = chooseModels(verdict);
    // Answering again: an edit rewrites the message first. The old reply (and what memory drew
    // from it) goes once a new one exists. When a regenerated reply fails outright, the old reply
    // stays and the failed one goes instead (after an edit the old reply answered another text).
    let userMessage: Message | undefined;
    const oldReplies = again?.after.map((m) => m.id) ?? [];
    if (again) {
      if (request.edited) {
        await store.editMessage(conversation.id, again.user.id, content, visitorEmotion ?? null);
        void deps.memory.forgetMessages(scope, [again.user.id]);
      }
      const { seq: _seq, ...stored } = again.user;
      userMessage = { ...stored, content, emotion: visitorEmotion ?? stored.emotion ?? null };
    }
    const budgetFor = (model: ChatModel) =>
      contextBudget({
        contextWindow: model.contextWindow ?? DEFAULT_CONTEXT_WINDOW,
        maxOutputTokens: MAX_OUTPUT_TOKENS[style],
        maxInputTokens: deps.maxContextTokens ?? DEFAULT_MAX_INPUT_TOKENS,
      });
    let counter = tokenCounterFor(primary);
    let budget = budgetFor(model);
    let dropped = 0;
    let started: Message | undefined;
    let keptOldReply = false;
    const inHistory = new Set([...history.map((m) => m.id), ...(again ? [again.user.id] : [])]);
    const outbox = deps.memory.enabled ? deps.memoryOutbox : undefined;
    const { signal: stopSignal, done: forgetStop } = replies.start(conversation.id);
    const begin = (model: ChatModel, confirm?: () => Promise<boolean>) =>
      startReply({
        store,
        model,
        ...(confirm ? { confirm } : {}),
        ...(outbox ? { alsoStore: (ids) => [outbox.entry({ conversationId: conversation.id, ...ids })] } : {}),
        ...(userMessage ? { existingUserMessage: userMessage } : {}),
        compose: (expressive) => {
          const built = buildContext({
            counter,
            budget,
            system: expressive ? `${prompt.system}\n\n${AVATAR_REPLY_INSTRUCTION}` : prompt.system,
            summary: conversation.summary,
            // An exchange the verbatim history already holds needs no memory; facts drawn from
            // it stay, short and in plain words (and the reply's trace shows them).
            memories:
              compact?.memories ??
              recall.memories
                .filter((memory) => memory.kind === 'fact' || !memory.sourceMessageIds.some((id) => inHistory.has(id)))
                .slice(0, MEMORY_RESULTS),
            knowledge: compact?.knowledge ?? recall.knowledge,
            style,
            preferences: recall.preferences,
            history: history.map((m) => {
              const message = { role: m.role, content: m.content };
              return {
                id: m.id,
                role: m.role,
                content: expressive ? toStructuredHistory(message, m.emotion?.ekman).content : m.content,
              };
            }),
            turnNote: [compact?.guidance, prompt.turnNote].filter(Boolean).join('\n') || undefined,
            userMessage: content,
          });
          dropped = built.trace.droppedHistory;
          const trace: ContextTrace = {
            memories: built.trace.memories,
            // A small site's knowledge is all in the system message: the trace names what bears on the message.
            knowledge:
              compact?.relevant.map((m) => ({ id: m.id, text: m.text.slice(0, 200) })) ?? built.trace.knowledge,
            preferences: built.trace.preferences,
            lorebook: lore.entries.map((entry) => ({
              id: String(entry.id ?? entry.name ?? ''),
              name: entry.name ?? String(entry.id ?? 'entry'),
            })),
            summarized: built.trace.summarized,
            tokens: built.trace.tokens,
            historyMessages: built.trace.historyMessages,
            memoryPaused: recall.paused,
          };
          const stable = built.messages.slice(0, built.stablePrefixLength);
          return {
            messages: built.messages,
            trace,
            nextTurnPrefix: (text) => [...stable, { role: 'user', content }, { role: 'assistant', content: text }],
          };
        },
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
        beforeFinish: async ({ messageId, status }) => {
          if (oldReplies.length === 0) return;
          const failed = status === 'error' && !request.edited;
          keptOldReply = failed;
          await store.deleteMessages(conversation.id, failed ? [messageId] : oldReplies);
          if (!failed) void deps.memory.forgetMessages(scope, oldReplies);
        },
        onSettled: async (summary) => {
          forgetStop();
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
          // A failed regeneration left the old reply, and its turn is remembered already.
          if (!started) return;
          if (keptOldReply) {
            void outbox
              ?.done(summary.messageId)
              .catch((error: unknown) => deps.log('Clearing the memory outbox failed', error));
            return;
          }
          // In the background, never delaying the reply: remember the turn, learn preferences,
          // and fold old turns into the rolling summary once they fall out of the window.
          const remembered = deps.memory.remember({
            scope,
            user: { id: started.id, content, createdAt: started.createdAt },
            ...(summary.outcome === 'ok' && summary.text
              ? { assistant: { id: summary.messageId, content: summary.text } }
              : {}),
            previous: history.slice(-4).map((m) => ({ id: m.id, role: m.role, content: m.content })),
            names: { visitor: who.name ?? 'Visitor', avatar: profile.name },
          });
          if (outbox) {
            void remembered
              .then(() => outbox.done(summary.messageId))
              .catch((error: unknown) => deps.log('Clearing the memory outbox failed', error));
          }
          if (!again || request.edited) void deps.memory.preferences.learnFromMessage(scope, content, started.id);
          const long = history.length > SUMMARIZE_AFTER && primary.provider !== 'local';
          if (dropped > 0 || long) summarizeLater(visitor, conversation, history, primary, counter);
        },
        conversationId: conversation.id,
        history,
        persona: prompt.system,
        turnNote: prompt.turnNote,
        visitorEmotion: visitorEmotion ?? null,
        expressionFilter: empatheticExpression(visitorEmotion?.ekman),
        // A small model writes plain text, and the classifier chooses its face.
        ...(style === 'compact' ? { expressive: false } : {}),
        plainExpression: {
          first: expressionForVisitor(content, visitorEmotion),
          after: async (text) =>
            expressionAfterReply(expressionForVisitor(content, visitorEmotion), text, await emotions),
        },
        stop: ['\nVisitor:', '\nUser:', ...(who.name ? [`\n${who.name}:`] : [])],
        speakerLabels: [profile.name],
        content,
        signal: stopSignal,
        maxOutputTokens: MAX_OUTPUT_TOKENS[style],
        log: deps.log,
        onStarted: (stored) => {
          started = stored;
          if (tone.changes.length === 0) return;
          const ref = { ...visitor, conversationId: conversation.id, messageId: stored.id };
          store
            .saveTone(ref, tone.state, tone.changes)
            .catch((error: unknown) => deps.log('Saving the tone failed', error));
        },
      });
    let run: ReplyRun | null;
    try {
      run = await begin(
        model,
        verdict
          ? undefined
          : async () => {
              verdict = await admission.admit();
              return verdict.admitted && !verdict.degradeTo;
            },
      );
      if (!run) {
        // The forecast was wrong (another instance spent the budget, or a soft limit was passed):
        // the call went out for nothing and was cut off. The verdict now decides, as usual.
        deps.ledger.record({
          tenantId: visitor.tenantId,
          avatarId: visitor.avatarId,
          visitorId: visitor.visitorId,
          conversationId: conversation.id,
          provider: primary.provider,
          model: primary.modelId,
          operation: 'chat',
          latencyMs: 0,
          outcome: 'aborted',
          errorCode: 'admission_changed',
        });
        ({ primary, model } = chooseModels(verdict));
        counter = tokenCounterFor(primary);
        budget = budgetFor(model);
        run = await begin(model);
        if (!run) throw new Error('A reply without an admission check was not started.');
      }
    } catch (error) {
      // The turn could not be stored (or was refused): nothing is being written that a stop could end.
      forgetStop();
      throw error;
    }
    const running = run;
    return streamText(c, SSE_HEADERS, (sink) => running.pipe(sink));
  }
}

/** The context a small model gets for this message (see `compactContext`). */
async function compactPieces(
  memory: MemoryService,
  scope: MemoryScope,
  turn: {
    content: string;
    visitorEmotion: Emotion | undefined;
    recall: RecalledContext;
    visitorSpoke: boolean;
    avatarName: string;
  },
): Promise<CompactContext> {
  const intent = turnIntent(turn.content, turn.visitorEmotion);
  const wholeKnowledge = turn.recall.wholeKnowledge !== undefined;
  const draft = compactContext({
    intent,
    ...turn.recall,
    wholeKnowledge,
    visitorSpoke: turn.visitorSpoke,
    avatarName: turn.avatarName,
  });
  const unanswered = intent === 'question' && !wholeKnowledge && draft.knowledge.length === 0;
  const [contact, aboutVisitor] = await Promise.all([
    unanswered ? memory.knowledge(scope, { text: CONTACT_QUERY }, 3) : [],
    intent === 'about-me' ? memory.recentFacts(scope, 6) : undefined,
  ]);
  if (!unanswered && !aboutVisitor) return draft;
  return compactContext({
    intent,
    ...turn.recall,
    wholeKnowledge,
    contact: contact.find((entry) => /@|\d{3}/.test(entry.text)),
    aboutVisitor,
    visitorSpoke: turn.visitorSpoke,
    avatarName: turn.avatarName,
  });
}
