/**
 * An incident whose not-planned alert pages (containment that did not fit its record) is linked,
 * not merged (review6 R9): the merge would resolve the alert with nobody having taken the work.
 * But only a pager webhook ever set that alert resolved: on a deployment without webhooks (or an
 * alert the pager refused, or one raised before alerts had states) it read up for ever, and every
 * later finding spanning the incident and another linked them instead of merging, two AP clocks
 * for one breach until closing (review6 L6). The alert now stops holding merges once a person took
 * it: acknowledged the incident after it was raised, acknowledged it at the pager, or, the incident
 * acknowledged before, took it with a second acknowledgement. An alert nobody took still holds them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { acknowledge, acknowledgementTakes } from '../../handlers/core/acknowledge.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import type { AlertState, Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { accessKeyResource, credentialSequenceEvent, findingEvent, instanceResource } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const PAGERDUTY = parsePolicy({ onCall: { provider: 'pagerduty' } });
const at = (hhmm: string) => `2026-11-28T${hhmm}:00.000Z`;

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

/** Incidents x (an instance) and y (an access key); x's record was full and its not-planned alert raised at 03:01, `state` there since. */
async function storm(state: AlertState | 'no state') {
  const f = tempSqliteStore();
  cleanups.push(f.cleanup);
  const deps = (hhmm: string) => ({ store: f.store, policy: PAGERDUTY, now: () => at(hhmm) });
  const x = (
    await recordEvent({ ...deps('03:00'), canEnforce: false }, findingEvent({ id: 'f-i', createdAt: '2026-11-27T21:00:00.000Z', resource: instanceResource() }))
  ).incidentId as string;
  const y = (
    await recordEvent(
      { ...deps('03:00'), canEnforce: false },
      findingEvent({ id: 'f-k', type: 'CredentialAccess:IAMUser/AnomalousBehavior', createdAt: '2026-11-27T19:30:00.000Z', resource: accessKeyResource() }),
    )
  ).incidentId as string;
  const key = `${x}:not-planned:Backdoor:EC2/C&CActivity.B`;
  const raise = async () =>
    changeIncident(deps('03:01'), x, (draft) => {
      draft.actionsNotPlanned = { count: 3, since: at('03:01') };
      const pager = draft.pager ?? { provider: 'pagerduty' as const, keys: [x], state: 'triggered' as const, at: at('03:00') };
      const alerts = state === 'no state' ? (pager.alerts ?? []) : [...(pager.alerts ?? []), { key, state, at: at('03:01') }];
      draft.pager = { ...pager, keys: [...pager.keys, key], alerts };
      return { entries: [] };
    });
  /** A finding naming both (an attack sequence) at `hhmm`: merges x into y, or links them. */
  const sequence = async (id = 'seq-finding', hhmm = '09:10') => {
    await recordEvent({ ...deps(hhmm), canEnforce: false }, credentialSequenceEvent({ id, createdAt: '2026-11-28T09:00:00.000Z' }));
    return (await f.store.getIncident(x)) as Incident;
  };
  const incident = async () => (await f.store.getIncident(x)) as Incident;
  return { ...f, x, y, key, deps, raise, sequence, incident };
}

describe('a not-planned alert no webhook will ever resolve', () => {
  it('still holds a merge while nobody took it (R9)', async () => {
    const s = await storm('triggered');
    await s.raise();
    expect((await s.sequence()).mergedInto).toBeUndefined();
  });

  it('no longer holds one once on-call acknowledged the incident after it was raised', async () => {
    const s = await storm('triggered');
    await s.raise();
    await acknowledge(s.deps('03:05'), { incidentId: s.x, by: 'anna' });
    expect((await s.sequence()).mergedInto).toBe(s.y);
  });

  it('of an incident acknowledged before it was raised, is offered for a second acknowledgement, which takes it; then the merge goes ahead', async () => {
    const s = await storm('triggered');
    await acknowledge(s.deps('03:00'), { incidentId: s.x, by: 'anna' });
    await s.raise();
    expect((await s.sequence()).mergedInto).toBeUndefined();
    expect(acknowledgementTakes(await s.incident(), PAGERDUTY)).toBe(true);
    const second = await acknowledge(s.deps('09:20'), { incidentId: s.x, by: 'bob' });
    expect(second.changed).toBe(true);
    expect(second.incident.acknowledgedBy).toBe('anna');
    const entry = (await s.store.getTimeline(s.x)).at(-1);
    expect(entry).toMatchObject({ kind: 'alert-acknowledged', actor: 'bob', detail: { alerts: [s.key] } });
    expect(acknowledgementTakes(await s.incident(), PAGERDUTY)).toBe(false);
    // Taken once: a third acknowledgement changes nothing.
    expect((await acknowledge(s.deps('09:25'), { incidentId: s.x, by: 'carol' })).changed).toBe(false);
    expect((await s.sequence('seq-finding-2', '09:30')).mergedInto).toBe(s.y);
  });

  it('recorded before alerts had states, is taken by an acknowledgement after the containment did not fit', async () => {
    const s = await storm('no state');
    await s.raise();
    await acknowledge(s.deps('03:05'), { incidentId: s.x, by: 'anna' });
    expect((await s.sequence()).mergedInto).toBe(s.y);
  });

  it('acknowledged at the pager by a person, or refused by it (its page went to the topic), holds no merge', async () => {
    for (const state of ['acknowledged', 'failed'] as const) {
      const s = await storm(state);
      await s.raise();
      expect((await s.sequence()).mergedInto).toBe(s.y);
    }
  });
});
