/**
 * read14a A4 (the claim now holds): e6674cd keeps the default awareness when a finding detected before a stated begin of the
 * breach arrives (awarenessKept 'begin'), and tells the FG: "Begon het datalek eerder, corrigeer dan het
 * begin". She does: the begin now lies before the new detection. Nothing looks at the awareness again:
 * it stays at the old detection, 11 hours after the detection the record now holds, with no reason a
 * person gave, and the AP deadline runs 11 hours later than the conservative default the rest of the
 * record keeps (awareness = detection until a person records otherwise, with a reason: domain notes
 * §1, Art. 33(1)). Had the begin been right from the start, the same finding would have moved the
 * awareness (the test's premise).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { describeEntry } from '../../handlers/core/report-html.js';
import { findingEvent } from '../support/events.js';
import { type RecordedFinding, recordedFinding } from '../support/recorded-finding.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const DETECTED = '2026-11-27T21:00:00.000Z';
const EARLIER = '2026-11-27T10:00:00.000Z';

describe('read14a A4: a begin corrected as the FG is told, the awareness kept for it follows the detection', () => {
  let w: RecordedFinding;
  const read = async () => (await w.store.getIncident(w.id)) as Incident;
  const stateBegin = (startedAt: string) =>
    recordFacts(w.deps, { incidentId: w.id, startedAt, startedReason: 'volgens de logs', confirmStatedTime: true, by: 'FG', reason: 'gecorrigeerd' } as never);
  const arrives = async () => {
    w.clock.now = '2026-11-28T09:00:00.000Z';
    await w.record(findingEvent({ id: 'f-earlier', type: 'Trojan:EC2/DropPoint!DNS', createdAt: EARLIER }));
  };
  beforeEach(async () => {
    w = await recordedFinding(policy, findingEvent({ id: 'f-first', createdAt: DETECTED }), '2026-11-27T21:05:00.000Z');
    w.clock.now = '2026-11-28T08:00:00.000Z';
  });
  afterEach(async () => w.cleanup());

  it('premise: with the begin before the earlier detection from the start, the awareness follows the detection', async () => {
    await stateBegin('2026-11-27T09:00:00Z');
    await arrives();
    expect((await read()).awareAt).toBe(EARLIER);
  });

  it('after the begin is corrected to before the earlier detection, the awareness follows it too (or a person records why not)', async () => {
    await stateBegin('2026-11-27T12:00:00Z');
    await arrives();
    expect((await read()).awareAt).toBe(DETECTED); // premise: kept for the begin
    w.clock.now = '2026-11-28T09:30:00.000Z';
    await stateBegin('2026-11-27T09:00:00Z');
    const after = await read();
    expect(after.facts?.startedAt).toBe('2026-11-27T09:00:00.000Z'); // premise: corrected
    expect(after.awareAt === after.detectedAt || !!after.awareReason).toBe(true);
    expect([after.awareAt, after.deadline]).toEqual([EARLIER, '2026-11-30T10:00:00.000Z']);
    const entry = (await w.store.getTimeline(w.id)).filter((e) => e.kind === 'facts-recorded').at(-1);
    expect(describeEntry(entry as never, 'nl', policy.timeZone)).toContain(
      'de bewustwording volgt nu de detectie: 2026-11-27 11:00 CET (was 2026-11-27 22:00 CET), AP-termijn 2026-11-30 11:00 CET',
    );
  });

  // readC15 C3: the refusal that asks her to confirm such a begin said "the AP deadline does not move" (327abb7).
  const unconfirmed = (startedAt: string) =>
    recordFacts(w.deps, { incidentId: w.id, startedAt, startedReason: 'volgens de logs', by: 'FG', reason: 'gecorrigeerd' } as never).then(
      () => [] as string[],
      (e: Error & { page?: { nl?: string } }) => [e.message, e.page?.nl ?? ''],
    );

  it('the refusal asking to confirm that corrected begin says the AP deadline moves, and to when, in English and Dutch (readC15 C3)', async () => {
    await stateBegin('2026-11-27T12:00:00Z');
    await arrives();
    w.clock.now = '2026-11-28T09:30:00.000Z';
    const [en, nl] = await unconfirmed('2026-11-27T09:00:00Z');
    expect(en).toMatch(/lies before GuardDuty's detection .*the AP deadline moves to 2026-11-30T10:00:00.000Z; .*--confirm-stated-time/);
    expect(nl).toContain(
      'en bevestigt u het, dan volgt het bewustwordingsmoment dat voor het vastgelegde begin werd aangehouden de detectie: de termijn voor de AP verschuift naar 2026-11-30 11:00',
    );
    expect(`${en}\n${nl}`).not.toMatch(/does not move|verschuift er niet door/);
  });

  it('an awareness the FG acted on since (personal data assessed) stays, as it would for a finding arriving then', async () => {
    await stateBegin('2026-11-27T12:00:00Z');
    await arrives();
    await assess(w.deps, { incidentId: w.id, personalData: 'yes', risk: 'risk', reason: 'cliëntgegevens', by: 'FG' });
    // Nothing moves then, and the refusal says so.
    const [en, nl] = await unconfirmed('2026-11-27T09:00:00Z');
    expect(en).toMatch(/the AP deadline does not move: it runs from awareness/);
    expect(nl).toMatch(/de termijn voor de AP verschuift er niet door/);
    await stateBegin('2026-11-27T09:00:00Z');
    expect((await read()).awareAt).toBe(DETECTED);
  });
});
