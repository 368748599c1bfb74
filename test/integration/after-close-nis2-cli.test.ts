/**
 * On the command line: a significant incident closed before its NIS2 early warning and notification
 * were due, then assessed notifiable after closing, names the NIS2 reports it owes again (with their
 * deadlines and the command that records them), and takes them after closing with --reason.
 */
import { describe, expect, it } from 'vitest';
import { openCase } from '../support/fg-case.js';

describe('assess --after-close on a significant NIS2 incident closed early', () => {
  it('names the NIS2 reports owed again, and reported takes them after closing', async () => {
    const c = await openCase({ policy: { clocks: { nis2: true } } });
    const ok = (r: { code: number; stderr: string }) => expect(r.code, r.stderr).toBe(0);
    ok(
      await c.cli(
        ['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--nis2-significant', 'yes', '--reason', 'storing', '--by', 'FG'],
        '2025-11-27T22:00:00Z',
      ),
    );
    // Closing before the reports needs its reason (review7 G9).
    ok(await c.cli(['close', c.id, '--reason', 'hersteld', '--reports-pending-reason', 'CSIRT belt terug', '--by', 'FG'], '2025-11-27T22:30:00Z'));
    const assessed = await c.cli(
      ['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'toch klantgegevens', '--after-close', '--by', 'FG'],
      '2025-11-28T08:00:00Z',
    );
    ok(assessed);
    expect(assessed.stdout).toMatch(
      /NIS2 early warning \(24 hours\) is due by 2025-11-28 22:00 CET \(2025-11-28T21:00:00\.000Z\): record it with datalek reported .*--kind early-warning/,
    );
    expect(assessed.stdout).toMatch(/NIS2 incident notification.* is due by 2025-11-30 22:00 CET \(2025-11-30T21:00:00\.000Z\): .*--kind notification/);
    ok(
      await c.cli(
        ['reported', c.id, '--recipient', 'csirt', '--kind', 'early-warning', '--reference', 'CSIRT-1', '--reason', 'na heroverweging', '--by', 'FG'],
        '2025-11-28T09:00:00Z',
      ),
    );
  });

  it('takes a significance learned after closing, and status lists the NIS2 reports it owes', async () => {
    const c = await openCase({ policy: { clocks: { nis2: true } } });
    const ok = (r: { code: number; stderr: string }) => expect(r.code, r.stderr).toBe(0);
    ok(
      await c.cli(
        ['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--nis2-significant', 'no', '--reason', 'storing', '--by', 'FG'],
        '2025-11-27T22:00:00Z',
      ),
    );
    ok(await c.cli(['close', c.id, '--reason', 'hersteld', '--by', 'FG'], '2025-11-27T22:30:00Z'));
    const decided = await c.cli(
      ['assess', c.id, '--nis2-significant', 'yes', '--reason', 'CSIRT meldt uitval', '--after-close', '--by', 'FG'],
      '2025-11-29T08:00:00Z',
    );
    ok(decided);
    expect(decided.stdout).toMatch(/Recorded after closing/);
    expect(decided.stdout).toMatch(
      /NIS2 early warning \(24 hours\) is overdue: it was due by 2025-11-28 22:00 CET \(2025-11-28T21:00:00\.000Z\): .*--kind early-warning/,
    );
    expect(decided.stdout).toMatch(/NIS2 incident notification.* is due by 2025-11-30 22:00 CET \(2025-11-30T21:00:00\.000Z\): .*--kind notification/);
    const listed = (await c.json(['status'], '2025-11-29T09:00:00Z')) as { incidentId: string; clocks: { name: string; status: string }[] }[];
    const clocks = listed.find((i) => i.incidentId === c.id)?.clocks ?? [];
    expect(clocks.find((k) => k.name === 'nis2-early-warning')?.status).toBe('overdue');
  });
});
