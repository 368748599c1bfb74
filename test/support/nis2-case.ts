/**
 * A NIS2 case on the embedded store: an incident (the fixture, detected 2026-11-27T21:00Z) decided
 * significant at 22:00 and notified to the CSIRT and the authority at 07:00 the next morning
 * (recorded at 08:00); `decide` and `toBoth` go on from there, at `clock.now`.
 */
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import type { Policy } from '../../handlers/core/policy.js';
import { incidentFixture } from './incidents.js';
import { tempSqliteStore } from './store.js';

export const NIS2_CASE_NOTIFIED = '2026-11-28T07:00:00.000Z';

export async function nis2NotifiedCase(policy: Policy, id: string) {
  const t = tempSqliteStore();
  const clock = { now: '2026-11-27T22:00:00.000Z' };
  const deps: FgDeps = { store: t.store, policy, now: () => clock.now };
  const decide = (significant: boolean, reason: string, extra: Partial<Parameters<typeof assess>[1]> = {}) =>
    assess(deps, { incidentId: id, nis2Significant: significant, reason, by: 'CISO', ...extra });
  const toBoth = (kind: string, at: string) =>
    Promise.all(
      (['csirt', 'authority'] as const).map((to) => recordReport(deps, { incidentId: id, to, kind, reference: `${kind}-${to}-${at}`, by: 'CISO', at })),
    );
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  await decide(true, 'uitval drinkwater');
  clock.now = '2026-11-28T08:00:00.000Z';
  await toBoth('notification', NIS2_CASE_NOTIFIED);
  return { t, clock, deps, decide, toBoth, stored };
}
