import { html, nothing, type TemplateResult } from 'lit';

/**
 * A small Markdown renderer that builds Lit templates, never HTML strings. Every piece of text
 * goes through Lit's text bindings, so raw HTML in a model reply shows as literal text; the only
 * attributes set from the text are link `href`s, and those pass `safeUrl()` first.
 *
 * Supported: paragraphs, line breaks, `**bold**`, `*italic*`, `` `code` ``, fenced code blocks,
 * bullet and numbered lists, headings (as bold paragraphs), links (http, https, mailto only).
 * Images are never loaded: `![alt](url)` becomes a link labelled with its alt text.
 * An unclosed fence or emphasis (common while a reply is still streaming) degrades to text.
 */

type Inline = TemplateResult | string;

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The URL when it is absolute and http(s) or mailto; otherwise null. */
export function safeUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const ORDERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const CONTINUATION = /^\s{2,}\S/;

/** Renders Markdown source as a Lit template. */
export function renderMarkdown(source: string): TemplateResult {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: TemplateResult[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1] ?? '```';
      const code: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? '').trimStart().startsWith(marker)) code.push(lines[i++] ?? '');
      i++; // the closing fence (or past the end while it is still streaming)
      const language = fence[2] ?? '';
      blocks.push(
        html`<pre><code class=${language ? `language-${language}` : nothing}>${code.join('\n')}</code></pre>`,
      );
      continue;
    }
    if (!line.trim()) {
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push(html`<p class="heading"><strong>${renderInline(heading[1] ?? '')}</strong></p>`);
      i++;
      continue;
    }
    const list = BULLET.test(line) ? BULLET : ORDERED.test(line) ? ORDERED : null;
    if (list) {
      const start = list === ORDERED ? Number(ORDERED.exec(line)?.[1] ?? '1') : 1;
      const items: string[] = [];
      while (i < lines.length) {
        const current = lines[i] ?? '';
        const item = list.exec(current);
        if (item) items.push(item[list === ORDERED ? 2 : 1] ?? '');
        else if (CONTINUATION.test(current) && items.length) items[items.length - 1] += `\n${current.trim()}`;
        else break;
        i++;
      }
      const rendered = items.map((item) => html`<li>${renderInline(item)}</li>`);
      blocks.push(
        list === ORDERED
          ? html`<ol start=${start === 1 ? nothing : start}>
              ${rendered}
            </ol>`
          : html`<ul>
              ${rendered}
            </ul>`,
      );
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length) {
      const current = lines[i] ?? '';
      if (
        !current.trim() ||
        FENCE.test(current) ||
        BULLET.test(current) ||
        ORDERED.test(current) ||
        HEADING.test(current)
      )
        break;
      paragraph.push(current.trim());
      i++;
    }
    blocks.push(html`<p>${joinLines(paragraph.map((text) => renderInline(text)))}</p>`);
  }
  return html`${blocks}`;
}

function joinLines(lines: Inline[][]): Inline[] {
  return lines.flatMap((line, index) => (index === 0 ? line : [html`<br />`, ...line]));
}

/**
 * One alternation, tried left to right at the earliest match: code span, image, link, strong
 * (`**`/`__`), emphasis (`*`/`_`, the latter only at word boundaries so snake_case stays text).
 */
const INLINE =
  /`([^`\n]+)`|!\[([^\]\n]*)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"\n]*")?\s*\)|\[([^\]\n]+)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"\n]*")?\s*\)|\*\*(?=\S)([\s\S]*?\S)\*\*|__(?=\S)([\s\S]*?\S)__(?!\w)|\*(?=[^\s*])([\s\S]*?[^\s*])\*|(?<!\w)_(?=[^\s_])([\s\S]*?[^\s_])_(?!\w)/g;

/** Renders inline Markdown. Links inside link text are not allowed (`inLink`). */
export function renderInline(text: string, inLink = false): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const index = match.index;
    if (index > last) out.push(text.slice(last, index));
    last = index + match[0].length;
    const [whole, code, imageAlt, imageUrl, linkText, linkUrl, strong1, strong2, em1, em2] = match;
    if (code !== undefined) out.push(html`<code>${code}</code>`);
    else if (imageUrl !== undefined) out.push(renderLink(imageAlt || 'image', imageUrl, inLink, whole, true));
    else if (linkUrl !== undefined) out.push(renderLink(linkText ?? '', linkUrl, inLink, whole, false));
    else if (strong1 !== undefined || strong2 !== undefined)
      out.push(html`<strong>${renderInline(strong1 ?? strong2 ?? '', inLink)}</strong>`);
    else if (em1 !== undefined || em2 !== undefined) out.push(html`<em>${renderInline(em1 ?? em2 ?? '', inLink)}</em>`);
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function renderLink(label: string, rawUrl: string, inLink: boolean, source: string, isImage: boolean): Inline {
  const href = safeUrl(rawUrl);
  // An unsafe or nested link keeps its label and drops the URL; an unsafe image keeps its source text.
  if (!href) return isImage ? source : html`${renderInline(label, true)}`;
  if (inLink) return html`${renderInline(label, true)}`;
  return html`<a
    class=${isImage ? 'image-link' : nothing}
    href=${href}
    target="_blank"
    rel="noopener noreferrer nofollow"
    >${isImage ? `🖼 ${label}` : renderInline(label, true)}</a
  >`;
}
