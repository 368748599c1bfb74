/**
 * law26: an assessment that first says "notifiable" after the AP deadline has passed (no report yet)
 * makes the notification late already: Art. 33(1) then asks the reasons for the delay with it. assess
 * printed "Assessed as notifiable (risk); the AP deadline is T" with T in the past and nothing more,
 * as if the 72 hours still ran; a move of awareness past the deadline said "late already" (review7
 * G4), this did not. The FG learned of the reasons only from `reported`'s refusal.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type FgCase, openCase } from '../support/fg-case.js';

describe('assess: notifiable after the AP deadline', () => {
  let c: FgCase;
  afterEach(() => rmSync(c.dir, { recursive: true, force: true }));

  it('says the notification is late already and asks the reasons for the delay (Art. 33(1))', async () => {
    c = await openCase(); // GuardDuty created the finding 2025-11-27T21:00Z: the AP deadline is 2025-11-30T21:00Z
    const args = ['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantgegevens', '--by', 'FG'];
    const late = await c.cli(args, '2025-12-01T10:00:00Z');
    expect(late.code, late.stderr).toBe(0);
    expect(late.stdout).toContain(
      'The AP notification is late already: the AP deadline passed at 2025-11-30 22:00 CET (2025-11-30T21:00:00.000Z); notify now, with the reasons for the delay (Art. 33(1))',
    );
  });

  it('says nothing of it while the 72 hours still run', async () => {
    c = await openCase();
    const args = ['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantgegevens', '--by', 'FG'];
    const inTime = await c.cli(args, '2025-11-29T10:00:00Z');
    expect(inTime.code, inTime.stderr).toBe(0);
    expect(inTime.stdout).toContain('Assessed as notifiable (risk); the AP deadline is 2025-11-30 22:00 CET (2025-11-30T21:00:00.000Z).');
    expect(inTime.stdout).not.toContain('late already');
  });
});
