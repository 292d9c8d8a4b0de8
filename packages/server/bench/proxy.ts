/**
 * pnpm bench proxy [--requests N] [--seconds S]
 * The gateway's own cost, measured in one run against the same local OpenAI-wire upstream that
 * streams at once: time to first token and total time, direct vs through VibhavaFusion (visitor
 * token, origin check, rate limits, a budget, message storage and the usage ledger all on) vs
 * through @portkey-ai/gateway; and requests/s of our hot path ÷ a bare node:http proxy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '300' }, seconds: { type: 'string', default: '4' } },
});
const REQUESTS = Number(values.requests);
const SECONDS = Number(values.seconds);
const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = resolve(here, '..');
const children: ChildProcess[] = [];
const ORIGIN = 'http://bench.local';

function start(args: string[], env: Record<string, string> = {}, match = /(https?:\/\/\S+)/): Promise<string> {
  const child = spawn(process.execPath, args, {
    cwd: packageRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolveUrl, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const found = match.exec(line);
      if (found) resolveUrl(found[1]!.replace(/\/$/, ''));
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${url} did not come up`);
}

interface Timing {
  ttftMs: number;
  totalMs: number;
}

/** One streamed request: time until the first text ("You ") and until the end of the body. */
async function timed(url: string, init: RequestInit): Promise<Timing> {
  const started = performance.now();
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let text = '';
  let ttftMs = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (!ttftMs) {
      text += decoder.decode(chunk, { stream: true });
      if (text.includes('You ')) ttftMs = performance.now() - started;
    }
  }
  return { ttftMs, totalMs: performance.now() - started };
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function series(request: () => Promise<Timing>): Promise<{ ttft: number[]; total: number[] }> {
  for (let i = 0; i < 30; i++) await request(); // warm-up: JIT, connections, caches
  const ttft: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = await request();
    ttft.push(t.ttftMs);
    total.push(t.totalMs);
  }
  return { ttft, total };
}

async function throughput(makeRequest: (worker: number) => () => Promise<Timing>, concurrency = 8): Promise<number> {
  const deadline = performance.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      const request = makeRequest(worker);
      while (performance.now() < deadline) {
        await request();
        done++;
      }
    }),
  );
  return done / SECONDS;
}

