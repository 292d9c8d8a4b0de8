import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A user of the example site. Your site has its own users, passwords and sessions. */
export interface User {
  id: string;
  name: string;
}

const COOKIE = 'sid';

/**
 * A pretend sign-in: anyone may sign in under any name (no password), and the session lives in
 * memory. It stands in for whatever your site already uses.
 */
export class SignIns {
  readonly #sessions = new Map<string, User>();

  /** Signs `name` in; returns the Set-Cookie header value. */
  signIn(name: string): string {
    const trimmed = name.trim().slice(0, 60) || 'Guest';
    const id = `user-${trimmed.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    const sessionId = randomBytes(24).toString('base64url');
    this.#sessions.set(sessionId, { id, name: trimmed });
    return `${COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax`;
  }

  /** Signs the request's user out; returns the Set-Cookie header value that clears the cookie. */
  signOut(request: IncomingMessage): string {
    const sessionId = sessionIdOf(request);
    if (sessionId) this.#sessions.delete(sessionId);
    return `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
  }

  userOf(request: IncomingMessage): User | null {
    const sessionId = sessionIdOf(request);
    return (sessionId && this.#sessions.get(sessionId)) || null;
  }
}

function sessionIdOf(request: IncomingMessage): string | undefined {
  const cookies = request.headers.cookie?.split(';') ?? [];
  const pair = cookies.map((c) => c.trim().split('=')).find(([name]) => name === COOKIE);
  return pair?.[1] || undefined;
}
