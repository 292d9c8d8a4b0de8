import type { Conversation, ConversationState, Emotion, Message } from '@vibhava/protocol';
import type { SqlRow } from '../db/sql-runner.js';
import type { conversations, messages } from '../db/schema.js';

/** How conversations and messages come out of their rows (drizzle's, and the hot path's raw SQL). */

export type MessageRow = typeof messages.$inferSelect;
type ConversationRow = typeof conversations.$inferSelect;

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversationId,
    role: row.role,
    content: row.content,
    status: row.status,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    emotion: (row.emotion as Emotion | null) ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** After this long without a message an active conversation shows as `idle`. */
export const IDLE_AFTER_MS = 30 * 60_000;

export function conversationState(stored: ConversationState, updatedAt: number, now = Date.now()): ConversationState {
  return stored === 'active' && now - updatedAt > IDLE_AFTER_MS ? 'idle' : stored;
}

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    avatarId: row.avatarId,
    title: row.title,
    state: conversationState(row.state, row.updatedAt.getTime()),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A vote on one of the conversation's replies, newest first. */
export interface RecentFeedback {
  rating: 'up' | 'down';
  reason: string | null;
  /** Epoch milliseconds. */
  at: number;
}

/** A visitor's conversation as the message path needs it. */
export interface ConversationRef {
  id: string;
  avatarId: string;
  /** The avatar version it began on (null for conversations from before versions). */
  avatarVersion: number | null;
  /** The avatar's tone adaptation so far (`persona/adaptation.ts`). */
  toneState: Record<string, number> | null;
  /** Rolling summary of the turns up to `summaryThroughSeq` (they are no longer sent verbatim). */
  summary: string | null;
  summaryThroughSeq: number;
  state: ConversationState;
}

/** A message with its position in the conversation. */
export type TurnMessage = Message & { seq: number };

export const CONVERSATION_COLUMNS =
  'c.id, c.avatar_id, c.avatar_version, c.tone_state, c.summary, c.summary_through_seq, c.state';

export function conversationRefOf(row: SqlRow): ConversationRef {
  const version = row['avatar_version'];
  const tone = row['tone_state'];
  return {
    id: String(row['id']),
    avatarId: String(row['avatar_id']),
    avatarVersion: version === null || version === undefined ? null : Number(version),
    toneState: typeof tone === 'string' ? (JSON.parse(tone) as Record<string, number>) : null,
    summary: (row['summary'] as string | null) ?? null,
    summaryThroughSeq: Number(row['summary_through_seq'] ?? 0),
    state: row['state'] as ConversationState,
  };
}

export interface TurnContext {
  history: TurnMessage[];
  replyInProgress: boolean;
  feedback: RecentFeedback[];
}

/**
 * The `turns` and `votes` columns of a turn's read, for the conversation `conversation` (an id
 * placeholder or column) after `afterSeq`; their parameters are the message limit (plus one,
 * for a reply in progress) and the feedback limit, each after its conversation and seq.
 */
export function turnColumns(conversation: string, afterSeq: string): string {
  return `(SELECT json_group_array(json_array(seq, id, role, content, status, input_tokens, output_tokens, emotion,
                 created_at, updated_at))
          FROM (SELECT seq, id, role, content, status, input_tokens, output_tokens, emotion, created_at, updated_at
                FROM messages WHERE conversation_id = ${conversation} AND seq > ${afterSeq}
                  AND status IN ('complete', 'partial', 'streaming')
                ORDER BY seq DESC LIMIT ?)) AS turns,
         (SELECT json_group_array(json_array(rating, reason, created_at))
          FROM (SELECT rating, reason, created_at FROM message_feedback WHERE conversation_id = ${conversation}
                ORDER BY created_at DESC LIMIT ?)) AS votes`;
}

export function turnContextOf(
  conversationId: string,
  found: SqlRow | undefined,
  limit: number,
  staleAfterMs: number,
): TurnContext {
  const rows = (JSON.parse(String(found?.['turns'] ?? '[]')) as TurnTuple[])
    .sort((a, b) => b[0] - a[0])
    .map((tuple) => messageFromTuple(conversationId, tuple));
  const latestStreaming = rows.find((m) => m.status === 'streaming');
  const replyInProgress = latestStreaming !== undefined && Date.now() - latestStreaming.updatedAt < staleAfterMs;
  const history = rows
    .filter((m) => m.status !== 'streaming')
    .slice(0, limit)
    .reverse()
    .map(({ updatedAt: _updatedAt, ...message }) => message);
  const feedback = (JSON.parse(String(found?.['votes'] ?? '[]')) as Array<['up' | 'down', string | null, number]>).map(
    ([rating, reason, at]) => ({ rating, reason, at }),
  );
  return { history, replyInProgress, feedback };
}

/** A message as `turnContext` reads it: seq, id, role, content, status, tokens, emotion, times. */
type TurnTuple = [
  seq: number,
  id: string,
  role: Message['role'],
  content: string,
  status: Message['status'],
  inputTokens: number | null,
  outputTokens: number | null,
  emotion: string | null,
  createdAt: number,
  updatedAt: number,
];

export function messageFromTuple(conversationId: string, tuple: TurnTuple): TurnMessage & { updatedAt: number } {
  const [seq, id, role, content, status, inputTokens, outputTokens, emotion, createdAt, updatedAt] = tuple;
  return {
    seq,
    id,
    conversationId,
    role,
    content,
    status,
    inputTokens,
    outputTokens,
    emotion: emotion ? (JSON.parse(emotion) as Emotion) : null,
    createdAt: new Date(createdAt).toISOString(),
    updatedAt,
  };
}

export function withoutUpdatedAt(message: Message & { updatedAt: number }): Message {
  const { updatedAt: _updatedAt, ...rest } = message;
  return rest;
}

export function messageFromSql(row: SqlRow): Message & { updatedAt: number } {
  const count = (value: unknown) => (value === null ? null : Number(value));
  return {
    id: String(row['id']),
    conversationId: String(row['conversation_id']),
    role: row['role'] as Message['role'],
    content: String(row['content']),
    status: row['status'] as Message['status'],
    inputTokens: count(row['input_tokens']),
    outputTokens: count(row['output_tokens']),
    emotion: row['emotion'] ? (JSON.parse(String(row['emotion'])) as Emotion) : null,
    createdAt: new Date(Number(row['created_at'])).toISOString(),
    updatedAt: Number(row['updated_at']),
  };
}
