/**
 * A finding that names a second resource an open incident holds joins that incident (atk29 A2): every
 * bucket an S3 finding names, and the instance whose role credentials GuardDuty saw used elsewhere
 * (InstanceCredentialExfiltration, the session named after the instance), not its first bucket or its
 * key alone. One breach, one AP clock; an incident the FG recorded on is linked, not merged.
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { recordingStore } from '../support/recording.js';

const NOW = '2026-11-28T03:00:00.000Z';

function bucketsEvent(id: string, buckets: string[], createdAt: string) {
  return findingEvent({
    id,
    type: 'Policy:S3/BucketAnonymousAccessGranted',
    createdAt,
    resource: {
      resourceType: 'S3Bucket',
      s3BucketDetails: buckets.map((name, i) => ({
        name,
        arn: `arn:aws:s3:::${name}`,
        type: i ? 'Destination' : 'Source',
        publicAccess: { effectivePermission: 'PUBLIC' },
      })),
    },
  });
}

/** events/06's shape: an instance's role credentials used outside AWS, the session named after the instance. */
function credentialsEvent(id: string, instanceId: string, createdAt: string, type = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS') {
  return findingEvent({
    id,
    type,
    createdAt,
    resourceRole: 'TARGET',
    resource: {
      resourceType: 'AccessKey',
      accessKeyDetails: {
        accessKeyId: 'ASIAEXAMPLEEXFIL0001',
        principalId: `AROAEXAMPLEROLEID0001:${instanceId}`,
        userType: 'AssumedRole',
        userName: 'app-role',
      },
    },
    service: { action: { actionType: 'AWS_API_CALL', awsApiCallAction: { api: 'ListBuckets', serviceName: 's3.amazonaws.com' } } },
  });
}

