import {
  developerMessage,
  visitorMessage,
  type ChatMessage,
  type FeedbackRequest,
  type VibhavaError,
} from '@vibhava/sdk';
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import type {
  VibhavaCloseEvent,
  VibhavaErrorEvent,
  VibhavaFeedbackEvent,
  VibhavaMessageEvent,
  VibhavaOpenEvent,
} from './events.js';
import { faceStyles, renderFace } from './internal/avatar-face.js';
import { ChatController } from './internal/chat-controller.js';
import { emit } from './internal/emit.js';
import { avatarIcon, closeIcon, newConversationIcon, sendIcon, stopIcon } from './internal/icons.js';
import { MemoryPanel } from './internal/memory-panel.js';
import { memoryPanelStyles } from './internal/memory-panel.styles.js';
import { renderMessage } from './internal/message-view.js';
import { TraceDisclosures } from './internal/reply-trace.js';
import { styles } from './vibhava-avatar.styles.js';

let nextInstanceId = 0;

/**
 * An embeddable chat with an AI avatar: a launcher button fixed to the bottom-right corner that
 * opens a chat panel. The conversation state lives in `@vibhava/sdk`; this element binds it.
 *
 * @tag vibhava-avatar
 * @summary Chat with a VibhavaFusion avatar.
 *
 * @fires {CustomEvent<ChatMessage>} vibhava-message - An assistant reply finished streaming (or was stopped), also one written again or after an edit; `detail` is the message.
 * @fires {CustomEvent<{ code: string; message: string }>} vibhava-error - The chat failed; `detail` has the error's `code` and the server's `message` (for developers: it names, say, the refused origin and how to allow it). The visitor sees a short message instead (`visitorMessage` of `@vibhava/sdk`), and the console gets the developer's message once per code.
 * @fires {CustomEvent<{ messageId: string; rating: 'up' | 'down'; reason?: string }>} vibhava-feedback - The visitor rated a reply.
 * @fires {CustomEvent<undefined>} vibhava-open - The panel opened.
 * @fires {CustomEvent<undefined>} vibhava-close - The panel closed.
 *
 * @csspart launcher - The round button that opens and closes the panel.
 * @csspart launcher-icon - The avatar face inside the launcher.
 * @csspart panel - The chat panel (`role="dialog"`).
 * @csspart header - The panel's header bar.
 * @csspart face - The avatar's face in the header (`role="img"`, `data-emotion` names the expression, `data-speaking` is set while a reply streams).
 * @csspart title - The avatar's name in the header.
 * @csspart new-conversation - The header button that starts a new conversation (the greeting shows again).
 * @csspart memory-button - The header button that opens "What I remember about you" (`aria-expanded`).
 * @csspart close - The close button in the header.
 * @csspart memory-panel - The panel listing what the avatar remembers about the visitor (shown instead of the messages).
 * @csspart memory-item - One remembered thing: its text, category, date and its Edit / Delete buttons; also a `memory-group`.
 * @csspart memory-group - One line for the moments remembered from one conversation: it unfolds them (`aria-expanded`), Delete forgets them all.
 * @csspart memory-close - The memory panel's "Back to chat" button.
 * @csspart memory-action - Any other button of the memory panel: Edit, Delete, Save, Cancel, Try again.
 * @csspart memory-pause - The "Pause memory" switch (`role="switch"`, `aria-checked`).
 * @csspart memory-forget - The "Forget everything" button (it asks to confirm in place).
 * @csspart memory-forget-confirm - The button that confirms forgetting everything.
 * @csspart memory-error - The memory panel's `role="alert"` region, with the server's error message.
 * @csspart messages - The message list (`role="log"`).
 * @csspart message - Every message bubble (also `message-user` or `message-assistant`).
 * @csspart message-user - A visitor's message bubble.
 * @csspart message-assistant - An assistant message bubble (including the greeting).
 * @csspart feedback - The thumbs up / down row under a reply.
 * @csspart vote - A thumbs up or down button (also `vote-up` or `vote-down`; `aria-pressed` when chosen).
 * @csspart reason - A reason button offered after a thumbs down.
 * @csspart trace-toggle - "Why this reply?" under a reply (`aria-expanded`).
 * @csspart trace - What went into a reply: the memories, preferences and background it used.
 * @csspart regenerate - The button that writes the last reply again.
 * @csspart edit - The button that puts the visitor's last message back into the input to edit it.
 * @csspart editing - The note above the input while the visitor edits their last message.
 * @csspart error - The `role="alert"` region that shows errors.
 * @csspart composer - The form holding the input and the buttons.
 * @csspart input - The message textarea.
 * @csspart send - The send button.
 * @csspart stop - The button that stops a streaming reply.
 *
 * @cssproperty [--vibhava-accent=#4338ca] - Launcher, header and visitor bubble background.
 * @cssproperty [--vibhava-accent-text=#ffffff] - Text and icon colour on the accent.
 * @cssproperty [--vibhava-background=#ffffff] - Panel background.
 * @cssproperty [--vibhava-surface=#f3f4f6] - Assistant bubble background.
 * @cssproperty [--vibhava-text=#111827] - Text colour.
 * @cssproperty [--vibhava-muted=#4b5563] - Secondary text colour.
 * @cssproperty [--vibhava-border=#d1d5db] - Border colour.
 * @cssproperty [--vibhava-error=#b91c1c] - Error text colour.
 * @cssproperty [--vibhava-link=#1d4ed8] - Link colour in replies.
 * @cssproperty [--vibhava-focus-ring] - Focus outline colour (default: the accent).
 * @cssproperty [--vibhava-font=system-ui] - Font family.
 * @cssproperty [--vibhava-font-size=15px] - Base font size.
 * @cssproperty [--vibhava-code-font=ui-monospace] - Font family of code.
 * @cssproperty [--vibhava-radius=16px] - Corner radius of the panel (bubbles and input scale from it).
 * @cssproperty [--vibhava-panel-width=370px] - Panel width (capped to the viewport).
 * @cssproperty [--vibhava-panel-height=560px] - Panel height (capped to the viewport).
 * @cssproperty [--vibhava-launcher-size=60px] - Launcher diameter.
 * @cssproperty [--vibhava-offset=20px] - Distance from the viewport's bottom-right corner.
 * @cssproperty [--vibhava-shadow] - Shadow of the launcher and the panel.
 * @cssproperty [--vibhava-z-index=2147483000] - Stacking order of the widget.
 */
