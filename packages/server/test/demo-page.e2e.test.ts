/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelsDir } from '../src/providers/local/model-files.js';
import { startServer } from '../src/server.js';
import { localModelFile, measureModelSpeed, modelTimeout } from './support.js';

// The README's promise, checked: `vibhava start` serves the script-tag example, and in headless
// Chromium the avatar on that page answers with a streamed reply from the embedded local model.
const widgetBuild = resolve(import.meta.dirname, '../../widget/dist/vibhava-avatar.min.js');
const chromium = process.env['CHROME_PATH'] ?? '/usr/bin/chromium';
if (!existsSync(widgetBuild)) throw new Error(`Build the widget first (pnpm build): ${widgetBuild} is missing.`);

// Started and measured before the test is defined: its timeout comes from this machine's speed
// and the tokens a reply may read (the context) and write (capped) (docs/testing.md).
const CONTEXT_TOKENS = 2048;
const REPLY_TOKENS = 64;
localModelFile();
const dataDir = mkdtempSync(join(tmpdir(), 'vibhava-demo-'));
const server = await startServer({
  port: 0,
  dataDir,
  demo: true,
  providers: {
    provider: 'local',
    local: {
      modelsDir: process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir(),
      contextSize: CONTEXT_TOKENS,
      maxOutputTokens: REPLY_TOKENS,
    },
  },
  log: () => {},
});
const speed = await measureModelSpeed(server.model);
const replyTimeout = modelTimeout(speed, { promptTokens: CONTEXT_TOKENS, outputTokens: REPLY_TOKENS });

let browser: Browser;
beforeAll(async () => {
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
      '--no-first-run',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the script-tag demo page', () => {
  // The page, the widget and the browser get 30 s on top of the reply.
  it('gets a streamed reply from the avatar', { timeout: replyTimeout + 30_000 }, async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    await page.goto(`${server.url}/`, { waitUntil: 'load' });
    await page.waitForFunction(() => customElements.get('vibhava-avatar') !== undefined);
    const launcher = await page.waitForSelector('vibhava-avatar >>> [part~="launcher"]');
    await launcher!.click();
    const input = await page.waitForSelector('vibhava-avatar >>> textarea');
    await input!.type('Hello! What can you do?');
    await page.keyboard.press('Enter');
    // The reply streams in: wait for a finished assistant message with text.
    const reply = await page.waitForFunction(
      () => {
        const root = document.querySelector('vibhava-avatar')?.shadowRoot;
        const messages = [...(root?.querySelectorAll('.message') ?? [])];
        const lastUser = messages.findLastIndex((m) => m.classList.contains('user'));
        const reply = messages
          .slice(lastUser + 1)
          .find((m) => m.classList.contains('assistant') && m.classList.contains('complete'));
        const text = reply?.textContent?.trim();
        return lastUser >= 0 && text && text.length > 3 ? text : false;
      },
      { timeout: replyTimeout },
    );
    expect(String(await reply.jsonValue()).length).toBeGreaterThan(3);
    expect(failed.filter((url) => !url.startsWith(server.url))).toEqual([]);
  });
});
