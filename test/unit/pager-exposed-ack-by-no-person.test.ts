/**
 * read14c C6: K8's fix (c46a9d3) handled an acknowledgement by no person of the incident's *own* alert
 * only (`byNoPerson` requires ownAlert). An exposed interface's alert (`dl-…:exposed:eni-…`, raised
 * at the pager when containment leaves an interface open, "paging until the interface is isolated or
 * a person takes it") acknowledged through PagerDuty's Events API with the routing key (agent: the
 * service) stops PagerDuty's paging, and datalek re-raises or pages nothing: exposedAgainAfter
 * brought an alert back only when it was *resolved* by no person. attack14b's K8 named this case.
 * Now that alert is treated as one the pager failed: on-call hears it on the topic at once, and the
 * exposed interface's page repeats there until a person takes it.
 */
import { expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { runContainment } from '../../handlers/core/contain.js';
import { type ActionRecord, exposedInterfaces, type Incident, type PagerState } from '../../handlers/core/incident.js';
import { exposedAlertKey } from '../../handlers/core/messages.js';
import { recordPagerEvent, recordPagerFailure } from '../../handlers/core/pager.js';
import { parsePagerDutyEvent } from '../../handlers/core/pager-webhooks.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent, instanceResource, instanceSequenceEvent } from '../support/events.js';
import { exposedPage } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

const POLICY = parsePolicy({
  onCall: { provider: 'pagerduty' },
  containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] },
});
const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const ENI = 'eni-0a1b2c3d4e5f60c06';
const INSTANCE = 'i-0a1b2c3d4e5f60c06';

/**
 * An incident whose interface containment left open at T(10), its alert at PagerDuty acknowledged at
 * T(12) through the Events API with the routing key (no person); Anna took the incident at T(5).
 */
async function forgedAck(store: IncidentStore) {
  const deps = (m: number) => ({ store, policy: POLICY, now: () => T(m) });
  const event = findingEvent({ id: `c6-${Math.random()}`, type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource(INSTANCE) });
  const id = (await recordEvent({ ...deps(0), canEnforce: false }, event)).incidentId as string;
  // Anna took the incident; then containment left an interface open: its alert pages at PagerDuty.
  await acknowledge(deps(5), { incidentId: id, by: 'anna' });
  await changeIncident(deps(10), id, (draft) => {
    const a = draft.actions[0] as ActionRecord;
    a.steps = [{ name: `isolate-eni:${ENI}`, status: 'failed', at: T(10), code: 'RequestLimitExceeded', exposed: true }];
    a.status = 'failed';
    return { entries: [{ at: T(10), kind: 'resource-exposed', detail: { resource: ENI } }], messages: (d: Incident) => [exposedPage(d, POLICY, ENI, T(10))] };
  });
  const key = exposedAlertKey(id, ENI);
  expect((await store.getIncident(id))?.pager?.alerts, 'premise: the exposed alert pages at PagerDuty').toEqual([{ key, state: 'triggered', at: T(10) }]);

  // One Events API call with the routing key: {"event_action":"acknowledge","dedup_key": key}. PagerDuty's webhook: agent the service.
  const ack = parsePagerDutyEvent({
    event: {
      id: 'Q0FORGEDEXP',
      event_type: 'incident.acknowledged',
      occurred_at: T(12),
      agent: { type: 'service_reference', summary: 'datalek' },
      data: { type: 'incident', incident_key: key },
    },
  });
  expect(ack?.person, 'premise: no person').toBe(false);
  await recordPagerEvent(deps(12), { provider: 'pagerduty', ...(ack as NonNullable<typeof ack>) });
  return { id, key, deps };
}

