/**
 * A merge never leaves what a person recorded for the FG on a closed record (review5 A3): an
 * incident with facts, an awareness moment or a role decision on it, though not yet assessed or
 * reported, is linked to the incident a later finding joins, not merged into it. Merged, the
 * survivor (the incident the AP draft, the register and the reminders read) would have none of it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { accessKeyResource, findingEvent, instanceResource, sequenceDetection } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';

/** A Critical attack sequence naming the key of one incident and the instance of the other. */
const sequenceEvent = () =>
  findingEvent({
    id: 'seq-finding',
    type: 'AttackSequence:IAM/CompromisedCredentials',
    severity: 9.3,
    createdAt: '2026-11-27T23:00:00.000Z',
    resource: { resourceType: 'AttackSequence' },
    resourceRole: 'TARGET',
    service: { featureName: 'Correlation', detection: sequenceDetection() },
  });

describe('a merge and what the FG recorded', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
  });
  afterEach(async () => cleanup());
  const deps = () => ({ store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false });
  const fg = () => ({ store, policy: DEFAULT_POLICY, now: () => NOW });

  /** Incident X on the instance (21:00) and Y on the key (19:30, the earlier: a merge's survivor); `record` records on X. */
  async function twoIncidentsThenSequence(record: (x: string) => Promise<unknown>) {
    const x = (await recordEvent(deps(), findingEvent({ id: 'f-i', createdAt: '2026-11-27T21:00:00.000Z', resource: instanceResource() })))
      .incidentId as string;
    const y = (
      await recordEvent(
        deps(),
        findingEvent({ id: 'f-k', type: 'CredentialAccess:IAMUser/AnomalousBehavior', createdAt: '2026-11-27T19:30:00.000Z', resource: accessKeyResource() }),
      )
    ).incidentId as string;
    await record(x);
    const seq = await recordEvent(deps(), sequenceEvent());
    return { x, y, seq };
  }

  const cases: [string, (x: string) => Promise<unknown>, (i: Incident) => void][] = [
    [
      'facts',
      (x) =>
        recordFacts(fg(), {
          incidentId: x,
          by: 'FG',
          categories: ['contact details'],
          subjectsMin: 1200,
          subjectsMax: 1500,
          summary: 'klantbestand gekopieerd',
        }),
      (i) => expect(i.facts).toMatchObject({ subjectsMin: 1200, subjectsMax: 1500 }),
    ],
    [
      'an awareness moment',
      (x) => assess(fg(), { incidentId: x, by: 'FG', awareAt: '2026-11-28T01:00:00.000Z', awareReason: 'log review confirmed copying' }),
      (i) => expect(i).toMatchObject({ awareAt: '2026-11-28T01:00:00.000Z', awareReason: 'log review confirmed copying' }),
    ],
    [
      'a role decision',
      (x) => assess(fg(), { incidentId: x, by: 'FG', actingAs: 'processor', reason: 'we host this for a customer' }),
      (i) => expect(i.role).toBe('processor'),
    ],
  ];

  for (const [what, record, kept] of cases) {
    it(`links, not merges, an incident with ${what} on it and no assessment`, async () => {
      const { x, y, seq } = await twoIncidentsThenSequence(record);
      expect(seq).toMatchObject({ outcome: 'attached', incidentId: y });
      const onX = (await store.getIncident(x)) as Incident;
      expect(onX.assessment ?? null).toBeNull();
      expect(onX.mergedInto ?? null).toBeNull();
      expect(onX.state).not.toBe('closed');
      kept(onX);
      const related = (await store.getTimeline(y)).find((e) => e.kind === 'related-incident' && e.detail.incidentId === x);
      expect(related?.detail.reason).toContain('the FG');
    });
  }

  it('still merges an incident nobody recorded anything on for the FG', async () => {
    const { x, y } = await twoIncidentsThenSequence(async () => {});
    expect(((await store.getIncident(x)) as Incident).mergedInto).toBe(y);
  });
});
