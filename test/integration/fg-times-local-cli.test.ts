/**
 * fg27 item 1: what `assess` and `reported` tell the FG about a time gives it in the policy's zone
 * with the ISO instant beside it, as show, the draft and the AP deadline since 836d6429 do. The ISO
 * alone ("due by 2025-11-28T21:00:00.000Z") read in Amsterdam as 21:00, an hour early in winter
 * (two in summer). The finding of every case is created 2025-11-27 21:00 UTC (22:00 CET): the AP
 * deadline is 2025-11-30 22:00 CET.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type FgCase, openCase } from '../support/fg-case.js';

const ok = (r: { code: number; stderr: string; stdout: string }) => {
  expect(r.code, r.stderr).toBe(0);
  return r;
};
const yes = ['--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantgegevens', '--by', 'FG'];

describe('the times assess and reported tell the FG, in the policy zone with the ISO beside', () => {
  let c: FgCase;
  afterEach(() => rmSync(c.dir, { recursive: true, force: true }));

  it('the NIS2 intermediate report asked, and the awareness of the significant incident', async () => {
    c = await openCase({ policy: { clocks: { nis2: true } } });
    const aware = ok(
      await c.cli(
        ['assess', c.id, '--nis2-significant', 'yes', '--nis2-aware-at', '2025-11-28T08:00:00Z', '--reason', 'uitval', '--by', 'CISO'],
        '2025-11-28T09:00:00Z',
      ),
    );
    expect(aware.stdout).toContain(
      'Aware of the significant incident (NIS2) at 2025-11-28 09:00 CET (2025-11-28T08:00:00.000Z): the NIS2 deadlines run from it.',
    );
    const asked = ok(
      await c.cli(['assess', c.id, '--nis2-intermediate-due', '2025-12-05T12:00:00Z', '--reason', 'CSIRT vroeg erom', '--by', 'CISO'], '2025-11-29T09:00:00Z'),
    );
    expect(asked.stdout).toContain('NIS2 intermediate report due 2025-12-05 13:00 CET (2025-12-05T12:00:00.000Z).');
  });

  it('a report entered after the AP deadline had passed: overdue from', async () => {
    c = await openCase();
    ok(await c.cli(['assess', c.id, ...yes], '2025-11-28T09:00:00Z'));
    ok(await c.cli(['sweep'], '2025-11-30T21:05:00Z'));
    const r = ok(
      await c.cli(['reported', c.id, '--reference', 'AP-1', '--at', '2025-11-30T20:30:00Z', '--confirm-stated-time', '--by', 'FG'], '2025-12-01T16:00:00Z'),
    );
    expect(r.stdout).toContain('Marked as entered after the AP deadline had passed: overdue from 2025-11-30 22:00 CET (2025-11-30T21:00:00.000Z).');
  });

  it('an awareness entered after the AP deadline had passed: overdue from', async () => {
    c = await openCase();
    ok(await c.cli(['sweep'], '2025-11-30T21:05:00Z'));
    const stated = ['--aware-at', '2025-11-29T21:00:00Z', '--aware-reason', 'onderzoek', '--confirm-stated-time'];
    const r = ok(await c.cli(['assess', c.id, ...yes, ...stated], '2025-12-01T19:00:00Z'));
    expect(r.stdout).toContain('Awareness recorded at 2025-11-29 22:00 CET (2025-11-29T21:00:00.000Z)');
    expect(r.stdout).toContain('Marked as entered after the AP deadline had passed: overdue from 2025-11-30 22:00 CET (2025-11-30T21:00:00.000Z).');
  });

  it('a role that ends the AP duty, decided after the AP deadline had passed', async () => {
    c = await openCase();
    const r = ok(
      await c.cli(
        ['assess', c.id, '--acting-as', 'processor', '--reason', 'wij verwerken voor de gemeente', '--confirm-stated-time', '--by', 'FG'],
        '2025-12-01T10:00:00Z',
      ),
    );
    expect(r.stdout).toContain('marked as entered after the AP deadline of 2025-11-30 22:00 CET (2025-11-30T21:00:00.000Z) had passed.');
  });
});
