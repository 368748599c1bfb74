/**
 * small13b (review11 S1 follow-up): `facts --ended-at` kept GuardDuty's detection as its earliest
 * time, so with a begin of the breach or an awareness recorded before the detection (G4) a true end
 * between them and the detection was refused. Its floor is now the recorded begin (or, without one,
 * the awareness before the detection, S6): before the detection only confirmed
 * (--confirm-stated-time) and marked in the timeline, as the other stated times.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerCsv, registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
// The fixture: GuardDuty's detection (and first activity) 2026-11-27T21:00Z.
const BEGAN = '2026-11-20T08:00:00.000Z';
const CALLED = '2026-11-23T09:00:00.000Z';
const ENDED = '2026-11-24T12:00:00.000Z'; // after the call, before GuardDuty saw anything

describe('small13b: the end of a breach before the detection', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  const now = '2026-11-28T08:00:00.000Z';
  const id = 'dl-end';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy: parsePolicy({ organisation: org }), now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  const called = () =>
    assess(deps, {
      incidentId: id,
      personalData: 'yes',
      risk: 'high',
      reason: 'klantgegevens op internet',
      awareAt: CALLED,
      awareReason: 'een klant belde op 23 november',
      confirmStatedTime: true,
      by: 'FG',
    });

  it('after a recorded begin before the detection: confirmed, recorded and marked; before the begin never', async () => {
    await recordFacts(deps, { incidentId: id, startedAt: BEGAN, startedReason: 'de sleutel lekte op 20 november', confirmStatedTime: true, by: 'FG' });
    await expect(recordFacts(deps, { incidentId: id, endedAt: ENDED, by: 'FG' })).rejects.toThrow(
      /--ended-at .*before GuardDuty's detection.*--confirm-stated-time/,
    );
    await recordFacts(deps, { incidentId: id, endedAt: ENDED, confirmStatedTime: true, by: 'FG' });
    expect((await stored()).facts?.endedAt).toBe(ENDED);
    const entry = (await t.store.getTimeline(id)).filter((e) => e.kind === 'facts-recorded').at(-1);
    expect(entry?.detail).toMatchObject({ endedAt: ENDED, endedBeforeDetection: true });
    await expect(recordFacts(deps, { incidentId: id, endedAt: '2026-11-19T08:00:00Z', confirmStatedTime: true, by: 'FG' })).rejects.toThrow(
      /end of the breach .* lies before the begin/,
    );
  });

  it('after an awareness before the detection, without a begin: that awareness is the floor', async () => {
    await called();
    await recordFacts(deps, { incidentId: id, endedAt: ENDED, confirmStatedTime: true, by: 'FG' });
    expect((await stored()).facts?.endedAt).toBe(ENDED);
    await expect(recordFacts(deps, { incidentId: id, endedAt: '2026-11-22T08:00:00Z', confirmStatedTime: true, by: 'FG' })).rejects.toThrow(
      /--ended-at .*before the awareness on record.*--started-at/,
    );
  });

  it('with nothing recorded before the detection, the detection stays the floor', async () => {
    await expect(recordFacts(deps, { incidentId: id, endedAt: ENDED, confirmStatedTime: true, by: 'FG' })).rejects.toThrow(/--ended-at/);
    expect((await stored()).facts?.endedAt ?? null).toBeNull();
  });

  // fg14a: the mark was only in the timeline entry; the AP draft and the register (CSV/JSON and
  // Markdown) showed the end as any other, as the report before the detection was before 63c160d.
  it('marks the end before the detection in the AP draft and the register, as a report before it', async () => {
    await recordFacts(deps, { incidentId: id, startedAt: BEGAN, startedReason: 'de sleutel lekte op 20 november', confirmStatedTime: true, by: 'FG' });
    await recordFacts(deps, { incidentId: id, endedAt: ENDED, confirmStatedTime: true, by: 'FG' });
    const incident = await stored();
    const ended = (lang: 'nl' | 'en') =>
      buildDraft(incident, deps.policy, now, lang)
        .sections.flatMap((s) => s.fields)
        .find((f) => f.key === 'endedAt')?.value;
    expect(ended('nl')).toMatch(/; vóór de detectie door GuardDuty$/);
    expect(ended('en')).toMatch(/; before GuardDuty's detection$/);
    const row = registerRow(incident, deps.policy, now);
    expect(row).toMatchObject({ endedAt: ENDED, endedBeforeDetection: true });
    // A new column after the older ones (then review12 S3's internal AP target, read14a A5's apFollowUpReasonFor): scripts reading by position keep working.
    expect(registerCsv([row]).split('\n')[0].split(',').at(-7)).toBe('endedBeforeDetection');
    expect(registerMarkdown([incident], deps.policy, now, 'nl')).toMatch(/beëindigd [^|]*\(vóór de detectie door GuardDuty\)/);
    expect(registerMarkdown([incident], deps.policy, now, 'en')).toMatch(/ended [^|]*\(before GuardDuty's detection\)/);
  });

  it('leaves an end after the detection unmarked', async () => {
    await recordFacts(deps, { incidentId: id, endedAt: '2026-11-28T06:00:00Z', by: 'FG' });
    const incident = await stored();
    expect(registerRow(incident, deps.policy, now).endedBeforeDetection).toBe(false);
    expect(
      buildDraft(incident, deps.policy, now, 'en')
        .sections.flatMap((s) => s.fields)
        .find((f) => f.key === 'endedAt')?.value,
    ).not.toMatch(/detection/);
  });
});
