/**
 * The FG's and on-call's SNS topics on moto, each with an SQS queue subscribed, and what each queue
 * received: the SNS envelope of every message published (subject, the text queues get, attributes).
 */
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Moto } from './moto.js';

export interface SnsEnvelope {
  Subject: string;
  Message: string;
  MessageAttributes: Record<string, { Value: string }>;
}

/** Topics and queues named `<name>-fg` and `<name>-on-call` (a name per test: moto keeps them until reset). */
export async function topicsWithQueues(moto: Moto, name: string) {
  const topics: Record<'fg' | 'on-call', string> = { fg: '', 'on-call': '' };
  const queues: Record<string, string> = {};
  for (const channel of ['fg', 'on-call'] as const) {
    topics[channel] = (await moto.clients.sns.send(new CreateTopicCommand({ Name: `${name}-${channel}` }))).TopicArn as string;
    const url = (await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: `${name}-${channel}` }))).QueueUrl as string;
    const arn = (await moto.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    await moto.clients.sns.send(new SubscribeCommand({ TopicArn: topics[channel], Protocol: 'sqs', Endpoint: arn }));
    queues[channel] = url;
  }
  const received = async (channel: 'fg' | 'on-call'): Promise<SnsEnvelope[]> => {
    const got = await moto.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queues[channel], MaxNumberOfMessages: 10 }));
    return (got.Messages ?? []).map((m) => JSON.parse(m.Body as string) as SnsEnvelope);
  };
  return { topics, received };
}
