import { AvatarCache } from '../avatars/avatar-cache.js';
import { AvatarProfiles } from '../avatars/avatar-profiles.js';
import type { Database } from '../db/database.js';
import { sqlRunner, type SqlRow, type SqlRunner, type SqlStep } from '../db/sql-runner.js';
import { VisitorDirectory } from '../visitors/visitor-directory.js';
import type { MemoryService, TurnToRemember } from './memory-service.js';

/** How long the instance that wrote a turn has to remember it before a sweep may take it over. */
const DEFAULT_LEASE_MS = 10 * 60_000;
/** A turn that made this many sweeps fail (or crash) is dropped, with a log line. */
const MAX_ATTEMPTS = 3;
/** Turns a sweep takes on at once. */
const SWEEP_BATCH = 20;
/** Messages before the turn that give it context (as the reply path passes). */
const PREVIOUS_MESSAGES = 4;

export interface MemoryOutboxOptions {
  leaseMs?: number;
  /** How often to sweep for turns left behind (ms; default one minute; 0: only when asked). */
  sweepEveryMs?: number;
  now?: () => number;
  log?: (message: string, error?: unknown) => void;
}

/**
 * Turns waiting to be remembered, as a transactional outbox: the row is written in the same batch
 * as the turn (`entry`), and deleted once long-term memory has stored it (`done`). A process that
 * stops in between leaves the row; `sweep` (on start and then every minute, on every instance)
 * claims rows whose lease has run out and remembers those turns from what the database holds.
 */
export class MemoryOutbox {
  readonly #sql: SqlRunner;
  readonly #avatars: AvatarCache;
  readonly #profiles: AvatarProfiles;
  readonly #visitors: VisitorDirectory;
  readonly #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<number> | undefined;

  constructor(
    db: Database,
    private readonly memory: MemoryService,
    private readonly options: MemoryOutboxOptions = {},
  ) {
    this.#sql = sqlRunner(db.$client);
    this.#avatars = new AvatarCache(db);
    this.#profiles = new AvatarProfiles(db);
    this.#visitors = new VisitorDirectory(db);
    const every = options.sweepEveryMs ?? 60_000;
    if (every > 0 && memory.enabled) {
      this.#timer = setInterval(() => void this.sweep(), every);
      this.#timer.unref();
    }
  }

  /** The statement that queues a turn, for the batch that stores it (claimed by its writer). */
  entry(turn: { conversationId: string; userMessageId: string; assistantMessageId: string }): SqlStep {
    return {
      sql: 'INSERT OR REPLACE INTO memory_outbox (assistant_message_id, conversation_id, user_message_id, claimed_at) VALUES (?, ?, ?, ?)',
      args: [turn.assistantMessageId, turn.conversationId, turn.userMessageId, this.#now()],
    };
  }

  /** The turn is remembered (or needs no memory): forget it. */
  async done(assistantMessageId: string): Promise<void> {
    await this.#sql.run('DELETE FROM memory_outbox WHERE assistant_message_id = ?', [assistantMessageId]);
  }

  /** Remembers the turns whose writer's lease ran out; resolves with how many it took on. */
  sweep(): Promise<number> {
    this.#sweeping ??= this.#sweep()
      .catch((error: unknown) => {
        this.options.log?.('Sweeping turns left to remember failed', error);
        return 0;
      })
      .finally(() => (this.#sweeping = undefined));
    return this.#sweeping;
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  async #sweep(): Promise<number> {
    if (!this.memory.enabled) return 0;
    const now = this.#now();
    // Claimed in one statement, so two instances sweeping at once take different turns.
    const claimed = await this.#sql.all(
      `UPDATE memory_outbox SET claimed_at = ?, attempts = attempts + 1
       WHERE assistant_message_id IN (
         SELECT assistant_message_id FROM memory_outbox WHERE claimed_at <= ? ORDER BY claimed_at LIMIT ?)
       RETURNING assistant_message_id, conversation_id, user_message_id, attempts`,
      [now, now - (this.options.leaseMs ?? DEFAULT_LEASE_MS), SWEEP_BATCH],
    );
    for (const row of claimed) {
      const assistantId = String(row['assistant_message_id']);
      if (Number(row['attempts']) > MAX_ATTEMPTS) {
        this.options.log?.(`Dropping turn ${assistantId} after ${MAX_ATTEMPTS} attempts to remember it`);
        await this.done(assistantId);
        continue;
      }
      const turn = await this.#turn(row);
      if (turn) await this.memory.remember(turn);
      await this.done(assistantId);
    }
    return claimed.length;
  }

  /** The turn as the reply path would have passed it, from the database; null when it is gone. */
  async #turn(row: SqlRow): Promise<TurnToRemember | null> {
    const conversationId = String(row['conversation_id']);
    const [conversation] = await this.#sql.all(
      'SELECT tenant_id, avatar_id, visitor_id, avatar_version FROM conversations WHERE id = ?',
      [conversationId],
    );
    const messages = await this.#sql.all(
      `SELECT id, role, content, status, created_at, seq FROM messages
       WHERE conversation_id = ? AND seq <= (SELECT seq FROM messages WHERE id = ?)
         AND (id = ? OR status IN ('complete', 'partial'))
       ORDER BY seq DESC LIMIT ?`,
      [conversationId, String(row['user_message_id']), String(row['user_message_id']), PREVIOUS_MESSAGES + 1],
    );
    const user = messages[0];
    if (!conversation || !user || user['id'] !== row['user_message_id']) return null;
    const [assistant] = await this.#sql.all(
      `SELECT id, content FROM messages WHERE id = ? AND status IN ('complete', 'partial') AND content != ''`,
      [String(row['assistant_message_id'])],
    );
    const visitorId = String(conversation['visitor_id']);
    const avatarId = String(conversation['avatar_id']);
    const avatar = await this.#avatars.get(avatarId);
    const version = conversation['avatar_version'];
    const profile = avatar
      ? await this.#profiles.forConversation(avatar, version === null ? null : Number(version))
      : undefined;
    const who = await this.#visitors.profile(visitorId);
    return {
      scope: { tenantId: String(conversation['tenant_id']), avatarId, visitorId },
      user: {
        id: String(user['id']),
        content: String(user['content']),
        createdAt: new Date(Number(user['created_at'])).toISOString(),
      },
      ...(assistant ? { assistant: { id: String(assistant['id']), content: String(assistant['content']) } } : {}),
      previous: messages
        .slice(1)
        .reverse()
        .map((m) => ({ id: String(m['id']), role: m['role'] as 'user' | 'assistant', content: String(m['content']) })),
      names: { visitor: who.name ?? 'Visitor', avatar: profile?.name ?? 'Avatar' },
    };
  }

  #now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
