/**
 * fg20 (after readA19 4ba4c951): a record an earlier release minimised, still holding personal data
 * where that release did not look, is named by `verify` with the command that minimises it again.
 * Two things in that promise did not hold when the first minimisation used a shorter `--after-days`
 * than the policy's (here 7 days against 180), the incident closed more recently than 180 days:
 * - the command it named, `datalek minimise ID`, is refused as it stands: minimise needs `--by NAME`;
 * - run with `--by` (the policy's 180 days, as the message gave no period), it removed the address
 *   and then wrote the run's period over the record's: show, the register and the incident page
 *   said the findings were removed "180 days after closing" at a time 19 days after closing, and the
 *   first removal's time was gone from the note the FG is told to read (`minimised.at`). An FG
 *   defending the record before the AP would show a retention period the data was never kept for.
 * Minimising again is no removal under a retention period: the note keeps when, by whom and after
 * how many days the findings were minimised, and says apart when they were minimised again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FindingRecord, Incident } from '../../handlers/core/incident.js';
import { runCli } from '../support/cli.js';
import { storeAdditionalInfoMinimisedAsBefore } from '../support/old-record.js';
import { tempSqliteStore } from '../support/store.js';

const CLOSED_AT = '2026-06-01T03:00:00.000Z';
const FIRST_AT = '2026-06-08T09:00:00.000Z';
const NOW = '2026-06-20T09:00:00.000Z';
const ORIGIN = '{"origin":"198.51.100.23"}';

describe('fg20: minimising again after a shorter --after-days', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  it("verify names a command that runs, and running it keeps the first minimisation's time and period on record", async () => {
    // Minimised 7 days after closing by a release that did not search service.additionalInfo.
    const { id, key } = await storeAdditionalInfoMinimisedAsBefore(t.store, CLOSED_AT, { at: FIRST_AT, afterDays: 7 }, ORIGIN);
    const cli = (args: string[]) => runCli([...args, '--store', t.dir, '--now', NOW]);

    const verified = await cli(['verify', id, '--json']);
    expect(verified.code).toBe(1);
    const problem = (JSON.parse(verified.stdout).breaks as { problem: string }[]).find((p) => p.problem.includes('still holds personal data'));
    // The command the problem names, as it names it: --by is the one thing a person adds (their own name).
    const named = /datalek (minimise \S+(?: --[a-z-]+(?: [A-Z]+)?)*)/.exec(problem?.problem ?? '')?.[1] ?? '';
    expect(named).toBe(`minimise ${id} --by NAME`);
    const ran = await cli([...named.split(' ').map((w) => (w === 'NAME' ? 'Functionaris' : w)), '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.stringify(((await t.store.getFinding(key)) as FindingRecord).detail)).not.toContain('198.51.100.23');
    expect((await cli(['verify', id])).code).toBe(0);

    // The note keeps the minimisation under the retention period; the run that minimised again is said apart.
    const incident = (await t.store.getIncident(id)) as Incident;
    expect(incident.minimised).toMatchObject({ at: FIRST_AT, by: 'FG', afterDays: 7, findings: 1, again: { at: NOW, by: 'Functionaris' } });
    const shown = (await cli(['show', id])).stdout;
    expect(shown).toContain('7 days after closing');
    expect(shown).not.toContain('180 days after closing');
    expect(shown).toMatch(/minimised again .* by Functionaris/);
    const register = (await cli(['register', '--format', 'md'])).stdout;
    expect(register).toContain('7 dagen na sluiten');
    expect(register).not.toContain('180 dagen');
    expect(register).toContain('opnieuw geminimaliseerd');
    // The report's retention section and its timeline say the same.
    const file = join(t.dir, 'report.html');
    expect((await cli(['report', id, '--html', file, '--lang', 'en'])).code).toBe(0);
    const report = readFileSync(file, 'utf8');
    expect(report).toContain('7 days after closing (retention period)');
    expect(report).toContain('Minimised again at');
    expect(report).toContain('Personal data removed again from finding f-info');
    expect(report).not.toContain('180 days after closing');
    // The timeline's entry of this run claims no retention period: it is no removal under one.
    const entries = (JSON.parse((await cli(['show', id, '--json'])).stdout).timeline as { kind: string; detail: Record<string, unknown> }[]).filter(
      (e) => e.kind === 'finding-minimised',
    );
    expect(entries.at(-1)?.detail).toMatchObject({ findingId: 'f-info', again: true });
    expect(entries.at(-1)?.detail).not.toHaveProperty('afterDays');
  });
});
