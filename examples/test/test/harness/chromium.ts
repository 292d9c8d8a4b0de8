import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's Chromium, headless, as in the widget and demo-page tests (CHROME_PATH overrides). */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: process.env['CHROME_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
      '--no-first-run',
    ],
  });
}
