/**
 * The review of 29 November, items 3 and 4, as the FG meets them on the command line (the
 * reviewer's repro.sh sections 2 and 3): an overdue reminder was sent, then a time stated before
 * it is entered. Each refusal is one line naming the flag that settles it, exit 2, nothing written.
 * The finding is detected 2025-11-27 21:00 UTC; the AP deadline is 2025-11-30 21:00 UTC.
 */
import { describe, expect, it } from 'vitest';
import { type FgCase, openCase } from '../support/fg-case.js';

type Run = { code: number; stdout: string; stderr: string };

function ok(r: Run): Run {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

async function refused(c: FgCase, args: string[], now: string, pattern: RegExp): Promise<void> {
  const before = await c.timelineLength(now);
  const r = await c.cli(args, now);
  expect(r.code, `${args.join(' ')}: ${r.stdout}`).toBe(2);
  expect(r.stderr.split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(await c.timelineLength(now)).toBe(before);
}

async function overdueSent(c: FgCase): Promise<void> {
  const sent = await c.json(['sweep'], '2025-11-30T21:05:00Z');
  expect(sent.map((s: { kind: string }) => s.kind)).toContain('ap-overdue');
}

describe('the AP verdict after an overdue reminder (review items 3 and 4)', () => {
  it('3b, 3a: an awareness entered after the deadline needs confirming and is marked; moving it earlier past the report needs the reasons', async () => {
    const c = await openCase();
    await overdueSent(c);
    const awareLater = ['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantgegevens', '--by', 'FG'];
    const stated = ['--aware-at', '2025-11-29T21:00:00Z', '--aware-reason', 'onderzoek'];
    await refused(c, [...awareLater, ...stated], '2025-12-01T19:00:00Z', /--confirm-stated-time/);
    ok(await c.cli([...awareLater, ...stated, '--confirm-stated-time'], '2025-12-01T19:00:00Z'));
    ok(await c.cli(['reported', c.id, '--reference', 'M-1', '--at', '2025-12-01T20:00:00Z', '--by', 'FG'], '2025-12-01T20:05:00Z'));
    let [row] = await c.json(['register', '--format', 'json'], '2025-12-01T20:10:00Z');
    expect(row).toMatchObject({ apInitialStatus: 'met', awarenessEnteredLater: true, enteredAfterDeadline: true });
    expect(row.enteredLater).toMatch(/awareness stated 2025-11-29T21:00:00.000Z recorded 2025-12-01T19:00:00.000Z/);
    const aware = ok(await c.cli(['show', c.id], '2025-12-01T20:10:00Z'))
      .stdout.split('\n')
      .find((l) => l.trimStart().startsWith('aware '));
    expect(aware).toMatch(/\(entered after the AP deadline had passed: .*; overdue from /);
    const csv = (await c.cli(['register', '--format', 'csv'], '2025-12-01T20:10:00Z')).stdout.split('\n')[0];
    expect(csv).toContain(',awarenessEnteredLater,enteredAfterDeadline,');

    const earlier = ['assess', c.id, '--aware-at', '2025-11-28T09:00:00Z', '--aware-reason', 'toch eerder', '--reason', 'correctie', '--by', 'FG'];
    await refused(c, earlier, '2025-12-01T22:00:00Z', /late.*--delay-reason/);
    ok(await c.cli([...earlier, '--delay-reason', 'onderzoek naar de omvang'], '2025-12-01T22:00:00Z'));
    [row] = await c.json(['register', '--format', 'json'], '2025-12-01T22:10:00Z');
    expect(row).toMatchObject({ apInitialStatus: 'late', delayReason: 'onderzoek naar de omvang' });
    const draft = await c.json(['draft', c.id, '--format', 'json', '--lang', 'en'], '2025-12-01T22:10:00Z');
    expect(draft.missing.join(' ')).not.toMatch(/delay/i);
  });

  it('4: a report entered after the deadline but dated before it needs confirming, and then reads "met" marked', async () => {
    const c = await openCase();
    ok(await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantgegevens', '--by', 'FG'], '2025-11-28T09:00:00Z'));
    await overdueSent(c);
    const report = ['reported', c.id, '--reference', 'AP-1', '--at', '2025-11-30T20:30:00Z', '--by', 'FG'];
    await refused(c, report, '2025-12-01T16:00:00Z', /before the AP deadline.*--confirm-stated-time/);
    ok(await c.cli([...report, '--confirm-stated-time'], '2025-12-01T16:00:00Z'));
    const [row] = await c.json(['register', '--format', 'json'], '2025-12-01T16:05:00Z');
    expect(row).toMatchObject({ apInitialStatus: 'met', apReportEnteredLater: true, enteredAfterDeadline: true });
    // The facts stay incomplete here: the AP holds only the first phase (Art. 33(4)), and the register says so.
    expect(row.apClock).toMatch(/^follow-up owed \(.*initial notification met/);

    // `show` marks the report's own line too, not only the clock: the FG reading the report sees it.
    const shown = ok(await c.cli(['show', c.id], '2025-12-01T16:05:00Z')).stdout.split('\n');
    const line = shown.find((l) => l.trimStart().startsWith('reported'));
    expect(line).toMatch(/ap initial AP-1 .*\(entered after the AP deadline had passed: .*; overdue from /);
    expect(line).not.toMatch(/entered later/);
    const json = await c.json(['show', c.id], '2025-12-01T16:05:00Z');
    expect(json.reports[0]).toMatchObject({ reference: 'AP-1', enteredLater: true, enteredAfterDeadline: '2025-11-30T21:00:00.000Z' });
  });
});
