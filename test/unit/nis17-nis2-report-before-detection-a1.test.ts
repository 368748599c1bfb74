/**
 * nis17 item 3: a NIS2 report made before GuardDuty's detection, after the awareness the clocks run
 * from (readA16 A1: a later "yes" with no awareness of its own runs from the earlier of the detection
 * and an awareness a "no" ended). The clocks ran from that ended awareness, but `reported` checked
 * the stored awareness (none after the "no"), so the early warning made on time, before the
 * detection, could not be recorded at the time it was made: refused as before the detection, while
 * the clock read it overdue. Now the check uses the clocks' rule (clocks.ts nis2AwareAt): before the
 * detection only confirmed, and marked; before that awareness never.
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
const ENDED_AWARENESS = '2026-11-27T12:00:00.000Z';

describe('nis17 item 3: a NIS2 report before the detection is checked against the awareness the clocks use', () => {
  let w: RecordedFinding;
  let id: string;
  const read = async () => (await w.store.getIncident(id)) as Incident;
  const decide = (significant: boolean, reason: string, extra: Partial<Parameters<typeof assess>[1]> = {}) =>
    assess(w.deps, { incidentId: id, by: 'FG', reason, nis2Significant: significant, ...extra });
  const report = (at: string, confirmStatedTime = false, to: 'csirt' | 'authority' = 'csirt') =>
    recordReport(w.deps, { incidentId: id, to, kind: 'early-warning', reference: `VW-${to}`, by: 'FG', at, confirmStatedTime });

  beforeEach(async () => {
    w = await recordedFinding(policy, findingEvent({ id: 'n-a1-report', createdAt: DETECTED }), '2026-11-28T03:00:00.000Z');
    id = w.id;
    w.clock.now = '2026-11-28T20:00:00.000Z';
    await decide(true, 'CSIRT waarschuwde gisteren al', { nis2AwareAt: ENDED_AWARENESS, confirmStatedTime: true });
    w.clock.now = '2026-11-28T21:00:00.000Z';
    await decide(false, 'storing bij de leverancier', { confirmStatedTime: true });
    w.clock.now = '2026-11-28T22:00:00.000Z';
    await decide(true, 'toch significant', { confirmStatedTime: true });
  });
  afterEach(async () => w.cleanup());

  it('an early warning between that awareness and the detection is recorded, confirmed and marked', async () => {
    const ew = clocksOf(await read(), policy, w.clock.now).find((c) => c.name === 'nis2-early-warning');
    expect(ew?.dueAt).toBe('2026-11-28T12:00:00.000Z');
    // Before the fix: refused as before the detection, even confirmed.
    await expect(report('2026-11-27T18:00:00.000Z')).rejects.toThrow(/before GuardDuty's detection .*--confirm-stated-time/);
    await report('2026-11-27T18:00:00.000Z', true);
    await report('2026-11-27T18:30:00.000Z', true, 'authority');
    const incident = await read();
    expect(incident.reports?.find((r) => r.reference === 'VW-csirt')).toMatchObject({ at: '2026-11-27T18:00:00.000Z', beforeDetection: true });
    expect(incident.reports?.find((r) => r.reference === 'VW-authority')).toMatchObject({ at: '2026-11-27T18:30:00.000Z', beforeDetection: true });
  });

  it('one before that awareness is refused, confirmed or not', async () => {
    await expect(report('2026-11-27T10:00:00.000Z', true)).rejects.toThrow(
      /lies before the awareness on record, 2026-11-27 13:00 CET \(2026-11-27T12:00:00.000Z\)/,
    );
  });
});
