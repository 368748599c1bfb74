/**
 * A NIS2 "yes" taken back on an open incident, and a later "yes" (closing note, "Still left", NIS2).
 *
 * - readA16 A2 (the lead's decision, reversing 4aa168a here): a "no" on the open incident keeps owed
 *   what the CSIRT was sent or asked for, as the after-close refusal does: the intermediate report it
 *   requested, and the final report once a notification went out (telling the CSIRT how it ended).
 *   The "no" ends only what was not yet reported (the early warning and notification). A later "yes"
 *   runs its own 24 h and 72 h from its awareness, the request still owed; the record keeps all.
 * - nis17 item 1: the final report a "no" kept owed runs on through a later "yes", from the notification
 *   the CSIRT got (nis17-nis2-final-through-a-later-yes.test.ts).
 * - The NIS2 awareness was bounded by every NIS2 report on record, also one sent under the "yes"
 *   taken back. Such a report was sent and stays in the record, but it told the CSIRT of a
 *   significance the entity then withdrew: it is not the awareness of the significance in force (the
 *   entity told the CSIRT it was not significant), and it answers none of the later "yes"'s reports.
 *   The bound, and the later "yes"'s clocks, use the reports made since the "no".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { nis2: true } });
const id = 'dl-nis2-back';
// The fixture: detected 2026-11-27T21:00Z.

describe('a NIS2 "yes" taken back on an open incident, and a later "yes"', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const clocks = async () => new Map(clocksOf(await stored(), policy, now).map((c) => [c.name, c]));
  const decide = (significant: boolean, reason: string, extra: Partial<Parameters<typeof assess>[1]> = {}) =>
    assess(deps, { incidentId: id, nis2Significant: significant, reason, by: 'CISO', ...extra });
  const toBoth = (kind: string, at: string) =>
    Promise.all((['csirt', 'authority'] as const).map((to) => recordReport(deps, { incidentId: id, to, kind, reference: `${kind}-${to}`, by: 'CISO', at })));

  beforeEach(async () => {
    t = tempSqliteStore();
    now = '2026-11-27T22:00:00.000Z';
    deps = { store: t.store, policy, now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('a "no" keeps the requested intermediate report owed, through a later "yes" too; the record keeps every decision', async () => {
    await decide(true, 'productie ligt stil');
    now = '2026-11-27T23:00:00.000Z';
    await assess(deps, { incidentId: id, nis2IntermediateDueAt: '2026-12-01T12:00:00.000Z', reason: 'CSIRT vraagt een tussentijds verslag', by: 'CISO' });
    now = '2026-11-28T08:00:00.000Z';
    await decide(false, 'storing bij de leverancier, geen uitval bij ons');
    expect((await stored()).nis2).toMatchObject({ significant: false, intermediateDueAt: '2026-12-01T12:00:00.000Z' });
    // Before the fix (4aa168a) the request ended with the "no": only nis2-significance was left.
    expect([...(await clocks()).keys()]).toEqual(['ap', 'nis2-significance', 'nis2-intermediate']);
    // A week later the CSIRT reads it otherwise: significant after all, aware since this morning.
    now = '2026-12-05T10:00:00.000Z';
    await decide(true, 'CSIRT: wel significant, uitval bij klanten', { nis2AwareAt: '2026-12-05T09:00:00.000Z' });
    const c = await clocks();
    expect(c.get('nis2-intermediate')).toMatchObject({ dueAt: '2026-12-01T12:00:00.000Z', status: 'overdue' });
    expect(c.get('nis2-early-warning')).toMatchObject({ dueAt: '2026-12-06T09:00:00.000Z', status: 'running' });
    expect(c.get('nis2-notification')).toMatchObject({ dueAt: '2026-12-08T09:00:00.000Z', status: 'running' });
    const incident = await stored();
    expect(incident.decisions?.filter((d) => d.kind.startsWith('nis2-')).map((d) => d.kind)).toEqual([
      'nis2-significance',
      'nis2-intermediate-request',
      'nis2-significance',
      'nis2-significance',
      'nis2-awareness',
    ]);
    const decided = (await t.store.getTimeline(id)).filter((e) => e.kind === 'nis2-decided').map((e) => e.detail);
    expect(decided[1]).toEqual(expect.not.objectContaining({ intermediateRequestEnded: expect.anything() }));
  });

  it('a "no" after the notification keeps the final report owed, from that notification, until it is made', async () => {
    await decide(true, 'uitval drinkwater');
    now = '2026-11-28T08:00:00.000Z';
    await toBoth('notification', '2026-11-28T07:00:00.000Z');
    now = '2026-11-28T09:00:00.000Z';
    await decide(false, 'toch niet significant');
    const c = await clocks();
    expect(c.has('nis2-early-warning')).toBe(false);
    expect(c.get('nis2-final')).toMatchObject({ startsAt: '2026-11-28T07:00:00.000Z', dueAt: '2026-12-28T22:59:59.999Z', status: 'running' });
    // The final report, telling the CSIRT it was not significant after all, is taken and ends it.
    now = '2026-11-29T09:00:00.000Z';
    await toBoth('final', '2026-11-29T08:00:00.000Z');
    expect((await clocks()).get('nis2-final')).toMatchObject({ status: 'met', doneAt: '2026-11-29T08:00:00.000Z' });
  });

  it('reports sent under the "yes" taken back stay in the record, but neither bound nor answer the later "yes"', async () => {
    await decide(true, 'productie ligt stil');
    now = '2026-11-27T23:30:00.000Z';
    await toBoth('early-warning', '2026-11-27T23:00:00.000Z');
    now = '2026-11-28T08:00:00.000Z';
    await toBoth('notification', '2026-11-28T07:00:00.000Z');
    now = '2026-11-28T09:00:00.000Z';
    await decide(false, 'storing bij de leverancier, geen uitval bij ons; CSIRT ingelicht');
    now = '2026-12-05T10:00:00.000Z';
    // Aware of the significance in force this morning: after the reports of the "yes" taken back.
    await decide(true, 'CSIRT: wel significant, uitval bij klanten', { nis2AwareAt: '2026-12-05T09:00:00.000Z' });
    const incident = await stored();
    expect(incident.nis2AwareAt).toBe('2026-12-05T09:00:00.000Z');
    expect(incident.reports?.filter((r) => r.to === 'csirt').map((r) => r.kind)).toEqual(['early-warning', 'notification']);
    // Its own early warning and notification are owed. The final report the "no" kept owed runs on from
    // the old notification (nis17 item 1, art. 23(4)(d): a month after the notification the CSIRT got;
    // until then this case asserted none ran, and a final report was refused).
    const c = await clocks();
    expect(c.get('nis2-early-warning')).toMatchObject({ status: 'running', doneAt: null });
    expect(c.get('nis2-notification')).toMatchObject({ status: 'running', doneAt: null });
    expect(c.get('nis2-final')).toMatchObject({ startsAt: '2026-11-28T07:00:00.000Z', dueAt: '2026-12-28T22:59:59.999Z', status: 'running' });
    // A report made under it bounds its awareness, as before.
    now = '2026-12-05T12:00:00.000Z';
    await toBoth('early-warning', '2026-12-05T09:30:00.000Z');
    expect((await clocks()).get('nis2-early-warning')).toMatchObject({ status: 'met', doneAt: '2026-12-05T09:30:00.000Z' });
    await expect(assess(deps, { incidentId: id, nis2AwareAt: '2026-12-05T09:45:00.000Z', reason: 'later', by: 'CISO' })).rejects.toThrow(
      /NIS2 report \(early-warning early-warning-csirt to the csirt\) was made at 2026-12-05 10:30 CET \(2026-12-05T09:30:00.000Z\)/,
    );
  });
});
