/**
 * Review 5 F5: after a withdrawal and a new assessment "notifiable", a new initial notification to
 * the AP was accepted with a stated time before the withdrawal it follows: the record then said the
 * AP held two live notifications of one breach (M-1 and M-2) between M-2's time and M-1's
 * withdrawal, and the AP verdict was judged by M-2. As a follow-up or correction stated before the
 * initial report it follows is refused (Art. 33(4)), so is a notification anew stated before the
 * withdrawal it follows, naming the withdrawal.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('a new initial notification stated before the withdrawal of the previous one', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  let policy: Policy;
  const id = 'dl-f5';
  const stored = async () => (await t.store.getIncident(id)) as Incident;

  beforeEach(async () => {
    t = tempSqliteStore();
    policy = parsePolicy({ organisation: org });
    now = '2026-11-28T09:00:00.000Z'; // detected 2026-11-27T21:00Z
    deps = { store: t.store, policy, now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('is refused, naming the withdrawal it would precede', async () => {
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    now = '2026-11-28T10:00:00.000Z';
    await recordReport(deps, { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', at: '2026-11-28T09:30:00Z', by: 'FG' });
    now = '2026-11-28T14:00:00.000Z';
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens', by: 'FG' });
    await recordReport(deps, { incidentId: id, to: 'ap', kind: 'withdrawal', reference: 'M-1', reason: 'geen datalek', at: '2026-11-28T13:00:00Z', by: 'FG' });
    now = '2026-11-28T18:00:00.000Z';
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch wel', by: 'FG' });
    const before = (await stored()).revision;
    // M-2 stated at 11:00, two hours before M-1 was withdrawn (13:00).
    await expect(recordReport(deps, { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-2', at: '2026-11-28T11:00:00Z', by: 'FG' })).rejects.toThrow(
      /before the withdrawal.*M-1.*2026-11-28T13:00:00\.000Z/,
    );
    expect((await stored()).revision).toBe(before);
    // At or after the withdrawal it is recorded.
    await recordReport(deps, { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-2', at: '2026-11-28T13:00:00Z', by: 'FG' });
    expect((await stored()).reports?.map((r) => `${r.kind} ${r.reference}`)).toEqual(['initial M-1', 'withdrawal M-1', 'initial M-2']);
  });
});
