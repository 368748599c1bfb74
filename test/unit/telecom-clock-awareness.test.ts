/**
 * Review 5 F4: the Telecommunicatiewet clock (Regulation 611/2013 art. 2(2): the initial
 * notification within 24 hours "after the detection", and a breach is detected when the provider
 * "has acquired sufficient awareness" that personal data were compromised) started at GuardDuty's
 * createdAt (incident.detectedAt), not at the awareness the FG records. When the FG records an
 * awareness earlier than GuardDuty's detection (someone noticed first, within the activity
 * GuardDuty saw: datalek accepts it back to eventFirstSeen), the AP clock moved and the telecom
 * clock did not: a report 30 hours after awareness read "met". It now runs from the awareness on
 * record, as the AP clock does (domain notes §1: detection is sufficient awareness).
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { eventFirstSeenEarlier, type FgCase, openCase } from '../support/fg-case.js';

describe('the telecom initial-notification clock and a recorded awareness', () => {
  let c: FgCase;
  afterEach(() => rmSync(c.dir, { recursive: true, force: true }));

  it('runs from the awareness recorded, as the AP clock does', async () => {
    // Activity from 2025-11-26T12:00Z; GuardDuty created the finding 2025-11-27T21:00Z.
    c = await openCase({
      policy: { clocks: { telecom: true } },
      events: [eventFirstSeenEarlier('2025-11-26T12:00:00Z', { id: 'case-1', createdAt: '2025-11-27T21:00:00Z' })],
    });
    // The FG records that the organisation was aware at 2025-11-27T10:00Z (a customer's call).
    await c.json(
      [
        'assess',
        c.id,
        '--personal-data',
        'yes',
        '--risk',
        'risk',
        '--reason',
        'klantgegevens',
        '--aware-at',
        '2025-11-27T10:00:00Z',
        '--aware-reason',
        'klant belde',
        '--by',
        'FG',
      ],
      '2025-11-28T09:00:00Z',
    );
    // Initial notification to the AP at 2025-11-28T16:00Z: 30 hours after awareness, 19 after GuardDuty.
    await c.json(['reported', c.id, '--reference', 'M-1', '--at', '2025-11-28T16:00:00Z', '--by', 'FG'], '2025-11-28T16:05:00Z');
    const shown = await c.json(['show', c.id], '2025-11-28T16:10:00Z');
    const clock = (name: string) => shown.clocks.find((x: { name: string }) => x.name === name);
    expect(clock('telecom-initial')).toMatchObject({ startsAt: '2025-11-27T10:00:00.000Z', dueAt: '2025-11-28T10:00:00.000Z', status: 'late' });
    expect(clock('telecom-subscribers')).toMatchObject({ startsAt: '2025-11-27T10:00:00.000Z' });
  });

  it('asks the confirmation of a stated time when a later awareness would stop the telecom clock the record held overdue', async () => {
    c = await openCase({ policy: { clocks: { telecom: true } } });
    // Detected 2025-11-27T21:00Z: the telecom clock passed 2025-11-28T21:00Z, long before the AP's.
    const late = ['assess', c.id, '--aware-at', '2025-11-28T02:00:00Z', '--aware-reason', 'pas toen zeker', '--reason', 'herzien', '--by', 'FG'];
    const refused = await c.cli(late, '2025-11-29T00:00:00Z');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--confirm-stated-time');
    await c.json([...late, '--confirm-stated-time'], '2025-11-29T00:00:00Z');
    const shown = await c.json(['show', c.id], '2025-11-29T00:05:00Z');
    expect(shown.clocks.find((x: { name: string }) => x.name === 'telecom-initial')).toMatchObject({
      startsAt: '2025-11-28T02:00:00.000Z',
      enteredAfterDeadline: { deadline: '2025-11-28T21:00:00.000Z' },
    });
  });
});
