import puppeteer, { type Browser } from 'puppeteer-core';
import { inject } from 'vitest';

/** Where each example is served, by folder name under examples/. */
export interface ExampleUrls {
  'script-tag': string;
  vite: string;
  react: string;
  vue: string;
  'headless-sdk': string;
  'node-identity': string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string;
    examples: ExampleUrls;
    browserWSEndpoint: string;
  }
}

/** The one Chromium the global setup started, shared by every test file. */
export function connectBrowser(): Promise<Browser> {
  return puppeteer.connect({ browserWSEndpoint: inject('browserWSEndpoint') });
}

export function exampleUrl(name: keyof ExampleUrls): string {
  return inject('examples')[name];
}

export function serverUrl(): string {
  return inject('serverUrl');
}
