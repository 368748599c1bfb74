/**
 * The third FG review (review3/fg-security.md F1, F5, F6 and the FG's low items in F3), read as the
 * FG who must defend the record before the AP. The incident is detected 2026-11-27 21:00 UTC.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { buildDraft, draftMarkdown } from '../../handlers/core/draft.js';
import { assess, closeBlockers, closeIncident, decideSubjects, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { buildNotice } from '../../handlers/core/notice.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { REGISTER_COLUMNS, registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { REGISTER_FACTS as FACTS, incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

/** A key deactivation the contain function tried and failed (the stolen key may still be active). */
const FAILED_KEY: ActionRecord = {
  id: 'deactivate-access-key:AKIAEXAMPLE',
  type: 'deactivate-access-key',
  target: 'AKIAEXAMPLE',
  status: 'failed',
  mode: 'enforce',
  findingId: 'f-dl-review3',
  at: '2026-11-27T21:02:00.000Z',
  reason: 'deactivate failed (AccessDenied)',
  steps: [{ name: 'deactivate:AKIAEXAMPLE', status: 'failed', at: '2026-11-27T21:02:00.000Z', code: 'AccessDenied' }],
};

/** An instance isolated, and released after clean-up. */
const RELEASED_ISOLATION: ActionRecord = {
  id: 'isolate-instance:i-dl-review3',
  type: 'isolate-instance',
  target: 'i-dl-review3',
  status: 'done',
  mode: 'enforce',
  findingId: 'f-dl-review3',
  at: '2026-11-27T21:02:00.000Z',
  steps: [{ name: 'isolate-eni:eni-1', status: 'done', at: '2026-11-27T21:03:00.000Z' }],
  released: { at: '2026-11-28T15:00:00.000Z', by: 'on-call', reason: 'instantie opnieuw opgebouwd' },
};

