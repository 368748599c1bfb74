/**
 * The core `decideSubjects` took any `decision` value: `'not-inform'` went through every check
 * (each compares to a known value) and was stored as the Art. 34 decision. The CLI and the web form
 * check their choices, but any other caller (a Lambda, a script, a future form) must not be able to
 * record a decision the register cannot read. The same holds for the exception and the audience: an
 * unknown audience skipped both the data-subjects checks and the telecom check and was stored as
 * the subscribers' decision.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, decideSubjects, type FgDeps, type SubjectsInput } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('decideSubjects refuses values it does not know', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  const id = 'dl-subjects-values';
  const now = '2026-11-28T12:00:00.000Z';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const notRequired = { incidentId: id, decision: 'not-required', reason: 'laag risico', by: 'FG' } as const;

  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy: parsePolicy({ organisation: org }), now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'e-mailadressen', by: 'FG' });
  });
  afterEach(async () => t.cleanup());

  it('refuses an unknown decision, naming the allowed ones, and writes nothing', async () => {
    const before = (await stored()).revision;
    const input = { ...notRequired, decision: 'not-inform' } as unknown as SubjectsInput;
    await expect(decideSubjects(deps, input)).rejects.toThrow(
      /^--decision "not-inform" is not a decision on informing the data subjects: use inform, exception or not-required/,
    );
    const after = await stored();
    expect(after.revision).toBe(before);
    expect(after.subjects ?? null).toBeNull();
  });

  it('refuses an unknown exception or audience, naming the allowed ones, and writes nothing', async () => {
    const before = (await stored()).revision;
    const exception = { ...notRequired, decision: 'exception', exception: 'consent' } as unknown as SubjectsInput;
    await expect(decideSubjects(deps, exception)).rejects.toThrow(
      /^--exception "consent" is not an exception of Art\. 34\(3\): use encrypted, measures-taken or disproportionate-effort/,
    );
    const audience = { ...notRequired, audience: 'customers' } as unknown as SubjectsInput;
    await expect(decideSubjects(deps, audience)).rejects.toThrow(/^--audience "customers" .*: use data-subjects or subscribers/);
    const after = await stored();
    expect(after.revision).toBe(before);
    expect(after.subjects ?? null).toBeNull();
    expect(after.subscribers ?? null).toBeNull();
  });

  it('still records a known decision', async () => {
    expect((await decideSubjects(deps, notRequired)).subjects).toMatchObject({ decision: 'not-required' });
  });
});
