import {
  ConversationListSchema,
  ConversationSchema,
  ErrorBodySchema,
  FeedbackSchema,
  MessageListSchema,
  SessionSchema,
  StreamDecodeError,
  decodeSseStream,
  retryableErrorCodes,
  type Conversation,
  type Feedback,
  type FeedbackRequest,
  type Message,
  type Session,
  type StreamPart,
} from '@vibhava/protocol';
import type { z } from 'zod/mini';
import { MemoryConversationCache, type ConversationCache } from './cache.js';
import { NetworkError, ProtocolError, errorFromInfo, type VibhavaError } from './errors.js';
import { defaultBrowserCache } from './indexeddb-cache.js';
import { backoffDelay, sleep, type RetryOptions } from './retry.js';

export interface VibhavaClientOptions {
  /** Base URL of the VibhavaFusion server, e.g. `https://avatars.example.com`. */
  serverUrl: string;
  /** The tenant's publishable key (safe to ship to browsers; bound to allowed origins). */
  publishableKey: string;
  avatarId: string;
  /** Where the conversation id and recent messages are kept. Default: IndexedDB in browsers, memory in Node. */
  cache?: ConversationCache;
  /** Retries of transient failures (network errors, 429, 5xx) with exponential backoff. */
  retry?: RetryOptions;
  /** Node only: the Origin header to send. Browsers always send their own. */
  origin?: string;
  /**
   * Signs the visitor in: a short JWT from your backend naming the signed-in user (or a function
   * that fetches a fresh one). Their history follows them across devices.
   */
  identityToken?: string | (() => string | Promise<string>);
  fetch?: typeof globalThis.fetch;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** Refresh the visitor token this long before it expires. */
const TOKEN_REFRESH_MARGIN_MS = 30_000;

export class VibhavaClient {
  readonly options: Readonly<VibhavaClientOptions>;
  readonly cache: ConversationCache;
  /** Key of this client's record in the conversation cache. */
  readonly cacheKey: string;
  readonly #fetch: typeof globalThis.fetch;
  readonly #baseUrl: string;
  #session: Promise<Session> | undefined;

  constructor(options: VibhavaClientOptions) {
    this.options = options;
    this.#baseUrl = options.serverUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.cache = options.cache ?? defaultBrowserCache() ?? new MemoryConversationCache();
    this.cacheKey = `${this.#baseUrl}|${options.publishableKey}|${options.avatarId}`;
  }

  /** The current visitor session, started (or refreshed) when needed. */
  async getSession(options: RequestOptions = {}): Promise<Session> {
    const current = await this.#session?.catch(() => undefined);
    if (current && current.expiresAt - TOKEN_REFRESH_MARGIN_MS > Date.now()) return current;
    this.#session = this.#startSession(options);
    return this.#session;
  }

