import { createServer, type Server } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema, SessionSchema } from '@vibhava/protocol';
import { api, collectParts, newConversation, startHarness, type Harness } from './support.js';

const SECRET = 'tenant-identity-secret-of-at-least-32-chars';
let h: Harness;
let jwksServer: Server;
let jwksUrl: string;
let privateKey: CryptoKey;

beforeAll(async () => {
  h = await startHarness();
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  jwksServer = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
  );
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as { port: number }).port}/.well-known/jwks.json`;
  await useHs256();
});
afterAll(async () => {
  jwksServer.close();
  await h.close();
});

async function useHs256() {
  await h.server.db.$client.execute({
    sql: "UPDATE tenants SET identity_secret = ?, identity_jwks_url = NULL, identity_issuer = 'https://shop.example', identity_audience = 'vibhava' WHERE id = 'tnt_demo'",
    args: [SECRET],
  });
}

function identity(
  sub: string,
  overrides: { secret?: string; issuer?: string; audience?: string; expiresIn?: string | number; name?: string } = {},
) {
  return new SignJWT({ ...(overrides.name ? { name: overrides.name } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(overrides.issuer ?? 'https://shop.example')
    .setAudience(overrides.audience ?? 'vibhava')
    .setIssuedAt()
    .setExpirationTime(overrides.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(overrides.secret ?? SECRET));
}

async function session(extra: { identityToken?: string; visitorId?: string }) {
  return api(h.server, '/v1/sessions', { body: { publishableKey: 'pk_demo_local', avatarId: 'avt_demo', ...extra } });
}

describe('verified visitors', () => {
  it('signs a visitor in, keeps the same id for the same user, and moves anonymous history', async () => {
    const anonymous = SessionSchema.parse(await (await session({})).json());
    expect(anonymous.verified).toBe(false);
    const id = await newConversation(h.server, anonymous.token);
    await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, {
        body: { content: 'before sign-in' },
        token: anonymous.token,
      }),
    );

    const signedIn = SessionSchema.parse(
      await (
        await session({ identityToken: await identity('user-42', { name: 'Ada' }), visitorId: anonymous.visitorId })
      ).json(),
    );
    expect(signedIn.verified).toBe(true);
    expect(signedIn.visitorId).not.toBe(anonymous.visitorId);
    const list = (await (await api(h.server, '/v1/conversations', { token: signedIn.token })).json()) as {
      conversations: Array<{ id: string }>;
    };
    expect(list.conversations.map((c) => c.id)).toEqual([id]);
    // The avatar knows a signed-in visitor's name and that they are signed in.
    await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, {
        body: { content: 'hello again' },
        token: signedIn.token,
      }),
    );
    const system = h.upstream.requests.at(-1)!.messages[0]!.content;
    expect(system).toContain('You are talking with Ada.');
    expect(system).toContain('They are signed in to the website.');

    // Same user on another device: same visitor, same history.
    const again = SessionSchema.parse(await (await session({ identityToken: await identity('user-42') })).json());
    expect(again.visitorId).toBe(signedIn.visitorId);
    // The anonymous id is spent, and nobody becomes the verified user by sending their id.
    expect(SessionSchema.parse(await (await session({ visitorId: anonymous.visitorId })).json()).visitorId).not.toBe(
      anonymous.visitorId,
    );
    const impostor = SessionSchema.parse(await (await session({ visitorId: signedIn.visitorId })).json());
    expect(impostor.visitorId).not.toBe(signedIn.visitorId);
    expect(impostor.verified).toBe(false);
  });

  it('refuses forged, expired, wrong-issuer and wrong-audience identity tokens', async () => {
    const cases: Array<[string, string]> = [
      [await identity('u', { secret: 'some-other-secret-some-other-secret-xx' }), 'signature'],
      [await identity('u', { expiresIn: Math.floor(Date.now() / 1000) - 120 }), 'expired'],
      [await identity('u', { issuer: 'https://evil.example' }), '"iss"'],
      [await identity('u', { audience: 'someone-else' }), '"aud"'],
      ['not.a.jwt', 'malformed|Invalid|JWS'],
    ];
    for (const [token, reason] of cases) {
      const response = await session({ identityToken: token });
      expect(response.status).toBe(401);
      expect(ErrorBodySchema.parse(await response.json()).error.message).toMatch(new RegExp(reason));
    }
    // Within the 30 s clock tolerance, a just-expired token still works.
    const skewed = await session({
      identityToken: await identity('u', { expiresIn: Math.floor(Date.now() / 1000) - 10 }),
    });
    expect(skewed.status).toBe(201);
  });

  it('verifies ES256 tokens against the tenant’s JWKS', async () => {
    await h.server.db.$client.execute({
      sql: "UPDATE tenants SET identity_secret = NULL, identity_jwks_url = ? WHERE id = 'tnt_demo'",
      args: [jwksUrl],
    });
    try {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject('user-7')
        .setIssuer('https://shop.example')
        .setAudience('vibhava')
        .setExpirationTime('2m')
        .sign(privateKey);
      const response = await session({ identityToken: token });
      expect(response.status).toBe(201);
      expect(SessionSchema.parse(await response.json()).verified).toBe(true);
      // An HS256 token is not accepted where the tenant uses a JWKS.
      expect((await session({ identityToken: await identity('user-7') })).status).toBe(401);
    } finally {
      await useHs256();
    }
  });

  it('says so when the tenant accepts no identity tokens', async () => {
    await h.server.db.$client.execute(
      "UPDATE tenants SET identity_secret = NULL, identity_jwks_url = NULL WHERE id = 'tnt_demo'",
    );
    try {
      const response = await session({ identityToken: await identity('u') });
      expect(response.status).toBe(400);
      expect(ErrorBodySchema.parse(await response.json()).error.message).toMatch(/does not accept identity tokens/);
    } finally {
      await useHs256();
    }
  });
});
