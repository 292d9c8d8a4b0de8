import type { ChatMessage, ChatState, FeedbackRequest } from '@vibhava/sdk';
import { html, nothing, type TemplateResult } from 'lit';
import { renderFeedback } from './feedback-row.js';
import { editIcon, regenerateIcon } from './icons.js';
import { renderMarkdown } from './markdown.js';
import { renderTrace } from './reply-trace.js';

export interface MessageViewOptions {
  /** Prefix of the ids this message renders (unique per widget instance). */
  ids: string;
  /** Where the message is in `state.messages` (the greeting: 0 of none). */
  index: number;
  state: ChatState;
  /** This reply's thumbs down is waiting for an optional reason. */
  askingReason: boolean;
  /** This reply's "Why this reply?" is open; `traceError` says why its trace could not be read. */
  traceOpen: boolean;
  traceError: string | undefined;
  rate: (feedback: FeedbackRequest) => void;
  toggleTrace: () => void;
  regenerate: () => void;
  edit: () => void;
}

/**
 * One message bubble and what goes under it: for a reply, the feedback row (thumbs, "Why this
 * reply?", and on the last reply "write it again") and the open trace; for the visitor's last
 * message, the button that edits it.
 */
export function renderMessage(message: ChatMessage, options: MessageViewOptions): TemplateResult {
  const { index, state } = options;
  const { messages } = state;
  const body =
    message.role === 'user'
      ? html`<span class="visually-hidden">You: </span><span class="text">${message.content}</span>`
      : message.status === 'streaming' && !message.content
        ? html`<span class="typing" role="img" aria-label="Typing"><span></span><span></span><span></span></span>`
        : renderMarkdown(message.content);
  const stopped =
    message.status === 'partial'
      ? html`<div class="note">(stopped)</div>`
      : message.role === 'user' && message.status === 'error'
        ? html`<div class="note">(not sent)</div>`
        : nothing;
  const idle = state.status !== 'streaming' && message.id !== 'greeting';
  const traceId = `${options.ids}-trace-${message.id}`;
  const explainable = message.status === 'complete' || message.status === 'partial';
  const traceOpen = options.traceOpen && explainable;
  const actions = html`${
    explainable
      ? html`<button
          class="action"
          part="trace-toggle"
          type="button"
          aria-expanded=${traceOpen ? 'true' : 'false'}
          aria-controls=${traceOpen ? traceId : nothing}
          @click=${options.toggleTrace}
        >
          Why this reply?
        </button>`
      : nothing
  }${
    idle && index === messages.length - 1
      ? iconButton('regenerate', 'Write this reply again', regenerateIcon, options.regenerate)
      : nothing
  }`;
  // Only the visitor's last message can be edited, and not while a reply is being written.
  const editable = message.role === 'user' && idle && messages.findLastIndex((m) => m.role === 'user') === index;
  // Visitor messages keep their own line breaks: `.text` is pre-wrap, the template's own whitespace is not.
  return html`<div class="message ${message.role} ${message.status}" part="message message-${message.role}">
      ${body}${stopped}
    </div>
    ${
      editable
        ? html`<div class="user-actions">${iconButton('edit', 'Edit your message', editIcon, options.edit)}</div>`
        : nothing
    }
    ${renderFeedback(message, {
      askingReason: options.askingReason,
      rate: options.rate,
      actions: message.role === 'assistant' && message.status !== 'streaming' ? actions : nothing,
    })}
    ${
      traceOpen
        ? renderTrace(traceId, { trace: state.traces[message.id], error: options.traceError, before: index - 1 })
        : nothing
    }`;
}

function iconButton(part: string, label: string, icon: TemplateResult, click: () => void): TemplateResult {
  return html`<button class="action" part=${part} type="button" aria-label=${label} title=${label} @click=${click}>
    ${icon}
  </button>`;
}
