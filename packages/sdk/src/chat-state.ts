import type { Avatar, ContextTrace, EkmanEmotion, StreamPart } from '@vibhava/protocol';
import type { ChatMessage } from './chat-message.js';
import type { VibhavaError } from './errors.js';

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
  /**
   * What went into each reply's context, by assistant message id: from the reply's `context`
   * part as it streams, or fetched with `loadTrace`. `null`: the server kept none for that reply.
   */
  traces: Readonly<Record<string, ContextTrace | null>>;
  error: VibhavaError | null;
}

export type ChatListener = (state: ChatState) => void;

/** One reply: what to show at once and how to ask the server for it. */
export interface Turn {
  /** What `state.messages` shows while the server has not answered yet. */
  messages: ChatMessage[];
  /** The visitor message in `messages` the reply answers. */
  userMessageId: string;
  request: (signal: AbortSignal) => Promise<AsyncIterable<StreamPart>>;
  /** Undoes `messages` when the server refused the turn before starting a reply. */
  refused: () => void;
}
