/**
 * pnpm bench local-model [--model PATH] [--runs N]
 * Time to first token on turn 1 and turn 2 of a conversation (≈300-token persona, ≈30-token
 * message), generation tokens/s, and that rate as a ratio of this machine's bound measured in the
 * same run: memory bandwidth (large-buffer copy) ÷ the model file's bytes.
 */
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import {
  AVATAR_REPLY_FORMAT,
  AVATAR_REPLY_INSTRUCTION,
  AvatarReplyParser,
} from '../src/conversations/structured-reply.js';
import { LlamaChatModel } from '../src/providers/local/llama-chat-model.js';
import { DEFAULT_LOCAL_MODEL } from '../src/providers/local/model-catalog.js';
import { defaultModelsDir, modelPath } from '../src/providers/local/model-files.js';
import type { ChatPromptMessage } from '../src/providers/chat-model.js';

const { values } = parseArgs({ options: { model: { type: 'string' }, runs: { type: 'string', default: '3' } } });
const path = values.model ?? modelPath(DEFAULT_LOCAL_MODEL, process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir());
const runs = Number(values.runs);

const persona = [
  'You are Vee, the friendly avatar of Northwind Outdoor Supply, an online shop for hiking, camping and climbing gear.',
  'You help visitors choose equipment, understand sizing, plan trips and find store policies.',
  'Your personality: warm, curious, practical and honest. You enjoy the outdoors and share short personal-sounding tips,',
  'but you never invent facts about products, prices or stock. When you do not know, you say so and suggest contacting',
  'the support team at support@northwind.example. Store policies you know: free shipping on orders over 50 dollars;',
  'returns within 60 days for unused items with the receipt; rentals of tents and sleeping bags by the weekend;',
  'a price match for identical items sold by authorised dealers. Opening hours of the flagship store: 9 to 19 on weekdays',
  'and 10 to 17 on weekends. Speak plainly, in short paragraphs, and keep replies under 80 words unless the visitor asks',
  'for detail. Use the visitor’s name when they give it. Ask one clarifying question when a request is ambiguous, for',
  'example the length of a trip, the expected weather or the visitor’s experience. Never give medical advice beyond',
  'basic safety reminders such as carrying water, telling someone your route and checking the forecast. If a visitor is',
  'upset, acknowledge the feeling first, then help. Recommend layered clothing for mountain trips, and remind visitors',
  'that cotton stays wet. Suggest the rental programme to first-time campers before they buy expensive equipment.',
].join(' ');
const message1 =
  'Hi! I am planning my first overnight hike next month in the high mountains with two friends. What kind of sleeping bag should I bring, roughly?';
