/**
 * Review 7 G19: the Art. 34(3)(a) exception (data unintelligible to anyone not authorised, e.g.
 * encrypted) was accepted for a breach whose recorded nature is availability only (ransomware made
 * the patient records unavailable). Encryption keeps data from others' eyes; it does nothing for a
 * risk that comes from the data being gone (EDPB Guidelines 9/2022, the ransomware examples), so
 * the exception did not match the recorded facts. It is refused unless the nature includes
 * confidentiality; a change of nature (or of unintelligibility) that takes its ground away is
 * recorded and sets the exception aside, so the decision is open again (Y4).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, closeBlockers, decideSubjects, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
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

  // Review 7 Y4: the corrected nature was refused until a new decision, and with a high risk the only
  // one left was "inform", which needs a communication already sent: the wrong nature stayed.
  it('takes it once the nature includes confidentiality; a nature corrected without it is recorded and sets the exception aside', async () => {
    await recordFacts(deps, { incidentId: id, by: 'FG', nature: ['confidentiality', 'availability'] });
    // Availability besides it asks why that part is no longer a high risk (encrypted-exception-mixed-nature.test.ts).
    const withReason = { ...encrypted, otherNatureReason: 'teruggezet uit de back-up' };
    expect((await decideSubjects(deps, withReason)).subjects).toMatchObject({ decision: 'exception', exception: 'encrypted' });
    // Facts that leave confidentiality in leave it standing.
    expect((await recordFacts(deps, { incidentId: id, by: 'FG', nature: ['confidentiality', 'integrity'] })).subjects).toMatchObject({
      exception: 'encrypted',
    });
    const corrected = await recordFacts(deps, { incidentId: id, by: 'FG', nature: ['availability'] });
    expect(corrected.facts?.nature).toEqual(['availability']);
    expect(corrected.subjects).toBeNull();
    expect(corrected.decisions?.filter((d) => d.kind === 'subjects')).toHaveLength(1);
    const entry = (await t.store.getTimeline(id)).at(-1);
    expect(entry?.detail.subjectsDecisionSetAside).toMatchObject({ decision: 'exception', exception: 'encrypted' });
    expect(closeBlockers(corrected, deps.policy, '2026-11-28T12:00:00.000Z')).toContainEqual(
      expect.stringMatching(/^high risk, but no decision on informing the data subjects/),
    );
  });

  it('sets it aside when the data turns out not unintelligible, for the data subjects and the subscribers', async () => {
    const tdeps = { ...deps, policy: parsePolicy({ organisation: org, clocks: { telecom: true } }) };
    await recordFacts(tdeps, { incidentId: id, by: 'FG', nature: ['confidentiality'] });
    await decideSubjects(tdeps, encrypted);
    // The subscribers' exception rests on the AP's agreement too (Regulation 611/2013 art. 4(1)).
    await decideSubjects(tdeps, { ...encrypted, audience: 'subscribers', apReference: 'AP-1', apAgreedAt: '2026-11-28T09:00:00Z' });
    const learnt = await recordFacts(tdeps, { incidentId: id, by: 'FG', unintelligible: 'no' });
    expect(learnt.facts?.unintelligible).toBe('no');
    expect([learnt.subjects, learnt.subscribers]).toEqual([null, null]);
    const entry = (await t.store.getTimeline(id)).at(-1);
    expect(entry?.detail).toMatchObject({ subjectsDecisionSetAside: { exception: 'encrypted' }, subscribersDecisionSetAside: { exception: 'encrypted' } });
  });
});
