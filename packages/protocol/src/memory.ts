import { z } from 'zod/mini';
import { IdSchema } from './schemas.js';

/**
 * Long-term memory the visitor can see and edit. `fact`: something learned about the visitor
 * (extracted after a turn, or written by the visitor); `episode`: a moment of a conversation kept
 * verbatim, so that nothing said is lost even when no fact was extracted from it.
 */
export const MemoryKindSchema = z.enum(['fact', 'episode']);
export type MemoryKind = z.infer<typeof MemoryKindSchema>;

export const MEMORY_CATEGORIES = [
  'identity',
  'preference',
  'relationship',
  'work',
  'plan',
  'event',
  'health',
  'other',
] as const;
export const MemoryCategorySchema = z.enum(MEMORY_CATEGORIES);
export type MemoryCategory = z.infer<typeof MemoryCategorySchema>;

export const MAX_MEMORY_CHARS = 1000;

export const MemorySchema = z.object({
  id: IdSchema,
  kind: MemoryKindSchema,
  category: MemoryCategorySchema,
  text: z.string(),
  /** 0 (trivia) … 1 (core to who the visitor is). */
  importance: z.number().check(z.gte(0), z.lte(1)),
  /** The messages this memory came from (empty when the visitor wrote it). */
  sourceMessageIds: z.array(IdSchema),
  /**
   * The conversation it came from (in `GET /v1/memories`; absent for what the visitor wrote, for
   * shared knowledge and once that conversation is deleted). UIs group episodes by it.
   */
  conversationId: z.optional(IdSchema),
  /** `tenant`: shared knowledge every visitor's avatar may use; `visitor`: this visitor's own. */
  scope: z.enum(['visitor', 'tenant']),
  /** ISO 8601. */
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Memory = z.infer<typeof MemorySchema>;

export const MemoryListSchema = z.object({
  memories: z.array(MemorySchema),
  /** While paused nothing new is remembered and nothing remembered is used. */
  paused: z.boolean(),
});
export type MemoryList = z.infer<typeof MemoryListSchema>;

export const MemoryChangeSchema = z.object({
  event: z.enum(['add', 'update', 'delete']),
  before: z.nullable(z.string()),
  after: z.nullable(z.string()),
  /** Who made the change: the background extractor, the visitor, or a tenant admin. */
  actor: z.enum(['extractor', 'visitor', 'admin']),
  reason: z.nullable(z.string()),
  sourceMessageIds: z.array(IdSchema),
  at: z.string(),
});
export type MemoryChange = z.infer<typeof MemoryChangeSchema>;

export const MemoryHistorySchema = z.object({ memoryId: IdSchema, changes: z.array(MemoryChangeSchema) });
export type MemoryHistory = z.infer<typeof MemoryHistorySchema>;

const memoryText = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, 'must not be empty'),
    z.maxLength(MAX_MEMORY_CHARS, `must be at most ${MAX_MEMORY_CHARS} characters`),
  );

export const CreateMemoryRequestSchema = z.strictObject({
  text: memoryText,
  category: z.optional(MemoryCategorySchema),
});
export type CreateMemoryRequest = z.infer<typeof CreateMemoryRequestSchema>;

export const UpdateMemoryRequestSchema = z.strictObject({
  text: memoryText,
  category: z.optional(MemoryCategorySchema),
});
export type UpdateMemoryRequest = z.infer<typeof UpdateMemoryRequestSchema>;

export const MemorySettingsSchema = z.strictObject({ paused: z.boolean() });
export type MemorySettings = z.infer<typeof MemorySettingsSchema>;

export const ForgetAllResultSchema = z.object({ deleted: z.int().check(z.nonnegative()) });

/**
 * What the avatar has learned about how the visitor likes to be answered. Every field is
 * optional: `null` means "not known yet". Newer evidence wins; the change history keeps the rest.
 */
export const ReplyLengthSchema = z.enum(['short', 'medium', 'long']);
export const FormalitySchema = z.enum(['casual', 'neutral', 'formal']);
const topic = z.string().check(z.trim(), z.minLength(1), z.maxLength(80));

export const PreferenceProfileSchema = z.object({
  replyLength: z.nullable(ReplyLengthSchema),
  formality: z.nullable(FormalitySchema),
  /** BCP 47 language tag, e.g. `en`, `de`, `pt-BR`. */
  language: z.nullable(z.string()),
  likes: z.array(z.string()),
  dislikes: z.array(z.string()),
  /** Things the avatar should not do or bring up. */
  avoid: z.array(z.string()),
  updatedAt: z.nullable(z.string()),
});
export type PreferenceProfile = z.infer<typeof PreferenceProfileSchema>;

export const UpdatePreferencesRequestSchema = z.strictObject({
  replyLength: z.optional(z.nullable(ReplyLengthSchema)),
  formality: z.optional(z.nullable(FormalitySchema)),
  language: z.optional(
    z.nullable(
      z.string().check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or pt-BR')),
    ),
  ),
  likes: z.optional(z.array(topic).check(z.maxLength(50))),
  dislikes: z.optional(z.array(topic).check(z.maxLength(50))),
  avoid: z.optional(z.array(topic).check(z.maxLength(50))),
});
export type UpdatePreferencesRequest = z.infer<typeof UpdatePreferencesRequestSchema>;

export const PreferenceChangeSchema = z.object({
  field: z.enum(['replyLength', 'formality', 'language', 'likes', 'dislikes', 'avoid']),
  before: z.unknown(),
  after: z.unknown(),
  /** `conversation`: learned from what the visitor said; `feedback`: from thumbs and reasons; `visitor`: edited by hand. */
  source: z.enum(['conversation', 'feedback', 'visitor']),
  reason: z.nullable(z.string()),
  at: z.string(),
});
export type PreferenceChange = z.infer<typeof PreferenceChangeSchema>;

export const PreferencesResponseSchema = z.object({
  preferences: PreferenceProfileSchema,
  history: z.array(PreferenceChangeSchema),
});
export type PreferencesResponse = z.infer<typeof PreferencesResponseSchema>;

/** One thing that went into a reply's context, with why. */
export const TraceMemorySchema = z.object({
  id: IdSchema,
  kind: MemoryKindSchema,
  /** Short text (at most 200 characters). */
  text: z.string(),
  score: z.number(),
});
export const TraceLoreSchema = z.object({ id: z.string(), name: z.string() });
/** A fact from the site's knowledge (the avatar's or tenant's, not the visitor's) used for a reply. */
export const TraceKnowledgeSchema = z.object({
  id: IdSchema,
  /** Short text (at most 200 characters). */
  text: z.string(),
});
export const TracePreferenceSchema = z.object({ field: z.string(), value: z.string() });

/** Which memories, preferences and lorebook entries went into a reply's context, and the token budget. */
export const ContextTraceSchema = z.object({
  memories: z.array(TraceMemorySchema),
  /** The site's knowledge the reply was given (absent in traces from before it existed). */
  knowledge: z.optional(z.array(TraceKnowledgeSchema)),
  preferences: z.array(TracePreferenceSchema),
  lorebook: z.array(TraceLoreSchema),
  /** Whether a summary of older turns stood in for them. */
  summarized: z.boolean(),
  tokens: z.object({
    budget: z.int(),
    used: z.int(),
    prefix: z.int(),
    summary: z.int(),
    memories: z.int(),
    history: z.int(),
  }),
  /** Recent turns sent verbatim. */
  historyMessages: z.int(),
  memoryPaused: z.boolean(),
});
export type ContextTrace = z.infer<typeof ContextTraceSchema>;
