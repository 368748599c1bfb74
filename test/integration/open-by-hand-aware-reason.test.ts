/**
 * Review 9 (fgsec10), S3: `datalek open --finding FILE` sets the detection to the finding's creation
 * and the awareness (the start of the 72 hours) to the time stated, however long after, with the
 * stock reason "stated when the incident was opened by hand". Moving awareness away from detection
 * otherwise needs its own reason (`assess --aware-at` refuses without `--aware-reason`: "the
 * register keeps why the 72 hours start when they do (Art. 33(1), EDPB Guidelines 9/2022)"; the
 * investigation after the first alert must start at once). Here a finding GuardDuty raised on
 * 1 November, archived by someone, is opened on 29 November with awareness 29 November: the AP
 * clock reads "met" for a report on 1 December, 30 days after the organisation's own system
 * detected it, and the register's awareReason explains nothing. `open` has no --aware-reason at
 * all (open.ts), and nothing asks for one when the gap to the finding is days or weeks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

describe('S: awareness four weeks after the finding, opened by hand', () => {
  it('is refused without a reason for the gap, as assess --aware-at refuses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg10-aw-'));
    const store = join(dir, 'store');
    const cli = (args: string[], now: string) => runCli([...args, '--store', store, '--now', now]);
    const file = join(dir, 'archived.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'f-nov', archived: true, createdAt: '2026-11-01T08:00:00Z', updatedAt: '2026-11-01T08:00:00Z' })));
    await cli(['replay', file], '2026-11-01T09:00:00Z');
    const open = (extra: string[]) =>
      cli(
        ['open', '--what', 'Gearchiveerde bevinding van 1 november bleek een datalek', '--aware-at', '2026-11-29T10:00:00Z', '--finding', file, ...extra],
        '2026-11-29T10:30:00Z',
      );
    const opened = await open(['--by', 'A. de Vries', '--json']);
    // On main: exit 0, detectedAt 2026-11-01T08:00Z, awareAt 2026-11-29T10:00Z, deadline 2026-12-02T10:00Z,
    // awareReason "stated when the incident was opened by hand".
    const shown = opened.code === 0 ? JSON.parse(opened.stdout) : null;
    expect(shown ? `opened: detected ${shown.detectedAt}, aware ${shown.awareAt}, no reason asked` : 'refused').toBe('refused');
    expect(opened.stderr).toMatch(
      /--aware-at 2026-11-29 11:00 CET \(2026-11-29T10:00:00.000Z\) lies 674 hours after finding f-nov was detected .*--aware-reason/,
    );

    // With the reason, it opens, and the register keeps the reason for the 72 hours' start.
    const reason = 'Bevinding stond gearchiveerd; pas bij de maandcontrole gezien';
    const withReason = await open(['--aware-reason', reason, '--by', 'A. de Vries', '--json']);
    expect(withReason.code, withReason.stderr).toBe(0);
    const id = JSON.parse(withReason.stdout).incidentId as string;
    const register = JSON.parse((await cli(['register', '--format', 'json'], '2026-11-29T11:00:00Z')).stdout) as Record<string, unknown>[];
    expect(register.find((r) => r.incidentId === id)).toMatchObject({ awareAt: '2026-11-29T10:00:00.000Z', awareReason: reason });
  });
});
