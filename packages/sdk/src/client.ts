import {
  ContextTraceSchema,
  ConversationListSchema,
  ConversationSchema,
  ErrorBodySchema,
  FeedbackSchema,
  ForgetAllResultSchema,
  MemoryHistorySchema,
  MemoryListSchema,
  MemorySchema,
  MemorySettingsSchema,
  MessageListSchema,
  PreferencesResponseSchema,
  SessionSchema,
  StreamDecodeError,
  decodeSseStream,
  type ContextTrace,
  type Conversation,
  type CreateMemoryRequest,
  type Feedback,
  type FeedbackRequest,
  type Memory,
  type MemoryHistory,
  type MemoryList,
  type MemorySettings,
  type Message,
  type PreferencesResponse,
  type Session,
  type StreamPart,
  type UpdateMemoryRequest,
  type UpdatePreferencesRequest,
} from '@vibhava/protocol';
import { z } from 'zod/mini';
import { MemoryConversationCache, type ConversationCache } from './cache.js';
import { NetworkError, ProtocolError, errorFromInfo, type VibhavaError } from './errors.js';
import { defaultBrowserCache } from './indexeddb-cache.js';
import { backoffDelay, shouldRetry, sleep, type RetryOptions } from './retry.js';

export interface VibhavaClientOptions {
  /** Base URL of the VibhavaFusion server, e.g. `https://avatars.example.com`. */
  serverUrl: string;
  /** The tenant's publishable key (safe to ship to browsers; bound to allowed origins). */
  publishableKey: string;
  avatarId: string;
  /** Where the conversation id and recent messages are kept. Default: IndexedDB in browsers, memory in Node. */
  cache?: ConversationCache;
  /** Retries of transient failures (network errors, 5xx, a short 429) with exponential backoff; never other 4xx. */
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

/** `POST …/stop` answers whether a reply was being written (the protocol has no schema for it). */
const StopResultSchema = z.object({ stopped: z.boolean() });

const conversationPath = (conversationId: string) => `/v1/conversations/${encodeURIComponent(conversationId)}`;
const memoryPath = (memoryId: string) => `/v1/memories/${encodeURIComponent(memoryId)}`;

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
    const path = `${conversationPath(conversationId)}/messages`;
    return (await this.#json('GET', path, MessageListSchema, options)).messages;
  }

  /** Rates one of the avatar's replies; voting again replaces the earlier vote. */
  async rateMessage(
    conversationId: string,
    messageId: string,
    feedback: FeedbackRequest,
    options: RequestOptions = {},
  ): Promise<Feedback> {
    const path = `${conversationPath(conversationId)}/messages/${encodeURIComponent(messageId)}/feedback`;
    return this.#json('PUT', path, FeedbackSchema, { ...options, body: feedback });
  }

  /**
   * Sends a visitor message and yields the reply's stream parts as they arrive. Abort with
   * `options.signal`; the server then stores what was generated so far as a partial reply.
   */
  sendMessage(
    conversationId: string,
    content: string,
    options: RequestOptions = {},
  ): AsyncGenerator<StreamPart, void, undefined> {
    return this.#stream('POST', `${conversationPath(conversationId)}/messages`, { content }, options);
  }

  /**
   * Writes the conversation's last reply again and yields the new reply's parts, like
   * `sendMessage`. The `start` part's `userMessage` is the visitor message already stored; the
   * old reply is replaced.
   */
  regenerate(conversationId: string, options: RequestOptions = {}): AsyncGenerator<StreamPart, void, undefined> {
    return this.#stream('POST', `${conversationPath(conversationId)}/regenerate`, {}, options);
  }

  /**
   * Replaces the visitor's last message with `content` and yields the new reply's parts, like
   * `sendMessage`. Only the last visitor message can be edited (a `conflict` error otherwise).
   */
  editMessage(
    conversationId: string,
    messageId: string,
    content: string,
    options: RequestOptions = {},
  ): AsyncGenerator<StreamPart, void, undefined> {
    const path = `${conversationPath(conversationId)}/messages/${encodeURIComponent(messageId)}`;
    return this.#stream('PUT', path, { content }, options);
  }

