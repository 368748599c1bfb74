/**
 * A report entered with a `--now` a few minutes behind the machine's clock (within the skew a run's
 * clock may lag what the record already holds, stated-time.ts RECORDING_SKEW_MS), after the sweep
 * had already queued the overdue reminder or something was recorded after the deadline: the record
 * held the clock overdue, whatever this run's `--now` says. A report dated before the deadline then
 * needs the FG's confirmation and is marked entered after the deadline, as one entered after it.
 * The incident is detected 2026-11-27 21:00 UTC; its AP deadline is 2026-11-30 21:00 UTC.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { sweep } from '../../handlers/core/sweep.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const AP_DEADLINE = '2026-11-30T21:00:00.000Z';
const EARLY_WARNING_DUE = '2026-11-28T21:00:00.000Z';
const yes = { personalData: 'yes' as const, risk: 'risk' as const, reason: 'klantgegevens', by: 'FG' };

describe('a report entered behind the clock after the record held its clock overdue', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  let policy: Policy;
  const id = 'dl-held';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const clock = async (name: string) => clocksOf(await stored(), policy, now).find((c) => c.name === name);
  const open = (p: Policy) => {
    policy = p;
    deps = { store: t.store, policy, now: () => now };
  };

  beforeEach(async () => {
    t = tempSqliteStore();
    now = '2026-11-28T10:00:00.000Z';
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  describe('the AP', () => {
    beforeEach(async () => {
      open(parsePolicy({ organisation: org }));
      await assess(deps, { incidentId: id, ...yes });
    });

    it('after the sweep queued the overdue reminder: refused until confirmed, then marked entered after the deadline', async () => {
      now = '2026-11-30T21:01:00.000Z';
      const swept = await sweep(deps);
      expect(swept.sent.map((s) => s.kind)).toContain('ap-overdue');
      // The FG's run: its --now two minutes behind, before the deadline; the report dated before it.
      now = '2026-11-30T20:59:00.000Z';
      const report = { incidentId: id, reference: 'M-1', at: '2026-11-30T20:00:00Z', by: 'FG' };
      const before = await stored();
      await expect(recordReport(deps, report)).rejects.toThrow(
        /AP deadline \(2026-11-30 22:00 CET \(2026-11-30T21:00:00.000Z\)\).*overdue from 2026-11-30 22:00 CET \(2026-11-30T21:00:00.000Z\).*--confirm-stated-time/,
      );
      expect((await stored()).revision).toBe(before.revision);
      const { report: marked } = await recordReport(deps, { ...report, confirmStatedTime: true });
      expect(marked).toMatchObject({ enteredAfterDeadline: AP_DEADLINE, enteredLater: true });
      expect(await clock('ap')).toMatchObject({ status: 'met', note: { en: 'entered after the AP deadline had passed' } });
    });

    it('the page offers the confirmation then, though its clock reads before the deadline', async () => {
      now = '2026-11-30T21:01:00.000Z';
      await sweep(deps);
      now = '2026-11-30T20:59:00.000Z';
      const web = inProcessWebApp({ store: t.store, policy, now: () => now });
      const html = await (await web.get(`/incidents/${id}`, 'nl')).text();
      expect(html).toContain('id="f-reported-confirm-stated-time"');
      const res = await web.post(`/incidents/${id}/reported`, {
        _csrf: csrfOf(html),
        reference: 'M-1',
        recipient: 'ap',
        kind: 'initial',
        at: '2026-11-30T21:00',
      });
      expect(res.status).toBe(400);
    });

    it('after the FG recorded something past the deadline: the same', async () => {
      now = '2026-11-30T21:02:00.000Z';
      await recordFacts(deps, { incidentId: id, summary: 'back-up gelekt', by: 'FG' });
      now = '2026-11-30T20:59:00.000Z';
      const report = { incidentId: id, reference: 'M-1', at: '2026-11-30T20:00:00Z', by: 'FG' };
      await expect(recordReport(deps, report)).rejects.toThrow(/--confirm-stated-time/);
      expect((await recordReport(deps, { ...report, confirmStatedTime: true })).report.enteredAfterDeadline).toBe(AP_DEADLINE);
    });

    it('with nothing recorded after the deadline, a report within it asks nothing', async () => {
      now = '2026-11-30T20:59:00.000Z';
      const { report } = await recordReport(deps, { incidentId: id, reference: 'M-1', at: '2026-11-30T20:00:00Z', by: 'FG' });
      expect(report.enteredAfterDeadline).toBeUndefined();
      expect((await clock('ap'))?.note).toBeUndefined();
    });
  });

  it('another clock (the NIS2 early warning): after the sweep queued its overdue reminder, the report that meets it is confirmed and marked', async () => {
    open(parsePolicy({ organisation: org, clocks: { nis2: true } }));
    await assess(deps, { incidentId: id, ...yes, nis2Significant: true });
    now = '2026-11-28T21:01:00.000Z';
    const swept = await sweep(deps);
    expect(swept.sent.map((s) => s.kind)).toContain('clock-overdue');
    now = '2026-11-28T20:58:00.000Z';
    await recordReport(deps, { incidentId: id, to: 'csirt', kind: 'early-warning', reference: 'CS-1', at: '2026-11-28T20:00:00Z', by: 'FG' });
    now = '2026-11-28T20:59:00.000Z';
    const report = { incidentId: id, to: 'authority' as const, kind: 'early-warning', reference: 'AU-1', at: '2026-11-28T20:30:00Z', by: 'FG' };
    await expect(recordReport(deps, report)).rejects.toThrow(
      /NIS2 early warning deadline \(2026-11-28 22:00 CET \(2026-11-28T21:00:00.000Z\)\).*--confirm-stated-time/,
    );
    const { report: marked } = await recordReport(deps, { ...report, confirmStatedTime: true });
    expect(marked.clocksEnteredAfterDeadline).toEqual([{ clock: 'nis2-early-warning', deadline: EARLY_WARNING_DUE, overdueFrom: EARLY_WARNING_DUE }]);
    expect((await clock('nis2-early-warning'))?.note?.en).toBe('entered after the NIS2 early warning deadline had passed');
  });
});

/**
 * NIS2 art. 23(4)(e): after a progress report, the final report is due a month after the incident
 * ended. A corrected `--ended-at` entered after that deadline had passed moves it later: like every
 * other entry that stops a clock the record held overdue, it needs the FG's confirmation and is
 * marked, naming the clock.
 */
