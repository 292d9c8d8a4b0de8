import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { conversations, visitors } from '../db/schema.js';
import { newId } from '../ids.js';
import { MemoryStore } from '../memory/memory-store.js';
import type { VerifiedIdentity } from '../auth/identity-token.js';

export interface ResolvedVisitor {
  id: string;
  verified: boolean;
  /** Conversations moved from the anonymous visitor on sign-in. */
  movedConversations: number;
}

/**
 * Who a session belongs to. An anonymous visitor id is adopted only while it is still
 * anonymous (a verified visitor is reachable only with a fresh identity token). Signing in moves
 * the anonymous visitor's conversations to the verified visitor and marks the anonymous one
 * merged, so its id never resolves again.
 */
const profiles = new WeakMap<Database, Map<string, { at: number; value: Promise<VisitorProfile> }>>();
const PROFILE_TTL_MS = 60_000;

/** What the avatar may know about the visitor: the name their site gave, and whether they signed in. */
export interface VisitorProfile {
  name: string | null;
  verified: boolean;
}

export class VisitorDirectory {
  constructor(private readonly db: Database) {}

  /** The visitor's name and sign-in state, read at most once a minute per process. */
  profile(visitorId: string): Promise<VisitorProfile> {
    let cache = profiles.get(this.db);
    if (!cache) profiles.set(this.db, (cache = new Map()));
    const hit = cache.get(visitorId);
    if (hit && performance.now() - hit.at < PROFILE_TTL_MS) return hit.value;
    const value = this.db
      .select({ name: visitors.displayName, externalId: visitors.externalId })
      .from(visitors)
      .where(eq(visitors.id, visitorId))
      .get()
      .then((row) => ({ name: row?.name ?? null, verified: Boolean(row?.externalId) }));
    if (cache.size > 10_000) cache.clear();
    cache.set(visitorId, { at: performance.now(), value });
    const entries = cache;
    value.catch(() => entries.delete(visitorId));
    return value;
  }

  async resolve(input: {
    tenantId: string;
    visitorId?: string | undefined;
    identity?: VerifiedIdentity | undefined;
  }): Promise<ResolvedVisitor> {
    const now = new Date();
    const anonymous = input.visitorId
      ? await this.db.query.visitors.findFirst({
          where: and(
            eq(visitors.id, input.visitorId),
            eq(visitors.tenantId, input.tenantId),
            isNull(visitors.externalId),
            isNull(visitors.mergedInto),
          ),
        })
      : undefined;

    if (!input.identity) {
      if (anonymous) {
        await this.db.update(visitors).set({ lastSeenAt: now }).where(eq(visitors.id, anonymous.id));
        return { id: anonymous.id, verified: false, movedConversations: 0 };
      }
      const id = newId('vis');
      await this.db.insert(visitors).values({ id, tenantId: input.tenantId, createdAt: now, lastSeenAt: now });
      return { id, verified: false, movedConversations: 0 };
    }

    const { userId, name } = input.identity;
    await this.db
      .insert(visitors)
      .values({
        id: newId('vis'),
        tenantId: input.tenantId,
        externalId: userId,
        displayName: name,
        createdAt: now,
        lastSeenAt: now,
      })
      .onConflictDoUpdate({
        target: [visitors.tenantId, visitors.externalId],
        set: { lastSeenAt: now, ...(name ? { displayName: name } : {}) },
      });
    const verified = (await this.db.query.visitors.findFirst({
      where: and(eq(visitors.tenantId, input.tenantId), eq(visitors.externalId, userId)),
    }))!;
    let moved = 0;
    if (anonymous) {
      const [result] = await this.db.batch([
        this.db.update(conversations).set({ visitorId: verified.id }).where(eq(conversations.visitorId, anonymous.id)),
        this.db.update(visitors).set({ mergedInto: verified.id }).where(eq(visitors.id, anonymous.id)),
      ]);
      moved = result.rowsAffected;
      // What the avatar remembers about them comes along.
      await new MemoryStore(this.db).moveVisitor(input.tenantId, anonymous.id, verified.id);
    }
    return { id: verified.id, verified: true, movedConversations: moved };
  }
}
