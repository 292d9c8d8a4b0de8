import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import OpenAI from 'openai';
import { ModelError, type ChatModel, type ChatStreamOptions, type ModelStreamPart } from '../chat-model.js';

export interface OpenAIChatModelOptions {
  apiKey: string;
  /** Any OpenAI-compatible server: Ollama, vLLM, llama.cpp server… Default: OpenAI. */
  baseURL?: string;
  model: string;
  timeoutMs?: number;
  maxRetries?: number;
  fetch?: typeof globalThis.fetch;
  /**
   * Whether the server supports structured outputs (`response_format: json_schema`). OpenAI does;
   * some compatible servers do not. Default true.
   */
  structuredOutput?: boolean;
  /**
   * The model's context window in tokens. Default 128,000: gpt-4o and gpt-4o-mini's, and a safe
   * floor for newer OpenAI models. Set it for a compatible server whose model has a smaller one.
   */
  contextWindow?: number;
}

/** gpt-4o / gpt-4o-mini's window; newer OpenAI models have at least this much. */
const DEFAULT_CONTEXT_WINDOW = 128_000;
/** Special-token text (`<|endoftext|>`) in a message is counted as the plain text the API sees. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** OpenAI and every server that speaks its Chat Completions wire format, through the `openai` package. */
export class OpenAIChatModel implements ChatModel {
  readonly provider = 'openai';
  readonly modelId: string;
  readonly structuredOutput: boolean;
  readonly contextWindow: number;
  readonly #client: OpenAI;

  constructor(options: OpenAIChatModelOptions) {
    this.modelId = options.model;
    this.structuredOutput = options.structuredOutput ?? true;
    this.contextWindow = options.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
    this.#client = new OpenAI({
      apiKey: options.apiKey,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      timeout: options.timeoutMs ?? 60_000,
      // Retries happen in ResilientChatModel, where each attempt reaches the ledger.
      maxRetries: options.maxRetries ?? 0,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  /**
   * Tokens by o200k_base, the encoding of gpt-4o, gpt-4o-mini and the newer OpenAI models (and the
   * one used for unknown names). Another model behind an OpenAI-compatible `baseURL` (Llama,
   * Mistral…) has its own tokenizer: o200k is then only an approximation (a smaller vocabulary
   * spends more tokens on the same text), so give such a server a `contextWindow` with headroom.
   */
  countTokens(text: string): number {
    return countTokens(text, PLAIN_TEXT);
  }

  async *stream(options: ChatStreamOptions): AsyncGenerator<ModelStreamPart> {
    const request = {
      model: this.modelId,
      messages: options.messages.map((m) => ({ role: m.role, content: m.content })),
      ...(options.maxOutputTokens ? { max_completion_tokens: options.maxOutputTokens } : {}),
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      ...(options.responseFormat && this.structuredOutput
        ? {
            response_format: {
              type: 'json_schema' as const,
              json_schema: {
                name: options.responseFormat.name,
                strict: true,
                schema: options.responseFormat.schema,
              },
            },
          }
        : {}),
    };
    if (options.whole) {
      yield* this.#whole(request, options.signal);
      return;
    }
    let stream;
    try {
      stream = await this.#client.chat.completions.create(
        { ...request, stream: true, stream_options: { include_usage: true } },
        { signal: options.signal },
      );
    } catch (error) {
      throw toModelError(error, options.signal);
    }
    let finishReason: 'stop' | 'length' = 'stop';
    try {
      for await (const chunk of stream) {
        if (options.signal.aborted) return;
        const choice = chunk.choices[0];
        const delta = choice?.delta?.content;
        if (delta) yield { type: 'text-delta', delta };
        if (choice?.finish_reason === 'length') finishReason = 'length';
        if (chunk.usage) yield usagePart(chunk.usage);
      }
    } catch (error) {
      if (options.signal.aborted) return;
      throw toModelError(error, options.signal);
    }
    // The `openai` stream ends quietly on abort: a stopped reply has no finish.
    if (!options.signal.aborted) yield { type: 'finish', finishReason };
  }

  /** The reply in one response (no stream), as the same parts. */
  async *#whole(
    request: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
    signal: AbortSignal,
  ): AsyncGenerator<ModelStreamPart> {
    let completion;
    try {
      completion = await this.#client.chat.completions.create(request, { signal });
    } catch (error) {
      // An aborted call ends quietly, as a stream does.
      if (signal.aborted) return;
      throw toModelError(error, signal);
    }
    // A compatible server that answers otherwise (a stream, an empty body) is a provider failure.
    if (!Array.isArray(completion?.choices)) {
      throw new ModelError('upstream_error', 'The model provider sent a response in an unexpected shape.');
    }
    const choice = completion.choices[0];
    if (choice?.message.content) yield { type: 'text-delta', delta: choice.message.content };
    if (completion.usage) yield usagePart(completion.usage);
    yield { type: 'finish', finishReason: choice?.finish_reason === 'length' ? 'length' : 'stop' };
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    return { ok: true, detail: `${this.modelId} via ${this.#client.baseURL}` };
  }
}

/** OpenAI's usage block as a `usage` part (cached input tokens when the server says). */
function usagePart(usage: OpenAI.CompletionUsage): ModelStreamPart {
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return {
    type: 'usage',
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    ...(cached === undefined ? {} : { cachedInputTokens: cached }),
  };
}

function toModelError(error: unknown, signal: AbortSignal): ModelError {
  if (signal.aborted) return new ModelError('upstream_error', 'The request was aborted.', { cause: error });
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new ModelError('upstream_timeout', 'The model provider did not answer in time.', { cause: error });
  }
  if (error instanceof OpenAI.RateLimitError) {
    return new ModelError('rate_limited', 'The model provider is rate limiting requests; try again shortly.', {
      cause: error,
    });
  }
  if (error instanceof OpenAI.APIError) {
    const status = error.status === undefined ? '' : ` (HTTP ${error.status})`;
    return new ModelError('upstream_error', `The model provider failed${status}: ${error.message}`, { cause: error });
  }
  return new ModelError('upstream_error', `The model provider failed: ${String(error)}`, { cause: error });
}
