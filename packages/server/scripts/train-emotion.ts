/**
 * Trains the shipped emotion classifier and writes its weights file.
 *
 *   pnpm --filter @vibhava/server exec tsx scripts/train-emotion.ts [dataDir] [--out FILE]
 *
 * dataDir holds the GoEmotions files (default: ../../../shared/bench-data/emotion from this
 * package): it trains on goemotions-train.tsv and fits calibration and thresholds on
 * goemotions-dev-official.tsv. The test split is never read. Same data → the same bytes.
 * GoEmotions: Demszky et al., ACL 2020 (arXiv:2005.00547), data CC BY 4.0.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EKMAN_EMOTIONS, EMOTION_LABELS } from '../src/emotion/emotion-labels.js';
import { EMOTION_WEIGHTS_FILE } from '../src/emotion/emotion-classifier.js';
import { encodeEmotionModel } from '../src/emotion/emotion-model-file.js';
import { DEFAULT_TRAIN_OPTIONS, trainEmotionModel } from '../src/emotion/emotion-trainer.js';
import { parseGoEmotionsTsv } from '../src/emotion/goemotions-tsv.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
const dataDir = resolve(positionals[0] ?? join(packageDir, '../../../shared/bench-data/emotion'));
const out = resolve(values.out ?? join(packageDir, 'src/emotion', EMOTION_WEIGHTS_FILE));

function read(name: string) {
  const content = readFileSync(join(dataDir, name), 'utf8');
  return { rows: parseGoEmotionsTsv(content), sha256: createHash('sha256').update(content).digest('hex') };
}

const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const train = read('goemotions-train.tsv');
const tune = read('goemotions-dev-official.tsv');
console.log(`train ${train.rows.length} rows, tune (official dev) ${tune.rows.length} rows, from ${dataDir}`);

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
  tune: {
    labelMacroF1: round(report.labelMacroF1),
    ekmanMacroF1: round(report.ekmanMacroF1),
    crossFitted: {
      labelMacroF1: round(report.crossFitted.labelMacroF1),
      ekmanMacroF1: round(report.crossFitted.ekmanMacroF1),
    },
  },
});
writeFileSync(out, bytes);

function round(value: number) {
  return Number(value.toFixed(4));
}

console.log('\nofficial dev split (thresholds chosen on it, so optimistic):');
for (const label of EMOTION_LABELS) console.log(`  ${label.padEnd(15)} F1 ${report.labelF1[label]!.toFixed(3)}`);
for (const group of EKMAN_EMOTIONS) console.log(`  ekman ${group.padEnd(9)} F1 ${report.ekmanF1[group]!.toFixed(3)}`);
console.log(`macro-F1 28 labels ${report.labelMacroF1.toFixed(4)}, Ekman 7 ${report.ekmanMacroF1.toFixed(4)}`);
console.log(
  `cross-fitted (thresholds on one half, scored on the other): 28 labels ${report.crossFitted.labelMacroF1.toFixed(4)}, Ekman 7 ${report.crossFitted.ekmanMacroF1.toFixed(4)}`,
);
console.log(
  `wrote ${out}: ${bytes.length} bytes, ${model.vocabulary.length} features, sha256 ${createHash('sha256').update(bytes).digest('hex')} [${seconds()}]`,
);
