/**
 * The closing note's "Still left" (FG): an AP notification made in phases (Art. 33(4)) whose
 * follow-up is still owed read `apClock: met` in the register, "gehaald" in the report and on the
 * page: the initial report was in time, but the AP holds only the first phase. The reminder and the
 * closing reason said so; the register did not. Now the AP clock carries the follow-up owed, and
 * every place that shows the clock says "follow-up owed" (overdue once the facts have been marked
 * complete here for the follow-up reminder's period without reaching the AP), not "met".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { clocksOf } from '../../handlers/core/clocks.js';
import { recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { clockShownLabel } from '../../handlers/core/labels.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { reportHtml } from '../../handlers/core/report-html.js';
import { storeFirstPhaseOnly } from '../support/phased-report.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const id = 'dl-phased-shown';
let clock = '2026-11-27T22:00:00.000Z';

describe('the AP clock of a notification still owed its follow-up (Art. 33(4))', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy, now: () => clock });
  const stored = async () => (await store.getIncident(id)) as Incident;
  const shown = (incident: Incident, now: string) => {
    const ap = clocksOf(incident, policy, now).find((c) => c.name === 'ap');
    const row = registerRow(incident, policy, now);
    return { ap, row, markdown: registerMarkdown([incident], policy, now, 'nl'), html: reportHtml(incident, [], policy, now, 'nl') };
  };

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await storeFirstPhaseOnly(store, policy, id);
  });
  afterEach(async () => cleanup());

  it('says the follow-up is owed, not "met", while the AP holds only the first phase', async () => {
    const { ap, row, markdown, html } = shown(await stored(), '2026-11-28T09:00:00.000Z');
    expect(ap).toMatchObject({ status: 'met', followUp: { state: 'owed', reference: 'M-1' } });
    expect(row.apClockStatus).toBe('follow-up-owed');
    expect(row.apClock).toMatch(/^follow-up owed \(Art\. 33\(4\): the AP holds only the first phase, M-1; initial notification met\)/);
    expect(markdown).toMatch(/vervolgmelding verschuldigd \(AVG art\. 33\(4\): de AP heeft alleen de eerste fase, M-1; eerste melding gehaald\)/);
    expect(html).toContain('vervolgmelding verschuldigd');
    expect(clockShownLabel('nl', ap as NonNullable<typeof ap>)).toBe('vervolgmelding verschuldigd');
  });

  it('says it is overdue once the facts have been complete here for the follow-up period without reaching the AP', async () => {
    clock = '2026-11-29T10:00:00.000Z';
    await recordFacts(deps(), { incidentId: id, by: 'FG', summary: 'Server gecompromitteerd', complete: true, unknownReason: 'nog niet vast te stellen' });
    const incident = await stored();
    // followUpEveryHours is 24: owed until 30 November 10:00 UTC, overdue after.
    expect(shown(incident, '2026-11-30T09:59:00.000Z').row.apClockStatus).toBe('follow-up-owed');
    const late = shown(incident, '2026-11-30T10:01:00.000Z');
    expect(late.ap?.followUp).toMatchObject({ state: 'overdue', overdueFrom: '2026-11-30T10:00:00.000Z' });
    expect(late.row.apClockStatus).toBe('follow-up-overdue');
    expect(late.markdown).toMatch(/vervolgmelding te laat/);
    expect(late.html).toContain('vervolgmelding te laat');
  });

  it('reads "met" again once the follow-up with the complete facts is recorded', async () => {
    clock = '2026-11-29T10:00:00.000Z';
    await recordFacts(deps(), { incidentId: id, by: 'FG', summary: 'Server gecompromitteerd', complete: true, unknownReason: 'nog niet vast te stellen' });
    clock = '2026-11-29T11:00:00.000Z';
    await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'follow-up', by: 'FG' });
    const { ap, row } = shown(await stored(), '2026-12-02T10:00:00.000Z');
    expect(ap?.followUp).toBeUndefined();
    expect(row.apClockStatus).toBe('met');
  });
});
