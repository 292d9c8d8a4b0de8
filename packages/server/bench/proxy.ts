/**
 * pnpm bench proxy [--requests N] [--seconds S]
 * The gateway's own cost, measured in one run against the same local OpenAI-wire upstream that
 * streams at once: time to first token and total time, direct vs through VibhavaFusion (visitor
 * token, origin check, rate limits, a budget, message storage and the usage ledger all on) vs
 * through @portkey-ai/gateway; and requests/s of our hot path ÷ a bare node:http proxy.
 * Two floors run beside them: the bare node:http proxy, and a Hono + `openai` relay (the stack
 * the server is built on, doing nothing else), so what any proxy, and our stack, costs is known.
 *
 * The paths take turns (one request each, round after round; throughput in alternating slices),
 * so a machine whose load changes during the run shifts them alike. Where /proc exists, the CPU
 * time each server spent per request is reported too: the least noisy figure on a shared machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
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

/** A child server: its URL, and its pid for CPU accounting. */
interface Started {
  url: string;
  pid: number;
}

function start(args: string[], env: Record<string, string> = {}, match = /(https?:\/\/\S+)/): Promise<Started> {
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
      if (found) resolveUrl({ url: found[1]!.replace(/\/$/, ''), pid: child.pid! });
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

interface Series {
  ttft: number[];
  total: number[];
}

/** Sequential requests on every path in turn (the order rotating each round), after a warm-up. */
async function series(paths: Array<() => Promise<Timing>>): Promise<Series[]> {
  for (let i = 0; i < 30; i++) for (const request of paths) await request(); // warm-up: JIT, connections, caches
  const runs = paths.map((): Series => ({ ttft: [], total: [] }));
  for (let i = 0; i < REQUESTS; i++) {
    for (let j = 0; j < paths.length; j++) {
      const index = (i + j) % paths.length;
      const t = await paths[index]!();
      runs[index]!.ttft.push(t.ttftMs);
      runs[index]!.total.push(t.totalMs);
    }
  }
  return runs;
}

/** CPU time (user + system) a process has used, in ms; undefined without /proc. */
function cpuMs(pid: number): number | undefined {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100/s).
  const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Throughput {
  requestsPerSecond: number;
  /** The server's CPU time per request, when /proc tells. */
  cpuMsPerRequest: number | undefined;
}

/**
 * `concurrency` clients in a loop on each path, the paths alternating in four slices each
 * (SECONDS per path in all).
 */
async function throughput(
  paths: Array<{ pid: number; makeRequest: (worker: number) => () => Promise<Timing> }>,
  concurrency = 8,
): Promise<Throughput[]> {
  const slices = 4;
  const totals = paths.map(() => ({ done: 0, cpu: 0 as number | undefined }));
  for (let slice = 0; slice < slices; slice++) {
    for (const [index, path] of paths.entries()) {
      const deadline = performance.now() + (SECONDS * 1000) / slices;
      const cpuBefore = cpuMs(path.pid);
      let done = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async (_, worker) => {
          const request = path.makeRequest(worker);
          while (performance.now() < deadline) {
            await request();
            done++;
          }
        }),
      );
      const cpuAfter = cpuMs(path.pid);
      const total = totals[index]!;
      total.done += done;
      total.cpu =
        total.cpu === undefined || cpuBefore === undefined || cpuAfter === undefined
          ? undefined
          : total.cpu + cpuAfter - cpuBefore;
    }
  }
  return totals.map(({ done, cpu }) => ({
    requestsPerSecond: done / SECONDS,
    cpuMsPerRequest: cpu === undefined ? undefined : cpu / done,
  }));
}