const message2 =
  'Thanks! And should I rent the tent instead of buying one, given that it is my very first trip out there?';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function turn(
  model: LlamaChatModel,
  messages: ChatPromptMessage[],
  key: string,
  maxOutputTokens: number,
  structured = false,
) {
  const started = performance.now();
  let first = 0;
  let expression = 0;
  let text = '';
  let outputTokens = 0;
  const parser = structured ? new AvatarReplyParser() : undefined;
  for await (const part of model.stream({
    messages,
    signal: new AbortController().signal,
    conversationKey: key,
    maxOutputTokens,
    temperature: 0,
    // As the server asks: the avatar's expression through the grammar, then the next turn's
    // prefix loaded while the visitor reads.
    ...(structured
      ? {
          responseFormat: AVATAR_REPLY_FORMAT,
          nextTurnPrefix: (reply: string) => [...messages, { role: 'assistant' as const, content: reply }],
        }
      : {}),
  })) {
    if (part.type === 'text-delta') {
      text += part.delta;
      for (const event of parser?.push(part.delta) ?? [{ type: 'text' as const }]) {
        if (event.type === 'emotion') expression ||= performance.now() - started;
        else first ||= performance.now() - started;
      }
    } else if (part.type === 'usage') outputTokens = part.outputTokens;
  }
  const total = performance.now() - started;
  return {
    ttftMs: first,
    expressionMs: expression,
    totalMs: total,
    text,
    outputTokens,
    tokensPerSecond: (outputTokens - 1) / ((total - first) / 1000),
  };
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
  modelId: DEFAULT_LOCAL_MODEL.id,
  contextSize: 4096,
  slots: 2,
});
const personaTokens = model.countTokens(persona);
const messageTokens = model.countTokens(message1);
const turn1: number[] = [];
const turn2: number[] = [];
const rates: number[] = [];
const structured1: number[] = [];
const structured2: number[] = [];
const expression1: number[] = [];
await turn(model, [{ role: 'user', content: 'warm up' }], 'warmup', 8);
for (let run = 0; run < runs; run++) {
  const key = `bench-${run}`;
  const history: ChatPromptMessage[] = [
    { role: 'system', content: `Session ${run + 1}. ${persona}` },
    { role: 'user', content: message1 },
  ];
  const first = await turn(model, history, key, 48);
  const second = await turn(
    model,
    [...history, { role: 'assistant', content: first.text }, { role: 'user', content: message2 }],
    key,
    48,
  );
  const long = await turn(
    model,
    [{ role: 'user', content: 'Write a short story of about 150 words about a fox who learns to climb.' }],
    `long-${run}`,
    160,
  );
  turn1.push(first.ttftMs);
  turn2.push(second.ttftMs);
  rates.push(long.tokensPerSecond);

  // The same conversation as the server runs it: structured reply (expression first) under the
  // grammar, and turn 2 after two seconds of reading, in which the next turn's prefix loads.
  const structuredHistory: ChatPromptMessage[] = [
    { role: 'system', content: `Session ${run + 1}b. ${persona}\n\n${AVATAR_REPLY_INSTRUCTION}` },
    { role: 'user', content: message1 },
  ];
  const s1 = await turn(model, structuredHistory, `${key}-s`, 64, true);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const s2 = await turn(
    model,
    [...structuredHistory, { role: 'assistant', content: s1.text }, { role: 'user', content: message2 }],
    `${key}-s`,
    64,
    true,
  );
  structured1.push(s1.ttftMs);
  structured2.push(s2.ttftMs);
  expression1.push(s1.expressionMs);
}
await model.close();

const result = {
  bench: 'local-model',
  model: DEFAULT_LOCAL_MODEL.id,
  modelBytes,
  personaTokens,
  messageTokens,
  runs,
  ttftTurn1Ms: Math.round(median(turn1)),
  ttftTurn2Ms: Math.round(median(turn2)),
  structured: {
    expressionTurn1Ms: Math.round(median(expression1)),
    ttftTurn1Ms: Math.round(median(structured1)),
    ttftTurn2Ms: Math.round(median(structured2)),
  },
  generationTokensPerSecond: Number(median(rates).toFixed(1)),
  copyBandwidthGBs: Number(bandwidth.toFixed(2)),
  boundTokensPerSecond: Number(boundTokensPerSecond.toFixed(1)),
  ratioToBound: Number((median(rates) / boundTokensPerSecond).toFixed(2)),
  targets: { ttftTurn1Ms: 1500, ttftTurn2Ms: 300, ratioToBound: 0.5 },
};

const rows: [string, string, string][] = [
  ['persona / message tokens', `${personaTokens} / ${messageTokens}`, ''],
  ['time to first token, turn 1', `${result.ttftTurn1Ms} ms`, '≤ 1500 ms'],
  ['time to first token, turn 2', `${result.ttftTurn2Ms} ms`, '≤ 300 ms'],
  ['structured: expression, turn 1', `${result.structured.expressionTurn1Ms} ms`, ''],
  ['structured: first word, turn 1', `${result.structured.ttftTurn1Ms} ms`, ''],
  ['structured: first word, turn 2', `${result.structured.ttftTurn2Ms} ms`, 'after 2 s of reading'],
  ['generation', `${result.generationTokensPerSecond} tok/s`, ''],
  ['memory bandwidth (copy, all cores)', `${result.copyBandwidthGBs} GB/s`, 'baseline, same run'],
  ['bound = bandwidth ÷ model bytes', `${result.boundTokensPerSecond} tok/s`, ''],
  ['generation ÷ bound', `${result.ratioToBound}`, '≥ 0.5'],
];
console.log(
  `local-model benchmark: ${DEFAULT_LOCAL_MODEL.id} (${(modelBytes / 1e6).toFixed(0)} MB), median of ${runs} runs\n`,
);
for (const [name, value, target] of rows) console.log(`${name.padEnd(34)} ${value.padStart(14)}   ${target}`);
console.log(JSON.stringify(result));
