import type { ChatMessage } from '@vibhava/sdk';

/** Detail of `vibhava-error`: the SDK error's code and a human-readable message. */
export interface VibhavaErrorDetail {
  code: string;
  message: string;
}

/** Detail of `vibhava-message`: the assistant reply once it stopped streaming. */
export type VibhavaMessageDetail = ChatMessage;

/** Detail of `vibhava-feedback`: the reply the visitor rated, how, and why (after a thumbs down). */
export interface VibhavaFeedbackDetail {
  messageId: string;
  rating: 'up' | 'down';
  reason?: string;
}

export type VibhavaFeedbackEvent = CustomEvent<VibhavaFeedbackDetail>;
export type VibhavaMessageEvent = CustomEvent<VibhavaMessageDetail>;
export type VibhavaErrorEvent = CustomEvent<VibhavaErrorDetail>;
export type VibhavaOpenEvent = CustomEvent<undefined>;
export type VibhavaCloseEvent = CustomEvent<undefined>;
