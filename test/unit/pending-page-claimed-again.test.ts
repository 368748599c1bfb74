/**
 * review12 K5: a page held back for as long as someone keeps claiming it. Whoever can write the store
 * (the SQLite file here; DynamoDB's `claimedUntil` alike) sets a pending message's claim to a few
 * minutes ahead, again before each runs out: every sender skips a message another holds
 * (deliver.ts `deliverMessages`: not claimed, not tried, not reported), and `verify` judges a claim
 * by its time alone (audit.ts `auditClaims`: within a lease plus skew of now is fine). The on-call
 * page of a new incident is not sent for an hour, and nothing says so: not the sweep's report (its
 * failures fail the sweep function, which alarms), not verify, not the anchor. Now a message still
 * pending three leases after it was queued, held by another's claim, is a failure of the sweep's
 * delivery (so the sweep function fails, and its errors alarm pages), and verify names it.
 * read14b B6: the message's createdAt, moved in the same write as the claim, hid it from the sweep;
 * the time the incident's ledger says it was queued now counts too.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { deliverPending } from '../../handlers/core/deliver.js';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const T = (m: number) => new Date(Date.parse('2026-11-28T03:00:00.000Z') + m * 60_000).toISOString();
let store: SqliteIncidentStore;
let dir: string;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, dir, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

/** Every unsent message claimed until `until`, as whoever can write the file would; with `queued`, its createdAt (column and bytes) moved there in the same write. */
function claimAgain(until: string, queued?: string): void {
  const db = new Database(join(dir, STORE_FILE));
  if (queued)
    db.prepare("UPDATE outbox SET claimed_until = ?, created_at = ?, data = json_set(data, '$.createdAt', ?) WHERE sent_at IS NULL").run(until, queued, queued);
  else db.prepare('UPDATE outbox SET claimed_until = ? WHERE sent_at IS NULL').run(until);
  db.close();
}

it('a page kept claimed by someone else for an hour is named by the sweep and by verify', async () => {
  const result = await recordEvent({ store, policy: DEFAULT_POLICY, now: () => T(0), canEnforce: false }, findingEvent({ id: 'claimed-again' }));
  const page = (result.queued ?? []).find((m) => m.channel === 'on-call') as OutboxMessage;
  expect(page).toBeDefined();
  const sent: string[] = [];
  // Every 4 minutes for an hour: claimed again 4 minutes ahead; the sweep (every 5 minutes) delivers what waits.
  let report: Awaited<ReturnType<typeof deliverPending>> | undefined;
  for (let m = 0; m <= 60; m += 4) {
    claimAgain(T(m + 4));
    report = await deliverPending({ store, notifier: { deliver: async (msg) => void sent.push(msg.id) }, now: () => T(m + 1) }, { queuedBefore: T(m + 1 - 5) });
  }
  expect(sent).not.toContain(page.id); // never sent in the hour
  const failed = (report?.failed ?? []).find((f) => f.message.id === page.id);
  expect(failed?.error).toMatch(/^not sent 61 minutes after it was queued: another sender holds its claim/);
  const verified = await verifyStore(store, { now: T(61) });
  expect(verified.problems.find((p) => p.entry === `message ${page.id}`)?.problem).toMatch(
    /^is not sent 61 minutes after it was queued, and is claimed until .*: no sender holds a message longer than a lease/,
  );
});

it('a message held by its sender within its first leases is no failure, in the sweep or in verify', async () => {
  const result = await recordEvent({ store, policy: DEFAULT_POLICY, now: () => T(0), canEnforce: false }, findingEvent({ id: 'claimed-once' }));
  const ids = (result.queued ?? []).map((m) => m.id);
  expect(ids.length).toBeGreaterThan(0);
  // Another sender holds them now, ten minutes after they were queued: within two leases, as a slow sender may.
  expect(await store.claimMessages(ids, T(10), T(15))).toEqual(ids);
  const report = await deliverPending({ store, notifier: { deliver: async () => {} }, now: () => T(11) });
  expect(report.failed).toEqual([]);
  expect((await verifyStore(store, { now: T(11) })).problems).toEqual([]);
});

it('a page kept claimed for an hour, its createdAt moved along with the claim, fails the sweep (read14b B6)', async () => {
  // The stated clock is the machine's (as on AWS): the ledger's entries are written at the machine's time.
  const start = Date.now();
  const at = (m: number) => new Date(start + m * 60_000).toISOString();
  const result = await recordEvent({ store, policy: DEFAULT_POLICY, now: () => at(0), canEnforce: false }, findingEvent({ id: 'claimed-moved' }));
  const page = (result.queued ?? []).find((m) => m.channel === 'on-call') as OutboxMessage;
  expect(page).toBeDefined();
  const sent: string[] = [];
  const failures: string[] = [];
  for (let m = 0; m <= 60; m += 4) {
    // The queueing time moved six minutes before the next sweep each time.
    claimAgain(at(m + 4), at(m + 1 - 6));
    const report = await deliverPending(
      { store, notifier: { deliver: async (msg) => void sent.push(msg.id) }, now: () => at(m + 1) },
      { queuedBefore: at(m + 1 - 5) },
    );
    failures.push(...report.failed.filter((f) => f.message.id === page.id).map((f) => f.error));
  }
  expect(sent).not.toContain(page.id); // never sent in the hour
  expect(failures, 'the sweep never reported the held page: its report was clean for an hour').not.toEqual([]);
  expect(failures[0]).toMatch(/another sender holds its claim/);
});

it('a page whose delivery keeps failing, held by the retrying sweep when verify runs: named as that too, not as tampering alone', async () => {
  const result = await recordEvent({ store, policy: DEFAULT_POLICY, now: () => T(0), canEnforce: false }, findingEvent({ id: 'failing-page' }));
  const page = (result.queued ?? []).find((m) => m.channel === 'on-call') as OutboxMessage;
  const failing = (verify?: (id: string) => Promise<void>) => ({
    deliver: async (msg: OutboxMessage) => {
      if (verify && msg.id === page.id) await verify(msg.id);
      throw new Error('the topic is unreachable');
    },
  });
  // The sweep every 5 minutes: each tries the page, fails, and gives its claim back.
  for (const m of [1, 6, 11, 16]) await deliverPending({ store, notifier: failing(), now: () => T(m) });
  // 21 minutes on, verify runs while the sweep holds the page's claim for its try.
  let problem: string | undefined;
  await deliverPending({
    store,
    notifier: failing(async (id) => {
      problem = (await verifyStore(store, { now: T(21) })).problems.find((p) => p.entry === `message ${id}`)?.problem;
    }),
    now: () => T(21),
  });
  // Still a problem (verify exits 1, as it should: the page is not out after 21 minutes), but said as what it may be.
  expect(problem).toMatch(/^is not sent 21 minutes after it was queued, and is claimed until /);
  expect(problem).toContain('its delivery keeps failing');
  expect(problem).toContain('or its claim is renewed behind the pipeline');
});
