import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { createVibhavaClient, visitorMessage, type VibhavaClient } from '@vibhava/sdk';
import '../src/define.js';
import type { VibhavaAvatar } from '../src/index.js';
import { expectAccessible, mount, openPanel, part, serverConfig, type TestServerConfig } from './helpers.js';

// Memories are seeded through the server's public API as the same visitor as the widget (the SDK
// keeps the visitor id in the same IndexedDB cache), so nothing depends on what the background
// extractor learns. Items are found by their text: the suite's other conversations with this
// visitor may add episodes of their own.

function items(element: VibhavaAvatar): HTMLElement[] {
  return [...(element.shadowRoot?.querySelectorAll<HTMLElement>('[part~="memory-item"]') ?? [])];
}

function itemText(item: HTMLElement): string {
  return item.querySelector('p')?.textContent?.trim() ?? '';
}

function item(element: VibhavaAvatar, text: string): HTMLElement | undefined {
  return items(element).find((candidate) => itemText(candidate) === text);
}

/** An item by position: while edited, an item shows a textarea instead of its text. */
function itemAt(element: VibhavaAvatar, text: string): () => HTMLElement {
  const index = items(element).indexOf(item(element, text)!);
  return () => items(element)[index]!;
}

function button(scope: ParentNode, text: string): HTMLButtonElement {
  const found = [...scope.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent?.trim() === text);
  if (!found) throw new Error(`No button "${text}"`);
  return found;
}

function active(element: VibhavaAvatar): Element | null {
  return element.shadowRoot?.activeElement ?? null;
}

function announced(element: VibhavaAvatar): string {
  return part(element, 'memory-panel').querySelector('[role="status"]')?.textContent ?? '';
}

async function storedTexts(client: VibhavaClient): Promise<string[]> {
  return (await client.listMemories()).memories.map((m) => m.text);
}

