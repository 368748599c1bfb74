/**
 * Review 3 (fg-security) F1 on the command line: the withdrawal the closing note promises, and an
 * Art. 34 communication the AP required after reading the notification (Art. 34(4)), recorded on a
 * closed incident with their reasons; the incident stays closed and the register shows them.
 */
import { describe, expect, it } from 'vitest';
import { informArgs, openCase } from '../support/fg-case.js';

type Run = { code: number; stdout: string; stderr: string };

function ok(r: Run): Run {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

const FACTS = ['--nature', 'confidentiality', '--categories', 'naam', '--special', 'none', '--subjects', '10-20', '--records', '15'];

describe('after closing, on the command line', () => {
  it('records a not-notifiable assessment, the withdrawal, then a high risk and the communication; the incident stays closed', async () => {
    const c = await openCase();
    const at = '2025-11-27T22:00:00Z';
    ok(await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantdata', '--by', 'FG'], at));
    ok(await c.cli(['reported', c.id, '--reference', 'M-1', '--by', 'FG'], at));
    ok(await c.cli(['facts', c.id, ...FACTS, '--consequences', 'x', '--measures-taken', 'y', '--by', 'FG'], at));
    ok(await c.cli(['close', c.id, '--reason', 'klaar', '--follow-up-reason', 'de aanvulling ging per brief naar de AP', '--by', 'FG'], at));

    const later = '2025-11-28T10:00:00Z';
    const withdrawal = ['reported', c.id, '--reference', 'M-1', '--kind', 'withdrawal', '--reason', 'geen persoonsgegevens', '--by', 'FG'];
    expect((await c.cli(withdrawal, later)).stderr).toMatch(/record that it is not notifiable first/);
    // Without --after-close a change after closing is refused, naming the incident and its closing date.
    const unconfirmed = await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'none', '--reason', 'forensisch', '--by', 'FG'], later);
    expect(unconfirmed.code).not.toBe(0);
    expect(unconfirmed.stderr).toMatch(new RegExp(`incident ${c.id} was closed on 2025-11-27 23:00 CET \\(2025-11-27T22:00:00.000Z\\).*--after-close`));
    const assessed = ok(
      await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'none', '--reason', 'forensisch', '--after-close', '--by', 'FG'], later),
    );
    expect(assessed.stdout).toMatch(/Assessed after closing as not notifiable; the incident stays closed.*with a withdrawal .*--reference M-1/);
    ok(await c.cli(withdrawal, later));

    const high = ok(await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'toch wel', '--after-close', '--by', 'FG'], later));
    expect(high.stdout).toMatch(/High risk: record the Art\. 34 decision \(datalek subjects/);
    const inform = [...informArgs(c.id, '2025-11-28T09:00:00Z', 'brief'), '--reason', 'AP eiste het'];
    expect((await c.cli([...inform, '--by', 'FG'], later)).stderr).toMatch(/--after-close/);
    expect(ok(await c.cli([...inform, '--after-close', '--by', 'FG'], later)).stdout).toMatch(/Recorded after closing; the incident stays closed/);

    const [row] = await c.json(['register'], later);
    expect(row).toMatchObject({ state: 'closed', risk: 'high', subjectsDecision: expect.stringMatching(/^inform 2025-11-28T09:00:00.000Z via brief/) });
    expect(row.afterClose.split('; ').map((x: string) => x.replace(/ at .*/, ''))).toEqual([
      'assessment personal data yes, risk none',
      'ap:withdrawal:M-1',
      'assessment personal data yes, risk high',
      'subjects inform 2025-11-28T09:00:00.000Z',
    ]);
  });

  // The closing note's "Still left": a follow-up owed after closing was dischargeable only by the follow-up.
  it('records after closing why no follow-up goes to the AP, with who and when, in the register', async () => {
    const c = await openCase();
    const at = '2025-11-27T22:00:00Z';
    ok(await c.cli(['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--reason', 'testserver', '--by', 'FG'], at));
    ok(await c.cli(['close', c.id, '--reason', 'geen datalek', '--by', 'FG'], at));
    const later = '2025-11-28T10:00:00Z';
    ok(await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'toch klantdata', '--after-close', '--by', 'FG'], later));
    ok(await c.cli(['reported', c.id, '--reference', 'M-1', '--reason', 'gemeld na heroverweging', '--by', 'FG'], later));
    const discharge = ['close', c.id, '--after-close', '--follow-up-reason', 'de AP verlangt geen aanvulling', '--by', 'A. de Vries'];
    const mixed = await c.cli([...discharge, '--reason', 'klaar'], later);
    expect([mixed.code, mixed.stderr]).toEqual([
      2,
      expect.stringMatching(/close --after-close records only why no follow-up goes to the AP .*--reason belongs to closing/),
    ]);
    expect(ok(await c.cli(discharge, later)).stdout).toMatch(/No follow-up to the AP recorded after closing/);
    const [row] = await c.json(['register'], later);
    expect(row).toMatchObject({ state: 'closed', apFollowUpReason: 'de AP verlangt geen aanvulling', apClockStatus: 'met' });
    expect(row.afterClose).toMatch(/no follow-up to the AP \(Art\. 33\(4\)\): M-1 at 2025-11-28T10:00:00.000Z by A\. de Vries/);
  });
});
