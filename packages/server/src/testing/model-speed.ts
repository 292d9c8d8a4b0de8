import type { ChatModel } from '../providers/chat-model.js';

/** How fast this machine runs a model right now: prompt tokens read and reply tokens written per second. */
export interface ModelSpeed {
  promptTokensPerSecond: number;
  outputTokensPerSecond: number;
}

const SPEED_PROBE = [
  'Here is a list of the bakery’s breads: rye, sourdough, spelt, a seeded loaf, a white tin loaf, a',
  'wholemeal loaf, baguettes, ciabatta, focaccia with rosemary, brioche, challah on Fridays, and a',
  'gluten-free loaf baked on Tuesdays in a separate oven. Count from 1 to 40, separated by commas.',
].join(' ');

/**
 * Measures the local model on this machine, once per test file, with a short real generation:
 * the time to the first token gives the prompt speed, the rest the writing speed. Tests derive
 * their timeouts from it with {@link modelTimeout} (see docs/testing.md).
 */
export async function measureModelSpeed(model: ChatModel): Promise<ModelSpeed> {
  const started = performance.now();
  let first: number | undefined;
  let usage: { inputTokens: number; outputTokens: number; cachedInputTokens?: number | undefined } | undefined;
  for await (const part of model.stream({
    messages: [{ role: 'user', content: SPEED_PROBE }],
    signal: new AbortController().signal,
    conversationKey: `speed-probe-${process.pid}`,
    maxOutputTokens: 24,
    temperature: 0,
  })) {
    if (part.type === 'text-delta') first ??= performance.now();
    if (part.type === 'usage') usage = part;
  }
  const ended = performance.now();
  if (!usage || first === undefined) throw new Error(`${model.modelId} wrote nothing while its speed was measured.`);
  const read = Math.max(1, usage.inputTokens - (usage.cachedInputTokens ?? 0));
  const promptTokensPerSecond = read / Math.max(0.001, (first - started) / 1000);
  const written = usage.outputTokens - 1;
  const outputTokensPerSecond =
    written > 0 ? written / Math.max(0.001, (ended - first) / 1000) : promptTokensPerSecond / 10;
  // In the log, so a timeout can be read against the speed it came from.
  console.info(
    `${model.modelId} on this machine: ${promptTokensPerSecond.toFixed(0)} prompt tokens/s, ${outputTokensPerSecond.toFixed(1)} output tokens/s`,
  );
  return { promptTokensPerSecond, outputTokensPerSecond };
}

/** Slack over the measured speed: the machine may be busier later in the run than when measured. */
const TIMEOUT_MARGIN = 4;
/** No test on the model gets less than this, however fast the machine. */
const TIMEOUT_FLOOR_MS = 20_000;

/**
 * A test's timeout for the work it asks of the local model: `calls` replies, each reading at most
 * `promptTokens` and writing at most `outputTokens` (the test caps them), at the measured speed,
 * times a margin, plus `extraMs` for what is not the model (a browser, a page load).
 */
export function modelTimeout(
  speed: ModelSpeed,
  work: { promptTokens: number; outputTokens: number; calls?: number; extraMs?: number },
): number {
  const perCall = work.promptTokens / speed.promptTokensPerSecond + work.outputTokens / speed.outputTokensPerSecond;
  const ms = perCall * (work.calls ?? 1) * 1000 * TIMEOUT_MARGIN + (work.extraMs ?? 0);
  return Math.max(TIMEOUT_FLOOR_MS, Math.ceil(ms));
}
