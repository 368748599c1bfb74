import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RefusedError, UsageError } from '../../handlers/core/errors.js';
import { BREACH_TYPES } from '../../handlers/core/incident.js';
import { ACTIONS, assessAction, factsAction, reportedAction, subjectsAction } from '../../handlers/use-cases/actions.js';
import { parseFields, parseFieldsAll } from '../../handlers/use-cases/fields.js';
import { fieldOf, formValues, isoToLocal, localToIso, rawFromForm } from '../../handlers/web/forms.js';
import { Markdown } from '../../handlers/web/markdown.js';
import { ROOT } from '../support/cli.js';
import { incidentFixture } from '../support/incidents.js';

const TZ = 'Europe/Amsterdam';

describe('a local time from a form, in the policy’s zone', () => {
  it('gets the offset in force at that moment: CET in winter, CEST in summer', () => {
    expect(localToIso('2026-11-28T09:30', TZ, 'at')).toBe('2026-11-28T09:30:00+01:00');
    expect(localToIso('2026-07-01T09:30', TZ, 'at')).toBe('2026-07-01T09:30:00+02:00');
    expect(localToIso('2026-11-28T09:30', 'UTC', 'at')).toBe('2026-11-28T09:30:00+00:00');
  });

  it('refuses the hour the clocks skip in March', () => {
    expect(() => localToIso('2026-03-29T02:30', TZ, 'at')).toThrow('--at: 2026-03-29T02:30 does not exist in Europe/Amsterdam (the clocks moved forward)');
  });

  it('refuses a time in the hour that repeats in October, naming both instants (review7 G8: the first one taken silently made a report 30 minutes late read "met")', () => {
    for (const local of ['2026-10-25T02:00', '2026-10-25T02:30', '2026-10-25T02:59']) {
      expect(() => localToIso(local, TZ, 'at')).toThrow(
        `--at: ${local} happens twice in Europe/Amsterdam (the clocks moved back): give the offset, ${local}:00+02:00 or ${local}:00+01:00`,
      );
    }
    expect(() => localToIso('2026-10-25T02:30', TZ, 'at')).toThrow(
      expect.objectContaining({ field: 'at', page: expect.objectContaining({ nl: expect.stringContaining('komt twee keer voor') }) }),
    );
    // With seconds, the instants it names are times the CLI takes (last read Z4: the seconds were doubled).
    expect(() => localToIso('2026-10-25T02:30:15', TZ, 'at')).toThrow('give the offset, 2026-10-25T02:30:15+02:00 or 2026-10-25T02:30:15+01:00');
    expect(localToIso('2026-10-25T01:59', TZ, 'at')).toBe('2026-10-25T01:59:00+02:00');
    expect(localToIso('2026-10-25T03:00', TZ, 'at')).toBe('2026-10-25T03:00:00+01:00');
  });

  it('takes back a time in the repeated hour the page showed from the record, as recorded: a facts form whose ended-at was entered with the CLI saves (last read Z6)', () => {
    // 02:30 CET on the night the clocks go back, the second 02:30, entered as 2026-10-25T02:30:00+01:00.
    const shown = factsAction.current?.(incidentFixture({ facts: { summary: 'lek', endedAt: '2026-10-25T01:30:00.000Z' } as never })) ?? {};
    const form = { ...formValues(factsAction.fields, shown, TZ), summary: 'lek, bijgewerkt' } as Record<string, string>;
    expect(form['ended-at']).toBe('2026-10-25T02:30');
    const { raw, errors } = rawFromForm(factsAction.fields, form, TZ, shown);
    expect(errors).toEqual([]);
    expect(raw['ended-at']).toBe('2026-10-25T01:30:00.000Z');
    // Typed by the person (not what the page showed), the same local time is still refused.
    expect(rawFromForm(factsAction.fields, form, TZ).errors.map((e) => e.field)).toEqual(['ended-at']);
  });

  it('leaves a time that already has its zone as it is, and shows a stored time back in the zone', () => {
    expect(localToIso('2026-11-28T09:30:00Z', TZ, 'at')).toBe('2026-11-28T09:30:00Z');
    expect(isoToLocal('2026-11-28T08:30:00.000Z', TZ)).toBe('2026-11-28T09:30');
    expect(isoToLocal('2026-07-01T07:30:00.000Z', TZ)).toBe('2026-07-01T09:30');
  });
});

