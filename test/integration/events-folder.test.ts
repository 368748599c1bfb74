import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, ROOT, runCli } from '../support/cli.js';

/** The table in events/README.md: file name → the outcomes it documents. */
function documentedOutcomes(): Map<string, string[]> {
  const readme = readFileSync(join(ROOT, 'events/README.md'), 'utf8');
  const rows = new Map<string, string[]>();
  for (const line of readme.split('\n')) {
    const m = /^\| `([^`]+\.json)` \|.*\| ([a-z, ]+) \|$/.exec(line);
    if (m)
      rows.set(
        m[1],
        m[2].split(',').map((s) => s.trim()),
      );
  }
  return rows;
}

describe('events/', () => {
  const store = mkdtempSync(join(tmpdir(), 'datalek-events-'));

  it('has at least 15 events, each documented in events/README.md', () => {
    const files = readdirSync(join(ROOT, 'events')).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect([...documentedOutcomes().keys()].sort()).toEqual(files.sort());
  });

  it('gives exactly the documented outcome for every file', async () => {
    const { code, stdout } = await runCli(['replay', 'events', '--store', store, '--json', '--now', '2026-11-28T08:00:00Z']);
    expect(code).toBe(1); // the malformed examples are rejected on purpose
    const got = new Map<string, string[]>();
    for (const line of jsonLines(stdout)) {
      const file = String(line.input)
        .replace(/^events\//, '')
        .replace(/#\d+$/, '');
      got.set(file, [...(got.get(file) ?? []), String(line.outcome)]);
    }
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(documentedOutcomes()));
  });

  it('opens, attaches and updates nothing the second time the folder is replayed', async () => {
    const { stdout } = await runCli(['replay', 'events', '--store', store, '--json', '--now', '2026-11-28T09:00:00Z']);
    const outcomes = jsonLines(stdout).map((l) => l.outcome);
    expect(outcomes).not.toContain('opened');
    expect(outcomes).not.toContain('attached');
    expect(outcomes).not.toContain('updated');
    expect(jsonLines(stdout).every((l) => l.messages && (l.messages as unknown[]).length === 0)).toBe(true);
  });
});
