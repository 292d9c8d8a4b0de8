import { z } from 'zod/mini';

export const IdSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -'));

/** Upper bound on one visitor message, in characters. The server also caps the body in bytes. */
export const MAX_MESSAGE_CHARS = 4000;

export const AvatarSchema = z.object({
  id: IdSchema,
  name: z.string(),
  greeting: z.string(),
});
export type Avatar = z.infer<typeof AvatarSchema>;

export const CreateSessionRequestSchema = z.object({
  publishableKey: z.string().check(z.minLength(1), z.maxLength(200)),
  avatarId: IdSchema,
  /** A visitor id the SDK kept from an earlier session; the server issues a new one when absent. */
  visitorId: z.optional(IdSchema),
  /**
   * A short JWT from the host site's backend naming its signed-in user. The visitor becomes that
   * verified user, and the anonymous visitor's conversations move to them.
   */
  identityToken: z.optional(z.string().check(z.minLength(1), z.maxLength(8192))),
});
export type CreateSessionRequest = z.infer<typeof CreateSessionRequestSchema>;

export const SessionSchema = z.object({
  token: z.string(),
  /** Epoch milliseconds. */
  expiresAt: z.int(),
  visitorId: IdSchema,
  /** True when the visitor was signed in through an identity token. */
  verified: z.boolean(),
  avatar: AvatarSchema,
});
export type Session = z.infer<typeof SessionSchema>;

export const MessageRoleSchema = z.enum(['user', 'assistant']);
export type MessageRole = z.infer<typeof MessageRoleSchema>;

/**
 * `partial`: the reply stopped early (the visitor stopped it, or the model failed mid-stream);
 * `error`: no reply text was produced at all.
 */
export const MessageStatusSchema = z.enum(['complete', 'streaming', 'partial', 'error']);
export type MessageStatus = z.infer<typeof MessageStatusSchema>;

export const MessageSchema = z.object({
  id: IdSchema,
  conversationId: IdSchema,
  role: MessageRoleSchema,
  content: z.string(),
  status: MessageStatusSchema,
  inputTokens: z.nullable(z.int().check(z.nonnegative())),
  outputTokens: z.nullable(z.int().check(z.nonnegative())),
  /** ISO 8601. */
  createdAt: z.string(),
});
export type Message = z.infer<typeof MessageSchema>;

export const ConversationSchema = z.object({
  id: IdSchema,
  avatarId: IdSchema,
  title: z.nullable(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const CreateConversationRequestSchema = z.strictObject({});

export const ConversationListSchema = z.object({ conversations: z.array(ConversationSchema) });
export type ConversationList = z.infer<typeof ConversationListSchema>;

export const MessageListSchema = z.object({ messages: z.array(MessageSchema) });
export type MessageList = z.infer<typeof MessageListSchema>;

export const SendMessageRequestSchema = z.object({
  content: z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(MAX_MESSAGE_CHARS, `must be at most ${MAX_MESSAGE_CHARS} characters`),
    ),
});
export type SendMessageRequest = z.infer<typeof SendMessageRequestSchema>;
