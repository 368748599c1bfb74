import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { deliverPending } from '../../handlers/core/deliver.js';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { type RecordDeps, recordEvent, recordEventText } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import { accessKeyResource, bucketResource, findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';

describe('recording findings', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let now: string;
  let deps: (policy?: Policy) => RecordDeps;

  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
    now = NOW;
    deps = (policy = DEFAULT_POLICY) => ({ store, policy, now: () => now, canEnforce: false });
  });
  afterEach(async () => cleanup());

  const messages = async (id: string) => (await store.listMessages(id)).map((m: OutboxMessage) => `${m.channel}:${m.kind}`);
  const count = (table: string) => (store.database.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

  it('opens an incident whose AP deadline runs from detection, not from when it was processed', async () => {
    now = '2026-12-15T09:00:00.000Z'; // processed weeks later: the deadline does not move
    const result = await recordEvent(deps(), findingEvent({ createdAt: '2026-11-27T21:14:03.512Z' }));
    expect(result).toMatchObject({
      outcome: 'opened',
      severity: 8,
      deadline: '2026-11-30T21:14:03.512Z',
      // A !DNS finding: the isolation leaves the DNS resolver open, so a step blocks the channel.
      actions: [
        { type: 'isolate-instance', status: 'planned' },
        { type: 'block-dns-channel', status: 'planned' },
      ],
    });
    const incident = await store.getIncident(result.incidentId as string);
    expect(incident).toMatchObject({ state: 'open', detectedAt: '2026-11-27T21:14:03.512Z', awareAt: '2026-11-27T21:14:03.512Z', openedAt: now, findings: 1 });
    expect(await messages(result.incidentId as string)).toEqual(['fg:opened', 'on-call:opened']);
  });

  it('takes the deadline hours from the policy: a shorter one as an internal target beside the law’s 72 hours', async () => {
    const result = await recordEvent(deps(parsePolicy({ apDeadlineHours: 48 })), findingEvent({ createdAt: '2026-11-27T21:00:00Z' }));
    expect(await store.getIncident(result.incidentId as string)).toMatchObject({ deadline: '2026-11-29T21:00:00.000Z', deadlineHours: 48 });
    // Replay's `deadline` is the AP deadline of the law, as status --json's (review12 S3).
    expect(result.deadline).toBe('2026-11-30T21:00:00.000Z');
  });

  it('treats the same version again as a duplicate that changes nothing', async () => {
    const event = findingEvent();
    const first = await recordEvent(deps(), event);
    const before = { incident: await store.getIncident(first.incidentId as string), timeline: count('timeline'), outbox: count('outbox') };
    const again = await recordEvent(deps(), { ...event, id: 'another-delivery' });
    expect(again).toMatchObject({ outcome: 'duplicate', incidentId: first.incidentId, actions: [] });
    expect(await store.getIncident(first.incidentId as string)).toEqual(before.incident);
    expect([count('timeline'), count('outbox')]).toEqual([before.timeline, before.outbox]);
  });

  it('updates on a newer version without paging again, and ignores an older one', async () => {
    const first = await recordEvent(deps(), findingEvent({ count: 1 }));
    const update = await recordEvent(deps(), findingEvent({ count: 4, updatedAt: '2026-11-28T03:00:00Z' }));
    expect(update).toMatchObject({ outcome: 'updated', incidentId: first.incidentId, actions: [], messages: [] });
    const stale = await recordEvent(deps(), findingEvent({ count: 2, updatedAt: '2026-11-28T01:00:00Z' }));
    expect(stale).toMatchObject({ outcome: 'stale', incidentId: first.incidentId });
    expect(stale.reason).toMatch(/older than the stored version \(updatedAt 2026-11-28T03:00:00Z, count 4\)/);
    expect(await messages(first.incidentId as string)).toEqual(['fg:opened', 'on-call:opened']);
    expect((await store.getFinding({ accountId: '111122223333', region: 'eu-west-1', findingId: 'f0000000000000000000000000000001' }))?.version.count).toBe(4);
  });

  it('announces a rise to Critical once', async () => {
    const first = await recordEvent(deps(), findingEvent({ severity: 8 }));
    await recordEvent(deps(), findingEvent({ severity: 9.3, count: 2, updatedAt: '2026-11-28T00:00:00Z' }));
    await recordEvent(deps(), findingEvent({ severity: 9.6, count: 3, updatedAt: '2026-11-28T01:00:00Z' }));
    expect(await messages(first.incidentId as string)).toEqual(['fg:opened', 'on-call:opened', 'fg:severity-raised', 'on-call:severity-raised']);
    expect((await store.getIncident(first.incidentId as string))?.severity).toBe(9.6);
  });

  it('attaches another finding on the same resource to the open incident', async () => {
    const first = await recordEvent(deps(), findingEvent({ id: 'f-1' }));
    const second = await recordEvent(deps(), findingEvent({ id: 'f-2', type: 'Recon:EC2/Portscan', severity: 5 }));
    expect(second).toMatchObject({ outcome: 'attached', incidentId: first.incidentId, deadline: first.deadline });
    expect((await store.getIncident(first.incidentId as string))?.findings).toBe(2);
  });

  it('ignores a finding below the threshold before and after an incident opens on its resource (arrival order does not matter)', async () => {
    // Prepare: a Low finding on the instance, delivered before the incident exists.
    const low = findingEvent({ id: 'f-low', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 2 });
    const before = await recordEvent(deps(), low);
    const first = await recordEvent(deps(), findingEvent({ id: 'f-1' }));
    // Act: the same Low finding redelivered once the incident is open.
    const redelivered = await recordEvent(deps(), { ...low, id: 'another-delivery' });
    // Assess: the same outcome both times, and the open incident is named.
    expect(before.outcome).toBe('ignored');
    expect(redelivered).toMatchObject({ outcome: 'ignored', incidentId: null });
    expect(redelivered.reason).toBe(
      `severity 2.0 (Low) is below the policy's threshold 4.0 for opening an incident; incident ${first.incidentId} is open on this resource, but a finding below the threshold joins none`,
    );
    expect((await store.getIncident(first.incidentId as string))?.findings).toBe(1);
  });

  it('ignores findings below the threshold, archived findings and other detail-types, storing nothing', async () => {
    const low = await recordEvent(deps(), findingEvent({ severity: 3.9 }));
    expect(low).toMatchObject({ outcome: 'ignored', incidentId: null, deadline: null });
    expect(low.reason).toBe("severity 3.9 (Low) is below the policy's threshold 4.0 for opening an incident");
    const archived = await recordEvent(deps(), findingEvent({ id: 'f-arch', archived: true }));
    expect(archived.reason).toMatch(/archived/);
    const other = await recordEvent(deps(), { ...findingEvent(), 'detail-type': 'GuardDuty Runtime Protection Unhealthy' });
    expect(other.reason).toMatch(/not a finding/);
    expect([count('incidents'), count('findings'), count('timeline'), count('outbox')]).toEqual([0, 0, 0, 0]);
  });

  it('rejects a bad event with the field named, and leaves nothing behind', async () => {
    const result = await recordEventText(deps(), JSON.stringify(findingEvent({ severity: 'high' })));
    expect(result).toMatchObject({ outcome: 'rejected', incidentId: null, reason: 'detail.severity: expected a number, got a string' });
    expect([count('incidents'), count('findings'), count('timeline'), count('outbox')]).toEqual([0, 0, 0, 0]);
  });

  it('records a sample finding flagged as a test: no clock, containment skipped, messages marked', async () => {
    const result = await recordEvent(deps(), findingEvent({ sample: true, instanceId: 'i-99999999' }));
    expect(result).toMatchObject({
      outcome: 'opened',
      deadline: null,
      actions: [
        { type: 'isolate-instance', status: 'skipped' },
        { type: 'block-dns-channel', status: 'skipped' },
      ],
    });
    const incident = await store.getIncident(result.incidentId as string);
    expect(incident).toMatchObject({ sample: true, awareAt: null, deadline: null, nextDueAt: null });
    const [fg] = await store.listMessages(result.incidentId as string);
    expect(fg.subject).toMatch(/^\[TEST\]/);
    expect(fg.attributes.sample).toBe('true');
    // A real finding on the same placeholder id does not join the sample incident.
    const real = await recordEvent(deps(), findingEvent({ id: 'f-real', instanceId: 'i-99999999' }));
    expect(real.outcome).toBe('opened');
  });

  it('plans containment by finding type, role and credentials, once per target', async () => {
    const target = await recordEvent(
      deps(),
      findingEvent({
        id: 'ssh',
        type: 'UnauthorizedAccess:EC2/SSHBruteForce',
        severity: 7,
        resourceRole: 'TARGET',
        instanceId: 'i-victim',
        service: { action: { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection: 'INBOUND' } } },
      }),
    );
    // A target of brute force is not isolated: a person closes the exposure.
    expect(target.actions).toEqual([{ type: 'review-exposed-instance', status: 'planned' }]);
    const actor = await recordEvent(
      deps(),
      findingEvent({
        id: 'ssh2',
        type: 'UnauthorizedAccess:EC2/SSHBruteForce',
        severity: 7,
        resourceRole: 'ACTOR',
        instanceId: 'i-actor',
        service: { action: { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection: 'OUTBOUND' } } },
      }),
    );
    expect(actor.actions).toEqual([{ type: 'isolate-instance', status: 'planned' }]);
    const akia = await recordEvent(
      deps(),
      findingEvent({ id: 'k1', type: 'CredentialAccess:IAMUser/AnomalousBehavior', severity: 7.2, resource: accessKeyResource('AKIAEXAMPLE1') }),
    );
    expect(akia.actions).toEqual([{ type: 'deactivate-access-key', status: 'planned' }]);
    const asia = await recordEvent(
      deps(),
      findingEvent({
        id: 'k2',
        type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
        resource: accessKeyResource('ASIAEXAMPLE2', 'AssumedRole', 'app-role'),
      }),
    );
    expect(asia.actions).toEqual([{ type: 'revoke-role-sessions', status: 'planned' }]);
    expect((await store.getIncident(asia.incidentId as string))?.actions[0].target).toBe('app-role');
    const root = await recordEvent(
      deps(),
      findingEvent({ id: 'k3', type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B', resource: accessKeyResource('ASIAROOT', 'Root', 'Root') }),
    );
    expect(root.actions).toEqual([{ type: 'restrict-root-credentials', status: 'planned' }]);
    const bucket = await recordEvent(
      deps(),
      findingEvent({ id: 's1', type: 'Exfiltration:S3/AnomalousBehavior', resource: bucketResource('klantdata', 'PUBLIC') }),
    );
    expect(bucket.actions).toEqual([{ type: 'block-public-access', status: 'planned' }]);
    const privateBucket = await recordEvent(
      deps(),
      findingEvent({ id: 's2', type: 'Exfiltration:S3/AnomalousBehavior', resource: bucketResource('intern', 'NOT_PUBLIC') }),
    );
    // No credentials named and the bucket not public: nothing automatic, a person triages it (High).
    expect(privateBucket.actions).toEqual([{ type: 'triage', status: 'planned' }]);
    const medium = await recordEvent(deps(), findingEvent({ id: 'm1', type: 'Trojan:EC2/DropPoint!DNS', severity: 5, instanceId: 'i-medium' }));
    expect(medium.actions).toEqual([]);
    // A second compromise finding on the isolated instance plans nothing new.
    const again = await recordEvent(deps(), findingEvent({ id: 'ssh3', type: 'Backdoor:EC2/C&CActivity.B', severity: 8, instanceId: 'i-actor' }));
    expect(again).toMatchObject({ outcome: 'attached', actions: [] });
  });

  it('opens one incident and queues one FG message when ten deliveries of one finding race', async () => {
    const event = findingEvent();
    const results = await Promise.all(Array.from({ length: 10 }, () => recordEvent(deps(), { ...event })));
    expect(results.filter((r) => r.outcome === 'opened')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(9);
    expect(count('incidents')).toBe(1);
    expect(await messages(results[0].incidentId as string)).toEqual(['fg:opened', 'on-call:opened']);
  });
});

