/**
 * fgsec12 S6 (review11): `facts --started-at` checked the begin of the breach against GuardDuty's
 * detection, now and the end, but not against the awareness the AP clock runs from. A begin two days
 * after the organisation "became aware of the breach" was taken without a word, and the draft sent
 * both to the AP (section 2): the record said the organisation was reasonably certain of a breach
 * (EDPB 9/2022) before it began. The converse too: `assess --aware-at` before a recorded begin. Both
 * are refused now, naming both moments, and nothing is written (Art. 33(1), (5), 5(2)).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { assess, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const NOW = '2026-11-30T08:00:00.000Z';
const AWARE = '2026-11-27T21:00:00.000Z'; // the fixture's detection, and by default its awareness
let t: ReturnType<typeof tempSqliteStore>;
let deps: FgDeps;
const stored = async () => (await t.store.getIncident('dl-s6')) as Incident;
beforeEach(async () => {
  t = tempSqliteStore();
  deps = { store: t.store, policy, now: () => NOW };
  await t.store.commit({ incident: incidentFixture({ id: 'dl-s6' }), expectedRevision: null, timeline: [], messages: [] });
});
afterEach(async () => t.cleanup());

it('a begin of the breach after the awareness the AP clock runs from is refused, naming both; one at it is recorded', async () => {
  expect((await stored()).awareAt).toBe(AWARE); // premise
  const late = recordFacts(deps, { incidentId: 'dl-s6', by: 'FG', startedAt: '2026-11-29T21:00:00Z' });
  await expect(late).rejects.toThrow(
    /begin of the breach \(2026-11-29 22:00 CET \(2026-11-29T21:00:00.000Z\)\) lies after the moment of awareness \(2026-11-27 22:00 CET \(2026-11-27T21:00:00.000Z\)\)/,
  );
  expect((await stored()).facts?.startedAt ?? null).toBeNull();
  await recordFacts(deps, { incidentId: 'dl-s6', by: 'FG', startedAt: AWARE });
  expect((await stored()).facts?.startedAt).toBe(AWARE);
});

it('an awareness before a recorded begin is refused, naming both', async () => {
  // A begin an hour before GuardDuty's detection (confirmed, with its reason), then an awareness a day before that.
  await recordFacts(deps, {
    incidentId: 'dl-s6',
    by: 'FG',
    startedAt: '2026-11-27T20:00:00Z',
    startedReason: 'sleutel gelekt om 21:00',
    confirmStatedTime: true,
  });
  const before = assess(deps, {
    incidentId: 'dl-s6',
    personalData: 'yes',
    risk: 'risk',
    reason: 'klantgegevens',
    awareAt: '2026-11-26T09:00:00Z',
    awareReason: 'een klant belde',
    confirmStatedTime: true,
    by: 'FG',
  });
  await expect(before).rejects.toThrow(
    /begin of the breach \(2026-11-27 21:00 CET \(2026-11-27T20:00:00.000Z\)\) lies after the moment of awareness \(2026-11-26 10:00 CET \(2026-11-26T09:00:00.000Z\)\)/,
  );
  expect((await stored()).awareAt).toBe(AWARE);
});
