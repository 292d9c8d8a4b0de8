import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import '../src/define.js';
import type { VibhavaErrorEvent } from '../src/index.js';
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
  type TestServerConfig,
} from './helpers.js';

describe('<vibhava-avatar>', () => {
  let config: TestServerConfig;

  before(async () => {
    config = await serverConfig();
    await clearConversationCache();
  });

  it('renders a launcher that opens the panel with the avatar name and greeting', async () => {
    const element = await mount(config);
    const launcher = part<HTMLButtonElement>(element, 'launcher');
    const panel = part(element, 'panel');
    expect(launcher.tagName).to.equal('BUTTON');
    expect(launcher.getAttribute('aria-expanded')).to.equal('false');
    expect(launcher.getAttribute('aria-controls')).to.equal(panel.id);
    expect(panel.hidden).to.equal(true);
    await expectAccessible(element);

    const opened = oneEvent(element, 'vibhava-open');
    await openPanel(element);
    await opened;
    expect(element.open).to.equal(true);
    expect(launcher.getAttribute('aria-expanded')).to.equal('true');
    expect(panel.hidden).to.equal(false);
    expect(panel.getAttribute('role')).to.equal('dialog');
    expect(part(element, 'messages').getAttribute('role')).to.equal('log');
    expect(part(element, 'messages').getAttribute('aria-live')).to.equal('polite');
    expect(element.shadowRoot?.activeElement).to.equal(part(element, 'input'));

    await waitUntil(() => bubbles(element, 'assistant').length === 1, 'the greeting is shown', { timeout: 15_000 });
    expect(part(element, 'title').textContent).to.equal('Vee');
    expect(panel.getAttribute('aria-label')).to.equal('Vee');
    expect(bubbles(element, 'assistant')[0]?.textContent).to.contain("Hi, I'm Vee from Juniper & Rye!");
    await expectAccessible(element);

    // Escape closes the panel and hands focus back to the launcher.
    const closed = oneEvent(element, 'vibhava-close');
    await sendKeys({ press: 'Escape' });
    await closed;
    await element.updateComplete;
    expect(element.open).to.equal(false);
    expect(panel.hidden).to.equal(true);
    expect(element.shadowRoot?.activeElement).to.equal(launcher);
  });

  it('sends a message with Enter and streams the reply', async () => {
    const element = await mount(config);
    await openPanel(element);
    const input = part<HTMLTextAreaElement>(element, 'input');

    // Shift+Enter is a newline, not a send.
    await sendKeys({ type: 'Hi' });
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Shift' });
    expect(input.value).to.equal('Hi\n');
    expect(bubbles(element, 'user')).to.have.length(0);
    input.value = '';
    input.dispatchEvent(new Event('input'));

    // Record the assistant bubble's text as it changes, to see it grow while streaming (a reply of
    // a few sentences, so its tokens arrive over many reads even on a busy machine).
    const seen = new Set<string>();
    const observer = new MutationObserver(() => {
      const text = bubbles(element, 'assistant')[0]?.textContent?.trim();
      if (text) seen.add(text);
    });
    observer.observe(part(element, 'messages'), { subtree: true, childList: true, characterData: true });

    const replied = sendByKeyboard(element, 'Say hello, then tell me about the sea in two sentences.');
    await waitUntil(() => bubbles(element, 'user').length === 1, 'the user bubble appears');
    expect(bubbles(element, 'user')[0]?.textContent).to.contain(
      'Say hello, then tell me about the sea in two sentences.',
    );
    expect(input.value).to.equal('');

    // While the reply streams there is a stop button and a growing assistant bubble.
    await waitUntil(
      () => element.shadowRoot?.querySelector('[part~="stop"]'),
      'the stop button shows while streaming',
      {
        timeout: config.replyTimeoutMs,
      },
    );
    const event = await replied;
    expect(event.bubbles).to.equal(true);
    expect(event.composed).to.equal(true);
    expect(event.detail.role).to.equal('assistant');
    expect(event.detail.status).to.equal('complete');
    expect(event.detail.content.trim()).to.not.equal('');

    await element.updateComplete;
    observer.disconnect();
    expect(seen.size, 'the reply grew in several steps').to.be.greaterThan(1);
    const replies = bubbles(element, 'assistant');
    expect(replies).to.have.length(1);
    expect(replies[0]?.textContent?.trim()).to.not.equal('');
    expect(element.shadowRoot?.querySelector('[part~="stop"]')).to.equal(null);
    // The local model chose an expression through its grammar; the face shows it.
    const expression = event.detail.emotion?.ekman;
    expect(['neutral', 'joy', 'sadness', 'anger', 'fear', 'surprise', 'disgust']).to.include(expression);
    expect(part(element, 'face').dataset['emotion']).to.equal(expression);
    await expectAccessible(element);
  });

  it('changes the face when the emotion part arrives, and moves the mouth while speaking', async () => {
    const element = await mount(config.scripted, config.scripted.publishableKey);
    await openPanel(element);
    const face = () => part(element, 'face');
    expect(face().dataset['emotion']).to.equal('neutral');
    expect(face().getAttribute('aria-label')).to.contain('looks calm');

    // Record every state the face goes through while the reply streams.
    const states: string[] = [];
    const observer = new MutationObserver(() => {
      const current = `${face().dataset['emotion']}${face().hasAttribute('data-speaking') ? '+speaking' : ''}`;
      if (states.at(-1) !== current) states.push(current);
    });
    observer.observe(part(element, 'header'), { subtree: true, attributes: true, childList: true });
    const replied = sendByKeyboard(element, 'feel:surprise a cake shaped like my cat?');
    const event = await replied;
    await element.updateComplete;
    observer.disconnect();

    expect(event.detail.emotion?.ekman).to.equal('surprise');
    // The expression changed before the words streamed, and the mouth moved while they did.
    expect(states).to.include('surprise+speaking');
    expect(states.at(-1)).to.equal('surprise');
    expect(face().getAttribute('aria-label')).to.contain('looks surprised');
    // The built-in face: the surprised mouth is the one showing, after a smooth transition.
    const mouth = face().querySelector<SVGPathElement>('.mouth[data-for="surprise"]')!;
    await waitUntil(() => getComputedStyle(mouth).opacity === '1', 'the surprised mouth fades in');
    expect(getComputedStyle(mouth).transitionDuration).to.not.equal('0s');
    await expectAccessible(element);
  });

  it('does not animate the face when reduced motion is preferred', async () => {
    await emulateMedia({ reducedMotion: 'reduce' });
    try {
      const element = await mount(config.scripted, config.scripted.publishableKey);
      await openPanel(element);
      const brow = part(element, 'face').querySelector<SVGPathElement>('.brow')!;
      const mouths = part(element, 'face').querySelector<SVGGElement>('.mouths')!;
      part(element, 'face').setAttribute('data-speaking', '');
      expect(getComputedStyle(brow).transitionDuration).to.equal('0s');
      expect(getComputedStyle(mouths).animationName).to.equal('none');
    } finally {
      await emulateMedia({ reducedMotion: 'no-preference' });
    }
  });

  it('rates a reply with thumbs up or down, asking why after a thumbs down', async () => {
    const element = await mount(config.scripted, config.scripted.publishableKey);
    await openPanel(element);
    await sendByKeyboard(element, 'hello');
    await element.updateComplete;
    const feedbackRows = element.shadowRoot!.querySelectorAll('[part~="feedback"]');
    const row = feedbackRows[feedbackRows.length - 1] as HTMLElement;
    const down = row.querySelector<HTMLButtonElement>('[part~="vote-down"]')!;
    expect(down.getAttribute('aria-pressed')).to.equal('false');

    const rated = oneEvent(element, 'vibhava-feedback');
    down.click();
    expect((await rated).detail).to.deep.equal({ messageId: (await rated).detail.messageId, rating: 'down' });
    await element.updateComplete;
    expect(down.getAttribute('aria-pressed')).to.equal('true');
    const reasons = [...row.querySelectorAll<HTMLButtonElement>('[part~="reason"]')];
    expect(reasons.map((b) => b.textContent?.trim())).to.deep.equal(['Too long', 'Too short', 'Not helpful', 'Wrong']);
    await expectAccessible(element);

    const withReason = oneEvent(element, 'vibhava-feedback');
    reasons[0]!.click();
    expect((await withReason).detail).to.include({ rating: 'down', reason: 'too_long' });
    await element.updateComplete;
    expect(row.querySelectorAll('[part~="reason"]')).to.have.length(0);
  });

  it('resumes the conversation when the element is created again (page reload)', async () => {
    const first = await mount(config);
    await openPanel(first);
    await waitUntil(() => first.shadowRoot?.activeElement === part(first, 'input'));
    await sendByKeyboard(first, 'Remember the word "pineapple".');
    await first.updateComplete;
    const before = [...bubbles(first, 'user'), ...bubbles(first, 'assistant')].map((bubble) =>
      bubble.textContent?.trim(),
    );
    expect(before.length).to.be.at.least(2);
    first.remove();

    const second = await mount(config);
    await openPanel(second);
    await waitUntil(
      () => bubbles(second, 'user').length === bubbles(first, 'user').length,
      'the earlier messages return',
      {
        timeout: 15_000,
      },
    );
    await waitUntil(() => second.shadowRoot?.querySelector('.messages')?.textContent?.includes('pineapple'));
    const after = [...bubbles(second, 'user'), ...bubbles(second, 'assistant')].map((bubble) =>
      bubble.textContent?.trim(),
    );
    expect(after).to.deep.equal(before);
    expect(bubbles(second, 'user').some((bubble) => bubble.textContent?.includes('pineapple'))).to.equal(true);
  });

  it('stops a streaming reply with the stop button and keeps what arrived', async () => {
    const element = await mount(config);
    await openPanel(element);
    const replied = sendByKeyboard(element, 'Write a long story of at least 300 words about a baker.');
    await waitUntil(
      () =>
        (bubbles(element, 'assistant').at(-1)?.classList.contains('streaming') ?? false) &&
        (bubbles(element, 'assistant').at(-1)?.textContent?.trim().length ?? 0) > 0,
      'the reply starts streaming',
      { timeout: config.replyTimeoutMs },
    );
    part<HTMLButtonElement>(element, 'stop').click();
    const event = await replied;
    expect(event.detail.status).to.equal('partial');
    await element.updateComplete;
    const last = bubbles(element, 'assistant').at(-1);
    expect(last?.textContent).to.contain('(stopped)');
    expect(element.shadowRoot?.querySelector('[part~="stop"]')).to.equal(null);
  });

  it('shows an alert and fires vibhava-error for a wrong publishable key', async () => {
    const element = await mount(config, 'pk_wrong_key');
    const failed = oneEvent(element, 'vibhava-error') as Promise<VibhavaErrorEvent>;
    await openPanel(element);
    const event = await failed;
    expect(event.detail.code).to.be.a('string').and.not.equal('');
    expect(event.detail.message).to.be.a('string').and.not.equal('');
    expect(event.composed).to.equal(true);
    await element.updateComplete;
    const alert = part(element, 'error');
    expect(alert.getAttribute('role')).to.equal('alert');
    // The visitor reads what they can do; the event keeps the server's words for the developer.
    expect(alert.textContent?.trim()).to.equal('This chat is not set up correctly. Please let the site owner know.');
    expect(event.detail.code).to.equal('invalid_publishable_key');
    expect(event.detail.message).to.equal('The publishable key is unknown or has been revoked.');
    await expectAccessible(element);
  });

  it('is themable through --vibhava-* custom properties', async () => {
    const element = await fixture<VibhavaAvatar>(
      html`<vibhava-avatar style="--vibhava-accent: rgb(200, 0, 80)"></vibhava-avatar>`,
    );
    expect(getComputedStyle(part(element, 'launcher')).backgroundColor).to.equal('rgb(200, 0, 80)');
    element.style.setProperty('--vibhava-accent', 'rgb(0, 100, 0)');
    expect(getComputedStyle(part(element, 'launcher')).backgroundColor).to.equal('rgb(0, 100, 0)');
    await expectAccessible(element);
  });
});
