/**
 * Every FG and on-call message fits what carries it, however many resources a finding names
 * (review2 attack item 11): a sequence naming 2,500 buckets is recorded and its messages are
 * published on SNS (256 KB a publish, the body twice plus the chat card twice), listing the first
 * resources and saying how many more and where to see them all, in Dutch and in English. A message
 * SNS still refuses is named, with why it will never go as it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { SnsNotifier, snsMessages } from '../../handlers/adapters/aws/sns-notifier.js';
import { deliverPending } from '../../handlers/core/deliver.js';
import { UndeliverableError } from '../../handlers/core/errors.js';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, type Policy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { largeSequenceEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { topicsWithQueues } from '../support/sns-topics.js';

const NOW = '2026-11-28T03:00:00.000Z';
/** SNS's limit for one publish, the JSON of every subscriber's text included. */
const SNS_LIMIT = 256 * 1024;

/** A Critical attack sequence naming `n` (non-public) S3 buckets: the reviewer's event is ~243 KB. */
function bucketSequenceEvent(n: number, id: string, prefix: string) {
  const more = Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${String(i).padStart(5, '0')}-${'b'.repeat(45)}`, resourceType: 'S3_BUCKET' }));
  return largeSequenceEvent({ id, type: 'AttackSequence:S3/CompromisedData', createdAt: '2026-11-28T02:55:00.000Z', more });
}

describe.skipIf(!MOTO_AVAILABLE)('bounded messages on SNS (moto)', () => {
  let moto: Moto;
  let n = 0;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => moto?.stop());

  /** A fresh table and the two topics, each with a queue that receives what is published. */
  async function pipeline() {
    n += 1;
    await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    await setupAwsResources(moto.clients);
    const { topics, received } = await topicsWithQueues(moto, `bounded-${n}`);
    const store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
    return { store, topics, received };
  }

  for (const language of ['nl', 'en'] as const) {
    it(`publishes the FG and on-call messages of a sequence naming 2,500 buckets, each within SNS's limit (${language})`, async () => {
      const { store, topics, received } = await pipeline();
      const policy: Policy = { ...DEFAULT_POLICY, language };
      const prefix = language === 'nl' ? 'klant' : 'client';
      const result = await recordEvent(
        { store, policy, now: () => NOW, canEnforce: false },
        bucketSequenceEvent(2500, (language === 'nl' ? '7' : '8').repeat(32), prefix),
      );
      expect(result.outcome).toBe('opened');
      const id = result.incidentId as string;
      const report = await deliverPending({ store, notifier: new SnsNotifier(moto.clients.sns, topics, policy), now: () => NOW }, { incidentId: id });
      expect(report.failed.map((f) => f.error)).toEqual([]);
      expect(report.sent.map((m) => `${m.channel}:${m.kind}`).sort()).toEqual(['fg:opened', 'on-call:opened']);
      for (const m of report.sent) {
        expect(Buffer.byteLength(JSON.stringify(snsMessages(m, policy)))).toBeLessThan(SNS_LIMIT);
        // The first resources, how many more, and where to see them all.
        expect(m.body).toContain(`${prefix}-00000-`);
        expect(m.body).not.toContain(`${prefix}-02499-`);
        expect(m.body).toMatch(language === 'nl' ? /en nog \d+ meer/ : /and \d+ more/);
        expect(m.body).toContain(`datalek show ${id}`);
      }
      for (const channel of ['fg', 'on-call'] as const) expect(await received(channel)).toHaveLength(1);
    });
  }

  it('finds when the ledger says a message was queued (the sweep judges a held message by it, read14b B6)', async () => {
    const { store } = await pipeline();
    const before = new Date().toISOString();
    const result = await recordEvent({ store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false }, bucketSequenceEvent(2, '9'.repeat(32), 'client'));
    const id = result.incidentId as string;
    for (const m of result.queued ?? []) expect(Date.parse((await store.messageQueuedAt(id, m.id)) ?? '')).toBeGreaterThanOrEqual(Date.parse(before));
    expect(result.queued?.length).toBeGreaterThan(0);
    expect(await store.messageQueuedAt(id, `${id}/fg/none`)).toBeNull();
  });

  it('sends a message queued before messages were bounded, cut to fit and saying so, rather than failing on every sweep', async () => {
    const { topics, received } = await pipeline();
    const body = Array.from({ length: 4000 }, (_, i) => `  - S3-bucket klant-${String(i).padStart(5, '0')}-${'b'.repeat(45)}`).join('\n');
    const message: OutboxMessage = {
      id: 'dl-0000000000000000000000000000abcd/fg/opened',
      incidentId: 'dl-0000000000000000000000000000abcd',
      channel: 'fg',
      kind: 'opened',
      subject: '[datalek Kritiek] Nieuw datalek-incident: AttackSequence:S3/CompromisedData dl-0000000000000000000000000000abcd',
      body: `Beoordeel dit incident.\n${body}`,
      attributes: { incidentId: 'dl-0000000000000000000000000000abcd', severity: '9.5', band: 'Critical', sample: 'false', kind: 'opened' },
      createdAt: NOW,
      sentAt: null,
    };
    expect(Buffer.byteLength(message.body)).toBeGreaterThan(SNS_LIMIT / 2);
    await new SnsNotifier(moto.clients.sns, topics).deliver(message);
    const [got] = await received('fg');
    // A queue gets the default text: the start of the message, and where to read it all.
    expect(got.Message).toContain('Beoordeel dit incident.');
    expect(got.Message).toContain('datalek show dl-0000000000000000000000000000abcd');
    expect(Buffer.byteLength(got.Message)).toBeLessThan(SNS_LIMIT / 2);
  });

  it('names a message SNS would refuse on every try, and says why, rather than failing like a passing outage', async () => {
    const { topics } = await pipeline();
    const id = 'dl-0000000000000000000000000000abce';
    const message: OutboxMessage = {
      id: `${id}/on-call/opened`,
      incidentId: id,
      channel: 'on-call',
      kind: 'opened',
      subject: 'subject',
      body: 'body',
      attributes: { incidentId: id, findingType: 'x'.repeat(SNS_LIMIT) },
      createdAt: NOW,
      sentAt: null,
    };
    const refused = new SnsNotifier(moto.clients.sns, topics).deliver(message);
    await expect(refused).rejects.toBeInstanceOf(UndeliverableError);
    await expect(refused).rejects.toThrow(new RegExp(`message ${message.id} is refused as it is, and would be on every try: \\d+ bytes, over SNS's`));
  });
});
