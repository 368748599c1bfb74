import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { chatNotification } from '../../core/chat-card.js';
import type { Channel } from '../../core/incident.js';
import { DEFAULT_POLICY, type Policy } from '../../core/policy.js';
import type { DeliveredMessage, Notifier } from '../../ports/notifier.js';

/**
 * Delivers outbox messages to two SNS topics, the FG's and on-call's. The message attributes
 * (severity, band, incident id, sample, kind, level) let subscribers filter, e.g. no test messages
 * by SMS.
 *
 * One publish carries a text per kind of subscriber (SNS `MessageStructure: json`): e-mail, queues
 * and functions get the full text; SMS a short one (the subject and the acknowledgement link);
 * HTTP(S) subscribers, which is how AWS's chat integration (AWS Chatbot, Amazon Q Developer in chat
 * applications) subscribes, get the chat card (core/chat-card.ts), so Slack and Teams show it
 * readably.
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topics: Record<Channel, string>,
    private readonly policy: Policy = DEFAULT_POLICY,
  ) {}

  async deliver(message: DeliveredMessage): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topics[message.channel],
        Subject: snsSubject(message.subject),
        MessageStructure: 'json',
        Message: JSON.stringify(snsMessages(message, this.policy)),
        MessageAttributes: Object.fromEntries(Object.entries(message.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
      }),
    );
  }
}

/** The text per kind of subscriber; `default` for any SNS does not name. */
export function snsMessages(message: DeliveredMessage, policy: Policy): Record<string, string> {
  const card = JSON.stringify(chatNotification(message, policy));
  return {
    default: message.body,
    email: message.body,
    sms: smsText(message),
    http: card,
    https: card,
  };
}

/** An SMS: the subject and, for a page, the acknowledgement link (two taps on a phone). */
export function smsText(message: DeliveredMessage): string {
  const ascii = snsSubject(message.subject);
  return message.ackUrl ? `${ascii}\n${message.ackUrl}` : ascii;
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
