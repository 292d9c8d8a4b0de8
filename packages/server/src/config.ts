import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { findLocalChatModel, LOCAL_CHAT_MODELS } from './providers/local/model-catalog.js';
import { defaultModelsDir } from './providers/local/model-files.js';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const originList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const origins = (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const origin of origins) {
      if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
        ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin like https://example.com` });
      }
    }
    return origins;
  });

/** Every environment variable the server reads, parsed once. Only `main.ts` passes `process.env`. */
export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().default('127.0.0.1'),
  /** Default: {@link defaultDataDir}, never the working directory. */
  VIBHAVA_DATA_DIR: optionalString,
  /** `off`: no line per request in the server's log. */
  VIBHAVA_LOG_REQUESTS: z.enum(['on', 'off']).default('on'),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^(file:|libsql:|https?:|wss?:)/, 'must start with file:, libsql:, http(s): or ws(s):')
      .optional(),
  ),
  DATABASE_AUTH_TOKEN: optionalString,
  VIBHAVA_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  VIBHAVA_PROVIDER: z.enum(['auto', 'openai', 'local']).default('auto'),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString.pipe(z.url().optional()),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  /** `false` for OpenAI-compatible servers without structured outputs (replies then carry no expression). */
  OPENAI_STRUCTURED_OUTPUT: z.enum(['true', 'false']).default('true'),
  /**
   * Visitor emotions: `auto` (default) uses the local embedding model's vector of each message,
   * which memory computes anyway, and the n-gram model when the embedding model is missing.
   */
  VIBHAVA_EMOTION_CLASSIFIER: z.enum(['auto', 'ngram', 'embedding']).default('auto'),
  /**
   * What turns conversations into facts: `auto` (default) asks the hosted model when one is
   * configured and uses first-person patterns with the small local model; `llm`, `heuristic`,
   * or `off` (episodes only: every turn is still remembered as said).
   */
  /** `off`: no long-term memory at all (a stateless assistant; nothing embedded per message). */
  VIBHAVA_MEMORY: z.enum(['on', 'off']).default('on'),
  VIBHAVA_MEMORY_EXTRACTOR: z.enum(['auto', 'llm', 'heuristic', 'off']).default('auto'),
  /** Input tokens sent per reply at most (context manager); the model's window caps it too. */
  VIBHAVA_CONTEXT_TOKENS: z.coerce.number().int().min(512).default(8192),
  /** The local chat model: `large` (default), `small`, or a catalog id (`vibhava models list`). */
  VIBHAVA_LOCAL_MODEL: optionalString.pipe(
    z
      .string()
      .refine((v) => findLocalChatModel(v) !== undefined, {
        message: `must be one of ${LOCAL_CHAT_MODELS.map((m) => `${m.alias} (${m.id})`).join(', ')}`,
      })
      .optional(),
  ),
  VIBHAVA_MODEL_PATH: optionalString,
  VIBHAVA_MODELS_DIR: optionalString,
  VIBHAVA_MODEL_THREADS: z.coerce.number().int().positive().optional(),
  VIBHAVA_MODEL_CONTEXT: z.coerce.number().int().min(512).default(4096),
  VISITOR_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024),
  VIBHAVA_ALLOWED_ORIGINS: originList,
  /** Shared rate-limit buckets for several instances; libSQL holds them when unset. */
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
  ),
  /** With the demo: a console owner of the demo tenant (password ≥ 12 characters). */
  VIBHAVA_ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  VIBHAVA_ADMIN_PASSWORD: optionalString.pipe(z.string().min(12, 'must be at least 12 characters').optional()),
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  VIBHAVA_METRICS_TOKEN: optionalString,
  /** A JSON price table ({ version, models }) replacing the built-in one. */
  VIBHAVA_PRICES_FILE: optionalString,
  RATE_LIMIT_SESSIONS_PER_MINUTE: z.coerce.number().int().positive().default(30),
  RATE_LIMIT_MESSAGES_PER_MINUTE: z.coerce.number().int().positive().default(20),
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().positive().default(120),
  RATE_LIMIT_KEY_PER_MINUTE: z.coerce.number().int().positive().default(1200),
  /**
   * How often in-process token buckets settle with the shared store (libSQL or Redis); 0 sends
   * every take to the shared store (exact across instances, slower).
   */
  RATE_LIMIT_SYNC_MS: z.coerce.number().int().min(0).max(10_000).default(100),
});
/** The parsed environment, its folders resolved to absolute paths. */
export type Env = Omit<z.infer<typeof EnvSchema>, 'VIBHAVA_DATA_DIR' | 'VIBHAVA_MODELS_DIR'> & {
  VIBHAVA_DATA_DIR: string;
  VIBHAVA_MODELS_DIR: string;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; a wrong value stops start-up with a message naming the variable. */
export function parseEnv(env: Record<string, string | undefined>): Env {
  const parsed = EnvSchema.safeParse(env);
  if (parsed.success) {
    const { VIBHAVA_DATA_DIR: dataDir, VIBHAVA_MODELS_DIR: modelsDir } = parsed.data;
    return {
      ...parsed.data,
      VIBHAVA_DATA_DIR: dataDir ? resolve(dataDir) : defaultDataDir(env),
      VIBHAVA_MODELS_DIR: modelsDir ? resolve(modelsDir) : defaultModelsDir(env),
    };
  }
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Where the database file and the token secret live when `VIBHAVA_DATA_DIR` is unset, whatever the
 * working directory: `.data` at the root of the repository when run from a checkout, else the
 * user's data folder (`$XDG_DATA_HOME/vibhava`, `~/.local/share/vibhava`; `~/Library/Application
 * Support/vibhava` on macOS, `%LOCALAPPDATA%\vibhava` on Windows).
 */
export function defaultDataDir(env: Record<string, string | undefined> = process.env, root = packageRoot): string {
  const checkout = resolve(root, '../..');
  if (!root.split(sep).includes('node_modules') && existsSync(join(checkout, 'pnpm-workspace.yaml'))) {
    return join(checkout, '.data');
  }
  if (process.platform === 'win32') return join(env['LOCALAPPDATA'] || join(homedir(), 'AppData', 'Local'), 'vibhava');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'vibhava');
  return join(env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), 'vibhava');
}
