/// <reference lib="dom" />
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBrowser, exampleUrl, type ExampleUrls } from './harness/provided.js';
import {
  echoOf,
  openWithLauncher,
  sendInWidget,
  waitForBubble,
  waitForListedReply,
  watchReplies,
} from './harness/widget-page.js';

interface WidgetExample {
  name: keyof ExampleUrls;
  /** How a visitor opens the avatar on this page. */
  open: (page: Page) => Promise<void>;
  /** Whether the page lists replies from the element's `vibhava-message` events in `#replies`. */
  listsReplies: boolean;
}

/** React and Vue open the widget through their own button: the `open` prop reaches the element. */
async function openWithAppButton(page: Page): Promise<void> {
  const button = await page.waitForSelector('::-p-text(Ask the avatar)');
  await button!.click();
}

const examples: WidgetExample[] = [
  { name: 'script-tag', open: openWithLauncher, listsReplies: false },
  { name: 'vite', open: openWithLauncher, listsReplies: true },
  { name: 'react', open: openWithAppButton, listsReplies: true },
  { name: 'vue', open: openWithAppButton, listsReplies: true },
];

let browser: Browser;
beforeAll(async () => {
  browser = await connectBrowser();
});
afterAll(async () => {
  await browser?.disconnect();
});

describe.each(examples)('the $name example', ({ name, open, listsReplies }) => {
  it('gets a streamed reply from the avatar', async () => {
    const context = await browser.createBrowserContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      const replies = watchReplies(page);
      await page.goto(exampleUrl(name), { waitUntil: 'load' });
      await open(page);
      const message = `Hello from the ${name} example!`;
      await sendInWidget(page, message);

      expect(await waitForBubble(page, 'assistant', echoOf(message))).toContain(echoOf(message));
      // The element's typed event reached the page's own code (a listener, React, Vue).
      if (listsReplies) expect(await waitForListedReply(page, echoOf(message))).toEqual([echoOf(message)]);
      expect(replies).toEqual([expect.stringMatching(/^text\/event-stream/)]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
