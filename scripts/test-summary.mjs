#!/usr/bin/env node
// Adds up the test counts that vitest and web-test-runner printed into one closing line:
// "tests: N passed, N failed". Usage: node scripts/test-summary.mjs <log file>
import { readFileSync } from 'node:fs';

// eslint-disable-next-line no-control-regex -- strips ANSI colour codes
const log = readFileSync(process.argv[2], 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;
for (const line of log.split('\n')) {
  const vitest = /^\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line);
  if (vitest) {
    passed += Number(/(\d+) passed/.exec(vitest[1])?.[1] ?? 0);
    failed += Number(/(\d+) failed/.exec(vitest[1])?.[1] ?? 0);
    continue;
  }
  // web-test-runner's final progress line: "Chrome: |████| 2/2 test files | 17 passed, 0 failed"
  const wtr = /(\d+)\/(\d+) test files \| (\d+) passed, (\d+) failed/.exec(line);
  if (wtr && wtr[1] === wtr[2]) {
    passed += Number(wtr[3]);
    failed += Number(wtr[4]);
  }
}
console.log(`tests: ${passed} passed, ${failed} failed`);
