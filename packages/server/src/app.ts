import { isNull } from 'drizzle-orm';
import { Hono } from 'hono';
import { adminApp } from './admin/admin-app.js';
import { adminDocs } from './admin/admin-docs.js';
import { bodyLimit } from 'hono/body-limit';
import type { VisitorTokens } from './auth/visitor-token.js';
import type { Database } from './db/database.js';
import { publishableKeys } from './db/schema.js';
import { ApiError } from './http/api-error.js';
import type { AppEnv } from './http/env.js';
import { limitedBody } from './http/node-http.js';
import type { MemoryOutbox } from './memory/memory-outbox.js';
import { buildOpenApiDocument } from './http/openapi.js';
import { UsageLedger } from './usage/usage-ledger.js';
import { ErrorTracker } from './observability/error-tracker.js';
import { Metrics } from './observability/metrics.js';
import { CachedRateLimitStore } from './limits/cached-rate-limit-store.js';
import { LibsqlRateLimitStore } from './limits/libsql-rate-limit-store.js';
import { defaultRateLimits, type RateLimitSettings } from './limits/rate-limit-settings.js';
import { cachedOriginLookup, corsForKnownOrigins } from './middleware/cors.js';
import { errorHandler, notFoundHandler } from './middleware/error-handler.js';
import type { ChatModel } from './providers/chat-model.js';
import type { ModelDirectory } from './providers/registry.js';
import type { ResilienceOptions } from './providers/resilient-chat-model.js';
import { conversationDocs, conversationRoutes } from './routes/conversations.js';
import { assetDocs, assetRoutes } from './routes/assets.js';
import { sessionDocs, sessionRoutes } from './routes/sessions.js';
import type { EmotionDetector } from './emotion/index.js';
import { HeuristicMemoryExtractor } from './memory/heuristic-extractor.js';
import { MemoryService } from './memory/memory-service.js';
import { memoryDocs, memoryRoutes, preferenceRoutes } from './routes/memories.js';

export interface AppDeps {
  db: Database;
  model: ChatModel;
  tokens: VisitorTokens;
  /** Default: a ledger on the app's database with the default price table. */
  ledger?: UsageLedger;
  /** Finds an avatar's fallback models by id. Default: only `model` itself. */
  models?: ModelDirectory;
  /** Retries and first-token timeout around every model call. */
  resilience?: ResilienceOptions;
  /** Default: a fresh registry (with process metrics). */
  metrics?: Metrics;
  /** Bearer token required by GET /metrics; open when unset. */
  metricsToken?: string;
  /** Default: buckets computed in-process, shared through the app's libSQL database, with `defaultRateLimits`. */
  rateLimits?: RateLimitSettings;
  maxBodyBytes?: number;
  /** Labels each visitor message's emotion. Default: the shipped n-gram classifier. */
  emotions?: Promise<EmotionDetector>;
  /** Long-term memory. Default: episodes and first-person facts, keyword search only. */
  memory?: MemoryService;
  /** Where turns wait until memory has them, so a stopped process loses none (`startServer` sweeps it). */
  memoryOutbox?: MemoryOutbox;
  /** Input tokens per reply at most (default 8192). */
  maxContextTokens?: number;
  log?: (message: string, error: unknown) => void;
  /** One line per answered request: `GET /v1/conversations 200 12ms` (the path without its query). */
  requestLog?: (line: string) => void;
}

