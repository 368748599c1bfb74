/**
 * fgsec11 S4: a telecom provider (policy `clocks.telecom`) must inform its subscribers when the breach
 * is "likely to adversely affect" their personal data or privacy (Regulation 611/2013 art. 3(1), (2):
 * identity theft or fraud, physical harm, humiliation, damage to reputation). That is a lower bar
 * than the AVG's high risk (Art. 34(1)). Yet beside the FG's own "high risk" assessment datalek
 * records "subscribers: not required" and the clock `telecom-subscribers` reads met:
 * - `decideSubjects` checks "not required" against the assessment only for the data subjects
 *   (fg-workflow.ts, inside `if (audience === 'data-subjects')`);
 * - `assess` with risk high sets aside an earlier "not required" of the data subjects only
 *   (fg-workflow.ts ~304), never the subscribers'.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, decideSubjects } from '../../handlers/core/fg-workflow.js';
import type { Incident, TimelineEntry } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { describeEntry } from '../../handlers/core/report-html.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({
  organisation: { name: 'Telco BV', fg: { name: 'A. de Vries', email: 'fg@example.nl' } },
  clocks: { telecom: true },
});
const id = 'dl-fgsec11-subscribers';
const now = '2026-11-28T08:00:00.000Z';

describe('fgsec11 S4: subscribers "not required" beside a high risk (Regulation 611/2013 art. 3)', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy, now: () => now });
  const notRequired = () =>
    decideSubjects(deps(), {
      incidentId: id,
      audience: 'subscribers',
      decision: 'not-required',
      reason: 'geen nadelige gevolgen verwacht',
      by: 'FG',
    });

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id, actions: [] }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => cleanup());

  it('is refused while the assessment says high risk, as it is for the data subjects', async () => {
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'high', reason: 'verkeers- en locatiegegevens', by: 'FG' });
    // Control: the data subjects' "not required" is refused here.
    await expect(decideSubjects(deps(), { incidentId: id, decision: 'not-required', reason: 'geen nadelige gevolgen verwacht', by: 'FG' })).rejects.toThrow(
      /high risk/,
    );
    // On main: recorded, and the telecom-subscribers clock reads met.
    await expect(notRequired()).rejects.toThrow(/high risk|611\/2013/);
  });

  it("is set aside by a later high-risk assessment, as the data subjects' is", async () => {
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'verkeersgegevens, beperkt', by: 'FG' });
    await notRequired();
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'high', reason: 'ook locatiegegevens: hoog risico', by: 'FG' });
    const incident = (await store.getIncident(id)) as Incident;
    // On main: still "not required", and the clock met.
    expect(incident.subscribers).toBeNull();
    expect(clocksOf(incident, policy, now).find((c) => c.name === 'telecom-subscribers')?.status).not.toBe('met');
    // The timeline says so, and keeps the decision set aside.
    const assessed = (await store.getTimeline(id)).filter((e) => e.kind === 'assessed').at(-1);
    expect(assessed?.detail.subscribersDecisionSetAside).toMatchObject({ decision: 'not-required', reason: 'geen nadelige gevolgen verwacht' });
    expect(describeEntry(assessed as TimelineEntry, 'nl', policy.timeZone)).toContain('het eerdere besluit over de abonnees "niet vereist" vervalt');
  });

  it('is refused without an assessment', async () => {
    await expect(notRequired()).rejects.toThrow(/not high \(Regulation 611\/2013 art\. 3\(1\), \(2\)\); no assessment is recorded yet/);
  });
});
