// Loads axe-core as a classic script: it registers `window.axe`.
import 'axe-core/axe.min.js';
import type { AxeResults, ElementContext, RunOptions } from 'axe-core';
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { VibhavaAvatar, VibhavaMessageEvent } from '../src/index.js';

declare global {
  interface Window {
    axe: { run(context: ElementContext, options?: RunOptions): Promise<AxeResults> };
  }
}

export interface TestServerConfig {
  serverUrl: string;
  publishableKey: string;
  avatarId: string;
  /** How long one reply of the local model may take on this machine (measured when the run starts). */
  replyTimeoutMs: number;
  /** A second server whose upstream replies predictably (`feel:<emotion> …` picks the expression). */
  scripted: ServerConfig;
  /** A server whose keys allow no origin of the test page. */
  refused: ServerConfig;
}

export type ServerConfig = Omit<TestServerConfig, 'scripted' | 'refused' | 'replyTimeoutMs'>;

/** How many requests the `refused` server answered, by HTTP method (from its own metrics). */
export async function refusedServerRequests(): Promise<Record<string, number>> {
  return (await (await fetch('/__vibhava_refused_requests.json', { cache: 'no-store' })).json()) as Record<
    string,
    number
  >;
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

export function part<T extends Element = HTMLElement>(element: VibhavaAvatar, name: string): T {
  const found = element.shadowRoot?.querySelector<T>(`[part~="${name}"]`);
  if (!found) throw new Error(`No part ${name}`);
  return found;
}

export function bubbles(element: VibhavaAvatar, role: 'user' | 'assistant'): HTMLElement[] {
  return [...(element.shadowRoot?.querySelectorAll<HTMLElement>(`[part~="message-${role}"]`) ?? [])];
}

export function mount(config: ServerConfig, publishableKey = config.publishableKey): Promise<VibhavaAvatar> {
  return fixture<VibhavaAvatar>(
    html`<vibhava-avatar
      server-url=${config.serverUrl}
      publishable-key=${publishableKey}
      avatar-id=${config.avatarId}
    ></vibhava-avatar>`,
  );
}

/** Opens the panel with a real click on the launcher. */
export async function openPanel(element: VibhavaAvatar): Promise<void> {
  part(element, 'launcher').click();
  await element.updateComplete;
}

/** Types a message into the focused textarea with the real keyboard and presses Enter. */
export async function sendByKeyboard(element: VibhavaAvatar, text: string): Promise<VibhavaMessageEvent> {
  const replied = oneEvent(element, 'vibhava-message') as Promise<VibhavaMessageEvent>;
  expect(element.shadowRoot?.activeElement).to.equal(part(element, 'input'));
  await sendKeys({ type: text });
  await sendKeys({ press: 'Enter' });
  return replied;
}
