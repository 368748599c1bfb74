/**
 * A store written before the store-side changes of issue #14 (test/fixtures/store-schema4.sql,
 * made by main's code): its ledger records each sending in an entry of its own, and its rows were
 * written by updates that set every indexed column. This code must open it, verify it as it is,
 * take new events on its incidents and new ones (in groups, as replay does), and verify again.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { CommitGroups } from '../../handlers/cli/commands/replay.js';
import { deliverMessages, deliverPending } from '../../handlers/core/deliver.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { type RecordDeps, type RecordResult, recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/store-schema4.sql');
const NOW = '2026-11-28T03:00:00.000Z';
const LATER = '2026-11-28T04:00:00.000Z';

describe('sqlite store: a store written by the code before', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-old-'));
    const db = new Database(join(dir, STORE_FILE));
    db.pragma('journal_mode = WAL');
    db.exec(readFileSync(FIXTURE, 'utf8'));
    db.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens, verifies, takes new events and sendings in groups, and verifies again', async () => {
    const reader = new SqliteIncidentStore(dir, { readOnly: true });
    try {
      const before = await verifyStore(reader, { now: NOW });
      expect(verifyOk(before), JSON.stringify(before)).toBe(true);
      expect(await reader.listIncidents()).toHaveLength(4);
    } finally {
      await reader.close();
    }

    const store = new SqliteIncidentStore(dir, { bulk: true });
    try {
      const deps: RecordDeps = { store, policy: DEFAULT_POLICY, now: () => LATER, canEnforce: false, claimQueued: () => true };
      const notifier = { deliver: async () => {} };
      store.deferSentMarks(5);
      const results: RecordResult[] = [];
      const groups = new CommitGroups<RecordResult>(
        store,
        async (done) => {
          for (const r of done) await deliverMessages({ store, notifier, now: deps.now }, r.queued ?? [], r.claimed);
        },
        { events: 2, ms: 60_000, wallMs: 60_000 },
      );
      await groups.run(async () => {
        for (const event of [
          // On the old store's incidents: a finding joins one, another's count goes up.
          findingEvent({ id: 'new-att', instanceId: 'i-old-2', severity: 5 }),
          findingEvent({ id: 'old-1', instanceId: 'i-old-1', count: 3, updatedAt: '2026-11-27T21:10:00.000Z' }),
          // New incidents, whose two messages each are recorded sent together.
          findingEvent({ id: 'new-1', instanceId: 'i-new-1' }),
          findingEvent({ id: 'new-2', instanceId: 'i-new-2' }),
        ]) {
          groups.open();
          const r = await recordEvent(deps, event);
          results.push(r);
          await groups.recorded(r);
        }
      });
      expect(results.map((r) => r.outcome)).toEqual(['attached', 'updated', 'opened', 'opened']);
      // The message the old store left pending is sent now, and recorded so.
      const pending = await store.pendingMessages();
      expect(pending).toHaveLength(2);
      const report = await deliverPending({ store, notifier, now: deps.now });
      expect(report.sent.map((m) => m.id).sort()).toEqual(pending.map((m) => m.id).sort());
      expect(await store.pendingMessages()).toEqual([]);
      const after = await verifyStore(store, { now: LATER });
      expect(verifyOk(after), JSON.stringify(after)).toBe(true);
      // Both ways of recording sendings are in the ledger: the old store's, one a message, and this code's.
      const kinds = store.database.prepare("SELECT json_type(data, '$.sent') AS one, json_type(data, '$.sentMessages') AS several FROM ledger").all() as {
        one: string | null;
        several: string | null;
      }[];
      expect(kinds.some((k) => k.one === 'object')).toBe(true);
      expect(kinds.some((k) => k.several === 'array')).toBe(true);
    } finally {
      await store.close();
    }
  });
});
