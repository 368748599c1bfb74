/**
 * A message SNS refuses as it is (its size, an attribute SNS never takes) is recorded as never
 * sendable, once, with why; on-call is told once; `show` and `status` say so; and no sweep tries it
 * again. A passing fault (no answer, a 5xx, a throttle, a missing topic) never makes a message
 * never sendable: it stays pending and goes when the fault passes (known-left: "a message SNS
 * refuses stays pending and fails each sweep loudly, but has no never state").
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { SnsNotifier } from '../../handlers/adapters/aws/sns-notifier.js';
import { showText, statusObject } from '../../handlers/cli/views.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { deliverPending } from '../../handlers/core/deliver.js';
import { UndeliverableError } from '../../handlers/core/errors.js';
import type { Incident, OutboxMessage } from '../../handlers/core/incident.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { createNotifyHandler } from '../../handlers/lambda/notify.js';
import { findingEvent } from '../support/events.js';
import { capturingLogger } from '../support/logs.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { pageText } from '../support/serve.js';
import { topicsWithQueues } from '../support/sns-topics.js';
import { inProcessWebApp } from '../support/web-app.js';

const NOW = '2026-11-28T03:00:00.000Z';
const policy = DEFAULT_POLICY;

/** An SNS endpoint that answers every publish with `status` and the error `code`. */
async function failingSns(status: number, code: string, text: string): Promise<{ client: SNSClient; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse><Error><Type>${status < 500 ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code><Message>${text}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new SNSClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'eu-west-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  return { client, server };
}

describe.skipIf(!MOTO_AVAILABLE)('a message SNS refuses for good (moto)', () => {
  let moto: Moto;
  let n = 0;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => moto?.stop());

  /** A fresh table, the two topics each with a queue, and an incident with a message SNS refuses queued. */
  async function world(queueRefused = true) {
    n += 1;
    await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    await setupAwsResources(moto.clients);
    const { topics, received: envelopes } = await topicsWithQueues(moto, `never-${n}`);
    const store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
    const now = () => NOW;
    const id = (await recordEvent({ store, policy, now, canEnforce: false }, findingEvent({ severity: 8 }))).incidentId as string;
    // SNS takes no attribute with an empty value (here: a finding type that was empty).
    let refused: OutboxMessage | undefined;
    if (queueRefused)
      await changeIncident({ store, policy, now }, id, () => ({
        entries: [{ at: NOW, kind: 'test-queued' }],
        messages: (incident) => {
          const m = composeMessage({ incident, channel: 'fg', kind: 'finding-added', stateKey: 'type:', now: NOW, policy });
          refused = { ...m, attributes: { ...m.attributes, findingType: '' } };
          return [refused];
        },
      }));
    const received = async (channel: 'fg' | 'on-call') => (await envelopes(channel)).map((e) => e.Subject);
    return { store, topics, id, refused: refused as OutboxMessage, received };
  }

  it('records it once as never sendable, with why, tells on-call and the FG once, and no sweep tries it again', async () => {
    const { store, topics, id, refused, received } = await world();
    const deps = { store, notifier: new SnsNotifier(moto.clients.sns, topics, policy), now: () => NOW, policy };

    const first = await deliverPending(deps);

    expect(first.failed).toEqual([]);
    expect(first.undeliverable?.map((u) => u.message.id)).toEqual([refused.id]);
    const incident = (await store.getIncident(id)) as Incident;
    expect(incident.undeliverable).toEqual([
      { messageId: refused.id, channel: 'fg', kind: 'finding-added', at: NOW, reason: expect.stringMatching(/^SNS InvalidParameter.*findingType/) },
    ]);
    expect((await store.getTimeline(id)).filter((e) => e.kind === 'message-undeliverable')).toHaveLength(1);
    const notices = (await store.listMessages(id)).filter((m) => m.kind === 'message-undeliverable');
    expect(notices.map((m) => [m.channel, m.sentAt])).toEqual([
      ['fg', NOW],
      ['on-call', NOW],
    ]);
    expect(notices[0].body).toContain(`(${refused.id})`);
    expect((await received('on-call')).filter((s) => s.includes('Bericht NIET verstuurd'))).toHaveLength(1);

    // The next sweeps: nothing tried, nothing told again, and the record stays true.
    for (let i = 0; i < 2; i++) {
      const again = await deliverPending(deps);
      expect([again.sent, again.failed, again.undeliverable ?? []]).toEqual([[], [], []]);
    }
    expect((await store.getTimeline(id)).filter((e) => e.kind === 'message-undeliverable')).toHaveLength(1);
    expect((await store.listMessages(id)).find((m) => m.id === refused.id)?.sentAt).toBeNull();
    expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);

    const after = (await store.getIncident(id)) as Incident;
    expect(showText(after, await store.getTimeline(id), policy, NOW)).toMatch(
      new RegExp(`NOT SENT +${refused.id.replace(/[/]/g, '\\/')} \\(finding-added to fg\\).*InvalidParameter`),
    );
    expect(statusObject(after).undeliverable).toEqual(after.undeliverable);
    // The incident page does not say it waits to be sent.
    const page = pageText(await (await inProcessWebApp({ store, policy, now: () => NOW }).get(`/incidents/${id}`, 'en')).text());
    expect(page).toMatch(/NOT sent, refused by the channel; not tried again: SNS InvalidParameter/);
  });

  it('the notify function logs it and fails once; its next run, and the next event, do not', async () => {
    const { store, topics, id, refused } = await world();
    const lines: string[] = [];
    const notify = createNotifyHandler({
      store,
      notifier: new SnsNotifier(moto.clients.sns, topics, policy),
      publisher: { publish: async () => {} },
      policy,
      logger: capturingLogger(lines),
      now: () => NOW,
    });
    const event = { 'detail-type': 'Incident Updated', detail: { incidentId: id } };

    await expect(notify(event)).rejects.toThrow(new RegExp(`1 message\\(s\\) for ${id} refused for good, not tried again`));
    expect(lines.filter((l) => l.includes('refused by its channel for good') && l.includes(refused.id))).toHaveLength(1);

    expect(await notify(event)).toEqual({ sent: 0 });
    expect(await notify(event)).toEqual({ sent: 0 });
    expect(lines.filter((l) => l.includes('refused by its channel for good'))).toHaveLength(1);
  });

  it('never takes a passing fault for a refusal: no answer, a 5xx, a throttle, a missing topic; the message goes once it passes', async () => {
    const { store, topics, id, received } = await world(false);
    const opened = `${id}/on-call/opened`;
    const servers: Server[] = [];
    const faults: SNSClient[] = [
      new SNSClient({ endpoint: 'http://127.0.0.1:9', region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    ];
    for (const [status, code, text] of [
      [500, 'InternalError', 'Internal failure'],
      [503, 'ServiceUnavailable', 'try later'],
      [400, 'Throttling', 'Rate exceeded'],
      [400, 'InvalidParameter', 'Invalid parameter: TopicArn'],
    ] as const) {
      const fake = await failingSns(status, code, text);
      servers.push(fake.server);
      faults.push(fake.client);
    }
    try {
      const missing = { fg: `${topics.fg}-gone`, 'on-call': `${topics['on-call']}-gone` };
      const notifiers = [...faults.map((c) => new SnsNotifier(c, topics, policy)), new SnsNotifier(moto.clients.sns, missing, policy)];
      for (const notifier of notifiers) {
        const report = await deliverPending({ store, notifier, now: () => NOW, policy });
        expect(report.failed.map((f) => f.message.id)).toContain(opened);
        expect(report.undeliverable ?? []).toEqual([]);
      }
      expect((await store.getIncident(id))?.undeliverable).toBeUndefined();
      await expect(new SnsNotifier(faults[1], topics, policy).deliver((await store.listMessages(id))[0])).rejects.not.toBeInstanceOf(UndeliverableError);

      const passed = await deliverPending({ store, notifier: new SnsNotifier(moto.clients.sns, topics, policy), now: () => NOW, policy });
      expect(passed.sent.map((m) => m.id)).toContain(opened);
      expect((await received('on-call')).length).toBeGreaterThan(0);
    } finally {
      for (const s of servers) s.close();
    }
  });
});
