/**
 * attack11 K3 (low): `minimise --hold` / `--release-hold` without an incident id is meant to be
 * refused by name (minimise.ts check: "--hold and --release-hold name the incident"), but the CLI
 * calls `check(flags, target)`: minimise's second parameter, which it reads as the positionals, is
 * the target ('local'), whose [0] is 'l'. The check passes, and the hold runs on incident
 * `undefined`: "no incident with id undefined".
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

it('refuses --hold and --release-hold without an incident id by name', async () => {
  const store = join(mkdtempSync(join(tmpdir(), 'attack11-holdid-')), 'store');
  const ROOT = join(import.meta.dirname, '../..');
  expect((await runCli(['replay', join(ROOT, 'events/01-ec2-backdoor-command-and-control-high.json'), '--store', store])).code).toBe(0);
  for (const args of [
    ['minimise', '--hold', '--reason', 'Schadeclaim', '--by', 'FG'],
    ['minimise', '--release-hold', '--reason', 'klacht afgehandeld', '--by', 'FG'],
  ]) {
    const run = await runCli([...args, '--store', store]);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('undefined');
    expect(run.stderr).toMatch(/name the incident/);
  }
});
