/**
 * pnpm bench replies [--data DIR] [--provider local|openai] [--local small|large] [--model PATH]
 *                    [--site ID] [--only REGEX] [--split tune|report|all] [--pause MS] [--read MS]
 *                    [--out FILE] [--seed N|random]
 *
 * Reply quality, measured the way a visitor meets it: scripted visitor conversations with
 * avatars of several sites (persona + knowledge), sent through the real server over HTTP on
 * loopback (sessions, conversations, streamed replies, memory between conversations). Each
 * reply is scored by fixed patterns written before any tuning (bench/data/replies/README.md):
 *
 * - benign refusals: replies that refuse or deflect (every scripted message is an ordinary one);
 * - grounded facts: questions the site's knowledge answers, answered with the expected fact;
 * - honest unknowns: questions it does not answer, answered with a hedge or a contact and
 *   without the invented answers listed for that question;
 * - the visitor's own facts recalled later in the conversation and in a new conversation;
 * - in character: no "As an AI language model", no speaker labels or lines written as the
 *   visitor, no claim to the visitor's name, the persona's language kept;
 * - expression: the avatar's expression on labelled turns, macro-F1 over the labels used;
 * - latency: time to first token and to the whole reply, first turn of a conversation (the
 *   visitor typed for `--pause` ms after opening it) and later turns (sent `--read` ms after the
 *   reply before them ended, as a visitor reads and types).
 *
 * Conversations are split into a tuning and a reporting half by a hash of their id; both are
 * printed. Tune on the first, report the second. The last line is one line of JSON.
 * With `--provider openai`, OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_MODEL choose the model.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeSseStream, type StreamPart } from '@vibhava/protocol';
import { parseKnowledgeFile } from '../src/knowledge/knowledge-file.js';
import { defaultModelsDir } from '../src/providers/local/model-files.js';
import { startServer, type RunningServer } from '../src/server.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(import.meta.dirname, 'data/replies') },
    provider: { type: 'string', default: 'local' },
    local: { type: 'string' },
    model: { type: 'string' },
    site: { type: 'string' },
    only: { type: 'string' },
    split: { type: 'string', default: 'all' },
    pause: { type: 'string', default: '3000' },
    read: { type: 'string', default: '2000' },
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});

const PROVIDERS = ['local', 'openai'] as const;
const FOUND = PROVIDERS.find((p) => p === values.provider);
if (!FOUND) {
  console.error(`--provider must be one of ${PROVIDERS.join(', ')} (got ${values.provider})`);
  process.exit(2);
}
if (values.seed !== 'random' && !/^\d+$/.test(values.seed)) {
  console.error(`--seed must be a whole number or "random" (got ${values.seed})`);
  process.exit(2);
}
// Narrowed once here: a function body does not see the check above.
const PROVIDER: (typeof PROVIDERS)[number] = FOUND;

// ---------------------------------------------------------------- scenarios

type Expression = 'joy' | 'sadness' | 'fear' | 'surprise' | 'neutral';
interface Expect {
  kind: 'fact' | 'unknown' | 'recall';
  any?: string[];
  all?: string[];
  none?: string[];
}
interface Turn {
  say: string;
  expect?: Expect;
  expression?: Expression;
}
interface Conversation {
  id: string;
  visitor: string | null;
  sessions: Turn[][];
}
interface Site {
  id: string;
  persona: {
    name: string;
    tagline: string;
    description: string;
    personality: string;
    language: string;
    greeting: string;
  };
  knowledge: string;
  conversations: Conversation[];
}

function loadSites(dir: string): Site[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Site)
    .filter((site) => !values.site || site.id === values.site);
}

/** The half a conversation belongs to, fixed by its id. */
function splitOf(id: string): 'tune' | 'report' {
  return createHash('sha256').update(id).digest()[0]! % 2 === 0 ? 'tune' : 'report';
}

// ---------------------------------------------------------------- scoring

