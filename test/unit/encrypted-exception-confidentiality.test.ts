/**
 * Review 7 G19: the Art. 34(3)(a) exception (data unintelligible to anyone not authorised, e.g.
 * encrypted) was accepted for a breach whose recorded nature is availability only (ransomware made
 * the patient records unavailable). Encryption keeps data from others' eyes; it does nothing for a
 * risk that comes from the data being gone (EDPB Guidelines 9/2022, the ransomware examples), so
 * the exception did not match the recorded facts. It is refused unless the nature includes
 * confidentiality, and a change of nature under a standing "encrypted" exception is re-checked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, decideSubjects, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('the exception "encrypted" (Art. 34(3)(a)) and the nature of the breach', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  const id = 'dl-g19';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const encrypted = { incidentId: id, decision: 'exception' as const, exception: 'encrypted' as const, reason: 'gegevens versleuteld', by: 'FG' };

  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy: parsePolicy({ organisation: org }), now: () => '2026-11-28T12:00:00.000Z' };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await recordFacts(deps, { incidentId: id, by: 'FG', nature: ['availability'], unintelligible: 'yes', categories: ['patiëntdossier'] });
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'ransomware: dossiers niet beschikbaar', by: 'FG' });
  });
  afterEach(async () => t.cleanup());

  it('refuses it for a breach of availability only, naming the article and what to do', async () => {
    const before = (await stored()).revision;
    await expect(decideSubjects(deps, encrypted)).rejects.toThrow(
      /^--exception encrypted .*\(Art\. 34\(3\)\(a\)\).*confidentiality; the facts names? the breach as one of availability only.*Record --nature confidentiality first .*or inform the data subjects/,
    );
    expect((await stored()).revision).toBe(before);
  });

  it('takes it once the nature includes confidentiality, and then refuses a nature without it until a new decision', async () => {
    await recordFacts(deps, { incidentId: id, by: 'FG', nature: ['confidentiality', 'availability'] });
    expect((await decideSubjects(deps, encrypted)).subjects).toMatchObject({ decision: 'exception', exception: 'encrypted' });
    const before = (await stored()).revision;
    await expect(recordFacts(deps, { incidentId: id, by: 'FG', nature: ['availability'] })).rejects.toThrow(
      /^--nature availability: the decision on the data subjects rests on the exception "encrypted" \(Art\. 34\(3\)\(a\)\).*record a new Art\. 34 decision first/,
    );
    expect((await stored()).revision).toBe(before);
    // Facts that leave confidentiality in are taken.
    expect((await recordFacts(deps, { incidentId: id, by: 'FG', nature: ['confidentiality', 'integrity'] })).facts?.nature).toEqual([
      'confidentiality',
      'integrity',
    ]);
  });
});
