/**
 * What replay's groups of commits (`CommitGroups`, the store in bulk) must keep whatever is done to
 * make them cheaper (issue #14): a finding redelivered in a later group is a duplicate that writes
 * nothing and sends nothing again, and a replay of new findings, attached ones, updates, duplicates
 * and stale versions, each group's messages sent and their sendings written with the next group,
 * leaves a record that verifies, every finding stored and every message sent once. (A replay killed
 * with a group under way: replay-crash.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { CommitGroups } from '../../handlers/cli/commands/replay.js';
import { deliverMessages, deliverPending } from '../../handlers/core/deliver.js';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { type RecordDeps, type RecordResult, recordEventText } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';

const NOW = '2026-11-28T03:00:00.000Z';

describe('replay in groups of commits: what every group keeps', () => {
  let dir: string;
  let store: SqliteIncidentStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-groups-'));
    // As `datalek replay` opens it.
    store = new SqliteIncidentStore(dir, { bulk: true });
    store.deferSentMarks(5);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Records `texts` in groups of `perGroup` events, sending each group's messages once it is committed; returns each event's result and what was sent. */
  async function replayInGroups(texts: string[], perGroup: number) {
    const deps: RecordDeps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false, claimQueued: () => true };
    const sent: OutboxMessage[] = [];
    const notifier = { deliver: async (m: OutboxMessage) => void sent.push(m) };
    const results: RecordResult[] = [];
    const groupsOf: number[] = [];
    const groups = new CommitGroups<RecordResult>(
      store,
      async (done) => {
        groupsOf.push(done.length);
        for (const r of done) await deliverMessages({ store, notifier, now: deps.now }, r.queued ?? [], r.claimed);
      },
      // Groups end by their number of events only, never by time: each test knows where each group ends.
      { events: perGroup, ms: Number.POSITIVE_INFINITY, wallMs: Number.POSITIVE_INFINITY },
    );
    await groups.run(async () => {
      for (const text of texts) {
        groups.open();
        const r = await recordEventText(deps, text);
        results.push(r);
        await groups.recorded(r);
      }
    });
    await deliverPending({ store, notifier, now: deps.now });
    return { results, sent, groupsOf };
  }

  /** A fresh read of the store, as another process (`datalek verify`) makes it. */
  async function reader<T>(read: (s: SqliteIncidentStore) => Promise<T>): Promise<T> {
    const s = new SqliteIncidentStore(dir, { readOnly: true });
    try {
      return await read(s);
    } finally {
      await s.close();
    }
  }

  it('a finding redelivered in a later group is a duplicate: nothing written for it, nothing sent again, and the record verifies', async () => {
    const a = JSON.stringify(findingEvent({ id: 'dup-a', instanceId: 'i-dup-a' }));
    const b = JSON.stringify(findingEvent({ id: 'dup-b', instanceId: 'i-dup-b' }));
    const c = JSON.stringify(findingEvent({ id: 'dup-c', instanceId: 'i-dup-c' }));
    // Groups of two: [a, b], [a again, c], [a again]; the second group's first commit carries the first group's sendings.
    const { results, sent, groupsOf } = await replayInGroups([a, b, a, c, a], 2);
    expect(groupsOf).toEqual([2, 2, 1]);
    expect(results.map((r) => r.outcome)).toEqual(['opened', 'opened', 'duplicate', 'opened', 'duplicate']);
    const incidentA = results[0].incidentId as string;
    expect(results[2].incidentId).toBe(incidentA);
    expect(results[4].incidentId).toBe(incidentA);
    for (const dup of [results[2], results[4]]) {
      expect(dup.messages).toEqual([]);
      expect(dup.revision).toBeNull();
    }
    // A's opening messages went out once each, not again for its redeliveries.
    const toA = sent.filter((m) => m.incidentId === incidentA).map((m) => m.id);
    expect(toA).toHaveLength(2);
    expect(new Set(toA).size).toBe(2);
    const raw = await reader((s) => s.rawIncident(incidentA));
    // Its record as its first commit wrote it; its ledger: that commit, then its sendings, nothing for the duplicates.
    expect(raw.record && (JSON.parse(raw.record.data) as { revision: number; findings: number })).toMatchObject({ revision: 1, findings: 1 });
    expect(raw.ledger.map((e) => Object.keys(JSON.parse(e.data) as object).filter((k) => k === 'incident' || k === 'sentMessages' || k === 'sent'))).toEqual([
      ['incident'],
      ['sentMessages'],
    ]);
    expect(raw.timeline.map((e) => e.kind)).not.toContain('finding-updated');
    expect(raw.messages.map((m) => m.sentAt)).toEqual([NOW, NOW]);
    expect(await reader(async (s) => verifyOk(await verifyStore(s, { now: NOW })))).toBe(true);
  });

  it('new, attached, updated, duplicate and stale findings in groups of three: every finding stored, every message sent once, and the record verifies', async () => {
    const texts: string[] = [];
    const expected: string[] = [];
    const at = (minutes: number) => new Date(Date.parse('2026-11-27T21:00:00Z') + minutes * 60_000).toISOString();
    for (let i = 0; i < 8; i++) {
      // A new incident, a finding attached to it (its instance), then a newer version of the first finding.
      texts.push(JSON.stringify(findingEvent({ id: `mix-${i}`, instanceId: `i-mix-${i}`, count: 1 })));
      texts.push(JSON.stringify(findingEvent({ id: `mix-${i}-att`, instanceId: `i-mix-${i}`, severity: 5 })));
      const newer = JSON.stringify(findingEvent({ id: `mix-${i}`, instanceId: `i-mix-${i}`, count: 2, updatedAt: at(2) }));
      texts.push(newer);
      expected.push('opened', 'attached', 'updated');
      // Every other round: the newer version again (a duplicate, maybe in another group), then the first version late (stale).
      if (i % 2 === 0) {
        texts.push(newer, JSON.stringify(findingEvent({ id: `mix-${i}`, instanceId: `i-mix-${i}`, count: 1 })));
        expected.push('duplicate', 'stale');
      }
    }
    const { results, sent } = await replayInGroups(texts, 3);
    expect(results.map((r) => r.outcome)).toEqual(expected);
    // Every message any event queued was sent, once.
    const queued = results.flatMap((r) => r.messages);
    expect(sent.map((m) => m.id).sort()).toEqual([...new Set(queued)].sort());
    await reader(async (s) => {
      expect(await s.pendingMessages()).toEqual([]);
      for (let i = 0; i < 8; i++) {
        const finding = await s.getFinding({ accountId: '111122223333', region: 'eu-west-1', findingId: `mix-${i}` });
        expect(finding?.version.count, `mix-${i}`).toBe(2);
        expect(await s.getFinding({ accountId: '111122223333', region: 'eu-west-1', findingId: `mix-${i}-att` }), `mix-${i}-att`).toBeDefined();
      }
      expect(await s.listIncidents()).toHaveLength(8);
      expect(verifyOk(await verifyStore(s, { now: NOW }))).toBe(true);
    });
  });
});