const REFUSAL = [
  /\b(?:sorry|apologi[sz]e)\b[^.!?]{0,40}\b(?:can(?:'|no)?t|cannot|unable to|not able to)\s+(?:help|assist|answer|provide|do that|comply|fulfil|support)/i,
  /\bI (?:can(?:'|no)?t|cannot|am unable to|'m unable to|am not able to) (?:help|assist) (?:you )?with (?:that|this)/i,
  /\bI(?:'m| am) (?:only )?(?:here|able|designed|programmed) to (?:help|assist|answer) (?:you )?(?:with|about) (?:questions about )?(?:the|our|this)/i,
  /\bI can only (?:help|answer|assist|talk)/i,
  /\b(?:outside|beyond) (?:of )?(?:my|the) (?:scope|expertise|capabilities)/i,
  /\bI(?:'m| am) not able to (?:help|assist|provide)/i,
];
const HEDGE = [
  /\b(?:not|n't) (?:be )?(?:sure|certain)\b/i,
  /\bI (?:do not|don't|dont) (?:know|have (?:that|this|any|the|specific|enough|more)? ?(?:info|information|details))/i,
  /\b(?:no|any) (?:specific |such )?(?:information|info|details)\b/i,
  /\bcan(?:'|no)?t (?:say|confirm|tell)\b/i,
  /\b(?:call|phone|contact|email|e-mail|ask|reach|check with)\b/i,
  /\bunfortunately,? I (?:do not|don't)/i,
  /\bno (?:lo )?s[eé]\b|\bno estoy segur|\bno tengo (?:esa |ninguna |m[aá]s )?informaci[oó]n|\bllam|\bcontact|\bpregunt|\bescrib/i,
];
const OUT_OF_CHARACTER = [
  /\bas an? (?:AI|artificial intelligence) (?:language )?model\b/i,
  /\bI(?:'m| am) (?:just |only )?an? (?:AI )?language model\b/i,
  /\b(?:Qwen|Alibaba Cloud|OpenAI's GPT)\b/i,
  /(?:^|\n)\s*(?:visitor|user|customer|human|guest|usuario|cliente)\s*:/i,
];
const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;
const STOPWORDS: Record<string, readonly string[]> = {
  en: ['the', 'and', 'you', 'is', 'to', 'a', 'we', 'our', 'for', 'it', 'your', 'of', 'in', 'are', 'can', 'i'],
  es: [
    'el',
    'la',
    'de',
    'que',
    'y',
    'en',
    'los',
    'las',
    'es',
    'por',
    'para',
    'con',
    'un',
    'una',
    'te',
    'tu',
    'no',
    'lo',
  ],
};

const matches = (patterns: readonly string[] | undefined, text: string) =>
  (patterns ?? []).some((pattern) => new RegExp(pattern, 'i').test(text));

function refused(text: string): boolean {
  return REFUSAL.some((pattern) => pattern.test(text));
}

/** The language a reply is in, of those the scenarios use, by stopwords. */
function languageOf(text: string): string {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  let best = 'en';
  let bestCount = -1;
  for (const [language, stop] of Object.entries(STOPWORDS)) {
    const count = words.filter((word) => stop.includes(word)).length;
    if (count > bestCount) [best, bestCount] = [language, count];
  }
  return words.length < 3 ? 'unknown' : best;
}

function inCharacter(text: string, site: Site, visitor: string | null): boolean {
  if (OUT_OF_CHARACTER.some((pattern) => pattern.test(text)) || CJK.test(text)) return false;
  if (visitor && new RegExp(`\\b(?:my name is|I'm|I am|me llamo|soy) ${visitor}\\b`, 'i').test(text)) return false;
  const language = languageOf(text);
  return language === 'unknown' || language === site.persona.language;
}

function expectationMet(expect: Expect, text: string): boolean {
  if (matches(expect.none, text)) return false;
  if (expect.all && !expect.all.every((pattern) => new RegExp(pattern, 'i').test(text))) return false;
  if (expect.kind === 'unknown') return HEDGE.some((pattern) => pattern.test(text)) && !refused(text);
  return expect.any ? matches(expect.any, text) : true;
}

// ---------------------------------------------------------------- running

interface Reply {
  site: string;
  conversation: string;
  split: 'tune' | 'report';
  session: number;
  turn: number;
  say: string;
  text: string;
  expressions: string[];
  ttftMs: number | null;
  totalMs: number;
  expect?: Expect;
  expression?: Expression;
  knowledge: string[];
  memories: string[];
  error?: string;
}

async function call(server: RunningServer, path: string, init: { body?: unknown; token?: string; admin?: Admin }) {
  const headers: Record<string, string> = { 'content-type': 'application/json', origin: server.url };
  if (init.token) headers['authorization'] = `Bearer ${init.token}`;
  if (init.admin) Object.assign(headers, { cookie: init.admin.cookie, 'x-csrf-token': init.admin.csrf });
  return fetch(`${server.url}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

interface Admin {
  cookie: string;
  csrf: string;
}

async function signIn(server: RunningServer): Promise<Admin> {
  const response = await fetch(`${server.url}/admin/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  const { csrfToken } = await json<{ csrfToken: string }>(response);
  return { cookie: response.headers.get('set-cookie')!.split(';')[0]!, csrf: csrfToken };
}

/** The site's avatar and its knowledge, through the admin API as a developer would. */
async function createAvatar(server: RunningServer, admin: Admin, site: Site): Promise<string> {
  const tenant = server.demo!.tenantId;
  const { id } = await json<{ id: string }>(
    await call(server, `/admin/v1/tenants/${tenant}/avatars`, { admin, body: site.persona }),
  );
  for (const text of parseKnowledgeFile(site.knowledge)) {
    await json(await call(server, `/admin/v1/tenants/${tenant}/knowledge`, { admin, body: { text, avatarId: id } }));
  }
  return id;
}

async function send(server: RunningServer, token: string, conversationId: string, content: string) {
  const started = performance.now();
  const response = await call(server, `/v1/conversations/${conversationId}/messages`, { token, body: { content } });
  if (!response.ok || !response.body) throw new Error(`send: ${response.status} ${await response.text()}`);
  let text = '';
  let ttftMs: number | null = null;
  const expressions: string[] = [];
  let knowledge: string[] = [];
  let memories: string[] = [];
  let error: string | undefined;
  for await (const part of decodeSseStream(response.body) as AsyncIterable<StreamPart>) {
    if (part.type === 'text-delta') {
      ttftMs ??= performance.now() - started;
      text += part.delta;
    } else if (part.type === 'emotion') expressions.push(part.emotion);
    else if (part.type === 'context') {
      knowledge = (part.trace.knowledge ?? []).map((k) => k.text);
      memories = part.trace.memories.map((m) => m.text);
    } else if (part.type === 'error') error = `${part.error.code}: ${part.error.message}`;
  }
  return { text: text.trim(), ttftMs, totalMs: performance.now() - started, expressions, knowledge, memories, error };
}

async function runConversation(server: RunningServer, site: Site, avatarId: string, conversation: Conversation) {
  const session = await json<{ token: string }>(
    await call(server, '/v1/sessions', { body: { publishableKey: server.demo!.publishableKey, avatarId } }),
  );
  const replies: Reply[] = [];
  for (const [index, turns] of conversation.sessions.entries()) {
    // What the visitor said before is remembered (in the background) before they come back.
    await settle(server);
    const { id } = await json<{ id: string }>(
      await call(server, '/v1/conversations', { token: session.token, body: {} }),
    );
    // The visitor reads the greeting and types while the server prepares.
    await sleep(Number(values.pause));
    for (const [turn, step] of turns.entries()) {
      if (turn > 0) await sleep(Number(values.read));
      const { error, ...reply } = await send(server, session.token, id, step.say);
      replies.push({
        site: site.id,
        conversation: conversation.id,
        split: splitOf(conversation.id),
        session: index,
        turn,
        say: step.say,
        ...reply,
        ...(step.expect ? { expect: step.expect } : {}),
        ...(step.expression ? { expression: step.expression } : {}),
        ...(error ? { error } : {}),
      });
      progress(replies.at(-1)!);
    }
  }
  return replies;
}

async function settle(server: RunningServer) {
  for (let i = 0; i < 3; i++) {
    await sleep(50);
    await server.settled();
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function progress(reply: Reply) {
  const mark = reply.expect ? (expectationMet(reply.expect, reply.text) ? '✓' : '✗') : ' ';
  const face = reply.expressions.join('→') || '-';
  process.stderr.write(
    `${mark} ${reply.conversation}#${reply.session}.${reply.turn} [${face}] ${Math.round(reply.ttftMs ?? -1)} ms  ${reply.say}\n    → ${reply.text.replace(/\s+/g, ' ').slice(0, 220)}\n`,
  );
}

// ---------------------------------------------------------------- figures

const EXPRESSIONS: readonly Expression[] = ['joy', 'sadness', 'fear', 'surprise', 'neutral'];

function macroF1(pairs: ReadonlyArray<{ gold: Expression; predicted: string }>): number {
  const labels = EXPRESSIONS.filter((label) => pairs.some((pair) => pair.gold === label));
  const f1s = labels.map((label) => {
    const tp = pairs.filter((p) => p.gold === label && p.predicted === label).length;
    const fp = pairs.filter((p) => p.gold !== label && p.predicted === label).length;
    const fn = pairs.filter((p) => p.gold === label && p.predicted !== label).length;
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  return f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0;
}

const rate = (hits: number, total: number) => (total === 0 ? null : hits / total);
const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

function figures(replies: readonly Reply[], sites: readonly Site[]) {
  const site = (id: string) => sites.find((s) => s.id === id)!;
  const visitorOf = (reply: Reply) =>
    site(reply.site).conversations.find((c) => c.id === reply.conversation)?.visitor ?? null;
  const of = (kind: Expect['kind'], session?: 'same' | 'new') =>
    replies.filter(
      (r) =>
        r.expect?.kind === kind && (session === undefined || (session === 'new') === (r.session > 0 && r.turn === 0)),
    );
  const met = (list: readonly Reply[]) => list.filter((r) => expectationMet(r.expect!, r.text)).length;
  const recall = of('recall');
  const labelled = replies.filter((r) => r.expression);
  const first = replies.filter((r) => r.turn === 0);
  const later = replies.filter((r) => r.turn > 0);
  const times = (list: readonly Reply[], key: 'ttftMs' | 'totalMs') =>
    list.flatMap((r) => (r[key] === null ? [] : [r[key]]));
  return {
    replies: replies.length,
    conversations: new Set(replies.map((r) => r.conversation)).size,
    benignRefusals: rate(replies.filter((r) => refused(r.text)).length, replies.length),
    groundedFacts: rate(met(of('fact')), of('fact').length),
    honestUnknowns: rate(met(of('unknown')), of('unknown').length),
    visitorRecall: rate(met(recall), recall.length),
    visitorRecallSameConversation: rate(met(of('recall', 'same')), of('recall', 'same').length),
    visitorRecallNewConversation: rate(met(of('recall', 'new')), of('recall', 'new').length),
    inCharacter: rate(
      replies.filter((r) => r.text && inCharacter(r.text, site(r.site), visitorOf(r))).length,
      replies.length,
    ),
    expressionMacroF1: macroF1(
      labelled.map((r) => ({ gold: r.expression!, predicted: r.expressions.at(-1) ?? 'neutral' })),
    ),
    expressionFirstMacroF1: macroF1(
      labelled.map((r) => ({ gold: r.expression!, predicted: r.expressions[0] ?? 'neutral' })),
    ),
    errors: replies.filter((r) => r.error || !r.text).length,
    ttftFirstTurnP50: percentile(times(first, 'ttftMs'), 50),
    ttftFirstTurnP90: percentile(times(first, 'ttftMs'), 90),
    ttftLaterP50: percentile(times(later, 'ttftMs'), 50),
    ttftLaterP90: percentile(times(later, 'ttftMs'), 90),
    replyFirstTurnP50: percentile(times(first, 'totalMs'), 50),
    replyLaterP50: percentile(times(later, 'totalMs'), 50),
  };
}

type Figures = ReturnType<typeof figures>;

const TARGETS: Partial<Record<keyof Figures, string>> = {
  benignRefusals: '≤ 2 %',
  groundedFacts: '≥ 85 %',
  honestUnknowns: '≥ 80 %',
  visitorRecall: '≥ 90 %',
  inCharacter: '≥ 95 %',
  expressionMacroF1: '≥ 0.5',
};

function printTable(columns: Record<string, Figures>) {
  const names = Object.keys(columns);
  const format = (key: keyof Figures, value: number | null) => {
    if (value === null) return '–';
    if (key.startsWith('ttft') || key.startsWith('reply')) return `${(value / 1000).toFixed(2)} s`;
    if (key.includes('MacroF1')) return value.toFixed(3);
    if (key === 'replies' || key === 'conversations' || key === 'errors') return String(value);
    return `${(value * 100).toFixed(1)} %`;
  };
  const rows = (Object.keys(columns[names[0]!]!) as Array<keyof Figures>).map((key) => [
    key,
    ...names.map((name) => format(key, columns[name]![key])),
    TARGETS[key] ?? '',
  ]);
  const header = ['figure', ...names, 'target'];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => String(row[i]).length)));
  const line = (row: readonly unknown[]) => row.map((cell, i) => String(cell).padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

// ---------------------------------------------------------------- main

const ADMIN = { email: 'bench@vibhava.example', password: 'bench-password-123' };

async function main() {
  const sites = loadSites(values.data!);
  const dataDir = mkdtempSync(join(tmpdir(), 'vibhava-bench-replies-'));
  const server = await startServer({
    port: 0,
    dataDir,
    demo: true,
    demoAdmin: ADMIN,
    log: () => {},
    // One visitor runs through many scripted turns: rate limits would only slow the bench.
    rateLimits: { messagesPerVisitor: 100_000, requestsPerIp: 100_000, sessionsPerIp: 100_000 },
    providers: {
      provider: PROVIDER,
      openai: {
        apiKey: process.env['OPENAI_API_KEY'],
        baseURL: process.env['OPENAI_BASE_URL'],
        model: process.env['OPENAI_MODEL'] ?? 'gpt-4o-mini',
      },
      local: {
        modelsDir: process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir(),
        ...(values.local ? { model: values.local } : {}),
        ...(values.model ? { modelPath: values.model } : {}),
        // The same prompt gets the same reply: two runs differ only where their prompts do.
        ...(values.seed === 'random' ? {} : { seed: Number(values.seed) }),
      },
    },
  });
  const replies: Reply[] = [];
  try {
    const admin = await signIn(server);
    for (const site of sites) {
      const avatarId = await createAvatar(server, admin, site);
      for (const conversation of site.conversations) {
        if (values.split !== 'all' && splitOf(conversation.id) !== values.split) continue;
        if (values.only && !new RegExp(values.only).test(conversation.id)) continue;
        replies.push(...(await runConversation(server, site, avatarId, conversation)));
      }
    }
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (values.out) writeFileSync(values.out, JSON.stringify(replies, null, 1));
  const columns: Record<string, Figures> = {};
  for (const split of ['tune', 'report'] as const) {
    const part = replies.filter((r) => r.split === split);
    if (part.length) columns[split] = figures(part, sites);
  }
  columns['all'] = figures(replies, sites);
  console.log(`\nreplies benchmark: ${server.model.provider} ${server.model.modelId}, ${sites.length} sites\n`);
  printTable(columns);
  console.log(JSON.stringify({ bench: 'replies', model: server.model.modelId, ...columns }));
}

await main();
