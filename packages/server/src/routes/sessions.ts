import { CreateSessionRequestSchema, SessionSchema, type Session } from '@vibhava/protocol';
import { and, eq, isNull } from 'drizzle-orm';
import { Hono } from 'hono';
import type { VisitorTokens } from '../auth/visitor-token.js';
import type { Database } from '../db/database.js';
import { publicAvatarView } from '../avatars/public-avatar.js';
import { avatars, publishableKeys, tenants } from '../db/schema.js';
import { IdentityVerifier } from '../auth/identity-token.js';
import { VisitorDirectory } from '../visitors/visitor-directory.js';
import { ApiError, forbiddenOrigin, notFound } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import type { RouteDoc } from '../http/openapi.js';
import { validate } from '../http/validate.js';
import type { RateLimitSettings } from '../limits/rate-limit-settings.js';
import type { Metrics } from '../observability/metrics.js';
import { clientIp, perMinute, rateLimit } from '../middleware/rate-limit.js';

export const sessionDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/sessions',
    summary: 'Start a visitor session',
    description: 'Exchanges a publishable key, used from one of its allowed origins, for a short-lived visitor token.',
    body: CreateSessionRequestSchema,
    responses: {
      201: { description: 'A visitor session', schema: SessionSchema },
      400: { description: 'Invalid request' },
      401: { description: 'Unknown or revoked publishable key' },
      403: { description: 'Origin not allowed for this key' },
      404: { description: 'Unknown avatar' },
      429: { description: 'Too many sessions from this address or for this key' },
    },
  },
];

export function sessionRoutes(deps: {
  db: Database;
  tokens: VisitorTokens;
  limits: RateLimitSettings;
  metrics: Metrics;
}) {
  const { db, tokens, limits } = deps;
  const identities = new IdentityVerifier();
  const directory = new VisitorDirectory(db);
  const limit = rateLimit(
    limits.store,
    'sessions',
    [
      { name: 'ip', policy: perMinute(limits.sessionsPerIp), key: clientIp },
      {
        name: 'key',
        policy: perMinute(limits.requestsPerKey),
        key: async (c) => ((await c.req.json()) as { publishableKey: string }).publishableKey,
      },
    ],
    (rule) => deps.metrics.refusals.inc({ kind: 'rate_limit', rule }),
  );
  return new Hono<AppEnv>().post('/', validate('json', CreateSessionRequestSchema), limit, async (c) => {
    const body = c.req.valid('json');
    const key = await db.query.publishableKeys.findFirst({
      where: and(eq(publishableKeys.key, body.publishableKey), isNull(publishableKeys.revokedAt)),
    });
    if (!key) throw new ApiError(401, 'invalid_publishable_key', 'The publishable key is unknown or has been revoked.');
    const origin = c.req.header('origin');
    if (!origin)
      throw new ApiError(403, 'forbidden_origin', 'An Origin header is required to start a visitor session.');
    if (!key.allowedOrigins.includes(origin)) throw forbiddenOrigin(origin, 'key');
    const avatar = await db.query.avatars.findFirst({
      where: and(eq(avatars.id, body.avatarId), eq(avatars.tenantId, key.tenantId)),
    });
    if (!avatar) throw notFound(`The avatar ${body.avatarId}`);

    const tenant = await db.query.tenants.findFirst({ where: eq(tenants.id, key.tenantId) });
    const identity = body.identityToken && tenant ? await identities.verify(body.identityToken, tenant) : undefined;
    const visitor = await directory.resolve({ tenantId: key.tenantId, visitorId: body.visitorId, identity });
    const visitorId = visitor.id;
    const { token, expiresAt } = await tokens.sign({ visitorId, tenantId: key.tenantId, avatarId: avatar.id, origin });
    const session: Session = {
      token,
      expiresAt,
      visitorId,
      verified: visitor.verified,
      avatar: publicAvatarView(avatar, new URL(c.req.url).origin),
    };
    return c.json(session, 201);
  });
}
