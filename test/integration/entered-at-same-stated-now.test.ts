/**
 * Two entries a person made with the same stated --now, days apart (finB F1): each says its own moment of entering.
 * The clock-stated marks were matched by stated time and person alone, so a report entered on 3 December took
 * the assessment's moment (28 November), a time before the AP deadline it was entered after.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { runCli } from '../support/cli.js';

const EVENT = 'events/01-ec2-backdoor-command-and-control-high.json'; // AP deadline 2026-11-30T21:14Z
const STATED = '2026-11-27T22:00:00Z';
afterEach(() => vi.useRealTimers());

it('a report entered days after an assessment with the same stated --now gives its own moment of entering', async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-28T08:00:00.000Z'));
  const store = join(mkdtempSync(join(tmpdir(), 'finb-')), 's');
  const r = await runCli(['replay', EVENT, '--store', store, '--json', '--now', '2026-11-27T21:20:00Z']);
  const id = JSON.parse(r.stdout.split('\n')[0]).incidentId as string;
  expect(
    (await runCli(['assess', id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantdata', '--by', 'fg-piet', '--store', store, '--now', STATED]))
      .code,
  ).toBe(0);
  vi.setSystemTime(new Date('2026-12-03T09:48:00.000Z'));
  const done = await runCli(['reported', id, '--reference', 'M-1', '--by', 'fg-piet', '--store', store, '--now', STATED, '--confirm-stated-time']);
  expect(done.code, done.stderr).toBe(0);
  const show = (await runCli(['show', id, '--store', store])).stdout;

  const row = JSON.parse((await runCli(['register', '--format', 'json', '--store', store])).stdout)[0];
  expect(String(row.enteredLater)).toContain('recorded 2026-12-03T09:48');

  expect(show).toContain('entered after the AP deadline had passed: 2026-12-03 10:48 CET');
});

it('an Art. 34 decision entered with a stated --now gives the moment it was entered, not the stated one (finB F9)', async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-03T09:48:00.000Z'));
  const store = join(mkdtempSync(join(tmpdir(), 'finb-')), 's');
  const r = await runCli(['replay', EVENT, '--store', store, '--json', '--now', '2026-11-27T21:20:00Z']);
  const id = JSON.parse(r.stdout.split('\n')[0]).incidentId as string;
  const stated = ['--store', store, '--now', STATED, '--confirm-stated-time'];
  expect((await runCli(['assess', id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantdata', '--by', 'fg-piet', ...stated])).code).toBe(0);
  const informed = [
    'subjects',
    id,
    '--decision',
    'inform',
    '--date',
    '2026-11-27T21:50:00Z',
    '--channel',
    'brief',
    '--text',
    'Uw gegevens zijn gelekt.',
    '--reason',
    'hoog risico',
  ];
  const done = await runCli([...informed, '--by', 'fg-piet', ...stated]);
  expect(done.code, done.stderr).toBe(0);
  const register = (await runCli(['register', '--format', 'md', '--store', store])).stdout;
  expect(register).toContain('2026-12-03 10:48');
  expect(register).not.toContain('vastgelegd 2026-11-27 23:00');
  const draft = (await runCli(['draft', id, '--store', store])).stdout;
  expect(draft).not.toMatch(/later ingevoerd: vastgelegd 2026-11-27/);
});
