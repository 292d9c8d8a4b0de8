/**
 * pnpm bench memory [path/to/locomo.json] [--extractor heuristic|none] [--sizes 1000,10000,100000]
 *
 * Long-term memory on LoCoMo (Maharana et al., ACL 2024, arXiv:2402.17753; data CC BY-NC 4.0):
 * 1. Ingests every conversation through the real pipeline (`MemoryService.remember`, as the
 *    server calls it after each reply) into a libSQL file: the first speaker is the visitor, the
 *    second the avatar, each session its own conversation; message ids are the turns' `dia_id`s,
 *    so memories keep them as sources. Shared photos arrive as their BLIP captions.
 * 2. Asks every question of categories 1–4 and prints evidence recall@5 and @10 per category
 *    and per conversation,
 *    beside the paper's DRAGON retriever over dialog turns (56.7 / 66.2) and, measured in the
 *    same run, vector-only and keyword-only rankings of the same memories.
 * 3. Context size: tokens our context manager sends for each question (asked in a new
 *    conversation after the last session) ÷ tokens of the whole dialogue history.
 * 4. Search latency at 1k / 10k / 100k memories of one visitor (LoCoMo vectors, jittered to fill
 *    the larger sizes): our vector index, our BM25 keyword index (with its feedback pass) and the
 *    full hybrid search,
 *    beside an exact scan of the same vectors in plain JavaScript.
 * The last line is one line of JSON with the figures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildContext, contextBudget, countO200kTokens } from '../src/context/index.js';
import { openDatabase } from '../src/db/database.js';
import { tenants } from '../src/db/schema.js';
import { loadSharedEmbeddingModel } from '../src/embeddings/index.js';
import { HeuristicMemoryExtractor } from '../src/memory/heuristic-extractor.js';
import type { RetrievedMemory } from '../src/memory/memory-search.js';
import { MemoryService } from '../src/memory/memory-service.js';
import type { MemoryScope } from '../src/memory/memory-store.js';
import { FEEDBACK, feedbackTerms, KeywordIndex, queryTokens } from '../src/memory/keyword-index.js';
import { dot, VectorIndex } from '../src/memory/vector-index.js';
import { createProgress } from '../src/cli/progress.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const dataPath = resolve(
  args.find((arg, index) => !arg.startsWith('--') && !args[index - 1]?.startsWith('--')) ??
    resolve(repoRoot, '../shared/bench-data/locomo/locomo-dev.json'),
);
const extractorName = option('extractor') ?? 'heuristic';
const sizes = (option('sizes') ?? '1000,10000,100000').split(',').map(Number);

interface LocomoTurn {
  speaker: string;
  dia_id: string;
  text: string;
  blip_caption?: string;
}
interface LocomoSample {
  sample_id: string;
  conversation: Record<string, unknown> & { speaker_a: string; speaker_b: string };
  qa: Array<{ question: string; evidence: string[]; category: number }>;
}

const samples = JSON.parse(readFileSync(dataPath, 'utf8')) as LocomoSample[];
const dir = mkdtempSync(join(tmpdir(), 'vibhava-bench-memory-'));
const db = await openDatabase({ url: `file:${join(dir, 'memory.db')}` });
await db.insert(tenants).values({ id: 'bench', name: 'Memory benchmark' });
const embeddings = await loadSharedEmbeddingModel();
const memory = new MemoryService({
  db,
  embeddings: () => Promise.resolve(embeddings),
  extractor: extractorName === 'heuristic' ? new HeuristicMemoryExtractor() : null,
  log: (message, error) => console.error(message, error),
});

/** A progress bar over a count: `tick(n)` adds n. */
function counterBar(label: string, total: number, unit: string) {
  const bar = createProgress(label, total, process.stderr, unit);
  let done = 0;
  return {
    tick(n = 1) {
      done += n;
      bar.update(done);
    },
    done: () => bar.done(),
  };
}

