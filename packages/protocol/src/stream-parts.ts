import { z } from 'zod/mini';
import { ErrorInfoSchema } from './errors.js';
import { EkmanEmotionSchema } from './emotion.js';
import { ContextTraceSchema } from './memory.js';
import { IdSchema, MessageSchema } from './schemas.js';

/**
 * The parts of a streamed reply, in order: `start`, then `text-start`, `context` (what went into
 * the reply's context), the avatar's `emotion`
 * (early, before or between the first deltas, when the model reports one), any number of
 * `text-delta`, `text-end`, then `usage` and/or `error`, and always `finish` last.
 * A stream never just stops: failures arrive as an `error` part followed by `finish`.
 */
export const StartPartSchema = z.object({
  type: z.literal('start'),
  conversationId: IdSchema,
  /** The visitor's message as stored, before the model was called. */
  userMessage: MessageSchema,
  assistantMessageId: IdSchema,
});

export const TextStartPartSchema = z.object({ type: z.literal('text-start'), id: IdSchema });
export const TextDeltaPartSchema = z.object({ type: z.literal('text-delta'), id: IdSchema, delta: z.string() });
export const TextEndPartSchema = z.object({ type: z.literal('text-end'), id: IdSchema });

/** The avatar's expression for this reply, from the model's structured output. */
export const EmotionPartSchema = z.object({ type: z.literal('emotion'), id: IdSchema, emotion: EkmanEmotionSchema });

/**
 * What went into this reply's context (memories, preferences, lorebook entries, token budget),
 * sent right after `text-start`. The widget shows it on demand ("Why this reply?").
 */
export const ContextPartSchema = z.object({ type: z.literal('context'), id: IdSchema, trace: ContextTraceSchema });

export const UsagePartSchema = z.object({
  type: z.literal('usage'),
  inputTokens: z.int().check(z.nonnegative()),
  outputTokens: z.int().check(z.nonnegative()),
  /** Input tokens served from a provider's prompt cache or the local model's KV cache. */
  cachedInputTokens: z.optional(z.int().check(z.nonnegative())),
});

export const ErrorPartSchema = z.object({ type: z.literal('error'), error: ErrorInfoSchema });

export const FinishReasonSchema = z.enum(['stop', 'length', 'aborted', 'error']);
export type FinishReason = z.infer<typeof FinishReasonSchema>;

export const FinishPartSchema = z.object({
  type: z.literal('finish'),
  /** The assistant message as stored; its status says whether the reply is complete or partial. */
  message: MessageSchema,
  finishReason: FinishReasonSchema,
});

export const StreamPartSchema = z.discriminatedUnion('type', [
  StartPartSchema,
  TextStartPartSchema,
  TextDeltaPartSchema,
  TextEndPartSchema,
  EmotionPartSchema,
  ContextPartSchema,
  UsagePartSchema,
  ErrorPartSchema,
  FinishPartSchema,
]);
export type StreamPart = z.infer<typeof StreamPartSchema>;
export type StreamPartOf<T extends StreamPart['type']> = Extract<StreamPart, { type: T }>;
