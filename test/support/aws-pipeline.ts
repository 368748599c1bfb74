/**
 * The AWS pipeline wired on moto as the infrastructure wires it: GuardDuty events put on the
 * default bus, routed by the same rule pattern the CDK app deploys to a queue, handed to the record
 * handler as Lambda would; the pipeline's own events routed from its bus to a queue and handed to
 * the notify handler; the SNS topics subscribed by queues, so the test reads what the FG received.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { AwsConfig } from '../../handlers/adapters/aws/config.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { DOMAIN_EVENT_SOURCE } from '../../handlers/adapters/aws/table-schema.js';
import { DEFAULT_POLICY, type Policy } from '../../handlers/core/policy.js';
import { domainRulePattern, findingRulePattern, NOTIFY_EVENT_TYPES } from '../../handlers/core/rules.js';
import { createAwsDeps } from '../../handlers/lambda/aws-deps.js';
import { createNotifyHandler } from '../../handlers/lambda/notify.js';
import type { createRecordHandler } from '../../handlers/lambda/record.js';
import type { AwsDeps, LambdaContext } from '../../handlers/lambda/runtime.js';
import type { Moto } from './moto.js';

export const lambdaContext = (name = 'test'): LambdaContext => ({
  awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
  functionName: name,
  getRemainingTimeInMillis: () => 30_000,
});

export interface Pipeline {
  config: AwsConfig;
  deps: AwsDeps;
  queues: { findings: string; domain: string; fg: string; onCall: string };
  persistence: DynamoDBPersistenceLayer;
  /** Puts GuardDuty events on the default bus, as GuardDuty does. */
  putFindings: (events: ReturnType<typeof Object>[]) => Promise<void>;
  receive: (queueUrl: string) => Promise<{ body: string }[]>;
  purge: () => Promise<void>;
}

async function queue(moto: Moto, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attrs = await moto.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl as string, arn: attrs.Attributes?.QueueArn as string };
}

export async function wirePipeline(moto: Moto, policy: Policy = DEFAULT_POLICY, logger?: Logger): Promise<Pipeline> {
  const resources = await setupAwsResources(moto.clients);
  const config: AwsConfig = {
    region: 'eu-west-1',
    table: resources.table,
    idempotencyTable: resources.idempotencyTable,
    topics: { fg: resources.fgTopicArn, 'on-call': resources.onCallTopicArn },
    busName: resources.busName,
    policy,
    containmentRoleName: 'datalek-containment',
  };
  const eb = moto.clients.eventbridge;
  const findings = await queue(moto, 'gd-findings');
  const domain = await queue(moto, 'domain-events');
  const fg = await queue(moto, 'fg-inbox');
  const onCall = await queue(moto, 'on-call-inbox');

  await eb.send(new PutRuleCommand({ Name: 'datalek-findings', EventPattern: JSON.stringify(findingRulePattern(policy)) }));
  await eb.send(new PutTargetsCommand({ Rule: 'datalek-findings', Targets: [{ Id: 'q', Arn: findings.arn }] }));
  const notifyPattern = domainRulePattern(DOMAIN_EVENT_SOURCE, NOTIFY_EVENT_TYPES);
  await eb.send(new PutRuleCommand({ Name: 'datalek-notify', EventBusName: config.busName, EventPattern: JSON.stringify(notifyPattern) }));
  await eb.send(new PutTargetsCommand({ Rule: 'datalek-notify', EventBusName: config.busName, Targets: [{ Id: 'q', Arn: domain.arn }] }));
  await moto.clients.sns.send(new SubscribeCommand({ TopicArn: config.topics.fg, Protocol: 'sqs', Endpoint: fg.arn }));
  await moto.clients.sns.send(new SubscribeCommand({ TopicArn: config.topics['on-call'], Protocol: 'sqs', Endpoint: onCall.arn }));

  const deps = createAwsDeps(config, moto.clients, logger);
  const persistence = new DynamoDBPersistenceLayer({ tableName: config.idempotencyTable, awsSdkV3Client: moto.clients.dynamodb });
  const urls = { findings: findings.url, domain: domain.url, fg: fg.url, onCall: onCall.url };
  return {
    config,
    deps,
    queues: urls,
    persistence,
    putFindings: async (events) => {
      for (let i = 0; i < events.length; i += 10) {
        const out = await eb.send(
          new PutEventsCommand({
            Entries: events.slice(i, i + 10).map((e) => {
              const ev = e as { source: string; 'detail-type': string; detail: unknown; time?: string };
              return { Source: ev.source, DetailType: ev['detail-type'], Detail: JSON.stringify(ev.detail) };
            }),
          }),
        );
        if (out.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(out.Entries)}`);
      }
    },
    receive: async (queueUrl) => {
      const all: { body: string }[] = [];
      for (let empty = 0; empty < 2; ) {
        const out = await moto.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        const messages = out.Messages ?? [];
        if (messages.length === 0) {
          empty += 1;
          continue;
        }
        for (const m of messages) {
          all.push({ body: m.Body as string });
          await moto.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
        }
      }
      return all;
    },
    purge: async () => {
      for (const url of Object.values(urls)) await moto.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    },
  };
}

/** Drives what Lambda would: findings queue → record handler; domain queue → notify handler. */
export async function drain(p: Pipeline, record: ReturnType<typeof createRecordHandler>, notify = createNotifyHandler(p.deps)) {
  const results = [];
  for (const m of await p.receive(p.queues.findings)) results.push(await record(JSON.parse(m.body), lambdaContext('record')));
  for (const m of await p.receive(p.queues.domain)) await notify(JSON.parse(m.body));
  return results;
}

/** SNS envelopes as an SQS subscription receives them. */
export async function inbox(p: Pipeline, which: 'fg' | 'onCall') {
  return (await p.receive(p.queues[which])).map(
    (m) => JSON.parse(m.body) as { Subject: string; Message: string; MessageAttributes: Record<string, { Value: string }> },
  );
}
