import { IdSchema } from '@vibhava/protocol';
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod/mini';
import type { Database } from '../db/database.js';
import { avatarAssets } from '../db/schema.js';
import { notFound } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import type { RouteDoc } from '../http/openapi.js';
import { validate } from '../http/validate.js';

export const assetDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/assets/{assetId}',
    summary: 'An avatar’s image or file (a card’s picture, an expression image), public by its unguessable id',
    params: { assetId: IdSchema },
    responses: {
      200: { description: 'The file', contentType: 'application/octet-stream' },
      404: { description: 'No such asset' },
    },
  },
];

/**
 * Avatar assets, served to any page: the widget shows them with `<img>`. Ids are random and an
 * asset never changes, so responses are cacheable for a year. Only images are shown inline; any
 * other file is a download, and `nosniff` stops a browser from guessing otherwise.
 */
export function assetRoutes(db: Database) {
  return new Hono<AppEnv>().get('/:assetId', validate('param', z.object({ assetId: IdSchema })), async (c) => {
    const row = await db
      .select({ contentType: avatarAssets.contentType, bytes: avatarAssets.bytes, name: avatarAssets.name })
      .from(avatarAssets)
      .where(eq(avatarAssets.id, c.req.valid('param').assetId))
      .get();
    if (!row) throw notFound('The asset');
    const image = /^image\/(png|jpeg|webp|gif|avif)$/.test(row.contentType);
    return c.body(new Uint8Array(row.bytes), 200, {
      'content-type': row.contentType,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'",
      'cross-origin-resource-policy': 'cross-origin',
      ...(image ? {} : { 'content-disposition': `attachment; filename="${row.name.replace(/[^\w.-]+/g, '_')}"` }),
    });
  });
}
