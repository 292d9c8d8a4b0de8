import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { createVibhavaClient, type VibhavaClient } from '@vibhava/sdk';
import '../src/define.js';
import type { VibhavaAvatar, VibhavaMessageEvent } from '../src/index.js';
import {
  bubbles,
  expectAccessible,
  mount,
  openPanel,
  part,
  sendByKeyboard,
  serverConfig,
  type TestServerConfig,
} from './helpers.js';

// Needs the server's `context` part, trace, regenerate and edit routes. The scripted server's
// model echoes the message (`You said: …`), so every reply is known in advance.

function lastRow(element: VibhavaAvatar): HTMLElement {
  const rows = element.shadowRoot!.querySelectorAll<HTMLElement>('[part~="feedback"]');
  return rows[rows.length - 1]!;
}

function lastToggle(element: VibhavaAvatar): HTMLButtonElement {
  return lastRow(element).querySelector<HTMLButtonElement>('[part~="trace-toggle"]')!;
}

describe('<vibhava-avatar> reply actions', () => {
  let config: TestServerConfig['scripted'];
  let client: VibhavaClient;

  before(async () => {
    config = (await serverConfig()).scripted;
    client = createVibhavaClient(config);
    await client.forgetAll();
    await client.setMemoryPaused(false);
  });

  it('shows "Why this reply?" with the memory the reply used, also after a reload', async () => {
    await client.addMemory({ text: 'My dog is called Pixel', category: 'relationship' });
    const element = await mount(config);
    await openPanel(element);
    await sendByKeyboard(element, 'What is my dog called?');
    await element.updateComplete;

    const toggle = lastToggle(element);
    expect(toggle.textContent?.trim()).to.equal('Why this reply?');
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    toggle.click();
    await element.updateComplete;
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    // The trace came with the reply's `context` part: it shows at once.
    const trace = element.shadowRoot!.getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(trace.getAttribute('part')).to.equal('trace');
    expect(trace.textContent).to.contain('What I remembered about you:');
    expect(trace.textContent).to.contain('My dog is called Pixel');
    await expectAccessible(element);
    toggle.click();
    await element.updateComplete;
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    expect(element.shadowRoot!.querySelector('[part~="trace"]')).to.equal(null);
    element.remove();

    // After a reload the trace is fetched from the server when asked for.
    const reloaded = await mount(config);
    await openPanel(reloaded);
    await waitUntil(() => bubbles(reloaded, 'assistant').length > 0 && lastToggle(reloaded), 'the history returns');
    const again = lastToggle(reloaded);
    again.click();
    const fetched = () => reloaded.shadowRoot!.querySelector('[part~="trace"]')?.textContent ?? '';
    await waitUntil(() => fetched().includes('My dog is called Pixel'), 'the trace is fetched');
    expect(again.getAttribute('aria-expanded')).to.equal('true');
  });

  it('writes the last reply again with Regenerate', async () => {
    const element = await mount(config);
    await openPanel(element);
    const first = await sendByKeyboard(element, 'hello again');
    await element.updateComplete;
    const count = bubbles(element, 'assistant').length;
    // Only the last reply has the button.
    expect(element.shadowRoot!.querySelectorAll('[part~="regenerate"]')).to.have.length(1);
    const regenerate = lastRow(element).querySelector<HTMLButtonElement>('[part~="regenerate"]')!;
    expect(regenerate.getAttribute('aria-label')).to.equal('Write this reply again');

    const replied = oneEvent(element, 'vibhava-message') as Promise<VibhavaMessageEvent>;
    regenerate.click();
    const second = await replied;
    await element.updateComplete;
    expect(second.detail.id).to.not.equal(first.detail.id);
    expect(second.detail).to.include({ content: 'You said: hello again', status: 'complete' });
    expect(bubbles(element, 'assistant')).to.have.length(count);
    expect(bubbles(element, 'assistant').at(-1)?.textContent?.trim()).to.equal('You said: hello again');
    expect(bubbles(element, 'user').at(-1)?.textContent?.trim()).to.equal('You: hello again');

    // The widget's conversation, as its SDK keeps it in this browser.
    const { conversationId } = (await client.cache.get(client.cacheKey))!;
    const stored = await client.getMessages(conversationId!);
    expect(stored.slice(-2).map((m) => [m.role, m.content])).to.deep.equal([
      ['user', 'hello again'],
      ['assistant', 'You said: hello again'],
    ]);
    expect(stored.at(-1)?.id).to.equal(second.detail.id);
    expect(stored.map((m) => m.id)).to.not.include(first.detail.id);
  });

  it('edits the visitor’s last message through the input', async () => {
    const element = await mount(config);
    await openPanel(element);
    await sendByKeyboard(element, 'helo wrold');
    await element.updateComplete;
    const users = bubbles(element, 'user').length;
    expect(element.shadowRoot!.querySelectorAll('[part~="edit"]')).to.have.length(1);

    // Escape while editing gives up the edit.
    part(element, 'edit').click();
    await element.updateComplete;
    const input = part<HTMLTextAreaElement>(element, 'input');
    await waitUntil(() => element.shadowRoot?.activeElement === input, 'focus moves to the input');
    expect(input.value).to.equal('helo wrold');
    expect(part(element, 'editing').textContent).to.contain('Editing your message');
    await sendKeys({ press: 'Escape' });
    await element.updateComplete;
    expect(element.open).to.equal(true);
    expect(input.value).to.equal('');
    expect(element.shadowRoot!.querySelector('[part~="editing"]')).to.equal(null);

    part(element, 'edit').click();
    await element.updateComplete;
    await waitUntil(() => element.shadowRoot?.activeElement === input, 'focus moves to the input');
    input.select();
    await expectAccessible(element);
    const event = await sendByKeyboard(element, 'hello world');
    await element.updateComplete;
    expect(event.detail.content).to.equal('You said: hello world');
    expect(bubbles(element, 'user')).to.have.length(users);
    expect(bubbles(element, 'user').at(-1)?.textContent?.trim()).to.equal('You: hello world');
    expect(bubbles(element, 'assistant').at(-1)?.textContent?.trim()).to.equal('You said: hello world');
    expect(element.shadowRoot!.querySelector('[part~="editing"]')).to.equal(null);
  });
});
