/**
 * A finding active again after its incident was closed opens a follow-up incident of its own
 * (review item 2): it pages, plans containment again and runs its own AP clock, while the closed
 * incident keeps its decision as it was and names the follow-up. Redelivery stays silent.
 */

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { type RecordDeps, recordEvent } from '../../handlers/core/record-finding.js';
import { registerRow } from '../../handlers/core/register.js';
import { sweep } from '../../handlers/core/sweep.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { backdoor, C2, CREATED, closedIncident, FINDING, KEY } from '../support/after-close.js';
import { type EventOptions, findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const EXFIL = 'Trojan:EC2/DNSDataExfiltration';
const FINDING_KEY = `${KEY.accountId}/${KEY.region}/${KEY.findingId}`;
const INSTANCE = 'i-0c10000000000001';

describe('a finding active again after its incident was closed', () => {
  let store: SqliteIncidentStore;
  let dir: string;
  let cleanup: () => Promise<void>;
  const clock = { now: '' };
  let deps: () => RecordDeps;

  beforeEach(() => {
    ({ store, dir, cleanup } = tempSqliteStore());
    deps = () => ({ store, policy: DEFAULT_POLICY, now: () => clock.now, canEnforce: false });
  });
  afterEach(async () => cleanup());

  const kinds = async (id: string) => (await store.listMessages(id)).map((m) => `${m.channel}:${m.kind}`);
  const calling = { count: 57, updatedAt: '2026-11-27T10:00:00.000Z' };

  it('opens a follow-up incident that pages, plans containment again and runs its own AP clock', async () => {
    const closed = await closedIncident(store, clock);
    clock.now = '2026-11-27T10:05:00.000Z';
    const result = await recordEvent(deps(), backdoor(calling));
    expect(result).toMatchObject({
      outcome: 'opened',
      findingId: FINDING,
      actions: [
        { type: 'isolate-instance', status: 'planned' },
        { type: 'block-dns-channel', status: 'planned' },
      ],
    });
    const id = result.incidentId as string;
    expect(id).toMatch(/^dl-[0-9a-f]{32}$/);
    expect(id).not.toBe(closed.id);
    const followUp = (await store.getIncident(id)) as Incident;
    expect(followUp).toMatchObject({
      state: 'open',
      detectedAt: '2026-11-27T10:00:00.000Z',
      awareAt: '2026-11-27T10:00:00.000Z',
      deadline: '2026-11-30T10:00:00.000Z',
      findingType: C2,
      followUpOf: { incidentId: closed.id, closedAt: closed.closedAt, findingId: FINDING, previousCount: 1, count: 57, lastSeen: '2026-11-27T10:00:00.000Z' },
    });
    expect(followUp.assessment ?? null).toBeNull();
    expect(await kinds(id)).toEqual(['fg:opened', 'on-call:opened']);
    const fg = (await store.listMessages(id))[0];
    expect(fg.body).toContain(`Vervolg op incident ${closed.id}`);
    expect(fg.body).toContain('57');
    // The finding now belongs to the follow-up; on-call finds it among the open incidents.
    expect((await store.getFinding(KEY))?.incidentId).toBe(id);
    expect((await store.listIncidents({ openOnly: true })).map((i) => i.id)).toEqual([id]);
    // Its escalation runs until someone acknowledges it.
    clock.now = '2026-11-27T10:20:00.000Z';
    expect((await sweep(deps())).sent.filter((s) => s.incidentId === id).map((s) => s.kind)).toEqual(['page']);
  });

  it('names the follow-up when someone acknowledges or assesses the closed incident', async () => {
    const closed = await closedIncident(store, clock);
    clock.now = '2026-11-27T10:05:00.000Z';
    const id = (await recordEvent(deps(), backdoor(calling))).incidentId as string;
    clock.now = '2026-11-27T10:10:00.000Z';
    await expect(acknowledge(deps(), { incidentId: closed.id, by: 'Anna' })).rejects.toThrow(`opened follow-up incident ${id}: act on that one`);
    // A decision that would reopen a clock is refused; a changed assessment alone is information after closing (Art. 33(4)).
    await expect(assess(deps(), { incidentId: closed.id, actingAs: 'processor', reason: 'exfiltratie', by: 'FG' })).rejects.toThrow(
      `opened follow-up incident ${id}`,
    );
  });

  it('keeps the closed incident and its decision as they were, linked to the follow-up both ways', async () => {
    const closed = await closedIncident(store, clock);
    clock.now = '2026-11-27T10:05:00.000Z';
    const id = (await recordEvent(deps(), backdoor(calling))).incidentId as string;
    const after = (await store.getIncident(closed.id)) as Incident;
    expect(after).toMatchObject({ state: 'closed', closedAt: closed.closedAt, closeReason: closed.closeReason, findings: 1, followUps: [id] });
    expect(after.assessment).toEqual(closed.assessment);
    expect(after.decisions).toEqual(closed.decisions);
    expect(after.actions).toEqual(closed.actions);
    expect(await kinds(closed.id)).toEqual(['fg:opened', 'on-call:opened']);
    const last = (await store.getTimeline(closed.id)).at(-1);
    expect(last).toMatchObject({ kind: 'follow-up-opened', detail: { incidentId: id, findingId: FINDING, previousCount: 1, count: 57 } });
    expect((await verifyStore(store, { now: clock.now })).problems).toEqual([]);
    // The register: the closed incident's decision as it was, and the two linked.
    const before = registerRow(closed, DEFAULT_POLICY, clock.now);
    const row = registerRow(after, DEFAULT_POLICY, clock.now);
    expect(row).toMatchObject({ state: 'closed', personalData: 'no', notifiable: false, decisionReason: 'testserver', followUps: id, followUpOf: null });
    expect({ ...row, followUps: '' }).toEqual(before);
    expect(registerRow((await store.getIncident(id)) as Incident, DEFAULT_POLICY, clock.now)).toMatchObject({ followUpOf: closed.id, personalData: null });
  });

  it('verify reports the finding record rolled back to the closed incident, whichever of the two it checks', async () => {
    const closed = await closedIncident(store, clock);
    const file = join(dir, STORE_FILE);
    const read = new Database(file, { readonly: true });
    const before = read.prepare('SELECT incident_id, updated_at, count, data FROM findings').get() as Record<string, unknown>;
    read.close();
    clock.now = '2026-11-27T10:05:00.000Z';
    const id = (await recordEvent(deps(), backdoor(calling))).incidentId as string;
    expect((await verifyStore(store, { now: clock.now })).problems).toEqual([]);
    // Someone who can write the store puts back the finding as the closed incident held it: the
    // activity after the close, and what moved it to the follow-up, gone from the finding.
    const db = new Database(file);
    db.prepare('UPDATE findings SET incident_id = ?, updated_at = ?, count = ?, data = ?').run(
      before.incident_id,
      before.updated_at,
      before.count,
      before.data,
    );
    db.close();
    expect((await store.getFinding(KEY))?.incidentId).toBe(closed.id);
    const entries = (problems: { incidentId: string; entry: string }[]) => problems.map((p) => `${p.incidentId} ${p.entry}`);
    const finding = `finding ${FINDING_KEY}`;
    expect(entries((await verifyStore(store, { now: clock.now })).problems)).toEqual([`${closed.id} ${finding}`, `${id} ${finding}`]);
    expect(entries((await verifyStore(store, { only: id, now: clock.now })).problems)).toEqual([`${id} ${finding}`]);
    const onClosed = (await verifyStore(store, { only: closed.id, now: clock.now })).problems;
    expect(onClosed).toEqual([
      {
        incidentId: closed.id,
        entry: finding,
        problem: expect.stringMatching(new RegExp(`older version than the one incident ${id}'s ledger wrote last .*: the finding record was rolled back$`)),
      },
    ]);
  });

  it('stays silent for the same version again and for an older one: one follow-up, however often it is delivered', async () => {
    await closedIncident(store, clock);
    clock.now = '2026-11-27T10:05:00.000Z';
    const id = (await recordEvent(deps(), backdoor(calling))).incidentId;
    const again = await recordEvent(deps(), { ...backdoor(calling), id: 'another-delivery' });
    expect(again).toMatchObject({ outcome: 'duplicate', incidentId: id, actions: [], messages: [] });
    const older = await recordEvent(deps(), backdoor({ count: 30, updatedAt: '2026-11-27T04:00:00.000Z' }));
    expect(older).toMatchObject({ outcome: 'stale', incidentId: id });
    expect(await store.listIncidents()).toHaveLength(2);
    // A later version updates the follow-up like any open incident: no new page.
    clock.now = '2026-11-27T16:05:00.000Z';
    const later = await recordEvent(deps(), backdoor({ count: 80, updatedAt: '2026-11-27T16:00:00.000Z' }));
    expect(later).toMatchObject({ outcome: 'updated', incidentId: id, messages: [] });
  });

  it("keeps a follow-up's detection and AP clock when a later version of its finding arrives: the finding's creation is the closed incident's", async () => {
    await closedIncident(store, clock);
    clock.now = '2026-11-27T10:05:00.000Z';
    const id = (await recordEvent(deps(), backdoor(calling))).incidentId as string;
    const opened = (await store.getIncident(id)) as Incident;
    clock.now = '2026-11-27T16:05:00.000Z';
    expect((await recordEvent(deps(), backdoor({ count: 80, updatedAt: '2026-11-27T16:00:00.000Z' }))).outcome).toBe('updated');
    const after = (await store.getIncident(id)) as Incident;
    expect({ detectedAt: after.detectedAt, awareAt: after.awareAt, deadline: after.deadline }).toEqual({
      detectedAt: opened.detectedAt,
      awareAt: opened.awareAt,
      deadline: opened.deadline,
    });
    expect((await store.getTimeline(id)).map((e) => e.kind)).not.toContain('detection-moved-earlier');
  });

  it('derives the follow-up id from the closed incident and the finding: the same events on another store open the same id', async () => {
    await closedIncident(store, clock);
    clock.now = '2026-11-27T10:05:00.000Z';
    const id = (await recordEvent(deps(), backdoor(calling))).incidentId;
    const other = tempSqliteStore();
    try {
      await closedIncident(other.store, clock);
      clock.now = '2026-11-27T10:05:00.000Z';
      const again = await recordEvent({ store: other.store, policy: DEFAULT_POLICY, now: () => clock.now, canEnforce: false }, backdoor(calling));
      expect(again).toMatchObject({ outcome: 'opened', incidentId: id });
    } finally {
      await other.cleanup();
    }
  });

  it('opens a follow-up for activity last seen after the close, though the count did not rise', async () => {
    const closed = await closedIncident(store, clock);
    clock.now = '2026-11-27T10:05:00.000Z';
    // GuardDuty's count stays at 1 (an occurrence it folded in), but the activity was seen again after the close.
    const seenAgain = backdoor({ count: 1, updatedAt: '2026-11-27T10:00:00.000Z', service: { eventLastSeen: '2026-11-27T09:30:00.000Z' } });
    const result = await recordEvent(deps(), seenAgain);
    expect(result.outcome).toBe('opened');
    expect((await store.getIncident(result.incidentId as string))?.followUpOf).toMatchObject({
      incidentId: closed.id,
      previousCount: 1,
      count: 1,
      lastSeen: '2026-11-27T09:30:00.000Z',
    });
  });

  it('records a newer version that shows no activity after closing without telling anyone', async () => {
    const closed = await closedIncident(store, clock);
    clock.now = '2026-11-27T10:05:00.000Z';
    // Archived in GuardDuty after the close: updatedAt moves, the count and the last activity do not.
    const archived = backdoor({ count: 1, updatedAt: '2026-11-27T10:00:00.000Z', archived: true, service: { eventLastSeen: CREATED } });
    const result = await recordEvent(deps(), archived);
    expect(result).toMatchObject({ outcome: 'updated', incidentId: closed.id, actions: [], messages: [] });
    expect(await store.listIncidents()).toHaveLength(1);
  });

  it('joins the incident open on the resource by then, instead of opening another', async () => {
    await closedIncident(store, clock);
    clock.now = '2026-11-26T12:05:00.000Z';
    const fresh = await recordEvent(
      deps(),
      findingEvent({ id: 'n-1', type: 'Trojan:EC2/DNSDataExfiltration', instanceId: 'i-0c10000000000001', createdAt: '2026-11-26T12:00:00.000Z' }),
    );
    expect(fresh.outcome).toBe('opened');
    clock.now = '2026-11-27T10:05:00.000Z';
    const result = await recordEvent(deps(), backdoor(calling));
    expect(result).toMatchObject({ outcome: 'attached', incidentId: fresh.incidentId });
    expect((await store.getIncident(fresh.incidentId as string))?.findings).toBe(2);
    expect((await store.getFinding(KEY))?.incidentId).toBe(fresh.incidentId);
    expect(await store.listIncidents()).toHaveLength(2);
  });

  it("joins the incident opened since with the activity after the close as its detection, not the closed incident's", async () => {
    await closedIncident(store, clock);
    clock.now = '2026-11-28T12:05:00.000Z';
    const fresh = (await recordEvent(deps(), findingEvent({ id: 'n-1', type: EXFIL, instanceId: INSTANCE, createdAt: '2026-11-28T12:00:00.000Z' })))
      .incidentId as string;
    clock.now = '2026-11-28T12:10:00.000Z';
    expect((await recordEvent(deps(), backdoor({ count: 57, updatedAt: '2026-11-28T12:08:00.000Z' }))).outcome).toBe('attached');
    // The backdoor was created on the 26th, but what it brings is activity seen at 12:08 on the 28th.
    expect(await store.getIncident(fresh)).toMatchObject({
      detectedAt: '2026-11-28T12:00:00.000Z',
      awareAt: '2026-11-28T12:00:00.000Z',
      deadline: '2026-12-01T12:00:00.000Z',
    });
    expect((await store.getTimeline(fresh)).map((e) => e.kind)).not.toContain('detection-moved-earlier');
    expect((await sweep(deps())).sent.filter((s) => s.kind === 'ap-overdue')).toEqual([]);
  });

  it("keeps a follow-up's AP clock when a second finding of the closed incident, active again too, joins it", async () => {
    clock.now = '2026-11-26T10:05:00.000Z';
    const id = (await recordEvent(deps(), backdoor())).incidentId as string;
    const exfil = (o: EventOptions = {}) => findingEvent({ id: 'b-1', type: EXFIL, instanceId: INSTANCE, createdAt: '2026-11-26T10:30:00.000Z', ...o });
    clock.now = '2026-11-26T10:35:00.000Z';
    expect((await recordEvent(deps(), exfil())).outcome).toBe('attached');
    clock.now = '2026-11-26T11:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver', by: 'FG' });
    clock.now = '2026-11-26T11:05:00.000Z';
    await closeIncident(deps(), { incidentId: id, reason: 'geen persoonsgegevens', by: 'FG' });
    clock.now = '2026-11-29T12:05:00.000Z';
    const followUp = (await recordEvent(deps(), backdoor({ count: 57, updatedAt: '2026-11-29T12:00:00.000Z' }))).incidentId as string;
    clock.now = '2026-11-29T12:06:00.000Z';
    expect(await recordEvent(deps(), exfil({ count: 9, updatedAt: '2026-11-29T12:00:00.000Z' }))).toMatchObject({ outcome: 'attached', incidentId: followUp });
    expect(await store.getIncident(followUp)).toMatchObject({
      detectedAt: '2026-11-29T12:00:00.000Z',
      awareAt: '2026-11-29T12:00:00.000Z',
      deadline: '2026-12-02T12:00:00.000Z',
    });
    // Its deadline three days ahead: the sweep pages on-call, and tells nobody the AP notification is overdue.
    clock.now = '2026-11-29T12:30:00.000Z';
    expect((await sweep(deps())).sent.filter((s) => s.incidentId === followUp).map((s) => s.kind)).toEqual(['page']);
    expect((await verifyStore(store, { now: clock.now })).problems).toEqual([]);
  });

  it('opens a follow-up of the follow-up when the finding is active again after that one closed too', async () => {
    await closedIncident(store, clock);
    clock.now = '2026-11-27T10:05:00.000Z';
    const first = (await recordEvent(deps(), backdoor(calling))).incidentId as string;
    clock.now = '2026-11-27T11:00:00.000Z';
    await assess(deps(), { incidentId: first, personalData: 'no', risk: 'none', reason: 'opnieuw testserver', by: 'FG' });
    clock.now = '2026-11-27T11:05:00.000Z';
    await closeIncident(deps(), { incidentId: first, reason: 'geen persoonsgegevens', by: 'FG' });
    clock.now = '2026-11-28T10:05:00.000Z';
    const second = await recordEvent(deps(), backdoor({ count: 90, updatedAt: '2026-11-28T10:00:00.000Z' }));
    expect(second.outcome).toBe('opened');
    expect(second.incidentId).not.toBe(first);
    expect((await store.getIncident(second.incidentId as string))?.followUpOf?.incidentId).toBe(first);
    expect((await verifyStore(store, { now: clock.now })).problems).toEqual([]);
  });
});