/** "1:56 pm on 8 May, 2023" → Date. */
function sessionDate(text: string): Date {
  const match = /(\d+):(\d+)\s*(am|pm)\s+on\s+(\d+)\s+(\w+),?\s+(\d{4})/i.exec(text);
  if (!match) return new Date(0);
  const [, hour, minute, half, day, month, year] = match;
  const months = [
    'january',
    'february',
    'march',
    'april',
    'may',
    'june',
    'july',
    'august',
    'september',
    'october',
    'november',
    'december',
  ];
  const h = (Number(hour) % 12) + (half!.toLowerCase() === 'pm' ? 12 : 0);
  return new Date(Date.UTC(Number(year), months.indexOf(month!.toLowerCase()), Number(day), h, Number(minute)));
}

const said = (turn: LocomoTurn) =>
  turn.blip_caption ? `${turn.text} [shares a photo: ${turn.blip_caption}]` : turn.text;

function sessions(sample: LocomoSample): Array<{ date: Date; turns: LocomoTurn[] }> {
  const out: Array<{ date: Date; turns: LocomoTurn[] }> = [];
  for (let n = 1; `session_${n}_date_time` in sample.conversation || `session_${n}` in sample.conversation; n++) {
    const turns = sample.conversation[`session_${n}`];
    if (!Array.isArray(turns) || turns.length === 0) continue;
    out.push({
      date: sessionDate(String(sample.conversation[`session_${n}_date_time`] ?? '')),
      turns: turns as LocomoTurn[],
    });
  }
  return out;
}

// 1. Ingest.
const totalTurns = samples.reduce((sum, sample) => sum + sessions(sample).reduce((s, x) => s + x.turns.length, 0), 0);
const ingestBar = counterBar('Remembering LoCoMo turns', totalTurns, 'turns');
const ingestStarted = performance.now();
const scopes = new Map<string, MemoryScope>();
const historyTokens = new Map<string, number>();
for (const sample of samples) {
  const visitor = sample.conversation.speaker_a;
  const avatar = sample.conversation.speaker_b;
  const scope = { tenantId: 'bench', avatarId: `avatar-${sample.sample_id}`, visitorId: `visitor-${sample.sample_id}` };
  scopes.set(sample.sample_id, scope);
  let tokens = 0;
  for (const session of sessions(sample)) {
    let previous: Array<{ id: string; role: 'user' | 'assistant'; content: string }> = [];
    let lead: Array<{ id: string; content: string }> = [];
    const turns = session.turns;
    for (let index = 0; index < turns.length; index++) {
      const turn = turns[index]!;
      tokens += countO200kTokens(`${turn.speaker}: ${said(turn)}`) + 4;
      if (turn.speaker !== visitor) {
        lead.push({ id: turn.dia_id, content: said(turn) });
        continue;
      }
      const reply = turns[index + 1]?.speaker === avatar ? turns[index + 1] : undefined;
      if (reply) tokens += countO200kTokens(`${reply.speaker}: ${said(reply)}`) + 4;
      await memory.remember({
        scope,
        user: { id: turn.dia_id, content: said(turn), createdAt: session.date.toISOString() },
        ...(reply ? { assistant: { id: reply.dia_id, content: said(reply) } } : {}),
        ...(lead.length ? { lead } : {}),
        previous: previous.slice(-4),
        names: { visitor, avatar },
      });
      previous = [
        ...previous,
        ...lead.map((m) => ({ ...m, role: 'assistant' as const })),
        { id: turn.dia_id, role: 'user' as const, content: said(turn) },
        ...(reply ? [{ id: reply.dia_id, role: 'assistant' as const, content: said(reply) }] : []),
      ];
      lead = [];
      if (reply) index++;
      ingestBar.tick(reply ? 2 : 1);
    }
    ingestBar.tick(lead.length);
  }
  historyTokens.set(sample.sample_id, tokens);
}
ingestBar.done();
const ingestSeconds = (performance.now() - ingestStarted) / 1000;

