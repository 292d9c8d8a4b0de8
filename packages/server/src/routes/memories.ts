import {
  CreateMemoryRequestSchema,
  ForgetAllResultSchema,
  IdSchema,
  MemoryHistorySchema,
  MemoryListSchema,
  MemorySchema,
  MemorySettingsSchema,
  PreferencesResponseSchema,
  UpdateMemoryRequestSchema,
  UpdatePreferencesRequestSchema,
} from '@vibhava/protocol';
import { Hono } from 'hono';
import { z } from 'zod/mini';
import type { VisitorTokens } from '../auth/visitor-token.js';
import { notFound } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import type { RouteDoc } from '../http/openapi.js';
import { validate } from '../http/validate.js';
import type { MemoryService } from '../memory/memory-service.js';
import { visitorScope } from '../memory/memory-store.js';
import { visitorAuth } from '../middleware/visitor-auth.js';

const MemoryParams = z.object({ memoryId: IdSchema });
const authErrors = {
  401: { description: 'Missing, forged or expired visitor token' },
  403: { description: 'Token used from another origin' },
};
const memoryNotFound = { 404: { description: 'No such memory of this visitor' } };

export const memoryDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/memories',
    summary: 'What the avatar remembers about the visitor',
    description:
      'Facts learned from conversations (and written by the visitor) and moments kept as they were said, newest first.',
    auth: 'visitor',
    responses: {
      200: { description: 'Memories and whether memory is paused', schema: MemoryListSchema },
      ...authErrors,
    },
  },
  {
    method: 'post',
    path: '/v1/memories',
    summary: 'Tell the avatar something to remember',
    auth: 'visitor',
    body: CreateMemoryRequestSchema,
    responses: {
      201: { description: 'The new memory', schema: MemorySchema },
      400: { description: 'Invalid memory' },
      ...authErrors,
    },
  },
  {
    method: 'patch',
    path: '/v1/memories/{memoryId}',
    summary: 'Correct a memory',
    description: 'The old text stays in the memory’s history.',
    auth: 'visitor',
    params: { memoryId: IdSchema },
    body: UpdateMemoryRequestSchema,
    responses: {
      200: { description: 'The memory as corrected', schema: MemorySchema },
      400: { description: 'Invalid memory' },
      ...memoryNotFound,
      ...authErrors,
    },
  },
  {
    method: 'delete',
    path: '/v1/memories/{memoryId}',
    summary: 'Forget one memory',
    description: 'Erased with its history; gone from the next reply’s search.',
    auth: 'visitor',
    params: { memoryId: IdSchema },
    responses: { 204: { description: 'Forgotten' }, ...memoryNotFound, ...authErrors },
  },
  {
    method: 'delete',
    path: '/v1/memories',
    summary: 'Forget everything',
    auth: 'visitor',
    responses: { 200: { description: 'How many memories were erased', schema: ForgetAllResultSchema }, ...authErrors },
  },
  {
    method: 'get',
    path: '/v1/memories/{memoryId}/history',
    summary: 'How a memory changed: added, updated, deleted, by whom and why',
    auth: 'visitor',
    params: { memoryId: IdSchema },
    responses: {
      200: { description: 'Its changes, oldest first', schema: MemoryHistorySchema },
      ...memoryNotFound,
      ...authErrors,
    },
  },
  {
    method: 'put',
    path: '/v1/memories/settings',
    summary: 'Pause or resume memory',
    description: 'While paused nothing new is remembered and nothing remembered is used in replies.',
    auth: 'visitor',
    body: MemorySettingsSchema,
    responses: { 200: { description: 'The settings', schema: MemorySettingsSchema }, ...authErrors },
  },
  {
    method: 'get',
    path: '/v1/preferences',
    summary: 'How the visitor likes to be answered, with the history of changes',
    auth: 'visitor',
    responses: { 200: { description: 'The preference profile', schema: PreferencesResponseSchema }, ...authErrors },
  },
  {
    method: 'patch',
    path: '/v1/preferences',
    summary: 'Edit the preference profile',
    auth: 'visitor',
    body: UpdatePreferencesRequestSchema,
    responses: {
      200: { description: 'The profile as edited', schema: PreferencesResponseSchema },
      400: { description: 'Invalid preferences' },
      ...authErrors,
    },
  },
];

interface MemoryRouteDeps {
  tokens: VisitorTokens;
  memory: MemoryService;
}

/** The visitor's own memories: see, correct, delete, forget everything, pause. */
export function memoryRoutes({ tokens, memory }: MemoryRouteDeps) {
  return new Hono<AppEnv>()
    .use('*', visitorAuth(tokens))
    .get('/', async (c) => c.json(await memory.list(visitorScope(c.var.visitor)), 200))
    .post('/', validate('json', CreateMemoryRequestSchema), async (c) =>
      c.json(await memory.create(visitorScope(c.var.visitor), c.req.valid('json')), 201),
    )
    .delete('/', async (c) => c.json({ deleted: await memory.forgetAll(visitorScope(c.var.visitor)) }, 200))
    .put('/settings', validate('json', MemorySettingsSchema), async (c) => {
      const { paused } = c.req.valid('json');
      await memory.setPaused(visitorScope(c.var.visitor), paused);
      return c.json({ paused }, 200);
    })
    .patch('/:memoryId', validate('param', MemoryParams), validate('json', UpdateMemoryRequestSchema), async (c) => {
      const updated = await memory.update(
        visitorScope(c.var.visitor),
        c.req.valid('param').memoryId,
        c.req.valid('json'),
      );
      if (!updated) throw notFound('The memory');
      return c.json(updated, 200);
    })
    .delete('/:memoryId', validate('param', MemoryParams), async (c) => {
      const erased = await memory.delete(visitorScope(c.var.visitor), c.req.valid('param').memoryId);
      if (!erased) throw notFound('The memory');
      return c.body(null, 204);
    })
    .get('/:memoryId/history', validate('param', MemoryParams), async (c) => {
      const { memoryId } = c.req.valid('param');
      const changes = await memory.history(visitorScope(c.var.visitor), memoryId);
      if (!changes) throw notFound('The memory');
      return c.json({ memoryId, changes }, 200);
    });
}

/** The visitor's preference profile. */
export function preferenceRoutes({ tokens, memory }: MemoryRouteDeps) {
  return new Hono<AppEnv>()
    .use('*', visitorAuth(tokens))
    .get('/', async (c) => c.json(await memory.preferences.get(visitorScope(c.var.visitor)), 200))
    .patch('/', validate('json', UpdatePreferencesRequestSchema), async (c) =>
      c.json(await memory.preferences.edit(visitorScope(c.var.visitor), c.req.valid('json')), 200),
    );
}
