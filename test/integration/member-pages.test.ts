/**
 * A member account's watched calls, paged within the bound (deploy20), against moto's DynamoDB and
 * SNS: the handler with its DynamoDB record, publishing to a topic whose messages an SQS queue
 * receives. Before this function every call a watch rule matched was a page of its own: fifty calls
 * of one member account, fifty pages (the infra test test/infra/member-pages.test.ts shows the rules
 * sending them there; this one what the function makes of them).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbMemberPageLedger, MEMBER_PAGES_TABLE } from '../../handlers/adapters/aws/member-page-ledger.js';
import { CALLER_MARK, InvalidMemberCallError } from '../../handlers/core/member-pages.js';
import { createMemberPagesHandler } from '../../handlers/lambda/member-pages.js';
import { bundleHandler, bundleSizes } from '../../infra/bundling.js';
import { capturingLogger } from '../support/logs.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const MEMBER = '444455556666';
const OTHER_MEMBER = '777788889999';
const RULE = 'datalek-watch-pipeline';
const LIMIT = 3;

/** The rule's page as EventBridge renders it for a twin: the caller left to the function. */
const page = (eventName: string, account: string) =>
  `datalek WATCH: ${eventName} by ${CALLER_MARK} at 2026-12-01T01:00:00Z in eu-west-1 (account ${account}), seen by ${RULE}: a call that can stop GuardDuty findings from reaching the pipeline.`;

let serial = 0;
/** A twin rule's input: the rule, its page, the whole event (a federated user's call: its issuer is an IAM user, by name). */
function memberCall(opts: { account?: string; time?: string; eventId?: string; rule?: string; eventName?: string; identity?: Record<string, unknown> } = {}) {
  const account = opts.account ?? MEMBER;
  const eventName = opts.eventName ?? 'UpdateDetector';
  serial += 1;
  return {
    rule: opts.rule ?? RULE,
    page: page(eventName, account),
    event: {
      version: '0',
      id: `envelope-${serial}`,
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.guardduty',
      account,
      time: opts.time ?? '2026-12-01T01:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: {
        eventID: opts.eventId ?? `0000${serial.toString(16).padStart(4, '0')}-1111-2222-3333-444455556666`,
        eventName,
        eventSource: 'guardduty.amazonaws.com',
        sourceIPAddress: '198.51.100.23',
        userIdentity: opts.identity ?? {
          type: 'FederatedUser',
          principalId: `${account}:alice.jansen`,
          arn: `arn:aws:sts::${account}:federated-user/alice.jansen`,
          accountId: account,
          sessionContext: {
            sessionIssuer: {
              type: 'IAMUser',
              principalId: 'AIDAEXAMPLEALICE',
              arn: `arn:aws:iam::${account}:user/alice.jansen`,
              accountId: account,
              userName: 'alice.jansen',
            },
          },
        },
      },
    },
  };
}

