/**
 * The NIS2 final report is due "not later than one month after the submission of the incident
 * notification" (art. 23(4)(d); the Cyberbeveiligingswet sends it to the CSIRT and the competent
 * authority). The month runs from the first notification, not the later of the two (review8 F4):
 * a CSIRT notified on 28 November whose authority was notified (late) on 20 December is owed its
 * final report by the end of Monday 28 December, not 20 January, and a final report on 15 January
 * reads "late", not "met". One late notification must not move the other's deadline out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const policy = parsePolicy({ organisation: org, clocks: { nis2: true } });

describe('the NIS2 final report month after the first incident notification', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  const id = 'dl-nis2-final';
  const deps = (): FgDeps => ({ store: t.store, policy, now: () => now });
  const final = async () => clocksOf((await t.store.getIncident(id)) as Incident, policy, now).find((c) => c.name === 'nis2-final');

  beforeEach(async () => {
    t = tempSqliteStore();
    // detected 2026-11-27T21:00Z
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    now = '2026-11-28T10:00:00.000Z';
    await assess(deps(), { incidentId: id, nis2Significant: true, reason: 'productie ligt stil', by: 'CISO' });
    await recordReport(deps(), { incidentId: id, to: 'csirt', kind: 'notification', reference: 'CSIRT-1', at: '2026-11-28T09:00:00Z', by: 'CISO' });
    now = '2026-12-20T10:00:00.000Z';
    await recordReport(deps(), { incidentId: id, to: 'authority', kind: 'notification', reference: 'RDI-1', at: '2026-12-20T09:00:00Z', by: 'CISO' });
  });
  afterEach(async () => t.cleanup());

  it('is due at the end of 28 December (a month after the CSIRT’s notification), not a month after the later one', async () => {
    expect((await final())?.dueAt).toBe('2026-12-28T22:59:59.999Z');
  });

  it('runs from the first notification before the other recipient has one', async () => {
    await t.cleanup();
    t = tempSqliteStore();
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    now = '2026-11-28T10:00:00.000Z';
    await assess(deps(), { incidentId: id, nis2Significant: true, reason: 'productie ligt stil', by: 'CISO' });
    await recordReport(deps(), { incidentId: id, to: 'csirt', kind: 'notification', reference: 'CSIRT-1', at: '2026-11-28T09:00:00Z', by: 'CISO' });
    expect(await final()).toMatchObject({ startsAt: '2026-11-28T09:00:00.000Z', dueAt: '2026-12-28T22:59:59.999Z', status: 'running' });
  });

  it('reads a final report to both on 15 January as late', async () => {
    now = '2027-01-15T10:00:00.000Z';
    for (const to of ['csirt', 'authority'] as const) {
      await recordReport(deps(), { incidentId: id, to, kind: 'final', reference: `F-${to}`, by: 'CISO' });
    }
    expect((await final())?.status).toBe('late');
  });
});