  async #startSession(options: RequestOptions): Promise<Session> {
    const cached = await this.cache.get(this.cacheKey);
    const { identityToken } = this.options;
    const identity = typeof identityToken === 'function' ? await identityToken() : identityToken;
    const session = await this.#json('POST', '/v1/sessions', SessionSchema, {
      ...options,
      auth: false,
      body: {
        publishableKey: this.options.publishableKey,
        avatarId: this.options.avatarId,
        ...(cached?.visitorId ? { visitorId: cached.visitorId } : {}),
        ...(identity ? { identityToken: identity } : {}),
      },
    });
    if (cached?.visitorId !== session.visitorId) {
      await this.cache.set(this.cacheKey, { visitorId: session.visitorId, conversationId: null, messages: [] });
    }
    return session;
  }

  async createConversation(options: RequestOptions = {}): Promise<Conversation> {
    return this.#json('POST', '/v1/conversations', ConversationSchema, { ...options, body: {} });
  }

  async listConversations(options: RequestOptions = {}): Promise<Conversation[]> {
    return (await this.#json('GET', '/v1/conversations', ConversationListSchema, options)).conversations;
  }

  async getMessages(conversationId: string, options: RequestOptions = {}): Promise<Message[]> {
    const path = `/v1/conversations/${encodeURIComponent(conversationId)}/messages`;
    return (await this.#json('GET', path, MessageListSchema, options)).messages;
  }

  /** Rates one of the avatar's replies; voting again replaces the earlier vote. */
  async rateMessage(
    conversationId: string,
    messageId: string,
    feedback: FeedbackRequest,
    options: RequestOptions = {},
  ): Promise<Feedback> {
    const path = `/v1/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/feedback`;
    return this.#json('PUT', path, FeedbackSchema, { ...options, body: feedback });
  }

  /**
   * Sends a visitor message and yields the reply's stream parts as they arrive. Abort with
   * `options.signal`; the server then stores what was generated so far as a partial reply.
   */
  async *sendMessage(
    conversationId: string,
    content: string,
    options: RequestOptions = {},
  ): AsyncGenerator<StreamPart, void, undefined> {
    const path = `/v1/conversations/${encodeURIComponent(conversationId)}/messages`;
    const response = await this.#request('POST', path, { ...options, body: { content } });
    if (!response.body) throw new ProtocolError('protocol_error', 'The reply stream has no body.');
    let finished = false;
    try {
      for await (const part of decodeSseStream(response.body)) {
        if (part.type === 'finish') finished = true;
        yield part;
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (error instanceof StreamDecodeError)
        throw new ProtocolError('protocol_error', error.message, { cause: error });
      throw new NetworkError('network_error', 'The connection to the server was lost during the reply.', {
        cause: error,
      });
    }
    if (!finished) throw new NetworkError('network_error', 'The reply stream ended before it finished.');
  }

  async #json<T extends z.ZodMiniType>(
    method: string,
    path: string,
    schema: T,
    options: RequestOptions & { body?: unknown; auth?: boolean },
  ): Promise<z.infer<T>> {
    const response = await this.#request(method, path, options);
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      throw new ProtocolError('protocol_error', `Unexpected response from ${method} ${path}: ${parsed.error.message}`);
    }
    return parsed.data;
  }

  /** One HTTP call with auth, token refresh and retries of transient failures. */
  async #request(
    method: string,
    path: string,
    options: RequestOptions & { body?: unknown; auth?: boolean },
  ): Promise<Response> {
    const maxAttempts = this.options.retry?.maxAttempts ?? 4;
    let refreshedToken = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json, text/event-stream' };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (this.options.origin) headers['origin'] = this.options.origin;
      if (options.auth !== false) headers['authorization'] = `Bearer ${(await this.getSession(options)).token}`;
      let error: VibhavaError;
      try {
        const response = await this.#fetch(`${this.#baseUrl}${path}`, {
          method,
          headers,
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (response.ok) return response;
        error = await errorFromResponse(response);
      } catch (cause) {
        if (options.signal?.aborted) throw options.signal.reason;
        error = new NetworkError('network_error', `Could not reach the server at ${this.#baseUrl}.`, { cause });
      }
      if (error.code === 'token_expired' && !refreshedToken && options.auth !== false) {
        refreshedToken = true;
        this.#session = undefined;
        attempt--;
        continue;
      }
      // A server that asks for a long wait (a rate limit) is answered at once, not waited on.
      const waitTooLong = (error.retryAfterMs ?? 0) > (this.options.retry?.maxDelayMs ?? 4000);
      const retryable = !waitTooLong && (error instanceof NetworkError || retryableErrorCodes.has(error.code));
      if (!retryable || attempt + 1 >= maxAttempts) {
        if (error instanceof NetworkError && attempt > 0) {
          throw new NetworkError('network_error', `${error.message} Gave up after ${attempt + 1} attempts.`, {
            cause: error.cause,
          });
        }
        throw error;
      }
      await sleep(Math.max(error.retryAfterMs ?? 0, backoffDelay(attempt, this.options.retry ?? {})), options.signal);
    }
  }
}

async function errorFromResponse(response: Response): Promise<VibhavaError> {
  const body = ErrorBodySchema.safeParse(await response.json().catch(() => undefined));
  if (body.success) return errorFromInfo(body.data.error, response.status);
  return new ProtocolError('protocol_error', `The server answered ${response.status} without an error body.`, {
    status: response.status,
  });
}

export function createVibhavaClient(options: VibhavaClientOptions): VibhavaClient {
  return new VibhavaClient(options);
}
