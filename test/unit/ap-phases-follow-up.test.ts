/**
 * fgsec11 S2: Art. 33(4) lets the information reach the AP in phases, "without undue further delay".
 * An initial AP report made while the facts were incomplete (the report records `factsComplete:
 * false`), then the facts completed in datalek (`facts … --complete`) and nothing more sent to the AP:
 * - the follow-up reminders stop (schedule.ts: `!incident.facts?.complete`), though the AP never got
 *   the facts;
 * - `close` accepts it, and the register reads the AP clock "met" with only the initial report: the
 *   AP holds a notification without the Art. 33(3) contents, and the record says nothing is owed.
 * The telecom clock already judges "complete" by a *report* made with complete facts (clocks.ts
 * `telecom-complete`); the AVG's phases are judged by the facts in datalek alone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, closeIncident, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({
  organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl', phone: '+31 20 000 0000' } },
});
const id = 'dl-fgsec11-phased';
let clock = '2026-11-27T22:00:00.000Z';

describe('fgsec11 S2: an AP notification made in phases whose later phase never reaches the AP', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy, now: () => clock });

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id, actions: [] }), expectedRevision: null, timeline: [], messages: [] });
    clock = '2026-11-27T22:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'cliëntgegevens op de server', by: 'FG' });
    await recordFacts(deps(), { incidentId: id, by: 'FG', summary: 'Server met cliëntgegevens gecompromitteerd', nature: ['confidentiality'] });
    // Phase 1: what is known, within the 72 hours.
    clock = '2026-11-28T08:00:00.000Z';
    const { report } = await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
    expect(report.factsComplete).toBe(false);
    // Control: the follow-up reminder is due now (the AP clock is met, nothing else runs).
    expect(((await store.getIncident(id)) as Incident).nextDueAt).not.toBeNull();
    // The rest is found out and recorded in datalek, marked complete; nothing is sent to the AP.
    clock = '2026-11-29T10:00:00.000Z';
    await recordFacts(deps(), {
      incidentId: id,
      by: 'FG',
      cause: 'gestolen beheerderswachtwoord',
      breachType: 'hacking-malware-phishing',
      categories: ['naam', 'adres', 'geboortedatum'],
      specialCategories: [],
      subjectGroups: ['cliënten'],
      subjectsMin: 200,
      subjectsMax: 1200,
      records: 1200,
      consequences: 'identiteitsfraude',
      measuresTaken: 'server van het netwerk gehaald',
      unintelligible: 'no',
      crossBorder: false,
      otherParty: 'none',
      complete: true,
      unknownReason: 'de gevolgen per soort en de einddatum zijn nog niet vast te stellen',
    });
  });
  afterEach(async () => cleanup());

  it('keeps reminding of the follow-up to the AP while it holds only the incomplete first phase', async () => {
    const incident = (await store.getIncident(id)) as Incident;
    expect(incident.reports?.filter((r) => r.to === 'ap')).toHaveLength(1);
    // On main: null, nothing is due any more.
    expect(incident.nextDueAt).not.toBeNull();
  });

  it('does not close while the AP holds only the incomplete first phase (Art. 33(4))', async () => {
    clock = '2026-11-29T12:00:00.000Z';
    // On main: closes, and the register reads the AP clock "met" with the initial report alone.
    await expect(closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG' })).rejects.toThrow(/33\(4\)|follow-up|vervolgmelding/);
  });

  it('closes with the reason recorded, which the register keeps', async () => {
    clock = '2026-11-29T12:00:00.000Z';
    const followUpReason = 'de AP vroeg de aanvulling per brief op; die is op 29 november verstuurd';
    const closed = await closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG', followUpReason });
    expect(closed.apFollowUpReason).toBe(followUpReason);
    expect(registerRow(closed, policy, clock).apFollowUpReason).toBe(followUpReason);
    expect(registerMarkdown([closed], policy, clock)).toContain(`gesloten zonder vervolgmelding aan de AP (AVG art. 33(4)): ${followUpReason}`);
  });

  it('fg24: closed after a follow-up made before the facts were complete, the register does not say "without a follow-up"', async () => {
    clock = '2026-11-29T11:00:00.000Z';
    // Sent at 09:00, before the facts were completed at 10:00: which facts it carried is not known.
    const { report } = await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'follow-up', at: '2026-11-29T09:00:00Z', by: 'FG' });
    expect(report.factsComplete, 'premise: not the follow-up with the complete facts').toBe(false);
    clock = '2026-11-29T12:00:00.000Z';
    const closed = await closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG', followUpReason: 'de AP heeft de rest per brief' });
    const md = registerMarkdown([closed], policy, clock);
    expect(md, 'premise: the register lists the follow-up').toMatch(/AP vervolgmelding M-1/);
    expect(md).not.toContain('gesloten zonder vervolgmelding aan de AP');
    expect(md).toContain('gesloten zonder vervolgmelding met de complete feiten aan de AP (AVG art. 33(4)): de AP heeft de rest per brief');
  });

  it('stops reminding and closes once a follow-up with the complete facts is recorded', async () => {
    clock = '2026-11-29T11:00:00.000Z';
    const { report } = await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'follow-up', by: 'FG' });
    expect(report.factsComplete).toBe(true);
    expect(((await store.getIncident(id)) as Incident).nextDueAt).toBeNull();
    clock = '2026-11-29T12:00:00.000Z';
    // A reason for what is not owed would explain what is not there.
    await expect(closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG', followUpReason: 'x' })).rejects.toThrow(
      /no follow-up to the AP is owed/,
    );
    const closed = await closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    expect(closed.apFollowUpReason).toBeUndefined();
  });
});
