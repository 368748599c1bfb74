/**
 * law28 items 1 and 2 (left by law27): the risk raised to high after a complete AP notification makes
 * a follow-up owed (Art. 33(3)(c), (4); closing asked it since f3d3e6e4), but nothing else said so:
 * status and show read the AP clock "met", and the sweep sent no reminder, as it does for every other
 * owed notification. Raised after closing, the record asked Art. 34 and not the follow-up at all.
 * Now the follow-up is shown (the AP clock's `followUp`), reminded every `followUpEveryHours` until a
 * report to the AP follows or a reason says why none does, and after closing also listed by status,
 * named in the register and answered by `close --after-close --follow-up-reason`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { deadlineNote } from '../../handlers/cli/views.js';
import { closedWithDuty } from '../../handlers/core/clocks.js';
import { assess, closeIncident, decideSubjects, type FgDeps, recordFacts, recordNoFollowUp, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerMarkdown } from '../../handlers/core/register.js';
import { sweep } from '../../handlers/core/sweep.js';
import { reportedCompleteAtRisk } from '../support/risk-raised.js';
import { tempSqliteStore } from '../support/store.js';

const organisation = { name: 'Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl', phone: '+31 20 000 0000' } };
const policies = { nl: parsePolicy({ organisation }), en: parsePolicy({ organisation, language: 'en' }) };
const policy = policies.nl;
const id = 'dl-risk-raised-reminded';

let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
let at = '2026-11-27T22:00:00.000Z';
const deps = (): FgDeps => ({ store, policy, now: () => at });
const stored = async () => (await store.getIncident(id)) as Incident;
const sweepAt = async (now: string) => (await sweep({ store, policy, now: () => now })).sent.filter((s) => s.incidentId === id);
const fgMessages = async (kind: string) => (await store.listMessages(id)).filter((m) => m.channel === 'fg' && m.kind === kind);

beforeEach(async () => {
  ({ store, cleanup } = tempSqliteStore());
  await reportedCompleteAtRisk(deps, id, (t) => {
    at = t;
  });
});
afterEach(async () => cleanup());

describe('open: the risk raised to high after the complete notification', () => {
  beforeEach(async () => {
    at = '2026-11-29T10:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'high', reason: 'wachtwoorden zijn buitgemaakt', by: 'FG' });
    // Art. 34 decided: its own reminder is not the question here.
    await decideSubjects(deps(), {
      incidentId: id,
      decision: 'inform',
      date: '2026-11-29T10:00:00.000Z',
      channel: 'e-mail',
      text: 'Uw wachtwoord is mogelijk buitgemaakt; wijzig het.',
      reason: 'hoog risico',
      by: 'FG',
    });
  });

  it('status and show say the follow-up is owed, then overdue after the follow-up period', async () => {
    const incident = await stored();
    expect(deadlineNote(incident, '2026-11-29T12:00:00.000Z', policy.timeZone, policy)).toMatch(/; follow-up owed$/);
    expect(deadlineNote(incident, '2026-11-30T10:00:00.000Z', policy.timeZone, policy)).toMatch(/; follow-up overdue$/);
    expect(registerMarkdown([incident], policies.en, '2026-11-29T12:00:00.000Z')).toContain(
      'follow-up owed (Art. 33(3)(c), (4): the risk was assessed high after the last report to the AP, M-1; initial notification met)',
    );
  });

  it('reminds once a period, not twice, when the facts are also marked incomplete again (final read b #2)', async () => {
    at = '2026-11-29T11:00:00.000Z';
    await recordFacts(deps(), { incidentId: id, complete: false, by: 'FG' });
    expect((await sweepAt('2026-11-30T12:00:00.000Z')).map((s) => s.kind)).toEqual(['follow-up-reminder']);
    expect(await fgMessages('follow-up-reminder')).toHaveLength(1);
  });

  it('the sweep reminds the FG of the follow-up every period, in its own words, until one is recorded', async () => {
    expect(await sweepAt('2026-11-29T20:00:00.000Z'), 'nothing before the period').toEqual([]);
    expect((await sweepAt('2026-11-30T10:00:00.000Z')).map((s) => s.kind)).toEqual(['follow-up-reminder']);
    const [reminder] = await fgMessages('follow-up-reminder');
    expect(reminder.subject).toContain('Vervolgmelding AP: het hoge risico is nog niet gemeld');
    expect(reminder.body).toContain('Het risico is hoog beoordeeld op 2026-11-29 11:00');
    expect(reminder.body).toContain('na de laatste melding aan de AP (M-1)');
    expect(reminder.body).toMatch(/Melding AP: .*vervolgmelding te laat: het risico is hoog beoordeeld op .*\(M-1\); doe de vervolgmelding nu/);
    expect(reminder.body).not.toContain('feiten nog niet compleet');
    expect(await sweepAt('2026-11-30T12:00:00.000Z'), 'once per period').toEqual([]);
    expect((await sweepAt('2026-12-01T10:00:00.000Z')).map((s) => s.kind)).toEqual(['follow-up-reminder']);

    at = '2026-12-01T11:00:00.000Z';
    await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'follow-up', by: 'FG' });
    expect(deadlineNote(await stored(), at, policy.timeZone, policy)).not.toMatch(/follow-up/);
    expect((await sweepAt('2026-12-05T10:00:00.000Z')).map((s) => s.kind)).not.toContain('follow-up-reminder');
  });

  it('in English too', async () => {
    await sweep({ store, policy: policies.en, now: () => '2026-11-30T10:00:00.000Z' });
    const [reminder] = await fgMessages('follow-up-reminder');
    expect(reminder.subject).toContain('AP follow-up: the high risk is not yet with the AP');
    expect(reminder.body).toContain('The risk was assessed high on 2026-11-29 11:00');
    expect(reminder.body).toMatch(/AP notification: .*follow-up overdue: the risk was assessed high on .*\(M-1\); make the follow-up now/);
  });

  it('a reason at closing ends it', async () => {
    at = '2026-11-29T12:00:00.000Z';
    await closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG', followUpReason: 'de AP is telefonisch ingelicht' });
    const closed = await stored();
    expect(deadlineNote(closed, '2026-12-02T00:00:00.000Z', policy.timeZone, policy)).not.toMatch(/follow-up/);
    expect(closedWithDuty(closed, policy)).toBe(false);
    // The register says what the reason answers: the high risk, not the facts (it read "met de complete feiten").
    const md = registerMarkdown([closed], policy, at);
    expect(md).toContain('gesloten zonder vervolgmelding aan de AP met het hoge risico (AVG art. 33(3)(c), (4)): de AP is telefonisch ingelicht');
    expect(md).not.toContain('met de complete feiten');
    expect((await sweepAt('2026-12-05T10:00:00.000Z')).map((s) => s.kind)).not.toContain('follow-up-reminder');
  });
});

describe('closed: the risk raised to high after closing', () => {
  beforeEach(async () => {
    at = '2026-11-28T12:00:00.000Z';
    await closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    at = '2026-11-29T10:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'high', reason: 'wachtwoorden toch buitgemaakt', by: 'FG', confirmAfterClose: true });
  });

  it('is listed, shown, in the register and reminded, as the open case', async () => {
    const incident = await stored();
    expect(incident.state).toBe('closed');
    expect(closedWithDuty(incident, policy), 'status lists it').toBe(true);
    expect(deadlineNote(incident, '2026-11-29T12:00:00.000Z', policy.timeZone, policy)).toMatch(/; follow-up owed$/);
    expect(registerMarkdown([incident], policy, at)).toContain(
      'vervolgmelding aan de AP nog verschuldigd (AVG art. 33(3)(c), (4)): het risico is na het sluiten hoog beoordeeld, na de laatste melding M-1',
    );
    expect((await sweepAt('2026-11-30T10:00:00.000Z')).map((s) => s.kind)).toContain('follow-up-reminder');
  });

  it('ends with a follow-up recorded after closing', async () => {
    at = '2026-11-29T11:00:00.000Z';
    await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'follow-up', by: 'FG', reason: 'hoog risico gemeld' });
    const incident = await stored();
    expect(closedWithDuty(incident, policy)).toBe(true); // the Art. 34 decision is still owed
    expect(deadlineNote(incident, '2026-11-30T12:00:00.000Z', policy.timeZone, policy)).not.toMatch(/follow-up/);
    expect((await sweepAt('2026-11-30T10:00:00.000Z')).map((s) => s.kind)).not.toContain('follow-up-reminder');
  });

  it('ends with close --after-close --follow-up-reason, kept after closing', async () => {
    at = '2026-11-29T11:00:00.000Z';
    await recordNoFollowUp(deps(), { incidentId: id, reason: 'de AP vroeg niets meer', by: 'FG', confirmAfterClose: true });
    const incident = await stored();
    expect(incident.afterClose?.at(-1)?.what).toBe('no follow-up to the AP (Art. 33(4)): M-1');
    expect(deadlineNote(incident, '2026-11-30T12:00:00.000Z', policy.timeZone, policy)).not.toMatch(/follow-up/);
    expect((await sweepAt('2026-11-30T10:00:00.000Z')).map((s) => s.kind)).not.toContain('follow-up-reminder');
    // The closing's cell says how it was closed: no high risk then, so no "closed without a follow-up
    // with the high risk" (final read b #1); the reason stands in the after-close note.
    const md = registerMarkdown([incident], policies.en, at);
    expect(md).not.toContain('closed without a follow-up to the AP with the high risk');
    expect(incident.apFollowUpReason).toBeUndefined();
  });

  it('a reason given before the raise (at closing, for the first phase) does not end it', async () => {
    const incident = await stored();
    incident.apFollowUpReason = 'eerder gegeven';
    incident.apFollowUpReasonFor = { reference: 'M-1', version: 1 };
    expect(deadlineNote(incident, '2026-11-29T12:00:00.000Z', policy.timeZone, policy)).toMatch(/; follow-up owed$/);
  });
});
