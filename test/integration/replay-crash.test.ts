/**
 * `datalek replay` killed (SIGKILL: no close, no flush) in the middle of a run. Replay records
 * events in groups of commits, queues each event's pages claimed by its commit, shows an event and
 * sends its pages once its group is committed, and writes their sending with the next group's
 * first commit, so what the dead process leaves is: groups whole or absent, pages claimed by it
 * until the lease runs out, and at most the last group's sendings unrecorded. The record must
 * still verify, no finding it reported may be missing, no page may be lost, and a page goes twice
 * only if it was among the last group's out before the kill. And replays run at once on one
 * store, each keeping the chain heads it wrote while the others append to the same ledgers and
 * registry shards.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { COMMIT_GROUP } from '../../handlers/cli/commands/replay.js';
import { CLAIM_LEASE_MINUTES } from '../../handlers/core/deliver.js';
import { addMinutes } from '../../handlers/core/time.js';
import { ROOT, runCli, spawnCli, spawnNode } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

const NOW = '2026-11-28T03:00:00.000Z';
const EVENTS = 300;

/** Runs replay in a process of its own and kills it once it has sent `pages` pages to on-call. */
function replayKilledAfter(args: string[], pages: number): Promise<{ stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/datalek.mjs'), ...args], { cwd: ROOT, env: { ...process.env } });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!killed && onCallPages(stderr).length >= pages) {
        killed = child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', () => resolve({ stdout, stderr, killed }));
  });
}

/** The incidents whose opening page to on-call the console notifier showed, in order. */
function onCallPages(stderr: string): string[] {
  return [...stderr.matchAll(/→ on-call: .*Beveiligingsincident: .* (dl-[0-9a-f]+)$/gm)].map((m) => m[1]);
}

