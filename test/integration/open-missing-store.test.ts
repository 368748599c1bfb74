/**
 * review9 K6: `datalek open` against a store that does not exist (another directory than the
 * store's, a mistyped `--store`) is refused by name, as every command a person records with is;
 * before, it made a new empty store there (in bulk, unsynced) and recorded the breach in it, saying
 * nothing, so the real register never held it and its sweep never reminded of the AP deadline.
 * The first breach an organisation records, before any store, asks for one: --new-store, said.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

it('a breach opened by hand against a store that does not exist is refused by name, and no store is made unless asked for', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-open-missing-'));
  try {
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, '{}');
    const typo = join(dir, 'stroe');
    const r = await runCli([
      'open',
      ...['--what', 'Laptop met patiëntgegevens verloren', '--aware-at', '2026-11-29T08:00:00Z', '--by', 'Bert'],
      ...['--store', typo, '--policy', policy, '--now', '2026-11-29T09:00:00Z'],
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no store at ${typo}`);
    expect(r.stdout).toBe('');
    expect(existsSync(typo)).toBe(false);
    // Asked for: the store is made, and the person is told where.
    const made = await runCli([
      'open',
      ...['--what', 'Laptop met patiëntgegevens verloren', '--aware-at', '2026-11-29T08:00:00Z', '--by', 'Bert', '--new-store'],
      ...['--store', typo, '--policy', policy, '--now', '2026-11-29T09:00:00Z'],
    ]);
    expect(made.code).toBe(0);
    expect(made.stderr).toContain(`Made a new store at ${typo}.`);
    expect(made.stdout).toMatch(/^Opened dl-[0-9a-f]+ by hand/);
    const status = await runCli(['status', '--json', '--store', typo, '--policy', policy, '--now', '2026-11-29T09:01:00Z']);
    expect(JSON.parse(status.stdout)).toHaveLength(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
