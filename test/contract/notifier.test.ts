import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe } from 'vitest';
import { SnsNotifier } from '../../handlers/adapters/aws/sns-notifier.js';
import { ConsoleNotifier } from '../../handlers/adapters/local/console-notifier.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { notifierContract, type Received } from './notifier.contract.js';

notifierContract('console (embedded)', async () => {
  const lines: string[] = [];
  return {
    notifier: new ConsoleNotifier((line) => lines.push(line)),
    received: async () =>
      lines.map((l) => {
        const m = /^ {2}→ (FG|on-call): (.*)$/.exec(l);
        return { channel: m?.[1] === 'FG' ? 'fg' : 'on-call', subject: m?.[2] ?? l } as Received;
      }),
    broken: new ConsoleNotifier(() => {
      throw new Error('EPIPE: the terminal is gone');
    }),
    carriesBody: false,
  };
});

describe.skipIf(!MOTO_AVAILABLE)('on moto', () => {
  let moto: Moto;
  let n = 0;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => moto?.stop());

  notifierContract('SNS (moto)', async () => {
    n += 1;
    const topics: Record<'fg' | 'on-call', string> = { fg: '', 'on-call': '' };
    const queues: Record<string, string> = {};
    for (const channel of ['fg', 'on-call'] as const) {
      topics[channel] = (await moto.clients.sns.send(new CreateTopicCommand({ Name: `contract-${channel}-${n}` }))).TopicArn as string;
      const url = (await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: `contract-${channel}-${n}` }))).QueueUrl as string;
      const arn = (await moto.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
      await moto.clients.sns.send(new SubscribeCommand({ TopicArn: topics[channel], Protocol: 'sqs', Endpoint: arn }));
      queues[channel] = url;
    }
    return {
      notifier: new SnsNotifier(moto.clients.sns, topics),
      received: async () => {
        const out: Received[] = [];
        for (const channel of ['fg', 'on-call'] as const) {
          const got = await moto.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queues[channel], MaxNumberOfMessages: 10 }));
          for (const m of got.Messages ?? []) {
            const env = JSON.parse(m.Body as string) as { Subject: string; Message: string; MessageAttributes: Record<string, { Value: string }> };
            out.push({
              channel,
              subject: env.Subject,
              body: env.Message,
              attributes: Object.fromEntries(Object.entries(env.MessageAttributes).map(([k, v]) => [k, v.Value])),
            });
          }
        }
        return out;
      },
      broken: new SnsNotifier(moto.clients.sns, {
        fg: 'arn:aws:sns:eu-west-1:123456789012:no-such-topic',
        'on-call': 'arn:aws:sns:eu-west-1:123456789012:no-such-topic',
      }),
      carriesBody: true,
    };
  });
});
