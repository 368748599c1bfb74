/**
 * law24: Art. 33(1) asks the reasons for a delay of a notification the AVG requires. A report to the
 * AP of a breach the FG assessed not notifiable ("personal data yes, risk none": a telecom provider's,
 * which Regulation 611/2013 art. 2 requires whatever the risk, or a voluntary one) was refused after
 * 72 hours from awareness without "the reasons for the delay (Art. 33(1))", and the record then kept
 * a delay under Art. 33(1) beside an AP clock reading "not needed": a delay the law did not know.
 * Made notifiable again later, the report reads late and the reasons follow as before (a follow-up).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deadlineNote } from '../../handlers/cli/views.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const organisation = { name: 'Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const id = 'dl-no-delay';
const late = '2026-12-01T10:00:00.000Z'; // detected 2026-11-27T21:00Z: past its 72 hours

describe.each([
  ['a telecom provider', parsePolicy({ organisation, clocks: { telecom: true } })],
  ['a voluntary notification', parsePolicy({ organisation })],
])('a report to the AP of a breach assessed not notifiable, %s', (_, policy) => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now = '2026-11-28T10:00:00.000Z';
  const deps = (): FgDeps => ({ store: t.store, policy, now: () => now });
  const stored = async () => (await t.store.getIncident(id)) as Incident;

  beforeEach(async () => {
    t = tempSqliteStore();
    now = '2026-11-28T10:00:00.000Z';
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'none', reason: 'alleen een testaccount', by: 'FG' });
    now = late;
  });
  afterEach(async () => t.cleanup());

  it('needs no reasons for a delay after the 72 hours, and is not recorded late', async () => {
    const { report } = await recordReport(deps(), { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', by: 'FG' });
    expect(report.delayReason).toBeNull();
    expect((await t.store.getTimeline(id)).at(-1)?.detail.late).toBe(false);
  });

  it('is not shown late by status', async () => {
    await recordReport(deps(), { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', by: 'FG' });
    expect(deadlineNote(await stored(), now)).toBe('reported 2026-12-01 11:00 CET');
  });

  it('is not told to the FG as done late, with reasons for the delay to give', async () => {
    await recordReport(deps(), { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', by: 'FG' });
    const message = composeMessage({ incident: await stored(), channel: 'fg', kind: 'clock-reminder', stateKey: 'x', now, policy });
    const ap = message.body.split('\n').filter((l) => l.startsWith('Melding AP:'));
    expect(ap).toEqual([
      'Melding AP: gedaan op 2026-12-01 11:00 CET (2026-12-01T10:00:00Z) (niet meldplichtig onder de AVG (besluit FG): geen termijn van art. 33(1))',
    ]);
    expect(message.body).not.toMatch(/reden van de vertraging/);
  });

  it('refuses reasons for that delay with a follow-up too, and takes them once the breach is assessed notifiable', async () => {
    await recordReport(deps(), { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', by: 'FG' });
    const followUp = { incidentId: id, to: 'ap' as const, kind: 'follow-up', reference: 'M-1', delayReason: 'vergeten', by: 'FG' };
    await expect(recordReport(deps(), followUp)).rejects.toThrow(/--delay-reason given, but the assessment in force .* says not notifiable/);
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch klantgegevens', by: 'FG' });
    expect((await recordReport(deps(), followUp)).report.delayReason).toBe('vergeten');
  });

  it('refuses reasons for a delay there is not, naming the assessment', async () => {
    const given = { incidentId: id, to: 'ap' as const, kind: 'initial' as const, reference: 'M-1', delayReason: 'vergeten', by: 'FG' };
    await expect(recordReport(deps(), given)).rejects.toThrow(/--delay-reason given, but the assessment in force .* says not notifiable/);
    expect((await stored()).reports ?? []).toEqual([]);
  });
});
