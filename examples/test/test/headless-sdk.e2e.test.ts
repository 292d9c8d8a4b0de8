/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBrowser, exampleUrl } from './harness/provided.js';
import { echoOf, watchReplies } from './harness/widget-page.js';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let replies: string[];
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await connectBrowser();
  context = await browser.createBrowserContext();
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  replies = watchReplies(page);
  await page.goto(exampleUrl('headless-sdk'), { waitUntil: 'load' });
  await page.waitForSelector('#status[data-status="ready"]');
  // Every status the page shows, for the chat and for each assistant message, in order.
  await page.evaluate(() => {
    const seen: string[] = [];
    Object.assign(window, { seen });
    new MutationObserver(() => {
      seen.push(`chat:${document.querySelector('#status')?.textContent}`);
      for (const m of document.querySelectorAll<HTMLElement>('.message[data-role="assistant"]')) {
        seen.push(`reply:${m.dataset['status']}`);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
});
afterAll(async () => {
  await context?.close();
  await browser?.disconnect();
});

async function send(text: string): Promise<void> {
  await page.type('#input', text);
  await page.keyboard.press('Enter');
}

describe('the headless SDK example', () => {
  it('shows who it talks to once connected', async () => {
    expect(await page.$eval('#avatar-name', (h) => h.textContent)).toMatch(/^Chat with \S/);
    expect(await page.$eval('#greeting', (p) => p.textContent)).not.toBe('');
    expect(await page.$eval('#error', (e) => (e as HTMLElement).hidden)).toBe(true);
  });

  it('streams a reply into its own message list, with the status as it goes', async () => {
    const message = 'Hello from my own UI!';
    await send(message);
    await page.waitForFunction(
      (expected: string) =>
        [...document.querySelectorAll<HTMLElement>('.message[data-role="assistant"][data-status="complete"]')].some(
          (m) => m.textContent === expected,
        ),
      { timeout: 60_000 },
      echoOf(message),
    );
    await page.waitForSelector('#status[data-status="ready"]');
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    // The chat went from streaming back to ready, and the reply was shown streaming before complete.
    expect(seen.indexOf('chat:streaming')).toBeGreaterThanOrEqual(0);
    expect(seen.lastIndexOf('chat:ready')).toBeGreaterThan(seen.indexOf('chat:streaming'));
    expect(seen.indexOf('reply:streaming')).toBeGreaterThanOrEqual(0);
    expect(seen.lastIndexOf('reply:complete')).toBeGreaterThan(seen.indexOf('reply:streaming'));
    expect(await page.$$eval('.message[data-role="user"]', (m) => m.map((e) => e.textContent))).toEqual([message]);
    expect(replies).toEqual([expect.stringMatching(/^text\/event-stream/)]);
    // After the reply the memory view is loaded (what it holds depends on the extractor).
    await page.waitForFunction(() => document.querySelectorAll('#memories li').length > 0);
    expect(await page.$$eval('#memories [role="alert"]', (a) => a.length)).toBe(0);
  });

  it('shows the error when the model fails, and recovers on the next message', async () => {
    // The local upstream answers `fail:500` with an HTTP 500 (after the server's retry).
    await send('fail:500');
    await page.waitForSelector('#error:not([hidden])', { timeout: 60_000 });
    expect(await page.$eval('#error', (e) => e.textContent)).not.toBe('');
    await page.waitForFunction(() => document.querySelector<HTMLButtonElement>('#send')?.disabled === false);

    await page.$eval('#input', (input) => ((input as HTMLTextAreaElement).value = ''));
    await send('Still there?');
    await page.waitForFunction(
      (expected: string) =>
        [...document.querySelectorAll('.message[data-role="assistant"]')].some((m) => m.textContent === expected),
      { timeout: 60_000 },
      echoOf('Still there?'),
    );
    expect(await page.$eval('#error', (e) => (e as HTMLElement).hidden)).toBe(true);
  });

  it('starts a new conversation', async () => {
    await page.click('#new-conversation');
    await page.waitForFunction(() => document.querySelectorAll('.message').length === 0);
    await send('A fresh start');
    await page.waitForFunction(
      (expected: string) =>
        [...document.querySelectorAll('.message[data-role="assistant"]')].some((m) => m.textContent === expected),
      { timeout: 60_000 },
      echoOf('A fresh start'),
    );
    expect(await page.$$eval('.message', (m) => m.length)).toBe(2);
    expect(pageErrors).toEqual([]);
  });
});
