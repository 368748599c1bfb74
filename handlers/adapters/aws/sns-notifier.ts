import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { chatNotification } from '../../core/chat-card.js';
import { UndeliverableError } from '../../core/errors.js';
import type { Channel } from '../../core/incident.js';
import { boundBody, MAX_BODY_BYTES } from '../../core/message-bounds.js';
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
 *
 * A publish holds at most 256 KB. Messages are composed within that (core/message-bounds.ts); one
 * queued before they were, with a longer text, is sent cut to fit, saying so and where all of it
 * is. A message SNS refuses as it is would be refused on every try: that is an
 * `UndeliverableError` (core/deliver.ts records the message as never sendable and tells on-call,
 * once), never a passing failure; and a passing failure (an outage, a throttle, a missing topic)
 * is never taken for one.
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topics: Record<Channel, string>,
    private readonly policy: Policy = DEFAULT_POLICY,
  ) {}

  async deliver(message: DeliveredMessage): Promise<void> {
    const text = JSON.stringify(snsMessages(message, this.policy));
    const attributes = Object.entries(message.attributes);
    const size = new TextEncoder().encode(text).length + attributes.reduce((n, [k, v]) => n + k.length + 'String'.length + v.length, 0);
    if (size > SNS_MAX_BYTES) throw new UndeliverableError(message.id, `${size} bytes, over SNS's ${SNS_MAX_BYTES} a publish`);
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topics[message.channel],
          Subject: snsSubject(message.subject),
          MessageStructure: 'json',
          Message: text,
          MessageAttributes: Object.fromEntries(attributes.map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
        }),
      );
    } catch (err) {
      if (refusesTheMessage(err)) throw new UndeliverableError(message.id, `SNS ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  }
}

/**
 * Whether SNS refused the message itself (too long, an attribute it does not take): every try
 * would be refused alike. Only a client error (4xx) that SNS names a bad parameter, and not one
 * about where the message goes (the topic, an endpoint): a topic that is missing, a key that is
 * disabled, a throttle, a 5xx or no answer at all are passing, or the deployment's to mend, and
 * the message is tried again.
 */
function refusesTheMessage(err: unknown): boolean {
  const { name, message, $metadata } = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  if (status === undefined || status < 400 || status >= 500) return false;
  if (!/^InvalidParameter(Value)?(Exception)?$/.test(name ?? '')) return false;
  return !/TopicArn|TargetArn|PhoneNumber|Endpoint/i.test(message ?? '');
}

/** SNS's limit for one publish: the JSON of every subscriber's text and the attributes. */
export const SNS_MAX_BYTES = 256 * 1024;

/** The text per kind of subscriber; `default` for any SNS does not name. */
export function snsMessages(message: DeliveredMessage, policy: Policy): Record<string, string> {
  const card = JSON.stringify(chatNotification(message, policy));
  // A message queued before messages were bounded may be longer: sent cut to fit, saying so.
  const body = message.body.length * 3 > MAX_BODY_BYTES ? boundBody(message.body.split('\n'), policy.language, message.incidentId).join('\n') : message.body;
  return {
    default: body,
    email: body,
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
