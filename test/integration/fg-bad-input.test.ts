/**
 * Bad input to every FG command: a time out of range, facts that contradict the record, a decision
 * the law does not allow for the risk or the role, or a bad flag. Each gets one line on stderr
 * (the rule and its article where a rule of law refuses it), exit 2, and nothing is written: the
 * incident's timeline and the store file stay as they were.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingEvent } from '../support/events.js';
import { type FgCase, informArgs, openCase } from '../support/fg-case.js';

const NOW = '2025-11-28T12:00:00Z';
const ARTICLE = /\b(Art\.|art\.) \d+|Regulation 611\/2013|EDPB/;

describe('bad input to every FG command: one line, the rule and its article, exit 2, nothing written', () => {
  let c: FgCase;
  let store: string;

  beforeAll(async () => {
    c = await openCase({
      events: [findingEvent({ id: 'bad-input', createdAt: '2025-11-27T21:00:00Z' })],
      replayAt: '2025-11-27T21:05:00Z',
    });
    store = join(c.dir, 'store', 'datalek.sqlite');
    const setup = [
      ['assess', c.id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'patiëntgegevens', '--by', 'FG'],
      ['facts', c.id, '--nature', 'confidentiality', '--categories', 'naam,gezondheidsgegevens', '--unintelligible', 'no', '--by', 'FG'],
    ];
    for (const args of setup) expect((await c.cli(args, '2025-11-28T09:00:00Z')).code).toBe(0);
  });

  const id = () => c.id;
  /** [command line, what the one line must say, whether a rule of law refuses it (then the article is named)] */
  const cases: [string, () => string[], RegExp, boolean][] = [
    // Before GuardDuty's detection (a customer's call) only confirmed (review7 G4), and never before the AVG applied.
    [
      'assess: awareness before the detection, not confirmed',
      () => ['assess', id(), '--aware-at', '2020-01-01T00:00:00Z', '--aware-reason', 'x'],
      /before GuardDuty's detection .*--confirm-stated-time/,
      true,
    ],
    [
      'assess: awareness before the AVG applied',
      () => ['assess', id(), '--aware-at', '2017-01-01T00:00:00Z', '--aware-reason', 'x', '--confirm-stated-time'],
      /before 2018-05-25/,
      true,
    ],
    ['assess: awareness in the future', () => ['assess', id(), '--aware-at', '2025-11-29T00:00:00Z', '--aware-reason', 'x'], /after now/, true],
    ['assess: awareness without its own reason', () => ['assess', id(), '--aware-at', '2025-11-28T08:00:00Z'], /--aware-reason/, true],
    ['assess: no personal data, yet high risk', () => ['assess', id(), '--personal-data', 'no', '--risk', 'high', '--reason', 'x'], /contradicts itself/, true],
    ['assess: personal data without the risk', () => ['assess', id(), '--personal-data', 'yes', '--reason', 'x'], /go together/, true],
    ['assess: NIS2 when the policy runs no NIS2 clocks', () => ['assess', id(), '--nis2-significant', 'yes', '--reason', 'x'], /NIS2/, true],
    ['assess: a risk that is not one', () => ['assess', id(), '--personal-data', 'yes', '--risk', 'extreme', '--reason', 'x'], /--risk must be one of/, false],
    [
      'assess: a reason longer than the field keeps (a pasted log)',
      () => ['assess', id(), '--personal-data', 'yes', '--risk', 'high', '--reason', 'log line '.repeat(1000)],
      /--reason is 9000 characters long; it keeps at most 8000: put a longer text .* in the case file/,
      false,
    ],
    [
      'facts: a summary of 8,001 characters',
      () => ['facts', id(), '--summary', 'x'.repeat(8001)],
      /--summary is 8001 characters long; it keeps at most 8000/,
      false,
    ],
    ['facts: the end before the detection', () => ['facts', id(), '--ended-at', '2025-11-01T00:00:00Z'], /before the detection/, true],
    ['facts: minimum above maximum', () => ['facts', id(), '--subjects', '20-10'], /minimum .* above the maximum/, true],
    ['facts: "no special categories" beside health data', () => ['facts', id(), '--special', 'none'], /health data.*Art\. 9\(1\)/, true],
    [
      'facts: consequences for a nature the facts do not name',
      () => ['facts', id(), '--consequences', 'x', '--for', 'integrity'],
      /confidentiality only/,
      true,
    ],
    ['facts: harm without the nature it belongs to', () => ['facts', id(), '--harm', 'physical'], /--for/, true],
    [
      'facts: a lead authority for a breach that is not cross-border',
      () => ['facts', id(), '--cross-border', 'no', '--lead-authority', 'CNIL'],
      /Art\. 56/,
      true,
    ],
    ['facts: a breach type not on the form', () => ['facts', id(), '--type', 'oops'], /--type must be one of/, false],
    ['reported: submitted before the detection', () => ['reported', id(), '--reference', 'M-1', '--at', '1999-01-01T00:00:00Z'], /before the detection/, true],
    ['reported: submitted in the future', () => ['reported', id(), '--reference', 'M-1', '--at', '2025-11-28T13:00:00Z'], /after now/, true],
    ['reported: a delay reason for a report in time', () => ['reported', id(), '--reference', 'M-1', '--delay-reason', 'x'], /no delay to explain/, true],
    ['reported: a follow-up before the initial report', () => ['reported', id(), '--reference', 'M-1', '--kind', 'follow-up'], /initial report .* first/, true],
    [
      'reported: a NIS2 final report before the notification',
      () => ['reported', id(), '--recipient', 'csirt', '--kind', 'final', '--reference', 'C'],
      /notification first/,
      true,
    ],
    ['reported: a time without a zone', () => ['reported', id(), '--reference', 'M-1', '--at', '2025-11-28T10:00'], /--at must be/, false],
    ['subjects: "not required" at high risk', () => ['subjects', id(), '--decision', 'not-required', '--reason', 'x'], /high risk.*Art\. 34\(1\)/, true],
    [
      'subjects: "encrypted" while the facts say intelligible',
      () => ['subjects', id(), '--decision', 'exception', '--exception', 'encrypted', '--reason', 'x'],
      /Art\. 34\(3\)\(a\)/,
      true,
    ],
    [
      'subjects: informing and an exception at once',
      () => [
        'subjects',
        id(),
        '--decision',
        'inform',
        '--text',
        'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
        '--exception',
        'encrypted',
        '--date',
        '2025-11-28T10:00:00Z',
        '--channel',
        'x',
        '--reason',
        'x',
      ],
      /exclude each other/,
      true,
    ],
    ['subjects: informed in the future', () => [...informArgs(id(), '2025-12-01T10:00:00Z', 'x'), '--reason', 'x'], /after now/, true],
    [
      'subjects: subscribers without the telecom clocks',
      () => ['subjects', id(), '--audience', 'subscribers', '--decision', 'not-required', '--reason', 'x'],
      /611\/2013/,
      true,
    ],
    ['close: the register lacks the facts', () => ['close', id(), '--reason', 'x'], /Art\. 33\(5\)/, true],
    [
      'close: an overdue reason when nothing is overdue',
      () => ['close', id(), '--reason', 'x', '--overdue-reason', 'x'],
      /cannot be closed yet|no clock is overdue/,
      true,
    ],
    ['draft: a language it does not speak', () => ['draft', id(), '--lang', 'de'], /--lang must be one of nl, en/, false],
    ['notice: a format it does not write', () => ['notice', id(), '--format', 'pdf'], /--format must be one of md, json/, false],
    ['register: a date that is not a time', () => ['register', '--from', 'yesterday'], /--from must be/, false],
  ];

  /** Everything the store holds, read behind the CLI's back: incidents, findings, timeline entries, messages. */
  const contents = () => {
    const db = new Database(store, { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
      return JSON.stringify(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all()]));
    } finally {
      db.close();
    }
  };

  for (const [name, args, says, law] of cases) {
    it(name, async () => {
      const before = { timeline: await c.timelineLength(NOW), contents: contents() };
      const argv = args();
      if (['assess', 'facts', 'reported', 'subjects', 'close'].includes(argv[0])) argv.push('--by', 'FG');
      const r = await c.cli(argv, NOW);
      expect(r.code, r.stdout).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^datalek: /);
      expect(r.stderr).toMatch(says);
      if (law) expect(r.stderr).toMatch(ARTICLE);
      expect(await c.timelineLength(NOW)).toBe(before.timeline);
      expect(contents()).toBe(before.contents);
    });
  }
});
