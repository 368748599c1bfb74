/**
 * Containment that did not fit the record pages an alert of its own at PagerDuty or Opsgenie
 * (<incident>:not-planned:<type>) that keeps paging until a person handles it there. A merge closes
 * the merged incident and resolves every alert it holds (review6 R9): the page stopped with the work
 * undone, the survivor only counting it. Such an incident is linked, not merged, as one with an
 * exposed interface is.
 */
import { expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { accessKeyResource, credentialSequenceEvent, findingEvent, instanceResource } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const PAGERDUTY = parsePolicy({ onCall: { provider: 'pagerduty' } });

it('a merge does not resolve the alert of containment that did not fit, or the survivor pages it', async () => {
  const { store, cleanup } = tempSqliteStore();
  try {
    const deps = { store, policy: PAGERDUTY, now: () => NOW, canEnforce: false };
    const x = (await recordEvent(deps, findingEvent({ id: 'f-i', createdAt: '2026-11-27T21:00:00.000Z', resource: instanceResource() }))).incidentId as string;
    const y = (
      await recordEvent(
        deps,
        findingEvent({ id: 'f-k', type: 'CredentialAccess:IAMUser/AnomalousBehavior', createdAt: '2026-11-27T19:30:00.000Z', resource: accessKeyResource() }),
      )
    ).incidentId as string;
    // As a storm leaves x: its record was full, a finding's containment did not fit, and its own
    // alert at the pager is up (what record-finding's announce and notePagerTrigger store).
    const key = `${x}:not-planned:Backdoor:EC2/C&CActivity.B`;
    await changeIncident({ store, policy: PAGERDUTY, now: () => '2026-11-28T03:01:00.000Z' }, x, (draft) => {
      draft.actionsNotPlanned = { count: 3, since: '2026-11-28T03:01:00.000Z' };
      const pager = draft.pager ?? { provider: 'pagerduty' as const, keys: [x], state: 'triggered' as const, at: NOW };
      draft.pager = { ...pager, keys: [...pager.keys, key], alerts: [...(pager.alerts ?? []), { key, state: 'triggered', at: '2026-11-28T03:01:00.000Z' }] };
      return { entries: [] };
    });

    await recordEvent({ ...deps, now: () => '2026-11-28T09:10:00.000Z' }, credentialSequenceEvent({ createdAt: '2026-11-28T09:00:00.000Z' }));
    // Linked, not merged: x stays open, its alert up.
    const after = (await store.getIncident(x)) as Incident;
    expect(after.mergedInto).toBeUndefined();
    expect(after.state).not.toBe('closed');
    const resolved = (await store.listMessages(x)).filter((m) => m.alert?.action === 'resolve' && m.alert.key === key);
    expect(resolved).toEqual([]);
    expect(((await store.getIncident(y)) as Incident).state).not.toBe('closed');
  } finally {
    await cleanup();
  }
});
