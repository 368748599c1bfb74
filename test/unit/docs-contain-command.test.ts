/**
 * `datalek contain` refuses to run without --by and --reason (e48bc675): every place the docs give the command
 * must give them, or an engineer copying it at night gets a usage error (finB F7).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const docs = ['README.md', ...readdirSync('runbooks').map((f) => `runbooks/${f}`)].filter((f) => f.endsWith('.md'));

describe('the docs give datalek contain as it runs', () => {
  it.each(docs)('%s', (file) => {
    const commands = readFileSync(file, 'utf8').match(/`datalek contain [^`]*`/g) ?? [];
    expect(commands.filter((c) => !(c.includes('--by') && c.includes('--reason')))).toEqual([]);
  });
});
