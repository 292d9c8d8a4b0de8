import { readFileSync } from 'node:fs';
import { ConfigError, parseEnv, type Env } from './config.js';
import { PriceTableSchema, type PriceTable } from './usage/price-table.js';
import { startServer, type StartServerOptions } from './server.js';

/** The only reader of `process.env`: env → options → server. */
export function optionsFromEnv(env: Env, extra: { demo?: boolean } = {}): StartServerOptions {
  return {
    port: env.PORT,
    host: env.HOST,
    dataDir: env.VIBHAVA_DATA_DIR,
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(env.DATABASE_AUTH_TOKEN ? { databaseAuthToken: env.DATABASE_AUTH_TOKEN } : {}),
    ...(env.VIBHAVA_SECRET ? { secret: env.VIBHAVA_SECRET } : {}),
    tokenTtlSeconds: env.VISITOR_TOKEN_TTL_SECONDS,
    maxBodyBytes: env.MAX_BODY_BYTES,
    providers: {
      provider: env.VIBHAVA_PROVIDER,
      openai: {
        apiKey: env.OPENAI_API_KEY,
        baseURL: env.OPENAI_BASE_URL,
        model: env.OPENAI_MODEL,
        structuredOutput: env.OPENAI_STRUCTURED_OUTPUT === 'true',
      },
      local: {
        model: env.VIBHAVA_LOCAL_MODEL,
        modelPath: env.VIBHAVA_MODEL_PATH,
        modelsDir: env.VIBHAVA_MODELS_DIR,
        threads: env.VIBHAVA_MODEL_THREADS,
        contextSize: env.VIBHAVA_MODEL_CONTEXT,
        autoPull: true,
      },
    },
    allowedOrigins: env.VIBHAVA_ALLOWED_ORIGINS,
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    ...(env.VIBHAVA_METRICS_TOKEN ? { metricsToken: env.VIBHAVA_METRICS_TOKEN } : {}),
    ...(env.VIBHAVA_ADMIN_EMAIL && env.VIBHAVA_ADMIN_PASSWORD
      ? { demoAdmin: { email: env.VIBHAVA_ADMIN_EMAIL, password: env.VIBHAVA_ADMIN_PASSWORD } }
      : {}),
    ...(env.VIBHAVA_PRICES_FILE ? { prices: loadPriceTable(env.VIBHAVA_PRICES_FILE) } : {}),
    rateLimits: {
      sessionsPerIp: env.RATE_LIMIT_SESSIONS_PER_MINUTE,
      messagesPerVisitor: env.RATE_LIMIT_MESSAGES_PER_MINUTE,
      requestsPerIp: env.RATE_LIMIT_IP_PER_MINUTE,
      requestsPerKey: env.RATE_LIMIT_KEY_PER_MINUTE,
    },
    rateLimitSyncMs: env.RATE_LIMIT_SYNC_MS,
    emotionClassifier: env.VIBHAVA_EMOTION_CLASSIFIER,
    memoryExtractor: env.VIBHAVA_MEMORY_EXTRACTOR,
    memory: env.VIBHAVA_MEMORY === 'on',
    ...(env.VIBHAVA_LOG_REQUESTS === 'on' ? { requestLog: (line: string) => console.log(line) } : {}),
    maxContextTokens: env.VIBHAVA_CONTEXT_TOKENS,
    ...(extra.demo ? { demo: true } : {}),
  };
}

export async function main(argv: { demo?: boolean } = {}): Promise<void> {
  let options: StartServerOptions;
  try {
    options = optionsFromEnv(parseEnv(process.env), { demo: argv.demo ?? true });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  console.log(`Data: ${options.dataDir}${options.databaseUrl ? ` (database: ${redactUrl(options.databaseUrl)})` : ''}`);
  const server = await startServer(options);
  console.log(`VibhavaFusion is listening on ${server.url} (model: ${server.model.provider} ${server.model.modelId})`);
  if (server.demo) {
    console.log(
      `\n  Demo page:  ${server.url}/\n  API docs:   ${server.url}/openapi.json\n  Health:     ${server.url}/health\n`,
    );
    console.log(`  publishable key ${server.demo.publishableKey}, avatar ${server.demo.avatarId}`);
  }
  const shutdown = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

function loadPriceTable(path: string): PriceTable {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`VIBHAVA_PRICES_FILE (${path}) could not be read as JSON: ${(error as Error).message}`);
  }
  const parsed = PriceTableSchema.safeParse(json);
  if (!parsed.success)
    throw new ConfigError(`VIBHAVA_PRICES_FILE (${path}) is not a price table: ${parsed.error.message}`);
  return parsed.data;
}

/** A database URL without credentials, for the log. */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//…@').replace(/([?&](?:authToken|auth_token|token)=)[^&]*/gi, '$1…');
}
