import type { VibhavaErrorDetail, VibhavaFeedbackDetail, VibhavaMessageDetail } from '../events.js';

interface EventDetails {
  'vibhava-message': VibhavaMessageDetail;
  'vibhava-error': VibhavaErrorDetail;
  'vibhava-open': undefined;
  'vibhava-close': undefined;
  'vibhava-feedback': VibhavaFeedbackDetail;
}

/** Dispatches one of the widget's events: typed, bubbling and composed (it leaves the shadow root). */
export function emit<K extends keyof EventDetails>(target: EventTarget, type: K, detail: EventDetails[K]): void {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}
