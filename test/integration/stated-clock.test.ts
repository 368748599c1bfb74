import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

const EVENT = 'events/01-ec2-backdoor-command-and-control-high.json'; // created 2026-11-27T21:14Z
const AT = '2026-11-27T22:00:00Z';
const ASSESS = ['--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantdata', '--by', 'fg'];

type Entry = { seq: number; kind: string; actor: string; detail: Record<string, unknown> };
const timelineOf = async (store: string, id: string): Promise<Entry[]> =>
  JSON.parse((await runCli(['show', id, '--json', '--store', store, '--now', AT])).stdout).timeline;

/** The marks of a person's change, not of the replay that opened the incident at AT (itself marked, review5 A14). */
const personMarks = (timeline: Entry[]) => timeline.filter((e) => e.kind === 'clock-stated' && !e.actor.endsWith('(datalek replay)'));

async function recorded(store: string): Promise<string> {
  const r = await runCli(['replay', EVENT, '--store', store, '--json', '--now', AT]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.split('\n')[0]).incidentId;
}

/**
 * review3 F2: a person's `--now` in the past, on a real store, made their entries say a time the
 * machine did not, and so passed "entered after the deadline" unseen. The entries now carry the
 * machine's clock beside the stated one, and `show` says so.
 */
describe('a person who records with a --now behind the machine’s clock', () => {
  it('leaves entries that say when the machine recorded them, and show names them', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'datalek-stated-')), 's');
    const id = await recorded(store);
    const before = new Date().toISOString();
    const r = await runCli(['assess', id, ...ASSESS, '--store', store, '--now', '2026-11-27T23:00:00Z']);
    expect(r.code, r.stderr).toBe(0);
    const after = new Date().toISOString();
    const timeline = await timelineOf(store, id);
    const [mark] = personMarks(timeline);
    expect(mark).toMatchObject({ kind: 'clock-stated', actor: 'fg', at: '2026-11-27T23:00:00.000Z' });
    expect(mark.detail.entries).toEqual(timeline.filter((e) => e.seq > mark.seq && e.actor === 'fg').map((e) => e.kind));
    expect(mark.detail.entries).toContain('assessed');
    const enteredAt = mark.detail.enteredAt as string;
    expect(enteredAt >= before && enteredAt <= after).toBe(true);
    // The replay at AT, on this real store, is marked too: the first entry (review5 A14).
    expect(timeline.filter((e) => e.kind === 'clock-stated').map((e) => e.seq)).toEqual([1, mark.seq]);
    const [row] = JSON.parse((await runCli(['register', '--format', 'json', '--store', store, '--now', AT])).stdout);
    expect(row.statedClock).toContain(`assessed at 2026-11-27T23:00:00.000Z (entered ${enteredAt}) by fg`);
    const show = await runCli(['show', id, '--store', store, '--now', AT]);
    expect(show.stdout).toContain(
      `STATED CLOCK   2 changes were recorded with a --now earlier than the machine's clock (#1, #${mark.seq}): the times of the entries after each were stated, not taken`,
    );
  });

  it('marks a replay a person runs with a --now days behind the machine’s clock: when the machine recorded the incident and told the FG and on-call (review5 A14)', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'datalek-stated-')), 's');
    const file = join(store, '..', 'missed.json');
    // A finding the pipeline missed two days ago (a disabled rule), fed in now as of then.
    const stated = new Date(Date.now() - 2 * 86_400_000);
    const created = new Date(stated.getTime() - 600_000).toISOString();
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'a14a14a14a14a14a14a14a14a14a14a1', severity: 8.5, createdAt: created, updatedAt: created })));
    const before = new Date().toISOString();
    const r = await runCli(['replay', file, '--store', store, '--now', stated.toISOString(), '--json']);
    const after = new Date().toISOString();
    expect(r.code, r.stderr).toBe(0);
    const id = JSON.parse(r.stdout.split('\n')[0]).incidentId as string;
    const shown = JSON.parse((await runCli(['show', id, '--json', '--store', store])).stdout) as {
      statedClock: { at: string; enteredAt: string; by: string; entries: string[] }[];
      timeline: Entry[];
    };
    const [mark, ...rest] = shown.timeline;
    expect(mark).toMatchObject({ kind: 'clock-stated', actor: expect.stringMatching(/\(datalek replay\)$/) });
    expect(mark.detail.entries).toEqual(rest.map((e) => e.kind));
    expect(mark.detail.entries).toContain('incident-opened');
    const enteredAt = mark.detail.enteredAt as string;
    expect(enteredAt >= before && enteredAt <= after).toBe(true);
    const [row] = JSON.parse((await runCli(['register', '--format', 'json', '--store', store])).stdout);
    expect(row.statedClock).toBe(`${(mark.detail.entries as string[]).join(', ')} at ${stated.toISOString()} (entered ${enteredAt}) by ${mark.actor}`);
    expect((await runCli(['show', id, '--store', store])).stdout).toContain('STATED CLOCK');
    expect((await runCli(['verify', '--store', store])).code).toBe(0);
  });

  it('leaves a replay unmarked at the machine’s clock (npm start) and on a drill copy at any --now', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'datalek-stated-')), 's');
    const drill = `${store}-drill`;
    expect((await runCli(['replay', EVENT, '--store', store, '--json'])).code).toBe(0);
    expect((await runCli(['drill', '--from', store, '--store', drill])).code).toBe(0);
    const file = join(store, '..', 'other.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'drilldrilldrilldrilldrilldrill01', severity: 8.5, instanceId: 'i-drill' })));
    expect((await runCli(['replay', file, '--store', drill, '--now', AT, '--json'])).code).toBe(0);
    for (const s of [store, drill]) {
      for (const row of JSON.parse((await runCli(['status', '--json', '--store', s, '--now', new Date().toISOString()])).stdout) as { incidentId: string }[]) {
        expect((await timelineOf(s, row.incidentId)).map((e) => e.kind)).not.toContain('clock-stated');
      }
    }
  });

  it('leaves no mark when the run keeps the machine’s clock, or on a drill copy', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'datalek-stated-')), 's');
    const id = await recorded(store);
    const drill = `${store}-drill`;
    expect((await runCli(['drill', '--from', store, '--store', drill])).code).toBe(0);
    expect((await runCli(['assess', id, ...ASSESS, '--store', drill, '--now', '2026-11-27T23:00:00Z'])).code).toBe(0);
    expect(personMarks(await timelineOf(drill, id))).toEqual([]);

    expect((await runCli(['ack', id, '--by', 'oncall', '--store', store])).code).toBe(0);
    expect(personMarks(await timelineOf(store, id))).toEqual([]);
    // Only the replay's own mark (at AT, on this real store) is listed.
    expect((await runCli(['show', id, '--store', store])).stdout).toContain('STATED CLOCK   1 change was recorded');
    expect(JSON.parse((await runCli(['register', '--format', 'json', '--store', store])).stdout)[0].statedClock).not.toMatch(/acknowledged|oncall/);
  });
});
