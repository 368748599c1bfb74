/**
 * review5 A8 on the command line: `assess --after-close` that makes a closed incident notifiable
 * says the AP notification is owed and by when; `show` and `status` show its deadline running, not
 * "closed"; a drill sweep after the deadline sends the overdue reminder; and `reported` records the
 * initial report after closing with its reason (and the reasons for the delay, being late). `status`
 * lists such an incident among what needs action until its report is recorded (review6 R1).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type FgCase, openCase } from '../support/fg-case.js';

type Run = { code: number; stdout: string; stderr: string };

function ok(r: Run): Run {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** Assessed as no breach and closed; returns when. */
async function closeAsNoBreach(c: FgCase): Promise<string> {
  const at = '2025-11-27T22:00:00Z';
  ok(await c.cli(['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--reason', 'testserver', '--by', 'FG'], at));
  ok(await c.cli(['close', c.id, '--reason', 'geen datalek', '--by', 'FG'], at));
  return at;
}

/** Customer data after all: assessed notifiable after closing. */
const notifiableAfterClose = async (c: FgCase, at: string): Promise<Run> =>
  ok(await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'toch klantdata', '--after-close', '--by', 'FG'], at));

describe('assessed notifiable after closing, on the command line', () => {
  it('tells the AP deadline, reminds of it, and records the initial report after closing', async () => {
    // Detected 2025-11-27 21:00 UTC: the AP deadline is 2025-11-30 21:00 UTC.
    const c = await openCase();
    await closeAsNoBreach(c);

    const later = '2025-11-28T10:00:00Z';
    const assessed = await notifiableAfterClose(c, later);
    expect(assessed.stdout).toContain(
      `The AP notification is due by 2025-11-30 22:00 CET (2025-11-30T21:00:00.000Z): record it with datalek reported ${c.id} --reference NUMBER --reason TEXT`,
    );
    const show = ok(await c.cli(['show', c.id], later)).stdout;
    expect(show).toMatch(/AP deadline .*\) +2d \d+h left/);

    const swept = await c.json(['sweep'], '2025-11-30T22:00:00Z');
    expect(JSON.stringify(swept)).toContain('ap-overdue');

    const late = '2025-12-01T09:00:00Z';
    const refused = await c.cli(['reported', c.id, '--reference', 'M-1', '--by', 'FG'], late);
    expect(refused.stderr).toMatch(/is closed: .*--reason/);
    const reported = ok(
      await c.cli(
        ['reported', c.id, '--reference', 'M-1', '--reason', 'gemeld na heroverweging', '--delay-reason', 'pas na sluiten bleek klantdata', '--by', 'FG'],
        late,
      ),
    );
    expect(reported.stdout).toContain('Report recorded (ap initial M-1).');
    expect(reported.stdout).toContain(`${c.id} is now closed.`);
  });

  it('status lists it, marked closed, among what needs action until the report is recorded (review6 R1)', async () => {
    const c = await openCase();
    const at = await closeAsNoBreach(c);
    expect(await c.json(['status'], at)).toEqual([]);
    const later = '2025-11-28T10:00:00Z';
    await notifiableAfterClose(c, later);
    const listed = await c.json(['status'], later);
    expect(listed.map((i: { incidentId: string; state: string }) => [i.incidentId, i.state])).toEqual([[c.id, 'closed']]);
    const table = ok(await c.cli(['status'], later)).stdout;
    expect(table).toMatch(new RegExp(`${c.id} +closed .* 2d \\d+h left`));
    expect(table).toContain('0 open incidents, 0 not acknowledged; 1 closed with a duty still owed (datalek show ID says which).');
    ok(await c.cli(['reported', c.id, '--reference', 'M-1', '--reason', 'gemeld na heroverweging', '--by', 'FG'], later));
    // The AP holds a first phase made with the facts incomplete: the follow-up is owed, and listed (read11c C3).
    const owed = await c.json(['status'], later);
    expect(owed.map((i: { incidentId: string; state: string }) => [i.incidentId, i.state])).toEqual([[c.id, 'closed']]);
    expect(ok(await c.cli(['status'], later)).stdout).not.toMatch(/left/);
  });

  it('a processor: assess names the report to the controller, and reported records it after closing (review6 R3)', async () => {
    const c = await openCase({ organisation: { processor: true } });
    await closeAsNoBreach(c);
    const later = '2025-11-28T10:00:00Z';
    const assessed = await notifiableAfterClose(c, later);
    expect(assessed.stdout).toContain(
      `The report to the controller is due by 2025-11-28 22:00 CET (2025-11-28T21:00:00.000Z): record it with datalek reported ${c.id} --recipient controller`,
    );
    expect((await c.json(['status'], later)).map((i: { incidentId: string }) => i.incidentId)).toEqual([c.id]);
    ok(await c.cli(['reported', c.id, '--recipient', 'controller', '--reference', 'C-1', '--reason', 'na heroverweging', '--by', 'FG'], later));
    expect(await c.json(['status'], later)).toEqual([]);
  });

  it('verify names a due time cleared behind the pipeline on such a closed incident: it would silence its reminders', async () => {
    const c = await openCase();
    await closeAsNoBreach(c);
    const later = '2025-11-28T10:00:00Z';
    await notifiableAfterClose(c, later);
    expect((await c.cli(['verify'], later)).code).toBe(0);
    const db = new Database(join(c.dir, 'store', 'datalek.sqlite'));
    try {
      db.prepare('UPDATE incidents SET next_due_at = NULL WHERE id = ?').run(c.id);
    } finally {
      db.close();
    }
    const verified = await c.cli(['verify'], later);
    expect(verified.code).toBe(1);
    expect(verified.stdout + verified.stderr).toMatch(/the column nextDueAt \(null\) does not match the record/);
  });
});
