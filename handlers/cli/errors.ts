/** A bad flag, an unreadable path, an unknown incident: one line, exit 2, nothing written. */
export { UsageError } from '../core/errors.js';
