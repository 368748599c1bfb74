/**
 * `datalek replay` records an event, sends what it queued at once, and moves on. On the embedded
 * store that takes one write transaction per event: the messages are queued claimed by the
 * commit (no claim of their own), and their sending is written with the next event's commit (no
 * transaction of its own). What another process sees meanwhile must never be a lie: a message
 * not yet recorded as sent is held by this process's claim, and one whose sending was lost with
 * the process is sent again once that claim runs out, as it was when a sender died between
 * delivering and recording.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteIncidentStore, STORE_FILE, walFrames } from '../../handlers/adapters/local/sqlite-store.js';
import { CommitGroups } from '../../handlers/cli/commands/replay.js';
import { CLAIM_LEASE_MINUTES, deliverMessages, deliverPending } from '../../handlers/core/deliver.js';
import { incidentIdFor, type OutboxMessage } from '../../handlers/core/incident.js';
import { registryShardOf } from '../../handlers/core/ledger.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { type RecordDeps, type RecordResult, recordEvent } from '../../handlers/core/record-finding.js';
import { addMinutes } from '../../handlers/core/time.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';

describe('replay: one write transaction per event', () => {
  let store: SqliteIncidentStore;
  /** The same store opened by another process (on-call running `datalek ack`, a sweep). */
  let other: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    let dir: string;
    ({ store, dir, cleanup } = tempSqliteStore());
    other = new SqliteIncidentStore(dir);
  });
  afterEach(async () => {
    await other.close();
    await cleanup();
  });

  const deps = (claimQueued?: RecordDeps['claimQueued']): RecordDeps => ({
    store,
    policy: DEFAULT_POLICY,
    now: () => NOW,
    canEnforce: false,
    ...(claimQueued ? { claimQueued } : {}),
  });
  const sent: OutboxMessage[] = [];
  const notifier = { deliver: async (m: OutboxMessage) => void sent.push(m) };
  const verify = async (s: SqliteIncidentStore) => verifyOk(await verifyStore(s, { now: NOW }));

  it('queues what it sends at once claimed by the commit: no claim of its own, and no other sender takes it meanwhile', async () => {
    const result = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'claim-1', instanceId: 'i-claim-1' }),
    );
    const ids = (result.queued ?? []).map((m) => m.id);
    expect(ids).toHaveLength(2);
    expect(result.claimed).toEqual({ ids, until: addMinutes(NOW, CLAIM_LEASE_MINUTES) });
    // Another sender finds them held, until the lease runs out.
    expect(await other.claimMessages(ids, NOW, addMinutes(NOW, CLAIM_LEASE_MINUTES))).toEqual([]);

    const claim = vi.spyOn(store, 'claimMessages');
    sent.length = 0;
    const report = await deliverMessages({ store, notifier, now: () => NOW }, result.queued ?? [], result.claimed);
    expect(claim).not.toHaveBeenCalled();
    expect(report.sent.map((m) => m.id)).toEqual(ids);
    expect((await store.listMessages(result.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, NOW]);
    expect(await verify(other)).toBe(true);
  });

  it('gives back the claim the commit took when the delivery fails, though the sender claims later than it', async () => {
    const result = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'claim-4', instanceId: 'i-claim-4' }),
    );
    const [fg, onCall] = result.queued ?? [];
    const later = addMinutes(NOW, 0.5);
    const down = {
      deliver: async (m: OutboxMessage) => {
        if (m.channel === 'fg') throw new Error('mail server down');
      },
    };
    const report = await deliverMessages({ store, notifier: down, now: () => later }, result.queued ?? [], result.claimed);
    expect(report.failed.map((f) => f.message.id)).toEqual([fg.id]);
    expect(report.unreleased).toBeUndefined();
    // The next sender takes it at once, not when the commit's lease runs out.
    expect(await other.claimMessages([fg.id, onCall.id], later, addMinutes(later, CLAIM_LEASE_MINUTES))).toEqual([fg.id]);
  });

  it('claims at commit only what its notifier sends; the rest is left to any sender', async () => {
    const result = await recordEvent(
      deps((m) => m.channel === 'fg'),
      findingEvent({ id: 'claim-2', instanceId: 'i-claim-2' }),
    );
    const [fg, onCall] = result.queued ?? [];
    expect([fg.channel, onCall.channel]).toEqual(['fg', 'on-call']);
    expect(result.claimed?.ids).toEqual([fg.id]);
    expect(await other.claimMessages([fg.id, onCall.id], NOW, addMinutes(NOW, CLAIM_LEASE_MINUTES))).toEqual([onCall.id]);
  });

  it('does not claim a message an earlier change queued: the sender claims it as usual', async () => {
    const first = await recordEvent(deps(), findingEvent({ id: 'claim-3', instanceId: 'i-claim-3' }));
    const queued = first.queued ?? [];
    const incident = await store.getIncident(first.incidentId as string);
    if (!incident) throw new Error('not stored');
    // The same messages queued again by a later change of the incident (ids are per state change).
    const next = { ...structuredClone(incident), revision: incident.revision + 1 };
    const receipt = await store.commit({
      incident: next,
      expectedRevision: incident.revision,
      timeline: [],
      messages: queued,
      claim: { ids: queued.map((m) => m.id), until: addMinutes(NOW, CLAIM_LEASE_MINUTES) },
    });
    expect(receipt?.claimed).toEqual([]);
    expect(
      (
        await other.claimMessages(
          queued.map((m) => m.id),
          NOW,
          addMinutes(NOW, CLAIM_LEASE_MINUTES),
        )
      ).sort(),
    ).toEqual(queued.map((m) => m.id).sort());
  });

  it("writes a sending with the next event's commit; meanwhile another process sees it pending and held, and the record verifies", async () => {
    store.deferSentMarks(60_000);
    const a = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'mark-1', instanceId: 'i-mark-1' }),
    );
    const ids = (a.queued ?? []).map((m) => m.id);
    await deliverMessages({ store, notifier, now: () => NOW }, a.queued ?? [], a.claimed);

    // Delivered, not yet written: pending and held by this process's claim, and nothing in the ledger says sent.
    expect((await other.listMessages(a.incidentId as string)).map((m) => m.sentAt)).toEqual([null, null]);
    expect(await other.claimMessages(ids, NOW, addMinutes(NOW, CLAIM_LEASE_MINUTES))).toEqual([]);
    expect(await verify(other)).toBe(true);

    // The next event's commit writes it, each sending once in the ledger (the incident's two in one
    // entry), with the time it was delivered.
    await recordEvent(
      deps(() => true),
      findingEvent({ id: 'mark-2', instanceId: 'i-mark-2' }),
    );
    expect((await other.listMessages(a.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, NOW]);
    const ledger = (await other.rawIncident(a.incidentId as string)).ledger.map((e) => JSON.parse(e.data));
    const sendings = ledger.filter((e) => e.sent || e.sentMessages);
    expect(sendings).toHaveLength(1);
    expect(sendings[0].sentMessages).toEqual(ids.map((id) => ({ id, at: NOW })));
    expect(await verify(other)).toBe(true);
  });

  it('writes a sending on its own when no commit follows within the delay, and when the store is read or closed', async () => {
    store.deferSentMarks(20);
    const a = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'mark-3', instanceId: 'i-mark-3' }),
    );
    await deliverMessages({ store, notifier, now: () => NOW }, a.queued ?? [], a.claimed);
    await vi.waitFor(async () => expect((await other.listMessages(a.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, NOW]), { timeout: 2000 });

    store.deferSentMarks(60_000);
    const b = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'mark-4', instanceId: 'i-mark-4' }),
    );
    await deliverMessages({ store, notifier, now: () => NOW }, b.queued ?? [], b.claimed);
    // This process's own reads see what it sent.
    expect((await store.listMessages(b.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, NOW]);
    expect((await other.listMessages(b.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, NOW]);

    const c = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'mark-5', instanceId: 'i-mark-5' }),
    );
    await deliverMessages({ store, notifier, now: () => NOW }, c.queued ?? [], c.claimed);
    await store.close();
    expect((await other.listMessages(c.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, NOW]);
    expect(await verify(other)).toBe(true);
  });

  it('a process that dies after delivering, before writing the sending, leaves its messages to be sent again once its claim runs out', async () => {
    store.deferSentMarks(60_000);
    const a = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'crash-1', instanceId: 'i-crash-1' }),
    );
    await deliverMessages({ store, notifier, now: () => NOW }, a.queued ?? [], a.claimed);
    // The process dies: its connection goes, what it had not written with it.
    store.database.close();

    const resent: OutboxMessage[] = [];
    const again = { deliver: async (m: OutboxMessage) => void resent.push(m) };
    expect((await deliverPending({ store: other, notifier: again, now: () => addMinutes(NOW, 1) })).sent).toEqual([]);
    const later = addMinutes(NOW, CLAIM_LEASE_MINUTES + 1);
    const report = await deliverPending({ store: other, notifier: again, now: () => later });
    expect(report.sent.map((m) => m.id)).toEqual((a.queued ?? []).map((m) => m.id));
    expect((await other.listMessages(a.incidentId as string)).map((m) => m.sentAt)).toEqual([later, later]);
    expect(verifyOk(await verifyStore(other, { now: later }))).toBe(true);
  });

  it('a sending written by a commit inside a transaction someone else began and rolled back is written again, not lost', async () => {
    store.deferSentMarks(60_000);
    const a = await recordEvent(
      deps(() => true),
      findingEvent({ id: 'mark-6', instanceId: 'i-mark-6' }),
    );
    await deliverMessages({ store, notifier, now: () => NOW }, a.queued ?? [], a.claimed);
    // The next event's commit carries the sendings, inside a transaction that is then rolled back.
    store.database.exec('BEGIN');
    await recordEvent(deps(), findingEvent({ id: 'mark-7', instanceId: 'i-mark-7' }));
    store.database.exec('ROLLBACK');
    await store.close();
    expect((await other.listMessages(a.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, NOW]);
    expect(await verify(other)).toBe(true);
  });

  describe('chain heads this process keeps, when another process appended meanwhile', () => {
    it("an incident's ledger: the next entry chains on the other process's, and verify passes", async () => {
      const opened = await recordEvent(deps(), findingEvent({ id: 'head-1', instanceId: 'i-head-1', count: 1 }));
      const id = opened.incidentId as string;
      // Another process records a sending of this incident: its ledger moves on behind this store's back.
      await other.markAllSent([(opened.queued ?? [])[0].id], NOW);
      const updated = await recordEvent(deps(), findingEvent({ id: 'head-1', instanceId: 'i-head-1', count: 2, updatedAt: '2026-11-27T21:30:00.000Z' }));
      expect(updated.outcome).toBe('updated');
      const ledger = (await other.rawIncident(id)).ledger;
      expect(ledger.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(ledger[2].prevHash).toBe(ledger[1].hash);
      expect(JSON.parse(ledger[1].data).sent).toBeDefined();
      expect(await verify(other)).toBe(true);
    });

    it('a registry shard: the next incident is entered after the one the other process opened, and verify passes', async () => {
      const first = await recordEvent(deps(), findingEvent({ id: 'reg-0', instanceId: 'i-reg-0' }));
      const incident = await store.getIncident(first.incidentId as string);
      if (!incident) throw new Error('not stored');
      const shard = registryShardOf(incident.id);
      // Two more findings whose incidents fall in the same shard.
      const same: string[] = [];
      for (let i = 1; same.length < 2; i++) {
        const findingId = `reg-${i}`;
        if (registryShardOf(incidentIdFor({ ...incident.firstFinding, findingId })) === shard) same.push(findingId);
      }
      const otherDeps = { ...deps(), store: other };
      expect((await recordEvent(otherDeps, findingEvent({ id: same[0], instanceId: `i-${same[0]}` }))).outcome).toBe('opened');
      expect((await recordEvent(deps(), findingEvent({ id: same[1], instanceId: `i-${same[1]}` }))).outcome).toBe('opened');
      const rows = (await other.registry())[shard];
      expect(rows.map((r) => r.n)).toEqual([1, 2, 3]);
      expect(rows.map((r) => JSON.parse(r.data).incidentId)).toEqual([
        incident.id,
        ...same.map((f) => incidentIdFor({ ...incident.firstFinding, findingId: f })),
      ]);
      expect(await verify(other)).toBe(true);
    });

    it('a commit that fails keeps no head it wrote: the next one chains on what is stored', async () => {
      const x = await store.getIncident((await recordEvent(deps(), findingEvent({ id: 'head-2', instanceId: 'i-head-2' }))).incidentId as string);
      const y = await store.getIncident((await recordEvent(deps(), findingEvent({ id: 'head-3', instanceId: 'i-head-3' }))).incidentId as string);
      if (!x || !y) throw new Error('not stored');
      const change = (incident: typeof x, expectedRevision: number) => ({
        incident: { ...structuredClone(incident), revision: expectedRevision + 1 },
        expectedRevision,
        timeline: [],
        messages: [],
      });
      // One commit changes y (written first, with its ledger entry), then fails on x's revision: nothing of it stays.
      await expect(store.commit({ ...change(x, x.revision - 1), others: [change(y, y.revision)] })).rejects.toThrow(/changed since revision/);
      await store.commit(change(y, y.revision));
      expect((await other.rawIncident(y.id)).ledger.map((e) => e.seq)).toEqual([1, 2]);
      expect(await verify(other)).toBe(true);
    });

    it('a commit inside a transaction someone else began and rolled back leaves no head behind', async () => {
      const id = (await recordEvent(deps(), findingEvent({ id: 'head-4', instanceId: 'i-head-4' }))).incidentId as string;
      const current = await store.getIncident(id);
      if (!current) throw new Error('not stored');
      const change = {
        incident: { ...structuredClone(current), revision: current.revision + 1 },
        expectedRevision: current.revision,
        timeline: [],
        messages: [],
      };
      store.database.exec('BEGIN');
      await store.commit(change);
      store.database.exec('ROLLBACK');
      await store.commit(change);
      expect((await other.rawIncident(id)).ledger.map((e) => e.seq)).toEqual([1, 2]);
      expect(await verify(other)).toBe(true);
    });
  });
});

