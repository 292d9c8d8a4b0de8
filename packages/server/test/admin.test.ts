import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '@vibhava/protocol';
import { ensureAdminUser } from '../src/admin/bootstrap.js';
import { rolePermissions, type Permission, type Role } from '../src/admin/permissions.js';
import {
  adminRequest,
  api,
  collectParts,
  type Harness,
  newConversation,
  startHarness,
  startSession,
} from './support.js';

let h: Harness;
const PASSWORD = 'correct horse battery staple';

interface Console {
  cookie: string;
  csrf: string;
}

beforeAll(async () => {
  h = await startHarness();
  for (const role of ['owner', 'admin', 'analyst', 'viewer'] as const) {
    await ensureAdminUser(h.server.db, {
      email: `${role}@demo.example`,
      password: PASSWORD,
      tenantId: 'tnt_demo',
      role,
    });
  }
});
afterAll(() => h.close());

async function login(email: string, password = PASSWORD): Promise<Console> {
  const response = await fetch(`${h.server.url}/admin/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers.get('set-cookie')!;
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { cookie: cookie.split(';')[0]!, csrf: csrfToken };
}

function admin(as: Console | { key: string }, method: string, path: string, body?: unknown, csrf = true) {
  return adminRequest(h.server, as, method, path, body, { csrf });
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(ErrorBodySchema.parse(await response.json()).error.code).toBe(code);
}

describe('console sign-in', () => {
  it('refuses wrong passwords and unknown people alike', async () => {
    for (const email of ['owner@demo.example', 'nobody@demo.example']) {
      const response = await fetch(`${h.server.url}/admin/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'wrong password!!' }),
      });
      await expectError(response, 401, 'unauthorized');
    }
  });

  it('requires the CSRF token on changes, and ends with logout', async () => {
    const owner = await login('owner@demo.example');
    const me = (await (await admin(owner, 'GET', '/me')).json()) as { tenants: Array<{ id: string; role: string }> };
    expect(me.tenants).toEqual([{ id: 'tnt_demo', name: 'Demo tenant', role: 'owner' }]);
    await expectError(
      await admin(
        owner,
        'POST',
        '/tenants/tnt_demo/quotas',
        { scope: 'tenant', metric: 'messages', period: 'day', limit: 5 },
        false,
      ),
      403,
      'forbidden',
    );
    expect((await admin(owner, 'POST', '/auth/logout')).status).toBe(204);
    await expectError(await admin(owner, 'GET', '/me'), 401, 'unauthorized');
  });
});

