/**
 * fg27 item 1, `facts` checked as the brief asks of reported and close: when a corrected begin lets
 * the awareness follow the detection, `facts` said "follows the detection (2025-11-27T10:00:00.000Z):
 * the AP deadline is 2025-11-30T10:00:00.000Z", ISO alone, read in Amsterdam an hour early. It gives
 * them in the policy's zone with the ISO beside, as assess does.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { findingEvent } from '../support/events.js';
import { type FgCase, openCase } from '../support/fg-case.js';

let c: FgCase;
afterEach(() => rmSync(c.dir, { recursive: true, force: true }));

it('facts tells the awareness and the AP deadline that follow a corrected begin in the policy zone', async () => {
  c = await openCase(); // detected 2025-11-27 21:00 UTC
  const ok = async (args: string[], at: string) => {
    const r = await c.cli(args, at);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  const begin = (at: string) => ['facts', c.id, '--started-at', at, '--started-reason', 'volgens de logs', '--confirm-stated-time', '--by', 'FG'];
  await ok(begin('2025-11-27T12:00:00Z'), '2025-11-28T08:00:00Z');
  // A finding of the same resource GuardDuty detected earlier, after the begin stated: the awareness is kept for the begin.
  const earlier = join(c.dir, 'earlier.json');
  writeFileSync(earlier, JSON.stringify([findingEvent({ id: 'case-0', type: 'Trojan:EC2/DropPoint!DNS', createdAt: '2025-11-27T10:00:00Z' })]));
  await ok(['replay', earlier], '2025-11-28T09:00:00Z');
  const said = await ok([...begin('2025-11-27T09:00:00Z'), '--reason', 'gecorrigeerd'], '2025-11-28T09:30:00Z');
  expect(said).toContain(
    'follows the detection, 2025-11-27 11:00 CET (2025-11-27T10:00:00.000Z): the AP deadline is 2025-11-30 11:00 CET (2025-11-30T10:00:00.000Z) (Art. 33(1))',
  );
});
