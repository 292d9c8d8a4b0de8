import { visitorMessage, type Memory, type VibhavaMemory } from '@vibhava/sdk';
import { html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { memoryIcon } from './icons.js';
import { groupMemories, type MomentGroup } from './memory-groups.js';

export interface MemoryPanelOptions {
  /** Prefix of the ids this panel renders (unique per widget instance). */
  ids: string;
  /** The visitor's memories (null while the widget is not configured). */
  memory: () => VibhavaMemory | null;
}

interface ButtonOptions {
  id?: string;
  part?: string;
  danger?: boolean;
  describedBy?: string;
  disabled?: boolean;
}

function textButton(label: string, click: () => unknown, options: ButtonOptions = {}): TemplateResult {
  return html`<button
    class="text-button${options.danger ? ' danger' : ''}"
    id=${options.id ?? nothing}
    part=${options.part ?? 'memory-action'}
    type="button"
    aria-describedby=${options.describedBy ?? nothing}
    ?disabled=${options.disabled ?? false}
    @click=${click}
  >
    ${label}
  </button>`;
}

/**
 * The visitor's view of memory, inside the chat panel: what the avatar remembers (facts to edit or
 * delete, then one folded line per conversation for its moments), the pause switch and "Forget
 * everything" (confirmed in place). Only rendered while open. Focus moves into it on open; Escape
 * backs out of an edit or the confirmation, then closes it.
 */
export class MemoryPanel {
  open = false;
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #options: MemoryPanelOptions;
  #editing: string | null = null;
  #editDraft = '';
  #confirming = false;
  /** The conversations whose moments are unfolded. */
  readonly #unfolded = new Set<string>();
  /** The polite live region's text: what the last change did. */
  #announcement = '';

  constructor(host: ReactiveControllerHost & HTMLElement, options: MemoryPanelOptions) {
    this.#host = host;
    this.#options = options;
  }

  get id(): string {
    return `${this.#options.ids}-memory`;
  }

  show(): void {
    if (!this.#options.memory()) return;
    this.open = true;
    this.#editing = null;
    this.#confirming = false;
    this.#announcement = '';
    void this.#options.memory()?.load();
    this.#focus('title');
  }

  /** Closes the panel and hands focus back to its opener. */
  hide(): void {
    if (!this.open) return;
    this.open = false;
    this.#focus('opener');
  }

  /** The header button that opens and closes the panel. */
  renderOpener(): TemplateResult {
    return html`<button
      class="close"
      part="memory-button"
      id="${this.id}-opener"
      type="button"
      aria-label="What I remember about you"
      aria-expanded=${this.open ? 'true' : 'false'}
      aria-controls=${this.open ? this.id : nothing}
      @click=${() => (this.open ? this.hide() : this.show())}
    >
      ${memoryIcon}
    </button>`;
  }

  render(): TemplateResult | typeof nothing {
    const memory = this.open ? this.#options.memory() : null;
    if (!memory) return nothing;
    const { status, memories, paused, error } = memory.state;
    const id = this.id;
    const list =
      status === 'error'
        ? textButton('Try again', () => memory.load())
        : status !== 'ready'
          ? html`<p class="note">Loading…</p>`
          : memories.length === 0
            ? html`<p class="note">I don't remember anything about you yet.</p>`
            : this.#renderList(memory, memories);
    return html`<section
      class="memory"
      part="memory-panel"
      id=${id}
      aria-labelledby="${id}-title"
      @keydown=${this.#onKeydown}
    >
      <div class="memory-head">
        <h3 id="${id}-title" tabindex="-1">What I remember about you</h3>
        ${textButton('Back to chat', () => this.hide(), { part: 'memory-close' })}
      </div>
      <button
        class="switch"
        part="memory-pause"
        type="button"
        role="switch"
        aria-checked=${paused ? 'true' : 'false'}
        aria-describedby="${id}-pause-note"
        ?disabled=${status !== 'ready'}
        @click=${() => this.#setPaused(memory, !paused)}
      >
        Pause memory
      </button>
      <p class="note" id="${id}-pause-note">While paused I remember nothing new and use nothing I remember.</p>
      <p class="alert" part="memory-error" role="alert">${error ? visitorMessage(error) : ''}</p>
      ${list} ${status === 'ready' && memories.length > 0 ? this.#renderForget(memory) : nothing}
      <p class="visually-hidden" role="status">${this.#announcement}</p>
    </section>`;
  }

  #renderList(memory: VibhavaMemory, memories: readonly Memory[]): TemplateResult {
    const { facts, groups } = groupMemories(memories);
    return html`<ul class="memory-list">
      ${facts.map((m) => this.#renderItem(memory, m))} ${groups.map((g) => this.#renderGroup(memory, g))}
    </ul>`;
  }

  /** A conversation's moments: one line that unfolds them (each clipped to a line), deleted together. */
  #renderGroup(memory: VibhavaMemory, group: MomentGroup): TemplateResult {
    const id = `${this.id}-${group.key}`;
    const unfolded = this.#unfolded.has(group.key);
    const toggle = () => {
      if (!this.#unfolded.delete(group.key)) this.#unfolded.add(group.key);
      this.#host.requestUpdate();
    };
    return html`<li class="memory-item" part="memory-item memory-group">
      <p>
        <button
          class="fold"
          id=${id}
          part="memory-action"
          type="button"
          aria-expanded=${unfolded ? 'true' : 'false'}
          aria-controls=${unfolded ? `${id}-moments` : nothing}
          @click=${toggle}
        >
          ${group.label}
        </button>
      </p>
      ${
        unfolded
          ? html`<ul class="moments" id="${id}-moments">
              ${group.moments.map((m) => html`<li>${m.text}</li>`)}
            </ul>`
          : nothing
      }
      ${textButton('Delete', () => this.#remove(memory, group.moments, 'Those moments are forgotten.'), { describedBy: id })}
    </li>`;
  }

  #renderItem(memory: VibhavaMemory, item: Memory): TemplateResult {
    const textId = `${this.id}-${item.id}`;
    if (this.#editing === item.id) {
      return html`<li class="memory-item" part="memory-item">
        <label class="visually-hidden" for="${textId}-input">Edit memory</label>
        <textarea
          id="${textId}-input"
          class="memory-input"
          maxlength="1000"
          .value=${this.#editDraft}
          @input=${(event: Event) => {
            this.#editDraft = (event.target as HTMLTextAreaElement).value;
            this.#host.requestUpdate();
          }}
        ></textarea>
        ${textButton('Save', () => this.#save(memory, item), { disabled: !this.#editDraft.trim() })}
        ${textButton('Cancel', () => this.#endEdit(item.id))}
      </li>`;
    }
    // Shared knowledge of the site (scope `tenant`) is shown but is not the visitor's to change.
    return html`<li class="memory-item" part="memory-item">
      <p id=${textId}>${item.text}</p>
      <p class="note">
        <span class="category">${item.category}</span> ·
        <time datetime=${item.createdAt}>${new Date(item.createdAt).toLocaleDateString()}</time>
      </p>
      ${
        item.scope === 'visitor'
          ? html`${textButton('Edit', () => this.#edit(item), { id: `${textId}-edit`, describedBy: textId })}
            ${textButton('Delete', () => this.#remove(memory, [item], 'Memory deleted.'), { describedBy: textId })}`
          : nothing
      }
    </li>`;
  }

  #renderForget(memory: VibhavaMemory): TemplateResult {
    const id = this.id;
    if (!this.#confirming) {
      return textButton('Forget everything', () => this.#confirm(true), {
        id: `${id}-forget`,
        part: 'memory-forget',
        danger: true,
      });
    }
    return html`<div class="confirm" role="group" aria-labelledby="${id}-confirm">
      <p id="${id}-confirm">Forget everything I remember about you? This cannot be undone.</p>
      ${textButton('Yes, forget everything', () => this.#forgetAll(memory), {
        part: 'memory-forget-confirm',
        danger: true,
      })}
      ${textButton('Cancel', () => this.#confirm(false), { id: `${id}-keep` })}
    </div>`;
  }

  #edit(item: Memory): void {
    this.#editing = item.id;
    this.#editDraft = item.text;
    this.#focus(`${item.id}-input`);
  }

  #endEdit(memoryId: string): void {
    this.#editing = null;
    this.#focus(`${memoryId}-edit`);
  }

  #confirm(asking: boolean): void {
    this.#confirming = asking;
    this.#focus(asking ? 'keep' : 'forget');
  }

  async #save(memory: VibhavaMemory, item: Memory): Promise<void> {
    if (await memory.update(item.id, { text: this.#editDraft })) {
      this.#announce('Memory updated.');
      this.#endEdit(item.id);
    }
  }

  async #remove(memory: VibhavaMemory, items: readonly Memory[], announcement: string): Promise<void> {
    if (await memory.removeMany(items.map((m) => m.id))) {
      this.#announce(announcement);
      this.#focus('title');
    }
  }

  async #forgetAll(memory: VibhavaMemory): Promise<void> {
    const deleted = await memory.forgetAll();
    this.#confirming = false;
    if (deleted !== null) this.#announce('Everything I remembered about you is forgotten.');
    this.#focus('title');
  }

  async #setPaused(memory: VibhavaMemory, paused: boolean): Promise<void> {
    if (await memory.setPaused(paused)) this.#announce(paused ? 'Memory paused.' : 'Memory resumed.');
  }

  #announce(text: string): void {
    this.#announcement = text;
    this.#host.requestUpdate();
  }

  /** Moves focus to the panel's element `<panel id>-<suffix>` once the next render is done. */
  #focus(suffix: string): void {
    this.#host.requestUpdate();
    void this.#host.updateComplete.then(() => this.#host.shadowRoot?.getElementById(`${this.id}-${suffix}`)?.focus());
  }

  #onKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape') return;
    event.stopPropagation();
    if (this.#editing) this.#endEdit(this.#editing);
    else if (this.#confirming) this.#confirm(false);
    else this.hide();
  };
}
