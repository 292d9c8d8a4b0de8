import { css } from 'lit';

export const styles = css`
  :host {
    --_accent: var(--vibhava-accent, #4338ca);
    --_accent-text: var(--vibhava-accent-text, #ffffff);
    --_background: var(--vibhava-background, #ffffff);
    --_surface: var(--vibhava-surface, #f3f4f6);
    --_text: var(--vibhava-text, #111827);
    --_muted: var(--vibhava-muted, #4b5563);
    --_border: var(--vibhava-border, #d1d5db);
    --_error: var(--vibhava-error, #b91c1c);
    --_radius: var(--vibhava-radius, 16px);
    --_offset: var(--vibhava-offset, 20px);
    --_launcher-size: var(--vibhava-launcher-size, 60px);
    --_shadow: var(--vibhava-shadow, 0 12px 40px rgb(0 0 0 / 0.18));

    position: fixed;
    right: var(--_offset);
    bottom: var(--_offset);
    z-index: var(--vibhava-z-index, 2147483000);
    font-family: var(--vibhava-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: var(--vibhava-font-size, 15px);
    line-height: 1.45;
    color: var(--_text);
  }

  :host([hidden]),
  [hidden] {
    display: none !important;
  }

  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }

  button {
    font: inherit;
    cursor: pointer;
  }

  :focus-visible {
    outline: 3px solid var(--vibhava-focus-ring, var(--_accent));
    outline-offset: 2px;
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    clip-path: inset(50%);
    white-space: nowrap;
  }

  .launcher {
    display: grid;
    place-items: center;
    width: var(--_launcher-size);
    height: var(--_launcher-size);
    margin-left: auto;
    padding: 0;
    border: none;
    border-radius: 50%;
    background: var(--_accent);
    color: var(--_accent-text);
    box-shadow: var(--_shadow);
    transition: transform 0.15s ease;
  }

  .launcher:hover {
    transform: scale(1.05);
  }

  .panel {
    position: absolute;
    right: 0;
    bottom: calc(var(--_launcher-size) + 12px);
    display: flex;
    flex-direction: column;
    width: min(var(--vibhava-panel-width, 370px), calc(100vw - 2 * var(--_offset)));
    height: min(var(--vibhava-panel-height, 560px), calc(100vh - var(--_launcher-size) - 3 * var(--_offset)));
    overflow: hidden;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_background);
    box-shadow: var(--_shadow);
    animation: vibhava-rise 0.18s ease-out;
  }

  .panel[hidden] {
    display: none;
  }

  @keyframes vibhava-rise {
    from {
      opacity: 0;
      transform: translateY(12px);
    }
  }

  .header {
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 12px 12px 12px 16px;
    background: var(--_accent);
    color: var(--_accent-text);
  }

  .header .icon {
    display: grid;
    flex: none;
    width: 40px;
    height: 40px;
  }

  .title {
    flex: 1;
    margin: 0;
    font-size: 1.05em;
    font-weight: 600;
  }

  .close {
    display: grid;
    place-items: center;
    width: 36px;
    height: 36px;
    padding: 0;
    border: none;
    border-radius: 50%;
    background: transparent;
    color: inherit;
  }

  .close:focus-visible {
    outline-color: var(--_accent-text);
    outline-offset: -3px;
  }

  .messages {
    flex: 1;
    display: flex;
    flex-direction: column;
    gap: 8px;
    margin: 0;
    padding: 16px;
    overflow-y: auto;
    overscroll-behavior: contain;
    list-style: none;
  }

  .message {
    max-width: 85%;
    padding: 8px 12px;
    border-radius: calc(var(--_radius) * 0.75);
    overflow-wrap: anywhere;
  }

  .message.user {
    align-self: flex-end;
    background: var(--_accent);
    color: var(--_accent-text);
  }

  .text,
  .memory-item > p:first-child,
  .trace li {
    white-space: pre-wrap;
  }

  .message.assistant {
    align-self: flex-start;
    background: var(--_surface);
    color: var(--_text);
  }

  .message.error,
  .message.partial {
    border: 1px dashed var(--_border);
  }

  .message p {
    margin: 0 0 0.5em;
  }

  .message > :last-child,
  .message p:last-child {
    margin-bottom: 0;
  }

  .message ul,
  .message ol {
    margin: 0 0 0.5em;
    padding-left: 1.4em;
  }

  .message code {
    padding: 0.1em 0.3em;
    border-radius: 4px;
    background: rgb(0 0 0 / 0.07);
    font-family: var(--vibhava-code-font, ui-monospace, SFMono-Regular, Menlo, monospace);
    font-size: 0.9em;
  }

  .message pre {
    margin: 0 0 0.5em;
    padding: 8px 10px;
    overflow-x: auto;
    border-radius: 8px;
    background: rgb(0 0 0 / 0.07);
  }

  .message pre code {
    padding: 0;
    background: none;
  }

  .message a {
    color: var(--vibhava-link, #1d4ed8);
    text-decoration: underline;
  }

  .note {
    color: var(--_muted);
    font-size: 0.85em;
  }

  /* "(not sent)" sits on the accent: the muted grey would not be readable there. */
  .message.user .note {
    color: inherit;
    font-style: italic;
  }

  .feedback {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px;
    margin: -4px 0 4px;
    color: var(--_muted);
  }

  .vote,
  .reason,
  .action {
    display: inline-grid;
    place-items: center;
    min-width: 28px;
    height: 28px;
    padding: 0 6px;
    border: 1px solid transparent;
    border-radius: 14px;
    background: transparent;
    color: inherit;
    font: inherit;
    font-size: 0.8em;
    cursor: pointer;
  }

  .vote:hover,
  .reason:hover,
  .action:hover,
  .action[aria-expanded='true'],
  .vote[aria-pressed='true'] {
    border-color: var(--_border);
    color: var(--_text);
  }

  .vote[aria-pressed='true'] {
    background: var(--_surface);
  }

  .user-actions {
    align-self: flex-end;
    margin-top: -4px;
    color: var(--_muted);
  }

  .trace {
    margin: -4px 0 4px;
    padding: 6px 10px;
    border-left: 3px solid var(--_border);
    color: var(--_muted);
    font-size: 0.85em;
  }

  .trace p,
  .trace ul,
  .memory p {
    margin: 0 0 4px;
  }

  .trace ul {
    padding-left: 1.2em;
    color: var(--_text);
  }

  .text-button {
    margin-right: 4px;
    padding: 2px 10px;
    border: 1px solid var(--_border);
    border-radius: 14px;
    background: transparent;
    color: inherit;
    font-size: 0.85em;
  }

  .text-button:disabled {
    cursor: default;
    opacity: 0.55;
  }

  .editing {
    margin: 0;
    padding: 8px 12px 0;
  }

  .typing {
    display: inline-flex;
    gap: 4px;
  }

  .typing span {
    width: 6px;
    height: 6px;
    border-radius: 50%;
    background: var(--_muted);
    animation: vibhava-blink 1s infinite ease-in-out;
  }

  .typing span:nth-child(2) {
    animation-delay: 0.15s;
  }

  .typing span:nth-child(3) {
    animation-delay: 0.3s;
  }

  @keyframes vibhava-blink {
    50% {
      opacity: 0.25;
    }
  }

  .alert {
    margin: 0 16px;
    color: var(--_error);
    font-size: 0.9em;
  }

  .alert:not(:empty) {
    padding: 8px 0;
  }

  .composer {
    display: flex;
    align-items: flex-end;
    gap: 8px;
    padding: 12px;
    border-top: 1px solid var(--_border);
  }

  .input {
    flex: 1;
    min-height: 40px;
    max-height: 120px;
    padding: 9px 12px;
    resize: none;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.6);
    background: var(--_background);
    color: var(--_text);
    font: inherit;
  }

  .send,
  .stop {
    display: grid;
    place-items: center;
    width: 40px;
    height: 40px;
    padding: 0;
    border: none;
    border-radius: 50%;
    background: var(--_accent);
    color: var(--_accent-text);
  }

  .send:disabled {
    cursor: default;
    opacity: 0.55;
  }

  @media (prefers-reduced-motion: reduce) {
    .launcher,
    .panel,
    .typing span {
      animation: none;
      transition: none;
    }

    .launcher:hover {
      transform: none;
    }
  }
`;