/**
 * Replay records its events in groups of commits (`beginGroup`/`endGroup`): one transaction of
 * the store for several events, each event's commit a savepoint in it. Nothing of a group may be
 * seen or kept before it is committed, a commit that fails leaves the others, and the lines and
 * messages of its events go out only once it is committed.
 */
describe('replay: groups of commits', () => {
  let store: SqliteIncidentStore;
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    ({ store, dir, cleanup } = tempSqliteStore());
  });
  afterEach(() => cleanup());

  const deps = (): RecordDeps => ({ store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false, claimQueued: () => true });
  const sent: OutboxMessage[] = [];
  const notifier = { deliver: async (m: OutboxMessage) => void sent.push(m) };
  /** A fresh read of the store, as another process would make it. */
  const reader = async <T>(read: (s: SqliteIncidentStore) => Promise<T>): Promise<T> => {
    const s = new SqliteIncidentStore(dir, { readOnly: true });
    try {
      return await read(s);
    } finally {
      await s.close();
    }
  };
  const verifies = () => reader(async (s) => verifyOk(await verifyStore(s, { now: NOW })));

  it('keeps a group to itself until it is committed, then the record verifies', async () => {
    store.beginGroup();
    const a = await recordEvent(deps(), findingEvent({ id: 'group-1', instanceId: 'i-group-1' }));
    const b = await recordEvent(deps(), findingEvent({ id: 'group-2', instanceId: 'i-group-2' }));
    expect([a.outcome, b.outcome]).toEqual(['opened', 'opened']);
    // This process reads what it wrote; another sees nothing of it yet.
    expect(await store.getIncident(a.incidentId as string)).toBeDefined();
    expect(await reader((s) => s.listIncidents())).toEqual([]);
    store.endGroup();
    expect((await reader((s) => s.listIncidents())).map((i) => i.id).sort()).toEqual([a.incidentId, b.incidentId].sort());
    expect(await verifies()).toBe(true);
  });

  it('a commit that fails in a group leaves the others, and the chains go on from what is stored', async () => {
    store.beginGroup();
    const opened = await recordEvent(deps(), findingEvent({ id: 'group-3', instanceId: 'i-group-3' }));
    const incident = await store.getIncident(opened.incidentId as string);
    if (!incident) throw new Error('not stored');
    const change = (expectedRevision: number) => ({
      incident: { ...structuredClone(incident), revision: expectedRevision + 1 },
      expectedRevision,
      timeline: [],
      messages: [],
    });
    await expect(store.commit(change(incident.revision - 1))).rejects.toThrow(/changed since revision/);
    await store.commit(change(incident.revision));
    const next = await recordEvent(deps(), findingEvent({ id: 'group-4', instanceId: 'i-group-4' }));
    expect(next.outcome).toBe('opened');
    store.endGroup();
    expect((await reader((s) => s.rawIncident(incident.id))).ledger.map((e) => e.seq)).toEqual([1, 2]);
    expect(await verifies()).toBe(true);
  });

  it('a group closed without being committed keeps nothing of it, and the sendings it carried are written all the same', async () => {
    store.deferSentMarks(60_000);
    const a = await recordEvent(deps(), findingEvent({ id: 'group-5', instanceId: 'i-group-5' }));
    await deliverMessages({ store, notifier, now: () => NOW }, a.queued ?? [], a.claimed);
    store.beginGroup();
    // This commit carries a's sendings; the group is never committed.
    const b = await recordEvent(deps(), findingEvent({ id: 'group-6', instanceId: 'i-group-6' }));
    await store.close();
    expect(await reader((s) => s.getIncident(b.incidentId as string))).toBeUndefined();
    expect((await reader((s) => s.listMessages(a.incidentId as string))).map((m) => m.sentAt)).toEqual([NOW, NOW]);
    expect(await verifies()).toBe(true);
  });

  it('a group SQLite rolled back by itself fails every commit after it and its end, rather than keep some of it', async () => {
    store.beginGroup();
    const a = await recordEvent(deps(), findingEvent({ id: 'group-7', instanceId: 'i-group-7' }));
    expect(a.outcome).toBe('opened');
    // As SQLite does on a full disk: the transaction is gone, with what the group wrote.
    store.database.exec('ROLLBACK');
    await expect(recordEvent(deps(), findingEvent({ id: 'group-8', instanceId: 'i-group-8' }))).rejects.toThrow(/rolled back a group/);
    expect(() => store.endGroup()).toThrow(/none of its commits was stored/);
    expect(await reader((s) => s.listIncidents())).toEqual([]);
    // The store goes on with a group of its own.
    store.beginGroup();
    expect((await recordEvent(deps(), findingEvent({ id: 'group-8', instanceId: 'i-group-8' }))).outcome).toBe('opened');
    store.endGroup();
    expect(await verifies()).toBe(true);
  });

  it("releases a group's events, in order, only once it is committed: on its size, its work, its age, the end, or a failure", async () => {
    const released: string[][] = [];
    const seen: number[] = [];
    const groups = new CommitGroups<string>(
      store,
      async (events) => {
        // What is released is durable: another process sees it.
        seen.push((await reader((s) => s.listIncidents())).length);
        released.push(events);
      },
      { events: 2, ms: 60_000, wallMs: 60_000 },
    );
    const ids = ['rel-1', 'rel-2', 'rel-3'];
    await groups.run(async () => {
      for (const id of ids) {
        groups.open();
        await groups.recorded((await recordEvent(deps(), findingEvent({ id, instanceId: `i-${id}` }))).incidentId as string);
      }
    });
    expect(released.map((e) => e.length)).toEqual([2, 1]);
    expect(seen).toEqual([2, 3]);

    // A group that has taken its share of work, or of time, is committed with the event that ends it.
    const aged = new CommitGroups<string>(store, async (events) => void released.push(events), { events: 100, ms: 0, wallMs: 60_000 });
    aged.open();
    await aged.recorded('aged');
    expect(released.at(-1)).toEqual(['aged']);
    const late = new CommitGroups<string>(store, async (events) => void released.push(events), { events: 100, ms: 60_000, wallMs: 0 });
    late.open();
    await late.recorded('late');
    expect(released.at(-1)).toEqual(['late']);

    // A failure: what was recorded before it is committed and released, then the failure is thrown.
    const failing = new CommitGroups<string>(store, async (events) => void released.push(events), { events: 100, ms: 60_000, wallMs: 60_000 });
    await expect(
      failing.run(async () => {
        failing.open();
        await failing.recorded((await recordEvent(deps(), findingEvent({ id: 'rel-4', instanceId: 'i-rel-4' }))).incidentId as string);
        throw new Error('input gone');
      }),
    ).rejects.toThrow('input gone');
    expect(released.at(-1)).toHaveLength(1);
    expect(await reader((s) => s.listIncidents())).toHaveLength(4);
    expect(await verifies()).toBe(true);
  });
});

