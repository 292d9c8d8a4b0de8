#!/usr/bin/env node
// pnpm bench <name> [args…]: runs packages/*/bench/<name>.ts with tsx. Each benchmark prints a
// table and, as its last line, one line of JSON with its figures.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [name = 'local-model', ...args] = process.argv.slice(2);
const found = readdirSync('packages')
  .map((pkg) => join('packages', pkg, 'bench', `${name}.ts`))
  .find((file) => existsSync(file));
if (!found) {
  const all = readdirSync('packages').flatMap((pkg) =>
    existsSync(join('packages', pkg, 'bench'))
      ? readdirSync(join('packages', pkg, 'bench')).map((f) => f.replace(/\.ts$/, ''))
      : [],
  );
  console.error(`No benchmark named "${name}". Available: ${all.join(', ')}`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', found, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
