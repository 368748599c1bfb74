import type { OutboxMessage } from '../core/incident.js';

/**
 * A message as it is sent: the stored message, with the signed acknowledgement link of a page
 * added (its URL is never stored: the key that signs it is kept outside the store).
 */
export type DeliveredMessage = OutboxMessage & { ackUrl?: string };

/**
 * Delivers one message from the outbox to its channel (the FG, or on-call). Deciding what to send
 * and making sure it goes once is the core's job (the outbox); an adapter only delivers, and throws
 * when it could not, so that the message stays pending.
 */
export interface Notifier {
  deliver(message: DeliveredMessage): Promise<void>;
  /**
   * Whether this notifier can deliver the message here; a message it cannot (a pager alert on a
   * machine without the pager's key) is left in the outbox, unclaimed, for the pipeline. @default all
   */
  accepts?(message: OutboxMessage): boolean;
}