describe('form fields read as the CLI reads its flags', () => {
  it('treats an empty field as not given, an empty list as cleared, and a checked box as on', () => {
    const { raw } = rawFromForm(factsAction.fields, { categories: '', consequences: '  ', records: '', complete: 'on', unintelligible: '' }, TZ);
    expect(raw).toMatchObject({ categories: '', consequences: undefined, records: undefined, complete: true, unintelligible: undefined, nature: '' });
    expect(parseFields(factsAction.fields, raw)).toEqual({ categories: [], nature: [], harm: [], complete: true });
  });

  it('collects every bad field at once, each with the flag’s message', () => {
    const { values, errors } = parseFieldsAll(factsAction.fields, { type: 'theft', records: 'many', subjects: '10 to 20', 'ended-at': '2026-11-28' });
    expect(values).toBeNull();
    expect(errors.map((e) => [e.field, e.message])).toEqual([
      ['type', `--type must be one of ${BREACH_TYPES.join(', ')}, got "theft"`],
      [
        'ended-at',
        '--ended-at must be an ISO 8601 time with a zone such as 2026-11-28T09:30:00+01:00, got "2026-11-28": no time zone: add Z or an offset such as +01:00 (e.g. 2026-11-27T21:14:03Z)',
      ],
      ['records', '--records must be a whole number from 0 to 9007199254740991, got "many"'],
      ['subjects', '--subjects must be MIN-MAX or a number, each a whole number from 0 to 9007199254740991, got "10 to 20"'],
    ]);
    expect(parseFieldsAll(assessAction.fields, { 'personal-data': 'maybe' }).errors.map((e) => e.message)).toEqual([
      '--personal-data must be one of yes, no, unknown, got "maybe"',
    ]);
  });

  it('refuses a text longer than its field keeps, beside the field, counting characters (review5 A2)', () => {
    const { errors } = parseFieldsAll(assessAction.fields, { 'personal-data': 'yes', risk: 'high', reason: 'é'.repeat(8001) });
    expect(errors.map((e) => [e.field, e.message])).toEqual([
      ['reason', '--reason is 8001 characters long; it keeps at most 8000: put a longer text (a log, a document) in the case file and refer to it here'],
    ]);
    expect(parseFieldsAll(assessAction.fields, { 'personal-data': 'yes', risk: 'high', reason: '😀'.repeat(8000) }).errors).toEqual([]);
  });

  it('takes the text of a communication within its characters only as long as the timeline can store it whole (review11 A4)', () => {
    const textErrors = (text: string) =>
      parseFieldsAll(subjectsAction.fields, { decision: 'inform', text })
        .errors.filter((e) => e.field === 'text')
        .map((e) => e.message);
    // 70,000 characters is within the field's characters; as stored, four bytes each is over its bytes.
    expect(textErrors('a'.repeat(70_000))).toEqual([]);
    expect(textErrors('😀'.repeat(70_000))).toEqual([
      '--text takes 280002 bytes as stored; it keeps at most 262144: that is longer than any notice datalek drafts; keep the message in the case file and give its beginning here with where it is kept',
    ]);
  });

  it('puts a refusal of the core beside the field its text names, else above the form', () => {
    expect(fieldOf(new RefusedError('the report is 2h late: Art. 33(1) requires the reasons for the delay (--delay-reason)'), reportedAction.fields)).toBe(
      'delay-reason',
    );
    expect(fieldOf(new RefusedError('incident dl-1 is closed'), reportedAction.fields)).toBe('');
    expect(fieldOf(new UsageError('x', { field: 'at' }), reportedAction.fields)).toBe('at');
  });

  it('gives every action a name, a title in both languages and labelled fields with unique names', () => {
    for (const action of ACTIONS) {
      expect(action.title.nl && action.title.en, action.name).toBeTruthy();
      const names = action.fields.map((f) => f.name);
      expect(new Set(names).size, action.name).toBe(names.length);
      for (const f of action.fields) expect(f.label.nl && f.label.en, `${action.name} ${f.name}`).toBeTruthy();
    }
  });
});

describe('runbooks on the page', () => {
  it('renders every runbook, escaping its text and keeping links to other runbooks on the page', () => {
    for (const file of readdirSync(join(ROOT, 'runbooks')).filter((f) => f.endsWith('.md'))) {
      const html = String(Markdown({ source: readFileSync(join(ROOT, 'runbooks', file), 'utf8') }));
      expect(html, file).toMatch(/^<div class="runbook">/);
    }
    const html = String(
      Markdown({
        source:
          '## Steps\n1. Run `<script>alert(1)</script>`\n2. See [notify-ap.md](notify-ap.md), [x](../README.md) and [AP](https://autoriteitpersoonsgegevens.nl)\n',
      }),
    );
    expect(html).toContain('<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>');
    expect(html).toContain('<a href="/runbooks/notify-ap">notify-ap.md</a>');
    expect(html).toContain('<a href="#">x</a>');
    expect(html).toContain('<a href="https://autoriteitpersoonsgegevens.nl">AP</a>');
    // Each heading carries its slug, for a link to its section (`file.md#steps`).
    expect(html).toContain('<h3 id="steps">Steps</h3>');
  });
});
