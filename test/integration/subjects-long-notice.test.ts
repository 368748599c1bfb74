/**
 * Review 7 Y5: the documented `subjects --decision inform --text "$(datalek notice ID)"` was refused
 * once the facts' texts were long (the notice repeats them; a text field keeps 8,000 characters), so
 * the text of what was sent could not be kept. A text over the bound is kept as its beginning, its
 * length and its SHA-256, against which the copy in the case file can be checked.
 */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { openCase } from '../support/fg-case.js';

it('records the inform decision with a notice longer than a text field keeps, by its beginning, length and SHA-256', async () => {
  const c = await openCase();
  const long = 'Lange beschrijving van de maatregel. '.repeat(80);
  const at = '2025-11-28T09:00:00Z';
  const ok = (r: { code: number; stderr: string }) => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  };
  ok(
    await c.cli(
      [
        ...[
          'facts',
          c.id,
          '--summary',
          'Een server met klantdossiers is binnengedrongen',
          '--nature',
          'confidentiality',
          '--categories',
          'naam,adres',
          '--subjects',
          '100-200',
        ],
        ...['--consequences', long, '--for', 'confidentiality', '--harm', 'material', '--harm-severity', 'high'],
        ...['--measures-taken', long, '--measures-proposed', long, '--by', 'FG'],
      ],
      at,
    ),
  );
  ok(await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantdossiers', '--by', 'FG'], at));
  const notice = (await c.cli(['notice', c.id], at)).stdout.replace(/\n+$/, '');
  expect([...notice].length).toBeGreaterThan(8000);
  const inform = await c.cli(
    [
      'subjects',
      c.id,
      '--decision',
      'inform',
      '--date',
      '2025-11-28T08:30:00Z',
      '--channel',
      'e-mail',
      '--text',
      notice,
      '--reason',
      'hoog risico',
      '--by',
      'FG',
    ],
    at,
  );
  expect(inform.stderr).toBe('');
  expect(inform.code).toBe(0);
  expect(inform.stdout).toContain('the record holds its beginning, length and SHA-256; the timeline holds the whole text');
  const show = await c.json(['show', c.id], at);
  const text = show.subjects.text as string;
  expect([...text].length).toBeLessThanOrEqual(8000);
  expect(notice.startsWith(text.slice(0, 4000))).toBe(true);
  const sha256 = createHash('sha256').update(notice, 'utf8').digest('hex');
  expect(text).toContain(`${[...notice].length} characters in all, SHA-256 ${sha256}`);
  // Nothing of it is lost: the decision's timeline entry holds the whole text (fgops12 6).
  const timeline = show.timeline as { kind: string; detail?: { text?: string } }[];
  expect(timeline.find((e) => e.kind === 'subjects-decided')?.detail?.text).toBe(notice);
});
