/**
 * Review 12 (fgsec14), low: `facts --nature confidentiality,availability` under an Art. 34 exception
 * "encrypted" without `--other-nature-reason` (G19), or `--unintelligible no`, sets the decision
 * aside (`subjectsDecisionSetAside` in the timeline, the decision open again), but the CLI printed
 * only "Facts recorded … Still missing: N": the FG learnt it from `show` or the next reminder. The
 * facts command now says it (handlers/cli/commands/facts.ts setAsideText, given the incident before
 * and after the change).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { setAsideText } from '../../handlers/cli/commands/facts.js';
import { assess, decideSubjects, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const id = 'dl-set-aside';
let t: ReturnType<typeof tempSqliteStore>;
let deps: FgDeps;
const stored = async () => (await t.store.getIncident(id)) as Incident;
beforeEach(async () => {
  t = tempSqliteStore();
  deps = { store: t.store, policy: parsePolicy({ organisation: { name: 'Zorggroep' } }), now: () => '2026-11-28T12:00:00.000Z' };
  await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  await recordFacts(deps, { incidentId: id, by: 'FG', nature: ['confidentiality'], unintelligible: 'yes', categories: ['patiëntdossier'] });
  await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'dossiers gekopieerd', by: 'FG' });
  await decideSubjects(deps, { incidentId: id, decision: 'exception', exception: 'encrypted', reason: 'gegevens versleuteld', by: 'FG' });
});
afterEach(async () => t.cleanup());

it('says the Art. 34 decision was set aside when the facts take its ground away, and nothing when they do not', async () => {
  const before = await stored();
  const kept = await recordFacts(deps, { incidentId: id, by: 'FG', records: 1200 });
  expect(setAsideText(before, kept)).toEqual([]);
  const after = await recordFacts(deps, { incidentId: id, by: 'FG', nature: ['confidentiality', 'availability'] });
  expect(after.subjects).toBeNull(); // premise: set aside
  expect(setAsideText(kept, after)).toEqual([
    `The Art. 34 decision on the data subjects (exception (encrypted)) is set aside: these facts take away its ground; record a new one (datalek subjects ${id} --decision inform|exception|not-required --reason TEXT).`,
  ]);
});
