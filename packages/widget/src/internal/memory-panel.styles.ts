import { css } from 'lit';

/** The memory panel's look; the colours and radius come from the widget's `--_*` properties. */
export const memoryPanelStyles = css`
  .memory {
    flex: 1;
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: 8px;
    padding: 16px;
    overflow-y: auto;
  }

  .memory-head {
    display: flex;
    align-self: stretch;
    align-items: flex-start;
    justify-content: space-between;
    gap: 8px;
  }

  .memory-head button {
    flex: none;
  }

  .memory h3 {
    margin: 0;
    font-size: 1em;
    outline: none;
  }

  .memory-list {
    display: grid;
    align-self: stretch;
    gap: 8px;
    margin: 0;
    padding: 0;
    list-style: none;
  }

  .memory-item {
    padding: 8px 10px;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.5);
    overflow-wrap: anywhere;
  }

  .fold {
    padding: 0;
    border: none;
    background: none;
    color: inherit;
    font: inherit;
    text-align: start;
    text-decoration: underline dotted;
  }

  .fold::before {
    content: '▸ ' / '';
  }

  .fold[aria-expanded='true']::before {
    content: '▾ ' / '';
  }

  .moments {
    margin: 4px 0;
    padding-inline-start: 16px;
    color: var(--_muted);
    font-size: 0.9em;
  }

  .moments li {
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
  }

  .category {
    text-transform: capitalize;
  }

  .memory-input {
    width: 100%;
    min-height: 60px;
    margin-bottom: 4px;
    border: 1px solid var(--_border);
    border-radius: 8px;
    background: var(--_background);
    color: var(--_text);
    font: inherit;
  }

  .danger {
    color: var(--_error);
  }

  .switch {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 0;
    border: none;
    background: none;
    color: inherit;
  }

  .switch::before {
    content: '';
    width: 36px;
    height: 20px;
    border-radius: 10px;
    background: radial-gradient(circle at 10px, #fff 6px, var(--_muted) 7px);
  }

  .switch[aria-checked='true']::before {
    background: radial-gradient(circle at 26px, #fff 6px, var(--_accent) 7px);
  }
`;
