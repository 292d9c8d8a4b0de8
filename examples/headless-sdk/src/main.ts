import { createVibhavaClient, VibhavaChat, VibhavaMemory } from '@vibhava/sdk';
import { renderChat, renderMemory, type ChatElements } from './chat-view.js';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page has no #${id}.`);
  return found as T;
}

const elements: ChatElements = {
  avatarName: element('avatar-name'),
  greeting: element('greeting'),
  status: element('status'),
  emotion: element('emotion'),
  messages: element('messages'),
  error: element('error'),
  send: element('send'),
  stop: element('stop'),
  memories: element('memories'),
};
const input = element<HTMLTextAreaElement>('input');

// One client (session, retries, the IndexedDB conversation cache); the chat and the memory view share it.
const client = createVibhavaClient({
  serverUrl: import.meta.env.VITE_VIBHAVA_SERVER_URL,
  publishableKey: import.meta.env.VITE_VIBHAVA_PUBLISHABLE_KEY,
  avatarId: import.meta.env.VITE_VIBHAVA_AVATAR_ID,
});
const chat = new VibhavaChat({ client });
const memory = new VibhavaMemory({ client });

// State lives in the SDK: every change is a new state object, and the page renders it.
chat.subscribe((state) => renderChat(state, elements));
memory.subscribe((state) => renderMemory(state, elements));
renderChat(chat.state, elements);
renderMemory(memory.state, elements);

element<HTMLFormElement>('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value;
  if (!text.trim()) return;
  input.value = '';
  void chat.send(text).then((reply) => {
    // Refused (the error is in chat state): give the visitor their words back.
    if (!reply && !input.value) input.value = text;
    // The server remembers in the background after each reply; show what it has so far.
    else void memory.load();
  });
});
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    element<HTMLFormElement>('composer').requestSubmit();
  }
});
elements.stop.addEventListener('click', () => chat.stop());
element('new-conversation').addEventListener('click', () => void chat.reset());
element('load-memories').addEventListener('click', () => void memory.load());
element('forget-all').addEventListener('click', () => void memory.forgetAll());

// Starts the visitor session and resumes this device's conversation, if any.
void chat.connect().then(() => memory.load());
