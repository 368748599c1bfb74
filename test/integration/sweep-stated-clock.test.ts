/**
 * `datalek sweep --now <past>` on a real store wrote unmarked: the pages and reminders it queued
 * said datalek queued them at a moment the machine never saw, as a replay's did before review5
 * A14. And every message sent by such a run (a marked replay's, the sweep's) was recorded sent at
 * the stated time. The sweep's writes now start with a clock-stated entry naming the machine's
 * clock and who ran it, and a sending is recorded at the machine's clock, when it went out: the
 * stated time stays the message's own (createdAt) and the mark's. A drill copy keeps any --now.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

type Entry = { seq: number; at: string; kind: string; actor: string; detail: Record<string, unknown> };
type Message = { id: string; kind: string; createdAt: string; sentAt: string | null };

/** An incident replayed two days back on a fresh store (`drill`: on a drill copy of it), and the sweep 16 minutes later then, when the secondary is paged. */
async function sweptInThePast(drill: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-sweep-stated-'));
  const real = join(dir, 's');
  const stated = Math.floor((Date.now() - 2 * 86_400_000) / 60_000) * 60_000;
  const at = (m: number) => new Date(stated + m * 60_000).toISOString();
  const file = join(dir, 'missed.json');
  writeFileSync(file, JSON.stringify(findingEvent({ id: 'sweepstatedsweepstatedsweepstat1', severity: 8.5, createdAt: at(-10), updatedAt: at(-10) })));
  let store = real;
  if (drill) {
    expect((await runCli(['replay', 'events/01-ec2-backdoor-command-and-control-high.json', '--store', real, '--json'])).code).toBe(0);
    store = join(dir, 'drill');
    expect((await runCli(['drill', '--from', real, '--store', store])).code).toBe(0);
  }
  const before = new Date().toISOString();
  const r = await runCli(['replay', file, '--store', store, '--now', at(0), '--json']);
  expect(r.code, r.stderr).toBe(0);
  const id = JSON.parse(r.stdout.split('\n')[0]).incidentId as string;
  const swept = await runCli(['sweep', '--store', store, '--now', at(16), '--json']);
  expect(swept.code, swept.stderr).toBe(0);
  const after = new Date().toISOString();
  expect(JSON.parse(swept.stdout)).toContainEqual(expect.objectContaining({ incidentId: id, kind: 'page', level: 'secondary' }));
  const shown = JSON.parse((await runCli(['show', id, '--json', '--store', store, '--now', at(17)])).stdout) as { timeline: Entry[] };
  const messages = JSON.parse((await runCli(['messages', id, '--store', store, '--json', '--now', at(17)])).stdout) as Message[];
  return { store, id, at, before, after, shown, messages };
}

describe('a sweep run with a --now behind the machine’s clock', () => {
  it('on a real store, marks what it records, and records its sendings (and the replay’s) at the machine’s clock', async () => {
    const { store, at, before, after, shown, messages } = await sweptInThePast(false);
    const marks = shown.timeline.filter((e) => e.kind === 'clock-stated' && e.actor.endsWith('(datalek sweep)'));
    expect(marks).toHaveLength(1);
    const [mark] = marks;
    expect(mark.at).toBe(at(16));
    const entered = mark.detail.enteredAt as string;
    expect(entered >= before && entered <= after).toBe(true);
    const following = shown.timeline.filter((e) => e.seq > mark.seq);
    expect(mark.detail.entries).toEqual(following.map((e) => e.kind));
    expect(mark.detail.entries).toContain('notification-queued');
    // On the record too: the register lists it.
    const [row] = JSON.parse((await runCli(['register', '--format', 'json', '--store', store])).stdout);
    expect(row.statedClock).toContain(`at ${at(16)} (entered ${entered}) by ${mark.actor}`);

    const page = messages.find((m) => m.id.endsWith('/on-call/page:0:secondary')) as Message;
    expect(page.createdAt).toBe(at(16));
    expect(page.sentAt !== null && page.sentAt >= before && page.sentAt <= after).toBe(true);
    // The replay's own messages likewise: queued at the stated time, sent when they went out.
    const opened = messages.find((m) => m.id.endsWith('/on-call/opened')) as Message;
    expect(opened.createdAt).toBe(at(0));
    expect(opened.sentAt !== null && opened.sentAt >= before && opened.sentAt <= after).toBe(true);
    expect((await runCli(['verify', '--store', store])).code).toBe(0);
  });

  it('on a drill copy, keeps the stated clock, unmarked', async () => {
    const { at, shown, messages } = await sweptInThePast(true);
    expect(shown.timeline.map((e) => e.kind)).not.toContain('clock-stated');
    const page = messages.find((m) => m.id.endsWith('/on-call/page:0:secondary')) as Message;
    expect(page.sentAt).toBe(at(16));
  });
});
