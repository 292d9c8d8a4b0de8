import type { ChatState, MemoryState } from '@vibhava/sdk';
import { describeError } from './describe-error.js';

/** The page's elements the views write into. */
export interface ChatElements {
  avatarName: HTMLElement;
  greeting: HTMLElement;
  status: HTMLElement;
  emotion: HTMLElement;
  messages: HTMLOListElement;
  error: HTMLElement;
  send: HTMLButtonElement;
  stop: HTMLButtonElement;
  memories: HTMLUListElement;
}

/** Writes one chat state into the page. Text goes in as text (`textContent`), never as HTML. */
export function renderChat(state: ChatState, elements: ChatElements): void {
  elements.avatarName.textContent = state.avatar ? `Chat with ${state.avatar.name}` : 'Chat';
  elements.greeting.textContent = state.avatar?.greeting ?? '';
  elements.status.textContent = state.status;
  elements.status.dataset['status'] = state.status;
  elements.emotion.textContent = state.avatarEmotion;
  elements.messages.replaceChildren(
    ...state.messages.map((message) => {
      const item = document.createElement('li');
      item.className = 'message';
      item.dataset['role'] = message.role;
      item.dataset['status'] = message.status;
      item.textContent = message.content;
      return item;
    }),
  );
  elements.error.hidden = state.error === null;
  elements.error.textContent = state.error ? describeError(state.error) : '';
  elements.send.disabled = state.status === 'streaming' || state.status === 'connecting';
  elements.stop.disabled = state.status !== 'streaming';
}

/** Writes what the avatar remembers about the visitor into the page. */
export function renderMemory(state: MemoryState, elements: ChatElements): void {
  if (state.status === 'loading') return;
  const items = state.memories.map((memory) => {
    const item = document.createElement('li');
    item.textContent = memory.text;
    return item;
  });
  if (state.error) {
    const item = document.createElement('li');
    item.setAttribute('role', 'alert');
    item.textContent = describeError(state.error);
    items.push(item);
  } else if (items.length === 0) {
    const item = document.createElement('li');
    item.textContent = state.status === 'ready' ? 'Nothing yet.' : 'Not loaded yet.';
    items.push(item);
  }
  elements.memories.replaceChildren(...items);
}
