/**
 * readB17: an early warning the CSIRT and the authority got on time under a "yes" (before the
 * detection, after an awareness stated with that "yes"), then a "no", then a later "yes". The later
 * "yes" runs its clocks from that same awareness (readA16 A1), and its final report from a
 * notification made under the first "yes" (nis17 item 1), but the early warning and notification
 * clocks counted only reports made since the "no": the early warning read overdue, never made, while
 * the CSIRT had it on time; recording it again at its true time left it so. Now the reports the CSIRT
 * got about the same incident, not answered by a final report before the later "yes", meet them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { findingEvent } from '../support/events.js';
import { type RecordedFinding, recordedFinding } from '../support/recorded-finding.js';

const policy = parsePolicy({
  organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } },
  clocks: { nis2: true },
});
const DETECTED = '2026-11-28T01:00:00.000Z';
const AWARE = '2026-11-27T12:00:00.000Z';

describe('readB17: the early warning and notification through a later "yes"', () => {
  let w: RecordedFinding;
  let id: string;
  const read = async () => (await w.store.getIncident(id)) as Incident;
  const decide = (significant: boolean, reason: string, extra: Partial<Parameters<typeof assess>[1]> = {}) =>
    assess(w.deps, { incidentId: id, by: 'FG', reason, nis2Significant: significant, ...extra });
  const report = (at: string, to: 'csirt' | 'authority') =>
    recordReport(w.deps, { incidentId: id, to, kind: 'early-warning', reference: `VW-${to}`, by: 'FG', at, confirmStatedTime: true });

  beforeEach(async () => {
    w = await recordedFinding(policy, findingEvent({ id: 'n-b17', createdAt: DETECTED }), '2026-11-28T03:00:00.000Z');
    id = w.id;
    w.clock.now = '2026-11-28T05:00:00.000Z';
    await decide(true, 'CSIRT waarschuwde gisteren al', { nis2AwareAt: AWARE, confirmStatedTime: true });
    w.clock.now = '2026-11-28T06:00:00.000Z';
    await report('2026-11-27T18:00:00.000Z', 'csirt');
    await report('2026-11-27T18:30:00.000Z', 'authority');
    w.clock.now = '2026-11-28T21:00:00.000Z';
    await decide(false, 'storing bij de leverancier', { confirmStatedTime: true });
    w.clock.now = '2026-11-28T22:00:00.000Z';
    await decide(true, 'toch significant', { confirmStatedTime: true });
  });
  afterEach(async () => w.cleanup());

  const clockOf = async (name: string) => clocksOf(await read(), policy, w.clock.now).find((c) => c.name === name);

  it('an early warning made on time under the "yes" taken back meets the later "yes"\'s early-warning clock', async () => {
    // Before: doneAt null, overdue.
    expect(await clockOf('nis2-early-warning')).toMatchObject({ dueAt: '2026-11-28T12:00:00.000Z', doneAt: '2026-11-27T18:30:00.000Z', status: 'met' });
    expect(await clockOf('nis2-notification')).toMatchObject({ doneAt: null, status: 'running' });
  });

  it('a notification made under it meets the notification clock the final report runs from', async () => {
    w.clock.now = '2026-11-28T22:30:00.000Z';
    await decide(false, 'toch niet', { confirmStatedTime: true });
    w.clock.now = '2026-11-28T22:40:00.000Z';
    await decide(true, 'toch wel', { confirmStatedTime: true });
    // A notification under the second "yes", then taken back again by a third decision pair.
    w.clock.now = '2026-11-28T22:50:00.000Z';
    await recordReport(w.deps, { incidentId: id, to: 'csirt', kind: 'notification', reference: 'M-csirt', by: 'FG', at: '2026-11-28T22:45:00.000Z' });
    await recordReport(w.deps, { incidentId: id, to: 'authority', kind: 'notification', reference: 'M-auth', by: 'FG', at: '2026-11-28T22:46:00.000Z' });
    w.clock.now = '2026-11-28T23:00:00.000Z';
    await decide(false, 'opnieuw niet', { confirmStatedTime: true });
    w.clock.now = '2026-11-28T23:10:00.000Z';
    await decide(true, 'definitief significant', { confirmStatedTime: true });
    const final = await clockOf('nis2-final');
    expect(final?.startsAt).toBe('2026-11-28T22:45:00.000Z');
    // Before: the final report ran from this notification while the notification clock read it not made.
    expect(await clockOf('nis2-notification')).toMatchObject({ doneAt: '2026-11-28T22:46:00.000Z', status: 'met' });
  });

  it('reports answered by a final report before the later "yes" do not meet it: it owes its own', async () => {
    w.clock.now = '2026-11-28T22:50:00.000Z';
    for (const to of ['csirt', 'authority'] as const)
      await recordReport(w.deps, { incidentId: id, to, kind: 'notification', reference: `M-${to}`, by: 'FG', at: '2026-11-28T22:45:00.000Z' });
    w.clock.now = '2026-11-28T23:00:00.000Z';
    await decide(false, 'toch niet', { confirmStatedTime: true });
    w.clock.now = '2026-11-28T23:06:00.000Z';
    for (const to of ['csirt', 'authority'] as const)
      await recordReport(w.deps, { incidentId: id, to, kind: 'final', reference: `E-${to}`, by: 'FG', at: '2026-11-28T23:05:00.000Z' });
    w.clock.now = '2026-11-28T23:10:00.000Z';
    await decide(true, 'toch wel', { confirmStatedTime: true });
    expect(await clockOf('nis2-early-warning')).toMatchObject({ doneAt: null });
    expect(await clockOf('nis2-notification')).toMatchObject({ doneAt: null });
  });
});