describe('permissions on every admin route', () => {
  // [method, path, body, permission]
  const routes: Array<[string, string, unknown, Permission]> = [
    ['GET', '/tenants/tnt_demo', undefined, 'tenant:read'],
    ['PATCH', '/tenants/tnt_demo', { timeZone: 'Europe/Berlin' }, 'tenant:write'],
    ['GET', '/tenants/tnt_demo/members', undefined, 'members:read'],
    [
      'POST',
      '/tenants/tnt_demo/members',
      { email: 'new@demo.example', role: 'viewer', password: 'a long enough password' },
      'members:write',
    ],
    ['GET', '/tenants/tnt_demo/keys', undefined, 'keys:read'],
    ['POST', '/tenants/tnt_demo/publishable-keys', { allowedOrigins: ['https://new.example'] }, 'keys:write'],
    ['POST', '/tenants/tnt_demo/secret-keys', { name: 'ci', scopes: ['read'] }, 'keys:write'],
    ['GET', '/tenants/tnt_demo/avatars', undefined, 'avatars:read'],
    ['POST', '/tenants/tnt_demo/avatars', { name: 'Bo', greeting: 'Hi', persona: 'You are Bo.' }, 'avatars:write'],
    ['GET', '/tenants/tnt_demo/avatars/avt_demo', undefined, 'avatars:read'],
    ['GET', '/tenants/tnt_demo/avatars/avt_demo/versions', undefined, 'avatars:read'],
    ['POST', '/tenants/tnt_demo/avatars/avt_demo/preview', {}, 'avatars:read'],
    ['GET', '/tenants/tnt_demo/avatars/avt_demo/card?format=json-v3', undefined, 'avatars:read'],
    ['GET', '/tenants/tnt_demo/avatars/avt_demo/adaptations', undefined, 'avatars:read'],
    ['GET', '/tenants/tnt_demo/avatars/avt_demo/feedback', undefined, 'avatars:read'],
    ['POST', '/tenants/tnt_demo/avatars/avt_demo/duplicate', {}, 'avatars:write'],
    [
      'POST',
      '/tenants/tnt_demo/avatars/import?filename=card.json',
      { spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'Imp', first_mes: 'Hi', description: 'An imp.' } },
      'avatars:write',
    ],
    ['GET', '/tenants/tnt_demo/personality-templates', undefined, 'avatars:read'],
    [
      'POST',
      '/tenants/tnt_demo/personality-templates',
      { name: 'Calm host', description: '', profile: { personality: 'Calm.' } },
      'avatars:write',
    ],
    ['GET', '/tenants/tnt_demo/quotas', undefined, 'quotas:read'],
    [
      'POST',
      '/tenants/tnt_demo/quotas',
      { scope: 'tenant', metric: 'tokens', period: 'month', limit: 1_000_000_000 },
      'quotas:write',
    ],
    ['GET', '/tenants/tnt_demo/usage?groupBy=model', undefined, 'usage:read'],
    ['GET', '/tenants/tnt_demo/knowledge', undefined, 'avatars:read'],
    ['POST', '/tenants/tnt_demo/knowledge', { text: 'The shop opens at nine.', avatarId: 'avt_demo' }, 'avatars:write'],
    ['GET', '/tenants/tnt_demo/avatars/avt_demo/visitors/vis_nobody/memories', undefined, 'conversations:read'],
  ];
  const roles: Role[] = ['viewer', 'analyst', 'admin', 'owner'];

  it.each(roles)('%s: allowed exactly what the role grants', async (role) => {
    const session = await login(`${role}@demo.example`);
    for (const [method, path, body, permission] of routes) {
      const response = await admin(session, method, path, body);
      const allowed = rolePermissions[role].has(permission);
      expect([method, path, response.status === 403 ? 'refused' : 'allowed']).toEqual([
        method,
        path,
        allowed ? 'allowed' : 'refused',
      ]);
      if (allowed) expect(response.status).toBeLessThan(300);
    }
  });

  it('keeps tenants invisible to each other', async () => {
    const owner = await login('owner@demo.example');
    const created = (await (
      await admin(owner, 'POST', '/tenants', { name: 'Other shop', timeZone: 'Asia/Tokyo' })
    ).json()) as { id: string };
    await ensureAdminUser(h.server.db, {
      email: 'stranger@other.example',
      password: PASSWORD,
      tenantId: created.id,
      role: 'owner',
    });
    const stranger = await login('stranger@other.example');
    await expectError(await admin(stranger, 'GET', '/tenants/tnt_demo'), 404, 'not_found');
    await expectError(await admin(stranger, 'GET', '/tenants/tnt_demo/usage'), 404, 'not_found');
    await expectError(await admin(stranger, 'POST', '/tenants/tnt_demo/secret-keys', { name: 'x' }), 404, 'not_found');
    expect((await admin(stranger, 'GET', `/tenants/${created.id}`)).status).toBe(200);
  });
});