export class VibhavaAvatar extends LitElement {
  static override styles = [styles, faceStyles, memoryPanelStyles];

  static override properties = {
    serverUrl: { attribute: 'server-url' },
    publishableKey: { attribute: 'publishable-key' },
    avatarId: { attribute: 'avatar-id' },
    identityToken: { attribute: 'identity-token' },
    open: { type: Boolean, reflect: true },
    heading: {},
  };

  /** Base URL of the VibhavaFusion server. Required. */
  declare serverUrl: string;
  /** The tenant's publishable key. Required. */
  declare publishableKey: string;
  /** Which avatar to talk to. Required. */
  declare avatarId: string;
  /**
   * Signs the visitor in: a short-lived JWT your backend mints for the signed-in user, so their
   * conversations follow them across devices. Leave unset for anonymous visitors.
   */
  declare identityToken: string;
  /** Whether the chat panel is open. */
  declare open: boolean;
  /** Overrides the header text (default: the avatar's name). */
  declare heading: string;

  readonly #chat = new ChatController(this, {
    config: () =>
      this.serverUrl && this.publishableKey && this.avatarId
        ? {
            serverUrl: this.serverUrl,
            publishableKey: this.publishableKey,
            avatarId: this.avatarId,
            ...(this.identityToken ? { identityToken: this.identityToken } : {}),
          }
        : null,
    onError: (error) => {
      this.#tellDeveloper(error);
      emit(this, 'vibhava-error', { code: error.code, message: error.message });
    },
  });
  /** Error codes already written to the console: the developer is told once per kind of failure. */
  readonly #toldDeveloper = new Set<string>();

  readonly #ids = `vibhava-${++nextInstanceId}`;
  /** What the visitor has typed so far (not an attribute, so kept out of the public surface). */
  #draft = '';
  /** The reply whose thumbs down is waiting for an optional reason. */
  #askingReasonFor: string | null = null;
  /** The visitor message being edited in the input (its text was put back there). */
  #editingMessage: string | null = null;
  readonly #traces = new TraceDisclosures(this, (messageId) => this.#chat.loadTrace(messageId));
  readonly #memoryPanel = new MemoryPanel(this, { ids: this.#ids, memory: () => this.#chat.memory });

  constructor() {
    super();
    this.serverUrl = '';
    this.publishableKey = '';
    this.avatarId = '';
    this.identityToken = '';
    this.open = false;
    this.heading = '';
  }

  /** Opens the panel and moves focus to the message input. */
  show(): void {
    this.open = true;
  }

  /** Opens the panel on "What I remember about you": the visitor's memories, to review or forget. */
  showMemory(): void {
    this.show();
    void this.updateComplete.then(() => this.#memoryPanel.show());
  }

  /** Closes the panel and returns focus to the launcher. */
  hide(): void {
    this.open = false;
    this.#memoryPanel.open = false;
    void this.updateComplete.then(() => this.#launcher?.focus());
  }

  /** Stops the reply being streamed; what arrived so far is kept. */
  stop(): void {
    this.#chat.stop();
  }

  /**
   * Starts a new conversation: the greeting shows again, the earlier conversation stays on the
   * server, and what the avatar remembers from it carries over.
   */
  async newConversation(): Promise<void> {
    this.#memoryPanel.open = false;
    this.#editingMessage = null;
    this.#askingReasonFor = null;
    this.requestUpdate();
    void this.updateComplete.then(() => this.#input?.focus());
    await this.#chat.newConversation();
  }

  get #launcher(): HTMLButtonElement | null {
    return this.renderRoot.querySelector('.launcher');
  }

  get #input(): HTMLTextAreaElement | null {
    return this.renderRoot.querySelector('.input');
  }

  get #title(): string {
    return this.heading || this.#chat.state.avatar?.name || 'Chat';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Connecting here (not in updated()) lets the first state change join this render.
    if (changed.has('open') && this.open) void this.#chat.connect();
    // Closing hides the focused element; remember to hand focus back to the launcher.
    if (changed.has('open') && !this.open) {
      const active = this.renderRoot instanceof ShadowRoot ? this.renderRoot.activeElement : null;
      if (active && active !== this.#launcher) void this.updateComplete.then(() => this.#launcher?.focus());
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('open')) {
      const wasOpen = changed.get('open') === true;
      if (this.open) {
        this.#input?.focus();
        if (!wasOpen) emit(this, 'vibhava-open', undefined);
      } else if (wasOpen) {
        emit(this, 'vibhava-close', undefined);
      }
    }
    const log = this.renderRoot.querySelector('.messages');
    if (log) log.scrollTop = log.scrollHeight;
  }

  /**
   * The avatar's own colours, as defaults: a page that sets `--vibhava-*` properties still wins.
   */
  #avatarColors(): Record<string, string> {
    const colors = this.#chat.state.avatar?.appearance?.colors;
    const style: Record<string, string> = {};
    if (colors?.accent) style['--_accent'] = `var(--vibhava-accent, ${colors.accent})`;
    if (colors?.background) style['--_background'] = `var(--vibhava-background, ${colors.background})`;
    if (colors?.text) style['--_text'] = `var(--vibhava-text, ${colors.text})`;
    return style;
  }

  protected override render(): TemplateResult {
    const { state } = this.#chat;
    const colors = styleMap(this.#avatarColors());
    const streaming = state.status === 'streaming';
    const label = this.heading || state.avatar?.name ? `Chat with ${this.#title}` : 'Open chat';
    const memoryOpen = this.#memoryPanel.open;
    return html`
      <div
        class="panel"
        part="panel"
        id="${this.#ids}-panel"
        role="dialog"
        aria-label=${this.#title}
        style=${colors}
        ?hidden=${!this.open}
        @keydown=${this.#onPanelKeydown}
      >
        <div class="header" part="header">
          <span class="icon"
            >${renderFace({
              emotion: state.avatarEmotion,
              speaking: streaming && Boolean(state.messages.at(-1)?.content),
              name: state.avatar?.name ?? this.#title,
              appearance: state.avatar?.appearance,
            })}</span
          >
          <h2 class="title" part="title">${this.#title}</h2>
          ${
            this.#chat.configured
              ? html`<button
                    class="close"
                    part="new-conversation"
                    type="button"
                    aria-label="New conversation"
                    title="New conversation"
                    @click=${this.newConversation}
                  >
                    ${newConversationIcon}
                  </button>
                  ${this.#memoryPanel.renderOpener()}`
              : nothing
          }
          <button class="close" part="close" type="button" aria-label="Close chat" @click=${this.hide}>
            ${closeIcon}
          </button>
        </div>
        ${this.#memoryPanel.render()}
        <div
          class="messages"
          part="messages"
          role="log"
          aria-live="polite"
          aria-busy=${streaming ? 'true' : 'false'}
          ?hidden=${memoryOpen}
        >
          ${this.#renderMessages()}
        </div>
        <div class="alert" part="error" role="alert" ?hidden=${memoryOpen}>${this.#errorText()}</div>
        ${
          // An unsent message put back into the input is simply sent again: no "editing" note.
          this.#editingMessage && !memoryOpen && !this.#unsent(this.#editingMessage)
            ? html`<p class="note editing" part="editing">
                Editing your message
                <button class="text-button" type="button" @click=${this.#cancelEdit}>Cancel</button>
              </p>`
            : nothing
        }
        <form class="composer" part="composer" ?hidden=${memoryOpen} @submit=${this.#onSubmit}>
          <label class="visually-hidden" for="${this.#ids}-input">Message ${this.#title}</label>
          <textarea
            class="input"
            part="input"
            id="${this.#ids}-input"
            rows="1"
            placeholder="Type a message…"
            .value=${this.#draft}
            @input=${this.#onInput}
            @keydown=${this.#onInputKeydown}
          ></textarea>
          ${
            streaming
              ? html`<button class="stop" part="stop" type="button" aria-label="Stop the reply" @click=${this.stop}>
                  ${stopIcon}
                </button>`
              : html`<button
                  class="send"
                  part="send"
                  type="submit"
                  aria-label="Send"
                  ?disabled=${!this.#draft.trim() || !this.#chat.configured}
                >
                  ${sendIcon}
                </button>`
          }
        </form>
      </div>
      <button
        class="launcher"
        part="launcher"
        type="button"
        aria-label=${label}
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="${this.#ids}-panel"
        style=${colors}
        @click=${this.#toggle}
      >
        <span part="launcher-icon">${avatarIcon}</span>
      </button>
    `;
  }

  #renderMessages(): TemplateResult | typeof nothing {
    const { messages, avatar, status } = this.#chat.state;
    if (messages.length === 0) {
      if (avatar?.greeting)
        return this.#renderMessage({
          id: 'greeting',
          role: 'assistant',
          content: avatar.greeting,
          status: 'complete',
          createdAt: '',
        });
      if (status === 'connecting') return html`<p class="note">Connecting…</p>`;
      return nothing;
    }
    return html`${repeat(
      messages,
      (message) => message.id,
      (message, index) => this.#renderMessage(message, index),
    )}`;
  }

  #renderMessage(message: ChatMessage, index = 0): TemplateResult {
    return renderMessage(message, {
      ids: this.#ids,
      index,
      state: this.#chat.state,
      askingReason: this.#askingReasonFor === message.id,
      traceOpen: this.#traces.isOpen(message.id),
      traceError: this.#traces.error(message.id),
      rate: (feedback) => void this.#rate(message.id, feedback),
      toggleTrace: () => this.#traces.toggle(message.id),
      regenerate: () => void this.#regenerate(),
      edit: () => this.#edit(message),
    });
  }

  /** Puts the visitor's last message back into the input; sending it replaces the message. */
  #edit(message: ChatMessage): void {
    this.#editingMessage = message.id;
    this.#draft = message.content;
    this.requestUpdate();
    void this.updateComplete.then(() => this.#input?.focus());
  }

  #cancelEdit(): void {
    this.#editingMessage = null;
    this.#draft = '';
    this.requestUpdate();
    void this.updateComplete.then(() => this.#input?.focus());
  }

  async #regenerate(): Promise<void> {
    this.#input?.focus();
    const reply = await this.#chat.regenerate();
    if (reply) emit(this, 'vibhava-message', reply);
  }

  async #rate(messageId: string, feedback: FeedbackRequest): Promise<void> {
    // A thumbs down without a reason offers the reasons; picking one (or voting again) closes them.
    this.#askingReasonFor = feedback.rating === 'down' && !feedback.reason ? messageId : null;
    this.requestUpdate();
    await this.#chat.rate(messageId, feedback);
    emit(this, 'vibhava-feedback', {
      messageId,
      rating: feedback.rating,
      ...(feedback.reason ? { reason: feedback.reason } : {}),
    });
  }

  #errorText(): string {
    if (!this.#chat.configured)
      return this.open ? 'This chat is not configured: set server-url, publishable-key and avatar-id.' : '';
    const { error } = this.#chat.state;
    return error ? visitorMessage(error) : '';
  }

  /** Whether a visitor message is one the server never took ("(not sent)"). */
  #unsent(messageId: string): boolean {
    return this.#chat.state.messages.some((m) => m.id === messageId && m.status === 'error');
  }

  #tellDeveloper(error: VibhavaError): void {
    if (this.#toldDeveloper.has(error.code)) return;
    this.#toldDeveloper.add(error.code);
    // A 4xx other than a rate limit says how the page or the server is set up; the rest comes and goes.
    const setup = error.status !== undefined && error.status < 500 && error.status !== 429;
    if (setup) console.error(developerMessage(error));
    else console.warn(developerMessage(error));
  }

  #toggle(): void {
    if (this.open) this.hide();
    else this.show();
  }

  #onPanelKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.stopPropagation();
      this.hide();
    }
  }

  #onInput(event: Event): void {
    this.#draft = (event.target as HTMLTextAreaElement).value;
    this.requestUpdate();
  }

  #onInputKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.#editingMessage) {
      event.stopPropagation();
      this.#cancelEdit();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void this.#send();
    }
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    void this.#send();
  }

  async #send(): Promise<void> {
    const typed = this.#draft;
    const text = typed.trim();
    if (!text || this.#chat.state.status === 'streaming' || !this.#chat.configured) return;
    const editing = this.#editingMessage;
    const before = new Set(this.#chat.state.messages.map((m) => m.id));
    this.#draft = '';
    this.#editingMessage = null;
    this.requestUpdate();
    const reply = editing ? await this.#chat.editLastMessage(text) : await this.#chat.send(text);
    if (reply) emit(this, 'vibhava-message', reply);
    else this.#keepUnsent(typed, editing, before);
  }

  /**
   * After a send that failed before any reply began (the server refused it, or could not be
   * reached), the text goes back into the input, so nothing typed is lost; sending it again
   * replaces the "(not sent)" message instead of adding another.
   */
  #keepUnsent(typed: string, editing: string | null, before: ReadonlySet<string>): void {
    const { messages, error } = this.#chat.state;
    const replyBegan = messages.some((m) => m.role === 'assistant' && !before.has(m.id));
    // Stopped by the visitor, answered after all, or they already typed something new.
    if (!error || replyBegan || this.#draft) return;
    const unsent = messages.findLast((m) => m.role === 'user' && m.status === 'error');
    this.#draft = typed;
    this.#editingMessage = editing && messages.some((m) => m.id === editing) ? editing : (unsent?.id ?? null);
    this.requestUpdate();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'vibhava-avatar': VibhavaAvatar;
  }
  interface HTMLElementEventMap {
    'vibhava-message': VibhavaMessageEvent;
    'vibhava-error': VibhavaErrorEvent;
    'vibhava-open': VibhavaOpenEvent;
    'vibhava-feedback': VibhavaFeedbackEvent;
    'vibhava-close': VibhavaCloseEvent;
  }
}
