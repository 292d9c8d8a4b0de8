import {
  createVibhavaClient,
  VibhavaChat,
  VibhavaMemory,
  type ChatMessage,
  type ChatState,
  type ContextTrace,
  type FeedbackRequest,
  type MemoryState,
  type VibhavaError,
} from '@vibhava/sdk';
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface ChatConfig {
  serverUrl: string;
  publishableKey: string;
  avatarId: string;
  /** Signs the visitor in (a JWT from the host site's backend). */
  identityToken?: string;
}

export interface ChatControllerOptions {
  /** Reads the host's current configuration; null while a required attribute is missing. */
  config: () => ChatConfig | null;
  /** Called once for each new error the chat reports. */
  onError?: (error: VibhavaError) => void;
}

const IDLE_STATE: ChatState = {
  status: 'idle',
  avatar: null,
  conversationId: null,
  messages: [],
  avatarEmotion: 'neutral',
  traces: {},
  error: null,
};
const IDLE_MEMORY: MemoryState = { status: 'idle', memories: [], paused: false, error: null };

/**
 * Binds one SDK `VibhavaChat` to a Lit host. The state lives in the SDK; this controller only
 * mirrors `chat.state` into `state` and asks the host to re-render on every change. It builds a
 * new chat when the host's server, key or avatar changes, and detaches when the host leaves
 * the document (stopping any reply still streaming).
 */
export class ChatController implements ReactiveController {
  state: ChatState = IDLE_STATE;
  readonly #host: ReactiveControllerHost;
  readonly #options: ChatControllerOptions;
  #chat: VibhavaChat | null = null;
  #memory: VibhavaMemory | null = null;
  #configKey = '';
  #unsubscribe: (() => void) | undefined;

  constructor(host: ReactiveControllerHost, options: ChatControllerOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** False until `server-url`, `publishable-key` and `avatar-id` are all set. */
  get configured(): boolean {
    return this.#chat !== null;
  }

  hostConnected(): void {
    this.#sync();
    this.#attach();
  }

  hostDisconnected(): void {
    this.#chat?.stop();
    this.#detach();
  }

  hostUpdate(): void {
    this.#sync();
  }

  /** Starts the session and resumes the cached conversation (once; later calls are no-ops). */
  async connect(): Promise<void> {
    this.#sync();
    const chat = this.#chat;
    if (chat && (chat.state.status === 'idle' || chat.state.status === 'error')) await chat.connect();
  }

  /** Sends a visitor message; resolves with the final assistant message, or null on failure. */
  async send(text: string): Promise<ChatMessage | null> {
    this.#sync();
    return (await this.#chat?.send(text)) ?? null;
  }

  stop(): void {
    this.#chat?.stop();
  }

  /** Starts a new conversation (see `VibhavaChat.newConversation`). */
  async newConversation(): Promise<void> {
    await this.#chat?.newConversation();
  }

  /** Writes the last reply again (see `VibhavaChat.regenerate`). */
  async regenerate(): Promise<ChatMessage | null> {
    return (await this.#chat?.regenerate()) ?? null;
  }

  /** Replaces the visitor's last message and writes the reply again (see `VibhavaChat.editLastMessage`). */
  async editLastMessage(text: string): Promise<ChatMessage | null> {
    return (await this.#chat?.editLastMessage(text)) ?? null;
  }

  /** Reads a reply's context trace into `state.traces` (see `VibhavaChat.loadTrace`). */
  async loadTrace(messageId: string): Promise<ContextTrace | null> {
    return (await this.#chat?.loadTrace(messageId)) ?? null;
  }

  /** The visitor's memories, bound like the chat: built with the chat's client on first use. */
  get memory(): VibhavaMemory | null {
    if (!this.#memory && this.#chat) {
      this.#memory = new VibhavaMemory({ client: this.#chat.client });
      this.#memory.subscribe(() => this.#host.requestUpdate());
    }
    return this.#memory;
  }

  get memoryState(): MemoryState {
    return this.#memory?.state ?? IDLE_MEMORY;
  }

  /** Rates a reply (see `VibhavaChat.rate`). */
  async rate(messageId: string, feedback: FeedbackRequest): Promise<void> {
    await this.#chat?.rate(messageId, feedback);
  }

  /** Builds a new chat when the configuration changed since the last call. */
  #sync(): void {
    const config = this.#options.config();
    const key = config
      ? JSON.stringify([config.serverUrl, config.publishableKey, config.avatarId, config.identityToken ?? ''])
      : '';
    if (key === this.#configKey) return;
    this.#configKey = key;
    this.#chat?.stop();
    this.#detach();
    this.#memory?.dispose();
    this.#memory = null;
    this.#chat = config ? new VibhavaChat({ client: createVibhavaClient(config) }) : null;
    this.state = this.#chat?.state ?? IDLE_STATE;
    this.#attach();
  }

  #attach(): void {
    const chat = this.#chat;
    if (!chat || this.#unsubscribe) return;
    this.#unsubscribe = chat.subscribe((state) => {
      const previousError = this.state.error;
      this.state = state;
      this.#host.requestUpdate();
      if (state.error && state.error !== previousError) this.#options.onError?.(state.error);
    });
    if (this.state !== chat.state) {
      this.state = chat.state;
      this.#host.requestUpdate();
    }
  }

  #detach(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}
