#!/usr/bin/env node
// Every check the repository has, one at a time: type checks, lint, the scripts' own tests, then
// each workspace package's `test` script (packages/ first, then examples/). A failure does not
// stop the rest; each step's output streams as it runs, and a closing table lists every step
// with its exact counts, failures first, then `tests: N passed, N failed`. Exits 1 when anything
// failed, 130 on Ctrl-C (the running step is stopped first).
//   node scripts/run-tests.mjs            (pnpm test:all, scripts/dev.sh test)
//   node scripts/run-tests.mjs --tests-only  the packages' tests alone (pnpm test)
//   node scripts/run-tests.mjs server sdk    only the packages whose name or folder contains a word
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSummary, parseCounts, stepResult } from './test-report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let running = null;
let interrupted = false;

/** Workspace folders with a `test` script, in pnpm-workspace.yaml's order, each glob sorted. */
function workspacePackages() {
  const globs = [...readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8').matchAll(/^\s*-\s*['"]?([^'"\s]+)/gm)];
  return globs.flatMap(([, glob]) => {
    const parent = join(root, glob.replace(/\/\*$/, ''));
    const dirs = glob.endsWith('/*')
      ? readdirSync(parent)
          .sort()
          .map((name) => join(parent, name))
      : [parent];
    return dirs.flatMap((dir) => {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) return [];
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      return pkg.scripts?.test ? [{ name: pkg.name ?? relative(root, dir), dir }] : [];
    });
  });
}

/** Runs `pnpm run <script>` in `dir`, streaming and keeping its output. */
function runScript(script, dir) {
  return new Promise((resolve) => {
    const env = { ...process.env, ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) };
    // Its own process group, so Ctrl-C can stop the whole tree (pnpm, vitest, Chromium).
    const child = spawn('pnpm', ['run', script], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    let output = '';
    const keep = (stream) => (chunk) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', keep(process.stdout));
    child.stderr.on('data', keep(process.stderr));
    let settled = false;
    const settle = (exitCode, signal) => {
      if (settled) return;
      settled = true;
      running = null;
      resolve({ exitCode: exitCode ?? 1, signal, output });
    };
    child.on('error', (error) => {
      console.error(`Could not run pnpm: ${error.message}`);
      settle(1, null);
    });
    child.on('close', settle);
  });
}

async function step(name, kind, script, dir) {
  console.log(`\n\x1b[1m==> ${name}\x1b[0m`);
  const started = performance.now();
  const { exitCode, signal, output } = await runScript(script, dir);
  const seconds = (performance.now() - started) / 1000;
  return stepResult({ name, kind, exitCode, signal, counts: kind === 'tests' ? parseCounts(output) : null, seconds });
}

function stopOnInterrupt() {
  process.on('SIGINT', () => {
    if (interrupted) return;
    interrupted = true;
    console.error('\nInterrupted: stopping the running step.');
    if (!running) process.exit(130);
    const group = -running.pid;
    const signal = (name) => {
      try {
        process.kill(group, name);
      } catch {
        // Already gone.
      }
    };
    signal('SIGINT');
    setTimeout(() => signal('SIGKILL'), 5000).unref();
    running.once('close', () => process.exit(130));
  });
  process.on('SIGTERM', () => process.emit('SIGINT'));
}

async function main() {
  stopOnInterrupt();
  const args = process.argv.slice(2);
  const only = args.filter((arg) => !arg.startsWith('--'));
  const checks = only.length === 0 && !args.includes('--tests-only');
  const packages = workspacePackages().filter(
    (p) => only.length === 0 || only.some((word) => p.name.includes(word) || relative(root, p.dir).includes(word)),
  );
  const results = [];
  if (checks) {
    results.push(await step('typecheck', 'check', 'typecheck', root));
    results.push(await step('lint', 'check', 'lint', root));
  }
  if (only.length === 0) results.push(await step('scripts (test runner)', 'tests', 'test:scripts', root));
  for (const p of packages) {
    if (interrupted) break;
    results.push(await step(p.name, 'tests', 'test', p.dir));
  }
  console.log(`\n${formatSummary(results)}`);
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => {
    if (!interrupted) process.exit(code);
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
