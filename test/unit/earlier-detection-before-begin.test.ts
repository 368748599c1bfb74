/**
 * A finding detected earlier than the incident moves its detection back, and with it the default
 * awareness (record-finding.ts moveDetectionEarlier). S6 (review11) refused an awareness before a
 * begin of the breach a person stated, but only for stated times: a finding detected before the
 * stated begin moved the default awareness before it unchecked, and the record said the organisation
 * was aware of the breach before it began, with the AP deadline running from that moment (Art.
 * 33(1), (5)). The begin was checked against the awareness when it was recorded: that awareness is
 * one a person acted on, and stays, as after an assessment or a report; the FG is told why.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident, TimelineEntry } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { describeEntry } from '../../handlers/core/report-html.js';
import { findingEvent } from '../support/events.js';
import { type RecordedFinding, recordedFinding } from '../support/recorded-finding.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const DETECTED = '2026-11-27T21:00:00.000Z';
const BEGAN = '2026-11-27T12:00:00.000Z';

describe('a finding detected earlier than a stated begin of the breach', () => {
  let w: RecordedFinding;
  beforeEach(async () => {
    w = await recordedFinding(policy, findingEvent({ id: 'f-first', createdAt: DETECTED }), '2026-11-27T21:05:00.000Z');
    w.clock.now = '2026-11-28T08:00:00.000Z';
    await recordFacts(w.deps, { incidentId: w.id, startedAt: BEGAN, startedReason: 'de back-up lekte om 13:00', confirmStatedTime: true, by: 'FG' });
  });
  afterEach(async () => w.cleanup());

  const arrives = async (findingId: string, createdAt: string) => {
    w.clock.now = '2026-11-28T09:00:00.000Z';
    await w.record(findingEvent({ id: findingId, type: 'Trojan:EC2/DropPoint!DNS', createdAt }));
    return (await w.store.getIncident(w.id)) as Incident;
  };

  it('keeps the default awareness when the earlier detection lies before the stated begin, and says why', async () => {
    const after = await arrives('f-earlier', '2026-11-27T10:00:00.000Z');
    expect(after.detectedAt).toBe('2026-11-27T10:00:00.000Z');
    // Never aware before the breach began: the awareness (and the deadline) the begin was checked against stay.
    expect(after.awareAt).toBe(DETECTED);
    expect((after.awareAt as string) >= (after.facts?.startedAt as string)).toBe(true);
    expect(after.deadline).toBe('2026-11-30T21:00:00.000Z');
    const moved = (await w.store.getTimeline(w.id)).filter((e) => e.kind === 'detection-moved-earlier').at(-1);
    expect(moved?.detail).toMatchObject({ to: '2026-11-27T10:00:00.000Z', awarenessMoved: false, awarenessKept: 'begin', startedAt: BEGAN });
    expect(describeEntry(moved as TimelineEntry, 'nl', policy.timeZone)).toMatch(
      /bewustwording en AP-termijn blijven \(het vastgelegde begin, 2026-11-27 13:00 CET, ligt na deze detectie\)$/,
    );
    // The FG hears the earlier detection with the begin it lies before, in Dutch with "u".
    const told = (await w.store.listMessages(w.id)).filter((m) => m.kind === 'detection-moved-earlier');
    expect(told.map((m) => m.body).join('\n')).toMatch(/Het begin van het datalek dat u vastlegde \(2026-11-27 13:00 CET/);
  });

  it('moves it with a detection that still lies after the stated begin', async () => {
    const after = await arrives('f-between', '2026-11-27T15:00:00.000Z');
    expect(after).toMatchObject({ detectedAt: '2026-11-27T15:00:00.000Z', awareAt: '2026-11-27T15:00:00.000Z', deadline: '2026-11-30T15:00:00.000Z' });
  });
});
