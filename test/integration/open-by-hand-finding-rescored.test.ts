/**
 * review9 attack K4: `datalek open --finding FILE` opens an incident for a finding the policy ignored
 * (low severity, or archived), with the awareness the person states. The finding itself is recorded
 * nowhere (open-by-hand.ts: "no finding ever joins it"). When GuardDuty later delivers a new version
 * of the same finding that the policy does open (re-scored above the threshold, or unarchived; an
 * attacker who keeps going makes GuardDuty raise it), the pipeline opens a second incident for the
 * same breach: not linked to the first, its own AP clock (from the finding's creation, not the
 * awareness the FG stated and assessed on), and on-call is paged as for a breach nobody knows about.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

it('a later version of the finding an incident was opened by hand for joins that incident', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-k4-'));
  const policy = join(dir, 'policy.json');
  const store = join(dir, 'store');
  writeFileSync(policy, JSON.stringify({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } }));
  const cli = (args: string[], now: string) => runCli([...args, '--store', store, '--policy', policy, '--now', now]);
  const low = join(dir, 'low.json');
  writeFileSync(low, JSON.stringify(findingEvent({ id: 'low-1', severity: 2, instanceId: 'i-low', createdAt: '2026-11-27T08:00:00Z' })));
  expect(jsonLines((await cli(['replay', low, '--json'], '2026-11-27T08:30:00Z')).stdout)[0]).toMatchObject({ outcome: 'ignored' });

  const r = await cli(
    ['open', '--what', 'Lage melding bleek een datalek', '--aware-at', '2026-11-27T11:00:00Z', '--finding', low, '--by', 'Bert', '--json'],
    '2026-11-27T12:00:00Z',
  );
  expect(r.code, r.stderr).toBe(0);
  const byHand = JSON.parse(r.stdout);
  expect(byHand.deadline).toBe('2026-11-30T11:00:00.000Z');

  // Two days later GuardDuty re-scores the same finding (more activity): the policy opens it now.
  const rescored = join(dir, 'rescored.json');
  writeFileSync(
    rescored,
    JSON.stringify(
      findingEvent({ id: 'low-1', severity: 8, instanceId: 'i-low', createdAt: '2026-11-27T08:00:00Z', updatedAt: '2026-11-29T09:00:00Z', count: 40 }),
    ),
  );
  const line = jsonLines((await cli(['replay', rescored, '--json'], '2026-11-29T09:05:00Z')).stdout)[0];
  const register = JSON.parse((await cli(['register', '--format', 'json'], '2026-11-29T09:10:00Z')).stdout) as Record<string, unknown>[];
  // It joins the incident opened by hand: one breach, one record, the clock the awareness stated.
  expect(register.map((row) => row.incidentId)).toEqual([byHand.incidentId]);
  expect(line).toMatchObject({ outcome: 'updated', incidentId: byHand.incidentId, deadline: '2026-11-30T11:00:00.000Z', severity: 8 });
  // The severity rose to High: the FG and on-call hear that, not of a new breach.
  // (The one opening message is the FG's, when Bert opened it by hand.)
  const messages = JSON.parse((await cli(['messages', byHand.incidentId, '--json'], '2026-11-29T09:10:00Z')).stdout) as {
    channel: string;
    kind: string;
    subject: string;
  }[];
  expect(messages.filter((m) => m.kind === 'opened').map((m) => m.subject)).toEqual([expect.stringContaining('met de hand vastgelegd door Bert')]);
  expect(messages.map((m) => `${m.channel}:${m.kind}`)).toContain('fg:severity-raised');
});
