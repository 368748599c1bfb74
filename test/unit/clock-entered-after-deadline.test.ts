/**
 * The entered-after-deadline rule for every clock a report meets, not only the AP's: a report to
 * the CSIRT and the competent authority (NIS2), to the controller (a processor, Art. 33(2)) or the
 * AP's initial one under the Telecommunicatiewet, dated before its clock's deadline but entered
 * after the record held that clock overdue, would make the record say "met" against its own
 * overdue reminders. As for the AP: the FG confirms the time stated, and the record marks it,
 * naming the clock, in `show` (text and JSON), on the page and in the register. The AP's own
 * output does not change. The incident is detected 2026-11-27 21:00 UTC.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showObject, showText } from '../../handlers/cli/views.js';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const EARLY_WARNING_DUE = '2026-11-28T21:00:00.000Z';
const yes = { personalData: 'yes' as const, risk: 'risk' as const, reason: 'klantgegevens', by: 'FG' };

describe('a report entered after its clock had passed', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  let policy: Policy;
  const id = 'dl-clocks';
  const at = (iso: string) => {
    now = iso;
  };
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const clock = async (name: string) => clocksOf(await stored(), policy, now).find((c) => c.name === name);
  const open = async (p: Policy) => {
    policy = p;
    deps = { store: t.store, policy, now: () => now };
  };

  beforeEach(async () => {
    t = tempSqliteStore();
    now = '2026-11-27T22:00:00.000Z';
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  describe('NIS2: the early warning, to both the CSIRT and the competent authority', () => {
    beforeEach(async () => {
      await open(parsePolicy({ organisation: org, clocks: { nis2: true } }));
      await assess(deps, { incidentId: id, ...yes, nis2Significant: true });
      // The next morning the early warning is overdue; the CSIRT's is recorded, dated before the deadline.
      at('2026-11-29T09:00:00.000Z');
      await recordReport(deps, { incidentId: id, to: 'csirt', kind: 'early-warning', reference: 'CS-1', at: '2026-11-28T20:00:00Z', by: 'FG' });
    });

    it('is refused, naming the clock, until the FG confirms the time stated; nothing is written', async () => {
      // The CSIRT's alone did not meet the clock: it stays overdue, and asked for no confirmation.
      expect((await clock('nis2-early-warning'))?.status).toBe('overdue');
      const before = await stored();
      const report = { incidentId: id, to: 'authority' as const, kind: 'early-warning', reference: 'AU-1', at: '2026-11-28T20:30:00Z', by: 'FG' };
      await expect(recordReport(deps, report)).rejects.toThrow(
        /NIS2 early warning deadline \(2026-11-28 22:00 CET \(2026-11-28T21:00:00.000Z\)\).*entered at 2026-11-29 10:00 CET \(2026-11-29T09:00:00.000Z\).*overdue from 2026-11-28 22:00 CET \(2026-11-28T21:00:00.000Z\).*--confirm-stated-time/,
      );
      expect((await stored()).revision).toBe(before.revision);
      await expect(recordReport(deps, report)).rejects.toMatchObject({
        page: { nl: expect.stringMatching(/NIS2 vroegtijdige waarschuwing.*Ik bevestig het opgegeven tijdstip/) },
      });
    });

    it('marks the report and the clock, naming it, in show, its JSON, the register and the page; the AP clock is as it was', async () => {
      const apBefore = await clock('ap');
      const { report } = await recordReport(deps, {
        incidentId: id,
        to: 'authority',
        kind: 'early-warning',
        reference: 'AU-1',
        at: '2026-11-28T20:30:00Z',
        confirmStatedTime: true,
        by: 'FG',
      });
      expect(report.clocksEnteredAfterDeadline).toEqual([{ clock: 'nis2-early-warning', deadline: EARLY_WARNING_DUE, overdueFrom: EARLY_WARNING_DUE }]);
      expect(report.enteredAfterDeadline).toBeUndefined();
      const incident = await stored();
      const warning = await clock('nis2-early-warning');
      expect(warning).toMatchObject({
        status: 'met',
        note: {
          en: 'entered after the NIS2 early warning deadline had passed',
          nl: 'ingevoerd na het verstrijken van de termijn voor de NIS2 vroegtijdige waarschuwing',
        },
        enteredAfterDeadline: { deadline: EARLY_WARNING_DUE, overdueFrom: EARLY_WARNING_DUE, recordedAt: '2026-11-29T09:00:00.000Z' },
      });
      // The notification, due later, is not marked; nor is the AP clock.
      expect((await clock('nis2-notification'))?.note).toBeUndefined();
      expect(await clock('ap')).toEqual(apBefore);

      expect(showText(incident, [], policy, now)).toMatch(
        /NIS2 early warning \(24 hours\): met \(.*\) \(entered after the NIS2 early warning deadline had passed\)/,
      );
      expect(showText(incident, [], policy, now)).toMatch(
        /reported {7}authority early-warning AU-1 at .* by FG \(entered after the NIS2 early warning deadline had passed: 2026-11-29 10:00 CET; overdue from 2026-11-28 22:00 CET\)/,
      );
      const json = showObject(incident, [], policy, now) as unknown as { clocks: Record<string, unknown>[] };
      expect(json.clocks.find((c) => c.name === 'nis2-early-warning')).toMatchObject({
        enteredAfterDeadline: { deadline: EARLY_WARNING_DUE, overdueFrom: EARLY_WARNING_DUE, recordedAt: '2026-11-29T09:00:00.000Z' },
      });
      expect(json.clocks.find((c) => c.name === 'ap')).not.toHaveProperty('enteredAfterDeadline');

      const row = registerRow(incident, policy, now);
      expect(row.otherClocks).toContain(
        'nis2-early-warning: met (entered after the NIS2 early warning deadline had passed; overdue from 2026-11-28T21:00:00.000Z)',
      );
      expect(row.enteredAfterDeadline).toBe(false);
      expect(registerMarkdown([incident], policy, now, 'nl')).toContain('ingevoerd na het verstrijken van de termijn voor de NIS2 vroegtijdige waarschuwing');

      const web = inProcessWebApp({ store: t.store, policy, now: () => now });
      const page = pageText(await (await web.get(`/incidents/${id}`, 'nl')).text());
      expect(page).toContain('(ingevoerd na het verstrijken van de termijn voor de NIS2 vroegtijdige waarschuwing)');
    });

    it('asks no confirmation of a report dated after the deadline: that one is late, and says so', async () => {
      const { report } = await recordReport(deps, {
        incidentId: id,
        to: 'authority',
        kind: 'early-warning',
        reference: 'AU-1',
        at: '2026-11-29T08:00:00Z',
        by: 'FG',
      });
      expect(report.clocksEnteredAfterDeadline).toBeUndefined();
      expect(await clock('nis2-early-warning')).toMatchObject({ status: 'late' });
      expect((await clock('nis2-early-warning'))?.note).toBeUndefined();
    });

    it('on the page: offers the confirmation while the clock is overdue, and without it refuses beside the time stated, as for the AP', async () => {
      const web = inProcessWebApp({ store: t.store, policy, now: () => now });
      const html = await (await web.get(`/incidents/${id}`, 'nl')).text();
      expect(html).toContain('id="f-reported-confirm-stated-time"');
      const res = await web.post(`/incidents/${id}/reported`, {
        _csrf: csrfOf(html),
        reference: 'AU-1',
        recipient: 'authority',
        kind: 'early-warning',
        at: '2026-11-28T21:30',
      });
      expect(res.status).toBe(400);
      const error = /<p class="error" id="f-reported-at-error">([^<]*)<\/p>/.exec(await res.text());
      expect(pageText(error?.[1] ?? '')).toContain('NIS2 vroegtijdige waarschuwing');
      const ok = await web.post(`/incidents/${id}/reported`, {
        _csrf: csrfOf(html),
        reference: 'AU-1',
        recipient: 'authority',
        kind: 'early-warning',
        at: '2026-11-28T21:30',
        'confirm-stated-time': 'on',
      });
      expect(ok.status).toBe(303);
      expect((await clock('nis2-early-warning'))?.enteredAfterDeadline).toBeDefined();
    });
  });

  it("NIS2: overdue from the significance decision, when that came after the clock's deadline", async () => {
    await open(parsePolicy({ organisation: org, clocks: { nis2: true } }));
    at('2026-11-29T08:00:00.000Z');
    await assess(deps, { incidentId: id, ...yes, nis2Significant: true });
    at('2026-11-29T09:00:00.000Z');
    await recordReport(deps, { incidentId: id, to: 'csirt', kind: 'early-warning', reference: 'CS-1', at: '2026-11-28T20:00:00Z', by: 'FG' });
    const { report } = await recordReport(deps, {
      incidentId: id,
      to: 'authority',
      kind: 'early-warning',
      reference: 'AU-1',
      at: '2026-11-28T20:30:00Z',
      confirmStatedTime: true,
      by: 'FG',
    });
    expect(report.clocksEnteredAfterDeadline).toEqual([{ clock: 'nis2-early-warning', deadline: EARLY_WARNING_DUE, overdueFrom: '2026-11-29T08:00:00.000Z' }]);
  });

  it('a processor: the report to the controller, dated within its hours but entered after them', async () => {
    await open(parsePolicy({ organisation: { ...org, processor: true } }));
    await assess(deps, { incidentId: id, ...yes });
    at('2026-11-29T09:00:00.000Z');
    const report = { incidentId: id, to: 'controller' as const, kind: 'initial', reference: 'VV-1', at: '2026-11-28T20:00:00Z', by: 'FG' };
    await expect(recordReport(deps, report)).rejects.toThrow(
      /deadline to inform the controller \(2026-11-28 22:00 CET \(2026-11-28T21:00:00.000Z\)\).*--confirm-stated-time/,
    );
    const { report: marked } = await recordReport(deps, { ...report, confirmStatedTime: true });
    expect(marked.clocksEnteredAfterDeadline).toEqual([{ clock: 'processor', deadline: EARLY_WARNING_DUE, overdueFrom: EARLY_WARNING_DUE }]);
    expect((await clock('processor'))?.note?.en).toBe('entered after the deadline to inform the controller had passed');
  });

  it('the Telecommunicatiewet: the initial AP report within its 24 hours but entered after them; the AP clock stays unmarked', async () => {
    await open(parsePolicy({ organisation: org, clocks: { telecom: true } }));
    await assess(deps, { incidentId: id, ...yes });
    at('2026-11-29T09:00:00.000Z');
    const report = { incidentId: id, reference: 'M-1', at: '2026-11-28T20:00:00Z', by: 'FG' };
    await expect(recordReport(deps, report)).rejects.toThrow(/telecom initial notification deadline .*--confirm-stated-time/);
    const { report: marked } = await recordReport(deps, { ...report, confirmStatedTime: true });
    expect(marked.clocksEnteredAfterDeadline).toEqual([{ clock: 'telecom-initial', deadline: EARLY_WARNING_DUE, overdueFrom: EARLY_WARNING_DUE }]);
    expect(marked.enteredAfterDeadline).toBeUndefined();
    expect(await clock('ap')).toMatchObject({ status: 'met' });
    expect((await clock('ap'))?.note).toBeUndefined();
    expect((await clock('telecom-initial'))?.note?.en).toBe('entered after the telecom initial notification deadline had passed');
    expect(registerRow(await stored(), policy, now)).toMatchObject({ enteredAfterDeadline: false, apInitialStatus: 'met' });
  });

  describe('a decision that stops a clock the record held overdue', () => {
    it('NIS2: a moment of awareness moved later leaves the NIS2 clocks where they were: no confirmation to ask, the early warning stays overdue (review 7 G5)', async () => {
      await open(parsePolicy({ organisation: org, clocks: { nis2: true } }));
      // Personal data not yet known: the GDPR awareness may still move later.
      await assess(deps, { incidentId: id, personalData: 'unknown', risk: 'risk', reason: 'onderzoek loopt', by: 'FG', nis2Significant: true });
      at('2026-11-29T09:00:00.000Z');
      expect((await clock('nis2-early-warning'))?.status).toBe('overdue');
      // NIS2 awareness is of the incident (art. 23(4)(a)), not certainty about personal data: the
      // move is the GDPR's alone, and the NIS2 deadline it no longer touches needs no confirmation.
      const after = await assess(deps, { incidentId: id, awareAt: '2026-11-28T12:00:00Z', awareReason: 'pas toen bleek het een incident', by: 'FG' });
      expect(after.decisions?.at(-1)).toMatchObject({ kind: 'awareness' });
      expect(after.decisions?.at(-1)?.clocksEnteredAfterDeadline).toBeUndefined();
      expect(await clock('nis2-early-warning')).toMatchObject({ status: 'overdue', dueAt: EARLY_WARNING_DUE });
      // The AP deadline had not passed: its clock is not marked.
      expect((await clock('ap'))?.note).toBeUndefined();
    });

    it('the Telecommunicatiewet: "no personal data" after its initial notification was overdue needs confirming; the AP clock reads as before', async () => {
      await open(parsePolicy({ organisation: org, clocks: { telecom: true } }));
      at('2026-11-29T09:00:00.000Z');
      const no = { incidentId: id, personalData: 'no' as const, risk: 'none' as const, reason: 'testgegevens', by: 'FG' };
      // The page offers the confirmation with the assessment too.
      const web = inProcessWebApp({ store: t.store, policy, now: () => now });
      expect(await (await web.get(`/incidents/${id}`)).text()).toContain('id="f-assess-confirm-stated-time"');
      await expect(assess(deps, no)).rejects.toThrow(/telecom initial notification deadline .*--confirm-stated-time/);
      const after = await assess(deps, { ...no, confirmStatedTime: true });
      expect(after.decisions?.at(-1)).toMatchObject({
        kind: 'assessment',
        clocksEnteredAfterDeadline: [{ clock: 'telecom-initial', deadline: EARLY_WARNING_DUE, overdueFrom: EARLY_WARNING_DUE }],
      });
      expect((await clock('telecom-initial'))?.note?.en).toBe(
        'no personal data (FG decision); entered after the telecom initial notification deadline had passed',
      );
      expect(await clock('ap')).toMatchObject({ status: 'not-needed', note: { en: 'not notifiable (FG decision)' } });
      expect(showText(after, [], policy, now)).toMatch(/decision .*assessment .*entered after the telecom initial notification deadline had passed/);
    });

    it('a processor declared controller after its time to inform the controller had passed: the decision is marked', async () => {
      await open(parsePolicy({ organisation: { ...org, processor: true } }));
      await assess(deps, { incidentId: id, ...yes });
      at('2026-11-29T09:00:00.000Z');
      const role = { incidentId: id, actingAs: 'controller' as const, reason: 'eigen klantgegevens', by: 'FG' };
      await expect(assess(deps, role)).rejects.toThrow(/deadline to inform the controller .*--confirm-stated-time/);
      const after = await assess(deps, { ...role, confirmStatedTime: true });
      expect(after.decisions?.at(-1)).toMatchObject({ kind: 'role', clocksEnteredAfterDeadline: [{ clock: 'processor' }] });
      expect(registerRow(after, policy, now).otherClocks).not.toContain('processor');
    });
  });
});
