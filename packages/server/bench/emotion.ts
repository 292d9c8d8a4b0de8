/**
 * pnpm bench emotion [path/to/goemotions-dev.tsv]
 * The shipped emotion classifier on half of the GoEmotions test split (never used for training or
 * tuning): macro-F1 over the 28 labels and over the Ekman 7 groups, evaluated as in the GoEmotions
 * paper (a binary F1 per label, averaged), beside the paper's BERT baseline, our targets and two
 * trivial classifiers scored in the same run; then classify() latency per message.
 * GoEmotions: Demszky et al., ACL 2020 (arXiv:2005.00547), data CC BY 4.0.
 */
import { statSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultEmotionWeightsPath, EmotionClassifier } from '../src/emotion/emotion-classifier.js';
import { EKMAN_EMOTIONS, EMOTION_LABELS, ekmanIndices } from '../src/emotion/emotion-labels.js';
import { macroF1 } from '../src/emotion/emotion-metrics.js';
import { parseGoEmotionsTsv } from '../src/emotion/goemotions-tsv.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const path = resolve(process.argv[2] ?? resolve(repoRoot, '../shared/bench-data/emotion/goemotions-dev.tsv'));
const rows = parseGoEmotionsTsv(readFileSync(path, 'utf8'));
const goldLabels = rows.map((row) => row.labels);
const goldEkman = rows.map((row) => ekmanIndices(row.labels));
const NEUTRAL = EMOTION_LABELS.indexOf('neutral');
const EKMAN_NEUTRAL = EKMAN_EMOTIONS.indexOf('neutral');

const weightsPath = defaultEmotionWeightsPath();
const loadStarted = performance.now();
const classifier = await EmotionClassifier.load(weightsPath);
const loadMs = performance.now() - loadStarted;

// Warm up (JIT) on the first rows, then time every row once.
for (const row of rows.slice(0, 200)) classifier.classify(row.text);
const latencies: number[] = [];
const results = rows.map((row) => {
  const started = performance.now();
  const result = classifier.classify(row.text);
  latencies.push(performance.now() - started);
  return result;
});
const labelIds = results.map((result) => result.labels.map((label) => EMOTION_LABELS.indexOf(label)));
const ours = macroF1(labelIds, goldLabels, EMOTION_LABELS.length).macro;
const oursEkman = macroF1(
  results.map((result) => result.ekmanGroups.map((group) => EKMAN_EMOTIONS.indexOf(group))),
  goldEkman,
  EKMAN_EMOTIONS.length,
).macro;
const ekmanFromLabels = macroF1(
  labelIds.map((ids) => ekmanIndices(ids)),
  goldEkman,
  EKMAN_EMOTIONS.length,
).macro;
const top1 = results.filter((result, row) => goldLabels[row]!.includes(EMOTION_LABELS.indexOf(result.label))).length;
const top1Ekman = results.filter((result, row) =>
  goldEkman[row]!.includes(EKMAN_EMOTIONS.indexOf(result.ekman)),
).length;

// Trivial classifiers on the same rows: always "neutral", and every label at once.
const neutral = macroF1(
  rows.map(() => [NEUTRAL]),
  goldLabels,
  EMOTION_LABELS.length,
).macro;
const neutralEkman = macroF1(
  rows.map(() => [EKMAN_NEUTRAL]),
  goldEkman,
  EKMAN_EMOTIONS.length,
).macro;
const allLabels = EMOTION_LABELS.map((_, id) => id);
const everything = macroF1(
  rows.map(() => allLabels),
  goldLabels,
  EMOTION_LABELS.length,
).macro;
const everythingEkman = macroF1(
  rows.map(() => EKMAN_EMOTIONS.map((_, group) => group)),
  goldEkman,
  EKMAN_EMOTIONS.length,
).macro;

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}
const round = (value: number, digits = 4) => Number(value.toFixed(digits));

const result = {
  bench: 'emotion',
  data: path,
  rows: rows.length,
  weightsBytes: statSync(weightsPath).size,
  loadMs: round(loadMs, 1),
  macroF1Labels: round(ours),
  macroF1Ekman: round(oursEkman),
  macroF1EkmanFromLabels: round(ekmanFromLabels),
  top1LabelAccuracy: round(top1 / rows.length),
  top1EkmanAccuracy: round(top1Ekman / rows.length),
  baselines: {
    bertPaper: { macroF1Labels: 0.46, macroF1Ekman: 0.64 },
    alwaysNeutral: { macroF1Labels: round(neutral), macroF1Ekman: round(neutralEkman) },
    allLabels: { macroF1Labels: round(everything), macroF1Ekman: round(everythingEkman) },
  },
  classifyMs: {
    p50: round(percentile(latencies, 0.5), 4),
    p95: round(percentile(latencies, 0.95), 4),
    max: round(Math.max(...latencies), 3),
  },
  targets: { macroF1Labels: 0.4, macroF1Ekman: 0.6, classifyMsP95: 5 },
};

const f = (value: number) => value.toFixed(3);
const table: [string, string, string][] = [
  ['', '28 labels', 'Ekman 7'],
  ['ours (shipped weights)', f(ours), f(oursEkman)],
  ['ours, Ekman mapped from the 28 labels', '', f(ekmanFromLabels)],
  ['BERT-base (GoEmotions paper)', '0.460', '0.640'],
  ['target', '≥ 0.400', '≥ 0.600'],
  ['baseline: always neutral (same run)', f(neutral), f(neutralEkman)],
  ['baseline: every label (same run)', f(everything), f(everythingEkman)],
];
console.log(`emotion benchmark: ${rows.length} rows of ${path}\n`);
console.log('macro-F1 (per-label binary F1, thresholds tuned on the official dev split)');
for (const [name, labels, ekman] of table)
  console.log(`${name.padEnd(40)} ${labels.padStart(10)} ${ekman.padStart(10)}`);
console.log(
  `\ntop-1 label in gold set ${f(result.top1LabelAccuracy)}, top-1 Ekman in gold set ${f(result.top1EkmanAccuracy)}`,
);
console.log(
  `classify() per message: p50 ${result.classifyMs.p50} ms, p95 ${result.classifyMs.p95} ms, max ${result.classifyMs.max} ms (target p95 ≤ 5 ms)`,
);
console.log(`weights ${(result.weightsBytes / 1e6).toFixed(2)} MB, loaded in ${result.loadMs} ms\n`);
console.log(JSON.stringify(result));