// 2. Recall.
type Variant = 'hybrid' | 'vector' | 'keyword';
type VariantWeights = { vector: number; keyword: number; date?: number };
// The server's search, and each of its two rankings alone (no date matching: that is the third signal).
const variants: Record<Variant, VariantWeights> = {
  hybrid: { vector: 1, keyword: 2 },
  vector: { vector: 1, keyword: 0, date: 0 },
  keyword: { vector: 0, keyword: 1, date: 0 },
};
const recall: Record<Variant, Record<string, { at5: number[]; at10: number[] }>> = {
  hybrid: {},
  vector: {},
  keyword: {},
};
const contextRatios: number[] = [];
const contextTokens: number[] = [];
const counter = countO200kTokens;
const persona = 'You are a warm, attentive companion who remembers what the visitor shares and speaks naturally.';
const questions = samples.flatMap((sample) =>
  sample.qa.filter((qa) => qa.category >= 1 && qa.category <= 4).map((qa) => ({ sample, qa })),
);
const askBar = counterBar('Asking the questions', questions.length, 'questions');
for (const { sample, qa } of questions) {
  const scope = scopes.get(sample.sample_id)!;
  const vector = await memory.embed(qa.question);
  const evidence = qa.evidence
    .flatMap((e) => e.split(/[;,]\s*|\s+(?=D\d)/))
    .map((e) => e.trim())
    .filter(Boolean);
  for (const [name, weights] of Object.entries(variants) as Array<[Variant, VariantWeights]>) {
    const hits = await memory.search(scope, { text: qa.question, vector }, { k: 10, weights });
    const covered = (k: number) => {
      const sources = new Set(hits.slice(0, k).flatMap((hit) => hit.sourceMessageIds));
      return evidence.length ? evidence.filter((id) => sources.has(id)).length / evidence.length : 1;
    };
    for (const key of [`c${qa.category}`, 'all', `conv ${sample.sample_id}`]) {
      const bucket = (recall[name][key] ??= { at5: [], at10: [] });
      bucket.at5.push(covered(5));
      bucket.at10.push(covered(10));
    }
    if (name === 'hybrid') {
      const built = buildContext({
        counter,
        budget: contextBudget({ contextWindow: 128_000, maxOutputTokens: 1024 }),
        system: persona,
        summary: null,
        memories: hits.map(traceable),
        preferences: null,
        history: [],
        turnNote: undefined,
        userMessage: qa.question,
      });
      contextTokens.push(built.trace.tokens.used);
      contextRatios.push(built.trace.tokens.used / historyTokens.get(sample.sample_id)!);
    }
  }
  askBar.tick();
}
askBar.done();

function traceable(hit: RetrievedMemory) {
  return { id: hit.id, kind: hit.kind, text: hit.text, score: hit.score, occurredAt: hit.occurredAt };
}

// 4. Latency at sizes.
const pool: Float32Array[] = [];
const poolTexts: Array<{ text: string; searchText: string }> = [];
for (const scope of scopes.values()) {
  for (const row of await memory.store.vectorsSince(scope, 0)) if (row.embedding) pool.push(row.embedding);
  for (const row of await memory.store.list(scope, { limit: 100_000 })) poolTexts.push(row);
}
const queryTexts = questions.map(({ qa }) => qa.question);
const queryVectors = await Promise.all(queryTexts.slice(0, 200).map((text) => memory.embed(text)));
let seed = 7;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
function jitter(vector: Float32Array): Float32Array {
  const out = new Float32Array(vector.length);
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += (out[i] = vector[i]! + (random() - 0.5) * 0.05) ** 2;
  norm = Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))]!;
