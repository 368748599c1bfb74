/**
 * review3 F3: a follow-up to the AP was accepted under another number than the initial
 * notification's (M-77 after M-1), and the register listed it as ap:follow-up:M-77. The AP gives
 * one number per notification: another is refused unless the FG says the AP gave one of its own.
 */
import { describe, expect, it } from 'vitest';
import { openCase } from '../support/fg-case.js';

describe('a later report to the AP names the notification’s number', () => {
  it('refuses another number, unless the AP gave it one of its own', async () => {
    const c = await openCase();
    const at = '2025-11-27T22:00:00Z';
    expect((await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantdata', '--by', 'FG'], at)).code).toBe(0);
    expect((await c.cli(['reported', c.id, '--reference', 'M-1', '--by', 'FG'], at)).code).toBe(0);
    const typo = await c.cli(['reported', c.id, '--reference', 'M-77', '--kind', 'follow-up', '--by', 'FG'], at);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      `the AP notification of ${c.id} has the number M-1; a follow-up names that number: give --reference M-1, or --other-reference`,
    );
    expect((await c.cli(['reported', c.id, '--reference', 'M-1', '--kind', 'follow-up', '--by', 'FG'], at)).code).toBe(0);
    const own = await c.cli(['reported', c.id, '--reference', 'V-2', '--kind', 'correction', '--other-reference', '--by', 'FG'], at);
    expect(own.code, own.stderr).toBe(0);
    const [row] = await c.json(['register'], at);
    expect(row.references).toMatch(/ap:follow-up:M-1@.*ap:correction:V-2@/);
  });
});
