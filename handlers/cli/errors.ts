import { DatalekError } from '../core/errors.js';

/** A bad flag, an unreadable path, an unknown incident: one line, exit 2, nothing written. */
export class UsageError extends DatalekError {}
