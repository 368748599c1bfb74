/**
 * Review 7, G13: for an incident where we are processor, the AP draft (which "helps the
 * controller's notification") fills "Bewust geworden (start 72 uur)" with the processor's own
 * awareness. The controller's 72 hours start when the controller became aware, at the earliest when
 * the processor informed it (Art. 33(1), (2); EDPB Guidelines 9/2022): the draft states a start a
 * day early, and after the report to the controller it still does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

describe('G13: the processor’s draft and the controller’s 72 hours', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  let policy: Policy;
  let now = '2026-11-27T22:00:00.000Z';
  const id = 'dl-g13';

  beforeEach(async () => {
    t = tempSqliteStore();
    policy = parsePolicy({ organisation: { name: 'Hosting BV', processor: true, fg: { name: 'A', email: 'fg@hosting.example' } } });
    deps = { store: t.store, policy, now: () => now };
    // processor aware at detection, 2026-11-27T21:00Z
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('does not give the processor’s awareness as the start of the controller’s 72 hours', async () => {
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantdata van de opdrachtgever', by: 'FG' });
    now = '2026-11-28T20:00:00.000Z';
    await recordReport(deps, { incidentId: id, to: 'controller', kind: 'initial', reference: 'VV-1', at: '2026-11-28T20:00:00Z', by: 'FG' });
    const draft = buildDraft((await t.store.getIncident(id)) as Incident, policy, now, 'nl');
    const aware = draft.sections.flatMap((s) => s.fields).find((f) => f.key === 'awareAt');
    // Before review7 G13: "2026-11-27 22:00 CET …" labelled "Bewust geworden (start 72 uur)".
    expect(`${aware?.label} ${aware?.value}`).not.toMatch(/start 72 uur.*2026-11-27 22:00/);
    expect(aware?.label).toBe('Wij (verwerker) bewust geworden');
    const fields = new Map(draft.sections.flatMap((s) => s.fields).map((f) => [f.key, f.value]));
    // Where the controller's 72 hours start at the earliest: when we told it.
    expect(fields.get('controllerInformedAt')).toMatch(/^2026-11-28 21:00 .*VV-1$/);
    // The AP form's organisation, notifier and FG are the controller's; we are the processor involved.
    for (const key of ['organisation', 'notifier', 'fg']) expect(fields.get(key)).toBe('in te vullen door de verwerkingsverantwoordelijke');
    expect(fields.get('processorInvolved')).toMatch(/^ja: Hosting BV/);
  });
});
