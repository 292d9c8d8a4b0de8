import { svg } from 'lit';

/** The launcher's built-in avatar face. Decorative: the button carries the accessible name. */
export const avatarIcon = svg`<svg viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false">
  <circle cx="16" cy="16" r="13" fill="currentColor" opacity="0.18" />
  <circle cx="16" cy="16" r="13" fill="none" stroke="currentColor" stroke-width="2" />
  <circle cx="11.5" cy="13.5" r="1.8" fill="currentColor" />
  <circle cx="20.5" cy="13.5" r="1.8" fill="currentColor" />
  <path d="M10.5 19.5c1.4 2 3.3 3 5.5 3s4.1-1 5.5-3" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
</svg>`;

export const closeIcon = svg`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
  <path d="M6 6l12 12M18 6L6 18" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
</svg>`;

export const sendIcon = svg`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
  <path d="M4 12l16-8-6 16-2.5-6.5z" fill="currentColor" />
</svg>`;

export const stopIcon = svg`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
  <rect x="6" y="6" width="12" height="12" rx="2" fill="currentColor" />
</svg>`;

export const thumbUpIcon = svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
  <path d="M7 11v9H4v-9zM7 11l4-7c1.7 0 2.6 1.2 2.2 2.9L12.6 10H18a2 2 0 0 1 2 2.3l-1.1 6A2 2 0 0 1 16.9 20H7" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
</svg>`;

export const thumbDownIcon = svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
  <g transform="rotate(180 12 12)">
    <path d="M7 11v9H4v-9zM7 11l4-7c1.7 0 2.6 1.2 2.2 2.9L12.6 10H18a2 2 0 0 1 2 2.3l-1.1 6A2 2 0 0 1 16.9 20H7" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
  </g>
</svg>`;

/** The header's memory button: a bookmark, "kept for later". */
export const memoryIcon = svg`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
  <path d="M7 4h10v16l-5-3.5L7 20z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
</svg>`;

export const regenerateIcon = svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
  <path d="M19 12a7 7 0 1 1-2-4.9M19 4v4h-4" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
</svg>`;

export const editIcon = svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
  <path d="M4 20h4L19 9l-4-4L4 16zM13 7l4 4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
</svg>`;

/** The header's "New conversation" button: a speech bubble with a plus. */
export const newConversationIcon = svg`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
  <path d="M4 5h16v11H10l-5 4v-4H4zM12 7.5v6M9 10.5h6" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
</svg>`;
