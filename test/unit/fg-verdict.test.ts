/**
 * The AP verdict the FG must defend (review of 29 November, items 3 and 4): "met" never reads
 * unmarked when the record shows the deadline had passed before the time it rests on was entered,
 * and "late" always carries the reasons for the delay (Art. 33(1)), however the record got there.
 * The incident is detected 2026-11-27 21:00 UTC; its AP deadline is 2026-11-30 21:00 UTC.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, closeBlockers, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { REGISTER_FACTS as FACTS, incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const DEADLINE = '2026-11-30T21:00:00.000Z';

describe('the AP verdict cannot flip or read "met" unmarked', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  let id: string;
  const at = (iso: string) => {
    now = iso;
  };
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const ap = (incident: Incident) => clocksOf(incident, policy, now).find((c) => c.name === 'ap');
  const yes = { personalData: 'yes' as const, risk: 'risk' as const, reason: 'klantgegevens', by: 'FG' };

  beforeEach(async () => {
    t = tempSqliteStore();
    now = '2026-11-28T08:00:00.000Z';
    deps = { store: t.store, policy, now: () => now };
    const incident: Incident = incidentFixture({ id: 'dl-verdict' });
    id = incident.id;
    await t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  describe('3a. awareness moved earlier after the report was recorded', () => {
    beforeEach(async () => {
      await assess(deps, { incidentId: id, ...yes, awareAt: '2026-11-28T06:00:00Z', awareReason: 'onderzoek' });
      at('2026-11-30T23:05:00.000Z');
      await recordReport(deps, { incidentId: id, reference: 'M-1', at: '2026-11-30T23:00:00Z', by: 'FG' });
      at('2026-12-01T00:00:00.000Z');
    });

    it('is refused when it makes the recorded report late without the reasons for the delay, and nothing is written', async () => {
      const before = await stored();
      await expect(
        assess(deps, { incidentId: id, awareAt: '2026-11-27T22:00:00Z', awareReason: 'toch eerder', reason: 'correctie', by: 'FG' }),
      ).rejects.toThrow(/initial report M-1.*late.*Art\. 33\(1\).*--delay-reason/);
      const after = await stored();
      expect(after.revision).toBe(before.revision);
      expect(ap(after)?.status).toBe('met');
    });

    it('keeps the reasons for the delay with the move: "late" then carries them, in the register and the draft', async () => {
      const moved = await assess(deps, {
        incidentId: id,
        awareAt: '2026-11-27T22:00:00Z',
        awareReason: 'toch eerder',
        reason: 'correctie',
        delayReason: 'onderzoek naar de omvang',
        by: 'FG',
      });
      expect(ap(moved)?.status).toBe('late');
      expect(moved.decisions?.at(-1)).toMatchObject({ kind: 'awareness', to: '2026-11-27T22:00:00.000Z', delayReason: 'onderzoek naar de omvang' });
      // The report itself stays as it was recorded.
      expect(moved.reports?.[0].delayReason).toBeNull();
      const row = registerRow(moved, policy, now);
      expect(row).toMatchObject({ apInitialStatus: 'late', delayReason: 'onderzoek naar de omvang' });
      expect(row.delayReasons).toEqual([expect.objectContaining({ reason: 'onderzoek naar de omvang', given: 'awareness', by: 'FG', recordedAt: now })]);
      const draft = buildDraft(moved, policy, now, 'en');
      expect(draft.missing.join(' ')).not.toMatch(/delay/);
      const delay = draft.sections.flatMap((s) => s.fields).find((f) => f.key === 'delayReason');
      expect(delay?.value).toContain('onderzoek naar de omvang');
    });

    it('refuses a delay reason with a move that leaves the report in time: there is no delay to explain', async () => {
      await expect(
        assess(deps, { incidentId: id, awareAt: '2026-11-28T05:00:00Z', awareReason: 'iets eerder', reason: 'correctie', delayReason: 'x', by: 'FG' }),
      ).rejects.toThrow(/no delay to explain|within the AP deadline/);
    });
  });

  describe('a report already recorded as late without its reasons (a record made before this rule) can be repaired, never overwritten', () => {
    beforeEach(async () => {
      // As the review's store held it: the initial report late by the present deadline, no reasons.
      const incident = await stored();
      const late: Incident = {
        ...incident,
        revision: incident.revision,
        state: 'reported',
        assessment: { personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG', at: '2026-11-28T08:00:00.000Z', notifiable: true },
        reports: [
          {
            version: 1,
            to: 'ap',
            kind: 'initial',
            reference: 'M-1',
            at: '2026-12-01T09:00:00.000Z',
            delayReason: null,
            by: 'FG',
            recordedAt: '2026-12-01T09:05:00.000Z',
          },
        ],
      };
      await t.store.commit({ incident: { ...late, revision: incident.revision + 1 }, expectedRevision: incident.revision, timeline: [], messages: [] });
      at('2026-12-01T10:00:00.000Z');
      await recordFacts(deps, { incidentId: id, by: 'FG', ...FACTS });
    });

    it('holds up closing until the reasons are recorded (Art. 33(1))', async () => {
      expect(ap(await stored())?.status).toBe('late');
      expect(closeBlockers(await stored(), policy, now).join(' ')).toMatch(/late.*reasons for the delay.*Art\. 33\(1\)/);
    });

    it('takes the reasons with a follow-up or correction to the AP, keeping the initial report as it was', async () => {
      at('2026-12-01T11:00:00.000Z');
      const { incident } = await recordReport(deps, {
        incidentId: id,
        reference: 'M-1',
        kind: 'follow-up',
        delayReason: 'de omvang was pas later bekend',
        by: 'FG',
      });
      expect(incident.reports?.[0].delayReason).toBeNull();
      expect(incident.reports?.[1]).toMatchObject({ kind: 'follow-up', delayReason: 'de omvang was pas later bekend' });
      expect(registerRow(incident, policy, now)).toMatchObject({ apInitialStatus: 'late', delayReason: 'de omvang was pas later bekend' });
      // The delay is explained; what is left is the AP's complete facts, never marked complete here (Art. 33(4)).
      expect(closeBlockers(incident, policy, now)).toEqual([expect.stringMatching(/only the first phase .*Art\. 33\(4\)/)]);
      expect(buildDraft(incident, policy, now, 'en').missing.join(' ')).not.toMatch(/delay/);
    });
  });

  it('refuses reasons for a delay on a follow-up when the initial report was in time', async () => {
    await assess(deps, { incidentId: id, ...yes });
    await recordReport(deps, { incidentId: id, reference: 'M-1', by: 'FG' });
    at('2026-11-28T09:00:00.000Z');
    await expect(recordReport(deps, { incidentId: id, reference: 'M-1', kind: 'follow-up', delayReason: 'x', by: 'FG' })).rejects.toThrow(
      /late initial report/,
    );
  });

  describe('3b. an awareness stated long before it was entered, after the deadline had passed', () => {
    const move = { incidentId: id, awareAt: '2026-11-29T21:00:00Z', awareReason: 'onderzoek', ...yes };

    it('needs the FG to confirm it, and is then marked entered later, after the deadline, wherever the verdict shows', async () => {
      at('2026-12-01T19:00:00.000Z');
      const before = await stored();
      await expect(assess(deps, { ...move, incidentId: id })).rejects.toThrow(/after the AP deadline.*had passed.*--confirm-stated-time/);
      expect((await stored()).revision).toBe(before.revision);

      const moved = await assess(deps, { ...move, incidentId: id, confirmStatedTime: true });
      expect(moved.decisions?.find((d) => d.kind === 'awareness')).toMatchObject({ enteredLater: true, enteredAfterDeadline: DEADLINE });
      at('2026-12-01T20:05:00.000Z');
      const { incident } = await recordReport(deps, { incidentId: id, reference: 'M-1', at: '2026-12-01T20:00:00Z', by: 'FG' });
      expect(ap(incident)?.status).toBe('met');
      const row = registerRow(incident, policy, now);
      expect(row).toMatchObject({ apInitialStatus: 'met', awarenessEnteredLater: true, enteredAfterDeadline: true });
      expect(row.apClock).toMatch(/initial notification met; .*entered after the AP deadline had passed/);
      expect(row.enteredLater).toContain('awareness stated 2026-11-29T21:00:00.000Z recorded 2026-12-01T19:00:00.000Z');
      expect(registerMarkdown([incident], policy, now, 'nl')).toMatch(/na het verstrijken van de termijn/);
      expect(buildDraft(incident, policy, now, 'en').warnings.join(' ')).toMatch(/awareness.*entered.*after the AP deadline/i);
    });

    it('asks nothing when the deadline passed while the FG held the breach not notifiable: no clock ran, no overdue reminder went', async () => {
      await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver', by: 'FG' });
      at('2026-12-01T19:00:00.000Z');
      const moved = await assess(deps, { ...move, incidentId: id, awareAt: '2026-12-01T10:00:00Z', reason: 'toch klantgegevens gevonden' });
      expect(moved.decisions?.find((d) => d.kind === 'awareness')).toMatchObject({ enteredLater: false });
      expect(registerRow(moved, policy, now)).toMatchObject({ awarenessEnteredLater: false, enteredAfterDeadline: false });
    });

    it('marks an awareness stated more than a day before it is entered, before any deadline passed, without asking to confirm', async () => {
      at('2026-11-29T12:00:00.000Z');
      const moved = await assess(deps, { ...move, incidentId: id, awareAt: '2026-11-28T06:00:00Z' });
      expect(moved.decisions?.find((d) => d.kind === 'awareness')).toMatchObject({ enteredLater: true });
      expect(registerRow(moved, policy, now)).toMatchObject({ awarenessEnteredLater: true, enteredAfterDeadline: false });
    });
  });

  describe('4. a report entered after the deadline, dated before it', () => {
    beforeEach(async () => {
      await assess(deps, { incidentId: id, ...yes });
      at('2026-12-01T16:00:00.000Z');
    });

    it('needs the FG to confirm the time stated, and then reads "met", marked entered after the deadline', async () => {
      const before = await stored();
      await expect(recordReport(deps, { incidentId: id, reference: 'AP-1', at: '2026-11-30T20:30:00Z', by: 'FG' })).rejects.toThrow(
        /before the AP deadline.*entered.*after it had passed.*--confirm-stated-time/,
      );
      expect((await stored()).revision).toBe(before.revision);

      const { incident, report } = await recordReport(deps, {
        incidentId: id,
        reference: 'AP-1',
        at: '2026-11-30T20:30:00Z',
        by: 'FG',
        confirmStatedTime: true,
      });
      expect(report).toMatchObject({ enteredLater: true, enteredAfterDeadline: DEADLINE });
      // Every view of the AP clock (status, show, the page, the HTML report) says so beside "met".
      expect(ap(incident)).toMatchObject({ status: 'met', note: { en: 'entered after the AP deadline had passed' } });
      const row = registerRow(incident, policy, now);
      expect(row).toMatchObject({ apInitialStatus: 'met', apReportEnteredLater: true, enteredAfterDeadline: true, delayReason: null });
      expect(row.apClock).toMatch(/initial notification met; .*entered after the AP deadline had passed/);
    });

    it('asks it also when the report is entered less than a day after its stated time', async () => {
      at('2026-11-30T21:30:00.000Z');
      await expect(recordReport(deps, { incidentId: id, reference: 'AP-1', at: '2026-11-30T20:55:00Z', by: 'FG' })).rejects.toThrow(/--confirm-stated-time/);
    });

    it('asks nothing more of a report stated after the deadline: it is late, and needs its reasons as before', async () => {
      await expect(recordReport(deps, { incidentId: id, reference: 'AP-1', at: '2026-12-01T15:00:00Z', by: 'FG' })).rejects.toThrow(/--delay-reason/);
      const { report } = await recordReport(deps, { incidentId: id, reference: 'AP-1', at: '2026-12-01T15:00:00Z', by: 'FG', delayReason: 'weekend' });
      expect(report.enteredAfterDeadline ?? null).toBeNull();
    });

    it('asks nothing of a report entered before the deadline', async () => {
      at('2026-11-30T20:00:00.000Z');
      const { report } = await recordReport(deps, { incidentId: id, reference: 'AP-1', at: '2026-11-30T19:00:00Z', by: 'FG' });
      expect(report.enteredLater).toBe(false);
    });
  });
});
