/**
 * pnpm bench extraction [--data path/to/labels.jsonl] [--errors]
 *
 * The offline (heuristic) memory extractor on hand-labelled visitor messages
 * (`bench/data/extraction-labels.jsonl`, described in `bench/data/README.md`): every message goes
 * through `findStatedFacts`, the function `HeuristicMemoryExtractor.extract` draws its facts with,
 * dated 2025-03-04T10:00:00Z (a Tuesday) so that "next week" has one right answer. Each fact it
 * finds fills a slot per value it holds: the fact's kind, the value and, for plans and events,
 * its date.
 *
 * Matching: a predicted fact matches a label when
 *   - its kind is the label's kind (or one of them), and
 *   - its value equals one of the label's values after normalisation: diacritics folded, lower
 *     case, apostrophes dropped, split into words on anything not a letter or digit, the little
 *     words below left out, number words written as digits, each word Porter-stemmed, and the
 *     distinct words compared as a set ("Flying to Lisbon" = "fly lisbon"; "my daughter Mia" =
 *     "daughter mia"; "two kids" = "2 kid"), and
 *   - when the label has a date, the fact's date is that date (or one of them): `YYYY-MM-DD` for a
 *     day, `YYYY-MM` for a month, `YYYY` for a year; a week is its Monday, a weekend its Saturday.
 * Predictions with the same kind, value and date count once. Each label is matched by at most one
 * prediction (in label order): precision = matched predictions / predictions, recall = matched
 * labels / labels, per kind and overall, for the `tune` and `report` splits side by side. The
 * split of each message is fixed by a hash of its id (FNV-1a, even → tune) and checked here.
 *
 * `--errors` lists the tune split's misses and false alarms, never the report split's: tuning
 * looks at the tune split only, and the report split tells how the extractor does on messages it
 * was not tuned on. Then the time per message. The last line is one line of JSON.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stemmer } from 'stemmer';
import { z } from 'zod';
import { findStatedFacts, HeuristicMemoryExtractor, type StatedFact } from '../src/memory/heuristic-extractor.js';

const AT = '2025-03-04T10:00:00.000Z';
const TARGETS = { precision: 0.9, recall: 0.8 };
const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const dataPath = resolve(option('data') ?? fileURLToPath(new URL('./data/extraction-labels.jsonl', import.meta.url)));

const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);
const Label = z.strictObject({
  kind: oneOrMany(z.string().min(1)),
  value: oneOrMany(z.string().min(1)),
  date: oneOrMany(z.string().regex(/^\d{4}(?:-\d{2}(?:-\d{2})?)?$/)).optional(),
});
const Message = z.strictObject({
  id: z.string().min(1),
  split: z.enum(['tune', 'report']),
  text: z.string().min(1),
  facts: z.array(Label),
});
type Split = z.infer<typeof Message>['split'];

const messages = readFileSync(dataPath, 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line, index) => {
    const parsed = Message.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${dataPath}:${index + 1}: ${z.prettifyError(parsed.error)}`);
    if (parsed.data.split !== splitOf(parsed.data.id))
      throw new Error(`${parsed.data.id}: its split is not its hash's`);
    return parsed.data;
  });

/** The split a message id falls in: FNV-1a over its UTF-8 bytes, even → tune. */
function splitOf(id: string): Split {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(id)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % 2 === 0 ? 'tune' : 'report';
}

// ---------------------------------------------------------------------------------------------
// Facts as slots, and the matching rule.

interface Slot {
  kind: string;
  value: string;
  date: string | undefined;
}

/** The slots a fact fills: its value and any more values of its kind ("two kids, Leo and Ada"). */
function slotsOf(fact: StatedFact): Slot[] {
  return [fact.value, ...(fact.values ?? [])].map((value) => ({ kind: fact.kind, value, date: fact.date }));
}

const LITTLE_WORDS = new Set(
  'a an the my your their our his her its some to of in on at for with and me i you we us they them is are am be'.split(
    ' ',
  ),
);
const NUMBERS = 'zero one two three four five six seven eight nine ten eleven twelve'.split(' ');
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70 };

/** The matching form of a value: its distinct stemmed content words, sorted. */
function normalise(value: string): string {
  const words = value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word && !LITTLE_WORDS.has(word));
  const numbered: string[] = [];
  for (const word of words) {
    const unit = NUMBERS.indexOf(word);
    const previous = numbered.at(-1);
    if (unit > 0 && unit < 10 && previous && Object.values(TENS).includes(Number(previous))) {
      numbered[numbered.length - 1] = String(Number(previous) + unit);
    } else numbered.push(unit >= 0 ? String(unit) : TENS[word] !== undefined ? String(TENS[word]) : word);
  }
  return [...new Set(numbered.map((word) => (/^\p{N}+$/u.test(word) ? word : stemmer(word))))].sort().join(' ');
}

const many = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function matches(slot: Slot, label: z.infer<typeof Label>): boolean {
  if (!many(label.kind).includes(slot.kind)) return false;
  const value = normalise(slot.value);
  if (!many(label.value).some((wanted) => normalise(wanted) === value)) return false;
  const dates = many(label.date);
  return dates.length === 0 || (slot.date !== undefined && dates.includes(slot.date));
}

// ---------------------------------------------------------------------------------------------
// Scoring.

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}
const counts = () => ({ tp: 0, fp: 0, fn: 0 });
const tally: Record<Split, Map<string, Counts>> = { tune: new Map(), report: new Map() };
const bump = (split: Split, kind: string, field: keyof Counts) => {
  const byKind = tally[split];
  if (!byKind.has(kind)) byKind.set(kind, counts());
  byKind.get(kind)![field]++;
};
const errors: string[] = [];