it("an exposed interface's alert acknowledged at the pager by no person keeps paging somewhere", async () => {
  const fixture = tempSqliteStore();
  try {
    const { store } = fixture;
    const { id, key } = await forgedAck(store);

    // At once, on the on-call topic (no alert: a trigger would join the acknowledged one unheard).
    const told = (await store.listMessages(id)).filter((m) => m.channel === 'on-call' && m.id.includes('/exposed-ack-no-person:'));
    expect(told.map((m) => m.alert ?? null)).toEqual([null]);
    // The interface is still open; PagerDuty pages no more. Something must page on-call about it again.
    const before = (await store.listMessages(id)).length;
    // The next sweeps (every 5 minutes): the repeat falls due 15 minutes after the interface was left open.
    for (const m of [15, 20, 25, 30]) await sweep({ store, policy: POLICY, now: () => T(m) });
    const after = (await store.listMessages(id)).slice(before);
    const pagedAgain = after.filter((m) => m.channel === 'on-call' && (m.alert?.key === key || m.body.includes(ENI)));
    expect(pagedAgain.length, 'the open interface pages nobody after an acknowledgement by no person at the pager').toBeGreaterThan(0);
  } finally {
    await fixture.cleanup();
  }
});

/**
 * The alert so marked failed is still up at PagerDuty (acknowledged there): unlike one the pager
 * refused, it must get its resolve there when the incident closes, once the interface is isolated;
 * else it stays acknowledged there for good, and PagerDuty's acknowledgement timeout pages anew
 * about an interface isolated long since.
 */
it('that alert gets its resolve at the pager once the interface is isolated and the incident closes; one the pager refused gets none', async () => {
  const fixture = tempSqliteStore();
  try {
    const { store } = fixture;
    const { id, key, deps } = await forgedAck(store);
    expect((await store.getIncident(id))?.pager?.alerts?.find((a) => a.key === key)?.state, 'premise: marked failed').toBe('failed');
    // The retry isolates it; the repeats on the topic stop.
    await changeIncident(deps(20), id, (draft) => {
      const a = draft.actions[0] as ActionRecord;
      a.steps = [{ name: `isolate-eni:${ENI}`, status: 'done', at: T(20) }];
      a.status = 'done';
      return { entries: [{ at: T(20), kind: 'containment-step-done', detail: { step: `isolate-eni:${ENI}` } }] };
    });
    expect(exposedInterfaces((await store.getIncident(id)) as Incident)).toEqual([]);
    // Another exposed alert the pager refused (its page went to the topic): never raised there, nothing to resolve.
    const refused = exposedAlertKey(id, 'eni-0refused000000001');
    await changeIncident(deps(21), id, (draft) => {
      draft.pager = { ...(draft.pager as PagerState), keys: [...(draft.pager?.keys ?? []), refused] };
      return { entries: [{ at: T(21), kind: 'test-refused-alert', detail: {} }] };
    });
    await recordPagerFailure(deps(21), id, 'refused', refused);
    await changeIncident(deps(30), id, (draft) => {
      draft.state = 'closed';
      draft.closedAt = T(30);
      return { entries: [{ at: T(30), kind: 'closed', detail: {} }] };
    });
    const resolved = (await store.listMessages(id)).filter((m) => m.alert?.action === 'resolve').map((m) => m.alert?.key);
    expect(resolved).toContain(key);
    expect(resolved).not.toContain(refused);
    expect((await store.getIncident(id))?.pager?.alerts?.find((a) => a.key === key)?.state).toBe('resolved');
  } finally {
    await fixture.cleanup();
  }
});

/** The contain run that isolates the interface at T(m): a retry's isolate-eni step done. */
async function isolateByRun(store: IncidentStore, id: string, m: number) {
  const containment: Containment = {
    canEnforce: true,
    execute: async (_action, ctx) => ctx.record({ name: `isolate-eni:${ENI}`, status: 'done', at: T(m) }),
    release: async () => {},
  };
  await changeIncident({ store, policy: POLICY, now: () => T(m) }, id, (draft) => {
    (draft.actions[0] as ActionRecord).mode = 'enforce';
    return { entries: [] };
  });
  await runContainment({ store, policy: POLICY, now: () => T(m), containment }, id);
}

