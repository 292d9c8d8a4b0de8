import { toVibhavaError, type VibhavaError } from './errors.js';

/**
 * What a visitor reads for each error: short, in plain words, and saying what they can do. The
 * server's own message is for developers (it names origins, keys and settings).
 */
const VISITOR_MESSAGES: Record<VibhavaError['code'], string> = {
  invalid_request: 'That message could not be sent. Please change it and try again.',
  invalid_json: 'That message could not be sent. Please try again.',
  payload_too_large: 'That message is too long. Please shorten it and try again.',
  conflict: 'Something changed in the meantime. Please try again.',
  unauthorized: 'Your chat session has ended. Please reload the page.',
  token_expired: 'Your chat session has ended. Please reload the page.',
  invalid_publishable_key: 'This chat is not set up correctly. Please let the site owner know.',
  forbidden_origin: 'This chat is not available on this page yet. Please let the site owner know.',
  forbidden: 'That is not allowed here.',
  not_found: 'That could not be found. It may have been deleted; please reload the page.',
  rate_limited: 'You are sending messages quickly. Please wait a moment, then try again.',
  quota_exceeded: 'The chat has reached its limit for now. Please try again later.',
  model_unavailable: 'The chat cannot answer right now. Please try again in a minute.',
  upstream_error: 'The reply could not be finished. Please try again.',
  upstream_timeout: 'The reply took too long. Please try again.',
  aborted: 'The reply was stopped.',
  internal_error: 'Something went wrong on our side. Please try again.',
  network_error: 'The chat cannot be reached. Please check your connection and try again.',
  protocol_error: 'Something went wrong. Please reload the page and try again.',
};

/** "in 40 seconds", "in 3 minutes", "in about 5 hours". */
function waitText(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `in ${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `in about ${Math.round(minutes / 60)} hours`;
}

/**
 * The short message a visitor should see for any error the SDK throws or puts into state, the
 * same in every UI (the widget, React, Vue, your own). Anything else reads as `internal_error`.
 */
export function visitorMessage(error: unknown): string {
  const known = toVibhavaError(error);
  const { code, retryAfterMs } = known;
  if ((code === 'rate_limited' || code === 'quota_exceeded') && retryAfterMs) {
    const what =
      code === 'rate_limited' ? 'You are sending messages quickly' : 'The chat has reached its limit for now';
    return `${what}. Please try again ${waitText(retryAfterMs)}.`;
  }
  return VISITOR_MESSAGES[code];
}

/**
 * The message for the developer's console: the error's class and code, the HTTP status, and the
 * server's own message (a refused origin names the origin and how to allow it).
 */
export function developerMessage(error: unknown): string {
  const known = toVibhavaError(error);
  const status = known.status === undefined ? '' : `, HTTP ${known.status}`;
  const hint =
    known.code === 'network_error'
      ? ' If the server is up, check the server URL; a server or proxy that refuses this page without CORS headers looks the same to the browser (its Network panel shows the refused request).'
      : '';
  return `VibhavaFusion ${known.name} (${known.code}${status}): ${known.message}${hint}`;
}