const latency: Array<{
  memories: number;
  scanP50: number;
  scanP95: number;
  indexP50: number;
  indexP95: number;
  keywordP50: number;
  keywordP95: number;
  hybridP50: number;
  hybridP95: number;
}> = [];
for (const size of sizes) {
  const scope = { tenantId: 'bench', avatarId: 'avatar-latency', visitorId: `visitor-${size}` };
  const bar = counterBar(`Filling one visitor with ${size.toLocaleString('en')} memories`, size, 'memories');
  const vectors: Float32Array[] = [];
  const keywords = new KeywordIndex();
  for (let i = 0; i < size; i++) {
    const vector = i < pool.length ? pool[i]! : jitter(pool[i % pool.length]!);
    vectors.push(vector);
    const { text, searchText } = poolTexts[i % poolTexts.length]!;
    keywords.add(i, searchText);
    await memory.store.insert(
      scope,
      {
        kind: 'episode',
        category: 'event',
        text,
        searchText,
        importance: 0.3,
        sourceMessageIds: [],
        occurredAt: new Date(),
        embedding: vector,
        embeddingModel: embeddings.id,
      },
      { actor: 'extractor' },
    );
    bar.tick();
  }
  bar.done();
  const flat = new Float32Array(size * 384);
  vectors.forEach((v, i) => flat.set(v, i * 384));
  const index = new VectorIndex(384, size);
  vectors.forEach((v, i) => index.add(String(i), v));
  await memory.search(scope, { text: 'warm up', vector: queryVectors[0]! }, { k: 10 });
  const scan: number[] = [];
  const indexed: number[] = [];
  const keyworded: number[] = [];
  const hybrid: number[] = [];
  const rounds = size >= 100_000 ? 40 : 200;
  // The baseline allocates nothing per query, so its garbage does not land in our timings.
  const scratch = new Float32Array(size);
  for (let round = 0; round < rounds; round++) {
    const query = queryVectors[round % queryVectors.length]!;
    let started = performance.now();
    for (let row = 0; row < size; row++) scratch[row] = dot(flat, row * 384, query, 384);
    const best = topRows(scratch, size, 50);
    scan.push(performance.now() - started);
    started = performance.now();
    const found = index.search(query, 50);
    indexed.push(performance.now() - started);
    if (found[0]!.row !== best[0]) throw new Error('the index and the exact scan disagree');
    // The keyword ranking as search runs it: BM25, then again with feedback terms from the best three.
    started = performance.now();
    const tokens = queryTokens(queryTexts[round % queryTexts.length]!);
    const first = keywords.search(tokens, 50);
    const terms = feedbackTerms(
      first.slice(0, FEEDBACK.rows).map((hit) => keywords.rowTokens(hit.row)),
      tokens,
      (list) => keywords.stats(list),
    );
    keywords.search([...tokens, ...terms.map((term) => term.token)], 50, {
      weights: [...tokens.map(() => 1), ...terms.map((term) => term.weight)],
      matchFirst: tokens.length,
    });
    keyworded.push(performance.now() - started);
    started = performance.now();
    await memory.search(scope, { text: queryTexts[round % queryTexts.length]!, vector: query }, { k: 10 });
    hybrid.push(performance.now() - started);
  }
  latency.push({
    memories: size,
    scanP50: round2(percentile(scan, 0.5)),
    scanP95: round2(percentile(scan, 0.95)),
    indexP50: round2(percentile(indexed, 0.5)),
    indexP95: round2(percentile(indexed, 0.95)),
    keywordP50: round2(percentile(keyworded, 0.5)),
    keywordP95: round2(percentile(keyworded, 0.95)),
    hybridP50: round2(percentile(hybrid, 0.5)),
    hybridP95: round2(percentile(hybrid, 0.95)),
  });
}

/** The `k` best rows of `scores[0..n)`, best first: insertion into a short sorted list. */
function topRows(scores: Float32Array, n: number, k: number): Int32Array {
  const bestRows = new Int32Array(k);
  const bestScores = new Float32Array(k);
  let count = 0;
  for (let row = 0; row < n; row++) {
    const score = scores[row]!;
    if (count === k && score <= bestScores[k - 1]!) continue;
    let at = count < k ? count++ : k - 1;
    while (at > 0 && bestScores[at - 1]! < score) {
      bestScores[at] = bestScores[at - 1]!;
      bestRows[at] = bestRows[at - 1]!;
      at--;
    }
    bestScores[at] = score;
    bestRows[at] = row;
  }
  return bestRows;
}