const resolvesOf = async (store: IncidentStore, id: string) =>
  (await store.listMessages(id)).filter((m) => m.alert?.action === 'resolve').map((m) => m.alert?.key);

it('contain16: that alert is resolved at the pager when the run isolates the interface, not only when the incident closes', async () => {
  const fixture = tempSqliteStore();
  try {
    const { store } = fixture;
    const { id, key } = await forgedAck(store);
    await isolateByRun(store, id, 20);
    const after = (await store.getIncident(id)) as Incident;
    expect(after.state, 'premise: still open').not.toBe('closed');
    expect(exposedInterfaces(after)).toEqual([]);
    expect(await resolvesOf(store, id)).toEqual([key]);
    expect(after.pager?.alerts?.find((a) => a.key === key)?.state).toBe('resolved');
  } finally {
    await fixture.cleanup();
  }
});

it('contain16: an alert failed so before upThere was kept (fd3aa19) is told from the timeline and resolved at the isolation; one the pager refused is not', async () => {
  const fixture = tempSqliteStore();
  try {
    const { store } = fixture;
    const { id, key, deps } = await forgedAck(store);
    // The record as written before fd3aa19: failed, no upThere.
    await changeIncident(deps(13), id, (draft) => {
      const pager = draft.pager as PagerState;
      draft.pager = { ...pager, alerts: (pager.alerts ?? []).map(({ upThere: _, ...a }) => a) };
      return { entries: [] };
    });
    expect((await store.getIncident(id))?.pager?.alerts?.find((a) => a.key === key)).toEqual({ key, state: 'failed', at: T(12) });
    await isolateByRun(store, id, 20);
    expect(await resolvesOf(store, id)).toEqual([key]);
  } finally {
    await fixture.cleanup();
  }
  // An interface whose alert the pager refused (never raised there) after that acknowledgement, isolated since: no resolve.
  const other = tempSqliteStore();
  try {
    const { store } = other;
    const fresh = await forgedAck(store);
    const refusedKey = fresh.key;
    await changeIncident(fresh.deps(13), fresh.id, (draft) => {
      const pager = draft.pager as PagerState;
      draft.pager = { ...pager, alerts: (pager.alerts ?? []).filter((a) => a.key !== refusedKey) };
      return { entries: [] };
    });
    await recordPagerFailure(fresh.deps(14), fresh.id, 'refused', refusedKey);
    // Its timeline holds the acknowledgement by no person of the forged call; the failure came after: the alert's state is the refusal's.
    await isolateByRun(store, fresh.id, 20);
    expect(await resolvesOf(store, fresh.id)).toEqual([]);
  } finally {
    await fixture.cleanup();
  }
});

/**
 * contain17 item 3: de1bdfb told an old-form alert (failed before fd3aa19 kept upThere) from the
 * timeline only when its interface was isolated. One whose interface is never isolated (the FG
 * closes with the containment explained) stayed acknowledged at the pager for good, its
 * acknowledgement timeout paging anew about a closed incident. At closing every exposed alert still
 * up there is resolved, the old form too; one the pager refused still gets none.
 */
