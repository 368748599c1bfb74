/**
 * readB19: `datalek <command> --help` prints the usage for every command. A command that takes one
 * incident id (show, ack, release, assess, close, …) answered `datalek show --help` with "show needs
 * exactly one incident id" and exit 2: the on-call engineer asking how to use it was told off instead.
 */
import { expect, it } from 'vitest';
import { COMMANDS } from '../../handlers/cli/commands/index.js';
import { runCli } from '../support/cli.js';

it.each(COMMANDS.map((c) => c.name))('datalek %s --help prints the usage and exits 0', async (name) => {
  const help = await runCli([name, '--help']);
  expect(help.stderr).toBe('');
  expect(help.stdout).toMatch(/^datalek: GuardDuty findings to AVG breach response/);
  expect(help.code).toBe(0);
});

it('a bad flag beside --help is still named', async () => {
  const bad = await runCli(['show', '--bogus', '--help']);
  expect(bad.stderr).toMatch(/unknown option --bogus/);
  expect(bad.code).toBe(2);
});
