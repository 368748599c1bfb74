/**
 * The AWS side of acknowledgement links and chat cards, on moto: the public link function's handler
 * (as its function URL hands it requests) forwards each request to the link-apply function, which
 * reads the key from Secrets Manager and acknowledges an incident in DynamoDB; the notify side signs
 * the page's link with the same secret; SNS gives the chat integration (an HTTPS subscriber) the
 * card and e-mail and queues the text. The two functions as deployed (handlers/link.ts, which
 * invokes through the Lambda API, and handlers/link-apply.ts) check the pager's webhooks with the
 * webhook secret alone, from its own secret, and never read the pager's keys.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AwsConfig } from '../../handlers/adapters/aws/config.js';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { SecretReadError, secretKey, secretReader, secretsManagerWebhookSecret } from '../../handlers/adapters/aws/secrets.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { deliverPending } from '../../handlers/core/deliver.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { createLinkHandler } from '../../handlers/lambda/link.js';
import { createLinkApplyHandler } from '../../handlers/lambda/link-apply.js';
import { createNotifier } from '../../handlers/lambda/notifier.js';
import { createLogger } from '../../handlers/lambda/runtime.js';
import type { DomainEvent } from '../../handlers/ports/event-publisher.js';
import { findingEvent } from '../support/events.js';
import { inProcessLambda } from '../support/lambda-invoke.js';
import { MOTO_AVAILABLE, type Moto, startMoto, TEST_REGION } from '../support/moto.js';
import { secretsManager } from '../support/secrets.js';

const LINK_HOST = 'abcdefghij0123456789abcdefghij01.lambda-url.eu-west-1.on.aws';

const APPLY_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:datalek-link-apply';

/**
 * Lambda's Invoke API on a local port (moto's Lambda cannot run functions here): each invocation
 * is recorded as it came over the wire and run in this process by the handler `target()` gives,
 * its answer returned as Lambda returns it (a thrown error as X-Amz-Function-Error).
 */
