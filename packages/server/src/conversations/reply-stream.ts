import {
  encodeSseEvent,
  type ContextTrace,
  type EkmanEmotion,
  type Emotion,
  type ErrorInfo,
  type FinishReason,
  type Message,
  type StreamPart,
} from '@vibhava/protocol';
import { ModelError, type ChatModel, type ChatPromptMessage, type FailedAttempt } from '../providers/chat-model.js';
import type { ConversationStore } from './conversation-store.js';
import {
  AVATAR_REPLY_FORMAT,
  AVATAR_REPLY_INSTRUCTION,
  AvatarReplyParser,
  toStructuredHistory,
} from './structured-reply.js';

export interface ReplySummary {
  messageId: string;
  /** The reply's text as stored. */
  text: string;
  provider: string;
  model: string;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  latencyMs: number;
  ttftMs: number | null;
  outcome: 'ok' | 'error' | 'aborted';
  errorCode: string | null;
  errorMessage: string | null;
}

export interface ReplyStreamOptions {
  store: ConversationStore;
  model: ChatModel;
  conversationId: string;
  /** The rendered system message. */
  persona: string;
  /** Per-turn context (time, emotion, tone, lore) sent as a system note right before the visitor's message. */
  turnNote?: string;
  content: string;
  /** Answer this stored visitor message again (regenerate, edit) instead of storing `content` as a new one. */
  existingUserMessage?: Message;
  /**
   * Builds the prompt (the context manager: budget, summary, memories); without it the prompt is
   * the persona, the whole `history`, the turn note and the message. `nextTurnPrefix` is how the
   * next turn's prompt will begin once the reply is known (for the local model's KV cache).
   */
  compose?: (expressive: boolean) => {
    messages: ChatPromptMessage[];
    trace?: ContextTrace;
    nextTurnPrefix: (reply: string) => ChatPromptMessage[];
  };
  /** The visitor's detected emotion, stored with their message. */
  visitorEmotion?: Emotion | null;
  /** Adjusts the expression the model chose before anyone sees it (see `empatheticExpression`). */
  expressionFilter?: (emotion: EkmanEmotion) => EkmanEmotion;
  /**
   * Ask the model for the avatar's expression through structured output and stream it as an
   * `emotion` part. Default: when the model supports structured output.
   */
  expressive?: boolean;
  /** Aborted when the visitor disconnects or stops the reply. */
  signal: AbortSignal;
  /** The conversation's recent turns, oldest first (from `ConversationStore.turnContext`). */
  history: readonly Message[];
  maxOutputTokens?: number;
  log?: (message: string, error: unknown) => void;
  /** Told about each failed attempt that a retry or a fallback model took over from. */
  onFailedAttempt?: (attempt: FailedAttempt) => void;
  /** Called once the visitor's message is stored, before the model is asked. */
  onStarted?: (userMessage: Message) => void;
  /** Called once the reply is stored, with what the call used and how it went (ledger, budgets). */
  onSettled?: (summary: ReplySummary) => Promise<void>;
  /**
   * Called after the reply is stored and before `finish` is sent, with its status: what must be
   * true by the time the visitor sees the reply end (a replaced reply gone).
   */
  beforeFinish?: (reply: { messageId: string; status: Message['status'] }) => Promise<void>;
}

/**
 * Stores the visitor's message, then streams the model's reply as SSE parts. Whatever happens
 * (model error, disconnect), the visitor's message stays stored and the reply is stored with
 * the text produced so far, marked `partial` (or `error` when there is none).
 */
