import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../support/cli.js';

const EVENT = 'events/01-ec2-backdoor-command-and-control-high.json'; // created 2026-11-27T21:14Z: AP deadline 2026-11-30T21:14Z
/** The machine's clock in these tests: after the AP deadline (the CLI runs in this process and reads Date). */
const MACHINE = '2026-12-03T08:00:00.000Z';
const ASSESS = ['--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantdata', '--by', 'fg'];

afterEach(() => {
  vi.useRealTimers();
});

function machineAt(iso: string): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(iso));
}

async function opened(): Promise<{ store: string; id: string }> {
  const store = join(mkdtempSync(join(tmpdir(), 'datalek-stated-now-')), 's');
  const r = await runCli(['replay', EVENT, '--store', store, '--json', '--now', '2026-11-27T21:20:00Z']);
  expect(r.code, r.stderr).toBe(0);
  return { store, id: JSON.parse(r.stdout.split('\n')[0]).incidentId };
}

const registerRow = async (store: string) =>
  JSON.parse((await runCli(['register', '--format', 'json', '--store', store])).stdout)[0] as Record<string, unknown>;

/**
 * atk28 F16: a person's --now behind the machine's clock stated the moment of entering too, so an
 * initial report or a move of awareness entered after the AP deadline had passed read as entered in
 * time: no --confirm-stated-time asked, no mark, "met"/"running" where the record held the
 * notification overdue. "Entered" is the machine's clock (the clock-stated entry's enteredAt).
 */
describe('a --now behind the machine’s clock does not state when an entry was entered', () => {
  it('asks an initial AP report stated before the deadline but entered after it to be confirmed, and marks it', async () => {
    machineAt(MACHINE);
    const { store, id } = await opened();
    expect((await runCli(['assess', id, ...ASSESS, '--store', store, '--now', '2026-11-28T10:00:00Z'])).code).toBe(0);
    const report = ['reported', id, '--reference', 'M-1', '--by', 'fg', '--store', store, '--now', '2026-11-29T10:00:00Z'];
    const refused = await runCli(report);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('but the report is entered at 2026-12-03 09:00 CET (2026-12-03T08:00:00.000Z), after it had passed');
    expect(refused.stderr).toContain('--confirm-stated-time');
    const confirmed = await runCli([...report, '--confirm-stated-time']);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    const row = await registerRow(store);
    expect(row).toMatchObject({ apInitialStatus: 'met', apReportEnteredLater: true, enteredAfterDeadline: true });
    expect(row.enteredLater).toContain('ap:initial:M-1 stated 2026-11-29T10:00:00.000Z');
    expect((await runCli(['show', id, '--store', store])).stdout).toContain('entered after the AP deadline had passed');
  });

  it('asks a move of awareness later, entered after the deadline, to be confirmed, and marks it', async () => {
    machineAt(MACHINE);
    const { store, id } = await opened();
    const move = [
      'assess',
      id,
      ...ASSESS,
      '--aware-at',
      '2026-11-30T19:00:00Z',
      '--aware-reason',
      'pas toen zeker',
      '--store',
      store,
      '--now',
      '2026-11-30T20:00:00Z',
    ];
    const refused = await runCli(move);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('moves the AP deadline later');
    expect(refused.stderr).toContain('but it is entered at 2026-12-03 09:00 CET (2026-12-03T08:00:00.000Z)');
    expect((await runCli([...move, '--confirm-stated-time'])).code).toBe(0);
    expect(await registerRow(store)).toMatchObject({ awarenessEnteredLater: true, enteredAfterDeadline: true });
  });

  it('marks an awareness stated days before the machine’s clock as entered later when opening by hand', async () => {
    machineAt(MACHINE);
    const store = join(mkdtempSync(join(tmpdir(), 'datalek-stated-now-')), 's');
    const args = ['open', '--what', 'laptop kwijt', '--aware-at', '2026-11-20T10:00:00Z', '--by', 'fg', '--new-store', '--store', store];
    const r = await runCli([...args, '--now', '2026-11-20T12:00:00Z']);
    expect(r.code, r.stderr).toBe(0);
    const row = await registerRow(store);
    expect(row.awarenessEnteredLater).toBe(true);
    expect(row.enteredLater).toContain('awareness stated 2026-11-20T10:00:00.000Z');
  });

  it('asks nothing more of a --now within the deadline when the machine’s clock is too', async () => {
    machineAt('2026-11-29T10:02:00Z');
    const { store, id } = await opened();
    expect((await runCli(['assess', id, ...ASSESS, '--store', store, '--now', '2026-11-28T10:00:00Z'])).code).toBe(0);
    const r = await runCli(['reported', id, '--reference', 'M-1', '--by', 'fg', '--store', store, '--now', '2026-11-29T10:00:00Z']);
    expect(r.code, r.stderr).toBe(0);
    expect(await registerRow(store)).toMatchObject({ apInitialStatus: 'met', apReportEnteredLater: false, enteredAfterDeadline: false });
  });
});
