/**
 * pnpm bench local-model [--local small|large] [--model PATH] [--runs N] [--read MS]
 *
 * The local model as the demo avatar runs it: the compact system message (persona and the demo
 * page's knowledge, whole), plain-text replies, one line of guidance per turn.
 *
 * - turn 1: a new conversation whose system message the server read into the model's cache when
 *   the conversation was opened (`prepare`), as it does while a visitor types;
 * - turn 2: after `--read` ms of reading, in which the server loads the reply into the cache;
 * - turn 1, cold: the same first turn with nothing prepared (a server that just started);
 * - generation tokens/s, against this machine's bound measured in the same run: memory
 *   bandwidth (large-buffer copy, all cores) ÷ the model file's bytes;
 * - the floor of each turn, measured in the same run: the tokens that turn must read that the
 *   cache cannot hold (its guidance and the visitor's message), at the rate this model reads a
 *   prompt on this machine. No prompt layout beats it; the targets are compared with it.
 */
import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { composeTurn } from '../src/avatars/avatar-turn.js';
import { compactGuidance } from '../src/avatars/turn-intent.js';
import { DEMO_PROFILE } from '../src/db/seed.js';
import { parseKnowledgeFile } from '../src/knowledge/knowledge-file.js';
import { AvatarProfileSchema } from '../src/persona/avatar-profile.js';
import type { ChatPromptMessage } from '../src/providers/chat-model.js';
import { LlamaChatModel } from '../src/providers/local/llama-chat-model.js';
import { defaultModelsDir, modelPath } from '../src/providers/local/model-files.js';
import { localChatModel } from '../src/providers/registry.js';

const { values } = parseArgs({
  options: {
    local: { type: 'string' },
    model: { type: 'string' },
    runs: { type: 'string', default: '3' },
    read: { type: 'string', default: '3000' },
  },
});
const spec = localChatModel(values.local);
const path = values.model ?? modelPath(spec, process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir());
// A file given with --model is named by its file name, not the catalog entry whose settings it borrows.
const modelId = values.model ? basename(values.model, '.gguf') : spec.id;
const runs = Number(values.runs);
const readMs = Number(values.read);

const knowledge = parseKnowledgeFile(
  readFileSync(resolve(import.meta.dirname, '../../../examples/script-tag/knowledge.md'), 'utf8'),
);
const question = compactGuidance({ intent: 'question', facts: 'whole', knowsVisitor: false });
const message1 = 'Hi! Could you make a chocolate cake for my daughter’s birthday on Saturday, for about 10 people?';
const message2 = 'Great, thanks! And do you have anything gluten-free? My sister is coeliac.';

