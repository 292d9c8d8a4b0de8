import type { ContextTrace, FeedbackRequest, Message } from '@vibhava/protocol';
import { MAX_CACHED_MESSAGES } from './cache.js';
import { lastExpression, toChatMessage, type ChatMessage } from './chat-message.js';
import type { ChatListener, ChatState, ChatStatus, Turn } from './chat-state.js';
import type { VibhavaClient } from './client.js';
import { AbortError, VibhavaError, errorFromInfo, toVibhavaError } from './errors.js';

export type { ChatMessage } from './chat-message.js';
export type { ChatListener, ChatState, ChatStatus } from './chat-state.js';

/** How long a new reply waits at most for the server to confirm the previous one stopped. */
const STOP_TIMEOUT_MS = 2000;

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
    traces: {},
    error: null,
  };
  readonly #listeners = new Set<ChatListener>();
  #abort: AbortController | undefined;
  #connecting: Promise<void> | undefined;
  /** The server-side stop of the last stopped reply; the next reply waits for it (see `stop`). */
  #stopping: Promise<unknown> = Promise.resolve();
  /** The last reply started (settled once its stream ended, stopped or failed). */
  #replying: Promise<unknown> = Promise.resolve();

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

    const pending: ChatMessage = {
      id: `pending-${Date.now()}`,
      role: 'user',
      content,
      status: 'complete',
      createdAt: new Date().toISOString(),
    };
    return this.#streamReply({
      messages: [...this.#state.messages, pending],
      userMessageId: pending.id,
      request: async (signal) => {
        const conversationId = this.#state.conversationId ?? (await this.#newConversation());
        return this.client.sendMessage(conversationId, content, { signal });
      },
      // Refused before the server stored it (a rate limit, a budget, the network): say so on the message.
      refused: () => this.#replace({ ...pending, status: 'error' }),
    });
  }

  /**
   * Writes the last reply again: the old reply leaves `state` at once (and comes back if the
   * server refuses). Resolves like `send`; null too when there is no reply to write again.
   */
  async regenerate(): Promise<ChatMessage | null> {
    const { conversationId, messages, status } = this.#state;
    const last = messages.at(-1);
    if (!conversationId || status === 'streaming' || last?.role !== 'assistant') return null;
    const user = messages.findLast((m) => m.role === 'user');
    if (!user) return null;
    return this.#streamReply({
      messages: messages.slice(0, -1),
      userMessageId: user.id,
      request: async (signal) => this.client.regenerate(conversationId, { signal }),
      refused: () => this.#update({ messages }),
    });
  }

  /**
   * Replaces the visitor's last message with `text` and streams a new reply to it (the old reply
   * is dropped). A last message the server never stored (marked `error`) is simply sent again.
   * Resolves like `send`.
   */
  async editLastMessage(text: string): Promise<ChatMessage | null> {
    const content = text.trim();
    const { conversationId, messages, status } = this.#state;
    const index = messages.findLastIndex((m) => m.role === 'user');
    const user = messages[index];
    if (!content || !user || status === 'streaming') return null;
    if (user.id.startsWith('pending-') || !conversationId) {
      this.#update({ messages: messages.slice(0, index) });
      return this.send(content);
    }
    return this.#streamReply({
      messages: [...messages.slice(0, index), { ...user, content }],
      userMessageId: user.id,
      request: async (signal) => this.client.editMessage(conversationId, user.id, content, { signal }),
      refused: () => this.#update({ messages }),
    });
  }

  /**
   * Reads what went into a reply's context into `state.traces` (once: a reply streamed in this
   * session has it already). Resolves with the trace, or null when the server kept none; rejects
   * when it could not be read (the chat's own state and error are left alone).
   */
  async loadTrace(messageId: string): Promise<ContextTrace | null> {
    // Replies shown from this device's cache come before the conversation is known: wait for it.
    await this.#connecting;
    const known = this.#state.traces[messageId];
    const { conversationId } = this.#state;
    if (known !== undefined) return known;
    const trace = !conversationId
      ? null
      : await this.client.getTrace(conversationId, messageId).catch((error: unknown) => {
          if (error instanceof VibhavaError && error.code === 'not_found') return null;
          throw error;
        });
    this.#update({ traces: { ...this.#state.traces, [messageId]: trace } });
    return trace;
  }

  /**
   * The one path every reply takes (send, regenerate, edit): show `messages` at once, then swap
   * in the server's copy of the visitor message and stream the reply after it.
   */
  #streamReply(turn: Turn): Promise<ChatMessage | null> {
    const reply = this.#runReply(turn);
    this.#replying = reply;
    return reply;
  }

  async #runReply(turn: Turn): Promise<ChatMessage | null> {
    const abort = new AbortController();
    this.#abort = abort;
    this.#update({ status: 'streaming', error: null, messages: turn.messages });
    let assistant: ChatMessage | null = null;
    try {
      await this.#stopping;
      for await (const part of await turn.request(abort.signal)) {
        switch (part.type) {
          case 'start': {
            assistant = {
              id: part.assistantMessageId,
              role: 'assistant',
              content: '',
              status: 'streaming',
              createdAt: new Date().toISOString(),
            };
            // Everything after the visitor message (a reply being replaced) leaves with it.
            const at = this.#state.messages.findIndex((m) => m.id === turn.userMessageId);
            const before = at === -1 ? this.#state.messages : this.#state.messages.slice(0, at);
            this.#update({ messages: [...before, toChatMessage(part.userMessage), assistant] });
            break;
          }
          case 'context':
            this.#update({ traces: { ...this.#state.traces, [part.id]: part.trace } });
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
        // Stopped before the reply started: whether the server took the turn is unknown, so ask it.
        else await this.#reload().catch(turn.refused);
        this.#update({ status: 'ready' });
        await this.#saveCache();
        return assistant;
      }
      if (!assistant) turn.refused();
      this.#fail(error);
      // The server changed the conversation before failing: keep this device's copy in step.
      if (assistant) await this.#saveCache();
      return null;
    } finally {
      if (this.#abort === abort) this.#abort = undefined;
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

  /**
   * Stops the reply being streamed; what arrived so far is kept as a partial reply. Closing the
   * stream stops the server's reply; the server is also told directly (a proxy may hold a closed
   * stream open a while), and the next reply waits for that so the stop cannot reach it instead.
   */
  stop(): void {
    const abort = this.#abort;
    if (!abort) return;
    abort.abort(new AbortError('aborted', 'The reply was stopped.'));
    const { conversationId } = this.#state;
    if (conversationId) {
      // Best effort, and never long: the aborted stream already stopped the reply in most cases.
      this.#stopping = this.client
        .stopReply(conversationId, { signal: AbortSignal.timeout(STOP_TIMEOUT_MS) })
        .catch(() => false);
    }
  }

  /**
   * Starts a new conversation: the current one stays on the server (with what the avatar
   * remembers from it), `state` starts empty (a UI shows the greeting again) and this device
   * resumes the new one from now on. Resolves with its id, or null when it could not be created
   * (the error is in `state.error`; the next `send` creates it).
   */
  async newConversation(): Promise<string | null> {
    this.stop();
    await this.#replying;
    if (this.#state.status !== 'ready') await this.connect();
    if (this.#state.status !== 'ready') return null;
    // An empty conversation is new enough: do not pile up empty ones.
    if (this.#state.conversationId && this.#state.messages.length === 0) return this.#state.conversationId;
    await this.reset();
    return this.#newConversation().catch((error: unknown) => {
      this.#fail(error, 'ready');
      return null;
    });
  }

  /** Forgets the cached conversation on this device and starts a new one on the next send. */
  async reset(): Promise<void> {
    this.stop();
    this.#update({ conversationId: null, messages: [], traces: {}, error: null, avatarEmotion: 'neutral' });
    await this.#saveCache();
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

  /** Replaces the messages in state (and on this device) with the server's. */
  async #reload(): Promise<void> {
    const { conversationId } = this.#state;
    if (!conversationId) throw new Error('No conversation to reload.');
    const messages = await this.client.getMessages(conversationId);
    this.#update({ messages: messages.map(toChatMessage), avatarEmotion: lastExpression(messages) });
    await this.#saveCache(messages);
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
    this.#update({ status, error: toVibhavaError(error) });
  }

  #update(patch: Partial<ChatState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener(this.#state);
  }
}