/** Builds the HTTP app from its dependencies; tests call this with a real temp database. */
export function createApp(deps: AppDeps) {
  const log = deps.log ?? ((message: string, error: unknown) => console.error(message, error));
  const isKnownOrigin = cachedOriginLookup(async () => {
    const rows = await deps.db
      .select({ origins: publishableKeys.allowedOrigins })
      .from(publishableKeys)
      .where(isNull(publishableKeys.revokedAt));
    return new Set(rows.flatMap((r) => r.origins));
  });

  const limits: RateLimitSettings = deps.rateLimits ?? {
    store: new CachedRateLimitStore(new LibsqlRateLimitStore(deps.db.$client), { log }),
    ...defaultRateLimits,
  };
  const ledger = deps.ledger ?? new UsageLedger(deps.db, { log });
  const metrics = deps.metrics ?? new Metrics();
  const errors = new ErrorTracker(deps.db, log);
  const memory =
    deps.memory ??
    new MemoryService({
      db: deps.db,
      embeddings: () => Promise.resolve(null),
      extractor: new HeuristicMemoryExtractor(),
      log,
    });
  const app = new Hono<AppEnv>();
  app.onError(
    errorHandler(
      log,
      (error, route, method) =>
        void errors.record({
          kind: 'server',
          code: 'internal_error',
          message: error.message,
          stack: error.stack,
          context: { route, method },
        }),
    ),
  );
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath === '/*' ? 'unmatched' : c.req.routePath;
    metrics.requests.inc({ method: c.req.method, route, status: String(c.res.status) });
    const ms = performance.now() - started;
    metrics.requestDuration.observe({ method: c.req.method, route }, ms / 1000);
    deps.requestLog?.(`${c.req.method} ${c.req.path} ${c.res.status} ${Math.round(ms)}ms`);
  });
  app.notFound(notFoundHandler);
  // Avatar assets are served to any page (`<img>`), so they answer before the origin check.
  app.route('/v1/assets', assetRoutes(deps.db));
  app.use('/v1/*', corsForKnownOrigins(isKnownOrigin));
  app.use('/v1/*', limitedBody(deps.maxBodyBytes ?? 64 * 1024));
  app.route('/v1/sessions', sessionRoutes({ ...deps, limits, metrics }));
  app.route(
    '/v1/conversations',
    conversationRoutes({
      ...deps,
      models: deps.models ?? ((id) => (id === deps.model.modelId ? deps.model : undefined)),
      limits,
      ledger,
      metrics,
      errors,
      memory,
      log,
    }),
  );
  app.route('/v1/memories', memoryRoutes({ tokens: deps.tokens, memory }));
  app.route('/v1/preferences', preferenceRoutes({ tokens: deps.tokens, memory }));

  // Admin bodies carry whole personas (lorebooks up to 1 MB); character card uploads up to 50 MB.
  const adminLimit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `The request body is over ${maxSize} bytes.`);
      },
    });
  const adminJsonLimit = adminLimit(deps.maxBodyBytes ?? 2 * 1024 * 1024);
  const cardUploadLimit = adminLimit(50 * 1024 * 1024);
  app.use('/admin/*', (c, next) =>
    (c.req.path.endsWith('/avatars/import') || c.req.path.endsWith('/images') ? cardUploadLimit : adminJsonLimit)(
      c,
      next,
    ),
  );
  app.route('/admin/v1', adminApp(deps.db, memory));

  app.get('/metrics', async (c) => {
    if (deps.metricsToken && c.req.header('authorization') !== `Bearer ${deps.metricsToken}`) {
      throw new ApiError(401, 'unauthorized', 'GET /metrics needs the metrics token.');
    }
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });

  app.get('/health', async (c) => {
    const [database, model, rateLimitStore] = await Promise.all([
      deps.db.$client.execute('select 1').then(
        () => ({ ok: true }),
        (error: unknown) => ({ ok: false, detail: String(error) }),
      ),
      deps.model.health().catch((error: unknown) => ({ ok: false, detail: String(error) })),
      (limits.store.health?.() ?? Promise.resolve({ ok: true })).catch((error: unknown) => ({
        ok: false,
        detail: String(error),
      })),
    ]);
    const ok = database.ok && model.ok && rateLimitStore.ok;
    return c.json(
      {
        ok,
        database,
        model: { provider: deps.model.provider, id: deps.model.modelId, ...model },
        rateLimits: { store: limits.store.name, ...rateLimitStore },
      },
      ok ? 200 : 503,
    );
  });

  const openApiDocument = buildOpenApiDocument([
    ...sessionDocs,
    ...conversationDocs,
    ...memoryDocs,
    ...assetDocs,
    ...adminDocs,
  ]);
  app.get('/openapi.json', (c) => c.json(openApiDocument));
  return app;
}

export type App = ReturnType<typeof createApp>;