describe('a finding naming a resource an open incident holds joins it (atk29 A2)', () => {
  const rec = recordingStore(NOW);
  const deps = () => rec.deps();

  const open = async () => (await rec.store().listIncidents({ openOnly: true })).map((i) => i.id);

  it('an S3 finding naming two buckets joins the incident open on its second bucket, in either order', async () => {
    const only = await recordEvent(deps(), bucketsEvent('b-second', ['second-b'], '2026-11-27T23:00:00.000Z'));
    const two = await recordEvent(deps(), bucketsEvent('b-two', ['first-b', 'second-b'], '2026-11-27T23:30:00.000Z'));
    expect(two).toMatchObject({ outcome: 'attached', incidentId: only.incidentId });
    expect(await open()).toEqual([only.incidentId]);
    const held = (await rec.store().getIncident(only.incidentId as string)) as Incident;
    expect(held.resourceKeys).toEqual([`s3-bucket:111122223333:first-b`]);
    // A later finding on the first bucket alone joins it too.
    const first = await recordEvent(deps(), bucketsEvent('b-first', ['first-b'], '2026-11-28T00:00:00.000Z'));
    expect(first).toMatchObject({ outcome: 'attached', incidentId: only.incidentId });
    // Redelivered: nothing twice.
    expect(await recordEvent(deps(), bucketsEvent('b-two', ['first-b', 'second-b'], '2026-11-27T23:30:00.000Z'))).toMatchObject({ outcome: 'duplicate' });
    expect(verifyOk(await verifyStore(rec.store(), { now: NOW }))).toBe(true);
  });

  it('the other order: the two-bucket finding first, then one on its second bucket', async () => {
    const two = await recordEvent(deps(), bucketsEvent('b-two', ['first-b', 'second-b'], '2026-11-27T23:30:00.000Z'));
    const only = await recordEvent(deps(), bucketsEvent('b-second', ['second-b'], '2026-11-27T23:00:00.000Z'));
    expect(only).toMatchObject({ outcome: 'attached', incidentId: two.incidentId, deadline: '2026-11-30T23:00:00.000Z' });
    expect(await open()).toEqual([two.incidentId]);
  });

  it('merges two open incidents on the two buckets a finding names into the earlier, and links one the FG recorded on', async () => {
    const a = await recordEvent(deps(), bucketsEvent('b-a', ['first-b'], '2026-11-27T22:00:00.000Z'));
    const b = await recordEvent(deps(), bucketsEvent('b-b', ['second-b'], '2026-11-27T23:00:00.000Z'));
    const both = await recordEvent(deps(), bucketsEvent('b-both', ['second-b', 'first-b'], '2026-11-27T23:30:00.000Z'));
    expect(both).toMatchObject({ outcome: 'attached', incidentId: a.incidentId });
    expect(await open()).toEqual([a.incidentId]);
    expect(await rec.store().getIncident(b.incidentId as string)).toMatchObject({ state: 'closed', mergedInto: a.incidentId });
    expect(verifyOk(await verifyStore(rec.store(), { now: NOW }))).toBe(true);
  });

  it('links, not merges, an incident on the other bucket the FG assessed; both name each other and the FG is told', async () => {
    const a = await recordEvent(deps(), bucketsEvent('b-a', ['first-b'], '2026-11-27T22:00:00.000Z'));
    const b = await recordEvent(deps(), bucketsEvent('b-b', ['second-b'], '2026-11-27T23:00:00.000Z'));
    await assess(
      { store: rec.store(), policy: DEFAULT_POLICY, now: () => NOW },
      { incidentId: b.incidentId as string, personalData: 'unknown', risk: 'risk', reason: 'being looked into', by: 'FG' },
    );
    const both = await recordEvent(deps(), bucketsEvent('b-both', ['first-b', 'second-b'], '2026-11-27T23:30:00.000Z'));
    expect(both).toMatchObject({ outcome: 'attached', incidentId: a.incidentId });
    expect((await open()).sort()).toEqual([a.incidentId, b.incidentId].sort());
    const linked = (await rec.store().getTimeline(b.incidentId as string)).filter((e) => e.kind === 'linked-to-incident');
    expect(linked.map((e) => e.detail)).toEqual([expect.objectContaining({ incidentId: a.incidentId, findingId: 'b-both' })]);
    expect(((await rec.store().getIncident(a.incidentId as string)) as Incident).linked).toEqual([b.incidentId]);
    expect((await rec.store().listMessages(b.incidentId as string)).map((m) => m.kind)).toContain('incident-linked');
    // A storm of redeliveries adds nothing.
    for (let i = 0; i < 3; i++) await recordEvent(deps(), bucketsEvent('b-both', ['first-b', 'second-b'], '2026-11-27T23:30:00.000Z'));
    expect((await rec.store().getTimeline(b.incidentId as string)).filter((e) => e.kind === 'linked-to-incident')).toHaveLength(1);
    expect(verifyOk(await verifyStore(rec.store(), { now: NOW }))).toBe(true);
  });

  it("an instance's role credentials used outside AWS join the incident open on that instance, in either order", async () => {
    const inst = await recordEvent(
      deps(),
      findingEvent({ id: 'c2', resource: instanceResource('i-0a1b2c3d4e5f60718'), createdAt: '2026-11-27T21:00:00.000Z' }),
    );
    const creds = await recordEvent(deps(), credentialsEvent('exfil', 'i-0a1b2c3d4e5f60718', '2026-11-27T22:00:00.000Z'));
    expect(creds).toMatchObject({ outcome: 'attached', incidentId: inst.incidentId });
    expect(await open()).toEqual([inst.incidentId]);
    // Containment of the source is planned on the incident that holds the instance, once.
    const actions = ((await rec.store().getIncident(inst.incidentId as string)) as Incident).actions.map((a) => `${a.type} ${a.target}`);
    expect(actions.filter((a) => a === 'contain-credential-source i-0a1b2c3d4e5f60718')).toHaveLength(1);
    expect(verifyOk(await verifyStore(rec.store(), { now: NOW }))).toBe(true);
  });

  it('the credentials first, then a finding on the instance: one incident', async () => {
    const creds = await recordEvent(deps(), credentialsEvent('exfil', 'i-0a1b2c3d4e5f60718', '2026-11-27T22:00:00.000Z'));
    const inst = await recordEvent(
      deps(),
      findingEvent({ id: 'c2', resource: instanceResource('i-0a1b2c3d4e5f60718'), createdAt: '2026-11-27T21:00:00.000Z' }),
    );
    expect(inst).toMatchObject({ outcome: 'attached', incidentId: creds.incidentId, deadline: '2026-11-30T21:00:00.000Z' });
    expect(await open()).toEqual([creds.incidentId]);
  });

  it('a session named like an instance on another finding type is the caller’s choice: it joins nothing', async () => {
    const inst = await recordEvent(deps(), findingEvent({ id: 'c2', resource: instanceResource('i-0a1b2c3d4e5f60718') }));
    const other = await recordEvent(deps(), credentialsEvent('anom', 'i-0a1b2c3d4e5f60718', '2026-11-27T22:00:00.000Z', 'Discovery:IAMUser/AnomalousBehavior'));
    expect(other.outcome).toBe('opened');
    expect(other.incidentId).not.toBe(inst.incidentId);
  });
});
