export { VibhavaAvatar } from './vibhava-avatar.component.js';
export type {
  VibhavaErrorDetail,
  VibhavaMessageDetail,
  VibhavaMessageEvent,
  VibhavaErrorEvent,
  VibhavaOpenEvent,
  VibhavaCloseEvent,
  VibhavaFeedbackDetail,
  VibhavaFeedbackEvent,
} from './events.js';
