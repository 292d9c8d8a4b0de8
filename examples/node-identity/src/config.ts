/** Everything the example site reads from its environment, read once (in `main.ts`). */
export interface SiteConfig {
  port: number;
  host: string;
  /** The VibhavaFusion server and what the widget needs from it. */
  vibhava: { serverUrl: string; publishableKey: string; avatarId: string };
  /** How identity tokens are signed: the same values as on the tenant (`pnpm configure-tenant`). */
  identity: { secret: string; issuer: string; audience: string; ttlSeconds: number };
}

// For a local try-out only: production secrets come from the environment, never from code.
const DEV_IDENTITY_SECRET = 'dev-only-identity-secret-replace-me-in-production';

export function readConfig(env: NodeJS.ProcessEnv = process.env): SiteConfig {
  const port = Number(env['PORT'] ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number: ${env['PORT']}`);
  const secret = env['VIBHAVA_IDENTITY_SECRET'] ?? DEV_IDENTITY_SECRET;
  if (secret.length < 32) throw new Error('VIBHAVA_IDENTITY_SECRET must be at least 32 characters.');
  return {
    port,
    host: env['HOST'] ?? 'localhost',
    vibhava: {
      serverUrl: env['VIBHAVA_SERVER_URL'] ?? 'http://127.0.0.1:8787',
      publishableKey: env['VIBHAVA_PUBLISHABLE_KEY'] ?? 'pk_demo_local',
      avatarId: env['VIBHAVA_AVATAR_ID'] ?? 'avt_demo',
    },
    identity: {
      secret,
      issuer: env['VIBHAVA_IDENTITY_ISSUER'] ?? 'http://localhost:3000',
      audience: env['VIBHAVA_IDENTITY_AUDIENCE'] ?? 'vibhava',
      ttlSeconds: 10 * 60,
    },
  };
}

/** What `configure-tenant` needs besides the site's config: a console user of the tenant. */
export interface AdminConfig {
  email: string;
  password: string;
  tenantId: string;
}

export function readAdminConfig(env: NodeJS.ProcessEnv = process.env): AdminConfig {
  const email = env['VIBHAVA_ADMIN_EMAIL'];
  const password = env['VIBHAVA_ADMIN_PASSWORD'];
  if (!email || !password) {
    throw new Error('Set VIBHAVA_ADMIN_EMAIL and VIBHAVA_ADMIN_PASSWORD to a console owner of the tenant.');
  }
  return { email, password, tenantId: env['VIBHAVA_TENANT_ID'] ?? 'tnt_demo' };
}
