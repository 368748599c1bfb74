/**
 * The commands' descriptions (commands/index.ts: what `--help` and the flag parser know) agree with
 * their implementations, which load only when a command runs: the flags an FG command takes are
 * its use case's fields, written out in the description, and every description loads a command.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../handlers/cli/commands/index.js';
import { BREACH_TYPES } from '../../handlers/core/incident.js';
import { ROOT } from '../support/cli.js';

const COMMANDS_DIR = join(ROOT, 'handlers/cli/commands');

describe("the commands' descriptions", () => {
  it("list the flags each implementation reads from its use case's fields, of the same kinds", async () => {
    const checked: string[] = [];
    for (const file of readdirSync(COMMANDS_DIR).filter((f) => f.endsWith('.ts'))) {
      const module = await import(join(COMMANDS_DIR, file));
      if (!module.fieldFlags) continue;
      const name = file.replace(/\.ts$/, '');
      const described = COMMANDS.find((c) => c.name === name);
      expect(described?.flags, name).toEqual(module.fieldFlags);
      checked.push(name);
    }
    expect(checked.sort()).toEqual(['assess', 'close', 'contained', 'facts', 'not-done', 'open', 'reported', 'subjects']);
  });

  it('load a command for each description', async () => {
    for (const command of COMMANDS) expect(typeof (await command.load()), command.name).toBe('function');
  });

  it('offer every breach type in the help of facts', () => {
    const facts = COMMANDS.find((c) => c.name === 'facts');
    expect(facts?.usage).toContain(`--type ${BREACH_TYPES.join('|')}]`);
  });
});
