/**
 * vpol (s28 item 1): a due time moved later behind the pipeline silences an incident's reminders and
 * pages (the sweep finds an incident by it). verify named it, but in the same words and with the same
 * exit as an honest change of the policy ("if the policy changed since … that is no tampering"), so
 * an honest deployment looked tampered after every policy change, and a tampered one hid in that noise.
 *
 * Now the record names the policy its due time was set under and the sweep keeps the one it last set
 * every due time under: a due time moved under the policy that set it is named as moved; an honest
 * policy change is said as one (exit 0) and the next sweep sets the due times again itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { rechainSqlite } from '../support/tamper.js';

const NOW = '2026-11-27T21:10:00.000Z';
const DETECTED = '2026-11-27T21:00:00.000Z';
const LATER = '2026-12-20T21:00:00.000Z';

let dir: string;
let store: string;
let withReminder: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'datalek-vpol-'));
  store = join(dir, 'store');
  withReminder = join(dir, 'policy.json');
  // The built-in policy with one reminder added, 70 hours before the AP deadline.
  writeFileSync(withReminder, JSON.stringify({ reminders: { beforeDeadlineHours: [70, 48, 24, 12, 4, 1] } }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const as = (...policy: string[]) => ['--store', store, '--now', NOW, ...policy];

/** One incident, taken (no page falls due before the reminders), and a sweep under the built-in policy. */
async function sweptIncident(): Promise<string> {
  const events = join(dir, 'event.json');
  writeFileSync(events, JSON.stringify(findingEvent({ id: 'vpolaaaaaaaaaaaaaaaaaaaaaaaaaaaa', createdAt: DETECTED })));
  const replay = await runCli(['replay', events, '--json', ...as()]);
  expect(replay.code, replay.stderr).toBe(0);
  const id = JSON.parse(replay.stdout.split('\n')[0]).incidentId as string;
  for (const step of [['ack', id, '--by', 'anna'], ['sweep']]) {
    const run = await runCli([...step, ...as()]);
    expect(run.code, run.stderr).toBe(0);
  }
  return id;
}

/** The record rewritten and its ledger chained again, its due time column to match (tamper.ts). */
function tamper(id: string, edit: (record: Record<string, unknown>) => void): void {
  const db = new Database(join(store, 'datalek.sqlite'));
  rechainSqlite(db, id, edit);
  const { data } = db.prepare('SELECT data FROM incidents WHERE id = ?').get(id) as { data: string };
  db.prepare('UPDATE incidents SET next_due_at = ? WHERE id = ?').run(JSON.parse(data).nextDueAt ?? null, id);
  db.close();
}

describe('a due time moved later behind the pipeline', () => {
  it('under the policy that set it: named as moved, with no reading of a policy change', async () => {
    const id = await sweptIncident();
    tamper(id, (r) => Object.assign(r, { nextDueAt: LATER }));
    for (const policy of [[], ['--policy', withReminder]]) {
      const verified = await runCli(['verify', ...as(...policy)]);
      expect(verified.code).toBe(1);
      expect(verified.stderr).toContain(
        `incident ${id}, record: its due time (${LATER}) is later than what falls due on its record under the policy it was set under (`,
      );
      expect(verified.stderr).toContain('It was moved or taken off behind the pipeline');
      expect(verified.stderr).not.toContain('If the policy changed');
    }
  });

  it('with the policy it names made up: named, since the sweep set every due time under the policy verify loaded', async () => {
    const id = await sweptIncident();
    tamper(id, (r) => Object.assign(r, { nextDueAt: LATER, dueUnder: 'f'.repeat(64) }));
    const verified = await runCli(['verify', ...as()]);
    expect(verified.code).toBe(1);
    expect(verified.stderr).toContain('but it says it was set under policy ffffffffffff');
  });

  it("with the policy it names made up and the store's mark rewritten too: said as not judged, and the next sweep sets it again, in the timeline", async () => {
    const id = await sweptIncident();
    tamper(id, (r) => Object.assign(r, { nextDueAt: LATER, dueUnder: 'f'.repeat(64) }));
    const db = new Database(join(store, 'datalek.sqlite'));
    const mark = JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'due-policy'").get() as { value: string }).value);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'due-policy'").run(JSON.stringify({ ...mark, digest: 'e'.repeat(64) }));
    db.close();
    const verified = await runCli(['verify', ...as()]);
    expect(verified.stderr).toContain('POLICY CHANGED: 1 incident');
    expect(verified.stderr).toContain('Not held to the policy that set it');
    const swept = await runCli(['sweep', ...as()]);
    expect(swept.code, swept.stderr).toBe(0);
    expect(swept.stdout).toContain(`1 incident set again under it (${id})`);
    const again = await runCli(['verify', ...as()]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const shown = JSON.parse((await runCli(['show', id, '--json', ...as()])).stdout) as { timeline: { kind: string; detail: Record<string, unknown> }[] };
    expect(shown.timeline.filter((e) => e.kind === 'due-index-repaired').map((e) => e.detail.was)).toEqual([LATER]);
  });
});

describe('an honest change of the policy', () => {
  it('is said as a policy change (exit 0), held to the policy that set it; the next sweep sets the due times again itself', async () => {
    const id = await sweptIncident();
    const verified = await runCli(['verify', '--json', ...as('--policy', withReminder)]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    const report = JSON.parse(verified.stdout) as { breaks: unknown[]; duePolicy: { changed: { incidentId: string; judged: boolean }[] } };
    expect(report.breaks).toEqual([]);
    expect(report.duePolicy.changed).toEqual([expect.objectContaining({ incidentId: id, judged: true })]);
    const human = await runCli(['verify', ...as('--policy', withReminder)]);
    expect(human.code).toBe(0);
    expect(human.stderr).toContain('POLICY CHANGED: 1 incident');
    expect(human.stderr).toContain('no tampering');

    const swept = await runCli(['sweep', ...as('--policy', withReminder)]);
    expect(swept.code, swept.stderr).toBe(0);
    expect(swept.stdout).toContain(`1 incident set again under it (${id})`);
    const after = await runCli(['verify', ...as('--policy', withReminder)]);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
  });
});
