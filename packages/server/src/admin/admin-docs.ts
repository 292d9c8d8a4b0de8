import type { z } from 'zod';
import type { RouteDoc } from '../http/openapi.js';
import { LoginSchema } from './routes/auth.js';
import {
  CreateAvatarSchema,
  DuplicateAvatarSchema,
  PreviewSchema,
  TemplateBodySchema,
  UpdateAvatarSchema,
} from './routes/avatars.js';
import { CreatePublishableKeySchema, CreateSecretKeySchema } from './routes/keys.js';
import { CreateQuotaSchema } from './routes/quotas.js';
import { AddMemberSchema, CreateTenantSchema, UpdateTenantSchema } from './routes/tenants.js';

const tenant = '/admin/v1/tenants/{tenantId}';
const errors = {
  400: { description: 'Invalid request' },
  401: { description: 'Not signed in, or an unknown or revoked secret key' },
  403: { description: 'The role lacks the permission, or the CSRF token is missing' },
  404: { description: 'No such tenant for this caller (tenants are invisible to each other)' },
};
const ok = (description: string) => ({ 200: { description }, ...errors });
const created = (description: string) => ({ 201: { description }, ...errors });
const gone = { 204: { description: 'Done' }, ...errors };

function route(
  method: RouteDoc['method'],
  path: string,
  summary: string,
  responses: RouteDoc['responses'],
  body?: z.ZodType,
): RouteDoc {
  return { method, path, summary, auth: 'admin', responses, ...(body ? { body } : {}) };
}