for (const message of messages) {
  const found = findStatedFacts(message.text, { at: AT }).flatMap(slotsOf);
  const predicted = found.filter(
    (slot, index) =>
      found.findIndex(
        (o) => o.kind === slot.kind && normalise(o.value) === normalise(slot.value) && o.date === slot.date,
      ) === index,
  );
  const used = new Set<number>();
  for (const label of message.facts) {
    const at = predicted.findIndex((slot, index) => !used.has(index) && matches(slot, label));
    if (at >= 0) {
      used.add(at);
      bump(message.split, predicted[at]!.kind, 'tp');
      continue;
    }
    bump(message.split, many(label.kind)[0]!, 'fn');
    if (message.split === 'tune')
      errors.push(`miss   ${message.id}: ${JSON.stringify(label)}  in ${JSON.stringify(message.text)}`);
  }
  predicted.forEach((slot, index) => {
    if (used.has(index)) return;
    bump(message.split, slot.kind, 'fp');
    if (message.split === 'tune') {
      const date = slot.date ? ` (${slot.date})` : '';
      errors.push(
        `extra  ${message.id}: ${slot.kind} = ${JSON.stringify(slot.value)}${date}  in ${JSON.stringify(message.text)}`,
      );
    }
  });
}

const round = (value: number) => Number(value.toFixed(3));
function figures(c: Counts) {
  const precision = c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision: round(precision), recall: round(recall), f1: round(f1), ...c };
}
const total = (split: Split) =>
  [...tally[split].values()].reduce(
    (sum, c) => ({ tp: sum.tp + c.tp, fp: sum.fp + c.fp, fn: sum.fn + c.fn }),
    counts(),
  );

// ---------------------------------------------------------------------------------------------
// Speed: the whole extractor (with an empty memory) per message, after a warm-up.

const extractor = new HeuristicMemoryExtractor();
const none = () => Promise.resolve([]);
const times: number[] = [];
for (let round = 0; round < 6; round++) {
  for (const message of messages) {
    const started = performance.now();
    await extractor.extract(
      { userMessage: { id: message.id, content: message.text, createdAt: AT }, recent: [] },
      none,
    );
    if (round > 0) times.push(performance.now() - started);
  }
}
times.sort((a, b) => a - b);
const perMessageMs = {
  p50: Number(times[Math.floor(times.length * 0.5)]!.toFixed(3)),
  p95: Number(times[Math.floor(times.length * 0.95)]!.toFixed(3)),
  max: Number(times.at(-1)!.toFixed(3)),
};

// ---------------------------------------------------------------------------------------------
// Output.

if (args.includes('--errors')) {
  console.log(`Tune split errors (${errors.length}):`);
  for (const line of errors) console.log(`  ${line}`);
  console.log();
}

const bySplit = (split: Split) => messages.filter((m) => m.split === split);
console.log(
  `Memory extraction (heuristic) on ${messages.length} labelled messages (${dataPath}): ` +
    `tune ${bySplit('tune').length} messages / ${bySplit('tune').reduce((n, m) => n + m.facts.length, 0)} facts, ` +
    `report ${bySplit('report').length} / ${bySplit('report').reduce((n, m) => n + m.facts.length, 0)}\n`,
);
const kinds = [...new Set([...tally.tune.keys(), ...tally.report.keys()])].sort();
const cell = (c: Counts | undefined) => {
  if (!c) return ['', '', '', ''];
  const f = figures(c);
  return [f.precision.toFixed(2), f.recall.toFixed(2), f.f1.toFixed(2), `${c.tp}/${c.tp + c.fp}/${c.tp + c.fn}`];
};
const rows = [
  ['kind', 'tune P', 'R', 'F1', 'ok/found/facts', 'report P', 'R', 'F1', 'ok/found/facts'],
  ...kinds.map((kind) => [kind, ...cell(tally.tune.get(kind)), ...cell(tally.report.get(kind))]),
  ['all', ...cell(total('tune')), ...cell(total('report'))],
];
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
rows.forEach((row, index) => {
  console.log(
    row
      .map((text, column) => (column === 0 ? text.padEnd(widths[column]!) : text.padStart(widths[column]!)))
      .join('  '),
  );
  if (index === 0 || index === rows.length - 2) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
});
const report = figures(total('report'));
console.log(
  `\ntargets on the report split: precision ≥ ${TARGETS.precision} (${report.precision >= TARGETS.precision ? 'met' : 'NOT met'}), ` +
    `recall ≥ ${TARGETS.recall} (${report.recall >= TARGETS.recall ? 'met' : 'NOT met'})`,
);
console.log(`time per message: p50 ${perMessageMs.p50} ms, p95 ${perMessageMs.p95} ms, max ${perMessageMs.max} ms\n`);

const perKind = (split: Split) => Object.fromEntries([...tally[split]].map(([kind, c]) => [kind, figures(c)]));
console.log(
  JSON.stringify({
    bench: 'extraction',
    messages: messages.length,
    tune: figures(total('tune')),
    report,
    targets: TARGETS,
    met: report.precision >= TARGETS.precision && report.recall >= TARGETS.recall,
    perKind: { tune: perKind('tune'), report: perKind('report') },
    perMessageMs,
  }),
);
