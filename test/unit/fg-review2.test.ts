/**
 * The second FG review (review2/fg-security.md, F1–F7 and the FG's low items), read as the FG who
 * must defend the record before the AP. The incident is detected 2026-11-27 21:00 UTC; its AP
 * deadline is 2026-11-30 21:00 UTC.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, closeBlockers, closeIncident, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import { type Incident, initialReport } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { REGISTER_FACTS as FACTS, incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

/** Every fact the AP's form asks, so that marking them complete is held up only by what a test leaves out. */
const ALL_FACTS = {
  ...FACTS,
  summary: 'ransomware op de webserver',
  cause: 'gestolen wachtwoord',
  breachType: 'hacking-malware-phishing' as const,
  subjectGroups: ['klanten'],
  unintelligible: 'no' as const,
  crossBorder: false,
  consequencesFor: 'confidentiality' as const,
  harm: ['immaterial' as const],
  harmSeverity: 'medium' as const,
};

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

describe('the second FG review', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  let id: string;
  const at = (iso: string) => {
    now = iso;
  };
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const ap = (incident: Incident) => clocksOf(incident, policy, now).find((c) => c.name === 'ap');
  const high = { personalData: 'yes' as const, risk: 'high' as const, reason: 'patiëntgegevens', by: 'FG' };

  beforeEach(async () => {
    t = tempSqliteStore();
    now = '2026-11-28T08:00:00.000Z';
    deps = { store: t.store, policy, now: () => now };
    const incident: Incident = incidentFixture({ id: 'dl-review2' });
    id = incident.id;
    await t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  describe('F1. withdrawing the AP notification', () => {
    beforeEach(async () => {
      await assess(deps, { incidentId: id, ...high });
      await recordFacts(deps, { incidentId: id, by: 'FG', ...FACTS });
      at('2026-11-28T09:00:00.000Z');
      await recordReport(deps, { incidentId: id, reference: 'M-1', by: 'FG' });
      at('2026-11-28T10:00:00.000Z');
    });

    it('needs a reason, and nothing is written without one', async () => {
      const before = await stored();
      await expect(recordReport(deps, { incidentId: id, reference: 'M-1', kind: 'withdrawal', by: 'FG' })).rejects.toThrow(/withdrawal.*reason \(--reason\)/);
      expect((await stored()).revision).toBe(before.revision);
    });

    it('is refused while the assessment says notifiable: the record would say "met" with no notification at the AP', async () => {
      await expect(recordReport(deps, { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'toch geen datalek', by: 'FG' })).rejects.toThrow(
        /assessment.*notifiable.*datalek assess.*Art\. 33/,
      );
    });

    it('after an assessment of "not notifiable" it is recorded with its reason; the notification no longer stands', async () => {
      // The facts name personal data (categories, numbers): "not notifiable" is no risk, not "no personal data" (review7 G16).
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'none', reason: 'alleen door de eigen beheerder ingezien', by: 'FG' });
      const withdrawn = (await recordReport(deps, { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'geen persoonsgegevens', by: 'FG' }))
        .incident;
      expect(withdrawn.reports?.at(-1)).toMatchObject({ kind: 'withdrawal', reason: 'geen persoonsgegevens' });
      expect(initialReport(withdrawn)).toBeUndefined();
      expect(ap(withdrawn)?.status).toBe('not-needed');
      expect(registerRow(withdrawn, policy, now).apClock).not.toMatch(/^met/);
    });

    // law28: "met" rests on the first notification of the breach (M-1), the notification anew named beside it (renotified-after-withdrawal-verdict.test.ts).
    it('a breach notifiable again after the withdrawal can be notified anew, and "met" rests on the first report', async () => {
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'none', reason: 'leek alleen intern ingezien', by: 'FG' });
      await recordReport(deps, { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'geen persoonsgegevens', by: 'FG' });
      at('2026-11-28T11:00:00.000Z');
      await assess(deps, { incidentId: id, ...high, reason: 'toch echte patiëntgegevens' });
      const again = (await recordReport(deps, { incidentId: id, reference: 'M-2', by: 'FG' })).incident;
      expect(initialReport(again)?.reference).toBe('M-2');
      expect(ap(again)).toMatchObject({ status: 'met', doneAt: again.reports?.[0].at });
      expect(ap(again)?.note?.en).toMatch(/judged by the first notification M-1 .*notified anew as M-2/);
    });
  });
  describe('F4. a decision that ends the AP duty, entered after the AP deadline had passed', () => {
    const afterDeadline = '2026-12-01T10:00:00.000Z';

    it('declaring the organisation processor needs --confirm-stated-time, and the AP clock and the register say so', async () => {
      at(afterDeadline);
      const before = await stored();
      await expect(assess(deps, { incidentId: id, actingAs: 'processor', reason: 'wij verwerken voor de gemeente', by: 'FG' })).rejects.toThrow(
        /processor.*after the AP deadline of 2026-11-30 22:00 CET \(2026-11-30T21:00:00.000Z\) had passed.*--confirm-stated-time/,
      );
      expect((await stored()).revision).toBe(before.revision);
      const role = await assess(deps, { incidentId: id, actingAs: 'processor', reason: 'wij verwerken voor de gemeente', confirmStatedTime: true, by: 'FG' });
      expect(role.decisions?.at(-1)).toMatchObject({ kind: 'role', role: 'processor', enteredAfterDeadline: '2026-11-30T21:00:00.000Z' });
      expect(ap(role)).toMatchObject({ status: 'not-needed' });
      expect(ap(role)?.note?.en).toMatch(/processor.*entered after the AP deadline had passed/);
      const row = registerRow(role, policy, now);
      expect(row.enteredAfterDeadline).toBe(true);
      expect(row.apClock).toMatch(/not-needed .*entered after the AP deadline had passed/);
    });

    it('an assessment of "not notifiable" needs --confirm-stated-time, and is marked', async () => {
      at(afterDeadline);
      const no = { personalData: 'no' as const, risk: 'none' as const, reason: 'geen persoonsgegevens op de server', by: 'FG' };
      await expect(assess(deps, { incidentId: id, ...no })).rejects.toThrow(/not notifiable.*after the AP deadline.*--confirm-stated-time/);
      const marked = await assess(deps, { incidentId: id, ...no, confirmStatedTime: true });
      expect(marked.decisions?.at(-1)).toMatchObject({ kind: 'assessment', notifiable: false, enteredAfterDeadline: '2026-11-30T21:00:00.000Z' });
      expect(ap(marked)?.note?.en).toMatch(/not notifiable.*entered after the AP deadline had passed/);
      expect(registerRow(marked, policy, now).enteredAfterDeadline).toBe(true);
      // A later assessment that keeps it not notifiable changes no verdict: nothing to confirm, the mark stays.
      at('2026-12-01T11:00:00.000Z');
      const again = await assess(deps, { incidentId: id, ...no, reason: 'nogmaals bevestigd' });
      expect(registerRow(again, policy, now).enteredAfterDeadline).toBe(true);
    });

    it('before the deadline neither needs a confirmation', async () => {
      const role = await assess(deps, { incidentId: id, actingAs: 'processor', reason: 'verwerker', by: 'FG' });
      expect(role.decisions?.at(-1)).not.toHaveProperty('enteredAfterDeadline');
      expect(registerRow(role, policy, now).enteredAfterDeadline).toBe(false);
    });

    it('a processor that informs its controller late gives the reasons for the delay (Art. 33(2)), and closing asks them', async () => {
      const processor = parsePolicy({ ...policy, organisation: { ...policy.organisation, processor: true } });
      const pdeps = { ...deps, policy: processor };
      await assess(pdeps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
      await recordFacts(pdeps, { incidentId: id, by: 'FG', ...FACTS });
      at('2026-11-29T10:00:00.000Z');
      await expect(recordReport(pdeps, { incidentId: id, to: 'controller', reference: 'C-1', by: 'FG' })).rejects.toThrow(
        /controller.*after.*2026-11-28T21:00:00.000Z.*Art\. 33\(2\).*--delay-reason/,
      );
      const told = await recordReport(pdeps, { incidentId: id, to: 'controller', reference: 'C-1', delayReason: 'contract niet gevonden', by: 'FG' });
      expect(told.report.delayReason).toBe('contract niet gevonden');
      expect(registerRow(told.incident, processor, now).reportReasons).toBe('controller:initial:C-1: reasons for the delay: contract niet gevonden');
      expect(closeBlockers(told.incident, processor, now)).toEqual([]);
    });
  });
  describe('F6. marking the facts complete', () => {
    beforeEach(async () => {
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    });

    it('is refused while required facts are missing, naming every one, and nothing is written', async () => {
      const before = await stored();
      const refusal = recordFacts(deps, { incidentId: id, by: 'FG', summary: 'x', complete: true });
      await expect(refusal).rejects.toThrow(
        /cannot be marked complete.*kind of breach.*nature.*cause.*categories.*special categories.*groups.*number of data subjects.*records.*consequences.*measures.*unintelligible.*other EU member states.*--unknown-reason/i,
      );
      expect((await stored()).revision).toBe(before.revision);
      expect((await stored()).facts?.complete).toBe(false);
    });

    it('is recorded when every fact is there', async () => {
      const done = await recordFacts(deps, { incidentId: id, by: 'FG', ...ALL_FACTS, complete: true });
      expect(done.facts?.complete).toBe(true);
      expect(done.facts?.unknown).toBeUndefined();
    });

    it('is recorded with the facts that cannot be given and why; the draft says so instead of asking for them', async () => {
      const { records: _r, subjectsMin: _a, subjectsMax: _b, ...most } = ALL_FACTS;
      const done = await recordFacts(deps, { incidentId: id, by: 'FG', ...most, complete: true, unknownReason: 'logboeken zijn overschreven' });
      expect(done.facts).toMatchObject({ complete: true, unknown: { facts: ['subjects', 'records'], reason: 'logboeken zijn overschreven', by: 'FG' } });
      const draft = buildDraft(done, policy, now, 'en');
      expect(draft.missing).toEqual([]);
      expect(draft.warnings.join(' ')).toMatch(/cannot be given.*number of data subjects.*records.*logboeken zijn overschreven/i);
      expect(registerRow(done, policy, now).factsUnknown).toMatch(/subjects, records: logboeken zijn overschreven/);
    });

    it('an unknown-reason without --complete, or with nothing missing, is refused: there is nothing it explains', async () => {
      await expect(recordFacts(deps, { incidentId: id, by: 'FG', summary: 'x', unknownReason: 'r' })).rejects.toThrow(/--unknown-reason.*--complete/);
      await expect(recordFacts(deps, { incidentId: id, by: 'FG', ...ALL_FACTS, complete: true, unknownReason: 'r' })).rejects.toThrow(/nothing is missing/);
    });

    it('the assessment and the Art. 34 decision cannot be declared unknown', async () => {
      await assess(deps, { incidentId: id, ...high });
      await expect(recordFacts(deps, { incidentId: id, by: 'FG', ...ALL_FACTS, complete: true, unknownReason: 'r' })).rejects.toThrow(
        /cannot be marked complete.*decision on informing the data subjects/,
      );
    });
  });
  describe('F5. "Is the breach ongoing?" in the AP draft', () => {
    const revoke = {
      id: 'revoke-role-sessions:web',
      type: 'revoke-role-sessions',
      target: 'web',
      status: 'done' as const,
      mode: 'enforce' as const,
      findingId: 'f',
      at: '2026-11-27T21:05:00.000Z',
      steps: [{ name: 'revoke-older-sessions', status: 'done' as const, at: '2026-11-27T21:05:00.000Z' }],
    };
    const isolate = {
      id: 'isolate-instance:i-1',
      type: 'isolate-instance',
      target: 'i-1',
      status: 'failed' as const,
      mode: 'enforce' as const,
      findingId: 'f',
      at: '2026-11-27T21:05:00.000Z',
      reason: 'isolate-eni:eni-2 failed: OPEN to all traffic',
      steps: [{ name: 'isolate-eni:eni-2', status: 'failed' as const, at: '2026-11-27T21:06:00.000Z', exposed: true }],
    };
    const ongoing = (actions: Incident['actions'], lang: 'nl' | 'en' = 'nl') =>
      buildDraft(incidentFixture({ actions }), policy, now, lang)
        .sections.flatMap((x) => x.fields)
        .find((f) => f.key === 'ongoing')?.value;

    it('never says contained while an action failed with an interface left open: it says what is and is not', () => {
      const value = ongoing([revoke, isolate]);
      expect(value).not.toMatch(/^ingeperkt op/);
      expect(value).toMatch(/^deels ingeperkt op .*\(.*web.*\); nog open: .*i-1 \(mislukt; een netwerkinterface staat open\); einde nog niet vastgesteld$/);
      expect(ongoing([revoke, isolate], 'en')).toMatch(/^partly contained on .*; still open: .*i-1 \(failed; a network interface left open\)/);
      expect(ongoing([isolate], 'en')).toMatch(/^not contained; still open: .*i-1 \(failed/);
    });

    it("a person's step still to take is not contained", () => {
      const person = {
        ...revoke,
        id: 'contain-kubernetes-workload:w',
        type: 'contain-kubernetes-workload',
        target: 'w',
        status: 'planned' as const,
        person: true,
        steps: [],
      };
      expect(ongoing([revoke, person], 'en')).toMatch(/^partly contained on .*; still open: .* w; end not established yet$/);
    });

    it('says contained only when every action is done', () => {
      expect(ongoing([revoke], 'en')).toMatch(/^contained on 2026-11-27 22:05 CET .*; end not established yet$/);
    });
  });
  describe('F3. a notified breach re-assessed as not notifiable', () => {
    beforeEach(async () => {
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
      await recordReport(deps, { incidentId: id, reference: 'M-9', by: 'FG' });
      at('2026-11-28T09:00:00.000Z');
      await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'toch testgegevens', by: 'FG' });
    });

    it('cannot close while the AP still holds the notification: closing asks for the withdrawal or a correction', async () => {
      expect(closeBlockers(await stored(), policy, now).join(' ')).toMatch(
        /AP still holds the notification M-9.*not notifiable.*reported --kind withdrawal --reference M-9 --reason TEXT.*correction/,
      );
      await expect(closeIncident(deps, { incidentId: id, reason: 'klaar', by: 'FG' })).rejects.toThrow(/cannot be closed yet.*M-9/);
    });

    it('closes after the withdrawal, and the register shows the notification withdrawn', async () => {
      await recordReport(deps, { incidentId: id, reference: 'M-9', kind: 'withdrawal', reason: 'geen persoonsgegevens', by: 'FG' });
      const closed = await closeIncident(deps, { incidentId: id, reason: 'klaar', by: 'FG' });
      const row = registerRow(closed, policy, now);
      expect(row).toMatchObject({ state: 'closed', notifiable: false, apClockStatus: 'not-needed', reportReasons: 'ap:withdrawal:M-9: geen persoonsgegevens' });
    });

    it('closes after a correction to the AP recorded since that assessment', async () => {
      await recordReport(deps, { incidentId: id, reference: 'M-9', kind: 'correction', reason: 'geen persoonsgegevens getroffen', by: 'FG' });
      expect(closeBlockers(await stored(), policy, now)).toEqual([]);
    });
  });
  describe('F7. information that follows after closing (Art. 33(4))', () => {
    beforeEach(async () => {
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
      await recordFacts(deps, { incidentId: id, by: 'FG', ...FACTS });
      await recordReport(deps, { incidentId: id, reference: 'M-1', by: 'FG' });
      await closeIncident(deps, { incidentId: id, reason: 'gemeld', by: 'FG', followUpReason: 'de aanvulling ging per brief naar de AP' });
      at('2026-12-02T10:00:00.000Z');
    });

    it('records a correction to the AP with its reason, kept closed, in the timeline and the register', async () => {
      await expect(recordReport(deps, { incidentId: id, reference: 'M-1', kind: 'correction', by: 'FG' })).rejects.toThrow(/closed.*--reason/);
      const { incident, report } = await recordReport(deps, {
        incidentId: id,
        reference: 'M-1',
        kind: 'correction',
        reason: 'meer records getroffen',
        by: 'FG',
      });
      expect(incident.state).toBe('closed');
      expect(incident.closedAt).toBe('2026-11-28T08:00:00.000Z');
      expect(report).toMatchObject({ kind: 'correction', reason: 'meer records getroffen', afterClose: true });
      const timeline = await t.store.getTimeline(id);
      expect(timeline.at(-1)).toMatchObject({ kind: 'reported', detail: expect.objectContaining({ afterClose: true }) });
      expect(registerRow(incident, policy, now).afterClose).toMatch(/ap:correction:M-1 .*2026-12-02T10:00:00.000Z.*meer records getroffen/);
    });

    it('records a corrected fact with its reason; the clocks stay closed', async () => {
      await expect(recordFacts(deps, { incidentId: id, by: 'FG', records: 7000 })).rejects.toThrow(/closed.*--reason/);
      const corrected = await recordFacts(deps, { incidentId: id, by: 'FG', records: 7000, reason: 'nader onderzoek' });
      expect(corrected).toMatchObject({ state: 'closed', facts: expect.objectContaining({ records: 7000 }) });
      expect(registerRow(corrected, policy, now)).toMatchObject({ records: 7000, afterClose: expect.stringMatching(/facts records .*nader onderzoek/) });
      expect(clocksOf(corrected, policy, now).find((c) => c.name === 'ap')?.status).toBe('met');
    });

    it('is refused for anything but the AP and the facts: an initial report, another recipient, marking complete', async () => {
      await expect(recordReport(deps, { incidentId: id, to: 'controller', reference: 'C-1', reason: 'r', by: 'FG' })).rejects.toThrow(/closed/);
      await expect(recordFacts(deps, { incidentId: id, by: 'FG', ...FACTS, complete: true, reason: 'r' })).rejects.toThrow(/closed/);
    });
  });
  describe('F2. personal data unknown', () => {
    it('with risk "none" is refused: no risk cannot be concluded while it is unknown whether personal data is affected', async () => {
      const before = await stored();
      await expect(assess(deps, { incidentId: id, personalData: 'unknown', risk: 'none', reason: 'weet niet', by: 'FG' })).rejects.toThrow(
        /--personal-data unknown with --risk none.*Art\. 33\(1\)/,
      );
      expect((await stored()).revision).toBe(before.revision);
    });

    it('with a risk is notifiable: the AP clock runs', async () => {
      const assessed = await assess(deps, { incidentId: id, personalData: 'unknown', risk: 'risk', reason: 'nog onbekend', by: 'FG' });
      expect(assessed.assessment?.notifiable).toBe(true);
      expect(ap(assessed)?.status).toBe('running');
    });
  });
  describe('the low FG items', () => {
    it('L1. the Markdown register marks a sample finding as a test, not as an open incident like any other', () => {
      const sample = incidentFixture({ id: 'dl-sample', sample: true, deadline: null });
      const nl = registerMarkdown([sample], policy, now, 'nl').split('\n')[2];
      expect(nl).toMatch(/testmelding/);
      expect(registerMarkdown([sample], policy, now, 'en').split('\n')[2]).toMatch(/sample finding \(test\)/);
    });

    it('L2. the draft never answers "special categories (incl. BSN): none" while the categories name the BSN', async () => {
      await recordFacts(deps, { incidentId: id, by: 'FG', categories: ['naam', 'BSN'], specialCategories: [] });
      const recorded = await stored();
      const field = (lang: 'nl' | 'en') =>
        buildDraft(recorded, policy, now, lang)
          .sections.flatMap((x) => x.fields)
          .find((f) => f.key === 'specialCategories')?.value;
      expect(field('nl')).toBe('BSN (genoemd bij de soorten persoonsgegevens); verder geen');
      expect(field('en')).toBe('BSN (named among the categories); none besides');
    });
  });
});