describe('<vibhava-avatar> memory panel', () => {
  let config: TestServerConfig['scripted'];
  let client: VibhavaClient;

  before(async () => {
    config = (await serverConfig()).scripted;
    client = createVibhavaClient(config);
  });

  beforeEach(async () => {
    await client.forgetAll();
    await client.setMemoryPaused(false);
  });

  it('lists what the avatar remembers, and edits and deletes it', async () => {
    const cat = await client.addMemory({ text: 'My cat is called Miso', category: 'relationship' });
    await client.addMemory({ text: 'I work as a nurse', category: 'work' });
    const element = await mount(config);
    await openPanel(element);

    const opener = part<HTMLButtonElement>(element, 'memory-button');
    expect(opener.getAttribute('aria-label')).to.equal('What I remember about you');
    expect(opener.getAttribute('aria-expanded')).to.equal('false');
    opener.click();
    await element.updateComplete;
    const panel = part(element, 'memory-panel');
    expect(opener.getAttribute('aria-expanded')).to.equal('true');
    expect(opener.getAttribute('aria-controls')).to.equal(panel.id);
    expect(panel.textContent).to.contain('Loading…');
    expect(part(element, 'messages').hidden).to.equal(true);
    await waitUntil(() => item(element, 'My cat is called Miso') && item(element, 'I work as a nurse'), 'the list');
    // Focus moved into the panel, onto its heading.
    expect(active(element)?.textContent).to.equal('What I remember about you');

    const catItem = item(element, 'My cat is called Miso')!;
    expect(catItem.textContent).to.contain('relationship');
    expect(catItem.querySelector('time')?.getAttribute('datetime')).to.equal(cat.createdAt);
    expect(catItem.querySelector('time')?.textContent).to.equal(new Date(cat.createdAt).toLocaleDateString());
    await expectAccessible(element);

    // Edit inline: the text goes into a textarea, Save stores it.
    const work = itemAt(element, 'I work as a nurse');
    button(work(), 'Edit').click();
    await element.updateComplete;
    const editor = work().querySelector('textarea')!;
    await waitUntil(() => active(element) === editor, 'focus moves to the editor');
    expect(editor.value).to.equal('I work as a nurse');
    editor.select();
    await sendKeys({ type: 'I work as a midwife' });
    await expectAccessible(element);
    button(work(), 'Save').click();
    await waitUntil(() => itemText(work()) === 'I work as a midwife', 'the edit shows');
    expect(announced(element)).to.equal('Memory updated.');
    await waitUntil(() => active(element)?.textContent?.trim() === 'Edit', 'focus returns to the Edit button');
    expect(await storedTexts(client)).to.include.members(['My cat is called Miso', 'I work as a midwife']);
    expect(await storedTexts(client)).to.not.include('I work as a nurse');

    // Cancel leaves it as it was.
    button(work(), 'Edit').click();
    await element.updateComplete;
    work().querySelector('textarea')!.select();
    await sendKeys({ type: 'nonsense' });
    button(work(), 'Cancel').click();
    await element.updateComplete;
    expect(itemText(work())).to.equal('I work as a midwife');

    // Delete.
    button(item(element, 'My cat is called Miso')!, 'Delete').click();
    await waitUntil(() => !item(element, 'My cat is called Miso'), 'the memory leaves the list');
    expect(item(element, 'I work as a midwife')).to.not.equal(undefined);
    expect(announced(element)).to.equal('Memory deleted.');
    expect(await storedTexts(client)).to.not.include('My cat is called Miso');
    expect(await storedTexts(client)).to.include('I work as a midwife');

    // Escape closes the panel and hands focus back to the memory button.
    button(part(element, 'memory-panel'), 'Edit').focus();
    await sendKeys({ press: 'Escape' });
    await element.updateComplete;
    expect(element.shadowRoot?.querySelector('[part~="memory-panel"]')).to.equal(null);
    expect(element.open, 'the chat itself stays open').to.equal(true);
    expect(part(element, 'messages').hidden).to.equal(false);
    await waitUntil(() => active(element) === part(element, 'memory-button'), 'focus returns to the memory button');
    expect(opener.getAttribute('aria-expanded')).to.equal('false');
  });

  it('pauses memory with a switch and forgets everything after confirming', async () => {
    await client.addMemory({ text: 'I live in Lisbon' });
    await client.addMemory({ text: 'I have two sisters', category: 'relationship' });
    const element = await mount(config);
    await openPanel(element);
    part(element, 'memory-button').click();
    await waitUntil(() => item(element, 'I live in Lisbon') && item(element, 'I have two sisters'), 'the list');

    const pause = part<HTMLButtonElement>(element, 'memory-pause');
    expect(pause.getAttribute('role')).to.equal('switch');
    expect(pause.getAttribute('aria-checked')).to.equal('false');
    expect(pause.textContent?.trim()).to.equal('Pause memory');
    pause.click();
    await element.updateComplete;
    expect(pause.getAttribute('aria-checked')).to.equal('true');
    await waitUntil(() => announced(element) === 'Memory paused.', 'the pause is announced');
    expect((await client.listMemories()).paused).to.equal(true);
    pause.click();
    await waitUntil(() => announced(element) === 'Memory resumed.', 'the resume is announced');
    expect(pause.getAttribute('aria-checked')).to.equal('false');
    expect((await client.listMemories()).paused).to.equal(false);

    // "Forget everything" asks first, in the panel; Cancel (where focus goes) keeps everything.
    part(element, 'memory-forget').click();
    await element.updateComplete;
    const question = part(element, 'memory-panel').querySelector('[role="group"]')!;
    expect(question.textContent).to.contain('Forget everything I remember about you?');
    await waitUntil(() => active(element) === button(question, 'Cancel'), 'focus moves to Cancel');
    await expectAccessible(element);
    await sendKeys({ press: 'Enter' });
    await element.updateComplete;
    expect(part(element, 'memory-panel').querySelector('[role="group"]')).to.equal(null);
    await waitUntil(() => active(element) === part(element, 'memory-forget'), 'focus returns to the button');
    expect(await storedTexts(client)).to.include.members(['I live in Lisbon', 'I have two sisters']);

    part(element, 'memory-forget').click();
    await element.updateComplete;
    part(element, 'memory-forget-confirm').click();
    await waitUntil(() => items(element).length === 0, 'the list empties');
    expect(part(element, 'memory-panel').textContent).to.contain("I don't remember anything about you yet.");
    expect(announced(element)).to.equal('Everything I remembered about you is forgotten.');
    expect(await storedTexts(client)).to.deep.equal([]);
    await expectAccessible(element);
  });

  it('lists facts first and folds each conversation’s moments into one line', async () => {
    await client.addMemory({ text: 'I am allergic to walnuts', category: 'health' });
    const conversation = await client.createConversation();
    for (const words of ['What time do you open on Sunday?', 'Do you bake rye bread?']) {
      for await (const streamed of client.sendMessage(conversation.id, words)) void streamed;
    }
    // Moments are kept after each reply, in the background.
    const moments = async () =>
      (await client.listMemories()).memories.filter((m) => m.conversationId === conversation.id);
    await waitUntil(async () => (await moments()).length === 2, 'both moments are kept', { timeout: 15_000 });
    const first = (await moments()).map((m) => m.createdAt).sort()[0]!;
    const day = new Date(first).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
    const label = `From our conversation on ${day}: 2 moments`;

    const element = await mount(config);
    await openPanel(element);
    part(element, 'memory-button').click();
    await waitUntil(() => item(element, 'I am allergic to walnuts') && item(element, label), 'the list');
    const panel = part(element, 'memory-panel');
    // Not the transcripts: the visitor's words stay folded away.
    expect(panel.textContent).to.not.contain('What time do you open on Sunday?');
    expect(panel.textContent).to.not.contain('You said:');
    const group = item(element, label)!;
    expect(group.getAttribute('part')).to.contain('memory-group');
    expect(items(element).indexOf(item(element, 'I am allergic to walnuts')!)).to.be.lessThan(
      items(element).indexOf(group),
    );
    await expectAccessible(element);

    // It unfolds into its moments, one line each.
    const fold = group.querySelector<HTMLButtonElement>('button[aria-expanded]')!;
    expect(fold.textContent?.trim()).to.equal(label);
    expect(fold.getAttribute('aria-expanded')).to.equal('false');
    fold.focus();
    await sendKeys({ press: 'Enter' });
    await element.updateComplete;
    expect(fold.getAttribute('aria-expanded')).to.equal('true');
    const list = element.shadowRoot!.getElementById(fold.getAttribute('aria-controls')!)!;
    expect(list.querySelectorAll('li')).to.have.length(2);
    expect(list.textContent).to.contain('What time do you open on Sunday?');
    expect(list.textContent).to.contain('Do you bake rye bread?');
    await expectAccessible(element);

    // Delete forgets them together; the fact stays.
    button(group, 'Delete').click();
    await waitUntil(() => !item(element, label), 'the moments leave the list');
    expect(announced(element)).to.equal('Those moments are forgotten.');
    expect(await moments()).to.deep.equal([]);
    expect(await storedTexts(client)).to.include('I am allergic to walnuts');
  });

  it('shows the server’s error when a change is refused', async () => {
    const memory = await client.addMemory({ text: 'I am learning Japanese' });
    const element = await mount(config);
    await openPanel(element);
    part(element, 'memory-button').click();
    await waitUntil(() => item(element, 'I am learning Japanese'), 'the memory is listed');
    const edited = itemAt(element, 'I am learning Japanese');
    button(edited(), 'Edit').click();
    await element.updateComplete;

    // Deleted elsewhere (another tab) while being edited here.
    await client.deleteMemory(memory.id);
    const refusal = await client.updateMemory(memory.id, { text: 'x' }).catch((error: unknown) => error);
    edited().querySelector('textarea')!.select();
    await sendKeys({ type: 'I am learning Korean' });
    button(edited(), 'Save').click();
    const alert = part(element, 'memory-error');
    await waitUntil(() => alert.textContent?.trim() !== '', 'the error shows');
    expect(alert.getAttribute('role')).to.equal('alert');
    // In the visitor's words, not the server's.
    expect(alert.textContent?.trim()).to.equal(visitorMessage(refusal));
    expect(alert.textContent?.trim()).to.equal(
      'That could not be found. It may have been deleted; please reload the page.',
    );
    // The edit stays open, so nothing typed is lost.
    expect(edited().querySelector('textarea')?.value).to.equal('I am learning Korean');
  });
});
