import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { createVibhavaClient } from '@vibhava/sdk';
import '../src/define.js';
import type { VibhavaAvatar } from '../src/index.js';
import {
  bubbles,
  clearConversationCache,
  expectAccessible,
  mount,
  openPanel,
  part,
  sendByKeyboard,
  serverConfig,
  type ServerConfig,
} from './helpers.js';

async function greeted(element: VibhavaAvatar): Promise<string> {
  await waitUntil(
    () => bubbles(element, 'assistant').length === 1 && bubbles(element, 'user').length === 0,
    'only the greeting is shown',
    { timeout: 15_000 },
  );
  return bubbles(element, 'assistant')[0]!.textContent?.trim() ?? '';
}

describe('<vibhava-avatar> new conversation', () => {
  let config: ServerConfig;

  before(async () => {
    config = (await serverConfig()).scripted;
    await clearConversationCache();
  });

  it('starts a new conversation from the header, greets again, and is what a reload resumes', async () => {
    const element = await mount(config);
    await openPanel(element);
    const greeting = await greeted(element);
    await sendByKeyboard(element, 'feel:joy Hello from the first conversation');
    expect(bubbles(element, 'user')).to.have.length(1);
    expect(part(element, 'face').dataset['emotion']).to.equal('joy');

    const button = part<HTMLButtonElement>(element, 'new-conversation');
    expect(button.tagName).to.equal('BUTTON');
    expect(button.getAttribute('aria-label')).to.equal('New conversation');
    await expectAccessible(element);
    // From the keyboard.
    button.focus();
    await sendKeys({ press: 'Enter' });
    expect(await greeted(element)).to.equal(greeting);
    await waitUntil(() => element.shadowRoot!.activeElement === part(element, 'input'), 'focus moves to the input');
    expect(part(element, 'face').dataset['emotion']).to.equal('neutral');
    expect(part(element, 'error').textContent?.trim()).to.equal('');
    await expectAccessible(element);

    // The first conversation is still there; the new one is the latest, and a reload resumes it.
    const client = createVibhavaClient(config);
    await waitUntil(async () => (await client.listConversations()).length === 2, 'two conversations');
    element.remove();
    const reloaded = await mount(config);
    await openPanel(reloaded);
    expect(await greeted(reloaded)).to.equal(greeting);
    await sendByKeyboard(reloaded, 'Hello from the second conversation');
    const [latest, first] = await client.listConversations();
    expect((await client.getMessages(latest!.id)).map((m) => m.content)).to.deep.equal([
      'Hello from the second conversation',
      'You said: Hello from the second conversation',
    ]);
    expect((await client.getMessages(first!.id)).map((m) => m.content)[0]).to.equal(
      'feel:joy Hello from the first conversation',
    );
  });
});