async function lambdaApi(target: () => (event: unknown) => Promise<unknown>) {
  const calls: { path: string; invocationType: string | undefined; payload: unknown }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', async () => {
      const payload = JSON.parse(body) as unknown;
      calls.push({ path: decodeURIComponent(req.url ?? ''), invocationType: req.headers['x-amz-invocation-type'] as string | undefined, payload });
      try {
        const out = await target()(payload);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
      } catch (err) {
        res
          .writeHead(200, { 'x-amz-function-error': 'Unhandled' })
          .end(JSON.stringify({ errorType: (err as Error).name, errorMessage: (err as Error).message }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A request as a Lambda function URL hands it over (payload format 2.0). */
function urlEvent(method: 'GET' | 'POST', path: string, body?: string, headers: Record<string, string> = {}): LambdaFunctionURLEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path.split('?')[0],
    rawQueryString: path.split('?')[1] ?? '',
    headers: { host: LINK_HOST, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghij0123456789abcdefghij01',
      domainName: LINK_HOST,
      domainPrefix: 'abcdefghij0123456789abcdefghij01',
      http: { method, path: path.split('?')[0], protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'phone' },
      requestId: 'r1',
      routeKey: '$default',
      stage: '$default',
      time: '28/Nov/2026:03:00:00 +0000',
      timeEpoch: 0,
    },
    ...(body !== undefined ? { body: Buffer.from(body).toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  } as LambdaFunctionURLEvent;
}

describe.skipIf(!MOTO_AVAILABLE)('acknowledgement links and chat cards on AWS (moto)', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  let config: AwsConfig;
  let secretArn: string;
  let chat: Server;
  const chatBodies: string[] = [];
  const published: DomainEvent[] = [];
  let onCallQueue: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    moto = await startMoto();
    const resources = await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, resources.table);
    secretArn = (await secretsManager(moto, 'CreateSecret', { Name: 'datalek/ack-link-key', SecretString: 'k'.repeat(40) + 'Z'.repeat(24) })).ARN;
    config = {
      region: TEST_REGION,
      table: resources.table,
      idempotencyTable: resources.idempotencyTable,
      topics: { fg: resources.fgTopicArn, 'on-call': resources.onCallTopicArn },
      busName: resources.busName,
      policy: DEFAULT_POLICY,
      containmentRoleName: 'datalek-containment',
      linkKeySecret: secretArn,
      linkUrl: `https://${LINK_HOST}/`,
    };
    // The chat integration subscribes over HTTPS; moto delivers to an HTTP endpoint the same way.
    chat = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        chatBodies.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => chat.listen(0, '127.0.0.1', () => r()));
    await moto.clients.sns.send(
      new SubscribeCommand({ TopicArn: resources.onCallTopicArn, Protocol: 'http', Endpoint: `http://127.0.0.1:${(chat.address() as AddressInfo).port}/` }),
    );
    const queueUrl = (await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: 'on-call-mail' }))).QueueUrl as string;
    const queueArn = (await moto.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    await moto.clients.sns.send(new SubscribeCommand({ TopicArn: resources.onCallTopicArn, Protocol: 'sqs', Endpoint: queueArn }));
    onCallQueue = queueUrl;
    // The functions read their secret with the SDK's credential chain and endpoint, as in Lambda.
    for (const [k, v] of Object.entries(moto.env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  }, 60_000);

  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await new Promise((r) => chat?.close(r));
    await moto?.stop();
  });

  it('a page on the on-call topic carries the signed link: the text for mail and queues, the chat card for the chat integration', async () => {
    const now = () => '2026-11-28T03:00:00.000Z';
    const r = await recordEvent(
      { store, policy: DEFAULT_POLICY, now, canEnforce: false },
      findingEvent({ id: 'aws-link', severity: 9.1, instanceId: 'i-awslink' }),
    );
    const id = r.incidentId as string;
    const notifier = createNotifier({ ...config, region: TEST_REGION }, moto.clients, store, createLogger(), now);
    const report = await deliverPending({ store, notifier, now }, { incidentId: id });
    expect(report.failed).toEqual([]);

    const got = await moto.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: onCallQueue, MaxNumberOfMessages: 10 }));
    const mail = JSON.parse(got.Messages?.[0]?.Body as string) as { Message: string; Subject: string };
    const lines = mail.Message.split('\n');
    expect(lines[0]).toBe('Oppakken, met twee tikken (link geldig tot 2026-11-28 04:15 CET):');
    expect(lines[1]).toMatch(new RegExp(`^https://${LINK_HOST.replace(/\./g, '\\.')}/ack/[\\w-]+\\.[\\w-]+$`));
    const link = lines[1];

    const envelope = JSON.parse(chatBodies.find((b) => b.includes(id)) as string) as { Message: string };
    const card = JSON.parse(envelope.Message);
    expect(card).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' }, metadata: { threadId: id } });
    expect(card.content.nextSteps[0]).toBe(`Oppakken (link geldig tot 2026-11-28 04:15 CET): ${link}`);

    // The link function forwards, the link-apply function checks and applies: opening shows the
    // button and changes nothing; pressing acknowledges in DynamoDB.
    const apply = createLinkApplyHandler({
      store,
      policy: DEFAULT_POLICY,
      logger: createLogger(),
      now: () => '2026-11-28T03:04:00.000Z',
      publisher: { publish: async (events) => void published.push(...events) },
      linkKey: secretKey(secretReader(secretArn, { region: TEST_REGION, env: { AWS_ENDPOINT_URL: moto.endpoint } })),
    });
    const handler = createLinkHandler({ invoke: inProcessLambda(apply), log: () => undefined });
    const path = new URL(link).pathname;
    const opened = await handler(urlEvent('GET', path));
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('<button type="submit">Ik pak het op</button>');
    expect(opened.headers?.['content-security-policy']).toContain("default-src 'none'");
    expect((await store.getIncident(id))?.acknowledgedBy).toBeNull();

    const pressed = await handler(urlEvent('POST', path, 'by=Anna&note=', { origin: `https://${LINK_HOST}` }));
    expect(pressed.statusCode).toBe(200);
    const incident = await store.getIncident(id);
    expect(incident).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Anna (from the page to on-call, round 1)', ackLinksUsed: ['on-call#0'] });
    expect(published).toEqual([{ type: 'Incident Acknowledged', incidentId: id, revision: incident?.revision, detail: { via: 'link' } }]);

    const again = await handler(urlEvent('POST', path, 'by=Bob'));
    expect(again.statusCode).toBe(409);
    expect((await store.getIncident(id))?.acknowledgedBy).toBe('Anna (from the page to on-call, round 1)');
  });

  it('the deployed link functions: the public one forwards through the Lambda API with nothing but its target; the link-apply one checks webhooks with its own webhook secret, never the pager’s, which it does not read', async () => {
    const r = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false },
      findingEvent({ id: 'aws-hook', severity: 8.2, instanceId: 'i-awshook' }),
    );
    const id = r.incidentId as string;
    // An upgraded deployment: the pager's secret still holds the webhook secret of before the split.
    const pagerArn = (
      await secretsManager(moto, 'CreateSecret', {
        Name: 'datalek/pager',
        SecretString: JSON.stringify({ routingKey: 'R0UT1NGKEY0123456789abcdefABCDEF', webhookSecret: 'the-old-one-in-the-pager-secret' }),
      })
    ).ARN;
    const webhookArn = (await secretsManager(moto, 'CreateSecret', { Name: 'datalek/pager-webhook', SecretString: 'w3bh00k-s3cret-0f-the-subscription\n' }))
      .ARN;
    const env: Record<string, string> = {
      DATALEK_TABLE: config.table,
      DATALEK_IDEMPOTENCY_TABLE: config.idempotencyTable,
      DATALEK_FG_TOPIC_ARN: config.topics.fg,
      DATALEK_ON_CALL_TOPIC_ARN: config.topics['on-call'],
      DATALEK_BUS_NAME: config.busName,
      DATALEK_POLICY: JSON.stringify({ onCall: { provider: 'pagerduty' } }),
      DATALEK_LINK_KEY_SECRET: secretArn,
      DATALEK_PAGER_WEBHOOK_SECRET_ID: webhookArn,
      // Even told where the pager's keys are, the link-apply function does not read them.
      DATALEK_PAGER_SECRET: pagerArn,
    };
    const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const restore = () => {
      for (const [k, v] of Object.entries(before)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
    let lambda: Awaited<ReturnType<typeof lambdaApi>> | undefined;
    try {
      vi.resetModules();
      let apply = (await import('../../handlers/link-apply.js')).handler;
      lambda = await lambdaApi(() => apply);
      // The forwarder loads with only its target: none of the link-apply function's variables.
      for (const k of Object.keys(env)) delete process.env[k];
      Object.assign(process.env, { DATALEK_LINK_APPLY_FUNCTION: APPLY_ARN, AWS_ENDPOINT_URL_LAMBDA: lambda.url });
      const { handler } = await import('../../handlers/link.js');
      const body = JSON.stringify({
        event: {
          id: '01LINKAWSHOOK',
          event_type: 'incident.acknowledged',
          resource_type: 'incident',
          // The function's clock is the real one: a webhook is taken only near its event's time.
          occurred_at: new Date().toISOString(),
          agent: { id: 'PLH1HKV', summary: 'Anna Jansen', type: 'user_reference' },
          data: { id: 'PGR0VU2', type: 'incident', status: 'acknowledged', title: `[datalek hoog] Beveiligingsincident ${id}` },
        },
      });
      const hook = (secret: string) =>
        handler(
          urlEvent('POST', '/hooks/pagerduty', body, {
            'content-type': 'application/json',
            'x-pagerduty-signature': `v1=${createHmac('sha256', secret).update(body).digest('hex')}`,
          }),
        );
      const old = await hook('the-old-one-in-the-pager-secret');
      expect(old.statusCode).toBe(401);
      const signed = await hook('w3bh00k-s3cret-0f-the-subscription');
      expect(signed.statusCode).toBe(200);
      // Authorised: the incident was never paged through PagerDuty, so its alert is not one of ours.
      expect(JSON.parse(signed.body as string)).toEqual({ outcome: 'unknown-alert', incidentId: id });
      // Each request went to the link-apply function by its ARN, synchronously, as what the checks
      // read: the raw body and the signature, and no other header, cookie or caller's address.
      expect(lambda.calls.map((c) => [c.path, c.invocationType])).toEqual([
        [`/2015-03-31/functions/${APPLY_ARN}/invocations`, 'RequestResponse'],
        [`/2015-03-31/functions/${APPLY_ARN}/invocations`, 'RequestResponse'],
      ]);
      expect(lambda.calls[1].payload).toEqual({
        method: 'POST',
        origin: `https://${LINK_HOST}`,
        path: '/hooks/pagerduty',
        headers: { 'x-pagerduty-signature': `v1=${createHmac('sha256', 'w3bh00k-s3cret-0f-the-subscription').update(body).digest('hex')}` },
        body,
      });

      // The pager's whole JSON pasted into the webhook secret (the keys that page on-call, within
      // the public function's reach) checks nothing: the call fails (the provider retries it once
      // the secret is put right) and the reading names the secret and what is wrong with it.
      const pastedJson = JSON.stringify({ routingKey: 'R0UT1NGKEY0123456789abcdefABCDEF', webhookSecret: 'w3bh00k-s3cret-0f-the-subscription' });
      await secretsManager(moto, 'PutSecretValue', { SecretId: webhookArn, SecretString: pastedJson });
      vi.resetModules();
      Object.assign(process.env, env);
      apply = (await import('../../handlers/link-apply.js')).handler;
      const pasted = await handler(
        urlEvent('POST', '/hooks/pagerduty', body, {
          'content-type': 'application/json',
          'x-pagerduty-signature': `v1=${createHmac('sha256', 'w3bh00k-s3cret-0f-the-subscription').update(body).digest('hex')}`,
        }),
      );
      expect(pasted.statusCode).toBe(500);
      expect(pasted.body).not.toContain('R0UT1NGKEY');
      const read = secretsManagerWebhookSecret('datalek/pager-webhook', TEST_REGION, { AWS_ENDPOINT_URL: moto.endpoint });
      await expect(read()).rejects.toThrow(/^cannot read secret datalek\/pager-webhook: NotText: it holds JSON/);
    } finally {
      restore();
      for (const k of ['DATALEK_LINK_APPLY_FUNCTION', 'AWS_ENDPOINT_URL_LAMBDA']) delete process.env[k];
      await lambda?.close();
      vi.resetModules();
    }
  });

  it('reading a secret that is not there names the secret and Secrets Manager’s error', async () => {
    const read = secretReader('datalek/missing', { region: TEST_REGION, env: { AWS_ENDPOINT_URL: moto.endpoint } });
    await expect(read()).rejects.toThrow(SecretReadError);
    await expect(read()).rejects.toThrow(/cannot read secret datalek\/missing: ResourceNotFoundException/);
  });
});
