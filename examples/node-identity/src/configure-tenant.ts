import { readAdminConfig, readConfig } from './config.js';

// Once per tenant: tells VibhavaFusion which identity tokens to trust (this site's secret,
// issuer and audience), through the admin API as a console owner of the tenant.
const { vibhava, identity } = readConfig();
const admin = readAdminConfig();

const login = await fetch(`${vibhava.serverUrl}/admin/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: admin.email, password: admin.password }),
});
if (!login.ok) throw new Error(`Signing in to the admin API failed: ${login.status} ${await login.text()}`);
const { csrfToken } = (await login.json()) as { csrfToken: string };
const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';

const update = await fetch(`${vibhava.serverUrl}/admin/v1/tenants/${admin.tenantId}`, {
  method: 'PATCH',
  headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
  body: JSON.stringify({
    identitySecret: identity.secret,
    identityIssuer: identity.issuer,
    identityAudience: identity.audience,
  }),
});
if (!update.ok) throw new Error(`Updating the tenant failed: ${update.status} ${await update.text()}`);
console.log(
  `Tenant ${admin.tenantId} now trusts identity tokens signed with this site's secret (issuer ${identity.issuer}, audience ${identity.audience}).`,
);
