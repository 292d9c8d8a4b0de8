// Entry of the script-tag build (dist/vibhava-avatar.min.js): everything bundled, element registered.
import './define.js';
