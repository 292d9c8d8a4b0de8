import {
  ModelError,
  isRetryable,
  type ChatModel,
  type ChatStreamOptions,
  type ModelStreamPart,
  type PromptStyle,
} from './chat-model.js';

export interface ResilienceOptions {
  /** Extra tries of the same model before moving to the next one. Default 1. */
  retries?: number;
  /** Backoff before a retry: full jitter under `baseDelayMs * 2^attempt`. Default 250. */
  baseDelayMs?: number;
  /** No first text within this time counts as an `upstream_timeout`. Default 20 s. */
  firstTokenTimeoutMs?: number;
}

/**
 * Retries and fallbacks around a chain of models: each model gets `retries` more tries on a
 * retryable failure (with jittered backoff), then the next model in the chain takes over. Only
 * failures before the first text are retried; once text has streamed, a failure ends the reply
 * (retrying would repeat what the visitor already read). Every failed attempt is reported
 * through `onFailedAttempt`, so the ledger shows what happened.
 */
export class ResilientChatModel implements ChatModel {
  readonly provider: string;
  readonly modelId: string;
  readonly structuredOutput: boolean;
  /** The first model's: the prompt is written for the model that usually answers. */
  readonly promptStyle: PromptStyle;
  /** The smallest window in the chain: a fallback must fit the same prompt. */
  readonly contextWindow: number;

  constructor(
    private readonly chain: readonly ChatModel[],
    private readonly options: ResilienceOptions = {},
  ) {
    if (chain.length === 0) throw new Error('ResilientChatModel needs at least one model.');
    this.provider = chain[0]!.provider;
    this.modelId = chain[0]!.modelId;
    this.structuredOutput = chain[0]!.structuredOutput ?? false;
    this.promptStyle = chain[0]!.promptStyle ?? 'full';
    const windows = chain.flatMap((model) => (model.contextWindow ? [model.contextWindow] : []));
    // Models that do not say are assumed to hold a small local model's 4096 tokens.
    this.contextWindow = windows.length > 0 ? Math.min(...windows) : 4096;
  }

  /** The first model's cache is the one the next reply will read. */
  async prepare(options: Parameters<NonNullable<ChatModel['prepare']>>[0]): Promise<void> {
    await this.chain[0]!.prepare?.(options);
  }

  /** Counted with the first model's tokenizer (the one that usually answers). */
  countTokens(text: string): number {
    const first = this.chain[0]!;
    return first.countTokens ? first.countTokens(text) : Math.ceil(text.length / 3.5);
  }

  async *stream(options: ChatStreamOptions): AsyncGenerator<ModelStreamPart> {
    const retries = this.options.retries ?? 1;
    for (const model of this.chain) {
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (options.signal.aborted) return;
        if (attempt > 0)
          await sleep(Math.random() * (this.options.baseDelayMs ?? 250) * 2 ** (attempt - 1), options.signal);
        const started = performance.now();
        let streamed = false;
        const attemptAbort = new AbortController();
        const onAbort = () => attemptAbort.abort(options.signal.reason);
        options.signal.addEventListener('abort', onAbort, { once: true });
        const timer = setTimeout(
          () => attemptAbort.abort(new ModelError('upstream_timeout', `${model.modelId} sent no text in time.`)),
          this.options.firstTokenTimeoutMs ?? 20_000,
        );
        try {
          yield { type: 'model', provider: model.provider, modelId: model.modelId };
          // A fallback without structured output answers in plain text; the reply parser takes both.
          const { responseFormat, ...rest } = options;
          const request = model.structuredOutput && responseFormat ? { ...rest, responseFormat } : rest;
          for await (const part of model.stream({ ...request, signal: attemptAbort.signal })) {
            if (part.type === 'text-delta' && !streamed) {
              streamed = true;
              clearTimeout(timer);
            }
            yield part;
          }
          if (attemptAbort.signal.aborted && !options.signal.aborted && !streamed) throw attemptAbort.signal.reason;
          return;
        } catch (cause) {
          if (options.signal.aborted) return;
          const error =
            cause instanceof ModelError
              ? cause
              : new ModelError('upstream_error', `${model.modelId} failed: ${String(cause)}`, { cause });
          const lastTry = model === this.chain.at(-1) && attempt === retries;
          if (streamed || !isRetryable(error) || lastTry) throw error;
          // Reported only when another try follows: the caller reports the final outcome itself.
          options.onFailedAttempt?.({
            provider: model.provider,
            modelId: model.modelId,
            error,
            latencyMs: performance.now() - started,
          });
        } finally {
          clearTimeout(timer);
          options.signal.removeEventListener('abort', onAbort);
        }
      }
    }
    // Unreachable: the last try either returns or throws.
    throw new ModelError('model_unavailable', 'No model could answer.');
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    return this.chain[0]!.health();
  }

  async close(): Promise<void> {
    for (const model of this.chain) await model.close?.();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
