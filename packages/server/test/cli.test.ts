import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { DEMO_AVATAR_ID, DEMO_TENANT_ID, seedDemo } from '../src/db/seed.js';
import {
  DEFAULT_EMBEDDING_MODEL,
  DEFAULT_LOCAL_MODEL,
  LOCAL_CHAT_MODELS,
  type LocalChatModelSpec,
} from '../src/providers/local/model-catalog.js';
import { defaultModelsDir, modelPath } from '../src/providers/local/model-files.js';

// The `vibhava` command as a user runs it (a child process on the TypeScript source), on a real
// libSQL file in a temp data folder. Files are named relative to the working directory, as typed.
const typed = (path: string) => relative(packageDir, path);
const packageDir = join(import.meta.dirname, '..');
const cli = join(packageDir, 'src/cli.ts');
const root = mkdtempSync(join(tmpdir(), 'vibhava-cli-'));
const dataDir = join(root, 'data');
const facts = join(root, 'facts.md');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function vibhava(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', cli, ...args],
      { cwd: packageDir, env: { ...process.env, VIBHAVA_DATA_DIR: dataDir, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('vibhava knowledge', () => {
  beforeAll(async () => {
    mkdirSync(dataDir, { recursive: true });
    const db = await openDatabase({ url: `file:${join(dataDir, 'vibhava.db')}` });
    await seedDemo(db, []);
    db.$client.close();
    writeFileSync(facts, '# Shop\n\n## Opening hours\n\n- Monday: closed.\n- Sunday: 9:00 to 13:00.\n\nNot a fact.\n');
  });

  it('adds the facts of a Markdown file to the database the server uses, once, and lists and clears them', async () => {
    const added = await vibhava(['knowledge', 'add', '--file', typed(facts)]);
    expect(added).toMatchObject({ code: 0, stdout: `Added 2 facts to ${DEMO_TENANT_ID} (every avatar).\n` });
    expect(added.stderr).toContain(`Data: ${dataDir}`);
    const again = await vibhava(['knowledge', 'add', '--file', facts, '--avatar', DEMO_AVATAR_ID]);
    expect(again.stdout).toBe(`Added 2 facts to ${DEMO_TENANT_ID}, avatar ${DEMO_AVATAR_ID}.\n`);
    expect((await vibhava(['knowledge', 'add', '--file', facts])).stdout).toMatch(/Added 0 facts .*2 were there/);

    const listed = await vibhava(['knowledge', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^mem_\S+ {2}every avatar {2}Opening hours: Monday: closed\.$/m);
    expect(listed.stdout).toMatch(/^mem_\S+ {2}avt_demo {2}Opening hours: Sunday: 9:00 to 13:00\.$/m);
    expect(listed.stdout).toContain(`4 entries for ${DEMO_TENANT_ID} (every avatar).`);

    expect((await vibhava(['knowledge', 'clear', '--avatar', DEMO_AVATAR_ID])).stdout).toContain('Erased 2 entries');
    expect((await vibhava(['knowledge', 'list'])).stdout).toContain('2 entries');
    expect((await vibhava(['knowledge', 'clear'])).stdout).toContain('Erased 2 entries');
  }, 120_000);

  it('says what is wrong: a missing file, an unknown tenant or avatar, no facts', async () => {
    expect(await vibhava(['knowledge', 'add', '--file', typed(join(root, 'missing.md'))])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`${join(root, 'missing.md')} does not exist`),
    });
    expect((await vibhava(['knowledge', 'list', '--tenant', 'tnt_nope'])).stderr).toContain(
      `Unknown tenant "tnt_nope" in this database (tenants: ${DEMO_TENANT_ID})`,
    );
    expect((await vibhava(['knowledge', 'clear', '--avatar', 'avt_nope'])).stderr).toContain(
      `Tenant ${DEMO_TENANT_ID} has no avatar "avt_nope"`,
    );
    writeFileSync(join(root, 'empty.md'), '# Nothing listed\n');
    expect((await vibhava(['knowledge', 'add', '--file', typed(join(root, 'empty.md'))])).stderr).toContain(
      'has no facts',
    );
    expect((await vibhava(['knowledge', 'add'])).stderr).toContain('knowledge add needs --file');
  }, 120_000);
});

describe('vibhava models', () => {
  const OTHER = LOCAL_CHAT_MODELS.find((model) => model !== DEFAULT_LOCAL_MODEL)!;
  const mb = (spec: LocalChatModelSpec) => Math.round(spec.bytes / 1e6);
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A models folder with the default chat model and the embedding model (links to the pulled files).
  const modelsDir = join(root, 'models');
  beforeAll(() => {
    mkdirSync(modelsDir, { recursive: true });
    const pulled = process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir();
    for (const spec of [DEFAULT_LOCAL_MODEL, DEFAULT_EMBEDDING_MODEL.model, DEFAULT_EMBEDDING_MODEL.tokenizer]) {
      symlinkSync(modelPath(spec, pulled), modelPath(spec, modelsDir));
    }
  });

  it('lists each chat model with its alias, size, whether it is default or selected, present or missing', async () => {
    const { code, stdout } = await vibhava(['models', 'list'], {
      VIBHAVA_MODELS_DIR: modelsDir,
      VIBHAVA_LOCAL_MODEL: OTHER.alias,
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(
      new RegExp(
        `^${DEFAULT_LOCAL_MODEL.alias} +${escape(DEFAULT_LOCAL_MODEL.id)} +${mb(DEFAULT_LOCAL_MODEL)} MB {2}present {2}\\(default\\)$`,
        'm',
      ),
    );
    expect(stdout).toMatch(
      new RegExp(`^${OTHER.alias} +${escape(OTHER.id)} +${mb(OTHER)} MB {2}missing {2}\\(selected\\)$`, 'm'),
    );
  });

  it('verifies what is there; another chat model is optional, the selected one and the embedding model are not', async () => {
    const ok = await vibhava(['models', 'verify'], { VIBHAVA_MODELS_DIR: modelsDir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`OK ${modelPath(DEFAULT_LOCAL_MODEL, modelsDir)}`);
    expect(ok.stdout).toContain(`not installed (optional) ${OTHER.id}`);

    const selected = await vibhava(['models', 'verify', '--model', OTHER.alias], { VIBHAVA_MODELS_DIR: modelsDir });
    expect(selected.code).toBe(1);
    expect(selected.stderr).toContain('MISSING');
    expect(selected.stderr).toContain(`vibhava models pull --model ${OTHER.alias}`);

    rmSync(modelPath(DEFAULT_EMBEDDING_MODEL.tokenizer, modelsDir));
    const embedding = await vibhava(['models', 'verify'], { VIBHAVA_MODELS_DIR: modelsDir });
    expect(embedding.code).toBe(1);
    expect(embedding.stderr).toContain(`MISSING ${modelPath(DEFAULT_EMBEDDING_MODEL.tokenizer, modelsDir)}`);
  }, 120_000);

  it('refuses a model it does not know, naming the ones it does', async () => {
    const { code, stderr } = await vibhava(['models', 'pull', '--model', 'huge'], { VIBHAVA_MODELS_DIR: modelsDir });
    expect(code).toBe(1);
    expect(stderr).toContain('Unknown model "huge": choose one of small (qwen2.5-coder-0.5b-instruct-q4), large');
  });
});
