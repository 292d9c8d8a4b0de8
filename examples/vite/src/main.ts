// Registers <vibhava-avatar>; the element itself is in index.html.
import '@vibhava/widget/define';

const avatar = document.querySelector('vibhava-avatar');
const replies = document.querySelector('#replies');

// The element's events are typed (HTMLElementEventMap), so `event.detail` needs no casts.
avatar?.addEventListener('vibhava-message', (event) => {
  const item = document.createElement('li');
  item.textContent = event.detail.content;
  replies?.append(item);
});
avatar?.addEventListener('vibhava-error', (event) => {
  console.warn(`The avatar reported ${event.detail.code}: ${event.detail.message}`);
});
