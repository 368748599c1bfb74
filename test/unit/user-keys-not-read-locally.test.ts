/**
 * `datalek contained --key` on a `deactivate-user-keys` step (cont26): on AWS each key is read first among the user's
 * keys and Inactive; on the embedded store, which reads no AWS, it was taken as given, and the record read the same as
 * one read on AWS (session 26 item 3). The record now says the keys were not read when recorded: the action's
 * `byHand.keysNotRead`, its timeline entry, and `show` under the step.
 */
import { expect, it } from 'vitest';
import { showText } from '../../handlers/cli/views.js';
import { recordContainedByHand } from '../../handlers/core/by-hand.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { accessKeyResource, findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const KEY = 'AKIAEXAMPLEJANSEN001';

it('says in the record that keys given with --key on the embedded store were not read, and show says so', async () => {
  const { store, cleanup } = tempSqliteStore();
  try {
    const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
    const event = findingEvent({
      type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
      createdAt: '2026-11-28T02:00:00.000Z',
      resource: accessKeyResource('ASIAUSERSESSION00001', 'IAMUser', 'j.jansen'),
    });
    const incidentId = (await recordEvent(deps, event)).incidentId as string;
    const step = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'deactivate-user-keys');

    await recordContainedByHand(deps, { incidentId, actionId: step?.id as string, by: 'on-call', what: 'the key of the GetSessionToken', keys: [KEY] });

    const incident = (await store.getIncident(incidentId)) as Incident;
    const done = incident.actions.find((a) => a.id === step?.id);
    expect(done?.byHand).toMatchObject({ keys: [KEY], keysNotRead: true });
    const timeline = await store.getTimeline(incidentId);
    expect(timeline.find((e) => e.kind === 'containment-done-by-hand')?.detail).toMatchObject({ keys: [KEY], keysNotRead: true });
    expect(showText(incident, timeline, DEFAULT_POLICY, NOW)).toContain(
      `key ${KEY} given with --key, not read when recorded (the embedded store reads no AWS): taken as given; datalek verify --target aws reads it`,
    );
  } finally {
    await cleanup();
  }
});
