import { sql } from 'drizzle-orm';
import {
  blob,
  customType,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const tenants = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** IANA time zone in which daily, weekly and monthly quotas reset. */
  timeZone: text('time_zone').notNull().default('UTC'),
  /**
   * How the tenant's backend vouches for its users: identity tokens signed with this HS256 secret
   * or by a key in this JWKS (RS256/ES256), with this issuer and audience.
   */
  identitySecret: text('identity_secret'),
  identityJwksUrl: text('identity_jwks_url'),
  identityIssuer: text('identity_issuer'),
  identityAudience: text('identity_audience'),
  createdAt: createdAt(),
});

export const publishableKeys = sqliteTable(
  'publishable_keys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    /** Exact origins (scheme://host[:port]) a page must have to use this key. */
    allowedOrigins: text('allowed_origins', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: createdAt(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('publishable_keys_key_idx').on(t.key)],
);

export const avatars = sqliteTable(
  'avatars',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    greeting: text('greeting').notNull(),
    /** The persona / system prompt. */
    persona: text('persona').notNull(),
    /** What the avatar says when a budget with `polite-reply` is used up. */
    limitMessage: text('limit_message'),
    /** Models that take over, in order, when the default model keeps failing. */
    fallbackModels: text('fallback_models', { mode: 'json' }).$type<string[]>(),
    /** The full persona (see `persona/avatar-profile.ts`); null for avatars made before profiles. */
    profile: text('profile', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** Bumped on every change; each version's profile is kept in `avatar_versions`. */
    version: integer('version').notNull().default(1),
    /** The character card it was imported from, as read: unknown fields survive export. */
    card: text('card', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('avatars_tenant_idx').on(t.tenantId)],
);

/** Every version of an avatar's profile: a conversation keeps answering with the version it began on. */
export const avatarVersions = sqliteTable(
  'avatar_versions',
  {
    avatarId: text('avatar_id')
      .notNull()
      .references(() => avatars.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    profile: text('profile', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.avatarId, t.version] })],
);

/** Images and files of an avatar (expression images, a card's picture and assets), served publicly by id. */
export const avatarAssets = sqliteTable(
  'avatar_assets',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    avatarId: text('avatar_id')
      .notNull()
      .references(() => avatars.id, { onDelete: 'cascade' }),
    /** Its path in the card (`assets/icon/main.png`) or a name the admin chose. */
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    bytes: blob('bytes', { mode: 'buffer' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('avatar_assets_avatar_idx').on(t.avatarId)],
);

/** A tenant's own personality templates, beside the built-in ones. */
export const personalityTemplates = sqliteTable(
  'personality_templates',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    profile: text('profile', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('personality_templates_tenant_idx').on(t.tenantId)],
);

export const visitors = sqliteTable(
  'visitors',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** The tenant's own user id, for visitors signed in through an identity token. */
    externalId: text('external_id'),
    displayName: text('display_name'),
    /** An anonymous visitor who signed in: their conversations moved to this visitor. */
    mergedInto: text('merged_into'),
    createdAt: createdAt(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('visitors_tenant_idx').on(t.tenantId),
    uniqueIndex('visitors_external_idx').on(t.tenantId, t.externalId),
  ],
);

export const conversations = sqliteTable(
  'conversations',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    avatarId: text('avatar_id')
      .notNull()
      .references(() => avatars.id, { onDelete: 'cascade' }),
    visitorId: text('visitor_id')
      .notNull()
      .references(() => visitors.id, { onDelete: 'cascade' }),
    title: text('title'),
    /** The avatar version this conversation began on; null: the avatar's current version. */
    avatarVersion: integer('avatar_version'),
    /** The avatar's current tone adaptation for this conversation (`persona/adaptation.ts`). */
    toneState: text('tone_state', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** `active`, `idle`, `summarized` or `closed` (see the protocol's ConversationState). */
    state: text('state', { enum: ['active', 'idle', 'summarized', 'closed'] })
      .notNull()
      .default('active'),
    /** Rolling summary of the turns up to and including message `summary_through_seq`. */
    summary: text('summary'),
    summaryThroughSeq: integer('summary_through_seq'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('conversations_visitor_idx').on(t.visitorId, t.avatarId, t.updatedAt)],
);

export const messages = sqliteTable(
  'messages',
  {
    /** Insertion order: ids are random, timestamps can tie. */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['user', 'assistant'] }).notNull(),
    content: text('content').notNull(),
    status: text('status', { enum: ['complete', 'streaming', 'partial', 'error'] }).notNull(),
    inputTokens: integer('input_tokens'),
    outputTokens: integer('output_tokens'),
    cachedInputTokens: integer('cached_input_tokens'),
    provider: text('provider'),
    model: text('model'),
    errorCode: text('error_code'),
    /** `{ label, ekman, intensity }`: the visitor's emotion, or the avatar's expression on replies. */
    emotion: text('emotion', { mode: 'json' }).$type<{ label: string; ekman: string; intensity: number }>(),
    /** Replies: what went into the context (the protocol's ContextTrace). */
    trace: text('trace', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** A reply being written: when the visitor asked to stop it (an instance other than its writer may take the request). */
    stopRequestedAt: integer('stop_requested_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('messages_id_idx').on(t.id), index('messages_conversation_idx').on(t.conversationId, t.seq)],
);

/** Token buckets of the libSQL rate-limit store (Redis holds them instead when REDIS_URL is set). */
export const rateLimitBuckets = sqliteTable('rate_limit_buckets', {
  key: text('key').primaryKey(),
  tokens: real('tokens').notNull(),
  updatedAt: integer('updated_at').notNull(),
  allowed: integer('allowed').notNull(),
});

/**
 * A budget: at most `limit` of `metric` per `period`, for the tenant as a whole, for each avatar,
 * or for each visitor (`scope`). `avatarId` narrows it to one avatar; null applies to all.
 */
export const quotas = sqliteTable(
  'quotas',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    avatarId: text('avatar_id').references(() => avatars.id, { onDelete: 'cascade' }),
    scope: text('scope', { enum: ['tenant', 'avatar', 'visitor'] }).notNull(),
    /** `cost` is counted in micro-USD. */
    metric: text('metric', { enum: ['messages', 'tokens', 'cost'] }).notNull(),
    period: text('period', { enum: ['day', 'week', 'month'] }).notNull(),
    limit: integer('limit').notNull(),
    /** Past this share of the limit (1-99 %), replies come from `softLimitModel` (a cheaper model). */
    softLimitPercent: integer('soft_limit_percent'),
    softLimitModel: text('soft_limit_model'),
    /** What the visitor gets when it is used up: a 429, or a polite reply in the avatar's voice. */
    onExceeded: text('on_exceeded', { enum: ['refuse', 'polite-reply'] })
      .notNull()
      .default('refuse'),
    createdAt: createdAt(),
  },
  (t) => [index('quotas_tenant_idx').on(t.tenantId)],
);

/** Use of one quota by one subject (tenant, avatar or visitor id) in one period. */
export const quotaUsage = sqliteTable(
  'quota_usage',
  {
    quotaId: text('quota_id')
      .notNull()
      .references(() => quotas.id, { onDelete: 'cascade' }),
    subject: text('subject').notNull(),
    period: text('period').notNull(),
    used: integer('used').notNull(),
  },
  (t) => [primaryKey({ columns: [t.quotaId, t.subject, t.period] })],
);

/** The usage ledger: one row per upstream call, with what it cost under the price table's version. */
export const usageEvents = sqliteTable(
  'usage_events',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    avatarId: text('avatar_id'),
    visitorId: text('visitor_id'),
    conversationId: text('conversation_id'),
    messageId: text('message_id'),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    /** `summary` and `memory_extraction`: calls made after a reply, for the conversation's rolling summary and long-term memory. */
    operation: text('operation', {
      enum: ['chat', 'embedding', 'transcription', 'speech', 'vision', 'summary', 'memory_extraction'],
    }).notNull(),
    inputTokens: integer('input_tokens').notNull().default(0),
    cachedInputTokens: integer('cached_input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    audioSeconds: real('audio_seconds').notNull().default(0),
    characters: integer('characters').notNull().default(0),
    costMicroUsd: integer('cost_micro_usd').notNull().default(0),
    priceVersion: text('price_version').notNull(),
    latencyMs: integer('latency_ms').notNull(),
    ttftMs: integer('ttft_ms'),
    outcome: text('outcome', { enum: ['ok', 'error', 'aborted'] }).notNull(),
    errorCode: text('error_code'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('usage_events_tenant_time_idx').on(t.tenantId, t.createdAt)],
);

/** People who run tenants in the console. */
export const adminUsers = sqliteTable(
  'admin_users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name'),
    /** `scrypt$N$r$p$salt$hash`, base64url parts. */
    passwordHash: text('password_hash').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('admin_users_email_idx').on(t.email)],
);

export const memberships = sqliteTable(
  'memberships',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => adminUsers.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'admin', 'analyst', 'viewer'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId] })],
);

