/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelsDir } from '../src/providers/local/model-files.js';
import { startServer, type RunningServer } from '../src/server.js';

// The README's promise, checked: `vibhava start` serves the script-tag example, and in headless
// Chromium the avatar on that page answers with a streamed reply from the embedded local model.
const widgetBuild = resolve(import.meta.dirname, '../../widget/dist/vibhava-avatar.min.js');
const chromium = process.env['CHROME_PATH'] ?? '/usr/bin/chromium';

let server: RunningServer;
let browser: Browser;
let dataDir: string;
beforeAll(async () => {
  if (!existsSync(widgetBuild)) throw new Error(`Build the widget first (pnpm build): ${widgetBuild} is missing.`);
  dataDir = mkdtempSync(join(tmpdir(), 'vibhava-demo-'));
  server = await startServer({
    port: 0,
    dataDir,
    demo: true,
    providers: {
      provider: 'local',
      local: {
        modelsDir: process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir(),
        contextSize: 2048,
      },
    },
    log: () => {},
  });
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
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the script-tag demo page', () => {
  it('gets a streamed reply from the avatar', async () => {
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
      { timeout: 60_000 },
    );
    expect(String(await reply.jsonValue()).length).toBeGreaterThan(3);
    expect(failed.filter((url) => !url.startsWith(server.url))).toEqual([]);
  });
});