describe('the third FG review', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  const id = 'dl-review3';
  const at = (iso: string) => {
    now = iso;
  };
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const open = async (over: Partial<Incident> = {}) => {
    await t.store.commit({ incident: incidentFixture({ id, ...over }), expectedRevision: null, timeline: [], messages: [] });
  };

  beforeEach(() => {
    t = tempSqliteStore();
    now = '2026-11-28T08:00:00.000Z';
    deps = { store: t.store, policy, now: () => now };
  });
  afterEach(async () => t.cleanup());

  describe('F1. after closing, a changed assessment and an Art. 34 decision (Art. 33(4), 34(4))', () => {
    beforeEach(async () => {
      await open();
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
      await recordFacts(deps, { incidentId: id, by: 'FG', ...FACTS });
      await recordReport(deps, { incidentId: id, reference: 'M-1', by: 'FG' });
      await closeIncident(deps, { incidentId: id, reason: 'gemeld', by: 'FG', followUpReason: 'de aanvulling ging per brief naar de AP' });
      at('2026-12-02T10:00:00.000Z');
    });

    it('records a not-notifiable assessment with its reason; the incident stays closed, and the withdrawal then follows', async () => {
      const assessed = await assess(deps, {
        incidentId: id,
        // The facts name personal data: "not notifiable" is no risk, not "no personal data" (review7 G16).
        personalData: 'yes',
        risk: 'none',
        reason: 'forensisch onderzoek: niemand buiten de organisatie zag de gegevens',
        by: 'FG',
        confirmAfterClose: true,
      });
      expect(assessed).toMatchObject({ state: 'closed', closedAt: '2026-11-28T08:00:00.000Z', assessment: expect.objectContaining({ notifiable: false }) });
      const timeline = await t.store.getTimeline(id);
      expect(timeline.at(-1)).toMatchObject({ kind: 'assessed', detail: expect.objectContaining({ afterClose: true }) });
      expect(registerRow(assessed, policy, now).afterClose).toMatch(
        /assessment personal data yes, risk none at 2026-12-02T10:00:00.000Z by FG: forensisch onderzoek/,
      );
      const { incident } = await recordReport(deps, { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'geen persoonsgegevens', by: 'FG' });
      expect(incident.state).toBe('closed');
      expect(registerRow(incident, policy, now)).toMatchObject({ notifiable: false, afterClose: expect.stringMatching(/ap:withdrawal:M-1/) });
      expect(clocksOf(incident, policy, now).find((c) => c.name === 'ap')?.status).not.toBe('overdue');
    });

    it('records an Art. 34 communication made after closing, with its reason, in the register', async () => {
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'AP: hoog risico na lezen melding', by: 'FG', confirmAfterClose: true });
      const informed = await decideSubjects(deps, {
        incidentId: id,
        decision: 'inform',
        text: 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
        date: '2026-12-02T09:00:00.000Z',
        channel: 'e-mail',
        reason: 'de AP eiste het (art. 34(4))',
        by: 'FG',
        confirmAfterClose: true,
      });
      expect(informed).toMatchObject({ state: 'closed', subjects: expect.objectContaining({ decision: 'inform' }) });
      const row = registerRow(informed, policy, now);
      expect(row.subjectsDecision).toMatch(/^inform 2026-12-02T09:00:00.000Z via e-mail/);
      expect(row.afterClose).toMatch(/subjects inform .*at 2026-12-02T10:00:00.000Z by FG: de AP eiste het/);
      expect((await t.store.getTimeline(id)).at(-1)).toMatchObject({ kind: 'subjects-decided', detail: expect.objectContaining({ afterClose: true }) });
    });

    it('needs the reason, and takes no move of awareness, role or NIS2 decision: no clock reopens', async () => {
      const before = await stored();
      await expect(assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: ' ', by: 'FG' })).rejects.toThrow(/reason/);
      await expect(assess(deps, { incidentId: id, awareAt: '2026-11-27T22:00:00.000Z', awareReason: 'later', reason: 'x', by: 'FG' })).rejects.toThrow(
        /closed/,
      );
      await expect(assess(deps, { incidentId: id, actingAs: 'processor', reason: 'x', by: 'FG' })).rejects.toThrow(/closed/);
      await expect(assess(deps, { incidentId: id, personalData: 'no', risk: 'none', actingAs: 'processor', reason: 'x', by: 'FG' })).rejects.toThrow(/closed/);
      expect((await stored()).revision).toBe(before.revision);
    });
  });

  describe('F6. closing with containment failed or not carried out', () => {
    beforeEach(async () => {
      await open({ actions: [FAILED_KEY] });
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'sleutel misbruikt', by: 'FG' });
      await recordFacts(deps, { incidentId: id, by: 'FG', ...FACTS });
      await recordReport(deps, { incidentId: id, reference: 'M-1', by: 'FG' });
    });

    it('is refused naming the failed action, until a reason says what was done by hand or why it is left', async () => {
      expect(closeBlockers(await stored(), policy, now).join('; ')).toMatch(/deactivate-access-key AKIAEXAMPLE.*failed.*--containment-reason/);
      await expect(closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' })).rejects.toThrow(/deactivate-access-key AKIAEXAMPLE/);
      const closed = await closeIncident(deps, {
        incidentId: id,
        reason: 'afgehandeld',
        containmentReason: 'sleutel met de hand verwijderd',
        by: 'FG',
        followUpReason: 'de aanvulling ging per brief naar de AP',
      });
      expect(closed).toMatchObject({ state: 'closed', containmentReason: 'sleutel met de hand verwijderd' });
      expect((await t.store.getTimeline(id)).at(-1)).toMatchObject({
        kind: 'closed',
        detail: expect.objectContaining({
          containmentReason: 'sleutel met de hand verwijderd',
          containmentNotCarriedOut: ['deactivate-access-key:AKIAEXAMPLE'],
        }),
      });
      const row = registerRow(closed, policy, now);
      expect(row).toMatchObject({ containmentReason: 'sleutel met de hand verwijderd', measuresTaken: 'wachtwoorden gereset' });
      expect(row.containment).toMatch(/deactivate-access-key AKIAEXAMPLE: failed 2026-11-27T21:02:00.000Z \(deactivate failed \(AccessDenied\)\)/);
      // Added after the earlier columns (scripts read by position), in this order; later ones follow them.
      const at = REGISTER_COLUMNS.indexOf('containment');
      expect(REGISTER_COLUMNS.slice(at, at + 3)).toEqual(['containment', 'containmentReason', 'statedClock']);
      const md = registerMarkdown([closed], policy, now, 'nl');
      expect(md).toMatch(/AKIAEXAMPLE \(mislukt: .*deactivate failed \(AccessDenied\)/);
      expect(md).toMatch(/sleutel met de hand verwijderd/);
    });

    it('refuses a containment reason when nothing is left undone: the record would explain what is not there', async () => {
      await open({ id: 'dl-other' });
      const other = { ...deps };
      await assess(other, { incidentId: 'dl-other', personalData: 'no', risk: 'none', reason: 'geen gegevens', by: 'FG' });
      await expect(closeIncident(other, { incidentId: 'dl-other', reason: 'klaar', containmentReason: 'x', by: 'FG' })).rejects.toThrow(
        /containment-reason.*nothing/,
      );
    });

    it('counts an enforced action still planned, not a plan-mode one or a released one', async () => {
      const planned = { ...FAILED_KEY, id: 'isolate-instance:i-1', type: 'isolate-instance', target: 'i-1', status: 'planned' as const, steps: [] };
      const plan = { ...planned, id: 'isolate-instance:i-2', target: 'i-2', mode: 'plan' as const };
      const released = { ...FAILED_KEY, released: { at: now, by: 'on-call', reason: 'sleutel verwijderd' } };
      const incident = { ...(await stored()), actions: [planned, plan, released] };
      const blockers = closeBlockers(incident, policy, now).join('; ');
      expect(blockers).toMatch(/isolate-instance i-1 \(planned, not carried out\)/);
      expect(blockers).not.toMatch(/i-2|AKIAEXAMPLE/);
    });
  });

  describe('F5. a released containment stays in the register as a measure taken', () => {
    beforeEach(async () => open({ actions: [RELEASED_ISOLATION] }));

    it('with its time, and when, by whom and why it was released; the draft lists only what is in effect', async () => {
      const incident = await stored();
      const row = registerRow(incident, policy, now);
      expect(row.measuresTaken).toMatch(
        /isolate-instance i-dl-review3 \(2026-11-27T21:03:00.000Z\).*; released at 2026-11-28T15:00:00.000Z by on-call: instantie opnieuw opgebouwd/,
      );
      expect(row.containment).toMatch(/isolate-instance i-dl-review3: done 2026-11-27T21:03:00.000Z; released at 2026-11-28T15:00:00.000Z by on-call/);
      expect(registerMarkdown([incident], policy, now, 'nl')).toMatch(/opgeheven op 2026-11-28 16:00 .*door on-call: instantie opnieuw opgebouwd/);
      expect(draftMarkdown(buildDraft(incident, policy, now), policy.timeZone)).not.toMatch(/i-dl-review3 \(2026-11-27 22:03/);
    });
  });

  describe('F3. texts', () => {
    it('says "geïnformeerd op" for data subjects informed on a date, in the draft and the register', async () => {
      await open();
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'patiëntgegevens', by: 'FG' });
      const informed = await decideSubjects(deps, {
        incidentId: id,
        decision: 'inform',
        text: 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
        date: '2026-11-28T07:00:00.000Z',
        channel: 'email',
        reason: 'hoog risico',
        by: 'FG',
      });
      const md = registerMarkdown([informed], policy, now, 'nl');
      expect(md).toMatch(/geïnformeerd op 2026-11-28 08:00/);
      expect(md).not.toMatch(/informeren op/);
      expect(registerMarkdown([informed], policy, now, 'en')).toMatch(/informed on 2026-11-28 08:00/);
      expect(draftMarkdown(buildDraft(informed, policy, now), policy.timeZone)).toMatch(/geïnformeerd op 2026-11-28 08:00/);
    });

    it('ends the summary with a full stop in the Art. 34 notice', async () => {
      await open();
      await recordFacts(deps, { incidentId: id, by: 'FG', summary: 'Malware op applicatieserver' });
      const text = buildNotice(await stored(), policy, now, 'nl').sections.find((s) => s.key === 'whatHappened')?.text;
      expect(text).toMatch(/^Malware op applicatieserver\. Het begon op/);
      await recordFacts(deps, { incidentId: id, by: 'FG', summary: 'Wat gebeurde er?' });
      expect(buildNotice(await stored(), policy, now, 'nl').sections[0]?.text).toMatch(/^Wat gebeurde er\? Het begon/);
    });
  });
});