function round2(value: number) {
  return Number(value.toFixed(2));
}
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const pct = (values: number[]) => Number((100 * mean(values)).toFixed(1));

// Report.
console.log(
  `\nLoCoMo evidence recall (${dataPath}), ${questions.length} questions of categories 1-4, extractor: ${extractorName}`,
);
console.log(
  `Ingested ${totalTurns} turns in ${ingestSeconds.toFixed(1)} s (${((ingestSeconds * 1000) / totalTurns).toFixed(1)} ms per turn, embeddings and FTS5 included)\n`,
);
const header = [
  'category',
  'questions',
  'hybrid @5',
  'hybrid @10',
  'vector @5',
  'vector @10',
  'keyword @5',
  'keyword @10',
];
const rows = ['c1', 'c2', 'c3', 'c4', 'all'].map((key) => [
  key === 'all' ? '1-4' : key.slice(1),
  String(recall.hybrid[key]?.at5.length ?? 0),
  ...(['hybrid', 'vector', 'keyword'] as const).flatMap((name) => [
    pct(recall[name][key]?.at5 ?? []).toFixed(1),
    pct(recall[name][key]?.at10 ?? []).toFixed(1),
  ]),
]);
// Per conversation: a change should help each of them, not only the total.
for (const sample of samples) {
  const key = `conv ${sample.sample_id}`;
  rows.push([
    sample.sample_id,
    String(recall.hybrid[key]?.at5.length ?? 0),
    ...(['hybrid', 'vector', 'keyword'] as const).flatMap((name) => [
      pct(recall[name][key]?.at5 ?? []).toFixed(1),
      pct(recall[name][key]?.at10 ?? []).toFixed(1),
    ]),
  ]);
}
rows.push(['DRAGON (paper)', '', '56.7', '66.2', '', '', '', '']);
rows.push(['target', '', '', '80.0', '', '', '', '']);
printTable(header, rows);

console.log(
  `\nContext per question: ${Math.round(mean(contextTokens))} tokens on average; ÷ whole history: ${mean(contextRatios).toFixed(3)} (target ≤ 0.10)\n`,
);
printTable(
  [
    'memories',
    'JS exact scan p50',
    'p95',
    'vector index p50',
    'p95',
    'keyword index p50',
    'p95',
    'hybrid search p50',
    'p95',
  ],
  latency.map((row) => [
    row.memories.toLocaleString('en'),
    `${row.scanP50} ms`,
    `${row.scanP95} ms`,
    `${row.indexP50} ms`,
    `${row.indexP95} ms`,
    `${row.keywordP50} ms`,
    `${row.keywordP95} ms`,
    `${row.hybridP50} ms`,
    `${row.hybridP95} ms`,
  ]),
);
console.log('(target: p95 ≤ 5 ms at 10k)\n');

function printTable(head: string[], body: string[][]) {
  const widths = head.map((cell, column) => Math.max(cell.length, ...body.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
}

await embeddings.close();
db.$client.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    bench: 'memory',
    extractor: extractorName,
    questions: questions.length,
    recall: Object.fromEntries(
      (['hybrid', 'vector', 'keyword'] as const).map((name) => [
        name,
        Object.fromEntries(
          Object.entries(recall[name]).map(([key, value]) => [key, { at5: pct(value.at5), at10: pct(value.at10) }]),
        ),
      ]),
    ),
    baseline: { dragonAt5: 56.7, dragonAt10: 66.2 },
    contextTokens: Math.round(mean(contextTokens)),
    contextRatio: Number(mean(contextRatios).toFixed(4)),
    ingestMsPerTurn: Number(((ingestSeconds * 1000) / totalTurns).toFixed(2)),
    latency,
  }),
);