describe('a corrected end of the breach that moves the NIS2 final report deadline', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  const policy = parsePolicy({ organisation: org, clocks: { nis2: true } });
  const id = 'dl-ended';
  // A month after 1 December ends on New Year's Day, then the weekend: with Monday 4 January (Regulation 1182/71 art. 3(4); review7 G18).
  const FIRST_DUE = '2027-01-04T22:59:59.999Z';
  const final = async () => clocksOf((await t.store.getIncident(id)) as Incident, policy, now).find((c) => c.name === 'nis2-final');

  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy, now: () => now };
    now = '2026-11-28T10:00:00.000Z';
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps, { incidentId: id, ...yes, nis2Significant: true });
    for (const to of ['csirt', 'authority'] as const) await recordReport(deps, { incidentId: id, to, kind: 'notification', reference: `${to}-1`, by: 'FG' });
    now = '2026-12-20T10:00:00.000Z';
    for (const to of ['csirt', 'authority'] as const) await recordReport(deps, { incidentId: id, to, kind: 'progress', reference: `${to}-2`, by: 'FG' });
    now = '2026-12-21T10:00:00.000Z';
    await recordFacts(deps, { incidentId: id, endedAt: '2026-12-01T12:00:00Z', by: 'FG' });
    now = '2027-01-05T10:00:00.000Z';
  });
  afterEach(async () => t.cleanup());

  it('is refused after the final report was overdue until the FG confirms it; then the clock is marked', async () => {
    expect(await final()).toMatchObject({ status: 'overdue', dueAt: FIRST_DUE });
    const before = (await t.store.getIncident(id)) as Incident;
    const correction = { incidentId: id, endedAt: '2026-12-20T12:00:00Z', by: 'FG' };
    await expect(recordFacts(deps, correction)).rejects.toThrow(
      /NIS2 final report deadline \(2027-01-04 23:59 CET \(2027-01-04T22:59:59.999Z\)\).*overdue from 2027-01-04 23:59 CET \(2027-01-04T22:59:59.999Z\).*--confirm-stated-time/,
    );
    await expect(recordFacts(deps, correction)).rejects.toMatchObject({ page: { nl: expect.stringMatching(/NIS2 eindverslag.*Ik bevestig/) } });
    expect(((await t.store.getIncident(id)) as Incident).revision).toBe(before.revision);
    await recordFacts(deps, { ...correction, confirmStatedTime: true });
    expect(await final()).toMatchObject({
      status: 'running',
      note: { en: expect.stringContaining('entered after the NIS2 final report deadline had passed') },
      enteredAfterDeadline: { deadline: FIRST_DUE, overdueFrom: FIRST_DUE, recordedAt: now },
    });
  });

  it('on the page: the facts form offers the confirmation, and records the correction with it', async () => {
    const web = inProcessWebApp({ store: t.store, policy, now: () => now });
    const html = await (await web.get(`/incidents/${id}`, 'nl')).text();
    expect(html).toContain('id="f-facts-confirm-stated-time"');
    const correction = { _csrf: csrfOf(html), ...formBase(html, 'facts'), 'ended-at': '2026-12-20T13:00' };
    const refused = await web.post(`/incidents/${id}/facts`, correction);
    expect(refused.status).toBe(400);
    expect(pageText(await refused.text())).toContain('"Beëindigd op" (2026-12-20 13:00 CET) laat de termijn voor het NIS2 eindverslag');
    const ok = await web.post(`/incidents/${id}/facts`, { ...correction, 'confirm-stated-time': 'on' });
    expect(ok.status).toBe(303);
    expect((await final())?.enteredAfterDeadline).toMatchObject({ deadline: FIRST_DUE });
  });

  it('a correction that keeps the final report overdue, or one before the deadline passed, asks nothing', async () => {
    await recordFacts(deps, { incidentId: id, endedAt: '2026-12-02T12:00:00Z', by: 'FG' });
    expect((await final())?.status).toBe('overdue');
    expect((await final())?.note?.en).not.toContain('entered after');
  });

  it('a correction entered before the final report was due asks nothing', async () => {
    now = '2026-12-28T10:00:00.000Z';
    await recordFacts(deps, { incidentId: id, endedAt: '2026-12-20T12:00:00Z', by: 'FG' });
    expect(await final()).toMatchObject({ status: 'running', dueAt: '2027-01-20T22:59:59.999Z' });
    expect((await final())?.enteredAfterDeadline).toBeUndefined();
  });
});
