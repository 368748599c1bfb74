/**
 * The link-apply function's grant against the DynamoDB requests an acknowledgement really sends:
 * the public link handler (as its function URL hands it requests) forwards to the link-apply
 * handler, which acknowledges on moto by a page's link and by the pager's webhook; every request it
 * sends is recorded as it goes on the wire, and each is evaluated against the synthesized role of
 * the link-apply function and its permissions boundary (test/infra/dynamodb-iam.ts:
 * moto does not enforce IAM, and has no policy simulator). Writes an acknowledgement never makes
 * are refused by the same evaluation, and were allowed by the grant before.
 */
import { createHmac } from 'node:crypto';
import { Template } from 'aws-cdk-lib/assertions';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { signAckLink } from '../../handlers/core/ack-link.js';
import { recordPagerEvent } from '../../handlers/core/pager.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import { createLinkHandler } from '../../handlers/lambda/link.js';
import { createLinkApplyHandler, type LinkApplyDeps } from '../../handlers/lambda/link-apply.js';
import { createLogger } from '../../handlers/lambda/runtime.js';
import { findingEvent } from '../support/events.js';
import { DEPLOY_CONTEXT, roleStatements, type Statement, synthesizedApp } from '../support/infra.js';
import { inProcessLambda } from '../support/lambda-invoke.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { type Authorization, allowed, authorizationsOf, recordingClient, type SentRequest } from './dynamodb-iam.js';

const BASE = { partition: 'aws', region: DEPLOY_CONTEXT.region, account: DEPLOY_CONTEXT.account };
const TABLE = 'datalek-incidents';
const LINK_KEY = Buffer.from('d'.repeat(64), 'hex');
const WEBHOOK_SECRET = 'w3bh00k-s3cret-0f-the-subscription';
const HOST = 'abcdefghij0123456789abcdefghij01.lambda-url.eu-west-1.on.aws';
const policy = parsePolicy({ onCall: { provider: 'pagerduty' } });

/** A request as a Lambda function URL hands it over (payload format 2.0). */
function urlEvent(method: 'GET' | 'POST', path: string, body?: string, headers: Record<string, string> = {}): LambdaFunctionURLEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: HOST, ...headers },
    requestContext: { domainName: HOST, http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'phone' } },
    ...(body !== undefined ? { body: Buffer.from(body).toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  } as unknown as LambdaFunctionURLEvent;
}

const APPLY_ROLE = 'datalek-link-apply-function';

/** The link-apply role's statements and its permissions boundary's, as synthesized. */
function linkPolicies(): Statement[][] {
  const t = Template.fromStack(synthesizedApp().response);
  const [, role] = Object.entries(t.findResources('AWS::IAM::Role')).find(([, r]) => r.Properties.RoleName === APPLY_ROLE) ?? [];
  const boundary = t.findResources('AWS::IAM::ManagedPolicy')[role?.Properties.PermissionsBoundary?.Ref];
  expect(boundary, 'the link-apply role has a permissions boundary').toBeDefined();
  return [roleStatements(t, APPLY_ROLE), boundary.Properties.PolicyDocument.Statement as Statement[]];
}

/** The public link function forwarding to the link-apply function, through JSON as Lambda carries it. */
const linkFunctions = (deps: LinkApplyDeps) => createLinkHandler({ invoke: inProcessLambda(createLinkApplyHandler(deps)), log: () => undefined });

/** The link function's table grant before it was narrowed: read and commit on the whole table. */
const BEFORE: Statement[] = [
  {
    Effect: 'Allow',
    Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
    Resource: `arn:aws:dynamodb:${BASE.region}:${BASE.account}:table/${TABLE}`,
  },
];

