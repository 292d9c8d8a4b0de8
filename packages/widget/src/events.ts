import type { ChatMessage } from '@vibhava/sdk';

/** Detail of `vibhava-error`: the SDK error's code and a human-readable message. */
export interface VibhavaErrorDetail {
  code: string;
  message: string;
}

/** Detail of `vibhava-message`: the assistant reply once it stopped streaming. */
export type VibhavaMessageDetail = ChatMessage;

export type VibhavaMessageEvent = CustomEvent<VibhavaMessageDetail>;
export type VibhavaErrorEvent = CustomEvent<VibhavaErrorDetail>;
export type VibhavaOpenEvent = CustomEvent<undefined>;
export type VibhavaCloseEvent = CustomEvent<undefined>;