  /**
   * Asks the server to stop the reply being written in a conversation (from any tab or device).
   * Resolves with whether one was. Aborting the stream's own request stops it as well.
   */
  async stopReply(conversationId: string, options: RequestOptions = {}): Promise<boolean> {
    const path = `${conversationPath(conversationId)}/stop`;
    return (await this.#json('POST', path, StopResultSchema, { ...options, body: {} })).stopped;
  }

  /** What went into one reply's context: memories, preferences, lorebook entries, token budget. */
  async getTrace(conversationId: string, messageId: string, options: RequestOptions = {}): Promise<ContextTrace> {
    const path = `${conversationPath(conversationId)}/messages/${encodeURIComponent(messageId)}/trace`;
    return this.#json('GET', path, ContextTraceSchema, options);
  }

  /** Everything the avatar remembers about this visitor, and whether memory is paused. */
  async listMemories(options: RequestOptions = {}): Promise<MemoryList> {
    return this.#json('GET', '/v1/memories', MemoryListSchema, options);
  }

  /** Tells the avatar something to remember (`category` defaults on the server). */
  async addMemory(memory: CreateMemoryRequest, options: RequestOptions = {}): Promise<Memory> {
    return this.#json('POST', '/v1/memories', MemorySchema, { ...options, body: memory });
  }

  async updateMemory(memoryId: string, memory: UpdateMemoryRequest, options: RequestOptions = {}): Promise<Memory> {
    return this.#json('PATCH', memoryPath(memoryId), MemorySchema, { ...options, body: memory });
  }

  async deleteMemory(memoryId: string, options: RequestOptions = {}): Promise<void> {
    await this.#empty('DELETE', memoryPath(memoryId), options);
  }

  /** Deletes every memory of this visitor; resolves with how many there were. */
  async forgetAll(options: RequestOptions = {}): Promise<number> {
    return (await this.#json('DELETE', '/v1/memories', ForgetAllResultSchema, options)).deleted;
  }

  /** How one memory came to be: every add, update and delete, by whom and why. */
  async memoryHistory(memoryId: string, options: RequestOptions = {}): Promise<MemoryHistory> {
    return this.#json('GET', `${memoryPath(memoryId)}/history`, MemoryHistorySchema, options);
  }

  /** While paused nothing new is remembered and nothing remembered is used. */
  async setMemoryPaused(paused: boolean, options: RequestOptions = {}): Promise<MemorySettings> {
    return this.#json('PUT', '/v1/memories/settings', MemorySettingsSchema, { ...options, body: { paused } });
  }

  /** How the visitor likes to be answered (reply length, formality, language, topics), with its history. */
  async getPreferences(options: RequestOptions = {}): Promise<PreferencesResponse> {
    return this.#json('GET', '/v1/preferences', PreferencesResponseSchema, options);
  }

  /** Sets some preferences by hand (`null` forgets one); the rest stay as they are. */
  async updatePreferences(
    preferences: UpdatePreferencesRequest,
    options: RequestOptions = {},
  ): Promise<PreferencesResponse> {
    return this.#json('PATCH', '/v1/preferences', PreferencesResponseSchema, { ...options, body: preferences });
  }

  /** One streamed reply: sends the request, then decodes and yields its validated parts. */
  async *#stream(
    method: string,
    path: string,
    body: unknown,
    options: RequestOptions,
  ): AsyncGenerator<StreamPart, void, undefined> {
    const response = await this.#request(method, path, { ...options, body });
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

  /** A call whose success has no body (204). */
  async #empty(method: string, path: string, options: RequestOptions): Promise<void> {
    const response = await this.#request(method, path, options);
    await response.body?.cancel();
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
      if (!shouldRetry(error, this.options.retry ?? {}) || attempt + 1 >= maxAttempts) {
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
