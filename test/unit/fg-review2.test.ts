/**
 * The second FG review (review2/fg-security.md, F1–F7 and the FG's low items), read as the FG who
 * must defend the record before the AP. The incident is detected 2026-11-27 21:00 UTC; its AP
 * deadline is 2026-11-30 21:00 UTC.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, closeBlockers, closeIncident, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import { type Incident, initialReport } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerRow } from '../../handlers/core/register.js';
import { REGISTER_FACTS as FACTS, incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

describe('the second FG review', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  let id: string;
  const at = (iso: string) => {
    now = iso;
  };
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const ap = (incident: Incident) => clocksOf(incident, policy, now).find((c) => c.name === 'ap');
  const high = { personalData: 'yes' as const, risk: 'high' as const, reason: 'patiëntgegevens', by: 'FG' };

  beforeEach(async () => {
    t = tempSqliteStore();
    now = '2026-11-28T08:00:00.000Z';
    deps = { store: t.store, policy, now: () => now };
    const incident: Incident = incidentFixture({ id: 'dl-review2' });
    id = incident.id;
    await t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  describe('F1. withdrawing the AP notification', () => {
    beforeEach(async () => {
      await assess(deps, { incidentId: id, ...high });
      await recordFacts(deps, { incidentId: id, by: 'FG', ...FACTS });
      at('2026-11-28T09:00:00.000Z');
      await recordReport(deps, { incidentId: id, reference: 'M-1', by: 'FG' });
      at('2026-11-28T10:00:00.000Z');
    });

    it('needs a reason, and nothing is written without one', async () => {
      const before = await stored();
      await expect(recordReport(deps, { incidentId: id, reference: 'M-1', kind: 'withdrawal', by: 'FG' })).rejects.toThrow(/withdrawal.*reason \(--reason\)/);
      expect((await stored()).revision).toBe(before.revision);
    });

    it('is refused while the assessment says notifiable: the record would say "met" with no notification at the AP', async () => {
      await expect(recordReport(deps, { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'toch geen datalek', by: 'FG' })).rejects.toThrow(
        /assessment.*notifiable.*datalek assess.*Art\. 33/,
      );
    });

    it('after an assessment of "not notifiable" it is recorded with its reason; the notification no longer stands', async () => {
      await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testomgeving zonder echte gegevens', by: 'FG' });
      const withdrawn = (await recordReport(deps, { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'geen persoonsgegevens', by: 'FG' }))
        .incident;
      expect(withdrawn.reports?.at(-1)).toMatchObject({ kind: 'withdrawal', reason: 'geen persoonsgegevens' });
      expect(initialReport(withdrawn)).toBeUndefined();
      expect(ap(withdrawn)?.status).toBe('not-needed');
      expect(registerRow(withdrawn, policy, now).apClock).not.toMatch(/^met/);
    });

    it('a breach notifiable again after the withdrawal can be notified anew, and "met" rests on the new report', async () => {
      await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'leek een test', by: 'FG' });
      await recordReport(deps, { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'geen persoonsgegevens', by: 'FG' });
      at('2026-11-28T11:00:00.000Z');
      await assess(deps, { incidentId: id, ...high, reason: 'toch echte patiëntgegevens' });
      const again = (await recordReport(deps, { incidentId: id, reference: 'M-2', by: 'FG' })).incident;
      expect(initialReport(again)?.reference).toBe('M-2');
      expect(ap(again)).toMatchObject({ status: 'met', doneAt: '2026-11-28T11:00:00.000Z' });
    });
  });
});
