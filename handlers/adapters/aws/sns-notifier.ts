import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Channel, OutboxMessage } from '../../core/incident.js';
import type { Notifier } from '../../ports/notifier.js';

/**
 * Delivers outbox messages to two SNS topics, the FG's and on-call's. The message attributes
 * (severity, band, incident id, sample, kind) let subscribers filter, e.g. no test messages by SMS.
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topics: Record<Channel, string>,
  ) {}

  async deliver(message: OutboxMessage): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topics[message.channel],
        Subject: snsSubject(message.subject),
        Message: message.body,
        MessageAttributes: Object.fromEntries(Object.entries(message.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
      }),
    );
  }
}

/**
 * SNS subjects are ASCII, one line, under 100 characters. A subject that ends with the incident id
 * is shortened before the id, so the id, which the reader needs to act, is never cut.
 */
export function snsSubject(subject: string): string {
  const ascii = subject
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .trim();
  if (ascii.length <= 99) return ascii;
  const id = / dl-[0-9a-f]+$/.exec(ascii)?.[0] ?? '';
  return `${ascii.slice(0, 98 - id.length)}~${id}`;
}
