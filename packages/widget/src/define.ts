import { VibhavaAvatar } from './vibhava-avatar.component.js';

export { VibhavaAvatar };

// The only side effect of the package. Guarded so a page that loads both the npm build and the
// script-tag build (or loads either twice) does not throw.
if (!customElements.get('vibhava-avatar')) customElements.define('vibhava-avatar', VibhavaAvatar);