export async function createReplyStream(options: ReplyStreamOptions): Promise<ReadableStream<Uint8Array>> {
  const { store, model, conversationId, history } = options;
  const { userMessage, assistantId } = options.existingUserMessage
    ? { userMessage: options.existingUserMessage, assistantId: await store.beginReply(conversationId) }
    : await store.beginTurn(conversationId, options.content, { emotion: options.visitorEmotion ?? null });
  options.onStarted?.(userMessage);
  const expressive = options.expressive ?? model.structuredOutput === true;
  const composed = options.compose?.(expressive);
  const prompt: ChatPromptMessage[] = composed?.messages ?? [
    { role: 'system', content: expressive ? `${options.persona}\n\n${AVATAR_REPLY_INSTRUCTION}` : options.persona },
    ...history.map((m): ChatPromptMessage => {
      const message = { role: m.role, content: m.content };
      return expressive ? toStructuredHistory(message, m.emotion?.ekman) : message;
    }),
    ...(options.turnNote ? [{ role: 'system' as const, content: options.turnNote }] : []),
    { role: 'user', content: options.content },
  ];
  const trace = composed?.trace;
  const parser = expressive ? new AvatarReplyParser() : undefined;
  const encoder = new TextEncoder();
  const abort = new AbortController();
  const onAbort = () => abort.abort(options.signal.reason);
  options.signal.addEventListener('abort', onAbort, { once: true });

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (part: StreamPart) => {
        try {
          controller.enqueue(encoder.encode(encodeSseEvent(part)));
        } catch {
          // The client went away; generation stops through the abort signal.
        }
      };
      send({ type: 'start', conversationId, userMessage, assistantMessageId: assistantId });
      send({ type: 'text-start', id: assistantId });
      if (trace) send({ type: 'context', id: assistantId, trace });
      let text = '';
      let expression: EkmanEmotion | undefined;
      let usage: { inputTokens: number; outputTokens: number; cachedInputTokens?: number } | undefined;
      let finishReason: FinishReason = 'stop';
      let error: ErrorInfo | undefined;
      const started = performance.now();
      let ttftMs: number | null = null;
      let answering = { provider: model.provider, modelId: model.modelId };
      try {
        for await (const part of model.stream({
          messages: prompt,
          signal: abort.signal,
          conversationKey: conversationId,
          ...(options.onFailedAttempt ? { onFailedAttempt: options.onFailedAttempt } : {}),
          ...(options.maxOutputTokens ? { maxOutputTokens: options.maxOutputTokens } : {}),
          ...(expressive ? { responseFormat: AVATAR_REPLY_FORMAT } : {}),
          // The next turn begins with this turn's prompt (less its note) and this reply.
          nextTurnPrefix:
            composed?.nextTurnPrefix ??
            ((reply) => [
              ...prompt.filter((m) => m.content !== options.turnNote || m.role !== 'system'),
              { role: 'assistant', content: reply },
            ]),
        })) {
          if (part.type === 'text-delta') {
            if (!parser) {
              ttftMs ??= performance.now() - started;
              text += part.delta;
              send({ type: 'text-delta', id: assistantId, delta: part.delta });
              continue;
            }
            for (const event of parser.push(part.delta)) {
              if (event.type === 'emotion') {
                expression = options.expressionFilter?.(event.emotion) ?? event.emotion;
                send({ type: 'emotion', id: assistantId, emotion: expression });
              } else {
                ttftMs ??= performance.now() - started;
                text += event.delta;
                send({ type: 'text-delta', id: assistantId, delta: event.delta });
              }
            }
          } else if (part.type === 'usage') {
            usage = part;
          } else if (part.type === 'model') {
            answering = { provider: part.provider, modelId: part.modelId };
          } else {
            finishReason = part.finishReason;
          }
        }
        if (abort.signal.aborted) finishReason = 'aborted';
      } catch (cause) {
        finishReason = abort.signal.aborted ? 'aborted' : 'error';
        if (!abort.signal.aborted) {
          error =
            cause instanceof ModelError
              ? { code: cause.code, message: cause.message }
              : { code: 'upstream_error', message: 'The model failed while replying.' };
          if (!(cause instanceof ModelError)) options.log?.('Model stream failed', cause);
        }
      } finally {
        options.signal.removeEventListener('abort', onAbort);
      }
      send({ type: 'text-end', id: assistantId });
      if (usage) send({ type: 'usage', ...usage });
      if (error) send({ type: 'error', error });
      const complete = finishReason === 'stop' || finishReason === 'length';
      const final = {
        content: text,
        status: complete ? 'complete' : text || finishReason === 'aborted' ? 'partial' : 'error',
        inputTokens: usage?.inputTokens ?? null,
        outputTokens: usage?.outputTokens ?? null,
        cachedInputTokens: usage?.cachedInputTokens ?? null,
        provider: answering.provider,
        model: answering.modelId,
        errorCode: error?.code ?? (finishReason === 'aborted' ? 'aborted' : null),
        emotion: expression ? { label: expression, ekman: expression, intensity: 1 } : null,
        trace: trace ?? null,
      } as const;
      let message: Message;
      try {
        message = await store.finishReply(assistantId, final);
      } catch (failure) {
        // The stream still ends properly: say the reply was not saved, and finish with it as sent.
        options.log?.('Storing the reply failed', failure);
        send({ type: 'error', error: { code: 'internal_error', message: 'The reply could not be saved.' } });
        message = {
          ...userMessage,
          id: assistantId,
          role: 'assistant',
          content: text,
          status: final.status,
          inputTokens: final.inputTokens,
          outputTokens: final.outputTokens,
          emotion: final.emotion,
        };
      }
      await options
        .beforeFinish?.({ messageId: assistantId, status: message.status })
        .catch((failure: unknown) => options.log?.('Finishing the reply failed', failure));
      send({ type: 'finish', message, finishReason });
      try {
        controller.close();
      } catch {
        // Already closed by a disconnect.
      }
      await options
        .onSettled?.({
          messageId: assistantId,
          text,
          provider: answering.provider,
          model: answering.modelId,
          inputTokens: usage?.inputTokens ?? 0,
          cachedInputTokens: usage?.cachedInputTokens ?? 0,
          outputTokens: usage?.outputTokens ?? 0,
          latencyMs: performance.now() - started,
          ttftMs,
          outcome: complete ? 'ok' : finishReason === 'aborted' ? 'aborted' : 'error',
          errorCode: error?.code ?? null,
          errorMessage: error?.message ?? null,
        })
        .catch((failure: unknown) => options.log?.('Recording usage failed', failure));
    },
    cancel(reason) {
      abort.abort(reason);
    },
  });
}
