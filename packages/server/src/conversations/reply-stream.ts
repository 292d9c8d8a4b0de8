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
import type { TextSink } from '../http/node-http.js';
import type { ModelCall } from '../usage/metered-model.js';
import {
  ModelError,
  type ChatModel,
  type ChatPromptMessage,
  type FailedAttempt,
  type ModelStreamPart,
} from '../providers/chat-model.js';
import type { AlsoStore, ConversationStore } from './conversation-store.js';
import {
  AVATAR_REPLY_FORMAT,
  AVATAR_REPLY_INSTRUCTION,
  AvatarReplyParser,
  toStructuredHistory,
} from './structured-reply.js';

/** What a reply's model call used (see `ModelCall`), with the reply it wrote. */
export interface ReplySummary extends ModelCall {
  messageId: string;
  /** The reply's text as stored. */
  text: string;
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
   * The face for a reply written in plain text: `first` is sent before the first word, `after`
   * decides once the whole reply is known (sent again when it differs).
   */
  plainExpression?: { first: EkmanEmotion; after: (reply: string) => Promise<EkmanEmotion> };
  /** Texts that end the reply where they begin (a small model writing the visitor's next line). */
  stop?: readonly string[];
  /** Names a small model may put before its own reply ("Vee:"); such a label is dropped. */
  speakerLabels?: readonly string[];
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
  /**
   * Checked once the model request has left and before anything is stored (a budget admission
   * that runs while the request travels): false cuts the call off, and `startReply` resolves to
   * null with nothing stored.
   */
  confirm?: () => Promise<boolean>;
  /** More statements for the batch that stores the turn (a memory outbox entry). */
  alsoStore?: AlsoStore;
  /** Called once the visitor's message is stored (the model already asked). */
  onStarted?: (userMessage: Message) => void;
  /** Called once the reply is stored, with what the call used and how it went (ledger, budgets). */
  onSettled?: (summary: ReplySummary) => Promise<void>;
  /**
   * Called after the reply is stored and before `finish` is sent, with its status: what must be
   * true by the time the visitor sees the reply end (a replaced reply gone).
   */
  beforeFinish?: (reply: { messageId: string; status: Message['status'] }) => Promise<void>;
}

/** A reply under way: the model has been asked and the visitor's message is stored. */
export interface ReplyRun {
  /**
   * Writes the reply's SSE parts into `sink` until the reply is stored and `finish` sent, then
   * ends it. The sink's `closed` signal (the visitor went away) stops generation.
   */
  pipe(sink: TextSink): Promise<void>;
}

/**
 * Asks the model and stores the visitor's message while the request travels (nothing reaches
 * the visitor before the message is stored), then streams the reply as SSE parts through
 * `pipe`. Whatever happens (model error, disconnect), the visitor's message stays stored and the
 * reply is stored with the text produced so far, marked `partial` (or `error` when there is
 * none). When storing the message fails, the model call is aborted and the error thrown.
 */
