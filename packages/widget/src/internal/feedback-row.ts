import type { ChatMessage, FeedbackRequest } from '@vibhava/sdk';
import { html, nothing, type TemplateResult } from 'lit';
import { thumbDownIcon, thumbUpIcon } from './icons.js';

/** Reasons a visitor can give for a thumbs down; they steer the avatar's tone adaptation. */
const DOWN_REASONS: ReadonlyArray<[NonNullable<FeedbackRequest['reason']>, string]> = [
  ['too_long', 'Too long'],
  ['too_short', 'Too short'],
  ['unhelpful', 'Not helpful'],
  ['wrong', 'Wrong'],
];

/**
 * The row under a finished reply: thumbs up / down (after a thumbs down, the reasons to pick
 * from) and the reply's other `actions`. Nothing for visitor messages, the greeting, or a reply
 * still streaming; only the actions for a reply that failed.
 */
export function renderFeedback(
  message: ChatMessage,
  options: {
    askingReason: boolean;
    rate: (feedback: FeedbackRequest) => void;
    actions?: TemplateResult | typeof nothing;
  },
): TemplateResult | typeof nothing {
  const actions = options.actions ?? nothing;
  const rateable = message.status === 'complete' || message.status === 'partial';
  if (message.role !== 'assistant' || message.id === 'greeting' || (!rateable && actions === nothing)) return nothing;
  const vote = (rating: 'up' | 'down', icon: TemplateResult, label: string) =>
    html`<button
      class="vote"
      part="vote vote-${rating}"
      type="button"
      aria-label=${label}
      aria-pressed=${message.feedback === rating ? 'true' : 'false'}
      @click=${() => options.rate({ rating })}
    >
      ${icon}
    </button>`;
  const reasons = options.askingReason
    ? html`<span class="reasons" role="group" aria-label="What was wrong?">
        ${DOWN_REASONS.map(
          ([reason, label]) =>
            html`<button
              class="reason"
              part="reason"
              type="button"
              @click=${() => options.rate({ rating: 'down', reason })}
            >
              ${label}
            </button>`,
        )}
      </span>`
    : nothing;
  return html`<div class="feedback" part="feedback">
    ${rateable ? html`${vote('up', thumbUpIcon, 'Good reply')}${vote('down', thumbDownIcon, 'Bad reply')}` : nothing}
    ${actions} ${reasons}
  </div>`;
}
