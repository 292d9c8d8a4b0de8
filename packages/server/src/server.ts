import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { EmbeddingEmotionClassifier } from './emotion/embedding-emotion-classifier.js';
import type { EmbeddingModel } from './embeddings/embedding-model.js';
import { loadLocalEmbeddingModel } from './embeddings/local-embedding-model.js';
import { HeuristicMemoryExtractor } from './memory/heuristic-extractor.js';
import { LlmMemoryExtractor } from './memory/llm-extractor.js';
import { MemoryOutbox } from './memory/memory-outbox.js';
import { MemoryService } from './memory/memory-service.js';
import { createApp, type App } from './app.js';
import { defaultDataDir } from './config.js';
import { VisitorTokens } from './auth/visitor-token.js';
import { openDatabase, type Database } from './db/database.js';
import { seedDemo, seedDemoKnowledge, type DemoData } from './db/seed.js';
import { ensureAdminUser } from './admin/bootstrap.js';
import { mountDemoSite } from './demo-site.js';
import type { PriceTable } from './usage/price-table.js';
import { recordCall } from './usage/metered-model.js';
import { UsageLedger } from './usage/usage-ledger.js';
import { Metrics } from './observability/metrics.js';
import { QuotaService } from './quotas/quota-service.js';
import { CachedRateLimitStore } from './limits/cached-rate-limit-store.js';
import { LibsqlRateLimitStore } from './limits/libsql-rate-limit-store.js';
import { defaultRateLimits, type RateLimitSettings } from './limits/rate-limit-settings.js';
import type { RateLimitStore } from './limits/rate-limit-store.js';
import { RedisRateLimitStore } from './limits/redis-rate-limit-store.js';
import type { ChatModel } from './providers/chat-model.js';
import { defaultModelsDir } from './providers/local/model-files.js';
import {
  createChatModel,
  createModelDirectory,
  type ModelDirectory,
  type ProviderSettings,
} from './providers/registry.js';
import type { ResilienceOptions } from './providers/resilient-chat-model.js';

