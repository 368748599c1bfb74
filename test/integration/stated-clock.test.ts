import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const EVENT = 'events/01-ec2-backdoor-command-and-control-high.json'; // created 2026-11-27T21:14Z
const AT = '2026-11-27T22:00:00Z';
const ASSESS = ['--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantdata', '--by', 'fg'];

type Entry = { seq: number; kind: string; actor: string; detail: Record<string, unknown> };
const timelineOf = async (store: string, id: string): Promise<Entry[]> =>
  JSON.parse((await runCli(['show', id, '--json', '--store', store, '--now', AT])).stdout).timeline;

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
    const mark = timeline.find((e) => e.kind === 'clock-stated') as Entry;
    expect(mark).toMatchObject({ kind: 'clock-stated', actor: 'fg', at: '2026-11-27T23:00:00.000Z' });
    expect(mark.detail.entries).toEqual(timeline.filter((e) => e.seq > mark.seq && e.actor === 'fg').map((e) => e.kind));
    expect(mark.detail.entries).toContain('assessed');
    const enteredAt = mark.detail.enteredAt as string;
    expect(enteredAt >= before && enteredAt <= after).toBe(true);
    // The pipeline's own entries, replayed from history, keep their times unmarked.
    expect(timeline.filter((e) => e.kind === 'clock-stated')).toHaveLength(1);
    const [row] = JSON.parse((await runCli(['register', '--format', 'json', '--store', store, '--now', AT])).stdout);
    expect(row.statedClock).toBe(`assessed at 2026-11-27T23:00:00.000Z (entered ${enteredAt}) by fg`);
    const show = await runCli(['show', id, '--store', store, '--now', AT]);
    expect(show.stdout).toContain(
      `STATED CLOCK   1 change was recorded with a --now earlier than the machine's clock (#${mark.seq}): the times of the entries after it were stated, not taken`,
    );
  });

  it('leaves no mark when the run keeps the machine’s clock, or on a drill copy', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'datalek-stated-')), 's');
    const id = await recorded(store);
    const drill = `${store}-drill`;
    expect((await runCli(['drill', '--from', store, '--store', drill])).code).toBe(0);
    expect((await runCli(['assess', id, ...ASSESS, '--store', drill, '--now', '2026-11-27T23:00:00Z'])).code).toBe(0);
    expect((await timelineOf(drill, id)).map((e) => e.kind)).not.toContain('clock-stated');

    expect((await runCli(['ack', id, '--by', 'oncall', '--store', store])).code).toBe(0);
    expect((await timelineOf(store, id)).map((e) => e.kind)).not.toContain('clock-stated');
    expect((await runCli(['show', id, '--store', store])).stdout).not.toContain('STATED CLOCK');
    expect(JSON.parse((await runCli(['register', '--format', 'json', '--store', store])).stdout)[0].statedClock).toBe('');
  });
});
