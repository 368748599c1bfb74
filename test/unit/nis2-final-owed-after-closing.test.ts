/**
 * law26 (issue left by law25): NIS2 art. 23(4)(d) has the final report submitted "not later than one
 * month after the submission of the incident notification", and art. 23(4)(c) an intermediate report
 * on the CSIRT's or the authority's request. Their deadline passing ends neither: the CSIRT is owed
 * the report all the same. Closed after the deadline, `--overdue-reason` alone closed the incident
 * and ended the duty (clocks.ts keptAfterClosing held only those still running at closing): no
 * reminder, status no longer listed it, and the CSIRT never had the final report. As a49957bb did for
 * the incident notification: closing also needs `--reports-pending-reason`, and the clock runs on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedWithDuty, runningOtherClocks } from '../../handlers/core/clocks.js';
import { assess, closeIncident, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { dueItems } from '../../handlers/core/schedule.js';
import { nis2NotifiedCase } from '../support/nis2-case.js';

const policy = parsePolicy({ organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { nis2: true } });
const id = 'dl-nis2-final-owed';
// Notified to both at 2026-11-28T07:00Z (nis2NotifiedCase): the final report is due 2026-12-28T22:59:59.999Z.
const AFTER_MONTH = '2027-01-05T09:00:00.000Z';
const LATER = '2027-01-12T09:00:00.000Z';

describe('NIS2 art. 23(4)(c), (d): a report overdue at closing stays owed', () => {
  let c: Awaited<ReturnType<typeof nis2NotifiedCase>>;
  const nis2Due = (incident: Incident, at: string) =>
    dueItems(incident, policy, at).flatMap((d) => {
      const clock = (d as { clock?: string }).clock;
      return clock?.startsWith('nis2-') ? [`${clock}:${d.kind}`] : [];
    });
  const toBothAfterClose = async (kind: string) => {
    let incident: Incident | undefined;
    for (const to of ['csirt', 'authority'] as const)
      incident = (await recordReport(c.deps, { incidentId: id, to, kind, reference: `${kind}-${to}`, reason: 'alsnog gedaan', by: 'CISO' })).incident;
    return incident as Incident;
  };

  beforeEach(async () => {
    c = await nis2NotifiedCase(policy, id);
    c.clock.now = '2026-11-28T09:00:00.000Z';
    await assess(c.deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'storing, geen persoonsgegevens', by: 'FG' });
  });
  afterEach(async () => c.t.cleanup());

  it('art. 23(4)(d): the final report overdue at closing is not ended by --overdue-reason; it needs --reports-pending-reason and is reminded of after', async () => {
    c.clock.now = AFTER_MONTH;
    const close = { incidentId: id, by: 'CISO', reason: 'hersteld', overdueReason: 'eindverslag vergeten' };
    await expect(closeIncident(c.deps, close)).rejects.toThrow(/NIS2 final report.*still to be made.*--reports-pending-reason/);
    const closed = await closeIncident(c.deps, { ...close, reportsPendingReason: 'eindverslag volgt na het onderzoek van de leverancier' });
    expect(closed.state).toBe('closed');
    expect(runningOtherClocks(closed, policy, AFTER_MONTH).map((x) => [x.name, x.status])).toEqual([['nis2-final', 'overdue']]);
    expect(closedWithDuty(closed, policy)).toBe(true);
    expect(closed.nextDueAt).not.toBeNull();
    expect(nis2Due(closed, LATER)).toEqual(['nis2-final:clock-overdue']);
    expect((await c.t.store.getTimeline(id)).at(-1)?.detail).toMatchObject({ reportsPending: ['nis2-final'] });
    // Made to both after closing: nothing is owed any more.
    const done = await toBothAfterClose('final');
    expect(runningOtherClocks(done, policy, LATER)).toEqual([]);
    expect(closedWithDuty(done, policy)).toBe(false);
  });

  it('art. 23(4)(c): an intermediate report asked and overdue at closing stays owed the same way', async () => {
    c.clock.now = '2026-11-28T10:00:00.000Z';
    await assess(c.deps, { incidentId: id, nis2IntermediateDueAt: '2026-12-01T12:00:00.000Z', reason: 'CSIRT vraagt een tussentijds verslag', by: 'CISO' });
    c.clock.now = '2026-12-02T09:00:00.000Z';
    const close = { incidentId: id, by: 'CISO', reason: 'hersteld', overdueReason: 'verzoek over het hoofd gezien' };
    await expect(closeIncident(c.deps, close)).rejects.toThrow(/NIS2 intermediate report.*still to be made.*--reports-pending-reason/);
    const closed = await closeIncident(c.deps, { ...close, reportsPendingReason: 'verslag volgt deze week' });
    expect(runningOtherClocks(closed, policy, c.clock.now).map((x) => [x.name, x.status])).toEqual([
      ['nis2-intermediate', 'overdue'],
      ['nis2-final', 'running'],
    ]);
    expect(nis2Due(closed, '2026-12-10T09:00:00.000Z')).toContain('nis2-intermediate:clock-overdue');
    const done = await toBothAfterClose('intermediate');
    expect(runningOtherClocks(done, policy, c.clock.now).map((x) => x.name)).toEqual(['nis2-final']);
  });

  it('a final report still running at closing asks no reason, as before (review 7 Y6)', async () => {
    c.clock.now = '2026-12-02T09:00:00.000Z';
    await expect(closeIncident(c.deps, { incidentId: id, by: 'CISO', reason: 'hersteld', reportsPendingReason: 'x' })).rejects.toThrow(
      /--reports-pending-reason given, but no telecom or NIS2 report is still running/,
    );
    const closed = await closeIncident(c.deps, { incidentId: id, by: 'CISO', reason: 'hersteld' });
    expect(runningOtherClocks(closed, policy, c.clock.now).map((x) => [x.name, x.status])).toEqual([['nis2-final', 'running']]);
  });
});
