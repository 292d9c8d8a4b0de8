import { visitorMessage, type ContextTrace } from '@vibhava/sdk';
import { html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';

const PREFERENCE_LABELS: Record<string, string> = {
  replyLength: 'Reply length',
  formality: 'Tone',
  language: 'Language',
  likes: 'Likes',
  dislikes: 'Dislikes',
  avoid: 'Avoid',
};

export interface TraceView {
  /** Undefined while loading. */
  trace: ContextTrace | null | undefined;
  /** Why it could not be loaded. */
  error: string | undefined;
  /** Messages before the visitor's message this reply answers. */
  before: number;
}

/**
 * "Why this reply?": what went into a reply's context, in the visitor's words. The server's
 * token accounting stays out: it explains nothing a visitor can act on.
 */
export function renderTrace(id: string, view: TraceView): TemplateResult {
  const { trace } = view;
  const section = (title: string, items: readonly string[]) =>
    items.length > 0
      ? html`<p>${title}</p>
          <ul>
            ${items.map((item) => html`<li>${item}</li>`)}
          </ul>`
      : nothing;
  let body: unknown;
  if (view.error) body = html`<p>Could not load the details. ${view.error}</p>`;
  else if (trace === undefined) body = html`<p>Loading…</p>`;
  else if (trace === null) body = html`<p>No details were kept for this reply.</p>`;
  else {
    const earlier = view.before - trace.historyMessages;
    const used = trace.memories.length + trace.preferences.length + trace.lorebook.length;
    body = html`${section(
      'What I looked up:',
      (trace.knowledge ?? []).map((k) => k.text),
    )}${section(
      'What I remembered about you:',
      trace.memories.map((m) => m.text),
    )}${section(
      'Your preferences:',
      trace.preferences.map((p) => `${PREFERENCE_LABELS[p.field] ?? p.field}: ${p.value}`),
    )}${section(
      'Background:',
      trace.lorebook.map((l) => l.name),
    )}${trace.memoryPaused ? html`<p>Memory is paused, so nothing remembered was used.</p>` : nothing}${
      used === 0 && !trace.memoryPaused ? html`<p>Nothing I remember about you went into this reply.</p>` : nothing
    }${
      trace.summarized
        ? html`<p>
            ${earlier > 0 ? `${earlier} earlier message${earlier === 1 ? '' : 's'} summarised.` : 'Earlier messages summarised.'}
          </p>`
        : nothing
    }`;
  }
  return html`<div class="trace" part="trace" id=${id}>${body}</div>`;
}

/**
 * Which replies' "Why this reply?" are open. Opening one reads its trace into the chat state when
 * it is not there yet (replies from an earlier visit); a failure is kept to show in its place.
 */
export class TraceDisclosures {
  readonly #host: ReactiveControllerHost;
  readonly #load: (messageId: string) => Promise<unknown>;
  readonly #open = new Set<string>();
  readonly #errors = new Map<string, string>();

  constructor(host: ReactiveControllerHost, load: (messageId: string) => Promise<unknown>) {
    this.#host = host;
    this.#load = load;
  }

  isOpen(messageId: string): boolean {
    return this.#open.has(messageId);
  }

  error(messageId: string): string | undefined {
    return this.#errors.get(messageId);
  }

  toggle(messageId: string): void {
    this.#host.requestUpdate();
    if (this.#open.delete(messageId)) return;
    this.#open.add(messageId);
    this.#errors.delete(messageId);
    this.#load(messageId).catch((error: unknown) => {
      this.#errors.set(messageId, visitorMessage(error));
      this.#host.requestUpdate();
    });
  }
}