describe('sweeping deadlines and acknowledging', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let now: string;
  const policy = DEFAULT_POLICY;

  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
    now = '2026-11-27T21:05:00.000Z';
  });
  afterEach(async () => cleanup());

  const ctx = () => ({ store, policy, now: () => now });

  it('sends each reminder and page once, however often the sweep runs, and stops the escalation at the acknowledgement', async () => {
    const opened = await recordEvent({ ...ctx(), canEnforce: false }, findingEvent({ createdAt: '2026-11-27T21:00:00Z' }));
    const id = opened.incidentId as string;

    now = '2026-11-27T21:19:00.000Z';
    expect((await sweep(ctx())).sent).toEqual([]);
    now = '2026-11-27T21:20:00.000Z';
    expect((await sweep(ctx())).sent).toEqual([{ incidentId: id, kind: 'page', dueAt: '2026-11-27T21:20:00.000Z', level: 'secondary', round: 0 }]);
    expect((await sweep(ctx())).sent).toEqual([]);

    now = '2026-11-27T21:40:00.000Z';
    const ack = await acknowledge(ctx(), { incidentId: id, by: 'alice' });
    expect(ack.changed).toBe(true);
    const second = await acknowledge(ctx(), { incidentId: id, by: 'bob' });
    expect(second).toMatchObject({ changed: false, incident: { acknowledgedBy: 'alice', acknowledgedAt: '2026-11-27T21:40:00.000Z' } });
    now = '2026-11-28T20:00:00.000Z';
    expect((await sweep(ctx())).sent).toEqual([]);

    // The AP clock keeps running after the acknowledgement.
    now = '2026-11-28T21:00:00.000Z';
    expect((await sweep(ctx())).sent).toEqual([{ incidentId: id, kind: 'ap-reminder', dueAt: '2026-11-28T21:00:00.000Z' }]);
    expect((await sweep(ctx())).sent).toEqual([]);
    const kinds = (await store.listMessages(id)).map((m) => `${m.channel}:${m.kind}`);
    expect(kinds).toEqual(['fg:opened', 'on-call:opened', 'on-call:page', 'fg:ap-reminder']);
  });

  it('sends a due reminder once when ten sweeps run at once', async () => {
    await recordEvent({ ...ctx(), canEnforce: false }, findingEvent({ createdAt: '2026-11-27T21:00:00Z' }));
    now = '2026-11-30T21:30:00.000Z';
    const results = await Promise.all(Array.from({ length: 10 }, () => sweep(ctx())));
    const sent = results.flatMap((r) => r.sent);
    expect(sent.map((s) => `${s.kind}:${s.level ?? ''}`).sort()).toEqual(['ap-overdue:', 'page:fg', 'page:on-call', 'page:secondary']);
    expect((await store.pendingMessages()).filter((m) => m.kind === 'ap-overdue')).toHaveLength(1);
  });

  it('delivers each queued message once, and keeps a message whose delivery failed', async () => {
    await recordEvent({ ...ctx(), canEnforce: false }, findingEvent());
    const delivered: string[] = [];
    let fail = true;
    const notifier = {
      deliver: async (m: OutboxMessage) => {
        if (m.channel === 'on-call' && fail) throw new Error('SNS unavailable');
        delivered.push(m.id);
      },
    };
    const first = await deliverPending({ store, notifier, now: () => now });
    expect(first.sent.map((m) => m.channel)).toEqual(['fg']);
    expect(first.failed.map((f) => f.error)).toEqual(['SNS unavailable']);
    fail = false;
    now = '2026-11-27T21:11:00.000Z'; // after the failed sender's lease
    await deliverPending({ store, notifier, now: () => now });
    await deliverPending({ store, notifier, now: () => now });
    expect(delivered.map((id) => id.split('/')[1])).toEqual(['fg', 'on-call']);
  });
});
