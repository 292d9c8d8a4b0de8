import { eq } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { avatars } from '../db/schema.js';

type AvatarRow = typeof avatars.$inferSelect;

const caches = new WeakMap<Database, Map<string, { at: number; value: Promise<AvatarRow | undefined> }>>();

/**
 * Avatars read at most once a second per process: every message needs its avatar's persona.
 * Admin changes in this process take effect at once (`invalidate`); elsewhere within a second.
 */
export class AvatarCache {
  constructor(
    private readonly db: Database,
    private readonly ttlMs = 1000,
  ) {}

  get(avatarId: string): Promise<AvatarRow | undefined> {
    let cache = caches.get(this.db);
    if (!cache) caches.set(this.db, (cache = new Map()));
    const entries = cache;
    const hit = entries.get(avatarId);
    if (hit && performance.now() - hit.at < this.ttlMs) return hit.value;
    // Resolved now: drizzle's query object is lazy and would run again on every await.
    const value = Promise.resolve(this.db.query.avatars.findFirst({ where: eq(avatars.id, avatarId) }));
    entries.set(avatarId, { at: performance.now(), value });
    value.catch(() => entries.delete(avatarId));
    return value;
  }

  static invalidate(db: Database, avatarId: string): void {
    caches.get(db)?.delete(avatarId);
  }
}
