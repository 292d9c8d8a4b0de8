import type { Avatar, EkmanEmotion, Emotion, FeedbackRequest, Message, MessageStatus } from '@vibhava/protocol';
import { MAX_CACHED_MESSAGES } from './cache.js';
import type { VibhavaClient } from './client.js';
import { AbortError, VibhavaError, errorFromInfo } from './errors.js';

export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  status: MessageStatus;
  /** The visitor's detected emotion, or the avatar's expression on replies. */
  emotion?: Emotion | null;
  /** The visitor's vote on a reply. */
  feedback?: 'up' | 'down' | null;
  createdAt: string;
}

export type ChatStatus = 'idle' | 'connecting' | 'ready' | 'streaming' | 'error';

export interface ChatState {
  status: ChatStatus;
  avatar: Avatar | null;
  conversationId: string | null;
  messages: readonly ChatMessage[];
  /**
   * The expression the avatar shows now: the current reply's as soon as its `emotion` part
   * arrives, else the last reply's, else `neutral`.
   */
  avatarEmotion: EkmanEmotion;
  error: VibhavaError | null;
}

export type ChatListener = (state: ChatState) => void;

export interface VibhavaChatOptions {
  client: VibhavaClient;
}

/**
 * Framework-free chat state: one conversation with one avatar. UIs subscribe and render
 * `state`; every change replaces `state` with a new object, so identity checks suffice.
 */
