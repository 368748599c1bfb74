import type { DeliveredMessage, Notifier } from '../../ports/notifier.js';

/**
 * The embedded notifier: the message already sits in the store's outbox (the core put it there in
 * the same transaction as the change that caused it); delivering it means showing it to the person
 * at the terminal. Subject lines only, on stderr, and a page's acknowledgement link under it (the
 * link is not stored: `datalek messages ID` prints the rest of the text).
 */
export class ConsoleNotifier implements Notifier {
  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  async deliver(message: DeliveredMessage): Promise<void> {
    const to = message.channel === 'fg' ? 'FG' : 'on-call';
    this.write(`  → ${to}: ${message.subject}`);
    if (message.ackUrl) this.write(`      ${message.ackUrl}`);
  }
}
