/**
 * law24: Regulation 611/2013 art. 2(3): a provider that makes an initial notification to the AP
 * makes the complete one "at the latest within three days following the initial notification", and
 * one that cannot gives the information "as soon as possible and shall provide reasons for the delay".
 * The complete notification after those three days was recorded without a word: the telecom clock
 * read "late", and neither the report, the timeline nor closing ever asked why. Now it asks the
 * reasons for the delay with that report (--delay-reason), kept there and marked as the
 * Telecommunicatiewet's: they are no reasons for a delay under Art. 33(1) of the AVG.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { delayReasons } from '../../handlers/core/ap-verdict.js';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { incidentFixture, REGISTER_FACTS } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Telco', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { telecom: true } });
const id = 'dl-tw-complete';

describe('the complete telecom notification after its three days', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now = '2026-11-28T10:00:00.000Z'; // detected 2026-11-27T21:00Z; a Saturday
  const deps = (): FgDeps => ({ store: t.store, policy, now: () => now });
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const followUp = { incidentId: id, to: 'ap' as const, kind: 'follow-up', reference: 'M-1', by: 'FG' };

  beforeEach(async () => {
    t = tempSqliteStore();
    now = '2026-11-28T10:00:00.000Z';
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    await recordReport(deps(), { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', by: 'FG' });
    now = '2026-12-03T10:00:00.000Z'; // the three days ended with Tuesday 1 December
    await recordFacts(deps(), { incidentId: id, by: 'FG', ...REGISTER_FACTS, unknownReason: 'de rest is niet te achterhalen', complete: true } as never);
  });
  afterEach(async () => t.cleanup());

  it('asks the reasons for the delay, naming the regulation', async () => {
    await expect(recordReport(deps(), followUp)).rejects.toThrow(/Regulation 611\/2013 art\. 2\(3\).*--delay-reason/);
    expect((await stored()).reports?.length).toBe(1);
  });

  it('keeps them with the report as the Telecommunicatiewet’s, not as reasons under Art. 33(1)', async () => {
    const { report, incident } = await recordReport(deps(), { ...followUp, delayReason: 'de klantenadministratie was pas na vijf dagen doorzocht' });
    expect(report).toMatchObject({ delayReason: 'de klantenadministratie was pas na vijf dagen doorzocht', delayUnder: 'telecom-complete' });
    expect(clocksOf(incident, policy, now).find((c) => c.name === 'telecom-complete')?.status).toBe('late');
    expect(delayReasons(incident)).toEqual([]);
    expect(registerMarkdown([incident], policy, now, 'nl')).toContain(
      '(reden vertraging volledige melding, Verordening 611/2013 art. 2(3): de klantenadministratie was pas na vijf dagen doorzocht)',
    );
    expect(registerRow(incident, policy, now).reportReasons).toBe(
      'ap:follow-up:M-1: reasons for the delay of the complete notification (Regulation 611/2013 art. 2(3)): de klantenadministratie was pas na vijf dagen doorzocht',
    );
  });

  it('still refuses reasons for a complete notification made in time', async () => {
    await t.cleanup();
    t = tempSqliteStore();
    now = '2026-11-28T10:00:00.000Z';
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    await recordReport(deps(), { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', by: 'FG' });
    now = '2026-11-30T10:00:00.000Z';
    await recordFacts(deps(), { incidentId: id, by: 'FG', ...REGISTER_FACTS, unknownReason: 'de rest is niet te achterhalen', complete: true } as never);
    await expect(recordReport(deps(), { ...followUp, delayReason: 'x' })).rejects.toThrow(/--delay-reason/);
  });
});
