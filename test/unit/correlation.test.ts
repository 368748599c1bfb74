import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { type RecordDeps, recordEvent } from '../../handlers/core/record-finding.js';
import { accessKeyResource, bucketResource, findingEvent, instanceResource, sequenceDetection } from '../support/events.js';
import { normalisedIncidents, shuffle } from '../support/order.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';

/** A Critical attack sequence naming key AKIAEXAMPLE000000001, instance i-0123456789abcdef0 and bucket klantdata. */
function sequenceEvent(o: { id?: string; createdAt?: string; updatedAt?: string; count?: number; detection?: ReturnType<typeof sequenceDetection> } = {}) {
  return findingEvent({
    id: o.id ?? 'seq-finding',
    type: 'AttackSequence:IAM/CompromisedCredentials',
    severity: 9.3,
    createdAt: o.createdAt ?? '2026-11-27T23:00:00.000Z',
    updatedAt: o.updatedAt,
    count: o.count,
    resource: { resourceType: 'AttackSequence' },
    resourceRole: 'TARGET',
    service: { featureName: 'Correlation', detection: o.detection ?? sequenceDetection() },
  });
}

describe('correlation: one breach, one AP clock, whatever the order', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let deps: () => RecordDeps;

  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
    deps = () => ({ store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false });
  });
  afterEach(async () => cleanup());

  const incident = async (id: string | null) => (await store.getIncident(id as string)) as Incident;

  it('runs the clock from the earliest detection among the findings, also when the earlier one arrives later', async () => {
    const later = await recordEvent(deps(), findingEvent({ id: 'f-later', createdAt: '2026-11-27T22:00:00.000Z' }));
    const earlier = await recordEvent(deps(), findingEvent({ id: 'f-earlier', type: 'Trojan:EC2/DropPoint!DNS', createdAt: '2026-11-27T20:00:00.000Z' }));
    expect(earlier).toMatchObject({ outcome: 'attached', incidentId: later.incidentId, deadline: '2026-11-30T20:00:00.000Z' });
    expect(await incident(later.incidentId)).toMatchObject({ detectedAt: '2026-11-27T20:00:00.000Z', awareAt: '2026-11-27T20:00:00.000Z' });
    const kinds = (await store.getTimeline(later.incidentId as string)).map((e) => e.kind);
    expect(kinds).toContain('detection-moved-earlier');
  });

  it('keeps an awareness time a person recorded when an earlier finding joins', async () => {
    const first = await recordEvent(deps(), findingEvent({ id: 'f-1', createdAt: '2026-11-27T22:00:00.000Z' }));
    await assess(
      { store, policy: DEFAULT_POLICY, now: () => NOW },
      {
        incidentId: first.incidentId as string,
        personalData: 'unknown',
        risk: 'risk',
        reason: 'under investigation',
        by: 'FG',
        awareAt: '2026-11-28T01:00:00.000Z',
        awareReason: 'the first log entries were read at 02:00 CET',
      },
    );
    await recordEvent(deps(), findingEvent({ id: 'f-0', createdAt: '2026-11-27T20:00:00.000Z' }));
    expect(await incident(first.incidentId)).toMatchObject({ detectedAt: '2026-11-27T20:00:00.000Z', awareAt: '2026-11-28T01:00:00.000Z' });
  });

  it('opens an incident on an attack sequence that names and holds every principal, key, bucket, instance and cluster', async () => {
    const seq = await recordEvent(deps(), sequenceEvent());
    expect(seq.outcome).toBe('opened');
    const opened = await incident(seq.incidentId);
    expect(opened.resources?.map((r) => `${r.kind}:${r.id}`)).toEqual([
      'attack-sequence:seq-finding',
      'ec2-instance:i-0123456789abcdef0',
      's3-bucket:klantdata',
      'eks-cluster:prod-eks',
      'other:vpc-0a1b2c3d',
      'access-key:AKIAEXAMPLE000000001',
      expect.stringMatching(/^iam-principal:iam-user:[0-9a-f]{16}$/),
    ]);
    // The FG's message names them by identifier, never by user name, nor (fg19) by the IAM user's principal id: a person's, left out there.
    const [fg] = await store.listMessages(seq.incidentId as string);
    expect(fg.body).toContain(
      'Ook genoemd: EC2-instantie i-0123456789abcdef0, S3-bucket klantdata, EKS-cluster prod-eks, toegangssleutel AKIAEXAMPLE000000001\n',
    );
    expect(fg.body).not.toContain('someone');
    expect(fg.body).not.toContain('AIDAEXAMPLE');
    // A later finding on any of them joins it.
    const onKey = await recordEvent(deps(), findingEvent({ id: 'f-key', type: 'Exfiltration:IAMUser/AnomalousBehavior', resource: accessKeyResource() }));
    const onBucket = await recordEvent(
      deps(),
      findingEvent({ id: 'f-bucket', type: 'Exfiltration:S3/AnomalousBehavior', resource: bucketResource('klantdata', 'NOT_PUBLIC') }),
    );
    expect([onKey, onBucket].map((r) => [r.outcome, r.incidentId])).toEqual([
      ['attached', seq.incidentId],
      ['attached', seq.incidentId],
    ]);
  });

  it('merges the open incidents on the resources a sequence names into the earliest: one clock', async () => {
    // Prepare: two incidents on resources the sequence will name.
    const onInstance = await recordEvent(deps(), findingEvent({ id: 'f-i', createdAt: '2026-11-27T21:00:00.000Z', resource: instanceResource() }));
    const onKey = await recordEvent(
      deps(),
      findingEvent({ id: 'f-k', type: 'CredentialAccess:IAMUser/AnomalousBehavior', createdAt: '2026-11-27T19:30:00.000Z', resource: accessKeyResource() }),
    );
    // Act
    const seq = await recordEvent(deps(), sequenceEvent());
    // Assess: the sequence joined the earliest; the other was merged into it with its finding.
    expect(seq).toMatchObject({ outcome: 'attached', incidentId: onKey.incidentId, deadline: '2026-11-30T19:30:00.000Z' });
    const survivor = await incident(onKey.incidentId);
    expect(survivor).toMatchObject({ findings: 3, severity: 9.3, detectedAt: '2026-11-27T19:30:00.000Z', state: 'open' });
    expect(await incident(onInstance.incidentId)).toMatchObject({ state: 'closed', mergedInto: onKey.incidentId });
    expect((await store.listIncidents({ openOnly: true })).map((i) => i.id)).toEqual([onKey.incidentId]);
    // A newer version of the merged incident's finding updates the survivor.
    const update = await recordEvent(
      deps(),
      findingEvent({ id: 'f-i', createdAt: '2026-11-27T21:00:00.000Z', updatedAt: '2026-11-28T01:00:00.000Z', count: 2 }),
    );
    expect(update).toMatchObject({ outcome: 'updated', incidentId: onKey.incidentId });
    // And a new finding on the merged incident's resource joins the survivor.
    const more = await recordEvent(deps(), findingEvent({ id: 'f-i2', type: 'Trojan:EC2/DNSDataExfiltration' }));
    expect(more).toMatchObject({ outcome: 'attached', incidentId: onKey.incidentId });
  });

  it('links, but does not merge, an incident the FG already assessed', async () => {
    const onInstance = await recordEvent(deps(), findingEvent({ id: 'f-i', createdAt: '2026-11-27T20:00:00.000Z' }));
    const onKey = await recordEvent(deps(), findingEvent({ id: 'f-k', type: 'CredentialAccess:IAMUser/AnomalousBehavior', resource: accessKeyResource() }));
    await assess(
      { store, policy: DEFAULT_POLICY, now: () => NOW },
      { incidentId: onKey.incidentId as string, personalData: 'yes', risk: 'high', reason: 'customer data', by: 'FG' },
    );
    const seq = await recordEvent(deps(), sequenceEvent());
    expect(seq).toMatchObject({ outcome: 'attached', incidentId: onInstance.incidentId });
    expect((await incident(onKey.incidentId)).state).not.toBe('closed');
    const related = (await store.getTimeline(onInstance.incidentId as string)).find((e) => e.kind === 'related-incident');
    expect(related?.detail).toMatchObject({ incidentId: onKey.incidentId });
  });

  it('gives the same incidents, attachments and clocks forwards, backwards and shuffled', async () => {
    const events = [
      findingEvent({ id: 'a-instance', createdAt: '2026-11-27T21:00:00.000Z' }),
      findingEvent({ id: 'b-key', type: 'CredentialAccess:IAMUser/AnomalousBehavior', createdAt: '2026-11-27T19:30:00.000Z', resource: accessKeyResource() }),
      findingEvent({
        id: 'c-bucket',
        type: 'Exfiltration:S3/AnomalousBehavior',
        severity: 5,
        createdAt: '2026-11-27T22:15:00.000Z',
        resource: bucketResource('klantdata', 'NOT_PUBLIC'),
      }),
      sequenceEvent(),
      findingEvent({ id: 'd-low', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 2, createdAt: '2026-11-27T18:00:00.000Z' }),
      findingEvent({ id: 'e-other', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-elsewhere', createdAt: '2026-11-27T20:00:00.000Z' }),
      findingEvent({
        id: 'e-other',
        type: 'Backdoor:EC2/C&CActivity.B',
        instanceId: 'i-elsewhere',
        createdAt: '2026-11-27T20:00:00.000Z',
        updatedAt: '2026-11-28T00:00:00.000Z',
        count: 4,
      }),
      findingEvent({ id: 'f-same', type: 'Trojan:EC2/DropPoint!DNS', instanceId: 'i-elsewhere', severity: 8, createdAt: '2026-11-27T20:30:00.000Z' }),
    ];
    const orders = [events, [...events].reverse(), shuffle(events, 7), shuffle(events, 42)];
    const outcomes: string[] = [];
    for (const order of orders) {
      await cleanup();
      ({ store, cleanup } = tempSqliteStore());
      for (const e of order) await recordEvent(deps(), structuredClone(e));
      outcomes.push(JSON.stringify(await normalisedIncidents(store)));
    }
    expect(JSON.parse(outcomes[0])).toEqual([
      {
        findings: ['a-instance', 'b-key', 'c-bucket', 'seq-finding'],
        detectedAt: '2026-11-27T19:30:00.000Z',
        awareAt: '2026-11-27T19:30:00.000Z',
        deadline: '2026-11-30T19:30:00.000Z',
        severity: 9.3,
        findingType: 'AttackSequence:IAM/CompromisedCredentials',
        actions: expect.any(Array),
      },
      {
        findings: ['e-other', 'f-same'],
        detectedAt: '2026-11-27T20:00:00.000Z',
        awareAt: '2026-11-27T20:00:00.000Z',
        deadline: '2026-11-30T20:00:00.000Z',
        severity: 8,
        findingType: 'Backdoor:EC2/C&CActivity.B',
        actions: expect.any(Array),
      },
    ]);
    for (const o of outcomes) expect(o).toBe(outcomes[0]);
  });
});
