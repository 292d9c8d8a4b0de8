// Types <vibhava-avatar> in templates (vue-tsc): its properties as props, its events as typed
// emits. The shape follows Vue's guide, "Web Components and TypeScript".
import type {
  VibhavaAvatar,
  VibhavaCloseEvent,
  VibhavaErrorEvent,
  VibhavaFeedbackEvent,
  VibhavaMessageEvent,
  VibhavaOpenEvent,
} from '@vibhava/widget';
import type { EmitFn, PublicProps } from 'vue';

type VibhavaAvatarProps = Pick<
  VibhavaAvatar,
  'serverUrl' | 'publishableKey' | 'avatarId' | 'identityToken' | 'open' | 'heading'
>;

interface VibhavaAvatarEvents {
  'vibhava-message': VibhavaMessageEvent;
  'vibhava-error': VibhavaErrorEvent;
  'vibhava-feedback': VibhavaFeedbackEvent;
  'vibhava-open': VibhavaOpenEvent;
  'vibhava-close': VibhavaCloseEvent;
}

declare module 'vue' {
  interface GlobalComponents {
    'vibhava-avatar': new () => VibhavaAvatar & {
      $props: Partial<VibhavaAvatarProps> & PublicProps;
      $emit: EmitFn<{ [K in keyof VibhavaAvatarEvents]: (event: VibhavaAvatarEvents[K]) => void }>;
    };
  }
}
