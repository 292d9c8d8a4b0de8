import { afterAll, beforeAll, expect } from 'vitest';
import { ensureAdminUser } from '../src/admin/bootstrap.js';
import {
  adminRequest,
  api,
  collectParts,
  signInAdmin,
  startHarness,
  type ConsoleSession,
  type Harness,
} from './support.js';

const PASSWORD = 'correct horse battery staple';

export interface AvatarView {
  id: string;
  name: string;
  version: number;
  style: string[];
  profile: Record<string, unknown> & { name: string; personality: string; images?: Record<string, string> };
}

/**
 * A harness with a signed-in tenant owner, and the calls the avatar tests make: the admin API on
 * the demo tenant, visitor sessions on any of its avatars, messages, and what the model was sent.
 * Registers its own beforeAll/afterAll.
 */
export function avatarKit() {
  let h!: Harness;
  let owner!: ConsoleSession;
  beforeAll(async () => {
    h = await startHarness();
    await ensureAdminUser(h.server.db, {
      email: 'owner@demo.example',
      password: PASSWORD,
      tenantId: 'tnt_demo',
      role: 'owner',
    });
    owner = await signInAdmin(h.server, 'owner@demo.example', PASSWORD);
  });
  afterAll(() => h.close());

  const call = (method: string, path: string, body?: unknown, contentType?: string) =>
    adminRequest(h.server, owner, method, `/tenants/tnt_demo${path}`, body, contentType ? { contentType } : {});

  async function json<T>(response: Promise<Response>, status: number): Promise<T> {
    const res = await response;
    const body = await res.text();
    expect(res.status, body).toBe(status);
    return JSON.parse(body) as T;
  }

  /** A visitor session on `avatarId` (the demo key works for every avatar of the demo tenant). */
  async function visit(avatarId: string): Promise<{ token: string; avatar: Record<string, unknown> }> {
    const response = await api(h.server, '/v1/sessions', {
      body: { publishableKey: h.server.demo!.publishableKey, avatarId },
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { token: string; avatar: Record<string, unknown> };
  }

  async function say(token: string, conversationId: string, content: string) {
    return collectParts(
      await api(h.server, `/v1/conversations/${conversationId}/messages`, { body: { content }, token }),
    );
  }

  async function conversation(token: string): Promise<string> {
    return ((await (await api(h.server, '/v1/conversations', { body: {}, token })).json()) as { id: string }).id;
  }

  /** The system messages the upstream model received for the last request. */
  const lastSystem = () => h.upstream.requests.at(-1)!.messages.filter((m) => m.role === 'system');

  return { harness: () => h, call, json, visit, say, conversation, lastSystem };
}
