// Prints the gzipped size of the script-tag build against its budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const file = 'dist/vibhava-avatar.min.js';
const targetGzipBytes = 35 * 1024;
const source = readFileSync(new URL(`../${file}`, import.meta.url));
const gzipBytes = gzipSync(source, { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const verdict = gzipBytes <= targetGzipBytes ? 'within' : 'OVER';
console.log(
  `${file}: ${kb(source.length)} minified, ${kb(gzipBytes)} gzipped (${verdict} the ${kb(targetGzipBytes)} budget)`,
);
console.log(JSON.stringify({ file, bytes: source.length, gzipBytes, targetGzipBytes }));
