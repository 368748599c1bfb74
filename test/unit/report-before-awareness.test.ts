/**
 * Review 7 G1: a report stated before the awareness on record. Nobody tells of a breach they are
 * not aware of: review 5's F1 refuses awareness moved after a report (moveAwareness), and an Art. 34
 * communication dated before awareness is refused (decideSubjects); a report to the AP (or a
 * telecom provider's, which goes to the AP too) or a processor's to its controller stated before
 * awareness is refused the same way, else the register says the AP was notified before the
 * organisation became aware of the breach.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('a report stated before the recorded awareness', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  const id = 'dl-g1';
  const stored = async () => (await t.store.getIncident(id)) as Incident;

  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy: parsePolicy({ organisation: org }), now: () => '2026-11-28T12:20:00.000Z' };
    // Detected 2026-11-27T21:00Z; the FG records awareness the next morning at 09:00.
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps, {
      incidentId: id,
      personalData: 'yes',
      risk: 'high',
      reason: 'shell op server met klantdata',
      awareAt: '2026-11-28T09:00:00Z',
      awareReason: 'pas na onderzoek zeker',
      by: 'FG',
    });
  });
  afterEach(async () => t.cleanup());

  it('refuses an AP report stated before the awareness on record, saying to record the earlier awareness first', async () => {
    const before = (await stored()).revision;
    const early = recordReport(deps, { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', at: '2026-11-28T08:00:00Z', by: 'FG' });
    await expect(early).rejects.toThrow(/before the awareness on record, 2026-11-28 10:00 CET \(2026-11-28T09:00:00.000Z\).*Art\. 33\(1\).*record that first/);
    expect((await stored()).revision).toBe(before);
  });

  it("refuses a processor's report to its controller stated before its awareness (Art. 33(2))", async () => {
    await assess(deps, { incidentId: id, actingAs: 'processor', reason: 'wij verwerken voor de gemeente', by: 'FG' });
    const before = (await stored()).revision;
    const early = recordReport(deps, { incidentId: id, to: 'controller', kind: 'initial', reference: 'V-1', at: '2026-11-28T08:59:00Z', by: 'FG' });
    await expect(early).rejects.toThrow(/before the awareness on record.*Art\. 33\(2\)/);
    expect((await stored()).revision).toBe(before);
  });

  it('records a report stated at the moment of awareness', async () => {
    const { report } = await recordReport(deps, { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', at: '2026-11-28T09:00:00Z', by: 'FG' });
    expect(report).toMatchObject({ at: '2026-11-28T09:00:00.000Z', reference: 'M-1' });
  });
});
