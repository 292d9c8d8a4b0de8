/**
 * Trains the shipped emotion classifier and writes its weights file.
 *
 *   pnpm --filter @vibhava/server exec tsx scripts/train-emotion.ts [dataDir] [--out FILE]
 *       [--with-embeddings | --head-only] [--head-out FILE] [--models-dir DIR] [--cache DIR]
 *
 * dataDir holds the GoEmotions files (default: ../../../shared/bench-data/emotion from this
 * package): it trains on goemotions-train.tsv and fits calibration and thresholds on
 * goemotions-dev-official.tsv. The test split is never read. Same data → the same bytes.
 *
 * --with-embeddings also trains the embedding head (goemotions-embedding-head.bin) over the
 * local embedding model (`vibhava models pull` puts it in --models-dir); --head-only trains just
 * the head, over the shipped n-gram weights. Embedding the 49k texts takes a few minutes on one
 * core; the vectors are cached under --cache (default: the OS temp folder), keyed by the model and
 * the data's SHA-256. int8 arithmetic can round differently on another CPU, so the head is
 * reproducible bit for bit on the same kind of machine.
 * GoEmotions: Demszky et al., ACL 2020 (arXiv:2005.00547), data CC BY 4.0.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EKMAN_EMOTIONS, EMOTION_LABELS } from '../src/emotion/emotion-labels.js';
import type { EmbeddingModel } from '../src/embeddings/embedding-model.js';
import { loadLocalEmbeddingModel } from '../src/embeddings/local-embedding-model.js';
import { EMOTION_HEAD_FILE } from '../src/emotion/embedding-emotion-classifier.js';
import { EmotionClassifier, EMOTION_WEIGHTS_FILE } from '../src/emotion/emotion-classifier.js';
import { encodeEmbeddingHead } from '../src/emotion/emotion-embedding-head-file.js';
import { DEFAULT_HEAD_TRAIN_OPTIONS, trainEmbeddingHead } from '../src/emotion/emotion-embedding-head-trainer.js';
import { encodeEmotionModel } from '../src/emotion/emotion-model-file.js';
import { DEFAULT_TRAIN_OPTIONS, trainEmotionModel, type TuneReport } from '../src/emotion/emotion-trainer.js';
import { parseGoEmotionsTsv, type LabelledText } from '../src/emotion/goemotions-tsv.js';
import { defaultModelsDir } from '../src/providers/local/model-files.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    'with-embeddings': { type: 'boolean' },
    'head-only': { type: 'boolean' },
    'head-out': { type: 'string' },
    'models-dir': { type: 'string' },
    cache: { type: 'string' },
  },
});
const dataDir = resolve(positionals[0] ?? join(packageDir, '../../../shared/bench-data/emotion'));
const out = resolve(values.out ?? join(packageDir, 'src/emotion', EMOTION_WEIGHTS_FILE));
const headOut = resolve(values['head-out'] ?? join(packageDir, 'src/emotion', EMOTION_HEAD_FILE));

function read(name: string) {
  const content = readFileSync(join(dataDir, name), 'utf8');
  return { rows: parseGoEmotionsTsv(content), sha256: createHash('sha256').update(content).digest('hex') };
}

function round(value: number) {
  return Number(value.toFixed(4));
}

function summary(report: TuneReport) {
  return {
    labelMacroF1: round(report.labelMacroF1),
    ekmanMacroF1: round(report.ekmanMacroF1),
    crossFitted: {
      labelMacroF1: round(report.crossFitted.labelMacroF1),
      ekmanMacroF1: round(report.crossFitted.ekmanMacroF1),
    },
  };
}

function printReport(title: string, report: TuneReport) {
  console.log(`\n${title} — official dev split (thresholds chosen on it, so optimistic):`);
  for (const label of EMOTION_LABELS) console.log(`  ${label.padEnd(15)} F1 ${report.labelF1[label]!.toFixed(3)}`);
  for (const group of EKMAN_EMOTIONS) console.log(`  ekman ${group.padEnd(9)} F1 ${report.ekmanF1[group]!.toFixed(3)}`);
  console.log(`macro-F1 28 labels ${report.labelMacroF1.toFixed(4)}, Ekman 7 ${report.ekmanMacroF1.toFixed(4)}`);
  console.log(
    `cross-fitted (thresholds on one half, scored on the other): 28 labels ${report.crossFitted.labelMacroF1.toFixed(4)}, Ekman 7 ${report.crossFitted.ekmanMacroF1.toFixed(4)}`,
  );
}

/** The embeddings of `rows`, from the cache file when it is there, else computed (with progress) and cached. */
async function embedAll(model: EmbeddingModel, rows: readonly LabelledText[], dataSha256: string) {
  const cacheDir = resolve(values.cache ?? join(tmpdir(), 'vibhava-emotion-embeddings'));
  const cacheFile = join(cacheDir, `${model.id}-${dataSha256.slice(0, 16)}.f32`);
  const size = rows.length * model.dimensions;
  if (existsSync(cacheFile)) {
    const bytes = readFileSync(cacheFile);
    if (bytes.length === size * 4) {
      console.log(`  embeddings from ${cacheFile}`);
      const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
      return rows.map((_, row) => all.subarray(row * model.dimensions, (row + 1) * model.dimensions));
    }
  }
  const all = new Float32Array(size);
  const chunk = 512;
  for (let start = 0; start < rows.length; start += chunk) {
    const vectors = await model.embed(rows.slice(start, start + chunk).map((row) => row.text));
    vectors.forEach((vector, offset) => all.set(vector, (start + offset) * model.dimensions));
    const done = Math.min(rows.length, start + chunk);
    if (done === rows.length || (start / chunk) % 10 === 0)
      console.log(`  embedded ${done}/${rows.length}  [${seconds()}]`);
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(cacheFile, all);
  return rows.map((_, row) => all.subarray(row * model.dimensions, (row + 1) * model.dimensions));
}

const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const train = read('goemotions-train.tsv');
const tune = read('goemotions-dev-official.tsv');
console.log(`train ${train.rows.length} rows, tune (official dev) ${tune.rows.length} rows, from ${dataDir}`);

let ngram: EmotionClassifier;
if (values['head-only']) {
  ngram = await EmotionClassifier.load(out);
  console.log(`n-gram weights from ${out}`);
} else {
  const { model, report } = trainEmotionModel(train.rows, tune.rows, {
    log: (line) => console.log(`  ${line}  [${seconds()}]`),
  });
  const options = { ...DEFAULT_TRAIN_OPTIONS };
  delete (options as { log?: unknown }).log;
  const bytes = encodeEmotionModel(model, {
    data: 'GoEmotions (Demszky et al., ACL 2020; CC BY 4.0): trained on train.tsv, calibrated on dev.tsv',
    trainSha256: train.sha256,
    tuneSha256: tune.sha256,
    options,
    tune: summary(report),
  });
  writeFileSync(out, bytes);
  printReport('n-gram model', report);
  console.log(
    `wrote ${out}: ${bytes.length} bytes, ${model.vocabulary.length} features, sha256 ${createHash('sha256').update(bytes).digest('hex')} [${seconds()}]`,
  );
  ngram = new EmotionClassifier(model);
}

if (values['with-embeddings'] || values['head-only']) {
  const modelsDir = resolve(values['models-dir'] ?? process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir());
  const embeddings = await loadLocalEmbeddingModel({ modelsDir });
  console.log(`\nembedding model ${embeddings.id} from ${modelsDir}`);
  const trainVectors = await embedAll(embeddings, train.rows, train.sha256);
  const tuneVectors = await embedAll(embeddings, tune.rows, tune.sha256);
  await embeddings.close();
  const { head, report } = trainEmbeddingHead(
    embeddings.id,
    train.rows.map((row, index) => ({ embedding: trainVectors[index]!, labels: row.labels })),
    tune.rows.map((row, index) => {
      const { labels, ekman } = ngram.probabilities(row.text);
      return { embedding: tuneVectors[index]!, labels: row.labels, ngram: [...labels, ...ekman] };
    }),
    { log: (line) => console.log(`  ${line}  [${seconds()}]`) },
  );
  const options = { ...DEFAULT_HEAD_TRAIN_OPTIONS };
  delete (options as { log?: unknown }).log;
  const bytes = encodeEmbeddingHead(head, {
    data: 'GoEmotions (Demszky et al., ACL 2020; CC BY 4.0): trained on train.tsv, blend and calibration on dev.tsv',
    trainSha256: train.sha256,
    tuneSha256: tune.sha256,
    options,
    tune: summary(report),
  });
  writeFileSync(headOut, bytes);
  printReport(`embedding head (n-gram blend weight ${report.ngramWeight})`, report);
  console.log(
    `wrote ${headOut}: ${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')} [${seconds()}]`,
  );
}
