/**
 * A tired engineer copies the commands a runbook gives: each `datalek …` in a runbook must be a
 * command the CLI has, with flags it takes, or the step fails at the worst moment.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../handlers/cli/commands/index.js';
import { COMMON_FLAGS } from '../../handlers/cli.js';
import { ROOT } from '../support/cli.js';

/** Every `datalek …` command in a code span or a shell line of a runbook. */
function commandsIn(markdown: string): string[] {
  const spans = [...markdown.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return spans.flatMap((span) => [...span.matchAll(/(?:^|[\s=(])(?:npx )?datalek ([a-z][a-z-]*(?: [^;|&]*)?)/g)].map((m) => m[1].trim()));
}

describe('the commands in the runbooks', () => {
  const dir = join(ROOT, 'runbooks');
  const files = readdirSync(dir).filter((f) => f.endsWith('.md'));
  const byName = new Map(COMMANDS.map((c) => [c.name, c]));

  it('finds commands to check', () => {
    expect(files.flatMap((f) => commandsIn(readFileSync(join(dir, f), 'utf8'))).length).toBeGreaterThan(20);
  });

  it('names only commands the CLI has, with flags each takes', () => {
    const wrong: string[] = [];
    for (const file of files) {
      for (const line of commandsIn(readFileSync(join(dir, file), 'utf8'))) {
        const [name, ...rest] = line.split(/\s+/);
        const command = byName.get(name);
        if (!command) {
          wrong.push(`${file}: datalek ${line}: no command "${name}"`);
          continue;
        }
        for (const flag of rest.filter((t) => /^--[a-z]/.test(t)).map((t) => t.slice(2).replace(/[=,.)].*$/, ''))) {
          if (!(flag in COMMON_FLAGS) && !(flag in command.flags)) wrong.push(`${file}: datalek ${line}: ${name} takes no --${flag}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