/** Console login sessions: the cookie holds a random token, the table only its SHA-256. */
export const adminSessions = sqliteTable('admin_sessions', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => adminUsers.id, { onDelete: 'cascade' }),
  csrfToken: text('csrf_token').notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  createdAt: createdAt(),
});

/** Server-to-server keys: shown once, stored hashed, scoped, revocable. */
export const secretKeys = sqliteTable(
  'secret_keys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The first characters, to recognise a key in lists. */
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<Array<'read' | 'write'>>().notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('secret_keys_hash_idx').on(t.keyHash)],
);

/** Errors grouped by fingerprint: counts, first and last seen, and one redacted sample. */
export const errorGroups = sqliteTable(
  'error_groups',
  {
    fingerprint: text('fingerprint').primaryKey(),
    /** Null for errors not tied to a tenant (visible to operators only). */
    tenantId: text('tenant_id'),
    kind: text('kind', { enum: ['server', 'upstream'] }).notNull(),
    code: text('code').notNull(),
    message: text('message').notNull(),
    count: integer('count').notNull(),
    firstSeenAt: integer('first_seen_at', { mode: 'timestamp_ms' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
    sample: text('sample', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('error_groups_tenant_idx').on(t.tenantId, t.lastSeenAt)],
);

/** A visitor's thumbs up or down on a reply; a second vote on the same reply replaces the first. */
export const messageFeedback = sqliteTable(
  'message_feedback',
  {
    messageId: text('message_id')
      .primaryKey()
      .references(() => messages.id, { onDelete: 'cascade' }),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    rating: text('rating', { enum: ['up', 'down'] }).notNull(),
    reason: text('reason'),
    comment: text('comment'),
    createdAt: createdAt(),
  },
  (t) => [index('message_feedback_conversation_idx').on(t.conversationId, t.createdAt)],
);

/** Every change the avatar made to its tone, and why, for the console. */
export const toneAdaptations = sqliteTable(
  'tone_adaptations',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    avatarId: text('avatar_id').notNull(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    /** The visitor message that led to the change. */
    messageId: text('message_id'),
    dimension: text('dimension').notNull(),
    fromValue: real('from_value').notNull(),
    toValue: real('to_value').notNull(),
    reason: text('reason').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('tone_adaptations_avatar_idx').on(t.tenantId, t.avatarId, t.seq)],
);

/** libSQL's 32-bit float vector column (`F32_BLOB(384)`): little-endian float32s. */
const f32Blob = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'F32_BLOB(384)',
});

/**
 * Long-term memory. Scope: `avatar_id` + `visitor_id` for a visitor's own memories; an empty
 * `visitor_id` holds tenant knowledge for one avatar, and empty both for every avatar.
 */
export const memories = sqliteTable(
  'memories',
  {
    /** The FTS5 index's rowid. */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    avatarId: text('avatar_id').notNull().default(''),
    visitorId: text('visitor_id').notNull().default(''),
    /** One token naming the scope, indexed by FTS5 so keyword search stays inside it. */
    scopeKey: text('scope_key').notNull(),
    /** The scope's revision when this row last changed (in-process vector caches catch up from it). */
    revision: integer('revision').notNull().default(0),
    kind: text('kind', { enum: ['fact', 'episode'] }).notNull(),
    category: text('category').notNull().default('other'),
    text: text('text').notNull(),
    importance: real('importance').notNull().default(0.5),
    sourceMessageIds: text('source_message_ids', { mode: 'json' }).$type<string[]>().notNull(),
    /** What the retriever matches on (the text, with the moment around it for episodes). */
    searchText: text('search_text').notNull(),
    embedding: f32Blob('embedding'),
    embeddingModel: text('embedding_model'),
    status: text('status', { enum: ['active', 'deleted'] })
      .notNull()
      .default('active'),
    /** When what it says happened or was said (the source message's time). */
    occurredAt: integer('occurred_at', { mode: 'timestamp_ms' }).notNull(),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('memories_id_idx').on(t.id),
    index('memories_scope_idx').on(t.tenantId, t.avatarId, t.visitorId, t.status),
    index('memories_scope_revision_idx').on(t.scopeKey, t.revision),
  ],
);

/** Every change to a memory: what it said before and after, who changed it and why. */
export const memoryHistory = sqliteTable(
  'memory_history',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    memoryId: text('memory_id')
      .notNull()
      .references(() => memories.id, { onDelete: 'cascade' }),
    event: text('event', { enum: ['add', 'update', 'delete'] }).notNull(),
    before: text('before'),
    after: text('after'),
    actor: text('actor', { enum: ['extractor', 'visitor', 'admin'] }).notNull(),
    reason: text('reason'),
    sourceMessageIds: text('source_message_ids', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('memory_history_memory_idx').on(t.memoryId, t.seq)],
);

/**
 * One row per memory scope: a revision bumped by every write (in-process vector caches check it,
 * so several instances stay consistent), the visitor's pause switch and preference profile.
 */
export const memoryScopes = sqliteTable(
  'memory_scopes',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    avatarId: text('avatar_id').notNull(),
    visitorId: text('visitor_id').notNull(),
    revision: integer('revision').notNull().default(0),
    /** Bumped when rows are erased for good: caches then reload the scope. */
    epoch: integer('epoch').notNull().default(0),
    paused: integer('paused', { mode: 'boolean' }).notNull().default(false),
    preferences: text('preferences', { mode: 'json' }).$type<Record<string, unknown>>(),
    preferencesUpdatedAt: integer('preferences_updated_at', { mode: 'timestamp_ms' }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.avatarId, t.visitorId] })],
);

