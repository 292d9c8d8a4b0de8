// Reads the test counts out of what vitest and web-test-runner print, and writes the closing
// table of scripts/run-tests.mjs. Pure functions: scripts/test/test-report.test.mjs feeds them
// output captured from real runs.

// eslint-disable-next-line no-control-regex -- ANSI colour and cursor codes
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The text without colour codes, carriage-return redraws resolved to the last one per line. */
export function plainText(output) {
  return output
    .replace(ANSI, '')
    .split('\n')
    .map((line) => line.split('\r').findLast((part) => part.trim() !== '') ?? '')
    .join('\n');
}

/**
 * The counts of one package's run: `{ runner, passed, failed, skipped }`, or null when neither
 * runner printed a summary (it crashed, or the script runs something else). Each test counts
 * once: vitest's last "Tests" summary line wins, and of web-test-runner's repeated progress lines
 * only the last one with every test file done.
 */
export function parseCounts(output) {
  let counts = null;
  for (const line of plainText(output).split('\n')) {
    // vitest: "      Tests  1 failed | 2 passed | 1 skipped (4)"
    const vitest = /^\s*Tests\s+(.*\d+ (?:passed|failed|skipped|todo).*)\(\d+\)\s*$/.exec(line);
    if (vitest) {
      const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(vitest[1])?.[1] ?? 0);
      counts = { runner: 'vitest', passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
      continue;
    }
    // web-test-runner: "Chrome: |██████████| 2/2 test files | 17 passed, 0 failed" (", 1 skipped")
    const wtr = /(\d+)\/(\d+) test files \| (\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(line);
    if (wtr && wtr[1] === wtr[2]) {
      counts = { runner: 'wtr', passed: Number(wtr[3]), failed: Number(wtr[4]), skipped: Number(wtr[5] ?? 0) };
    }
  }
  return counts;
}

/**
 * A step's outcome from its exit code and counts: failed when it exited non-zero (a crash with no
 * counts included), when a test failed, or when it was interrupted.
 */
export function stepResult({ name, kind, exitCode, signal = null, counts = null, seconds = 0 }) {
  const ok = exitCode === 0 && signal === null && (counts === null || counts.failed === 0);
  let note = '';
  if (!ok && counts === null && kind === 'tests') note = `no test counts (exit ${signal ?? exitCode})`;
  else if (!ok && counts?.failed === 0) note = `exit ${signal ?? exitCode}`;
  else if (ok && counts === null && kind === 'tests') note = 'no test counts';
  return { name, kind, ok, counts, seconds, note };
}

/** The closing table, failures first, and the line `tests: N passed, N failed`. */
export function formatSummary(results) {
  const ordered = [...results.filter((r) => !r.ok), ...results.filter((r) => r.ok)];
  const rows = ordered.map((r) => [
    r.ok ? 'ok' : 'FAILED',
    r.name,
    r.counts ? String(r.counts.passed) : '-',
    r.counts ? String(r.counts.failed) : '-',
    r.counts ? String(r.counts.skipped) : '-',
    `${r.seconds.toFixed(0)}s`,
    r.note,
  ]);
  const header = ['status', 'step', 'passed', 'failed', 'skipped', 'time', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    cells
      .map((cell, i) => (i >= 2 && i <= 5 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const passed = results.reduce((sum, r) => sum + (r.counts?.passed ?? 0), 0);
  const failed = results.reduce((sum, r) => sum + (r.counts?.failed ?? 0), 0);
  return [line(header), ...rows.map(line), '', `tests: ${passed} passed, ${failed} failed`].join('\n');
}
