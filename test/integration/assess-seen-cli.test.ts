/**
 * The CLI's `assess` and the finding types the person was shown (the closing note's "Still left";
 * the page's check is d9077c4): `show` prints the token of the finding types it showed; a finding of
 * a new type replayed after it makes `assess --seen` refuse, naming the types, and nothing is
 * recorded; `show` again gives the token that is taken.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { findingEvent } from '../support/events.js';
import { openCase } from '../support/fg-case.js';

it('refuses an assessment after a finding of a type show did not show, then takes the new token', async () => {
  const miner = findingEvent({ id: 'm'.repeat(32), instanceId: 'i-0miner', type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', createdAt: '2025-11-27T21:00:00Z' });
  const c = await openCase({ events: [miner] });
  const seen = async (now: string) => (await c.cli(['show', c.id], now)).stdout.match(/^ {2}seen {11}([0-9a-f]{8}-[0-9a-f]{8}) /m)?.[1];
  const token = await seen('2025-11-27T21:10:00Z');
  expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}$/);
  const exfil = join(c.dir, 'exfil.json');
  const type = 'Trojan:EC2/DNSDataExfiltration';
  writeFileSync(exfil, JSON.stringify([findingEvent({ id: 'x'.repeat(32), instanceId: 'i-0miner', type, createdAt: '2025-11-27T21:20:00Z' })]));
  expect((await c.cli(['replay', exfil], '2025-11-27T21:20:00Z')).code).toBe(0);
  const assess = (t: string) => ['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--reason', 'een miner', '--seen', t, '--by', 'FG'];
  const refused = await c.cli(assess(token as string), '2025-11-27T21:30:00Z');
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(new RegExp(`finding types changed since show printed --seen ${token}: .*${type}.*nothing was recorded`));
  expect((await c.json(['show', c.id], '2025-11-27T21:30:00Z')).assessment ?? null).toBeNull();
  const again = (await seen('2025-11-27T21:31:00Z')) as string;
  expect(again).not.toBe(token);
  expect((await c.cli(assess(again), '2025-11-27T21:32:00Z')).code).toBe(0);
});
