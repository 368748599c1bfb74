/**
 * One incident on a fresh embedded store, for the FG's workflow tests: a policy with the
 * organisation filled in (tests add what they change), one finding replayed, and a CLI bound to
 * both. `json` runs a command and parses its JSON; `timeline` counts entries, to show that a
 * refused command wrote nothing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { enteredAtNow, jsonLines } from './cli.js';
import { findingEvent } from './events.js';

export const ORGANISATION = {
  name: 'Zorggroep Voorbeeld',
  fg: { name: 'A. de Vries', email: 'fg@example.nl', phone: '+31 20 123 4567' },
};

/** What the data subjects were told, for `subjects --decision inform` (Art. 34(2): the text is required). */
export const SENT_NOTICE = 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.';

/** `subjects ID --decision inform` on `date` by `channel`, with the text sent; add `--reason` and the rest. */
export function informArgs(id: string, date: string, channel: string): string[] {
  return ['subjects', id, '--decision', 'inform', '--text', SENT_NOTICE, '--date', date, '--channel', channel];
}

export interface FgCase {
  dir: string;
  id: string;
  cli: (args: string[], now: string) => Promise<{ code: number; stdout: string; stderr: string }>;
  // biome-ignore lint/suspicious/noExplicitAny: test helper returning parsed CLI JSON
  json: (args: string[], now: string) => Promise<any>;
  timelineLength: (now?: string) => Promise<number>;
}

export async function openCase(
  options: { policy?: Record<string, unknown>; events?: unknown[]; replayAt?: string; organisation?: Record<string, unknown> } = {},
): Promise<FgCase> {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-fg-case-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ organisation: { ...ORGANISATION, ...options.organisation }, ...options.policy }));
  const common = ['--store', join(dir, 'store'), '--policy', policyFile];
  // Each command entered at the time it states: the case is played through as it happened.
  const cli = (args: string[], now: string) => enteredAtNow([...args, ...common, '--now', now]);
  const events = join(dir, 'events.json');
  writeFileSync(events, JSON.stringify(options.events ?? [findingEvent({ id: 'case-1', createdAt: '2025-11-27T21:00:00Z' })]));
  const replay = await cli(['replay', events, '--json'], options.replayAt ?? '2025-11-27T21:05:00Z');
  const id = jsonLines(replay.stdout)[0].incidentId as string;
  const json = async (args: string[], now: string) => {
    const r = await cli([...args, '--json'], now);
    if (r.code !== 0) throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const timelineLength = async (now = '2025-11-28T00:00:00Z') => (await json(['show', id], now)).timeline.length;
  return { dir, id, cli, json, timelineLength };
}

/** A finding event whose activity began before GuardDuty created it (`service.eventFirstSeen`). */
export function eventFirstSeenEarlier(firstSeen: string, options: Parameters<typeof findingEvent>[0] = {}) {
  const event = findingEvent(options);
  event.detail.service.eventFirstSeen = firstSeen;
  return event;
}

/** A command on the case that must succeed (its stderr shown when it does not); its stdout. */
export function succeeds(c: FgCase): (args: string[], now: string) => Promise<string> {
  return async (args, now) => {
    const r = await c.cli(args, now);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
}