describe.skipIf(!MOTO_AVAILABLE)("a member account's watched calls, paged within the bound, on moto", () => {
  let moto: Moto;
  let queueUrl: string;
  let topicArn: string;
  const logs: string[] = [];
  let table = 0;

  beforeAll(async () => {
    moto = await startMoto();
    topicArn = (await moto.clients.sns.send(new CreateTopicCommand({ Name: 'datalek-on-call-alarms' }))).TopicArn as string;
    queueUrl = (await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: 'on-call-alarms-mail' }))).QueueUrl as string;
    const queueArn = (await moto.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    await moto.clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
  });

  /** A fresh record (its own table) and a handler on it; `publish` may be made to fail. */
  async function world(opts: { failPublish?: () => boolean } = {}) {
    table += 1;
    const tableName = `datalek-member-pages-${table}`;
    await moto.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: MEMBER_PAGES_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: MEMBER_PAGES_TABLE.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: MEMBER_PAGES_TABLE.partitionKey, AttributeType: 'S' },
          { AttributeName: MEMBER_PAGES_TABLE.sortKey, AttributeType: 'S' },
        ],
      }),
    );
    const ledger = new DynamoDbMemberPageLedger(moto.clients.dynamodb, tableName, LIMIT);
    const handler = createMemberPagesHandler({
      config: { bound: { limit: LIMIT, windowMinutes: 60 } },
      ledger,
      publish: async (text) => {
        if (opts.failPublish?.()) throw new Error('SNS refused the publish (test)');
        await moto.clients.sns.send(new PublishCommand({ TopicArn: topicArn, Message: text }));
      },
      logger: capturingLogger(logs),
    });
    return { handler, ledger, tableName };
  }

  /** Every page the topic delivered since the last read. */
  async function pages(): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const got = await moto.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
      if (!got.Messages?.length) return out;
      out.push(...got.Messages.map((m) => m.Body as string));
      // Deleted, not only received: on a loaded machine the file outlasted the queue's visibility
      // timeout (30 s), and the pages of an earlier test came back (CI on 5a09e8dd: 10 for 1).
      await moto.clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: got.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
    }
  }

  it('pages the first three of fifty calls, then one summary, and records all fifty', async () => {
    const { handler, ledger } = await world();
    await pages();
    const outcomes = [];
    for (let i = 0; i < 50; i++) outcomes.push((await handler(memberCall())).outcome);
    const sent = await pages();
    expect(outcomes.filter((o) => o === 'page')).toHaveLength(LIMIT);
    expect(outcomes.filter((o) => o === 'summary')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'held')).toHaveLength(50 - LIMIT - 1);
    expect(sent).toHaveLength(LIMIT + 1);
    // The rule's own page, with the bound said, then the summary naming the count and where each call is.
    expect(sent.filter((p) => p.startsWith('datalek WATCH: UpdateDetector by a caller of type FederatedUser of account 444455556666'))).toHaveLength(LIMIT);
    expect(sent[0]).toContain(`[Member account ${MEMBER}: page 1 of at most 3 of ${RULE}`);
    expect(sent[0]).toContain('the rest until 2026-12-01T02:00:00.000Z are recorded, not paged, but for the first of each event name no page named.');
    const summary = sent.find((p) => p.startsWith('datalek WATCH HELD BACK'));
    expect(summary).toContain(`member account ${MEMBER} made 4 calls since 2026-12-01T01:00:00.000Z that ${RULE} matched`);
    expect(summary).toContain(`pk = ${MEMBER}#${RULE}#2026-12-01T01:00:00.000Z`);
    expect(await ledger.calls(`${MEMBER}#${RULE}#2026-12-01T01:00:00.000Z`)).toBe(50);
  });

  it("keeps with each call held back the call it was, so on-call finds the one that matters behind four of noise by one query of the summary's key", async () => {
    // Whoever holds a member account spends the hour's pages and its summary on harmless calls of
    // a rule, then makes the one it wanted unseen (the administrator left): that call pages nowhere.
    const { handler, tableName } = await world();
    for (let i = 0; i < LIMIT + 1; i++) await handler(memberCall());
    const real = memberCall({ eventName: 'DisassociateFromAdministratorAccount' });
    expect((await handler(real)).outcome).toBe('name');
    // The call it wanted unseen again, after its first paged: held back, and found by its name.
    const again = memberCall({ eventName: 'DisassociateFromAdministratorAccount' });
    expect((await handler(again)).outcome).toBe('held');
    for (let i = 0; i < 4; i++) await handler(memberCall());
    const key = `${MEMBER}#${RULE}#2026-12-01T01:00:00.000Z`;
    const summary = (await pages()).find((p) => p.startsWith('datalek WATCH HELD BACK')) as string;
    expect(summary).toContain(`pk = ${key}`);
    expect(summary).toContain('with its event name and whether it was paged');
    // The runbook's query of that key: each call by its event name and what became of it.
    const items = await moto.clients.dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': { S: key }, ':e': { S: 'E#' } },
      }),
    );
    const calls = (items.Items ?? []).map((i) => ({ sk: i.sk?.S, eventName: i.eventName?.S, outcome: i.outcome?.S }));
    expect(calls).toHaveLength(LIMIT + 1 + 1 + 5);
    expect(calls.filter((c) => c.eventName !== 'UpdateDetector')).toEqual([
      { sk: `E#${real.event.detail.eventID}`, eventName: 'DisassociateFromAdministratorAccount', outcome: 'name' },
      { sk: `E#${again.event.detail.eventID}`, eventName: 'DisassociateFromAdministratorAccount', outcome: 'held' },
    ]);
  });

  it('pages a call held back whose event name no page of its hour named, once per name: noise cannot make the call it hides unseen', async () => {
    const { handler, ledger } = await world();
    for (let i = 0; i < LIMIT + 1; i++) await handler(memberCall());
    await pages();
    // Past the summary: the call the noise was for pages, as the rule's own page reads, saying why.
    const real = memberCall({ eventName: 'DisassociateFromAdministratorAccount' });
    expect(await handler(real)).toEqual({ outcome: 'name', sent: true });
    // Delivered again, it pages no more; more of that name, or of the noise's, are held back.
    expect(await handler(real)).toEqual({ outcome: 'name', sent: false });
    expect((await handler(memberCall({ eventName: 'DisassociateFromAdministratorAccount' }))).outcome).toBe('held');
    expect((await handler(memberCall())).outcome).toBe('held');
    const sent = await pages();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^datalek WATCH: DisassociateFromAdministratorAccount by a caller of type FederatedUser of account 444455556666/);
    expect(sent[0]).toContain('no page of this rule for this account since 2026-12-01T01:00:00.000Z named DisassociateFromAdministratorAccount');
    // The next hour says how many were held back, not counting the ones paged by their name.
    expect((await handler(memberCall({ time: '2026-12-01T02:00:05Z' }))).outcome).toBe('page');
    const [next] = await pages();
    expect(next).toContain('this rule matched 7 calls of this account: 2 of them were not paged');
    expect(await ledger.calls(`${MEMBER}#${RULE}#2026-12-01T01:00:00.000Z`)).toBe(7);
  });

  it('names no IAM user in any page, log line or summary: a federated user and an IAM user by their type and account', async () => {
    const { handler } = await world();
    await pages();
    logs.length = 0;
    const iamUser = {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEALICE',
      arn: `arn:aws:iam::${MEMBER}:user/alice.jansen`,
      accountId: MEMBER,
      userName: 'alice.jansen',
    };
    for (let i = 0; i < 3; i++) await handler(memberCall());
    await handler(memberCall({ identity: iamUser }));
    const sent = await pages();
    expect(sent).toHaveLength(LIMIT + 1);
    for (const text of [...sent, ...logs]) {
      expect(text).not.toMatch(/alice|AIDAEXAMPLE|federated-user\/|:user\/|198\.51\.100/);
    }
    // An assumed role's session is named by its role, as the rules' own pages name it; never the session's name.
    const { handler: second } = await world();
    const role = {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:alice.jansen@example.nl',
      arn: `arn:aws:sts::${MEMBER}:assumed-role/AWSReservedSSO_Admin_0123/alice.jansen@example.nl`,
      accountId: MEMBER,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: `arn:aws:iam::${MEMBER}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123`,
          userName: 'AWSReservedSSO_Admin_0123',
        },
      },
    };
    await second(memberCall({ identity: role }));
    const [rolePage] = await pages();
    expect(rolePage).toContain(`a caller of type AssumedRole (role: arn:aws:iam::${MEMBER}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123)`);
    expect(rolePage).not.toContain('alice');
  });

  it('counts and pages a call delivered again once, and sends a page whose publish failed when the call is delivered again', async () => {
    let fail = false;
    const { handler, ledger } = await world({ failPublish: () => fail });
    await pages();
    const first = memberCall();
    expect(await handler(first)).toEqual({ outcome: 'page', sent: true });
    // EventBridge delivers the same event again (its retry): no second page, not counted twice.
    expect(await handler(first)).toEqual({ outcome: 'page', sent: false });
    expect(await pages()).toHaveLength(1);
    // A call whose page could not be published: the invocation fails (Lambda retries it) ...
    fail = true;
    const second = memberCall();
    await expect(handler(second)).rejects.toThrow(/SNS refused/);
    expect(await pages()).toHaveLength(0);
    // ... and its retry sends it, as page 2: the slot it took is its own.
    fail = false;
    expect(await handler(second)).toEqual({ outcome: 'page', sent: true });
    const [retried] = await pages();
    expect(retried).toContain('page 2 of at most 3');
    expect(await ledger.calls(`${MEMBER}#${RULE}#2026-12-01T01:00:00.000Z`)).toBe(2);
  });

  it('pages again when the window turns, saying how many the window before held back; other accounts and rules are not held back by one storm', async () => {
    const { handler } = await world();
    for (let i = 0; i < 10; i++) await handler(memberCall({ time: '2026-12-01T01:10:00Z' }));
    await pages();
    // Another member account, and another rule of the same one, in the storm's window: their own pages.
    expect((await handler(memberCall({ account: OTHER_MEMBER, time: '2026-12-01T01:20:00Z' }))).outcome).toBe('page');
    expect((await handler(memberCall({ rule: 'datalek-watch-roles', time: '2026-12-01T01:20:00Z' }))).outcome).toBe('page');
    expect(await pages()).toHaveLength(2);
    // The next hour: the storm's account pages again, first saying what the hour before held back.
    expect(await handler(memberCall({ time: '2026-12-01T02:00:05Z' }))).toEqual({ outcome: 'page', sent: true });
    const [next] = await pages();
    expect(next).toContain('page 1 of at most 3');
    expect(next).toContain('In the window before (from 2026-12-01T01:00:00.000Z), this rule matched 10 calls of this account: 6 of them were not paged');
  });

  it('refuses an input that is no twin rule’s, naming the field, and records nothing', async () => {
    const { handler, tableName } = await world();
    const call = memberCall();
    const noId = { ...call, event: { ...call.event, detail: { ...call.event.detail, eventID: undefined } } };
    await expect(handler(noId)).rejects.toThrow(new InvalidMemberCallError('event.detail.eventID', 'expected a non-empty string'));
    await expect(handler({ ...call, page: 'datalek WATCH: no caller mark' })).rejects.toThrow(/^page: expected the page text with \{\{caller\}\}/);
    await expect(handler({ ...call, rule: 'anything' })).rejects.toThrow(/^rule: expected a datalek-watch-… rule name/);
    const items = await moto.clients.dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `${MEMBER}#${RULE}#2026-12-01T01:00:00.000Z` } },
      }),
    );
    expect(items.Count).toBe(0);
  });

  it('runs from its bundle as deployed (under 1 MiB, DynamoDB and SNS clients only), and fails at start naming a missing variable', async () => {
    const { tableName } = await world();
    await pages();
    const dir = mkdtempSync(join(tmpdir(), 'datalek-member-pages-'));
    try {
      const sizes = bundleSizes(bundleHandler('member-pages', join(dir, 'bundle')));
      expect(sizes.startBytes + sizes.lazyBytes).toBeLessThan(1024 * 1024);
      const script = join(dir, 'run.mjs');
      writeFileSync(
        script,
        `const input = JSON.parse(process.argv[2]);
try { const { handler } = await import(${JSON.stringify(join(dir, 'bundle', 'index.mjs'))}); console.log(JSON.stringify({ ok: true, result: await handler(input) })); }
catch (err) { console.log(JSON.stringify({ ok: false, name: err.name, message: err.message })); }`,
      );
      const run = (env: Record<string, string>) => {
        const r = spawnSync(process.execPath, ['--enable-source-maps', script, JSON.stringify(memberCall())], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, ...moto.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
        });
        if (r.status !== 0) throw new Error(`the function's process failed: ${r.stderr}`);
        return JSON.parse(r.stdout.trim().split('\n').pop() as string);
      };
      expect(run({ DATALEK_MEMBER_PAGES_TABLE: tableName, DATALEK_ALARM_TOPIC_ARN: topicArn })).toEqual({ ok: true, result: { outcome: 'page', sent: true } });
      expect(await pages()).toHaveLength(1);
      expect(run({ DATALEK_MEMBER_PAGES_TABLE: tableName })).toEqual({
        ok: false,
        name: 'ConfigurationError',
        message: 'invalid environment: DATALEK_ALARM_TOPIC_ARN: required',
      });
      expect(run({ DATALEK_MEMBER_PAGES_TABLE: tableName, DATALEK_ALARM_TOPIC_ARN: topicArn, DATALEK_MEMBER_PAGE_WINDOW_MINUTES: '7' })).toMatchObject({
        ok: false,
        message: 'invalid environment: DATALEK_MEMBER_PAGE_WINDOW_MINUTES: expected a number of minutes that divides a day, got 7',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
