/**
 * read12a A (253256a, 62fc95c, 554447f): three commands gained flags this session that change what a
 * user must type, and the README's command table (the reference a user and a script writer read)
 * names none of them. `assess` of an incident with more than one finding type is now refused without
 * `--seen` or `--finding-types` (a script written from the README breaks); `subjects --exception
 * encrypted` is refused without `--other-nature-reason` when the facts name availability or
 * integrity; `close ID --after-close --follow-up-reason` is the only way to end a follow-up owed
 * after closing, and the README still says "Nothing else is recorded on a closed incident" and
 * "these four as its only forms".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const row = (readme: string, command: string) => readme.split('\n').find((l) => l.startsWith(`| \`${command} `)) ?? '';

it("the README's command table names the flags each command now needs", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  expect(row(readme, 'assess')).toContain('--seen');
  expect(row(readme, 'assess')).toContain('--finding-types');
  expect(row(readme, 'subjects')).toContain('--other-nature-reason');
  expect(row(readme, 'close')).toContain('--after-close');
});
