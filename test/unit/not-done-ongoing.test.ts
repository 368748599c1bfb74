/**
 * fgsec11 S5: when every containment step of an incident is recorded as not to be done
 * (`datalek not-done`), the AP draft's answer to "Is het datalek nog gaande?" (form section 2) is
 * only "wordt niet uitgevoerd: <step> (besloten door …)". It no longer says that nothing is
 * contained nor that the end of the breach is not established, which it said the moment before
 * ("niet ingeperkt; nog open: …; einde nog niet vastgesteld"): the key stays active, no end is
 * recorded, and the field the FG copies into the AP's form answers a yes/no question with neither.
 * Also: the Markdown register (the Dutch register a person reads, and hands the AP) keeps no trace of
 * the decision: no containment column, and "Inperking niet uitgevoerd" lists only enforced failed or
 * planned steps. Only CSV/JSON's `containment` has it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordNotToBeDone } from '../../handlers/core/by-hand.js';
import { buildDraft } from '../../handlers/core/draft.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerMarkdown } from '../../handlers/core/register.js';
import { doneIsolation, incidentFixture, plannedIsolation } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const now = '2026-11-28T08:00:00.000Z';
const id = 'dl-fgsec11-ongoing';
const PLANNED = 'isolate-instance:i-planned';

function ongoing(incident: Incident, lang: 'nl' | 'en'): string {
  const draft = buildDraft(incident, policy, now, lang);
  const fields = (draft.sections as { fields: { key: string; value: string }[] }[]).flatMap((s) => s.fields);
  return (fields.find((f) => f.key === 'ongoing') as { value: string }).value;
}

describe('fgsec11 S5: "is the breach ongoing?" after every step was decided not to be done', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy, now: () => now });

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({
      incident: incidentFixture({ id, actions: [plannedIsolation('i-planned', { mode: 'plan' })] }),
      expectedRevision: null,
      timeline: [],
      messages: [],
    });
  });
  afterEach(async () => cleanup());

  it('still says nothing is contained and the end is not established, beside the decision', async () => {
    const before = (await store.getIncident(id)) as Incident;
    // Control: before the decision the answer says both.
    expect(ongoing(before, 'nl')).toMatch(/^niet ingeperkt; .*einde nog niet vastgesteld$/);

    const incident = await recordNotToBeDone(deps(), {
      incidentId: id,
      actionId: PLANNED,
      by: 'A. de Vries',
      reason: 'gedeelde databaseserver; het proces is gestopt',
    });
    const nl = ongoing(incident, 'nl');
    const en = ongoing(incident, 'en');
    expect(nl).toContain('wordt niet uitgevoerd');
    // On main: "wordt niet uitgevoerd: EC2-instance isoleren i-planned (besloten door …)" and nothing else.
    expect(nl).toContain('einde nog niet vastgesteld');
    expect(nl).toContain('niet ingeperkt');
    expect(en).toContain('end not established yet');
    expect(en).toContain('not contained');
  });

  it('is in the Markdown register, with who decided and why (Art. 33(5): the remedial action, and what was decided against it)', async () => {
    const incident = await recordNotToBeDone(deps(), {
      incidentId: id,
      actionId: PLANNED,
      by: 'A. de Vries',
      reason: 'gedeelde databaseserver; het proces is gestopt',
    });
    // On main the Markdown register names neither the step nor the reason.
    expect(registerMarkdown([incident], policy, now, 'nl')).toContain('gedeelde databaseserver');
    expect(registerMarkdown([incident], policy, now, 'nl')).toMatch(
      /wordt niet uitgevoerd: .*i-planned \(besloten door A\. de Vries op .*: gedeelde databaseserver/,
    );
    expect(registerMarkdown([incident], policy, now, 'en')).toMatch(/will not be carried out: .*i-planned \(decided by A\. de Vries/);
  });

  it('says partly contained when another step was carried out', async () => {
    const current = (await store.getIncident(id)) as Incident;
    await store.commit({
      incident: { ...current, revision: current.revision + 1, actions: [...current.actions, doneIsolation('i-done')] },
      expectedRevision: current.revision,
      timeline: [],
      messages: [],
    });
    const incident = await recordNotToBeDone(deps(), { incidentId: id, actionId: PLANNED, by: 'A. de Vries', reason: 'gedeelde databaseserver' });
    expect(ongoing(incident, 'nl')).toMatch(/^deels ingeperkt op .*i-done.*; einde nog niet vastgesteld; wordt niet uitgevoerd: .*i-planned/);
  });
});
