/**
 * Observation 8 of issue #13 (first part): read commands needed write access (`status` on a store
 * the user may only read exited 3) and waited on a writer's lock (16 s). They now open the store
 * read-only: no lock, no file created or changed.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { jsonLines, runCli, spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

describe('read-only commands', () => {
  let dir: string;
  let store: string;
  let id: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-ro-'));
    store = join(dir, 'store');
    const events = join(dir, 'e.json');
    writeFileSync(events, JSON.stringify(findingEvent({ createdAt: '2026-11-20T21:00:00Z' })));
    id = jsonLines((await runCli(['replay', events, '--store', store, '--json', '--now', '2026-11-20T21:05:00Z'])).stdout)[0].incidentId as string;
  });

  it('do not wait for a writer that holds the lock', async () => {
    const writer = new Database(join(store, 'datalek.sqlite'));
    writer.pragma('journal_mode = WAL');
    writer.exec('BEGIN IMMEDIATE');
    try {
      for (const args of [['status', '--json'], ['show', id, '--json'], ['verify'], ['register', '--format', 'json'], ['messages', id]]) {
        const r = await runCli([...args, '--store', store]);
        expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
      }
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
  });

  it('change nothing in the store', async () => {
    const file = join(store, 'datalek.sqlite');
    const before = readFileSync(file);
    for (const args of [['status'], ['show', id], ['verify'], ['register'], ['messages', id], ['draft', id]]) {
      expect((await runCli([...args, '--store', store])).code, args[0]).toBe(0);
    }
    expect(readFileSync(file).equals(before)).toBe(true);
    // SQLite may leave its shared-memory index beside the file for the next reader; no data goes there.
    for (const f of readdirSync(store).filter((f) => f.endsWith('-wal'))) expect(readFileSync(join(store, f)).length, f).toBe(0);
  });

  it('work on a store the user may only read', async () => {
    // As root, file modes do not stop us: run the CLI as an unprivileged user instead.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      for (const p of [dir, store]) chmodSync(p, 0o755);
      for (const f of readdirSync(store)) chmodSync(join(store, f), 0o644);
    } else {
      for (const f of readdirSync(store)) chmodSync(join(store, f), 0o444);
      chmodSync(store, 0o555);
    }
    const run = (args: string[]) => spawnCli(args, { HOME: tmpdir() }, asRoot ? { uid: 65534, gid: 65534 } : {});
    try {
      const status = await run(['status', '--store', store, '--json']);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).map((s: { incidentId: string }) => s.incidentId)).toEqual([id]);
      expect((await run(['verify', '--store', store])).code).toBe(0);
      // A command that writes says clearly that it cannot.
      const ack = await run(['ack', id, '--by', 'anna', '--store', store]);
      expect(ack.code).toBe(3);
      expect(ack.stderr).toMatch(/^datalek: /);
    } finally {
      if (!asRoot) chmodSync(store, 0o755);
    }
  });
});
