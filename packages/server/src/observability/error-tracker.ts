import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { errorGroups } from '../db/schema.js';
import { normaliseForFingerprint, redact } from './redact.js';

export interface TrackedError {
  kind: 'server' | 'upstream';
  code: string;
  message: string;
  tenantId?: string | null;
  /** Where it happened: route, provider, model… (secrets are removed before storing). */
  context?: Record<string, unknown>;
  /** For server errors: the first stack frame inside our code helps tell bugs apart. */
  stack?: string | undefined;
}

/** Groups errors by fingerprint in the database; recording never throws. */
export class ErrorTracker {
  constructor(
    private readonly db: Database,
    private readonly log: (message: string, error: unknown) => void = () => {},
  ) {}

  static fingerprint(error: TrackedError): string {
    const frame = error.stack?.split('\n').find((line) => line.includes('/src/') || line.includes('/dist/')) ?? '';
    const where = frame.replace(/:\d+:\d+\)?$/, '').trim();
    return createHash('sha256')
      .update([error.kind, error.code, normaliseForFingerprint(error.message), where, error.tenantId ?? ''].join('\n'))
      .digest('hex')
      .slice(0, 32);
  }

  async record(error: TrackedError): Promise<void> {
    const now = new Date();
    const sample = JSON.parse(redact(JSON.stringify({ ...error.context, message: error.message }))) as Record<
      string,
      unknown
    >;
    try {
      await this.db
        .insert(errorGroups)
        .values({
          fingerprint: ErrorTracker.fingerprint(error),
          tenantId: error.tenantId ?? null,
          kind: error.kind,
          code: error.code,
          message: redact(error.message).slice(0, 1000),
          count: 1,
          firstSeenAt: now,
          lastSeenAt: now,
          sample,
        })
        .onConflictDoUpdate({
          target: errorGroups.fingerprint,
          set: { count: sql`${errorGroups.count} + 1`, lastSeenAt: now, sample },
        });
    } catch (failure) {
      this.log('Recording an error failed', failure);
    }
  }
}
