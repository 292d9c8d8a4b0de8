/// <reference lib="dom" />
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBrowser, exampleUrl } from './harness/provided.js';
import { bubbles, echoOf, nextSession, openWithLauncher, sendInWidget, waitForBubble } from './harness/widget-page.js';

let browser: Browser;
beforeAll(async () => {
  browser = await connectBrowser();
});
afterAll(async () => {
  await browser?.disconnect();
});

/**
 * A new browser (its own cookies and IndexedDB), on the example site, signed in as `name` (or
 * not), with the avatar opened: resolves with the page and the visitor session it started.
 */
async function visit(
  name: string | null,
  run: (page: Page, session: { visitorId: string; verified: boolean }) => Promise<void>,
) {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.goto(exampleUrl('node-identity'), { waitUntil: 'load' });
    if (name) {
      await page.type('#sign-in input[name="name"]', name);
      await Promise.all([page.waitForNavigation(), page.click('#sign-in button')]);
      expect(await page.$eval('#account', (p) => p.textContent)).toContain(`Signed in as ${name}`);
    }
    const session = nextSession(page);
    await openWithLauncher(page);
    await run(page, await session);
  } finally {
    await context.close();
  }
}

describe('the node-identity example', () => {
  it('signs visitors in with identity tokens: their history follows them to another browser', async () => {
    const remembered = 'My code word is juniper.';
    let ada = '';
    await visit('Ada', async (page, session) => {
      expect(session.verified).toBe(true);
      ada = session.visitorId;
      await sendInWidget(page, remembered);
      await waitForBubble(page, 'assistant', echoOf(remembered));
    });

    // Ada again, in a browser that has never seen her: the same visitor, with her conversation.
    await visit('Ada', async (page, session) => {
      expect(session).toEqual({ ...session, verified: true, visitorId: ada });
      expect(await waitForBubble(page, 'user', remembered)).toContain(remembered);
    });

    // Someone else signed in is someone else, and an anonymous visitor is not verified.
    await visit('Grace', async (page, session) => {
      expect(session.verified).toBe(true);
      expect(session.visitorId).not.toBe(ada);
      await sendInWidget(page, 'Hi, I am Grace.');
      await waitForBubble(page, 'assistant', echoOf('Hi, I am Grace.'));
      expect((await bubbles(page, 'user')).join('\n')).not.toContain(remembered);
    });
    await visit(null, async (_page, session) => {
      expect(session.verified).toBe(false);
    });
  });

  it('mints identity tokens for signed-in users only', async () => {
    const response = await fetch(`${exampleUrl('node-identity')}/identity-token`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });
});