try {
  const { url: upstream } = await start(['--import', 'tsx', join(here, 'proxy/upstream.ts')]);
  const bare = await start(['--import', 'tsx', join(here, 'proxy/bare-proxy.ts'), upstream]);
  const relay = await start(['--import', 'tsx', join(here, 'proxy/hono-relay.ts'), upstream]);
  const oursServer = await start(
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
      // The gateway path the issue measures (auth, quota, rate limit, ledger): long-term memory
      // (an embedding, a search and a background write per message) is measured by
      // `pnpm bench memory`; emotion by the n-gram model, as before memory existed.
      VIBHAVA_MEMORY: process.env['BENCH_MEMORY'] ?? 'off',
      VIBHAVA_EMOTION_CLASSIFIER: process.env['BENCH_MEMORY'] === 'on' ? 'auto' : 'ngram',
    },
    /listening on (http:\/\/\S+)/,
  );
  const ours = oursServer.url;
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
    timed(`${bare.url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody });
  const viaRelay = () =>
    timed(`${relay.url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody });
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

  const [directRun, oursRun, portkeyRun, bareRun, relayRun] = (await series([
    direct,
    viaOurs(await conversation()),
    viaPortkey,
    viaBare,
    viaRelay,
  ])) as [Series, Series, Series, Series, Series];

  const workers = await Promise.all(Array.from({ length: 8 }, () => conversation()));
  const [bareThroughput, oursThroughput, relayThroughput] = (await throughput([
    { pid: bare.pid, makeRequest: () => viaBare },
    { pid: oursServer.pid, makeRequest: (worker) => viaOurs(workers[worker]!) },
    { pid: relay.pid, makeRequest: () => viaRelay },
  ])) as [Throughput, Throughput, Throughput];
  const bareRps = bareThroughput.requestsPerSecond;
  const oursRps = oursThroughput.requestsPerSecond;

  const stats = (run: Series) => ({
    ttftP50: percentile(run.ttft, 50),
    ttftP99: percentile(run.ttft, 99),
    totalP50: percentile(run.total, 50),
    totalP99: percentile(run.total, 99),
  });
  const d = stats(directRun);
  const o = stats(oursRun);
  const p = stats(portkeyRun);
  const b = stats(bareRun);
  const r = stats(relayRun);
  const round = (x: number) => Number(x.toFixed(3));
  const result = {
    bench: 'proxy',
    requests: REQUESTS,
    direct: { ...Object.fromEntries(Object.entries(d).map(([k, v]) => [k, round(v)])) },
    ours: { ...Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)])) },
    portkey: { ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, round(v)])) },
    bare: { ...Object.fromEntries(Object.entries(b).map(([k, v]) => [k, round(v)])) },
    honoRelay: { ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)])) },
    overheadMs: {
      oursTtftP50: round(o.ttftP50 - d.ttftP50),
      oursTtftP99: round(o.ttftP99 - d.ttftP99),
      portkeyTtftP50: round(p.ttftP50 - d.ttftP50),
      portkeyTtftP99: round(p.ttftP99 - d.ttftP99),
      bareTtftP50: round(b.ttftP50 - d.ttftP50),
      bareTtftP99: round(b.ttftP99 - d.ttftP99),
      honoRelayTtftP50: round(r.ttftP50 - d.ttftP50),
      honoRelayTtftP99: round(r.ttftP99 - d.ttftP99),
    },
    oursOverPortkeyP50: round((o.ttftP50 - d.ttftP50) / (p.ttftP50 - d.ttftP50)),
    requestsPerSecond: {
      bare: round(bareRps),
      ours: round(oursRps),
      ratio: round(oursRps / bareRps),
      honoRelay: round(relayThroughput.requestsPerSecond),
      honoRelayRatio: round(relayThroughput.requestsPerSecond / bareRps),
    },
    cpuMsPerRequest:
      bareThroughput.cpuMsPerRequest === undefined || oursThroughput.cpuMsPerRequest === undefined
        ? null
        : {
            bare: round(bareThroughput.cpuMsPerRequest),
            ours: round(oursThroughput.cpuMsPerRequest),
            ratio: round(oursThroughput.cpuMsPerRequest / bareThroughput.cpuMsPerRequest),
            ...(relayThroughput.cpuMsPerRequest === undefined
              ? {}
              : {
                  honoRelay: round(relayThroughput.cpuMsPerRequest),
                  honoRelayRatio: round(relayThroughput.cpuMsPerRequest / bareThroughput.cpuMsPerRequest),
                }),
          },
    targets: { overheadP50Ms: 0.5, overheadP99Ms: 1.5, oursOverPortkey: 0.5, rpsRatio: 0.75 },
  };

  const fmt = (x: number) => `${x.toFixed(2)} ms`;
  console.log(`proxy benchmark: ${REQUESTS} sequential streamed requests each, paths in turn, same local upstream\n`);
  console.log(
    `${''.padEnd(26)}${'TTFT p50'.padStart(12)}${'TTFT p99'.padStart(12)}${'total p50'.padStart(12)}${'total p99'.padStart(12)}`,
  );
  for (const [name, s] of [
    ['direct (baseline)', d],
    ['VibhavaFusion', o],
    ['@portkey-ai/gateway', p],
    ['floor: bare node:http proxy', b],
    ['floor: Hono + openai relay', r],
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
  console.log(
    `                          floors: bare proxy p50 ${fmt(result.overheadMs.bareTtftP50)}, Hono + openai relay p50 ${fmt(result.overheadMs.honoRelayTtftP50)}`,
  );
  console.log(`ours ÷ Portkey (p50)      ${result.oursOverPortkeyP50} (target ≤ 0.5)`);
  console.log(
    `requests/s (8 at a time)  bare node:http proxy ${bareRps.toFixed(0)}, ours ${oursRps.toFixed(0)}, ratio ${result.requestsPerSecond.ratio} (target ≥ 0.75)`,
  );
  console.log(
    `                          floor: Hono + openai relay ${result.requestsPerSecond.honoRelay.toFixed(0)}, ratio ${result.requestsPerSecond.honoRelayRatio}`,
  );
  if (result.cpuMsPerRequest) {
    console.log(
      `server CPU per request    bare ${fmt(result.cpuMsPerRequest.bare)}, ours ${fmt(result.cpuMsPerRequest.ours)}, ratio ${result.cpuMsPerRequest.ratio}` +
        (result.cpuMsPerRequest.honoRelay === undefined
          ? ''
          : `; Hono + openai relay ${fmt(result.cpuMsPerRequest.honoRelay)}, ratio ${result.cpuMsPerRequest.honoRelayRatio}`),
    );
  }
  console.log(JSON.stringify(result));
} finally {
  // Servers before the upstream, so their background work does not fail loudly on the way out.
  for (const child of children.reverse()) child.kill();
}
