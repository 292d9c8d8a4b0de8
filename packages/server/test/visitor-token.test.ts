import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { VisitorTokens } from '../src/auth/visitor-token.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const claims = { visitorId: 'vis_1', tenantId: 'tnt_1', avatarId: 'avt_1', origin: 'https://shop.example' };

describe('visitor tokens', () => {
  it('verifies a token repeatedly until it expires, remembered or not', async () => {
    let now = Date.parse('2026-11-24T10:00:00Z');
    const tokens = new VisitorTokens(SECRET, 60, () => now);
    const { token, expiresAt } = await tokens.sign(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    now += 30_000;
    expect(await tokens.verify(token)).toEqual(claims); // from memory
    now = expiresAt - 1;
    expect(await tokens.verify(token)).toEqual(claims);
    now = expiresAt;
    await expect(tokens.verify(token)).rejects.toMatchObject({ status: 401, code: 'token_expired' });
    // Another process (or a restart) with the same secret verifies it from scratch, same answer.
    const fresh = new VisitorTokens(SECRET, 60, () => now);
    await expect(fresh.verify(token)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('never remembers a token that failed', async () => {
    const tokens = new VisitorTokens(SECRET, 60);
    const forged = await new SignJWT({ tid: 'tnt_1', aid: 'avt_1', org: claims.origin })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('vis_1')
      .setIssuer('vibhava')
      .setAudience('vibhava:visitor')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
    for (let i = 0; i < 2; i++) {
      await expect(tokens.verify(forged)).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    }
    const { token } = await tokens.sign(claims);
    await expect(tokens.verify(`${token}x`)).rejects.toMatchObject({ code: 'unauthorized' });
    expect(await tokens.verify(token)).toEqual(claims);
  });
});
