import { z } from 'zod/mini';
import { EkmanEmotionSchema, EmotionSchema } from './emotion.js';

export const IdSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -'));

/** Upper bound on one visitor message, in characters. The server also caps the body in bytes. */
export const MAX_MESSAGE_CHARS = 4000;

/** How the avatar looks in the widget: one image per expression (else the built-in face) and colours. */
export const AvatarAppearanceSchema = z.object({
  /** Image URL per expression; missing expressions fall back to `neutral`, then to the built-in face. */
  images: z.optional(z.partialRecord(EkmanEmotionSchema, z.string())),
  colors: z.optional(
    z.object({ accent: z.optional(z.string()), background: z.optional(z.string()), text: z.optional(z.string()) }),
  ),
});
export type AvatarAppearance = z.infer<typeof AvatarAppearanceSchema>;

export const AvatarSchema = z.object({
  id: IdSchema,
  name: z.string(),
  greeting: z.string(),
  tagline: z.optional(z.nullable(z.string())),
  appearance: z.optional(AvatarAppearanceSchema),
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
  /** The visitor's detected emotion (user messages) or the avatar's expression (replies). */
  emotion: z.optional(z.nullable(EmotionSchema)),
  /** The visitor's feedback on a reply. */
  feedback: z.optional(z.nullable(z.enum(['up', 'down']))),
  /** ISO 8601. */
  createdAt: z.string(),
});
export type Message = z.infer<typeof MessageSchema>;

/**
 * `active`: in use; `idle`: no message for a while; `summarized`: older turns are carried by a
 * rolling summary; `closed`: ended (a new message reopens it).
 */
export const ConversationStateSchema = z.enum(['active', 'idle', 'summarized', 'closed']);
export type ConversationState = z.infer<typeof ConversationStateSchema>;

export const ConversationSchema = z.object({
  id: IdSchema,
  avatarId: IdSchema,
  title: z.nullable(z.string()),
  state: z.optional(ConversationStateSchema),
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

/** Replace the visitor's last message (the reply after it is written again). */
export const EditMessageRequestSchema = SendMessageRequestSchema;
export type EditMessageRequest = z.infer<typeof EditMessageRequestSchema>;

/** Thumbs up or down on one of the avatar's replies, with an optional reason. */
export const FEEDBACK_REASONS = ['too_long', 'too_short', 'unhelpful', 'wrong', 'rude', 'off_topic', 'other'] as const;
export const FeedbackRequestSchema = z.object({
  rating: z.enum(['up', 'down']),
  reason: z.optional(z.enum(FEEDBACK_REASONS)),
  comment: z.optional(z.string().check(z.trim(), z.maxLength(500, 'must be at most 500 characters'))),
});
export type FeedbackRequest = z.infer<typeof FeedbackRequestSchema>;

export const FeedbackSchema = z.object({
  messageId: IdSchema,
  rating: z.enum(['up', 'down']),
  reason: z.nullable(z.enum(FEEDBACK_REASONS)),
  comment: z.nullable(z.string()),
  createdAt: z.string(),
});
export type Feedback = z.infer<typeof FeedbackSchema>;