describe('replay: what a group costs', () => {
  it("reads the process's CPU time once a group, not per event, while the group is young", async () => {
    const { store, cleanup } = tempSqliteStore();
    const cpu = vi.spyOn(process, 'cpuUsage');
    try {
      const released: number[] = [];
      const groups = new CommitGroups<number>(store, async (events) => void released.push(events.length), { events: 5, ms: 60_000, wallMs: 60_000 });
      cpu.mockClear();
      for (let i = 0; i < 5; i++) {
        groups.open();
        await groups.recorded(i);
      }
      expect(released).toEqual([5]);
      expect(cpu.mock.calls.length).toBe(1);
    } finally {
      cpu.mockRestore();
      await cleanup();
    }
  });

  it("reads the process's CPU time once every 16 events, however small the groups (a busy machine made each read cost a tenth of an event's work)", async () => {
    const { store, cleanup } = tempSqliteStore();
    const cpu = vi.spyOn(process, 'cpuUsage');
    try {
      const released: number[] = [];
      const groups = new CommitGroups<number>(store, async (events) => void released.push(events.length), { events: 1, ms: 60_000, wallMs: 60_000 });
      cpu.mockClear();
      for (let i = 0; i < 64; i++) {
        groups.open();
        await groups.recorded(i);
      }
      expect(released).toHaveLength(64);
      expect(cpu.mock.calls.length).toBeLessThanOrEqual(1 + 64 / 16);
    } finally {
      cpu.mockRestore();
      await cleanup();
    }
  });

  /** Keeps the CPU busy for `ms` (a group's work is timed). */
  const work = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy
    }
  };

  it("counts a busy machine's time in CPU: a process given no CPU meanwhile keeps its group open until its wall time", async () => {
    const { store, cleanup } = tempSqliteStore();
    // Other processes have the CPU: this one's CPU time does not move.
    const cpu = vi.spyOn(process, 'cpuUsage').mockReturnValue({ user: 1_000, system: 0 });
    try {
      const released: number[] = [];
      const groups = new CommitGroups<number>(store, async (events) => void released.push(events.length), { events: 100, ms: 1, wallMs: 60_000 });
      for (let i = 0; i < 4; i++) {
        groups.open();
        work(2);
        await groups.recorded(i);
      }
      await groups.flush();
      // Its work is counted in CPU time, not wall time: the group waits for its wall time (or its size).
      expect(released).toEqual([4]);
    } finally {
      cpu.mockRestore();
      await cleanup();
    }
  });
});

