/**
 * pnpm bench emotion [path/to/goemotions-dev.tsv]
 * The emotion classifier on half of the GoEmotions test split (never used for training or
 * tuning), in two variants side by side: the shipped n-gram model alone, and the n-gram model
 * blended with the embedding head over the local sentence-embedding model (when that model is
 * installed: `pnpm models pull`). Macro-F1 over the 28 labels and over the Ekman 7 groups,
 * evaluated as in the GoEmotions paper (a binary F1 per label, averaged), beside the paper's
 * BERT baseline, our targets and two trivial classifiers scored in the same run; then latency
 * per message, the embedding included. The last line is one line of JSON.
 * GoEmotions: Demszky et al., ACL 2020 (arXiv:2005.00547), data CC BY 4.0.
 */
import { statSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLocalEmbeddingModel } from '../src/embeddings/local-embedding-model.js';
import { defaultEmotionHeadPath, EmbeddingEmotionClassifier } from '../src/emotion/embedding-emotion-classifier.js';
import { defaultEmotionWeightsPath, EmotionClassifier } from '../src/emotion/emotion-classifier.js';
import type { EmotionResult } from '../src/emotion/emotion-decision.js';
import { EKMAN_EMOTIONS, EMOTION_LABELS, ekmanIndices } from '../src/emotion/emotion-labels.js';
import { macroF1 } from '../src/emotion/emotion-metrics.js';
import { parseGoEmotionsTsv } from '../src/emotion/goemotions-tsv.js';
import { defaultModelsDir } from '../src/providers/local/model-files.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const path = resolve(process.argv[2] ?? resolve(repoRoot, '../shared/bench-data/emotion/goemotions-dev.tsv'));
const rows = parseGoEmotionsTsv(readFileSync(path, 'utf8'));
const goldLabels = rows.map((row) => row.labels);
const goldEkman = rows.map((row) => ekmanIndices(row.labels));
const NEUTRAL = EMOTION_LABELS.indexOf('neutral');
const EKMAN_NEUTRAL = EKMAN_EMOTIONS.indexOf('neutral');
/** A typical chat message: 10–30 words. */
const typical = (text: string) => {
  const words = text.trim().split(/\s+/u).length;
  return words >= 10 && words <= 30;
};

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}
const round = (value: number, digits = 4) => Number(value.toFixed(digits));
const latency = (values: number[]) => ({
  p50: round(percentile(values, 0.5)),
  p95: round(percentile(values, 0.95)),
  max: round(Math.max(...values), 3),
});

/** The figures of one variant's answers for every row. */
function score(results: readonly EmotionResult[]) {
  const labelIds = results.map((result) => result.labels.map((label) => EMOTION_LABELS.indexOf(label)));
  const ekmanIds = results.map((result) => result.ekmanGroups.map((group) => EKMAN_EMOTIONS.indexOf(group)));
  return {
    macroF1Labels: round(macroF1(labelIds, goldLabels, EMOTION_LABELS.length).macro),
    macroF1Ekman: round(macroF1(ekmanIds, goldEkman, EKMAN_EMOTIONS.length).macro),
    macroF1EkmanFromLabels: round(
      macroF1(
        labelIds.map((ids) => ekmanIndices(ids)),
        goldEkman,
        EKMAN_EMOTIONS.length,
      ).macro,
    ),
    top1LabelAccuracy: round(
      results.filter((result, row) => goldLabels[row]!.includes(EMOTION_LABELS.indexOf(result.label))).length /
        rows.length,
    ),
    top1EkmanAccuracy: round(
      results.filter((result, row) => goldEkman[row]!.includes(EKMAN_EMOTIONS.indexOf(result.ekman))).length /
        rows.length,
    ),
  };
}

// Variant 1: n-gram only. Warm up (JIT) on the first rows, then time every row once.
const weightsPath = defaultEmotionWeightsPath();
const loadStarted = performance.now();
const classifier = await EmotionClassifier.load(weightsPath);
const loadMs = performance.now() - loadStarted;
for (const row of rows.slice(0, 200)) classifier.classify(row.text);
const latencies: number[] = [];
const results = rows.map((row) => {
  const started = performance.now();
  const result = classifier.classify(row.text);
  latencies.push(performance.now() - started);
  return result;
});
const ngram = { ...score(results), classifyMs: latency(latencies) };

// Variant 2: with the sentence embedding, when the embedding model is installed.
const modelsDir = process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir();
let withEmbeddings:
  | (ReturnType<typeof score> & {
      embeddingModel: string;
      headBytes: number;
      loadMs: number;
      classifyMs: ReturnType<typeof latency>;
      typicalMessageMs: { embed: ReturnType<typeof latency>; classify: ReturnType<typeof latency>; words: string };
      servedClassifyMs: ReturnType<typeof latency>;
    })
  | null = null;