/** The demo avatar's system message in the compact style, as a new visitor's conversation gets it. */
function systemMessage(session: number): string {
  return composeTurn({
    avatarKey: `bench@${session}`,
    profile: AvatarProfileSchema.parse(DEMO_PROFILE),
    visitor: { verified: false },
    timeZone: 'UTC',
    style: 'compact',
    knowledge,
  }).system;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function turn(model: LlamaChatModel, messages: ChatPromptMessage[], key: string, maxOutputTokens: number) {
  const started = performance.now();
  let first = 0;
  let text = '';
  let outputTokens = 0;
  let nextPrefix: ChatPromptMessage[] = [];
  for await (const part of model.stream({
    messages,
    signal: new AbortController().signal,
    conversationKey: key,
    maxOutputTokens,
    temperature: 0,
    // As the server asks: the next turn begins with this one's prompt, less its note, and the reply.
    nextTurnPrefix: (reply) =>
      (nextPrefix = [...messages.filter((m) => m.content !== question), { role: 'assistant', content: reply }]),
  })) {
    if (part.type === 'text-delta') {
      first ||= performance.now() - started;
      text += part.delta;
    } else if (part.type === 'usage') outputTokens = part.outputTokens;
  }
  const total = performance.now() - started;
  return { ttftMs: first, text, nextPrefix, tokensPerSecond: (outputTokens - 1) / ((total - first) / 1000) };
}

/**
 * How fast this model reads a prompt on this machine, in tokens per second: a 300-token text
 * evaluated into a fresh slot, median of three.
 */
async function prefillRate(model: LlamaChatModel): Promise<number> {
  const text = knowledge.join('\n').slice(0, 1200);
  const rates: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await model.prepare({ messages: [{ role: 'system', content: `${i}. ${text}` }], conversationKey: `prefill-${i}` });
    rates.push(model.countTokens(text) / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

/**
 * The machine's memory bandwidth, measured the way decoding uses it: one large-buffer copy per
 * core, all at once (a single thread cannot saturate memory). Reported as bytes copied per
 * second: each byte is read once, as each weight is read once per generated token.
 */
async function copyBandwidthGBs(): Promise<number> {
  const workers = Math.max(1, availableParallelism());
  const size = 256 * 1024 * 1024;
  const rounds = 6;
  const source = `
    const { parentPort } = require('node:worker_threads');
    const a = Buffer.alloc(${size}, 1), b = Buffer.allocUnsafe(${size});
    a.copy(b);
    parentPort.once('message', () => {
      const t = performance.now();
      for (let i = 0; i < ${rounds}; i++) a.copy(b);
      parentPort.postMessage(performance.now() - t);
    });
    parentPort.postMessage('ready');`;
  const pool = Array.from({ length: workers }, () => new Worker(source, { eval: true }));
  await Promise.all(pool.map((w) => once(w, 'message')));
  const started = performance.now();
  const done = Promise.all(pool.map((w) => once(w, 'message')));
  for (const w of pool) w.postMessage('go');
  await done;
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(pool.map((w) => w.terminate()));
  return (workers * rounds * size) / seconds / 1e9;
}

const bandwidth = await copyBandwidthGBs();
const modelBytes = statSync(path).size;
const boundTokensPerSecond = (bandwidth * 1e9) / modelBytes;

const model = await LlamaChatModel.load({
  modelPath: path,
  modelId,
  generation: spec.generation,
  contextSize: 4096,
  slots: 4,
});
// Resident memory with the model loaded and its four conversation slots (4096 tokens each) allocated.
const rssMB = Math.round(process.memoryUsage().rss / 1e6);
const systemTokens = model.countTokens(systemMessage(0));
// What a turn reads beyond the cache: the guidance note and the message, with the template's markers.
const turnTokens = (message: string) => model.countTokens(`${question}\n${message}`) + 10;
await turn(model, [{ role: 'user', content: 'warm up' }], 'warmup', 4);
const prefill = await prefillRate(model);
const turn1: number[] = [];
const turn2: number[] = [];
const cold: number[] = [];
const rates: number[] = [];
for (let run = 0; run < runs; run++) {
  const system = { role: 'system' as const, content: systemMessage(run + 1) };
  const first: ChatPromptMessage[] = [
    system,
    { role: 'system', content: question },
    { role: 'user', content: message1 },
  ];
  // The conversation opens; the visitor types for a few seconds.
  await model.prepare({ messages: [system], conversationKey: `bench-${run}` });
  const one = await turn(model, first, `bench-${run}`, 48);
  await sleep(readMs);
  const two = await turn(
    model,
    [...one.nextPrefix, { role: 'system', content: question }, { role: 'user', content: message2 }],
    `bench-${run}`,
    96,
  );
  // The same first turn on a server that prepared nothing (its system message not yet in any slot).
  const coldSystem = { role: 'system' as const, content: systemMessage(100 + run) };
  const coldTurn = await turn(model, [coldSystem, ...first.slice(1)], `cold-${run}`, 8);
  turn1.push(one.ttftMs);
  turn2.push(two.ttftMs);
  cold.push(coldTurn.ttftMs);
  rates.push(two.tokensPerSecond);
}
await model.close();

const floor1 = (turnTokens(message1) / prefill) * 1000;
const floor2 = (turnTokens(message2) / prefill) * 1000;
const result = {
  bench: 'local-model',
  model: modelId,
  modelBytes,
  rssMB,
  systemTokens,
  runs,
  readMs,
  ttftTurn1Ms: Math.round(median(turn1)),
  ttftTurn2Ms: Math.round(median(turn2)),
  ttftTurn1ColdMs: Math.round(median(cold)),
  prefillTokensPerSecond: Number(prefill.toFixed(1)),
  floorTurn1Ms: Math.round(floor1),
  floorTurn2Ms: Math.round(floor2),
  generationTokensPerSecond: Number(median(rates).toFixed(1)),
  copyBandwidthGBs: Number(bandwidth.toFixed(2)),
  boundTokensPerSecond: Number(boundTokensPerSecond.toFixed(1)),
  ratioToBound: Number((median(rates) / boundTokensPerSecond).toFixed(2)),
  targets: { ttftTurn1Ms: 1500, ttftTurn2Ms: 300, ratioToBound: 0.5 },
};

const rows: [string, string, string][] = [
  ['system message tokens', `${systemTokens}`, 'persona + whole knowledge'],
  ['resident memory, model loaded', `${rssMB} MB`, '4 slots × 4096 tokens'],
  ['time to first token, turn 1', `${result.ttftTurn1Ms} ms`, '≤ 1500 ms (prepared while typing)'],
  ['  floor: its new tokens ÷ prefill', `${result.floorTurn1Ms} ms`, 'same run'],
  ['time to first token, turn 2', `${result.ttftTurn2Ms} ms`, `≤ 300 ms (after ${readMs} ms reading)`],
  ['  floor: its new tokens ÷ prefill', `${result.floorTurn2Ms} ms`, 'same run'],
  ['time to first token, turn 1 cold', `${result.ttftTurn1ColdMs} ms`, 'nothing prepared'],
  ['prompt reading (prefill)', `${result.prefillTokensPerSecond} tok/s`, 'baseline, same run'],
  ['generation', `${result.generationTokensPerSecond} tok/s`, ''],
  ['memory bandwidth (copy, all cores)', `${result.copyBandwidthGBs} GB/s`, 'baseline, same run'],
  ['bound = bandwidth ÷ model bytes', `${result.boundTokensPerSecond} tok/s`, ''],
  ['generation ÷ bound', `${result.ratioToBound}`, '≥ 0.5'],
];
console.log(`local-model benchmark: ${modelId} (${(modelBytes / 1e6).toFixed(0)} MB), median of ${runs} runs\n`);
for (const [name, value, target] of rows) console.log(`${name.padEnd(34)} ${value.padStart(14)}   ${target}`);
console.log(JSON.stringify(result));
