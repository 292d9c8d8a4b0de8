import { createComponent, type EventName } from '@lit/react';
import type {
  VibhavaCloseEvent,
  VibhavaErrorEvent,
  VibhavaFeedbackEvent,
  VibhavaMessageEvent,
  VibhavaOpenEvent,
} from '@vibhava/widget';
// Registers <vibhava-avatar> and hands over its class, whose properties become the component's props.
import { VibhavaAvatar as VibhavaAvatarElement } from '@vibhava/widget/define';
import * as React from 'react';

/**
 * `<vibhava-avatar>` as a React component: `serverUrl`, `publishableKey`, `avatarId`,
 * `identityToken`, `open` and `heading` are set as properties, and the element's events arrive
 * typed through `onMessage`, `onError`, `onFeedback`, `onOpen` and `onClose`.
 */
export const VibhavaAvatar = createComponent({
  tagName: 'vibhava-avatar',
  elementClass: VibhavaAvatarElement,
  react: React,
  events: {
    onMessage: 'vibhava-message' as EventName<VibhavaMessageEvent>,
    onError: 'vibhava-error' as EventName<VibhavaErrorEvent>,
    onFeedback: 'vibhava-feedback' as EventName<VibhavaFeedbackEvent>,
    onOpen: 'vibhava-open' as EventName<VibhavaOpenEvent>,
    onClose: 'vibhava-close' as EventName<VibhavaCloseEvent>,
  },
});
