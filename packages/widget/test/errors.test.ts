import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../src/define.js';
import type { VibhavaAvatar, VibhavaErrorEvent } from '../src/index.js';
import {
  bubbles,
  clearConversationCache,
  expectAccessible,
  mount,
  openPanel,
  part,
  refusedServerRequests,
  serverConfig,
  type TestServerConfig,
} from './helpers.js';

/** What the page's console receives from the widget while `run` runs (errors and warnings). */
async function consoleDuring(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const { error, warn } = console;
  console.error = (...args: unknown[]) => lines.push(args.map(String).join(' '));
  console.warn = console.error;
  try {
    await run();
  } finally {
    Object.assign(console, { error, warn });
  }
  return lines;
}

function failure(element: VibhavaAvatar): Promise<VibhavaErrorEvent> {
  return oneEvent(element, 'vibhava-error') as Promise<VibhavaErrorEvent>;
}

const delta = (after: Record<string, number>, before: Record<string, number>, method: string) =>
  (after[method] ?? 0) - (before[method] ?? 0);

describe('<vibhava-avatar> errors', () => {
  let config: TestServerConfig;

  before(async () => {
    config = await serverConfig();
    await clearConversationCache();
  });

  it('on a page the key does not allow: a plain message, the text kept, one console message, one attempt', async () => {
    const before = await refusedServerRequests();
    let element!: VibhavaAvatar;
    const logged = await consoleDuring(async () => {
      element = await mount(config.refused);
      const refused = failure(element);
      await openPanel(element);
      expect((await refused).detail.code).to.equal('forbidden_origin');
      await element.updateComplete;
      const alert = part(element, 'error');
      expect(alert.textContent?.trim()).to.equal(
        'This chat is not available on this page yet. Please let the site owner know.',
      );
      // Exactly one request reached the server: the SDK did not retry the 403.
      const opened = await refusedServerRequests();
      expect(delta(opened, before, 'POST')).to.equal(1);
      expect(delta(opened, before, 'OPTIONS')).to.be.within(0, 1);

      // The visitor types anyway: the send fails the same way, once, and the text stays.
      await sendKeys({ type: 'Do you have walnut-free cakes?' });
      const again = failure(element);
      await sendKeys({ press: 'Enter' });
      await again;
      const input = part<HTMLTextAreaElement>(element, 'input');
      await waitUntil(() => input.value === 'Do you have walnut-free cakes?', 'the text goes back into the input');
      expect(bubbles(element, 'user')).to.have.length(0);
      expect(alert.textContent?.trim()).to.equal(
        'This chat is not available on this page yet. Please let the site owner know.',
      );
      expect(delta(await refusedServerRequests(), before, 'POST')).to.equal(2);
    });

    // The developer is told once which origin was refused and how to allow it.
    const aboutOrigin = logged.filter((line) => line.includes(location.origin));
    expect(aboutOrigin, logged.join('\n')).to.have.length(1);
    expect(aboutOrigin[0]).to.contain('forbidden_origin');
    expect(aboutOrigin[0]).to.contain("publishable key's allowed origins");
    expect(aboutOrigin[0]).to.contain('VIBHAVA_ALLOWED_ORIGINS');
    expect(logged).to.have.length(1);
    await expectAccessible(element);
  });

  it('keeps a refused message in the input, and sends it again in place of the unsent one', async () => {
    const element = await mount(config.scripted);
    await openPanel(element);
    await waitUntil(() => bubbles(element, 'assistant').length === 1, 'the greeting', { timeout: 15_000 });
    const input = part<HTMLTextAreaElement>(element, 'input');
    // Longer than a message may be: the server refuses it before storing anything.
    const tooLong = `${'Walnut-free, please. '.repeat(200)}`;
    input.value = tooLong;
    input.dispatchEvent(new Event('input'));
    const refused = failure(element);
    const logged = await consoleDuring(async () => {
      await sendKeys({ press: 'Enter' });
      expect((await refused).detail.code).to.equal('invalid_request');
    });
    expect(logged).to.have.length(1);
    await waitUntil(() => input.value === tooLong, 'the text goes back into the input');
    expect(part(element, 'error').textContent?.trim()).to.equal(
      'That message could not be sent. Please change it and try again.',
    );
    expect(bubbles(element, 'user')).to.have.length(1);
    expect(bubbles(element, 'user')[0]!.textContent).to.contain('(not sent)');
    expect(element.shadowRoot!.querySelector('[part~="editing"]')).to.equal(null);
    await expectAccessible(element);

    // Shortened and sent: it takes the unsent message's place.
    input.select();
    const replied = oneEvent(element, 'vibhava-message');
    await sendKeys({ type: 'Walnut-free, please.' });
    await sendKeys({ press: 'Enter' });
    await replied;
    await element.updateComplete;
    const sent = bubbles(element, 'user');
    expect(sent.map((bubble) => bubble.querySelector('.text')?.textContent)).to.deep.equal(['Walnut-free, please.']);
    expect(sent[0]!.textContent).to.not.contain('(not sent)');
    expect(input.value).to.equal('');
    expect(part(element, 'error').textContent?.trim()).to.equal('');
  });
});
