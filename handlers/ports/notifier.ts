import type { OutboxMessage } from '../core/incident.js';

/**
 * Delivers one message from the outbox to its channel (the FG, or on-call). Deciding what to send
 * and making sure it goes once is the core's job (the outbox); an adapter only delivers, and throws
 * when it could not, so that the message stays pending.
 */
export interface Notifier {
  deliver(message: OutboxMessage): Promise<void>;
}