export interface StartServerOptions {
  port?: number;
  host?: string;
  /** Where the database file, the token secret and logs live. Default: `defaultDataDir()` (config.ts). */
  dataDir?: string;
  /** Default `file:<dataDir>/vibhava.db`; a `libsql://` URL for several instances. */
  databaseUrl?: string;
  databaseAuthToken?: string;
  /** HS256 secret for visitor tokens. Default: generated once and kept in `<dataDir>/secret`. */
  secret?: string;
  tokenTtlSeconds?: number;
  maxBodyBytes?: number;
  /** Which model to use; ignored when `model` is given. */
  providers?: Partial<ProviderSettings>;
  /** An already-built model (tests inject a local upstream this way). */
  model?: ChatModel;
  /** With `model`: how to find avatars' fallback models by id. */
  models?: ModelDirectory;
  resilience?: ResilienceOptions;
  /** Seed the demo tenant, key and avatar and serve the script-tag example at `/`. */
  demo?: boolean;
  /** Rate limits in requests per minute; their buckets live in Redis when `redisUrl` is set, else in libSQL. */
  rateLimits?: Partial<Omit<RateLimitSettings, 'store'>>;
  redisUrl?: string;
  /**
   * How often the in-process token buckets are reconciled with the shared store (libSQL or
   * Redis), in ms: each instance sees the others' takes of a busy bucket this late. 0 takes every
   * token in the shared store (exact across instances, one round trip per take). Default 100.
   */
  rateLimitSyncMs?: number;
  /** Bearer token for GET /metrics (open when unset). */
  metricsToken?: string;
  /**
   * The visitor-emotion classifier: `ngram` (default; under a millisecond) or `embedding` (the
   * local sentence-embedding model plus a head: better Ekman-7 accuracy, a few ms per message;
   * needs the embedding model from `pnpm models pull`).
   */
  emotionClassifier?: 'auto' | 'ngram' | 'embedding';
  /**
   * Fact extraction for long-term memory: `auto` (the hosted model when there is one, else
   * first-person patterns), `llm`, `heuristic` or `off` (episodes only).
   */
  memoryExtractor?: 'auto' | 'llm' | 'heuristic' | 'off';
  /** Input tokens per reply at most (default 8192; the model's context window caps it too). */
  maxContextTokens?: number;
  /** False: no long-term memory at all (no embedding, retrieval or extraction per message). */
  memory?: boolean;
  /** Prices for the usage ledger (default: OpenAI's list prices for the GPT-4o mini family). */
  prices?: PriceTable;
  /** A console owner of the demo tenant, created or updated at start (demo mode only). */
  demoAdmin?: { email: string; password: string };
  /** Extra origins for the demo key (the server's own origin is always allowed). */
  allowedOrigins?: readonly string[];
  log?: (message: string, error?: unknown) => void;
  /** Gets one line per request once it is answered: method, path (no query), status, ms. Off when unset. */
  requestLog?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  app: App;
  db: Database;
  model: ChatModel;
  ledger: UsageLedger;
  demo: DemoData | undefined;
  /** Resolves once the background work queued so far (remembering turns) is done. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Opens the database, loads the model and listens. The one way the server is started. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  mkdirSync(dataDir, { recursive: true });
  const log =
    options.log ??
    ((message: string, error?: unknown) => (error ? console.error(message, error) : console.log(message)));
  const db = await openDatabase({
    url: options.databaseUrl ?? `file:${join(dataDir, 'vibhava.db')}`,
    ...(options.databaseAuthToken ? { authToken: options.databaseAuthToken } : {}),
  });
  const providerSettings: ProviderSettings = {
    provider: options.providers?.provider ?? 'auto',
    ...(options.providers?.openai ? { openai: options.providers.openai } : {}),
    local: { modelsDir: defaultModelsDir(), autoPull: true, ...options.providers?.local },
  };
  const model = options.model ?? (await createChatModel(providerSettings));
  const models = options.models ?? (options.model ? undefined : createModelDirectory(providerSettings, model));
  const tokens = new VisitorTokens(options.secret ?? loadOrCreateSecret(dataDir), options.tokenTtlSeconds ?? 900);
  const sharedRateLimits = options.redisUrl
    ? new RedisRateLimitStore({ url: options.redisUrl })
    : new LibsqlRateLimitStore(db.$client);
  const rateLimitStore: RateLimitStore =
    options.rateLimitSyncMs === 0
      ? sharedRateLimits
      : new CachedRateLimitStore(sharedRateLimits, {
          ...(options.rateLimitSyncMs ? { syncMs: options.rateLimitSyncMs } : {}),
          log,
        });
  const rateLimits: RateLimitSettings = { store: rateLimitStore, ...defaultRateLimits, ...options.rateLimits };
  const ledger = new UsageLedger(db, { ...(options.prices ? { prices: options.prices } : {}), log });
  const metrics = new Metrics();
  const quotas = new QuotaService(db);
  // The embedding model serves memory search and visitor emotions. An explicit choice of the
  // embedding classifier fails the start when it is missing; otherwise memory falls back to
  // keyword search and emotions to the n-gram model.
  const modelsDir = providerSettings.local?.modelsDir ?? defaultModelsDir();
  const classifier = options.emotionClassifier ?? 'auto';
  let embeddings: EmbeddingModel | undefined;
  if (classifier !== 'ngram') {
    embeddings = await loadLocalEmbeddingModel({ modelsDir }).catch((error: unknown) => {
      if (classifier === 'embedding') throw error;
      log('The local embedding model is missing (pnpm models pull); memory search uses keywords only', error);
      return undefined;
    });
  }
  const emotions = embeddings ? await EmbeddingEmotionClassifier.load(embeddings) : undefined;
  const extractorChoice = options.memoryExtractor ?? 'auto';
  const extractor =
    extractorChoice === 'off'
      ? null
      : extractorChoice === 'llm' || (extractorChoice === 'auto' && model.provider !== 'local')
        ? new LlmMemoryExtractor(model, {
            // What extraction used goes to the ledger and the visitor's budgets, like a reply.
            onCall: (call, turn) => {
              if (turn.scope) recordCall({ ledger, quotas, metrics, log }, turn.scope, 'memory_extraction', call);
            },
          })
        : new HeuristicMemoryExtractor();
  const memory = new MemoryService({
    db,
    embeddings: () => Promise.resolve(embeddings ?? null),
    extractor,
    enabled: options.memory ?? true,
    log,
  });
  const memoryOutbox = new MemoryOutbox(db, memory, { log });
  const app = createApp({
    db,
    metrics,
    memoryOutbox,
    model,
    tokens,
    rateLimits,
    ledger,
    ...(models ? { models } : {}),
    ...(options.resilience ? { resilience: options.resilience } : {}),
    ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(emotions ? { emotions: Promise.resolve(emotions) } : {}),
    memory,
    ...(options.maxContextTokens ? { maxContextTokens: options.maxContextTokens } : {}),
    ...(options.requestLog ? { requestLog: options.requestLog } : {}),
    log,
  });

  // The demo is seeded and its routes mounted before the server listens: a request that arrives
  // early (a widget retrying while the server restarts) would otherwise fix the router first.
  const requestedPort = options.port ?? 8787;
  const selfOrigins = (port: number) => [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
  let url = '';
  let demo: DemoData | undefined;
  if (options.demo) {
    const early = requestedPort === 0 ? [] : selfOrigins(requestedPort);
    demo = await seedDemo(db, [...early, ...(options.allowedOrigins ?? [])]);
    const knowledge = await readFile(resolve(packageRoot, '../../examples/script-tag/knowledge.md'), 'utf8').catch(
      () => null,
    );
    if (knowledge && demo.fresh) await seedDemoKnowledge(memory, knowledge);
    if (options.demoAdmin) await ensureAdminUser(db, { ...options.demoAdmin, tenantId: demo.tenantId, role: 'owner' });
    mountDemoSite(
      app as never,
      {
        exampleDir: resolve(packageRoot, '../../examples/script-tag'),
        widgetScript: resolve(packageRoot, '../widget/dist/vibhava-avatar.min.js'),
        publishableKey: demo.publishableKey,
        avatarId: demo.avatarId,
      },
      () => url,
    );
  }

  const server = await listen(app, requestedPort, options.host ?? '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // A port the system chose is known only now: the demo key learns the page's origins.
  if (demo && requestedPort === 0) await seedDemo(db, selfOrigins(port));

  // Turns a stopped process left unremembered (their writer's lease has run out by now or soon).
  void memoryOutbox.sweep();

  return {
    url,
    app,
    db,
    model,
    ledger,
    demo,
    settled: () => memory.idle(),
    async close() {
      await new Promise<void>((done) => {
        server.close(() => done());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      memoryOutbox.close();
      await memory.idle();
      if (!options.model) await model.close?.();
      await embeddings?.close();
      await rateLimitStore.close?.();
      await ledger.close();
      db.$client.close();
    },
  };
}

function listen(app: App, port: number, hostname: string): Promise<ServerType> {
  return new Promise((resolveListen, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, () => resolveListen(server));
    server.once('error', reject);
  });
}

function loadOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
