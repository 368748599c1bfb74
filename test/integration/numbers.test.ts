/**
 * Review item 7: numbers typed on the command line. A count beyond 2^53 was accepted and then shown
 * rounded (100000000000000000000, 1e+23) in the AP draft; a negative one got Node's "argument is
 * ambiguous", which names no rule. Each now gets one line naming the option and its rule, exit 2,
 * and nothing is written.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { type FgCase, openCase } from '../support/fg-case.js';

const AT = '2025-11-28T09:00:00Z';

describe('numbers on the command line: one line naming the option and its rule, nothing written', () => {
  let c: FgCase;
  beforeAll(async () => {
    c = await openCase({ events: [findingEvent({ id: 'numbers-1', createdAt: '2025-11-27T21:00:00Z' })], replayAt: '2025-11-27T21:05:00Z' });
  });

  const cases: [string, string[], RegExp][] = [
    ['records beyond 2^53', ['--records', '99999999999999999999'], /^datalek: --records must be a whole number from 0 to 9007199254740991/],
    ['subjects beyond 2^53', ['--subjects', '1-99999999999999999999999'], /^datalek: --subjects .*from 0 to 9007199254740991/],
    ['a negative number of records', ['--records', '-1'], /^datalek: --records must be a whole number from 0 to 9007199254740991, got "-1"/],
    ['a negative number of subjects', ['--subjects', '-5'], /^datalek: --subjects .*from 0 to 9007199254740991.*got "-5"/],
    ['a negative range of subjects', ['--subjects', '-5-10'], /^datalek: --subjects .*got "-5-10"/],
  ];
  for (const [name, flags, says] of cases) {
    it(`facts: ${name}`, async () => {
      const before = await c.timelineLength(AT);
      const r = await c.cli(['facts', c.id, ...flags, '--by', 'FG'], AT);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(says);
      expect(await c.timelineLength(AT)).toBe(before);
    });
  }

  it('the largest exact number is kept as typed, and shown so in the draft', async () => {
    expect((await c.cli(['facts', c.id, '--records', '9007199254740991', '--subjects', '1-9007199254740991', '--by', 'FG'], AT)).code).toBe(0);
    const draft = await c.cli(['draft', c.id, '--lang', 'en'], AT);
    expect(draft.stdout).toContain('9007199254740991');
    expect(draft.stdout).not.toMatch(/e\+\d/);
  });

  it('serve: a negative port names the option and its rule', async () => {
    const r = await runCli(['serve', '--port', '-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^datalek: --port must be a port number from 0 to 65535.*got "-1"/);
  });

  it('a text option still refuses a missing value', async () => {
    const r = await c.cli(['facts', c.id, '--summary', '--records', '5'], AT);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--summary/);
  });
});
