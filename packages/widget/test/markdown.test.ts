import { expect } from '@open-wc/testing';
import { render } from 'lit';
import { renderMarkdown, safeUrl } from '../src/internal/markdown.js';

function renderToDom(source: string): HTMLElement {
  const container = document.createElement('div');
  render(renderMarkdown(source), container);
  return container;
}

/** The rendered markup without Lit's comment markers. */
function markup(element: Element): string {
  return element.innerHTML.replace(/<!--[^>]*-->/g, '');
}

describe('renderMarkdown', () => {
  it('renders paragraphs and line breaks', () => {
    const dom = renderToDom('First line\nsecond line\n\nNew paragraph');
    const paragraphs = dom.querySelectorAll('p');
    expect(paragraphs).to.have.length(2);
    expect(paragraphs[0]?.querySelectorAll('br')).to.have.length(1);
    expect(paragraphs[0]?.textContent).to.equal('First linesecond line');
    expect(paragraphs[1]?.textContent).to.equal('New paragraph');
  });

  it('renders bold, italic and inline code', () => {
    const dom = renderToDom('Some **bold**, *italic*, _also italic_ and `a < b` code; snake_case_name stays.');
    expect(dom.querySelector('strong')?.textContent).to.equal('bold');
    expect([...dom.querySelectorAll('em')].map((em) => em.textContent)).to.deep.equal(['italic', 'also italic']);
    expect(dom.querySelector('code')?.textContent).to.equal('a < b');
    expect(dom.textContent).to.contain('snake_case_name stays.');
  });

  it('renders nested emphasis', () => {
    const dom = renderToDom('**bold with *italic* inside**');
    expect(dom.querySelector('strong em')?.textContent).to.equal('italic');
  });

  it('renders fenced code blocks verbatim, including an unclosed fence while streaming', () => {
    const dom = renderToDom('Before\n\n```ts\nconst x = **1** < 2;\n```\n\nAfter');
    const code = dom.querySelector('pre > code');
    expect(code?.textContent).to.equal('const x = **1** < 2;');
    expect(code?.className).to.equal('language-ts');
    expect(dom.querySelector('strong')).to.equal(null);
    expect(dom.querySelectorAll('p')).to.have.length(2);

    const streaming = renderToDom('```\nstill typing');
    expect(streaming.querySelector('pre > code')?.textContent).to.equal('still typing');
  });

  it('renders bullet and numbered lists', () => {
    const dom = renderToDom('Shopping:\n- apples\n- **pears**\n\n3. three\n4. four');
    expect([...dom.querySelectorAll('ul > li')].map((li) => li.textContent)).to.deep.equal(['apples', 'pears']);
    expect(dom.querySelector('ul strong')?.textContent).to.equal('pears');
    const ordered = dom.querySelector('ol');
    expect(ordered?.getAttribute('start')).to.equal('3');
    expect([...(ordered?.querySelectorAll('li') ?? [])].map((li) => li.textContent)).to.deep.equal(['three', 'four']);
  });

  it('renders http, https and mailto links that open safely in a new tab', () => {
    const dom = renderToDom(
      'See [the docs](https://example.com/docs?a=1&b=2), [us](mailto:hi@example.com) and [plain](http://example.org).',
    );
    const links = [...dom.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).to.deep.equal([
      'https://example.com/docs?a=1&b=2',
      'mailto:hi@example.com',
      'http://example.org/',
    ]);
    for (const link of links) {
      expect(link.getAttribute('target')).to.equal('_blank');
      expect(link.getAttribute('rel')).to.equal('noopener noreferrer nofollow');
    }
    expect(links[0]?.textContent).to.equal('the docs');
  });

  it('does not turn javascript:, data: or relative URLs into links', () => {
    const dom = renderToDom(
      '[click](javascript:alert(1)) [data](data:text/html,hi) [rel](/admin) [JS](JaVaScRiPt:alert(1))',
    );
    expect(dom.querySelector('a')).to.equal(null);
    expect(dom.textContent).to.contain('click');
    expect(dom.textContent).to.contain('rel');
  });

  it('shows raw HTML as literal text', () => {
    const dom = renderToDom('<img src=x onerror="window.__pwned = true"> and <script>alert(1)</script> <b>bold?</b>');
    expect(dom.querySelector('img, script, b')).to.equal(null);
    expect(dom.textContent).to.contain('<img src=x onerror="window.__pwned = true">');
    expect(dom.textContent).to.contain('<script>alert(1)</script>');
    expect((window as unknown as { __pwned?: boolean }).__pwned).to.equal(undefined);
  });

  it('never loads images: an image becomes a link labelled with its alt text', () => {
    const dom = renderToDom('![a](http://x/y.png) and ![](https://example.com/z.png) and ![bad](javascript:alert(1))');
    expect(dom.querySelector('img')).to.equal(null);
    const links = [...dom.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).to.deep.equal(['http://x/y.png', 'https://example.com/z.png']);
    expect(links[0]?.textContent).to.contain('a');
    expect(links[1]?.textContent).to.contain('image');
    expect(dom.textContent).to.contain('![bad](javascript:alert(1))');
  });

  it('keeps Lit comment markers out of the text', () => {
    expect(markup(renderToDom('plain'))).to.equal('<p>plain</p>');
  });
});

describe('safeUrl', () => {
  it('accepts only absolute http, https and mailto URLs', () => {
    expect(safeUrl('https://example.com')).to.equal('https://example.com/');
    expect(safeUrl(' mailto:a@b.c ')).to.equal('mailto:a@b.c');
    expect(safeUrl('javascript:alert(1)')).to.equal(null);
    expect(safeUrl('vbscript:x')).to.equal(null);
    expect(safeUrl('//evil.example')).to.equal(null);
    expect(safeUrl('/relative')).to.equal(null);
  });
});
