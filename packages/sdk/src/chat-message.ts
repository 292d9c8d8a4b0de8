import type { EkmanEmotion, Emotion, Message, MessageStatus } from '@vibhava/protocol';

/** One message as the chat shows it: the wire `Message` without the server's bookkeeping. */
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

export function toChatMessage(message: Message): ChatMessage {
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
export function lastExpression(messages: readonly Message[]): EkmanEmotion {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === 'assistant' && message.emotion) return message.emotion.ekman;
  }
  return 'neutral';
}
