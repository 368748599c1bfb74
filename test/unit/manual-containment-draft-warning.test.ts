/**
 * Review 7, G15: containment in `plan` mode (the default) and a person's steps (block-dns-channel,
 * contain-kubernetes-workload, …) stay "planned" in the record for ever: no command records that a
 * person carried them out. The runbooks say to record it as `facts --measures-taken`. The AP draft
 * then says, in section 2, "niet ingeperkt; nog open: EC2-instantie isoleren …" beside section 8's
 * "Genomen maatregelen: instantie met de hand geïsoleerd …", without a word in "Let op": the answer to
 * the AP form's "Is het datalek nog gaande?" is false once the step was done by hand. Until a way to
 * record a person's step as carried out exists, the draft's "Let op" says so.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('G15: a step done by hand stays open in the draft', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  let policy: Policy;
  const id = 'dl-g15';

  beforeEach(async () => {
    t = tempSqliteStore();
    policy = parsePolicy({ organisation: org });
    deps = { store: t.store, policy, now: () => '2026-11-28T09:00:00.000Z' };
    // The policy planned the isolation (plan mode): on-call carried it out by hand per the runbook.
    const planned = doneIsolation(`i-${id}`, { status: 'planned', mode: 'plan', steps: [], reason: 'plan mode: a person acts' });
    await t.store.commit({ incident: incidentFixture({ id, actions: [planned] }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('does not tell the AP "niet ingeperkt" silently once the FG recorded the isolation as a measure taken', async () => {
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    await recordFacts(deps, { incidentId: id, by: 'FG', measuresTaken: 'instantie i-dl-g15 op 27-11 22:30 met de hand geïsoleerd (runbook)' });
    const draft = buildDraft((await t.store.getIncident(id)) as Incident, policy, '2026-11-28T09:00:00.000Z', 'nl');
    const ongoing = draft.sections.flatMap((s) => s.fields).find((f) => f.key === 'ongoing')?.value ?? '';
    const said = /niet ingeperkt/.test(String(ongoing));
    const warned = draft.warnings.some((w) => /ingeperkt|inperking|met de hand/.test(w));
    // Before the fix: said = true, warned = false.
    expect(!said || warned).toBe(true);
    expect(draft.warnings).toContainEqual(expect.stringMatching(/nog als gepland \(EC2-instantie isoleren i-dl-g15\).*met de hand is uitgevoerd/));
  });

  it('says nothing while no measure is recorded: the planned step is simply still open', async () => {
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    const draft = buildDraft((await t.store.getIncident(id)) as Incident, policy, '2026-11-28T09:00:00.000Z', 'nl');
    expect(draft.warnings.some((w) => /gepland/.test(w))).toBe(false);
  });
});
