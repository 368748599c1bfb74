/**
 * What a person records on the embedded store survives a power cut once the command has said so:
 * `assess`, `reported`, `close` or a form on `datalek serve` (which runs for hours without closing
 * the store) sync each commit to disk. Replay alone syncs at checkpoints and when it ends: what a
 * power cut takes from a running replay, replaying the same files records again.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { openBackend, type StoreAccess } from '../../handlers/cli/backend.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';

/** SQLite's `synchronous` levels. */
const NORMAL = 1;
const FULL = 2;

describe('how often the embedded store syncs to disk', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const synchronousOf = async (access: StoreAccess) => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-durability-'));
    dirs.push(dir);
    // Commands other than replay open an existing store.
    await new SqliteIncidentStore(dir).close();
    const backend = await openBackend({
      target: 'local',
      storeDir: dir,
      env: { DATALEK_LINK_KEY_FILE: join(dir, 'ack.key') },
      access,
      policy: DEFAULT_POLICY,
      now: () => '2026-11-28T03:00:00.000Z',
    });
    try {
      return (backend.store as SqliteIncidentStore).database.pragma('synchronous', { simple: true });
    } finally {
      await backend.close();
    }
  };

  it('syncs every commit of the commands people record with (and of serve)', async () => {
    expect(await synchronousOf('write')).toBe(FULL);
  });

  it('syncs replay at its checkpoints and at its end', async () => {
    expect(await synchronousOf('create')).toBe(NORMAL);
  });

  it('syncs every commit of a store opened directly, unless asked for bulk recording', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-durability-'));
    dirs.push(dir);
    const store = new SqliteIncidentStore(dir);
    const bulk = new SqliteIncidentStore(dir, { bulk: true });
    try {
      expect(store.database.pragma('synchronous', { simple: true })).toBe(FULL);
      expect(bulk.database.pragma('synchronous', { simple: true })).toBe(NORMAL);
    } finally {
      await bulk.close();
      await store.close();
    }
  });
});
