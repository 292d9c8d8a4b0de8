// Loads axe-core as a classic script: it registers `window.axe`.
import 'axe-core/axe.min.js';
import type { AxeResults, ElementContext, RunOptions } from 'axe-core';
import { expect } from '@open-wc/testing';

declare global {
  interface Window {
    axe: { run(context: ElementContext, options?: RunOptions): Promise<AxeResults> };
  }
}

export interface TestServerConfig {
  serverUrl: string;
  publishableKey: string;
  avatarId: string;
  /** A second server whose upstream replies predictably (`feel:<emotion> …` picks the expression). */
  scripted: Omit<TestServerConfig, 'scripted'>;
}

/** The real servers started by web-test-runner.config.mjs. */
export async function serverConfig(): Promise<TestServerConfig> {
  const response = await fetch('/__vibhava_test_config.json');
  if (!response.ok) throw new Error(`No test server config: ${response.status}`);
  return (await response.json()) as TestServerConfig;
}

/** Runs axe on `element` (shadow DOM included) and fails with the violations listed. */
export async function expectAccessible(element: Element): Promise<void> {
  // Colours are only final once the opening animation ends.
  await Promise.all(element.shadowRoot?.getAnimations().map((animation) => animation.finished) ?? []);
  const results = await window.axe.run(element);
  const violations = results.violations.map(
    (violation) =>
      `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
  );
  expect(violations, violations.join('\n')).to.deep.equal([]);
}

/** Forgets every cached conversation (the SDK keeps them in the `vibhava` IndexedDB database). */
export function clearConversationCache(): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase('vibhava');
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}