try {
  const upstream = await start(['--import', 'tsx', join(here, 'proxy/upstream.ts')]);
  const bare = await start(['--import', 'tsx', join(here, 'proxy/bare-proxy.ts'), upstream]);
  const ours = await start(
    [
      ...(process.env['BENCH_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`] : []),
      '--import',
      'tsx',
      'src/cli.ts',
      'start',
    ],
    {
      PORT: '0',
      VIBHAVA_DATA_DIR: mkdtempSync(join(tmpdir(), 'vibhava-bench-')),
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: upstream,
      VIBHAVA_ALLOWED_ORIGINS: ORIGIN,
      VIBHAVA_ADMIN_EMAIL: 'bench@bench.local',
      VIBHAVA_ADMIN_PASSWORD: 'bench-password-123',
      RATE_LIMIT_MESSAGES_PER_MINUTE: '100000000',
      RATE_LIMIT_IP_PER_MINUTE: '100000000',
    },
    /listening on (http:\/\/\S+)/,
  );
  const portkeyPort = await freePort();
  children.push(
    spawn(
      process.execPath,
      [
        join(packageRoot, 'node_modules/@portkey-ai/gateway/build/start-server.js'),
        `--port=${portkeyPort}`,
        '--headless',
      ],
      {
        stdio: 'ignore',
        env: { ...process.env, NODE_ENV: 'production' },
      },
    ),
  );
  const portkey = `http://127.0.0.1:${portkeyPort}`;
  await waitFor(portkey);

  // Our side: a budget on (tenant-wide, far from its limit), a visitor session, conversations.
  const login = await fetch(`${ours}/admin/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@bench.local', password: 'bench-password-123' }),
  });
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const quota = await fetch(`${ours}/admin/v1/tenants/tnt_demo/quotas`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ scope: 'visitor', metric: 'messages', period: 'day', limit: 1_000_000_000 }),
  });
  if (quota.status !== 201) throw new Error(`quota: ${quota.status} ${await quota.text()}`);
  const session = (await (
    await fetch(`${ours}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ publishableKey: 'pk_demo_local', avatarId: 'avt_demo' }),
    })
  ).json()) as { token: string };
  const auth = { authorization: `Bearer ${session.token}`, origin: ORIGIN, 'content-type': 'application/json' };
  const conversation = async () =>
    (
      (await (await fetch(`${ours}/v1/conversations`, { method: 'POST', headers: auth, body: '{}' })).json()) as {
        id: string;
      }
    ).id;

  const chatBody = JSON.stringify({
    model: 'gpt-4o-mini',
    stream: true,
    messages: [{ role: 'user', content: 'hello there friend' }],
  });
  const direct = () =>
    timed(`${upstream}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody,
    });
  const viaBare = () =>
    timed(`${bare}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody });
  const viaPortkey = () =>
    timed(`${portkey}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer sk-test',
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': upstream,
      },
      body: chatBody,
    });
  const viaOurs = (conversationId: string) => () =>
    timed(`${ours}/v1/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ content: 'hello there friend' }),
    });

  const directRun = await series(direct);
  const oursRun = await series(viaOurs(await conversation()));
  const portkeyRun = await series(viaPortkey);
  const directAgain = await series(direct); // the baseline again, after the others: drift check

  const workers = await Promise.all(Array.from({ length: 8 }, () => conversation()));
  const bareRps = await throughput(() => viaBare);
  const oursRps = await throughput((worker) => viaOurs(workers[worker]!));

  const stats = (run: { ttft: number[]; total: number[] }) => ({
    ttftP50: percentile(run.ttft, 50),
    ttftP99: percentile(run.ttft, 99),
    totalP50: percentile(run.total, 50),
    totalP99: percentile(run.total, 99),
  });
  const d = stats(directRun);
  const o = stats(oursRun);
  const p = stats(portkeyRun);
  const d2 = stats(directAgain);
  const round = (x: number) => Number(x.toFixed(3));
  const result = {
    bench: 'proxy',
    requests: REQUESTS,
    direct: { ...Object.fromEntries(Object.entries(d).map(([k, v]) => [k, round(v)])) },
    directAgain: { ttftP50: round(d2.ttftP50), ttftP99: round(d2.ttftP99) },
    ours: { ...Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)])) },
    portkey: { ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, round(v)])) },
    overheadMs: {
      oursTtftP50: round(o.ttftP50 - d.ttftP50),
      oursTtftP99: round(o.ttftP99 - d.ttftP99),
      portkeyTtftP50: round(p.ttftP50 - d.ttftP50),
      portkeyTtftP99: round(p.ttftP99 - d.ttftP99),
    },
    oursOverPortkeyP50: round((o.ttftP50 - d.ttftP50) / (p.ttftP50 - d.ttftP50)),
    requestsPerSecond: { bare: round(bareRps), ours: round(oursRps), ratio: round(oursRps / bareRps) },
    targets: { overheadP50Ms: 0.5, overheadP99Ms: 1.5, oursOverPortkey: 0.5, rpsRatio: 0.75 },
  };

  const fmt = (x: number) => `${x.toFixed(2)} ms`;
  console.log(`proxy benchmark: ${REQUESTS} sequential streamed requests each, same local upstream\n`);
  console.log(
    `${''.padEnd(26)}${'TTFT p50'.padStart(12)}${'TTFT p99'.padStart(12)}${'total p50'.padStart(12)}${'total p99'.padStart(12)}`,
  );
  for (const [name, s] of [
    ['direct (baseline)', d],
    ['VibhavaFusion', o],
    ['@portkey-ai/gateway', p],
    ['direct, again', d2],
  ] as const) {
    console.log(
      `${name.padEnd(26)}${fmt(s.ttftP50).padStart(12)}${fmt(s.ttftP99).padStart(12)}${fmt(s.totalP50).padStart(12)}${fmt(s.totalP99).padStart(12)}`,
    );
  }
  console.log(
    `\noverhead on TTFT          ours p50 ${fmt(result.overheadMs.oursTtftP50)} (target ≤ 0.5), p99 ${fmt(result.overheadMs.oursTtftP99)} (target ≤ 1.5)`,
  );
  console.log(
    `                          Portkey p50 ${fmt(result.overheadMs.portkeyTtftP50)}, p99 ${fmt(result.overheadMs.portkeyTtftP99)}`,
  );
  console.log(`ours ÷ Portkey (p50)      ${result.oursOverPortkeyP50} (target ≤ 0.5)`);
  console.log(
    `requests/s (8 at a time)  bare node:http proxy ${bareRps.toFixed(0)}, ours ${oursRps.toFixed(0)}, ratio ${result.requestsPerSecond.ratio} (target ≥ 0.75)`,
  );
  console.log(JSON.stringify(result));
} finally {
  for (const child of children) child.kill();
}