describe('keys', () => {
  it('shows a secret key once, stores it hashed, scopes it and revokes it on the next request', async () => {
    const owner = await login('owner@demo.example');
    const made = (await (
      await admin(owner, 'POST', '/tenants/tnt_demo/secret-keys', { name: 'backend', scopes: ['read'] })
    ).json()) as { id: string; key: string };
    expect(made.key).toMatch(/^sk_/);
    const listed = JSON.stringify(await (await admin(owner, 'GET', '/tenants/tnt_demo/keys')).json());
    expect(listed).not.toContain(made.key);
    const stored = await h.server.db.$client.execute('SELECT key_hash FROM secret_keys');
    expect(JSON.stringify(stored.rows)).not.toContain(made.key);

    expect((await admin({ key: made.key }, 'GET', '/tenants/tnt_demo/avatars')).status).toBe(200);
    await expectError(
      await admin({ key: made.key }, 'POST', '/tenants/tnt_demo/avatars', { name: 'X', greeting: 'Hi', persona: 'p' }),
      403,
      'forbidden',
    );
    const keys = (await (await admin(owner, 'GET', '/tenants/tnt_demo/keys')).json()) as {
      secret: Array<{ id: string; lastUsedAt: string | null }>;
    };
    expect(keys.secret.find((k) => k.id === made.id)?.lastUsedAt).not.toBeNull();

    expect((await admin(owner, 'DELETE', `/tenants/tnt_demo/secret-keys/${made.id}`)).status).toBe(204);
    await expectError(await admin({ key: made.key }, 'GET', '/tenants/tnt_demo/avatars'), 401, 'unauthorized');
  });

  it('revokes a publishable key for the very next session', async () => {
    const owner = await login('owner@demo.example');
    const made = (await (
      await admin(owner, 'POST', '/tenants/tnt_demo/publishable-keys', { allowedOrigins: ['https://shop.example'] })
    ).json()) as { id: string; key: string };
    const start = () => api(h.server, '/v1/sessions', { body: { publishableKey: made.key, avatarId: 'avt_demo' } });
    expect((await start()).status).toBe(201);
    expect((await admin(owner, 'DELETE', `/tenants/tnt_demo/publishable-keys/${made.id}`)).status).toBe(204);
    await expectError(await start(), 401, 'invalid_publishable_key');
  });
});

describe('reports', () => {
  it('reports usage by model and by conversation, and refuses an unknown grouping', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'report me' }, token }),
    );
    await h.server.ledger.flush();
    const analyst = await login('analyst@demo.example');
    const report = (await (await admin(analyst, 'GET', '/tenants/tnt_demo/usage?groupBy=model')).json()) as {
      rows: Array<{ key: string; calls: number; outputTokens: number }>;
    };
    const row = report.rows.find((r) => r.key === 'openai:gpt-4o-mini');
    expect(row?.calls).toBeGreaterThanOrEqual(1);
    expect(row?.outputTokens).toBeGreaterThan(0);
    const byConversation = (await (
      await admin(analyst, 'GET', '/tenants/tnt_demo/usage?groupBy=conversation')
    ).json()) as { rows: Array<{ key: string }> };
    expect(byConversation.rows.map((r) => r.key)).toContain(id);
    await expectError(await admin(analyst, 'GET', '/tenants/tnt_demo/usage?groupBy=planet'), 400, 'invalid_request');
  });
});

describe('admin input', () => {
  it('answers 4xx, never 500, to empty changes and to losing the last owner', async () => {
    await ensureAdminUser(h.server.db, {
      email: 'solo@solo.example',
      password: PASSWORD,
      tenantId: 'tnt_demo',
      role: 'viewer',
    });
    const owner = await login('owner@demo.example');
    const solo = (await (await admin(owner, 'POST', '/tenants', { name: 'Solo shop' })).json()) as { id: string };
    await expectError(await admin(owner, 'PATCH', `/tenants/${solo.id}`, {}), 400, 'invalid_request');
    await expectError(
      await admin(owner, 'PATCH', `/tenants/${solo.id}`, { timeZone: 'Mars/Olympus' }),
      400,
      'invalid_request',
    );
    await expectError(
      await admin(owner, 'POST', `/tenants/${solo.id}/members`, { email: 'owner@demo.example', role: 'viewer' }),
      409,
      'conflict',
    );
    const me = (await (await admin(owner, 'GET', '/me')).json()) as { user: { id: string } };
    await expectError(await admin(owner, 'DELETE', `/tenants/${solo.id}/members/${me.user.id}`), 409, 'conflict');
    await expectError(await admin(owner, 'GET', `/tenants/${solo.id}/usage?from=yesterday`), 400, 'invalid_request');
    // With a second owner, the first may step down.
    expect(
      (await admin(owner, 'POST', `/tenants/${solo.id}/members`, { email: 'solo@solo.example', role: 'owner' })).status,
    ).toBe(201);
    expect(
      (await admin(owner, 'POST', `/tenants/${solo.id}/members`, { email: 'owner@demo.example', role: 'viewer' }))
        .status,
    ).toBe(201);
  });
});