/** The admin API in the OpenAPI document (each route's permission is in README's role table). */
export const adminDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/admin/v1/auth/login',
    summary: 'Sign in to the console (sets an httpOnly cookie, returns the CSRF token)',
    body: LoginSchema,
    responses: ok('Signed in'),
  },
  route('post', '/admin/v1/auth/logout', 'Sign out', gone),
  route('get', '/admin/v1/me', 'Who am I, and my tenants with my role in each', ok('The signed-in person')),
  route(
    'post',
    '/admin/v1/tenants',
    'Create a tenant (you become its owner)',
    created('The tenant'),
    CreateTenantSchema,
  ),
  route('get', tenant, 'Read a tenant (tenant:read)', ok('The tenant')),
  route(
    'patch',
    tenant,
    'Change name, time zone or identity-token settings (tenant:write)',
    ok('The tenant'),
    UpdateTenantSchema,
  ),
  route('get', `${tenant}/members`, 'List members (members:read)', ok('Members')),
  route('post', `${tenant}/members`, 'Add or re-role a member (members:write)', created('The member'), AddMemberSchema),
  route('delete', `${tenant}/members/{userId}`, 'Remove a member (members:write)', gone),
  route('get', `${tenant}/keys`, 'List publishable and secret keys, never the secrets (keys:read)', ok('Keys')),
  route(
    'post',
    `${tenant}/publishable-keys`,
    'Create a publishable key bound to origins (keys:write)',
    created('The key'),
    CreatePublishableKeySchema,
  ),
  route(
    'patch',
    `${tenant}/publishable-keys/{keyId}`,
    'Change allowed origins (keys:write)',
    ok('The key'),
    CreatePublishableKeySchema,
  ),
  route('delete', `${tenant}/publishable-keys/{keyId}`, 'Revoke a publishable key (keys:write)', gone),
  route(
    'post',
    `${tenant}/secret-keys`,
    'Create a secret key, shown once (keys:write)',
    created('The key and its secret'),
    CreateSecretKeySchema,
  ),
  route('delete', `${tenant}/secret-keys/{keyId}`, 'Revoke a secret key (keys:write)', gone),
  route('get', `${tenant}/avatars`, 'List avatars (avatars:read)', ok('Avatars')),
  route(
    'post',
    `${tenant}/avatars`,
    'Create an avatar, optionally from a personality template (avatars:write)',
    created('The avatar'),
    CreateAvatarSchema,
  ),
  route('get', `${tenant}/avatars/{avatarId}`, 'An avatar with its profile (avatars:read)', ok('The avatar')),
  route(
    'post',
    `${tenant}/avatars/import`,
    'Create an avatar from a character card: V1/V2/V3 JSON, PNG or CHARX as the body or a form field `file`; ?filename= (avatars:write)',
    { ...created('The avatar'), 413: { description: 'Over 50 MB' } },
  ),
  route(
    'post',
    `${tenant}/avatars/{avatarId}/images`,
    'Upload an expression image (PNG, JPEG, WebP or GIF body, ≤ 5 MB); put the returned url into the profile’s images (avatars:write)',
    created('The stored image'),
  ),
  route(
    'get',
    `${tenant}/avatars/{avatarId}/card`,
    'Export as a character card: ?format=json-v2|json-v3|png|charx (avatars:read)',
    ok('The card file'),
  ),
  route(
    'patch',
    `${tenant}/avatars/{avatarId}`,
    'Change an avatar; a profile change is a new version, past conversations keep theirs (avatars:write)',
    ok('The avatar'),
    UpdateAvatarSchema,
  ),
  route(
    'post',
    `${tenant}/avatars/{avatarId}/duplicate`,
    'Copy an avatar (avatars:write)',
    created('The copy'),
    DuplicateAvatarSchema,
  ),
  route('delete', `${tenant}/avatars/{avatarId}`, 'Delete an avatar and its conversations (avatars:write)', gone),
  route(
    'get',
    `${tenant}/avatars/{avatarId}/versions`,
    'The avatar’s versions, newest first (avatars:read)',
    ok('Versions'),
  ),
  route(
    'get',
    `${tenant}/avatars/{avatarId}/versions/{version}`,
    'One version’s profile (avatars:read)',
    ok('The profile'),
  ),
  route(
    'post',
    `${tenant}/avatars/{avatarId}/preview`,
    'Render the system message for sample visitor data, with unsaved changes; a template error names its line (avatars:read)',
    ok('The system message'),
    PreviewSchema,
  ),
  route(
    'get',
    `${tenant}/avatars/{avatarId}/adaptations`,
    'Tone adaptations with their reasons, newest first (avatars:read)',
    ok('Adaptations'),
  ),
  route('get', `${tenant}/avatars/{avatarId}/feedback`, 'Visitors’ votes on replies (avatars:read)', ok('Feedback')),
  route(
    'get',
    `${tenant}/personality-templates`,
    'Built-in and own personality templates (avatars:read)',
    ok('Templates'),
  ),
  route(
    'post',
    `${tenant}/personality-templates`,
    'Create a personality template (avatars:write)',
    created('The template'),
    TemplateBodySchema,
  ),
  route(
    'delete',
    `${tenant}/personality-templates/{templateId}`,
    'Delete a personality template (avatars:write)',
    gone,
  ),
  route('get', `${tenant}/quotas`, 'Budgets with their current use (quotas:read)', ok('Budgets')),
  route('post', `${tenant}/quotas`, 'Create a budget (quotas:write)', created('The budget'), CreateQuotaSchema),
  route('delete', `${tenant}/quotas/{quotaId}`, 'Delete a budget (quotas:write)', gone),
  route(
    'get',
    `${tenant}/usage`,
    'Usage report: ?groupBy=day|model|avatar|visitor|conversation|operation&from&to (usage:read)',
    ok('Rows'),
  ),
  route('get', `${tenant}/errors`, 'Error groups, most recent first (errors:read)', ok('Error groups')),
  route(
    'get',
    `${tenant}/knowledge`,
    'Tenant knowledge every visitor’s avatar may draw on; ?avatarId= for one avatar’s (avatars:read)',
    ok('Knowledge entries'),
  ),
  route(
    'post',
    `${tenant}/knowledge`,
    'Add tenant knowledge: { text, category?, avatarId? } for one avatar or all (avatars:write)',
    created('The entry'),
  ),
  route(
    'delete',
    `${tenant}/knowledge/{memoryId}`,
    'Delete tenant knowledge; ?avatarId= as created (avatars:write)',
    gone,
  ),
  route(
    'get',
    `${tenant}/conversations/{conversationId}/messages`,
    'A conversation’s messages with each reply’s context trace (conversations:read)',
    ok('Messages'),
  ),
  route(
    'get',
    `${tenant}/avatars/{avatarId}/visitors/{visitorId}/memories`,
    'What an avatar remembers about a visitor (conversations:read)',
    ok('Memories'),
  ),
];
