/// <reference lib="dom" />
import type { HTTPResponse, Page } from 'puppeteer-core';

/** What the local upstream answers to `text`: the reply the page must show. */
export function echoOf(text: string): string {
  return `You said: ${text}`;
}

/**
 * Records each reply the page receives (`POST /v1/conversations/:id/messages`) as its response
 * content type: `text/event-stream` means the reply came as a stream of parts.
 */
export function watchReplies(page: Page): string[] {
  const seen: string[] = [];
  page.on('response', (response: HTTPResponse) => {
    const request = response.request();
    if (request.method() === 'POST' && /\/v1\/conversations\/[^/]+\/messages$/.test(response.url())) {
      seen.push(response.headers()['content-type'] ?? '');
    }
  });
  return seen;
}

/** The next `POST /v1/sessions` answer the page gets (a visitor session), as JSON. */
export async function nextSession(page: Page): Promise<{ visitorId: string; verified: boolean }> {
  const response = await page.waitForResponse(
    (r) => r.request().method() === 'POST' && r.url().endsWith('/v1/sessions'),
  );
  if (response.status() !== 201)
    throw new Error(`The session was refused: ${response.status()} ${await response.text()}`);
  return (await response.json()) as { visitorId: string; verified: boolean };
}

/** Opens `<vibhava-avatar>` with its own launcher button. */
export async function openWithLauncher(page: Page): Promise<void> {
  const launcher = await page.waitForSelector('vibhava-avatar >>> [part~="launcher"]');
  await launcher!.click();
}

/** Types a message into the open widget and sends it with Enter, as a visitor does. */
export async function sendInWidget(page: Page, text: string): Promise<void> {
  const input = await page.waitForSelector('vibhava-avatar >>> textarea', { visible: true });
  await input!.type(text);
  await page.keyboard.press('Enter');
}

/** Waits until a bubble of `role` in the widget shows `text`; resolves with that bubble's text. */
export async function waitForBubble(page: Page, role: 'user' | 'assistant', text: string): Promise<string> {
  const handle = await page.waitForFunction(
    (part: string, expected: string) => {
      const root = document.querySelector('vibhava-avatar')?.shadowRoot;
      const bubbles = [...(root?.querySelectorAll(`[part~="${part}"]`) ?? [])];
      return bubbles.map((b) => b.textContent?.trim() ?? '').find((t) => t.includes(expected)) ?? false;
    },
    { timeout: 60_000 },
    `message-${role}`,
    text,
  );
  return String(await handle.jsonValue());
}

/** The texts of the widget's bubbles of `role`, as they are now. */
export function bubbles(page: Page, role: 'user' | 'assistant'): Promise<string[]> {
  return page.evaluate((part: string) => {
    const root = document.querySelector('vibhava-avatar')?.shadowRoot;
    return [...(root?.querySelectorAll(`[part~="${part}"]`) ?? [])].map((b) => b.textContent?.trim() ?? '');
  }, `message-${role}`);
}

/** Waits until the page's own list (`#replies`, filled from `vibhava-message` events) shows `text`. */
export async function waitForListedReply(page: Page, text: string): Promise<string[]> {
  await page.waitForFunction(
    (expected: string) => [...document.querySelectorAll('#replies li')].some((li) => li.textContent === expected),
    { timeout: 60_000 },
    text,
  );
  return page.$$eval('#replies li', (items) => items.map((li) => li.textContent ?? ''));
}