it('contain17: an old-form alert whose interface is never isolated is resolved at closing; one the pager refused is not', async () => {
  const fixture = tempSqliteStore();
  try {
    const { store } = fixture;
    const { id, key, deps } = await forgedAck(store);
    // The record as written before fd3aa19: failed, no upThere; and another exposed alert the pager refused.
    const refused = exposedAlertKey(id, 'eni-0refused000000002');
    await changeIncident(deps(13), id, (draft) => {
      const pager = draft.pager as PagerState;
      draft.pager = { ...pager, keys: [...pager.keys, refused], alerts: (pager.alerts ?? []).map(({ upThere: _, ...a }) => a) };
      return { entries: [] };
    });
    await recordPagerFailure(deps(14), id, 'refused', refused);
    expect((await store.getIncident(id))?.pager?.alerts?.find((a) => a.key === key)).toEqual({ key, state: 'failed', at: T(12) });
    // Closed with the interface still open (never isolated).
    await changeIncident(deps(30), id, (draft) => {
      draft.state = 'closed';
      draft.closedAt = T(30);
      return { entries: [{ at: T(30), kind: 'closed', detail: {} }] };
    });
    const after = (await store.getIncident(id)) as Incident;
    expect(exposedInterfaces(after), 'premise: never isolated').toEqual([ENI]);
    const resolved = await resolvesOf(store, id);
    expect(resolved).toContain(key);
    expect(resolved).not.toContain(refused);
    expect(after.pager?.alerts?.find((a) => a.key === key)?.state).toBe('resolved');
  } finally {
    await fixture.cleanup();
  }
});

/**
 * contain19 item 3: b557e8d resolves an old-form alert (failed before fd3aa19 kept upThere, still up
 * at the pager) when a person closes the incident, through changeIncident. An incident closed because
 * a finding merged it into another is closed by the finding's own commit (record-finding.ts
 * mergeInto), which did not read the timeline: the alert stayed acknowledged at PagerDuty for good,
 * its acknowledgement timeout paging about a merged, closed incident. The merge ends it as closing does.
 */
it('contain19: an old-form alert is resolved when its incident is merged into another; one the pager refused is not', async () => {
  const fixture = tempSqliteStore();
  try {
    const { store } = fixture;
    const OTHER = 'i-0b1b2c3d4e5f60c07';
    // The incident it will be merged into: detected earlier, on another instance, plan only.
    const into = (
      await recordEvent(
        { store, policy: POLICY, now: () => T(1), canEnforce: false },
        findingEvent({
          id: `c6-into-${Math.random()}`,
          type: 'Recon:EC2/PortProbeUnprotectedPort',
          createdAt: '2026-11-27T09:00:00.000Z',
          resource: instanceResource(OTHER),
        }),
      )
    ).incidentId as string;
    const { id, key, deps } = await forgedAck(store);
    // The record as written before fd3aa19 (failed, no upThere), the interface isolated under that version (no timeline read then);
    // and another exposed alert the pager refused.
    const refused = exposedAlertKey(id, 'eni-0refused000000003');
    await changeIncident(deps(20), id, (draft) => {
      const pager = draft.pager as PagerState;
      draft.pager = { ...pager, keys: [...pager.keys, refused], alerts: (pager.alerts ?? []).map(({ upThere: _, ...a }) => a) };
      const a = draft.actions[0] as ActionRecord;
      a.steps = [{ name: `isolate-eni:${ENI}`, status: 'done', at: T(20) }];
      a.status = 'done';
      return { entries: [{ at: T(20), kind: 'containment-step-done', detail: { step: `isolate-eni:${ENI}` } }] };
    });
    await recordPagerFailure(deps(21), id, 'refused', refused);
    expect(
      (await store.getIncident(id))?.pager?.alerts?.find((a) => a.key === key),
      'premise: the old form',
    ).toEqual({ key, state: 'failed', at: T(12) });
    expect(await resolvesOf(store, id), 'premise: nothing resolved yet').toEqual([]);

    // A sequence naming both instances: one breach, merged into the earlier incident.
    await recordEvent(
      { store, policy: POLICY, now: () => T(40), canEnforce: false },
      instanceSequenceEvent(`c6-seq-${Math.random()}`, [OTHER, INSTANCE], T(39)),
    );
    const after = (await store.getIncident(id)) as Incident;
    expect(after.mergedInto, 'premise: merged').toBe(into);
    const resolved = await resolvesOf(store, id);
    expect(resolved).toContain(key);
    expect(resolved).not.toContain(refused);
    expect(after.pager?.alerts?.find((a) => a.key === key)?.state).toBe('resolved');
  } finally {
    await fixture.cleanup();
  }
});