export class VibhavaChat {
  readonly client: VibhavaClient;
  #state: ChatState = {
    status: 'idle',
    avatar: null,
    conversationId: null,
    messages: [],
    avatarEmotion: 'neutral',
    error: null,
  };
  readonly #listeners = new Set<ChatListener>();
  #abort: AbortController | undefined;
  #connecting: Promise<void> | undefined;

  constructor(options: VibhavaChatOptions) {
    this.client = options.client;
  }

  get state(): ChatState {
    return this.#state;
  }

  subscribe(listener: ChatListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts the visitor session and resumes the cached conversation, if any. */
  connect(): Promise<void> {
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    this.#update({ status: 'connecting', error: null });
    try {
      const cached = await this.client.cache.get(this.client.cacheKey);
      if (cached?.messages.length) {
        this.#update({ messages: cached.messages.map(toChatMessage), avatarEmotion: lastExpression(cached.messages) });
      }
      const session = await this.client.getSession();
      this.#update({ avatar: session.avatar });
      const fresh = await this.client.cache.get(this.client.cacheKey);
      // Nothing cached on this device (a new device, or just signed in): resume the latest.
      const conversationId = fresh?.conversationId ?? (await this.client.listConversations())[0]?.id;
      if (conversationId) {
        const messages = await this.client.getMessages(conversationId).catch((error: unknown) => {
          // A conversation that no longer exists (or belongs to another visitor) starts over.
          if (error instanceof VibhavaError && error.code === 'not_found') return null;
          throw error;
        });
        if (messages) {
          this.#update({
            conversationId,
            messages: messages.map(toChatMessage),
            avatarEmotion: lastExpression(messages),
          });
          await this.#saveCache(messages);
        } else {
          this.#update({ conversationId: null, messages: [] });
        }
      }
      this.#update({ status: 'ready' });
    } catch (error) {
      this.#fail(error);
    }
  }

  /**
   * Sends a visitor message and streams the reply into `state`. Resolves with the final
   * assistant message, or null when the send failed (the error is in `state.error`).
   */
  async send(text: string): Promise<ChatMessage | null> {
    const content = text.trim();
    if (!content || this.#state.status === 'streaming') return null;
    if (this.#state.status !== 'ready') await this.connect();
    if (this.#state.status === 'error' && !this.#state.avatar) return null;

    const abort = new AbortController();
    this.#abort = abort;
    const pendingId = `pending-${Date.now()}`;
    this.#update({
      status: 'streaming',
      error: null,
      messages: [
        ...this.#state.messages,
        { id: pendingId, role: 'user', content, status: 'complete', createdAt: new Date().toISOString() },
      ],
    });
    let assistant: ChatMessage | null = null;
    try {
      const conversationId = this.#state.conversationId ?? (await this.#newConversation());
      for await (const part of this.client.sendMessage(conversationId, content, { signal: abort.signal })) {
        switch (part.type) {
          case 'start':
            assistant = {
              id: part.assistantMessageId,
              role: 'assistant',
              content: '',
              status: 'streaming',
              createdAt: new Date().toISOString(),
            };
            this.#update({
              messages: [
                ...this.#state.messages.map((m) => (m.id === pendingId ? toChatMessage(part.userMessage) : m)),
                assistant,
              ],
            });
            break;
          case 'emotion':
            this.#update({ avatarEmotion: part.emotion });
            if (assistant) {
              const emotion = { label: part.emotion, ekman: part.emotion, intensity: 1 };
              assistant = this.#replace({ ...assistant, emotion });
            }
            break;
          case 'text-delta':
            if (assistant) assistant = this.#replace({ ...assistant, content: assistant.content + part.delta });
            break;
          case 'error':
            this.#update({ error: errorFromInfo(part.error) });
            break;
          case 'finish':
            assistant = this.#replace(toChatMessage(part.message));
            break;
          default:
            break;
        }
      }
      this.#update({ status: 'ready' });
      await this.#saveCache();
      return assistant;
    } catch (error) {
      if (abort.signal.aborted) {
        // The server stores the partial reply; mirror that here.
        if (assistant) assistant = this.#replace({ ...assistant, status: 'partial' });
        this.#update({ status: 'ready' });
        await this.#saveCache();
        return assistant;
      }
      // Refused before the server stored it (a rate limit, a budget, the network): say so on the message.
      if (!assistant) this.#replace({ ...this.#state.messages.find((m) => m.id === pendingId)!, status: 'error' });
      this.#fail(error);
      return null;
    } finally {
      this.#abort = undefined;
    }
  }

  /**
   * Rates one of the avatar's replies (thumbs up or down, with an optional reason such as
   * `too_long`). The vote shows on the message at once and is undone if the server refuses it.
   */
  async rate(messageId: string, feedback: FeedbackRequest): Promise<void> {
    const { conversationId } = this.#state;
    const message = this.#state.messages.find((m) => m.id === messageId);
    if (!conversationId || !message || message.role !== 'assistant') return;
    this.#replace({ ...message, feedback: feedback.rating });
    try {
      await this.client.rateMessage(conversationId, messageId, feedback);
      await this.#saveCache();
    } catch (error) {
      const current = this.#state.messages.find((m) => m.id === messageId);
      if (current) this.#replace({ ...current, feedback: message.feedback ?? null });
      this.#fail(error, 'ready');
    }
  }

  /** Stops the reply being streamed; what arrived so far is kept as a partial reply. */
  stop(): void {
    this.#abort?.abort(new AbortError('aborted', 'The reply was stopped.'));
  }

  /** Forgets the cached conversation on this device and starts a new one on the next send. */
  async reset(): Promise<void> {
    this.stop();
    const cached = await this.client.cache.get(this.client.cacheKey);
    await this.client.cache.set(this.client.cacheKey, {
      visitorId: cached?.visitorId ?? null,
      conversationId: null,
      messages: [],
    });
    this.#update({ conversationId: null, messages: [], error: null });
  }

  dispose(): void {
    this.stop();
    this.#listeners.clear();
  }

  async #newConversation(): Promise<string> {
    const conversation = await this.client.createConversation();
    this.#update({ conversationId: conversation.id });
    await this.#saveCache();
    return conversation.id;
  }

  #replace(message: ChatMessage): ChatMessage {
    this.#update({ messages: this.#state.messages.map((m) => (m.id === message.id ? message : m)) });
    return message;
  }

  async #saveCache(serverMessages?: Message[]): Promise<void> {
    const cached = await this.client.cache.get(this.client.cacheKey);
    const { conversationId } = this.#state;
    const messages =
      serverMessages ??
      this.#state.messages
        .filter((m) => !m.id.startsWith('pending-'))
        .map((m) => ({ ...m, conversationId: conversationId ?? '', inputTokens: null, outputTokens: null }));
    await this.client.cache.set(this.client.cacheKey, {
      visitorId: cached?.visitorId ?? null,
      conversationId,
      messages: messages.slice(-MAX_CACHED_MESSAGES),
    });
  }

  #fail(error: unknown, status: ChatStatus = 'error'): void {
    const wrapped =
      error instanceof VibhavaError
        ? error
        : new VibhavaError('internal_error', error instanceof Error ? error.message : String(error), { cause: error });
    this.#update({ status, error: wrapped });
  }

  #update(patch: Partial<ChatState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener(this.#state);
  }
}

function toChatMessage(message: Message): ChatMessage {
  return {
    id: message.id,
    role: message.role,
    content: message.content,
    status: message.status,
    emotion: message.emotion ?? null,
    feedback: message.feedback ?? null,
    createdAt: message.createdAt,
  };
}

/** The expression of the latest reply that has one. */
function lastExpression(messages: readonly Message[]): EkmanEmotion {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === 'assistant' && message.emotion) return message.emotion.ekman;
  }
  return 'neutral';
}
