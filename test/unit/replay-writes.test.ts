/**
 * `datalek replay` records an event, sends what it queued at once, and moves on. On the embedded
 * store that takes one write transaction per event: the messages are queued claimed by the
 * commit (no claim of their own), and their sending is written with the next event's commit (no
 * transaction of its own). What another process sees meanwhile must never be a lie: a message
 * not yet recorded as sent is held by this process's claim, and one whose sending was lost with
 * the process is sent again once that claim runs out, as it was when a sender died between
 * delivering and recording.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { CLAIM_LEASE_MINUTES, deliverMessages, deliverPending } from '../../handlers/core/deliver.js';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { type RecordDeps, recordEvent } from '../../handlers/core/record-finding.js';
import { addMinutes } from '../../handlers/core/time.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';

describe('replay: one write transaction per event', () => {
  let store: SqliteIncidentStore;
  /** The same store opened by another process (on-call running `datalek ack`, a sweep). */
  let other: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    let dir: string;
    ({ store, dir, cleanup } = tempSqliteStore());
    other = new SqliteIncidentStore(dir);
  });
  afterEach(async () => {
    await other.close();
    await cleanup();
  });

  const deps = (claimQueued?: RecordDeps['claimQueued']): RecordDeps => ({
    store,
    policy: DEFAULT_POLICY,
    now: () => NOW,
    canEnforce: false,
    ...(claimQueued ? { claimQueued } : {}),
  });
  const sent: OutboxMessage[] = [];
  const notifier = { deliver: async (m: OutboxMessage) => void sent.push(m) };
  const verify = async (s: SqliteIncidentStore) => verifyOk(await verifyStore(s, { now: NOW }));

  it('queues what it sends at once claimed by the commit: no claim of its own, and no other sender takes it meanwhile', async () => {
    const result = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'claim-1', instanceId: 'i-claim-1' }),
    );
    const ids = (result.queued ?? []).map((m) => m.id);
    expect(ids).toHaveLength(2);
    expect(result.claimed).toEqual({ ids, until: addMinutes(NOW, CLAIM_LEASE_MINUTES) });
    // Another sender finds them held, until the lease runs out.
    expect(await other.claimMessages(ids, NOW, addMinutes(NOW, CLAIM_LEASE_MINUTES))).toEqual([]);

    const claim = vi.spyOn(store, 'claimMessages');
    sent.length = 0;
    const report = await deliverMessages({ store, notifier, now: () => NOW }, result.queued ?? [], result.claimed);
    expect(claim).not.toHaveBeenCalled();
    expect(report.sent.map((m) => m.id)).toEqual(ids);
    expect((await store.listMessages(result.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, NOW]);
    expect(await verify(other)).toBe(true);
  });

  it('claims at commit only what its notifier sends; the rest is left to any sender', async () => {
    const result = await recordEvent(
      deps((m) => m.channel === 'fg'),
      findingEvent({ id: 'claim-2', instanceId: 'i-claim-2' }),
    );
    const [fg, onCall] = result.queued ?? [];
    expect([fg.channel, onCall.channel]).toEqual(['fg', 'on-call']);
    expect(result.claimed?.ids).toEqual([fg.id]);
    expect(await other.claimMessages([fg.id, onCall.id], NOW, addMinutes(NOW, CLAIM_LEASE_MINUTES))).toEqual([onCall.id]);
  });

  it('does not claim a message an earlier change queued: the sender claims it as usual', async () => {
    const first = await recordEvent(deps(), findingEvent({ id: 'claim-3', instanceId: 'i-claim-3' }));
    const queued = first.queued ?? [];
    const incident = await store.getIncident(first.incidentId as string);
    if (!incident) throw new Error('not stored');
    // The same messages queued again by a later change of the incident (ids are per state change).
    const next = { ...structuredClone(incident), revision: incident.revision + 1 };
    const receipt = await store.commit({
      incident: next,
      expectedRevision: incident.revision,
      timeline: [],
      messages: queued,
      claim: { ids: queued.map((m) => m.id), until: addMinutes(NOW, CLAIM_LEASE_MINUTES) },
    });
    expect(receipt?.claimed).toEqual([]);
    expect(
      (
        await other.claimMessages(
          queued.map((m) => m.id),
          NOW,
          addMinutes(NOW, CLAIM_LEASE_MINUTES),
        )
      ).sort(),
    ).toEqual(queued.map((m) => m.id).sort());
  });

  it("writes a sending with the next event's commit; meanwhile another process sees it pending and held, and the record verifies", async () => {
    store.deferSentMarks(60_000);
    const a = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'mark-1', instanceId: 'i-mark-1' }),
    );
    const ids = (a.queued ?? []).map((m) => m.id);
    await deliverMessages({ store, notifier, now: () => NOW }, a.queued ?? [], a.claimed);

    // Delivered, not yet written: pending and held by this process's claim, and nothing in the ledger says sent.
    expect((await other.listMessages(a.incidentId as string)).map((m) => m.sentAt)).toEqual([null, null]);
    expect(await other.claimMessages(ids, NOW, addMinutes(NOW, CLAIM_LEASE_MINUTES))).toEqual([]);
    expect(await verify(other)).toBe(true);

    // The next event's commit writes it, each sending once in the ledger, with the time it was delivered.
    await recordEvent(
      deps(() => true),
      findingEvent({ id: 'mark-2', instanceId: 'i-mark-2' }),
    );
    expect((await other.listMessages(a.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, NOW]);
    const ledger = (await other.rawIncident(a.incidentId as string)).ledger.map((e) => JSON.parse(e.data));
    expect(ledger.flatMap((e) => (e.sent ? [e.sent] : []))).toEqual(ids.map((id) => ({ id, at: NOW })));
    expect(await verify(other)).toBe(true);
  });

  it('writes a sending on its own when no commit follows within the delay, and when the store is read or closed', async () => {
    store.deferSentMarks(20);
    const a = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'mark-3', instanceId: 'i-mark-3' }),
    );
    await deliverMessages({ store, notifier, now: () => NOW }, a.queued ?? [], a.claimed);
    await vi.waitFor(async () => expect((await other.listMessages(a.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, NOW]), { timeout: 2000 });

    store.deferSentMarks(60_000);
    const b = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'mark-4', instanceId: 'i-mark-4' }),
    );
    await deliverMessages({ store, notifier, now: () => NOW }, b.queued ?? [], b.claimed);
    // This process's own reads see what it sent.
    expect((await store.listMessages(b.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, NOW]);
    expect((await other.listMessages(b.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, NOW]);

    const c = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'mark-5', instanceId: 'i-mark-5' }),
    );
    await deliverMessages({ store, notifier, now: () => NOW }, c.queued ?? [], c.claimed);
    await store.close();
    expect((await other.listMessages(c.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, NOW]);
    expect(await verify(other)).toBe(true);
  });

  it('a process that dies after delivering, before writing the sending, leaves its messages to be sent again once its claim runs out', async () => {
    store.deferSentMarks(60_000);
    const a = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'crash-1', instanceId: 'i-crash-1' }),
    );
    await deliverMessages({ store, notifier, now: () => NOW }, a.queued ?? [], a.claimed);
    // The process dies: its connection goes, what it had not written with it.
    store.database.close();

    const resent: OutboxMessage[] = [];
    const again = { deliver: async (m: OutboxMessage) => void resent.push(m) };
    expect((await deliverPending({ store: other, notifier: again, now: () => addMinutes(NOW, 1) })).sent).toEqual([]);
    const later = addMinutes(NOW, CLAIM_LEASE_MINUTES + 1);
    const report = await deliverPending({ store: other, notifier: again, now: () => later });
    expect(report.sent.map((m) => m.id)).toEqual((a.queued ?? []).map((m) => m.id));
    expect((await other.listMessages(a.incidentId as string)).map((m) => m.sentAt)).toEqual([later, later]);
    expect(verifyOk(await verifyStore(other, { now: later }))).toBe(true);
  });
});
