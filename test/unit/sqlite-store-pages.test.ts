/**
 * What a commit writes on the embedded store, page by page (issue #14): SQLite's log holds every
 * page a commit changed, and each page belongs to one table or index. Pages are what a commit
 * costs; these tests pin which tables and indexes a change touches (never how fast it is), and
 * that what it writes still reads and verifies as before.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { deliverMessages } from '../../handlers/core/deliver.js';
import { appendEntries, type Incident, incidentIdFor } from '../../handlers/core/incident.js';
import { REGISTRY_SHARDS, registryShardOf } from '../../handlers/core/ledger.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { type RecordDeps, recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';

describe('sqlite store: the pages a commit writes', () => {
  let store: SqliteIncidentStore;
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    ({ store, dir, cleanup } = tempSqliteStore());
  });
  afterEach(() => cleanup());

  const deps = (): RecordDeps => ({ store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false, claimQueued: () => true });

  /** The tables and indexes whose pages `write` put in the log (the log emptied first). */
  async function treesWrittenBy(write: () => Promise<unknown>): Promise<Set<string>> {
    const db = store.database;
    db.pragma('wal_checkpoint(TRUNCATE)');
    await write();
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const owner = new Map((db.prepare('SELECT pageno, name FROM dbstat').all() as { pageno: number; name: string }[]).map((r) => [r.pageno, r.name]));
    const log = readFileSync(join(dir, `${STORE_FILE}-wal`));
    const trees = new Set<string>();
    // The log's header is 32 bytes; each frame a header of 24 and a page.
    for (let at = 32; at + 24 + pageSize <= log.length; at += 24 + pageSize) trees.add(owner.get(log.readUInt32BE(at)) ?? 'other');
    return trees;
  }

  async function opened(id: string): Promise<Incident> {
    const result = await recordEvent(deps(), findingEvent({ id, instanceId: `i-${id}` }));
    const incident = await store.getIncident(result.incidentId as string);
    if (!incident) throw new Error('no incident');
    return incident;
  }

  const INCIDENT_INDEXES = ['incidents_open_resource', 'incidents_next_due', 'incidents_detected'];

  it("an incident's update that changes none of its indexed columns writes none of their indexes' pages", async () => {
    const incident = await opened('pages-1');
    // Acknowledged: the record changes, none of the columns indexed beside it. With the entry that
    // acknowledges it, as the pipeline writes it: verify names an acknowledgement the timeline lacks (red28),
    // and one not the first acknowledging entry's person and time (tl28a).
    const next = { ...structuredClone(incident), revision: incident.revision + 1, acknowledgedBy: 'on-call', acknowledgedAt: NOW };
    const timeline = appendEntries(next, [{ at: NOW, kind: 'acknowledged', actor: 'on-call', detail: {} }]);
    const trees = await treesWrittenBy(() => store.commit({ incident: next, expectedRevision: incident.revision, timeline, messages: [] }));
    expect(trees.has('incidents')).toBe(true);
    expect(INCIDENT_INDEXES.filter((i) => trees.has(i))).toEqual([]);
    expect((await store.getIncident(incident.id))?.revision).toBe(incident.revision + 1);
    expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);
  });

  it('an update that changes indexed columns writes them, and the indexes find the incident by its new values', async () => {
    const incident = await opened('pages-2');
    const due = '2026-11-28T05:00:00.000Z';
    const next = { ...structuredClone(incident), revision: incident.revision + 1, nextDueAt: due };
    const trees = await treesWrittenBy(() => store.commit({ incident: next, expectedRevision: incident.revision, timeline: [], messages: [] }));
    expect(trees.has('incidents_next_due')).toBe(true);
    expect(trees.has('incidents_detected')).toBe(false);
    expect((await store.listDue(due)).map((i) => i.id)).toEqual([incident.id]);
    expect(await store.listDue('2026-11-28T04:59:59.999Z')).toEqual([]);

    const closed = { ...structuredClone(next), revision: next.revision + 1, state: 'closed' as const, closedAt: NOW, nextDueAt: null };
    // With the entry that closes it: verify names a closing the timeline lacks (red28).
    const closing = appendEntries(closed, [{ at: NOW, kind: 'closed', detail: { by: 'FG' } }]);
    await store.commit({ incident: closed, expectedRevision: next.revision, timeline: closing, messages: [] });
    expect(await store.findOpenIncident(incident.resourceKey)).toBeUndefined();
    expect(await store.listDue('2026-12-31T00:00:00.000Z')).toEqual([]);
    const row = store.database.prepare('SELECT state, next_due_at FROM incidents WHERE id = ?').get(incident.id);
    expect(row).toEqual({ state: 'closed', next_due_at: null });
    // A stale revision is still refused, whatever columns the change would set.
    await expect(store.commit({ incident: { ...closed, revision: 99 }, expectedRevision: next.revision, timeline: [], messages: [] })).rejects.toThrow(
      /changed since revision/,
    );
    expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);
  });

  it("records an incident's sendings written together in one ledger entry, which verify accepts", async () => {
    const result = await recordEvent(deps(), findingEvent({ id: 'pages-3', instanceId: 'i-pages-3' }));
    const queued = result.queued ?? [];
    expect(queued).toHaveLength(2);
    const entries = () => store.database.prepare('SELECT data FROM ledger WHERE incident_id = ? ORDER BY seq').all(result.incidentId) as { data: string }[];
    const before = entries().length;
    await deliverMessages({ store, notifier: { deliver: async () => {} }, now: () => NOW }, queued, result.claimed);
    const added = entries()
      .slice(before)
      .map((e) => JSON.parse(e.data));
    expect(added).toHaveLength(1);
    expect(added[0].sentMessages.map((m: { id: string }) => m.id).sort()).toEqual(queued.map((m) => m.id).sort());
    expect((await store.listMessages(result.incidentId as string)).every((m) => m.sentAt === NOW)).toBe(true);
    expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);
  });

  it("reads a registry shard's head from the store once: with every shard's head known, the next commit still knows them", async () => {
    // Incidents until every shard has had one, then as many again: each shard's head read once, when first written.
    const shards = new Set<number>();
    const { reads } = await readsOf('FROM registry', async () => {
      for (let n = 0; shards.size < REGISTRY_SHARDS || n < 40; n++) {
        const result = await recordEvent(deps(), findingEvent({ id: `registry-${n}`, instanceId: `i-registry-${n}` }));
        shards.add(registryShardOf(result.incidentId as string));
      }
    });
    expect(shards.size).toBe(REGISTRY_SHARDS);
    expect(reads.length).toBe(REGISTRY_SHARDS);
    expect(new Set(reads).size).toBe(REGISTRY_SHARDS);
    expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);
  });

  /** The `get`s and `iterate`s run while `fn` runs whose SQL holds `sql`, with their first argument. */
  async function readsOf<T>(sql: string, fn: () => Promise<T>): Promise<{ reads: unknown[]; result: T }> {
    const statement = Object.getPrototypeOf(store.database.prepare('SELECT 1')) as Record<'get' | 'iterate', (...args: unknown[]) => unknown>;
    const reads: unknown[] = [];
    const spies = (['get', 'iterate'] as const).map((method) => {
      const original = statement[method];
      return vi.spyOn(statement, method).mockImplementation(function (this: { source: string }, ...args: unknown[]) {
        if (this.source.includes(sql)) reads.push(args[0]);
        return original.apply(this, args);
      });
    });
    try {
      return { reads, result: await fn() };
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  }

  it("does not read a new incident's ledger head: its first entry starts the chain", async () => {
    const { reads } = await readsOf('FROM ledger WHERE incident_id = ? ORDER BY seq DESC', async () => {
      for (let n = 0; n < 5; n++) await recordEvent(deps(), findingEvent({ id: `fresh-${n}`, instanceId: `i-fresh-${n}` }));
    });
    expect(reads).toEqual([]);
    expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);
  });

  it('a new incident whose id already has ledger rows (planted, or its record removed) chains on them, as when the head was read first', async () => {
    const event = findingEvent({ id: 'fresh-planted', instanceId: 'i-fresh-planted' });
    const id = incidentIdFor({ accountId: event.detail.accountId, region: event.detail.region, findingId: event.detail.id });
    store.database.prepare('INSERT INTO ledger (incident_id, seq, data, prev_hash, hash) VALUES (?, 1, ?, ?, ?)').run(id, '{}', 'x', 'planted');
    const { reads, result } = await readsOf('FROM ledger WHERE incident_id = ? ORDER BY seq DESC', () => recordEvent(deps(), event));
    expect(result.incidentId).toBe(id);
    expect(reads).toEqual([id]);
    const rows = store.database.prepare('SELECT seq, prev_hash FROM ledger WHERE incident_id = ? ORDER BY seq').all(id) as { seq: number; prev_hash: string }[];
    expect(rows.slice(0, 2)).toEqual([
      { seq: 1, prev_hash: 'x' },
      { seq: 2, prev_hash: 'planted' },
    ]);
  });

  it('finds the open incident of a resource with one statement, its own resource or one it claims, and none with one too', async () => {
    const holder = await opened('one-read-1');
    const claimed = 'Instance:111122223333:eu-west-1:i-claimed-by-one-read-1';
    await store.commit({
      incident: { ...structuredClone(holder), revision: holder.revision + 1 },
      expectedRevision: holder.revision,
      claims: [claimed],
      timeline: [],
      messages: [],
    });
    for (const [key, id] of [
      [holder.resourceKey, holder.id],
      [claimed, holder.id],
      ['Instance:111122223333:eu-west-1:i-nobody', undefined],
    ] as const) {
      const { reads, result } = await readsOf('resource_key', () => store.findOpenIncident(key));
      expect(result?.id).toBe(id);
      expect(reads).toEqual([key]);
    }
  });
});
