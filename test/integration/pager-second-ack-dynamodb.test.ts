/**
 * A second acknowledgement on DynamoDB (moto) sends the acknowledge of the alert it takes: the
 * store queues a message id once (as SQLite's INSERT OR IGNORE does), and the incident's first
 * acknowledgement had queued the acknowledge of the same key, so the second one's id must differ
 * (one per raise), or the record says acknowledged there while nothing is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { type PagerEvent, recordPagerEvent } from '../../handlers/core/pager.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { AT, PAGERDUTY } from '../support/pager-incident.js';

const ev = (id: string, over: Partial<PagerEvent>): PagerEvent => ({ provider: 'pagerduty', incidentId: id, event: 'acknowledged', by: 'x', ...over });

describe.skipIf(!MOTO_AVAILABLE)('a second acknowledgement on DynamoDB', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
  }, 60_000);
  afterAll(async () => moto?.stop());

  it('queues an acknowledge for the alert it records as acknowledged there', async () => {
    const deps = (m: number) => ({ store, policy: PAGERDUTY, now: () => AT(m) });
    const r = await recordEvent({ ...deps(0), canEnforce: false }, findingEvent({ id: `ddb-${Math.random()}`, severity: 8.5, instanceId: 'i-0ddb' }));
    const id = r.incidentId as string;
    await acknowledge(deps(5), { incidentId: id, by: 'anna' });
    await recordPagerEvent(deps(21), ev(id, { event: 'resolved', by: 'Anna Jansen', occurredAt: AT(20), eventId: 'ANNA20' }));
    await recordEvent({ ...deps(30), canEnforce: false }, findingEvent({ id: `ddb-crit-${Math.random()}`, severity: 9.5, instanceId: 'i-0ddb' }));
    expect((await store.getIncident(id))?.pager).toMatchObject({ state: 'triggered', triggeredAt: AT(30) });
    const bob = await acknowledge(deps(35), { incidentId: id, by: 'bob' });
    expect(bob.alertAcknowledged).toBe(true);
    expect((await store.getTimeline(id)).filter((e) => e.kind === 'alert-acknowledged').map((e) => e.actor)).toEqual(['bob']);
    const acks = (await store.listMessages(id)).filter((m) => m.alert?.action === 'acknowledge');
    expect(acks.map((m) => [m.createdAt, m.body])).toContainEqual([AT(35), expect.stringContaining('bob')]);
  }, 60_000);
});