describe('tenant knowledge and conversation traces', () => {
  it('shares tenant knowledge with every visitor, and shows admins each reply’s trace', async () => {
    const owner = await login('owner@demo.example');
    const created = await admin(owner, 'POST', '/tenants/tnt_demo/knowledge', {
      text: 'Returns are free within 30 days at the Harbour Street store.',
      category: 'other',
    });
    expect(created.status).toBe(201);
    const knowledge = (await created.json()) as { id: string; scope: string };
    expect(knowledge.scope).toBe('tenant');
    expect(
      (await admin(owner, 'POST', '/tenants/tnt_demo/knowledge', { text: 'x', avatarId: 'avt_nope' })).status,
    ).toBe(404);

    const visitor = await startSession(h.server);
    const conversation = await newConversation(h.server, visitor.token);
    const parts = await collectParts(
      await api(h.server, `/v1/conversations/${conversation}/messages`, {
        body: { content: 'How do returns work at the Harbour Street store?' },
        token: visitor.token,
      }),
    );
    const context = parts.find((part) => part.type === 'context') as {
      trace: { memories: Array<{ id: string }>; knowledge: Array<{ id: string }> };
    };
    // The site's knowledge is traced as knowledge, never as something remembered about the visitor.
    expect(context.trace.knowledge.map((m) => m.id)).toContain(knowledge.id);
    expect(context.trace.memories.map((m) => m.id)).not.toContain(knowledge.id);
    // A visitor can neither see nor delete tenant knowledge as their own memory.
    const mine = (await (await api(h.server, '/v1/memories', { token: visitor.token })).json()) as {
      memories: Array<{ id: string }>;
    };
    expect(mine.memories.map((m) => m.id)).not.toContain(knowledge.id);
    expect(
      (await api(h.server, `/v1/memories/${knowledge.id}`, { method: 'DELETE', token: visitor.token })).status,
    ).toBe(404);

    const path = `/tenants/tnt_demo/conversations/${conversation}/messages`;
    const seen = (await (await admin(owner, 'GET', path)).json()) as {
      messages: Array<{ role: string; trace: { knowledge: Array<{ id: string }> } | null }>;
    };
    expect(seen.messages.find((m) => m.role === 'assistant')!.trace!.knowledge.map((m) => m.id)).toContain(
      knowledge.id,
    );
    await expectError(await admin(await login('analyst@demo.example'), 'GET', path), 403, 'forbidden');
    await expectError(
      await admin(owner, 'GET', '/tenants/tnt_demo/conversations/conv_missing/messages'),
      404,
      'not_found',
    );

    expect((await admin(owner, 'DELETE', `/tenants/tnt_demo/knowledge/${knowledge.id}`)).status).toBe(204);
    const after = await collectParts(
      await api(h.server, `/v1/conversations/${conversation}/messages`, {
        body: { content: 'And returns at Harbour Street again?' },
        token: visitor.token,
      }),
    );
    const trace = after.find((part) => part.type === 'context') as { trace: { knowledge: Array<{ id: string }> } };
    expect(trace.trace.knowledge.map((m) => m.id)).not.toContain(knowledge.id);
  });
});
