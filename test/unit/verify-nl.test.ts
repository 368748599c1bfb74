/**
 * The Dutch verify page gives every problem `datalek verify` can name in Dutch (handlers/web/verify-nl.ts):
 * each problem text in the audit's source (core/audit.ts, audit-record.ts, verify-store.ts) has its Dutch
 * template, so a text the audit gains shows up here as a failing case, not as English on the page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeProblem } from '../../handlers/core/audit.js';
import { describeProblemNl } from '../../handlers/web/verify-nl.js';

const ROOT = join(import.meta.dirname, '../..');

/** The problem texts of a source file: its string literals of a sentence's length, each value as `X`. */
function problemTexts(file: string): string[] {
  const code = readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .filter((l) => !/^\s*(\*|\/\/|\/\*\*)/.test(l))
    .join('\n');
  const out: string[] = [];
  for (const m of code.matchAll(/'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`/g)) {
    const text = (m[1] ?? m[2]).replace(/\$\{[^}]*\}/g, 'X');
    if (text.length < 30 || !text.includes(' ')) continue;
    // A value chosen inside the text (`is marked ${… ? 'not sent' : `sent at …`}`): both of its readings.
    if (text.startsWith('was sent at ')) out.push('was sent at X but is marked not sent', 'was sent at X but is marked sent at X');
    else out.push(text);
  }
  return out;
}

describe('the problems of datalek verify on the Dutch page', () => {
  const texts = [
    ...problemTexts('handlers/core/audit.ts'),
    ...problemTexts('handlers/core/audit-record.ts'),
    ...problemTexts('handlers/core/audit-law-fields.ts'),
    ...problemTexts('handlers/core/audit-ops-fields.ts'),
    ...problemTexts('handlers/core/audit-released-as-deleted.ts'),
    ...problemTexts('handlers/core/audit-reminders.ts'),
    ...problemTexts('handlers/core/verify-store.ts'),
    ...problemTexts('handlers/core/pseudonym-audit.ts'),
  ];

  it('finds the problem texts in the audit source', () => {
    expect(texts.length).toBeGreaterThanOrEqual(35);
    expect(texts).toContain('its content does not match its hash: the entry was edited');
  });

  it('has a Dutch text for every one, keeping its values', () => {
    const untranslated = texts.filter((problem) => describeProblemNl({ incidentId: 'dl-1', entry: 'record', problem }).includes('(Engelse tekst'));
    expect(untranslated).toEqual([]);
  });

  it('names the entry in Dutch and keeps its number or key', () => {
    const p = (entry: string) => describeProblemNl({ incidentId: 'dl-1', entry, problem: 'is missing: the finding record was deleted' });
    expect(p('ledger 3')).toBe('incident dl-1, grootboekregel 3: ontbreekt: de bevinding is verwijderd');
    expect(p('entry 12')).toMatch(/^incident dl-1, tijdlijnregel 12: /);
    expect(p('finding 111122223333:eu-west-1:abc')).toMatch(/, bevinding 111122223333:eu-west-1:abc: /);
    expect(p('registry 5/12')).toMatch(/, incidentregister 5\/12: /);
    expect(
      describeProblemNl({
        incidentId: 'dl-1',
        entry: 'record',
        problem: 'the column nextDueAt (null) does not match the record: it was altered',
      }),
    ).toBe('incident dl-1, incidentrecord: de kolom nextDueAt (null) komt niet overeen met het record: die is gewijzigd');
  });

  it('shows a text it has no Dutch for in English, marked, rather than leaving it out', () => {
    const p = { incidentId: 'dl-1', entry: 'record', problem: 'something new went wrong' };
    expect(describeProblemNl(p)).toBe('incident dl-1, incidentrecord: something new went wrong (Engelse tekst van datalek verify)');
    expect(describeProblem(p)).toBe('incident dl-1, record: something new went wrong');
  });
});
