/**
 * The embedded store's `detected_at` column follows the record when detection moves earlier: the
 * register's --from/--to choose by it and verify holds it to the record. A store written before it
 * did (schema 3) verifies and is chosen from right as it is, and is repaired, on the record, when
 * first opened for writing.
 */

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const LATER = '2026-11-27T22:00:00.000Z';
const EARLIER = '2026-11-27T20:00:00.000Z';
const NOW = '2026-11-28T03:00:00.000Z';

describe("the embedded store's detected_at column", () => {
  let store: SqliteIncidentStore;
  let dir: string;
  let cleanup: () => Promise<void>;
  let id: string;

  beforeEach(async () => {
    ({ store, dir, cleanup } = tempSqliteStore());
    const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
    id = (await recordEvent(deps, findingEvent({ id: 'f-later', createdAt: LATER }))).incidentId as string;
    // A finding detected two hours earlier joins: the incident's detection, and its AP clock, move back.
    expect((await recordEvent(deps, findingEvent({ id: 'f-earlier', type: 'Trojan:EC2/DropPoint!DNS', createdAt: EARLIER }))).outcome).toBe('attached');
    expect((await store.getIncident(id))?.detectedAt).toBe(EARLIER);
  });
  afterEach(async () => cleanup());

  const column = () => {
    const db = new Database(join(dir, STORE_FILE), { readonly: true });
    try {
      return db.prepare('SELECT detected_at FROM incidents WHERE id = ?').pluck().get(id);
    } finally {
      db.close();
    }
  };
  const ids = async (s: SqliteIncidentStore, from: string, to: string) => (await s.listIncidents({ from, to })).map((i) => i.id);
  /** What a datalek before the fix left: the column at the first detection, schema 3. */
  const asWrittenBefore = async () => {
    await store.close();
    const db = new Database(join(dir, STORE_FILE));
    db.prepare('UPDATE incidents SET detected_at = ? WHERE id = ?').run(LATER, id);
    db.pragma('user_version = 3');
    db.close();
  };

  it('moves with the detection, so verify passes and the register chooses by the detection', async () => {
    expect(column()).toBe(EARLIER);
    expect((await verifyStore(store, { now: NOW })).problems).toEqual([]);
    expect(await ids(store, '2026-11-27T19:00:00.000Z', '2026-11-27T21:00:00.000Z')).toEqual([id]);
    expect(await ids(store, '2026-11-27T21:00:00.000Z', '2026-11-27T23:00:00.000Z')).toEqual([]);
  });

  it('in a store written before, verifies and chooses by the record when opened read-only, changing nothing', async () => {
    await asWrittenBefore();
    const readOnly = new SqliteIncidentStore(dir, { readOnly: true });
    try {
      expect((await verifyStore(readOnly, { now: NOW })).problems).toEqual([]);
      expect(await ids(readOnly, '2026-11-27T19:00:00.000Z', '2026-11-27T21:00:00.000Z')).toEqual([id]);
      expect(await ids(readOnly, '2026-11-27T21:00:00.000Z', '2026-11-27T23:00:00.000Z')).toEqual([]);
    } finally {
      await readOnly.close();
    }
    expect(column()).toBe(LATER);
  });

  it('in a store written before, is repaired when first opened for writing, the old value kept in meta, and held to the record after', async () => {
    await asWrittenBefore();
    const reopened = new SqliteIncidentStore(dir);
    try {
      expect(column()).toBe(EARLIER);
      const db = new Database(join(dir, STORE_FILE), { readonly: true });
      const note = JSON.parse(db.prepare("SELECT value FROM meta WHERE key = 'migration-4'").pluck().get() as string);
      expect(db.pragma('user_version', { simple: true })).toBe(4);
      db.close();
      expect(note).toMatchObject({ schema: 4, repaired: [{ id, from: LATER, to: EARLIER }] });
      expect((await verifyStore(reopened, { now: NOW })).problems).toEqual([]);
      // From now on the column is held to the record: altering it is reported.
      const writer = new Database(join(dir, STORE_FILE));
      writer.prepare('UPDATE incidents SET detected_at = ? WHERE id = ?').run(LATER, id);
      writer.close();
      expect((await verifyStore(reopened, { now: NOW })).problems).toEqual([
        { incidentId: id, entry: 'record', problem: `the column detectedAt ("${LATER}") does not match the record: it was altered` },
      ]);
    } finally {
      await reopened.close();
    }
  });
});
