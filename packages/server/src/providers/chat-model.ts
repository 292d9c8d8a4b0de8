import type { ErrorCode } from '@vibhava/protocol';

export type PromptStyle = 'full' | 'compact';

export interface ChatPromptMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A JSON schema the reply must follow (an object whose properties are written in order). */
export interface StructuredOutput {
  /** A short name for the format (OpenAI's `json_schema.name`; the local model's grammar cache key). */
  name: string;
  schema: Record<string, unknown>;
}

export interface ChatStreamOptions {
  messages: readonly ChatPromptMessage[];
  signal: AbortSignal;
  maxOutputTokens?: number;
  temperature?: number;
  /**
   * A stable key for the conversation. Providers with their own caches use it: the local model
   * keeps the conversation's KV cache under it, so turn 2 does not re-read turn 1.
   */
  conversationKey?: string;
  /**
   * Make the reply a JSON document of this schema (OpenAI structured outputs; a grammar for the
   * local model). Only passed to models whose `structuredOutput` is true.
   */
  responseFormat?: StructuredOutput;
  /**
   * How the next turn's prompt will begin once this reply is `reply` (the model's raw output).
   * A model with a cache of its own (the local model's KV cache) may load it while the visitor
   * reads, so the next turn starts from a warm cache.
   */
  nextTurnPrefix?: (reply: string) => ChatPromptMessage[];
  /** Told about each failed attempt that was retried or handed to a fallback model. */
  onFailedAttempt?: (attempt: FailedAttempt) => void;
  /**
   * Texts that end the reply where they begin (they are not part of it): a small model that goes
   * on to write the visitor's next line ("\nVisitor:") stops there.
   */
  stop?: readonly string[];
  /**
   * The caller wants the whole text, not its pieces as they come (background work: summaries,
   * memory extraction): a provider may answer in one response, cheaper than a stream of events.
   * The parts are the same, the text in one delta.
   */
  whole?: boolean;
}

export interface FailedAttempt {
  provider: string;
  modelId: string;
  error: ModelError;
  latencyMs: number;
}

export type ModelStreamPart =
  /** Which model is answering (sent by wrappers that may switch models). */
  | { type: 'model'; provider: string; modelId: string }
  | { type: 'text-delta'; delta: string }
  | { type: 'usage'; inputTokens: number; outputTokens: number; cachedInputTokens?: number }
  | { type: 'finish'; finishReason: 'stop' | 'length' };

/** The one interface every chat vendor implements. Nothing outside `providers/` names a vendor. */
export interface ChatModel {
  readonly provider: string;
  readonly modelId: string;
  /** Whether the model honours `responseFormat` (structured output). */
  readonly structuredOutput?: boolean;
  /**
   * Tokens the model attends to at once, prompt and reply together. Unknown when absent: callers
   * assume a conservative window (see `context/context-budget.ts`).
   */
  readonly contextWindow?: number;
  /** Tokens in `text` by the model's own tokenizer (absent: callers approximate with o200k_base). */
  countTokens?(text: string): number;
  /**
   * How the model is best prompted. `compact` (small local models): a short system message
   * written for small models, the site's facts and what is known of the visitor placed next to
   * the visitor's message, and plain-text replies whose expression a classifier chooses (a JSON
   * grammar costs a small model its words). Default `full`.
   */
  readonly promptStyle?: PromptStyle;
  /**
   * Loads the start of a conversation's prompt into the model's own cache ahead of its first
   * message (a visitor opened the chat), so the first reply only reads what is new. Optional:
   * models without such a cache leave it out.
   */
  prepare?(options: { messages: readonly ChatPromptMessage[]; conversationKey?: string }): Promise<void>;
  /** Streams a reply. Failures are thrown as `ModelError`; an abort ends the stream early. */
  stream(options: ChatStreamOptions): AsyncIterable<ModelStreamPart>;
  /** Whether the model can be used now (keys present, weights loaded). */
  health(): Promise<{ ok: boolean; detail?: string }>;
  close?(): Promise<void>;
}

/** A typed upstream failure; its code becomes the stream's `error` part. */
export class ModelError extends Error {
  override name = 'ModelError';

  constructor(
    readonly code: Extract<ErrorCode, 'upstream_error' | 'upstream_timeout' | 'model_unavailable' | 'rate_limited'>,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Failures worth another try: the request itself was fine. */
export function isRetryable(error: ModelError): boolean {
  return (
    error.code === 'upstream_error' ||
    error.code === 'upstream_timeout' ||
    error.code === 'rate_limited' ||
    error.code === 'model_unavailable'
  );
}