describe.skipIf(!MOTO_AVAILABLE)("an acknowledgement's DynamoDB requests against the link-apply function's grant", () => {
  let moto: Moto;
  let policies: Statement[][];
  const sent: SentRequest[] = [];
  let handler: ReturnType<typeof createLinkHandler>;
  let setupStore: DynamoDbIncidentStore;
  let linkStore: DynamoDbIncidentStore;

  const open = async (id: string) => {
    const r = await recordEvent(
      { store: setupStore, policy, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false },
      findingEvent({ id, severity: 8.5, instanceId: `i-${id}` }),
    );
    return r.incidentId as string;
  };
  const authorizations = (): Authorization[] => sent.flatMap((r) => authorizationsOf(r.operation, r.body, BASE));

  beforeAll(async () => {
    policies = linkPolicies();
    moto = await startMoto();
    await setupAwsResources(moto.clients);
    setupStore = new DynamoDbIncidentStore(moto.clients.dynamodb, TABLE);
    // The link-apply function's own client: every request it sends is recorded as it goes on the wire.
    const client = recordingClient(moto.endpoint, sent);
    linkStore = new DynamoDbIncidentStore(client, TABLE);
    handler = linkFunctions({
      store: linkStore,
      policy,
      logger: createLogger(),
      now: () => '2026-11-28T03:04:00.000Z',
      publisher: { publish: async () => undefined },
      linkKey: async () => LINK_KEY,
      webhookSecret: async () => WEBHOOK_SECRET,
    });
  }, 120_000);

  afterAll(async () => {
    await moto?.stop();
  });

  it('allows every request of an acknowledgement by a page’s link: the page, the press (with the pager’s acknowledge queued), a second press', async () => {
    const id = await open('grant-link');
    const token = signAckLink(LINK_KEY, { incidentId: id, level: 'on-call', round: 0, expiresAt: '2026-11-28T04:00:00.000Z' });
    sent.length = 0;
    expect((await handler(urlEvent('GET', `/ack/${token}`))).statusCode).toBe(200);
    const pressed = await handler(
      urlEvent('POST', `/ack/${token}`, 'by=Anna&note=', { 'content-type': 'application/x-www-form-urlencoded', origin: `https://${HOST}` }),
    );
    expect(pressed.statusCode).toBe(200);
    expect((await handler(urlEvent('POST', `/ack/${token}`, 'by=Bob', { 'content-type': 'application/x-www-form-urlencoded' }))).statusCode).toBe(409);
    const incident = await setupStore.getIncident(id);
    expect(incident?.acknowledgedBy).toBe('Anna (from the page to on-call, round 1)');
    expect((await setupStore.listMessages(id)).map((m) => m.id)).toContain(`${id}/on-call/pager:acknowledge:${id}`);

    const asked = authorizations();
    // What was asked: the incident read, the outbox looked up, one transaction of Puts (record,
    // timeline, queued message, ledger, anchor mark).
    expect(new Set(asked.map((a) => a.action))).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem']));
    expect(asked.filter((a) => a.action === 'dynamodb:PutItem').map((a) => a.what.replace(/\d+/g, 'N').replace(id.replace(/\d+/g, 'N'), 'ID'))).toEqual(
      expect.arrayContaining(['PutItem INC#ID / INCIDENT', 'PutItem INC#ID / TL#N', 'PutItem INC#ID / LG#N', 'PutItem ANCHOR#N / ID']),
    );
    expect(asked.some((a) => a.action === 'dynamodb:PutItem' && a.what.includes('/ MSG#'))).toBe(true);
    for (const a of asked) expect(allowed(a, policies, BASE), a.what).toBe(true);
  });

  it('allows every request of an acknowledgement by the pager’s webhook', async () => {
    const id = await open('grant-hook');
    sent.length = 0;
    const body = JSON.stringify({
      event: {
        id: '01GRANTHOOK',
        event_type: 'incident.acknowledged',
        resource_type: 'incident',
        occurred_at: '2026-11-28T03:05:00Z',
        agent: { id: 'PLH1HKV', summary: 'Anna Jansen', type: 'user_reference' },
        data: { id: 'PGR0VU2', type: 'incident', status: 'acknowledged', incident_key: id, title: `[datalek hoog] Beveiligingsincident ${id}` },
      },
    });
    const hook = await handler(
      urlEvent('POST', '/hooks/pagerduty', body, {
        'content-type': 'application/json',
        'x-pagerduty-signature': `v1=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
      }),
    );
    expect(JSON.parse(hook.body as string)).toEqual({ outcome: 'acknowledged', incidentId: id });
    expect((await setupStore.getIncident(id))?.acknowledgedBy).toBe('Anna Jansen (PagerDuty)');
    const asked = authorizations();
    expect(asked.some((a) => a.action === 'dynamodb:PutItem')).toBe(true);
    for (const a of asked) expect(allowed(a, policies, BASE), a.what).toBe(true);
  });

  it('allows every request of a late acknowledgement of the alert before (recorded as the person’s, the new alert left paging), on DynamoDB as on SQLite', async () => {
    const id = await open('grant-earlier');
    const at = (minutes: number) => new Date(Date.parse('2026-11-28T03:00:00.000Z') + minutes * 60_000).toISOString();
    const deps = (minutes: number) => ({ store: setupStore, policy, now: () => at(minutes) });
    // Anna acknowledges at minute 10 (its delivery fails), PagerDuty auto-resolves at 20, the sweep raises the alert again at 30.
    await recordPagerEvent(deps(20), {
      provider: 'pagerduty',
      incidentId: id,
      event: 'resolved',
      by: 'PagerDuty',
      person: false,
      occurredAt: at(20),
      eventId: 'Q0AUTO',
    });
    await sweep(deps(30));
    expect((await setupStore.getIncident(id))?.pager).toMatchObject({
      state: 'triggered',
      triggeredAt: at(30),
      earlier: [{ raisedAt: at(0), resolvedAt: at(20) }],
    });
    const late = linkFunctions({
      store: linkStore,
      policy,
      logger: createLogger(),
      now: () => at(36),
      publisher: { publish: async () => undefined },
      linkKey: async () => LINK_KEY,
      webhookSecret: async () => WEBHOOK_SECRET,
    });
    sent.length = 0;
    const body = JSON.stringify({
      event: {
        id: '01GRANTEARLIER',
        event_type: 'incident.acknowledged',
        resource_type: 'incident',
        occurred_at: at(10),
        agent: { id: 'PLH1HKV', summary: 'Anna Jansen', type: 'user_reference' },
        data: { id: 'PGR0VU2', type: 'incident', status: 'acknowledged', incident_key: id, title: `[datalek hoog] Beveiligingsincident ${id}` },
      },
    });
    const signed = urlEvent('POST', '/hooks/pagerduty', body, {
      'content-type': 'application/json',
      'x-pagerduty-signature': `v1=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
    });
    expect(JSON.parse((await late(signed)).body as string)).toEqual({ outcome: 'acknowledged', incidentId: id });
    const incident = await setupStore.getIncident(id);
    expect(incident).toMatchObject({ acknowledgedBy: 'Anna Jansen (PagerDuty)', acknowledgedAt: at(10), pager: { state: 'triggered' } });
    expect(incident?.pager?.events).toEqual([
      { id: 'Q0AUTO', at: at(20) },
      { id: '01GRANTEARLIER', at: at(10) },
    ]);
    expect((await setupStore.listMessages(id)).filter((m) => m.alert?.action === 'acknowledge')).toEqual([]);
    const asked = authorizations();
    expect(asked.some((a) => a.action === 'dynamodb:PutItem')).toBe(true);
    for (const a of asked) expect(allowed(a, policies, BASE), a.what).toBe(true);
    // The same delivery again: once.
    expect(JSON.parse((await late(signed)).body as string)).toEqual({ outcome: 'unchanged', incidentId: id });
  });

  it('refuses the writes and reads an acknowledgement never makes, which the grant before allowed', () => {
    const pk = (v: string) => ({ S: v });
    const put = (key: string, sk: string, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}) =>
      authorizationsOf('PutItem', { TableName: TABLE, Item: { pk: pk(key), sk: pk(sk), ...extra }, ...options }, BASE)[0];
    const id = 'dl-00000000000000000000000000000000';
    const mustNot: [Authorization, boolean][] = [
      // [request, allowed by the grant before]
      [put('REG#0', 'HEAD', { n: { N: '7' }, hash: pk('x') }), true], // the registry's chain
      [put('REG#0', 'E#0000000007', { shard: { N: '0' }, n: { N: '7' }, data: pk('{}'), prevHash: pk('x'), hash: pk('y') }), true],
      [put('FND#111122223333/eu-west-1/f', 'FINDING', { incidentId: pk(id), updatedAt: pk('t'), count: { N: '1' }, data: pk('{}') }), true],
      [put('RES#i-1', 'OPEN', { incidentId: pk(id) }), true], // a resource lock
      [put('ANCHOR', 'STATE', { data: pk('{}') }), true], // the anchor's own state
      [put(`INC#${id}`, `MSG#${id}/on-call/page`, { incidentId: pk(id), data: pk('{}'), sentAt: pk('2026-11-28T03:00:00Z') }), true], // a page marked sent
      [put(`INC#${id}`, 'INCIDENT', { data: pk('{}') }, { ReturnValues: 'ALL_OLD' }), true], // and hand back what it replaced
      [
        authorizationsOf(
          'UpdateItem',
          {
            TableName: TABLE,
            Key: { pk: pk(`INC#${id}`), sk: pk(`MSG#${id}/on-call/page`) },
            UpdateExpression: 'SET sentAt = :at',
            ExpressionAttributeValues: {},
          },
          BASE,
        )[0],
        false,
      ],
      [authorizationsOf('DeleteItem', { TableName: TABLE, Key: { pk: pk('RES#i-1'), sk: pk('OPEN') } }, BASE)[0], false],
      [authorizationsOf('GetItem', { TableName: TABLE, Key: { pk: pk('REG#0'), sk: pk('HEAD') } }, BASE)[0], true],
      [authorizationsOf('Query', { TableName: TABLE, KeyConditionExpression: 'pk = :p' }, BASE)[0], true],
      [authorizationsOf('Query', { TableName: TABLE, IndexName: 'byDetection', KeyConditionExpression: 'gsi2pk = :p' }, BASE)[0], false],
      [authorizationsOf('Scan', { TableName: TABLE }, BASE)[0], false],
      [authorizationsOf('DescribeTable', { TableName: TABLE }, BASE)[0], true],
    ];
    for (const [a, before] of mustNot) {
      expect(allowed(a, policies, BASE), `now: ${a.what}`).toBe(false);
      expect(allowed(a, [BEFORE], BASE), `before: ${a.what}`).toBe(before);
    }
    // A batch read is allowed only when every key is: one registry key among incidents refuses it.
    const batch = (keys: string[]) =>
      authorizationsOf('BatchGetItem', { RequestItems: { [TABLE]: { Keys: keys.map((k) => ({ pk: pk(k), sk: pk('x') })) } } }, BASE)[0];
    expect(allowed(batch([`INC#${id}`, 'RES#i-1']), policies, BASE)).toBe(true);
    expect(allowed(batch([`INC#${id}`, 'REG#0']), policies, BASE)).toBe(false);
  });
});
