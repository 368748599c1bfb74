/**
 * An acknowledgement belongs to the incident that was acknowledged (review8 R3). A merge used to
 * copy the absorbed incident's acknowledgement onto a survivor nobody had acknowledged: the
 * survivor's interface left open then counted as taken, and its Critical page on the SNS topic
 * stopped repeating though nobody saw it; at the pager, `datalek ack` of the survivor answered
 * "acknowledged already" and sent no acknowledge, while its alert kept paging there. The survivor
 * now keeps paging until someone acknowledges it, and its timeline says who had taken the other.
 */
import { describe, expect, it } from 'vitest';
import { acknowledge, acknowledgementTakes } from '../../handlers/core/acknowledge.js';
import type { Incident, TimelineEntry } from '../../handlers/core/incident.js';
import type { Policy } from '../../handlers/core/policy.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { describeEntry } from '../../handlers/core/report-html.js';
import { exposedUntaken } from '../../handlers/core/schedule.js';
import { sweep } from '../../handlers/core/sweep.js';
import { findingEvent, instanceResource, instanceSequenceEvent } from '../support/events.js';
import { ISOLATE_ON_SNS, leaveOpen } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

const T = (m: number) => new Date(Date.parse('2026-11-28T02:00:00.000Z') + m * 60_000).toISOString();
const S_INSTANCE = 'i-0aaaaaaaaaaaaaaa1';
const O_INSTANCE = 'i-0bbbbbbbbbbbbbbb2';

/**
 * S (detected first, nobody acknowledged it) and O (another instance, detected later, acknowledged
 * by bram at minute 20); `beforeMerge` runs on S before; then a sequence naming both merges O into S.
 */
async function mergedAfterAck(policy: Policy, prefix: string, beforeMerge: (deps: ReturnType<typeof depsOf>, s: string) => Promise<unknown>) {
  const f = tempSqliteStore();
  const deps = depsOf(f.store, policy);
  const open = async (m: number, instance: string, name: string) =>
    (
      await recordEvent(
        { ...deps(m), canEnforce: false },
        findingEvent({ id: `${prefix}-${name}`, createdAt: T(m), type: 'Backdoor:EC2/C&CActivity.B', severity: 8.5, resource: instanceResource(instance) }),
      )
    ).incidentId as string;
  const s = await open(0, S_INSTANCE, 's');
  await beforeMerge(deps, s);
  const o = await open(15, O_INSTANCE, 'o');
  await acknowledge(deps(20), { incidentId: o, by: 'bram' });
  await recordEvent({ ...deps(30), canEnforce: false }, instanceSequenceEvent(`${prefix}-seq`, [S_INSTANCE, O_INSTANCE], T(29)));
  const get = async (id: string) => (await f.store.getIncident(id)) as Incident;
  expect((await get(o)).mergedInto).toBe(s);
  return { ...f, deps, s, o, get };
}

function depsOf(store: ReturnType<typeof tempSqliteStore>['store'], policy: Policy) {
  return (m: number) => ({ store, policy, now: () => T(m) });
}

describe('a merge into an incident nobody acknowledged, of one on-call acknowledged', () => {
  it("leaves the survivor unacknowledged: its exposed interface's page keeps repeating, and its timeline says who took the other", async () => {
    const f = await mergedAfterAck(ISOLATE_ON_SNS, 'r3-sns', (deps, s) => leaveOpen(deps(10), s, 'eni-0aaaaaaaaaaaaaaa1'));
    try {
      const survivor = await f.get(f.s);
      expect(survivor.acknowledgedBy).toBeNull();
      expect(survivor.state).toBe('open');
      expect(exposedUntaken(survivor, ISOLATE_ON_SNS).map((e) => e.resource)).toEqual(['eni-0aaaaaaaaaaaaaaa1']);
      const repeats = async () => (await f.store.listMessages(f.s)).filter((m) => m.kind === 'interface-exposed').length;
      const before = await repeats();
      for (let m = 35; m <= 90; m += 5) await sweep({ store: f.store, policy: ISOLATE_ON_SNS, now: () => T(m) });
      expect(await repeats()).toBeGreaterThan(before);
      const merged = (await f.store.getTimeline(f.s)).find((e) => e.kind === 'incidents-merged');
      expect(merged?.detail).toMatchObject({ merged: f.o, acknowledgedBy: 'bram', acknowledgedAt: T(20) });
      expect(describeEntry(merged as TimelineEntry, 'en', 'Europe/Amsterdam')).toContain('acknowledged by bram (2026-11-28 03:20');
      // Someone takes it now: that is the acknowledgement, and the repeat stops for what is open.
      const taken = await acknowledge(f.deps(95), { incidentId: f.s, by: 'carol' });
      expect(taken.changed).toBe(true);
      expect(taken.incident.acknowledgedBy).toBe('carol');
      expect(exposedUntaken(taken.incident, ISOLATE_ON_SNS)).toEqual([]);
    } finally {
      await f.cleanup();
    }
  });

  it("at the pager: acknowledging the survivor takes its own alert, raised before the other's acknowledgement, and sends the acknowledge", async () => {
    const PAGERDUTY = parsePolicy({ onCall: { provider: 'pagerduty' } });
    const f = await mergedAfterAck(PAGERDUTY, 'r3-pd', async () => undefined);
    try {
      const survivor = await f.get(f.s);
      expect(survivor.pager).toMatchObject({ state: 'triggered', triggeredAt: T(0) });
      expect(acknowledgementTakes(survivor, PAGERDUTY)).toBe(true);
      const taken = await acknowledge(f.deps(40), { incidentId: f.s, by: 'carol' });
      expect(taken.changed).toBe(true);
      expect(taken.incident.pager?.state).toBe('acknowledged');
      const acks = (await f.store.listMessages(f.s)).filter((m) => m.alert?.action === 'acknowledge' && m.alert.key === f.s);
      expect(acks.map((m) => [m.createdAt, m.body])).toContainEqual([T(40), expect.stringContaining('carol')]);
    } finally {
      await f.cleanup();
    }
  });
});
