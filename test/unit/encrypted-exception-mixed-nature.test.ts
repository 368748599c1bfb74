/**
 * Review 7 G19, what was left: the exception "encrypted" (Art. 34(3)(a)) is refused for a breach
 * without confidentiality (encrypted-exception-confidentiality.test.ts), but a breach of
 * confidentiality *and* availability (ransomware that copied and locked the records) took it on
 * "gegevens versleuteld" alone: encryption answers the copy, not the records being gone, and the
 * record never said why that part was no longer a high risk (EDPB Guidelines 9/2022). Now the
 * exception asks for that reason when the nature names availability or integrity besides
 * confidentiality, keeps it with the decision, and facts that add such a nature under an exception
 * without it set the exception aside (as a nature without confidentiality does).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, decideSubjects, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

describe('the exception "encrypted" for a breach of confidentiality and availability or integrity', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  const id = 'dl-g19m';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const encrypted = { incidentId: id, decision: 'exception' as const, exception: 'encrypted' as const, reason: 'gegevens versleuteld', by: 'FG' };

  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy: parsePolicy({ organisation: { name: 'Zorggroep' } }), now: () => '2026-11-28T12:00:00.000Z' };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await recordFacts(deps, { incidentId: id, by: 'FG', nature: ['confidentiality', 'availability'], unintelligible: 'yes', categories: ['patiëntdossier'] });
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'ransomware: dossiers gekopieerd en versleuteld', by: 'FG' });
  });
  afterEach(async () => t.cleanup());

  it('refuses it without a reason why the availability part is no longer a high risk, recording nothing', async () => {
    const before = (await stored()).revision;
    await expect(decideSubjects(deps, encrypted)).rejects.toThrow(
      /^--exception encrypted answers the confidentiality part \(Art\. 34\(3\)\(a\)\); the facts also name availability.*--other-nature-reason/,
    );
    expect((await stored()).revision).toBe(before);
  });

  it('takes it with that reason and keeps the reason with the decision', async () => {
    const otherNatureReason = 'back-up van vanochtend teruggezet, geen dossier verloren';
    const incident = await decideSubjects(deps, { ...encrypted, otherNatureReason });
    expect(incident.subjects).toMatchObject({ exception: 'encrypted', otherNatureReason });
    // Integrity instead of availability: the reason speaks to what is not confidentiality, and stands.
    expect((await recordFacts(deps, { incidentId: id, by: 'FG', nature: ['confidentiality', 'integrity'] })).subjects).toMatchObject({ otherNatureReason });
  });

  it('sets aside an exception without it when the facts add availability or integrity', async () => {
    await recordFacts(deps, { incidentId: id, by: 'FG', nature: ['confidentiality'] });
    expect((await decideSubjects(deps, encrypted)).subjects).toMatchObject({ exception: 'encrypted' });
    const added = await recordFacts(deps, { incidentId: id, by: 'FG', nature: ['confidentiality', 'integrity'] });
    expect(added.subjects).toBeNull();
    expect((await t.store.getTimeline(id)).at(-1)?.detail.subjectsDecisionSetAside).toMatchObject({ exception: 'encrypted' });
  });
});
