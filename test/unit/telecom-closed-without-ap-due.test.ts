/**
 * read11a A: 17507a0 says "the schedule keeps reminding (so a closed record stays in the due index
 * status reads)" for a subscribers' exception for unintelligible data recorded without the AP's
 * agreement (a record from before it was asked). For a closed record it does not: schedule.ts
 * tracks() returns nothing for a closed incident unless clocks.ts dutyLeftAtClosing, which does not
 * know this case; so nextDueAt is null, the record is not in the due index, `datalek status`
 * (openIncidents: open ones + listDue(ANY_TIME) filtered by closedWithDuty) never lists it and the
 * sweep never reminds, while clocksOf/dutiesAfterClosing call the decision "not done". (Stored
 * with the schedule before that fix, it is put in the due index by `datalek sweep --reindex`:
 * the second case.)
 * Run: npx vitest run --testTimeout 240000 test/unit/telecom-closed-without-ap-due.test.ts
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { clocksOf, dutiesAfterClosing } from '../../handlers/core/clocks.js';
import { reindexDue } from '../../handlers/core/due-index.js';
import { assess, closeIncident, decideSubjects, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { nextDueAt } from '../../handlers/core/schedule.js';
import { sweep } from '../../handlers/core/sweep.js';
import { openIncidents } from '../../handlers/use-cases/queries.js';
import { incidentFixture, REGISTER_FACTS } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Telco', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { telecom: true } });
const NOW = '2026-11-27T23:00:00.000Z';
const LATER = '2026-12-05T10:00:00.000Z';
const id = 'dl-tw-old';
let t: ReturnType<typeof tempSqliteStore>;
const d = (): FgDeps => ({ store: t.store, policy, now: () => NOW });
beforeEach(async () => {
  t = tempSqliteStore();
  await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
});
afterEach(async () => t.cleanup());

/**
 * The real workflow (assess, facts complete, report, subscribers' exception with the AP's agreement,
 * close), then the record as a store from before the AP's agreement was asked holds it: no apAgreed,
 * stored with the next due time `stored` gives it. Returns it.
 */
async function closedWithoutAp(stored: (old: Incident) => string | null): Promise<Incident> {
  await assess(d(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  await recordFacts(d(), { incidentId: id, by: 'FG', ...REGISTER_FACTS, unintelligible: 'yes', complete: true, unknownReason: 'nog in onderzoek' });
  await recordReport(d(), { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', by: 'FG' });
  await decideSubjects(d(), {
    incidentId: id,
    audience: 'subscribers',
    decision: 'exception',
    exception: 'encrypted',
    reason: 'versleuteld',
    by: 'FG',
    apReference: 'AP-1',
    apAgreedAt: '2026-11-27T22:30:00.000Z',
  });
  await closeIncident(d(), { incidentId: id, reason: 'afgehandeld', by: 'FG' });
  const closed = (await t.store.getIncident(id)) as Incident;
  const old = structuredClone(closed);
  delete old.subscribers?.apAgreed;
  old.revision = closed.revision + 1;
  old.nextDueAt = stored(old);
  await t.store.commit({ incident: old, expectedRevision: closed.revision, timeline: [], messages: [] });
  return old;
}

it('a closed record whose subscribers exception lacks the AP agreement is listed by status and reminded by the sweep', async () => {
  // Written as every commit writes it, nextDueAt from today's schedule.
  const old = await closedWithoutAp((o) => nextDueAt(o, policy));

  // What 17507a0 shows everywhere (show, register, report): the subscribers' decision not done...
  expect(clocksOf(old, policy, NOW).find((c) => c.name === 'telecom-subscribers')).toMatchObject({ status: 'running', doneAt: null });
  // ...and what its test asserted only for an assessment recorded at the closing's instant: a duty owed after closing.
  expect.soft(dutiesAfterClosing(old, policy, NOW).map((c) => c.name)).toEqual(['telecom-subscribers']);
  // ...but it is never due: status does not list it, the sweep never reminds.
  expect.soft((await openIncidents({ store: t.store, policy, now: () => LATER })).map((i) => i.id)).toEqual([id]);
  const swept = await sweep({ store: t.store, policy, now: () => LATER });
  expect.soft(swept.sent.map((s) => `${s.incidentId} ${s.kind}`)).toContain(`${id} subjects-reminder`);
});

it('stored with the schedule that did not know it (next due: none), the pass after an upgrade puts it in the due index', async () => {
  // As a closed record was stored before: nothing due.
  await closedWithoutAp(() => null);
  // The first sweep of a release that marks the policy it set due times under sets it again itself (vpol).
  const first = await sweep({ store: t.store, policy, now: () => LATER });
  expect(first.sent).toEqual([]);
  expect(first.duePolicy?.reset.map((r) => r.incidentId)).toEqual([id]);
  expect(await reindexDue({ store: t.store, policy, now: () => LATER })).toEqual([]);
  expect((await openIncidents({ store: t.store, policy, now: () => LATER })).map((i) => i.id)).toEqual([id]);
  const swept = await sweep({ store: t.store, policy, now: () => LATER });
  expect(swept.sent.map((s) => `${s.incidentId} ${s.kind}`)).toContain(`${id} subjects-reminder`);
});
