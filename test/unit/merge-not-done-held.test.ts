/**
 * fg14b 2: a finding whose rule enforces a step the FG decided not to carry out pages on-call at the
 * pager as an alert of its own (`<incident>:not-done-held:<finding>:<severity>`), which stays up until
 * a person takes it or the decision is withdrawn (the withdrawal resolves it). A merge closes the
 * merged incident and resolves every alert it holds: such an alert on the merged incident was
 * resolved with nobody on it. Such an incident is linked, not merged, as one whose not-planned alert
 * pages is.
 */
import { expect, it } from 'vitest';
import { recordNotToBeDone } from '../../handlers/core/by-hand.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { accessKeyResource, credentialSequenceEvent, findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const POLICY = parsePolicy({
  onCall: { provider: 'pagerduty' },
  containment: { rules: [{ action: 'contain-workload', findingTypes: ['*:EC2/*'], minSeverity: 1, mode: 'enforce' }] },
});

it('a merge does not resolve the alert of a finding asking for a step decided against, nobody having taken it', async () => {
  const { store, cleanup } = tempSqliteStore();
  try {
    const planOnly = { store, policy: POLICY, now: () => NOW, canEnforce: false };
    const x = (await recordEvent(planOnly, findingEvent({ id: 'f-i', createdAt: '2026-11-27T21:00:00.000Z' }))).incidentId as string;
    const isolate = ((await store.getIncident(x)) as Incident).actions.find((a) => a.type === 'isolate-instance') as { id: string };
    await recordNotToBeDone({ store, policy: POLICY, now: () => NOW }, { incidentId: x, actionId: isolate.id, by: 'FG', reason: 'de instance is vervangen' });
    await recordEvent(
      { ...planOnly, canEnforce: true },
      findingEvent({ id: 'f-b', type: 'Backdoor:EC2/C&CActivity.B', createdAt: '2026-11-27T21:30:00.000Z' }),
    );
    const key = (await store.listMessages(x)).find((m) => m.kind === 'not-done-held' && m.channel === 'on-call')?.alert?.key as string;
    expect(key).toBeDefined();
    const y = (
      await recordEvent(
        planOnly,
        findingEvent({ id: 'f-k', type: 'CredentialAccess:IAMUser/AnomalousBehavior', createdAt: '2026-11-27T19:30:00.000Z', resource: accessKeyResource() }),
      )
    ).incidentId as string;

    // A sequence naming the instance and the key: one breach, but x's held alert has nobody on it.
    await recordEvent({ ...planOnly, now: () => '2026-11-28T09:10:00.000Z' }, credentialSequenceEvent({ createdAt: '2026-11-28T09:00:00.000Z' }));
    const after = (await store.getIncident(x)) as Incident;
    expect(after.mergedInto).toBeUndefined();
    expect(after.state).not.toBe('closed');
    expect(after.pager?.alerts?.find((a) => a.key === key)).toMatchObject({ state: 'triggered' });
    expect((await store.listMessages(x)).filter((m) => m.alert?.action === 'resolve' && m.alert.key === key)).toEqual([]);
    expect(((await store.getIncident(y)) as Incident).linked).toContain(x);
  } finally {
    await cleanup();
  }
});
