/**
 * A merge carries the clock-stated marks with what it carries (review5 A6): on-call acknowledges
 * incident X with a `--now` hours behind the machine; a later finding merges X into Y, and Y takes
 * X's record (its acknowledgement stays X's own, named in Y's merge entry: review8 R3). Y, the
 * incident the register and the page show, must say that time was stated, not taken, and on which
 * incident; else a late acknowledgement reads as on time.
 */
import { expect, it } from 'vitest';
import { showText } from '../../handlers/cli/views.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { registerRow } from '../../handlers/core/register.js';
import { accessKeyResource, credentialSequenceEvent, findingEvent, instanceResource } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const STATED = '2026-11-28T03:05:00.000Z';
const MACHINE = '2026-11-28T09:00:00.000Z';

it('keeps the stated-clock mark of an acknowledgement on the incident merged into the survivor', async () => {
  const { store, cleanup } = tempSqliteStore();
  try {
    const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
    const x = (await recordEvent(deps, findingEvent({ id: 'f-i', createdAt: '2026-11-27T21:00:00.000Z', resource: instanceResource() }))).incidentId as string;
    const y = (
      await recordEvent(
        deps,
        findingEvent({ id: 'f-k', type: 'CredentialAccess:IAMUser/AnomalousBehavior', createdAt: '2026-11-27T19:30:00.000Z', resource: accessKeyResource() }),
      )
    ).incidentId as string;
    // Acknowledged at a stated 03:05 that the machine recorded at 09:00.
    // (acknowledge's deps pass `machineNow` on to changeIncident, as the CLI's context gives it.)
    const stated = { store, policy: DEFAULT_POLICY, now: () => STATED, machineNow: () => MACHINE };
    await acknowledge(stated, { incidentId: x, by: 'oncall' });
    expect(((await store.getIncident(x)) as Incident).statedClock).toHaveLength(1);

    await recordEvent({ ...deps, now: () => '2026-11-28T09:10:00.000Z' }, credentialSequenceEvent({ createdAt: '2026-11-28T09:00:00.000Z' }));
    expect(((await store.getIncident(x)) as Incident).mergedInto).toBe(y);
    const survivor = (await store.getIncident(y)) as Incident;
    expect(survivor.acknowledgedAt).toBeNull();
    expect(survivor.statedClock).toEqual([{ at: STATED, enteredAt: MACHINE, by: 'oncall', entries: ['acknowledged'], incidentId: x }]);
    // The register's row of the survivor says it, naming the merged incident.
    const row = registerRow(survivor, DEFAULT_POLICY, '2026-11-28T09:10:00.000Z');
    expect(row.statedClock).toContain(`entered ${MACHINE}`);
    expect(row.statedClock).toContain(x);
    // And the merge entry on its timeline, and `show`.
    const timeline = await store.getTimeline(y);
    expect(timeline.find((e) => e.kind === 'incidents-merged')?.detail).toMatchObject({ statedClock: 1, acknowledgedAt: STATED, acknowledgedBy: 'oncall' });
    const shown = showText(survivor, timeline, DEFAULT_POLICY, '2026-11-28T09:10:00.000Z');
    expect(shown).toMatch(new RegExp(`STATED CLOCK +acknowledged at .* was stated with --now, recorded .*, on incident ${x}`));
  } finally {
    await cleanup();
  }
});
