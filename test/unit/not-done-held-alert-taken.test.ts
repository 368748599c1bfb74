/**
 * read14b B3: 737680c holds a merge while a not-done-held alert "nobody took" pages (pager.ts
 * notDoneHeldUntaken: triggered, raised after every acknowledgement), "until a person takes it or the
 * decision is withdrawn". But no datalek command takes it: `acknowledge` on an incident acknowledged
 * before the alert was raised takes only the incident's own later alert, an exposed interface's
 * repeat or a not-planned alert (acknowledge.ts), so it changes nothing; the page offers no
 * acknowledgement (acknowledgementTakes is false). Without the pager's webhook (or with it down), the
 * only way left is to withdraw the FG's decision, a containment choice: the incident is linked, never
 * merged, for its life (pager.ts says the same of not-planned alerts, which `acknowledge` does take).
 */
import { expect, it } from 'vitest';
import { acknowledge, acknowledgementTakes } from '../../handlers/core/acknowledge.js';
import { recordNotToBeDone } from '../../handlers/core/by-hand.js';
import type { Incident } from '../../handlers/core/incident.js';
import { notDoneHeldUntaken } from '../../handlers/core/pager.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const POLICY = parsePolicy({
  onCall: { provider: 'pagerduty' },
  containment: { rules: [{ action: 'contain-workload', findingTypes: ['*:EC2/*'], minSeverity: 1, mode: 'enforce' }] },
});

it('a person can take a held alert raised after the acknowledgement in datalek', async () => {
  const { store, cleanup } = tempSqliteStore();
  try {
    const planOnly = { store, policy: POLICY, now: () => NOW, canEnforce: false };
    const x = (await recordEvent({ ...planOnly, now: () => '2026-11-28T01:00:00.000Z' }, findingEvent({ id: 'f-i', createdAt: '2026-11-27T21:00:00.000Z' })))
      .incidentId as string;
    await acknowledge({ store, policy: POLICY, now: () => '2026-11-28T02:00:00.000Z' }, { incidentId: x, by: 'Sam' });
    const isolate = ((await store.getIncident(x)) as Incident).actions.find((a) => a.type === 'isolate-instance') as { id: string };
    await recordNotToBeDone({ store, policy: POLICY, now: () => NOW }, { incidentId: x, actionId: isolate.id, by: 'FG', reason: 'de instance is vervangen' });
    await recordEvent(
      { ...planOnly, canEnforce: true },
      findingEvent({ id: 'f-b', type: 'Backdoor:EC2/C&CActivity.B', createdAt: '2026-11-27T21:30:00.000Z' }),
    );
    const before = (await store.getIncident(x)) as Incident;
    expect(notDoneHeldUntaken(before)).toHaveLength(1); // it holds every merge of x

    // On-call takes it in datalek (the page, a link, `datalek ack`): the webhook is not set up, or is down.
    expect(acknowledgementTakes(before, POLICY), 'the page offers no acknowledgement for it').toBe(true);
    const taken = await acknowledge({ store, policy: POLICY, now: () => '2026-11-28T03:30:00.000Z' }, { incidentId: x, by: 'Sam' });
    expect(taken.changed).toBe(true);
    expect(notDoneHeldUntaken((await store.getIncident(x)) as Incident)).toEqual([]);
    const entry = (await store.getTimeline(x)).filter((e) => e.kind === 'alert-acknowledged').at(-1);
    expect(entry?.detail?.alerts, 'the acknowledgement names the alert it took').toEqual(notDoneHeldUntaken(before).map((a) => a.key));
  } finally {
    await cleanup();
  }
});
