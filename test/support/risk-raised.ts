/**
 * An incident whose AP notification carried the complete facts at "risk", for the tests of a risk
 * raised to high after it (clocks.ts riskRaisedAfterReport, riskFollowUpOwed): assessed and its facts
 * marked complete on 27 November 22:00 UTC, reported to the AP as M-1 on 28 November 08:00 UTC.
 */
import { expect } from 'vitest';
import { assess, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import { incidentFixture, REGISTER_FACTS } from './incidents.js';

export const COMPLETE_FACTS = {
  ...REGISTER_FACTS,
  summary: 'Server met klantgegevens gecompromitteerd',
  cause: 'gestolen beheerderswachtwoord',
  breachType: 'hacking-malware-phishing' as const,
  subjectGroups: ['klanten'],
  unintelligible: 'no' as const,
  crossBorder: false,
  otherParty: 'none' as const,
  complete: true,
  unknownReason: 'de einddatum is nog niet vast te stellen',
};

/** Stores incident `id` and reports it complete at "risk" as M-1; `setNow` moves the clock `deps` reads. */
export async function reportedCompleteAtRisk(deps: () => FgDeps, id: string, setNow: (at: string) => void): Promise<void> {
  setNow('2026-11-27T22:00:00.000Z');
  await deps().store.commit({ incident: incidentFixture({ id, actions: [] }), expectedRevision: null, timeline: [], messages: [] });
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  await recordFacts(deps(), { incidentId: id, by: 'FG', ...COMPLETE_FACTS });
  setNow('2026-11-28T08:00:00.000Z');
  const { report } = await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
  expect(report.factsComplete, 'premise: the AP has the complete facts').toBe(true);
}
