import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatSummary, parseCounts, plainText, stepResult } from '../test-report.mjs';

// Output captured from real runs (colours and cursor codes included): `pnpm run test` in
// packages/protocol, vitest and web-test-runner on files with a failing, a skipped and (vitest)
// an unloadable test file, and the widget's web-test-runner run.
const fixture = (name) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

describe('parseCounts', () => {
  it("reads vitest's summary line", () => {
    expect(parseCounts(fixture('vitest-passed.txt'))).toEqual({ runner: 'vitest', passed: 3, failed: 0, skipped: 0 });
    expect(parseCounts(fixture('vitest-failed.txt'))).toEqual({ runner: 'vitest', passed: 2, failed: 1, skipped: 1 });
  });

  it("reads web-test-runner's last progress line with every file done, once", () => {
    const output = fixture('wtr-failed.txt');
    // Its progress line is redrawn as files finish; only the finished one counts.
    expect(plainText(output).match(/\d+\/2 test files/g)).toEqual(['0/2 test files', '2/2 test files']);
    expect(parseCounts(output)).toEqual({ runner: 'wtr', passed: 3, failed: 1, skipped: 1 });
  });

  it("counts web-test-runner's closing summary once though it prints it twice", () => {
    // The widget's run (with a test that fails on this branch's base: the demo greeting changed).
    const output = plainText(fixture('wtr-widget.txt'));
    expect(output.match(/6\/6 test files \| 29 passed, 1 failed/g)).toHaveLength(2);
    expect(parseCounts(output)).toEqual({ runner: 'wtr', passed: 29, failed: 1, skipped: 0 });
  });

  it('counts a package once however often its runner printed a summary', () => {
    const twice = fixture('vitest-failed.txt') + fixture('vitest-failed.txt');
    expect(parseCounts(twice)).toEqual(parseCounts(fixture('vitest-failed.txt')));
  });

  it('finds no counts in a runner that crashed before its summary', () => {
    const crashed = fixture('vitest-failed.txt').split(' Test Files ')[0];
    expect(parseCounts(crashed)).toBeNull();
  });
});

describe('the closing summary', () => {
  const results = [
    stepResult({ name: 'typecheck', kind: 'check', exitCode: 0, seconds: 12 }),
    stepResult({
      name: '@vibhava/protocol',
      kind: 'tests',
      exitCode: 0,
      counts: parseCounts(fixture('vitest-passed.txt')),
    }),
    stepResult({ name: '@vibhava/server', kind: 'tests', exitCode: 1, counts: null, seconds: 3 }),
    stepResult({ name: '@vibhava/widget', kind: 'tests', exitCode: 1, counts: parseCounts(fixture('wtr-failed.txt')) }),
    stepResult({ name: 'lint', kind: 'check', exitCode: 2 }),
  ];

  it('fails a step that exited non-zero, a crash with no counts included, or had a failed test', () => {
    expect(results.map((r) => r.ok)).toEqual([true, true, false, false, false]);
    expect(results[2].note).toBe('no test counts (exit 1)');
    expect(stepResult({ name: 'x', kind: 'tests', exitCode: 0, signal: 'SIGINT' }).ok).toBe(false);
  });

  it('lists every step, failures first, then the totals', () => {
    const lines = formatSummary(results).split('\n');
    expect(lines.slice(1, 6).map((line) => line.split(/\s+/).slice(0, 2))).toEqual([
      ['FAILED', '@vibhava/server'],
      ['FAILED', '@vibhava/widget'],
      ['FAILED', 'lint'],
      ['ok', 'typecheck'],
      ['ok', '@vibhava/protocol'],
    ]);
    expect(lines[2]).toMatch(/@vibhava\/widget\s+3\s+1\s+1\s/);
    expect(lines.at(-1)).toBe('tests: 6 passed, 1 failed');
  });
});