export async function startReply(options: ReplyStreamOptions): Promise<ReplyRun | null> {
  const { store, model, conversationId, history } = options;
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
  const abort = new AbortController();
  const onAbort = () => abort.abort(options.signal.reason);
  options.signal.addEventListener('abort', onAbort, { once: true });
  const started = performance.now();
  const stream = model.stream({
    messages: prompt,
    signal: abort.signal,
    conversationKey: conversationId,
    ...(options.onFailedAttempt ? { onFailedAttempt: options.onFailedAttempt } : {}),
    ...(options.maxOutputTokens ? { maxOutputTokens: options.maxOutputTokens } : {}),
    ...(expressive ? { responseFormat: AVATAR_REPLY_FORMAT } : {}),
    ...(options.stop?.length ? { stop: options.stop } : {}),
    // The next turn begins with this turn's prompt (less its note) and this reply.
    nextTurnPrefix:
      composed?.nextTurnPrefix ??
      ((reply) => [
        ...prompt.filter((m) => m.content !== options.turnNote || m.role !== 'system'),
        { role: 'assistant', content: reply },
      ]),
  });
  const parts = stream[Symbol.asyncIterator]();
  // The request goes out now; the message is stored once it has left (a macrotask later).
  const first = parts.next();
  first.catch(() => {});
  let pending: Promise<IteratorResult<ModelStreamPart>> | undefined = first;
  await new Promise((resolve) => setImmediate(resolve));
  let userMessage: Message;
  let assistantId: string;
  let createdAt: string;
  /** Cuts the call off before anything was stored. */
  const cancel = (reason: unknown) => {
    options.signal.removeEventListener('abort', onAbort);
    abort.abort(reason);
    void parts.return?.(undefined).catch(() => {});
  };
  try {
    if (options.confirm && !(await options.confirm())) {
      cancel(new DOMException('The reply was not admitted', 'AbortError'));
      return null;
    }
    if (options.existingUserMessage) {
      userMessage = options.existingUserMessage;
      ({ assistantId, createdAt } = await store.beginReply(conversationId, {
        userMessageId: userMessage.id,
        ...(options.alsoStore ? { also: options.alsoStore } : {}),
      }));
    } else {
      ({ userMessage, assistantId } = await store.beginTurn(conversationId, options.content, {
        emotion: options.visitorEmotion ?? null,
        ...(options.alsoStore ? { also: options.alsoStore } : {}),
      }));
      createdAt = userMessage.createdAt;
    }
  } catch (error) {
    cancel(error);
    throw error;
  }
  options.onStarted?.(userMessage);

  return {
    async pipe(sink) {
      const onClosed = () => abort.abort(sink.closed.reason);
      if (sink.closed.aborted) onClosed();
      else sink.closed.addEventListener('abort', onClosed, { once: true });
      const send = (part: StreamPart) => sink.write(encodeSseEvent(part));
      send({ type: 'start', conversationId, userMessage, assistantMessageId: assistantId });
      send({ type: 'text-start', id: assistantId });
      if (trace) send({ type: 'context', id: assistantId, trace });
      let text = '';
      let expression: EkmanEmotion | undefined = parser ? undefined : options.plainExpression?.first;
      if (expression) send({ type: 'emotion', id: assistantId, emotion: expression });
      const labels = parser ? undefined : new LeadingLabelFilter(options.speakerLabels ?? []);
      let usage: { inputTokens: number; outputTokens: number; cachedInputTokens?: number } | undefined;
      let finishReason: FinishReason = 'stop';
      let error: ErrorInfo | undefined;
      let ttftMs: number | null = null;
      let answering = { provider: model.provider, modelId: model.modelId };
      try {
        for (;;) {
          const next = await (pending ?? parts.next());
          pending = undefined;
          if (next.done) break;
          const part = next.value;
          if (part.type === 'text-delta') {
            if (!parser) {
              const delta = labels!.push(part.delta);
              if (!delta) continue;
              ttftMs ??= performance.now() - started;
              text += delta;
              send({ type: 'text-delta', id: assistantId, delta });
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
        const rest = labels?.flush();
        if (rest) {
          text += rest;
          send({ type: 'text-delta', id: assistantId, delta: rest });
        }
        if (abort.signal.aborted) finishReason = 'aborted';
        else if (!parser && expression && options.plainExpression) {
          const after = await options.plainExpression.after(text).catch((failure: unknown) => {
            options.log?.('Choosing the expression failed', failure);
            return expression!;
          });
          if (after !== expression) send({ type: 'emotion', id: assistantId, emotion: (expression = after) });
        }
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
        sink.closed.removeEventListener('abort', onClosed);
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
        message = await store.finishReply({ id: assistantId, conversationId, createdAt }, final);
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
      sink.end();
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
  };
}

/**
 * Drops a speaker label a small model may start its reply with ("Vee: Hello!" → "Hello!"): the
 * first characters are held until they can no longer be such a label.
 */
export class LeadingLabelFilter {
  #held = '';
  #state: 'start' | 'after-label' | 'pass' = 'start';
  readonly #labels: string[];

  constructor(names: readonly string[]) {
    this.#labels = [...new Set([...names, 'Assistant', 'AI'])].filter(Boolean).map((name) => `${name}:`.toLowerCase());
  }

  /** The text to pass on now. */
  push(delta: string): string {
    if (this.#state === 'pass') return delta;
    if (this.#state === 'after-label') {
      const rest = delta.trimStart();
      if (rest) this.#state = 'pass';
      return rest;
    }
    this.#held += delta;
    const start = this.#held.trimStart().toLowerCase();
    const label = this.#labels.find((l) => start.startsWith(l));
    if (label) {
      const rest = this.#held.trimStart().slice(label.length);
      this.#held = '';
      this.#state = 'after-label';
      return this.push(rest);
    }
    if (start.length > 0 && this.#labels.some((l) => l.startsWith(start))) return '';
    return this.flush();
  }

  /** Whatever is still held (the reply ended inside what might have been a label). */
  flush(): string {
    this.#state = 'pass';
    const held = this.#held;
    this.#held = '';
    return held;
  }
}