describe('replay: checkpoints between groups', () => {
  const deps = (store: SqliteIncidentStore): RecordDeps => ({ store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false, claimQueued: () => true });
  const notifier = { deliver: async () => {} };

  it('copies the log into the store while it records, starts the log over, and loses nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-test-'));
    const file = join(dir, STORE_FILE);
    // A checkpoint every 40 pages of log: a few groups' worth.
    const store = new SqliteIncidentStore(dir, { bulk: true, checkpointPages: 40 });
    try {
      const sizes: { db: number; wal: number }[] = [];
      const groups = new CommitGroups<RecordResult>(
        store,
        async (events) => {
          for (const r of events) await deliverMessages({ store, notifier, now: () => NOW }, r.queued ?? [], r.claimed);
        },
        { events: 3, ms: 60_000, wallMs: 60_000 },
      );
      const ids: string[] = [];
      await groups.run(async () => {
        for (let i = 0; i < 150; i++) {
          groups.open();
          const r = await recordEvent(deps(store), findingEvent({ id: `ckpt-${i}`, instanceId: `i-ckpt-${i}` }));
          ids.push(r.incidentId as string);
          await groups.recorded(r);
          // The checkpoint on the other thread takes its time: give it a moment now and then.
          if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 20));
          sizes.push({ db: statSync(file).size, wal: statSync(`${file}-wal`).size });
        }
      });
      // The store's file grew while recording (pages were copied into it), and the log started
      // over, cut back, rather than grow with every event.
      expect(sizes.at(-1)?.db).toBeGreaterThan(sizes[0].db);
      expect(sizes.some((s, i) => i > 0 && s.wal < sizes[i - 1].wal)).toBe(true);
      // Copied by the checkpoints between groups (the log's frames read from its index, \`walFrames\`),
      // not only by SQLite's own inside a commit at four times the size, which alone also starts the
      // log over: one was begun (its thread made; null had none started, then this thread copies it).
      expect((store as unknown as { checkpointer?: unknown }).checkpointer).toBeDefined();
      await store.close();
      // Nothing lost, nothing altered: another process reads every incident, and the record verifies.
      const reader = new SqliteIncidentStore(dir, { readOnly: true });
      try {
        expect((await reader.listIncidents()).map((i) => i.id).sort()).toEqual([...new Set(ids)].sort());
        expect(verifyOk(await verifyStore(reader, { now: NOW }))).toBe(true);
      } finally {
        await reader.close();
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Whether a process holds a lock on the log index's DMS byte (128: SQLite's "a connection has the
 * index open", sqlite.org/walformat.html): asked from another process (python3's fcntl F_GETLK,
 * which names no lock of the asking process's own), as another replay opening the store asks.
 */
function indexHeldByAnother(file: string): boolean {
  const probe = [
    'import fcntl, os, struct, sys',
    'fd = os.open(sys.argv[1], os.O_RDONLY)',
    "lk = struct.pack('hhqqixxxx', fcntl.F_WRLCK, 0, 128, 1, 0)",
    "print(struct.unpack('hhqqixxxx', fcntl.fcntl(fd, fcntl.F_GETLK, lk))[0] != fcntl.F_UNLCK)",
  ].join('\n');
  const run = spawnSync('python3', ['-c', probe, `${file}-shm`], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 lock probe failed: ${run.stderr}`);
  return run.stdout.trim() === 'True';
}

describe('replay: the log index stays held while the store records', () => {
  it("reading the log's index between groups keeps this process's hold on it, which another process opening the store sees", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-test-'));
    const file = join(dir, STORE_FILE);
    const store = new SqliteIncidentStore(dir, { bulk: true, checkpointPages: 40 });
    try {
      const deps: RecordDeps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false, claimQueued: () => true };
      await recordEvent(deps, findingEvent({ id: 'held-0', instanceId: 'i-held-0' }));
      expect(indexHeldByAnother(file)).toBe(true);
      const groups = new CommitGroups<RecordResult>(store, async () => {}, { events: 1, ms: 60_000, wallMs: 60_000 });
      const read = vi.spyOn(store as unknown as { walPages: () => number }, 'walPages');
      await groups.run(async () => {
        for (let i = 1; i <= 20; i++) {
          groups.open();
          await groups.recorded(await recordEvent(deps, findingEvent({ id: `held-${i}`, instanceId: `i-held-${i}` })));
        }
      });
      // The index was read (every few groups), and this process holds it still: before, each read
      // opened and closed the file, which dropped SQLite's locks, and another replay opening the
      // store took the index for unused and cut it back (SIGBUS here at the next read).
      expect(read).toHaveBeenCalled();
      expect(indexHeldByAnother(file)).toBe(true);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('replay: the log when the store closes', () => {
  it('is checkpointed (synced and copied) at close even while another process has the store open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-test-'));
    const file = join(dir, STORE_FILE);
    const store = new SqliteIncidentStore(dir, { bulk: true });
    // Another process with the store open (\`datalek serve\`): this close is not the last one, so
    // SQLite's own checkpoint at the last close does not run.
    const other = new Database(file);
    other.prepare('SELECT count(*) FROM sqlite_master').get();
    try {
      for (let i = 0; i < 5; i++) {
        await recordEvent(
          { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false, claimQueued: () => true },
          findingEvent({ id: `close-${i}`, instanceId: `i-close-${i}` }),
        );
      }
      await store.close();
      // In bulk commits are synced only by a checkpoint: every frame of the log is copied
      // (nBackfill, byte 96 of the log's index, equals mxFrame, byte 16).
      const index = readFileSync(`${file}-shm`);
      const word = (at: number) => (endianness() === 'LE' ? index.readUInt32LE(at) : index.readUInt32BE(at));
      expect(word(16)).toBeGreaterThan(0);
      expect(word(96)).toBe(word(16));
    } finally {
      other.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('replay: the log read from its index', () => {
  it('counts the frames SQLite says the log holds, and none once it started over in a file of the same size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-test-'));
    const file = join(dir, 'log.sqlite');
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.exec('CREATE TABLE t (x TEXT)');
      const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
      for (let i = 0; i < 30; i++) insert.run('x'.repeat(3000));
      // What SQLite counts in the log: a checkpoint that another reader keeps from starting it over.
      const reader = new Database(file, { readonly: true });
      try {
        reader.exec('BEGIN');
        reader.prepare('SELECT count(*) FROM t').get();
        const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
        expect(log).toBeGreaterThan(30);
        expect(walFrames(file)).toBe(log);
      } finally {
        reader.close();
      }
      db.pragma('wal_checkpoint(PASSIVE)');
      const size = statSync(`${file}-wal`).size;
      insert.run('after');
      // Started over: the frames of one commit, in a file as large as before.
      expect(walFrames(file)).toBeGreaterThan(0);
      expect(walFrames(file)).toBeLessThan(5);
      expect(statSync(`${file}-wal`).size).toBe(size);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(walFrames(file)).toBe(0);
  });
});
