/**
 * Review 7 G20: informing the data subjects (Art. 34(1)) was recorded with a date and a channel
 * only, while a public communication (Art. 34(3)(c)) needs its text. Art. 34(2) prescribes the
 * content of the communication, and the FG must be able to show the AP what was sent (Art. 5(2),
 * 33(5); the AP may find it inadequate, Art. 34(4)). "Inform" now needs the text, kept with the
 * decision and shown in the register.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, decideSubjects, type FgDeps } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerRow } from '../../handlers/core/register.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('informing the data subjects keeps what they were told', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  const id = 'dl-g20';
  const now = '2026-11-28T12:00:00.000Z';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const inform = { incidentId: id, decision: 'inform' as const, date: '2026-11-28T11:00:00Z', channel: 'e-mail', reason: 'hoog risico', by: 'FG' };

  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy: parsePolicy({ organisation: org }), now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'wachtwoorden en e-mailadressen', by: 'FG' });
  });
  afterEach(async () => t.cleanup());

  it('refuses "inform" without the text of the communication, naming Art. 34(2) and the notice', async () => {
    const before = (await stored()).revision;
    await expect(decideSubjects(deps, inform)).rejects.toThrow(
      /^informing the data subjects needs what they were told \(--text TEXT: .*datalek notice ID.*Art\. 34\(2\)/,
    );
    await expect(decideSubjects(deps, { ...inform, text: '  ' })).rejects.toThrow(/--text/);
    expect((await stored()).revision).toBe(before);
  });

  it('keeps the text with the decision and shows it in the register', async () => {
    const text = 'Beste klant, op 27 november kreeg een onbevoegde toegang tot uw e-mailadres en wachtwoord. Wijzig uw wachtwoord.';
    const incident = await decideSubjects(deps, { ...inform, text });
    expect(incident.subjects).toMatchObject({ decision: 'inform', text });
    const row = registerRow(incident, deps.policy, now);
    expect(row.subjectsText).toBe(text);
    expect(row.decisions.at(-1)).toMatchObject({ kind: 'subjects', decision: 'inform', text });
  });
});