let unavailable: string | undefined;
try {
  const started = performance.now();
  const embeddings = await loadLocalEmbeddingModel({ modelsDir });
  const enhanced = await EmbeddingEmotionClassifier.load(embeddings, { ngram: classifier });
  const enhancedLoadMs = performance.now() - started;
  for (const row of rows.slice(0, 100)) await enhanced.classify(row.text);
  const total: number[] = [];
  const typicalEmbed: number[] = [];
  const typicalTotal: number[] = [];
  const headOnly: number[] = [];
  const enhancedResults: EmotionResult[] = [];
  for (const row of rows) {
    const start = performance.now();
    const [embedding] = await embeddings.embed([row.text]);
    const embedded = performance.now();
    enhancedResults.push(enhanced.classifyEmbedded(row.text, embedding!));
    const done = performance.now();
    headOnly.push(done - embedded);
    total.push(done - start);
    if (typical(row.text)) {
      typicalEmbed.push(embedded - start);
      typicalTotal.push(done - start);
    }
  }
  await embeddings.close();
  withEmbeddings = {
    ...score(enhancedResults),
    embeddingModel: embeddings.id,
    headBytes: statSync(defaultEmotionHeadPath()).size,
    loadMs: round(enhancedLoadMs, 1),
    classifyMs: latency(total),
    typicalMessageMs: { embed: latency(typicalEmbed), classify: latency(typicalTotal), words: '10-30' },
    // As served: memory search embeds every visitor message anyway and hands the vector over.
    servedClassifyMs: latency(headOnly),
  };
} catch (error) {
  unavailable = error instanceof Error ? error.message : String(error);
}

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

const result = {
  bench: 'emotion',
  data: path,
  rows: rows.length,
  weightsBytes: statSync(weightsPath).size,
  loadMs: round(loadMs, 1),
  ...ngram,
  withEmbeddings,
  ...(unavailable ? { withEmbeddingsUnavailable: unavailable } : {}),
  baselines: {
    bertPaper: { macroF1Labels: 0.46, macroF1Ekman: 0.64 },
    alwaysNeutral: { macroF1Labels: round(neutral), macroF1Ekman: round(neutralEkman) },
    allLabels: { macroF1Labels: round(everything), macroF1Ekman: round(everythingEkman) },
  },
  targets: { macroF1Labels: 0.4, macroF1Ekman: 0.6, classifyMsP95: 5 },
};

const f = (value: number) => value.toFixed(3);
const table: [string, string, string][] = [
  ['', '28 labels', 'Ekman 7'],
  ['n-gram only (shipped weights)', f(ngram.macroF1Labels), f(ngram.macroF1Ekman)],
  ['n-gram, Ekman mapped from the 28 labels', '', f(ngram.macroF1EkmanFromLabels)],
  ...(withEmbeddings
    ? ([
        ['n-gram + embedding head', f(withEmbeddings.macroF1Labels), f(withEmbeddings.macroF1Ekman)],
        ['n-gram + embedding, Ekman from 28 labels', '', f(withEmbeddings.macroF1EkmanFromLabels)],
      ] as [string, string, string][])
    : []),
  ['BERT-base (GoEmotions paper)', '0.460', '0.640'],
  ['target', '≥ 0.400', '≥ 0.600'],
  ['baseline: always neutral (same run)', f(neutral), f(neutralEkman)],
  ['baseline: every label (same run)', f(everything), f(everythingEkman)],
];
console.log(`emotion benchmark: ${rows.length} rows of ${path}\n`);
console.log('macro-F1 (per-label binary F1, thresholds tuned on the official dev split)');
for (const [name, labels, ekman] of table)
  console.log(`${name.padEnd(42)} ${labels.padStart(10)} ${ekman.padStart(10)}`);
const ms = (figures: ReturnType<typeof latency>) =>
  `p50 ${figures.p50} ms, p95 ${figures.p95} ms, max ${figures.max} ms`;
console.log(
  `\nn-gram only: top-1 label in gold set ${f(ngram.top1LabelAccuracy)}, top-1 Ekman ${f(ngram.top1EkmanAccuracy)}; classify() ${ms(ngram.classifyMs)}`,
);
if (withEmbeddings) {
  console.log(
    `with embeddings (${withEmbeddings.embeddingModel}): top-1 label ${f(withEmbeddings.top1LabelAccuracy)}, top-1 Ekman ${f(withEmbeddings.top1EkmanAccuracy)}`,
  );
  console.log(`  embed + classify, every row: ${ms(withEmbeddings.classifyMs)}`);
  console.log(`  a typical message (10–30 words): embed ${ms(withEmbeddings.typicalMessageMs.embed)}`);
  console.log(`                                   embed + classify ${ms(withEmbeddings.typicalMessageMs.classify)}`);
  console.log(
    `  as served (the server's default): memory search embeds each message anyway and passes the vector on;\n  the classifier adds ${ms(withEmbeddings.servedClassifyMs)}`,
  );
} else {
  console.log(`with embeddings: not measured (${unavailable})`);
}
console.log('target: p95 ≤ 5 ms per message');
console.log(`n-gram weights ${(result.weightsBytes / 1e6).toFixed(2)} MB, loaded in ${result.loadMs} ms\n`);
console.log(JSON.stringify(result));