describe('replay killed mid-run', () => {
  let dir: string;
  let events: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-crash-'));
    events = join(dir, 'events.json');
    writeFileSync(
      events,
      JSON.stringify(Array.from({ length: EVENTS }, (_, i) => findingEvent({ id: `crash-${i}`, instanceId: `i-crash${String(i).padStart(6, '0')}` }))),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([5, 120])(
    'killed after %i pages: the record verifies, every finding it reported is there, every page goes out, and only the last group twice',
    async (pages) => {
      const store = join(dir, `store-${pages}`);
      const run = await replayKilledAfter(['replay', events, '--store', store, '--now', NOW], pages);
      expect(run.killed).toBe(true);
      const sentByReplay = onCallPages(run.stderr);
      // It was killed mid-run, not after the end.
      expect(sentByReplay.length).toBeGreaterThanOrEqual(pages);
      expect(sentByReplay.length).toBeLessThan(EVENTS);

      const verify = await runCli(['verify', '--store', store, '--now', NOW]);
      expect(verify.stderr).toBe('');
      expect(verify.code).toBe(0);

      const reported = [...run.stdout.matchAll(/^opened\s+\S+\s+(dl-[0-9a-f]+)/gm)].map((m) => m[1]);
      const s = new SqliteIncidentStore(store, { readOnly: true });
      try {
        for (const id of reported) expect(await s.getIncident(id), id).toBeDefined();
        // Every page replay showed went out after its incident was recorded.
        for (const id of sentByReplay) expect(await s.getIncident(id), id).toBeDefined();
      } finally {
        await s.close();
      }

      // While the dead process's claims hold, no sweep sends what it queued: nothing goes twice yet.
      const early = await runCli(['sweep', '--store', store, '--now', addMinutes(NOW, 1)]);
      expect(onCallPages(early.stderr)).toEqual([]);
      // Once they run out, the sweep sends every page the dead process did not record as sent.
      const late = await runCli(['sweep', '--store', store, '--now', addMinutes(NOW, CLAIM_LEASE_MINUTES + 1)]);
      expect(late.code).toBe(0);
      const sentBySweep = onCallPages(late.stderr);
      const after = new SqliteIncidentStore(store, { readOnly: true });
      try {
        const incidents = await after.listIncidents();
        expect(await after.pendingMessages()).toEqual([]);
        // Each incident's opening page went out at least once.
        expect(new Set([...sentByReplay, ...sentBySweep])).toEqual(new Set(incidents.map((i) => i.id)));
      } finally {
        await after.close();
      }
      // Sent twice: at most the pages of the last group of commits out before the kill, whose
      // sendings were not yet written (they ride in the next group's first commit): the last ones out.
      const twice = sentBySweep.filter((id) => sentByReplay.includes(id));
      expect(twice.length).toBeLessThanOrEqual(COMMIT_GROUP.events);
      expect(new Set(twice)).toEqual(new Set(sentByReplay.slice(sentByReplay.length - twice.length)));
      expect((await runCli(['verify', '--store', store, '--now', addMinutes(NOW, CLAIM_LEASE_MINUTES + 1)])).code).toBe(0);
    },
  );
});

describe('replay killed after its log started over', () => {
  it('readB21: a log file written over from its start (an older log past its end) recovers to the last committed group, verifies, and a replay again records the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-restart-'));
    try {
      const store = join(dir, 'store');
      const events = join(dir, 'events.json');
      writeFileSync(
        events,
        JSON.stringify(Array.from({ length: 150 }, (_, i) => findingEvent({ id: `restart-${i}`, instanceId: `i-restart${String(i).padStart(6, '0')}` }))),
      );
      // A checkpoint every 60 pages (some five events): the log starts over again and again, its
      // file kept; after 5 restarts the process kills itself with a group under way.
      const run = await spawnNode(['--import', 'tsx', join(ROOT, 'test/support/replay-child.ts'), store, events, '60', '5']);
      const lines = run.stdout.trim().split('\n');
      const released = lines.filter((l) => l.startsWith('released ')).map((l) => l.slice('released '.length));
      const unreleased = lines.find((l) => l.startsWith('unreleased '))?.slice('unreleased '.length);
      expect({ signal: run.signal, restarts: lines.filter((l) => l === 'restarted').length, unreleased: typeof unreleased }).toEqual({
        signal: 'SIGKILL',
        restarts: 5,
        unreleased: 'string',
      });
      expect(released.length).toBeLessThan(150);

      // SQLite's recovery reads the log up to the last committed group and stops at the older log's
      // frames (their salts differ): the record verifies, holds every event released, and nothing
      // of the group under way.
      const verify = await runCli(['verify', '--store', store, '--now', NOW]);
      expect(verify.stderr).toBe('');
      expect(verify.code).toBe(0);
      const s = new SqliteIncidentStore(store, { readOnly: true });
      try {
        for (const id of released) expect(await s.getIncident(id), id).toBeDefined();
        expect(await s.getIncident(unreleased as string)).toBeUndefined();
        expect(await s.listIncidents()).toHaveLength(released.length);
      } finally {
        await s.close();
      }
      // A replay of the same file again records what the killed one had not, and nothing twice.
      const again = await runCli(['replay', events, '--store', store, '--json', '--now', NOW]);
      expect(again.code, again.stderr).toBeLessThanOrEqual(1);
      const outcomes = again.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).outcome as string);
      expect({ duplicate: outcomes.filter((o) => o === 'duplicate').length, opened: outcomes.filter((o) => o === 'opened').length }).toEqual({
        duplicate: released.length,
        opened: 150 - released.length,
      });
      const after = await runCli(['verify', '--store', store, '--now', NOW]);
      expect(after.code, after.stderr).toBe(0);
      expect(after.stdout).toMatch(/\b150 incidents\b/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('replays at once on one store', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-two-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The same findings, each in several versions (counts), in a file of their own. */
  const versions = (name: string, counts: number[]) => {
    const file = join(dir, name);
    const events = Array.from({ length: 150 }, (_, i) =>
      counts.map((count) =>
        findingEvent({
          id: `both-${i}`,
          instanceId: `i-both${String(i).padStart(6, '0')}`,
          count,
          updatedAt: addMinutes('2026-11-27T21:00:00.000Z', count),
        }),
      ),
    ).flat();
    writeFileSync(file, JSON.stringify(events));
    return file;
  };

  it('three replays of the same findings at once: the record verifies, each finding ends at its last version, each page goes once', async () => {
    const store = join(dir, 'store');
    const a = versions('a.json', [1, 2, 4]);
    const b = versions('b.json', [3, 5]);
    const runs = await Promise.all([a, b, a].map((file) => spawnCli(['replay', file, '--store', store, '--now', NOW])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    // Each incident's opening page, whichever replay opened it, once.
    const pages = runs.flatMap((r) => onCallPages(r.stderr));
    expect(pages).toHaveLength(150);
    expect(new Set(pages).size).toBe(150);

    const verify = await runCli(['verify', '--store', store, '--now', NOW]);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    const s = new SqliteIncidentStore(store, { readOnly: true });
    try {
      const incidents = await s.listIncidents();
      expect(incidents).toHaveLength(150);
      for (const incident of incidents) expect((await s.getFinding(incident.firstFinding))?.version.count, incident.id).toBe(5);
      expect(await s.pendingMessages()).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