/** Every change to a visitor's preference profile, with where the evidence came from. */
export const preferenceChanges = sqliteTable(
  'preference_changes',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    avatarId: text('avatar_id').notNull(),
    visitorId: text('visitor_id').notNull(),
    field: text('field').notNull(),
    before: text('before', { mode: 'json' }),
    after: text('after', { mode: 'json' }),
    source: text('source', { enum: ['conversation', 'feedback', 'visitor'] }).notNull(),
    reason: text('reason'),
    messageId: text('message_id'),
    createdAt: createdAt(),
  },
  (t) => [index('preference_changes_scope_idx').on(t.tenantId, t.avatarId, t.visitorId, t.seq)],
);

/**
 * Turns waiting to be remembered (a transactional outbox): written in the same batch as the turn,
 * deleted once long-term memory has stored it. A row whose claim is older than the lease is a turn
 * that a stopped process left behind; the next sweep, on any instance, remembers it.
 */
export const memoryOutbox = sqliteTable(
  'memory_outbox',
  {
    assistantMessageId: text('assistant_message_id').primaryKey(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userMessageId: text('user_message_id').notNull(),
    /** When an instance took the turn on (ms): its writer at first, a sweeper after the lease. */
    claimedAt: integer('claimed_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [index('memory_outbox_claimed_idx').on(t.claimedAt)],
);
