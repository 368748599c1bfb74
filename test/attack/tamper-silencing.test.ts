/**
 * Two edits to the embedded store that silence pages without touching a row the ledger covers,
 * which `datalek verify` passed (exit 0) before the fix:
 * - a pending page's claim lease set far into the future: no sender may claim it, so it is never
 *   sent, and no row the ledger hashes changed;
 * - a drill mark written into the real store's `meta` table: every message is then marked
 *   [DRILL], no pager is paged, and any `--now` is accepted (a sweep at 9999 silences everything).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

const NOW = '2026-11-20T21:05:00Z';
// PagerDuty unreachable (nothing listens on port 9): the on-call page stays pending.
const ENV = { DATALEK_PAGER_ROUTING_KEY: 'R0UT1NGKEY0123456789abcdefABCDEF' };

describe('silencing the embedded store behind the ledger', () => {
  let dir: string;
  let store: string;
  let policy: string;
  let id: string;
  const db = () => new Database(join(store, 'datalek.sqlite'));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-silence-'));
    store = join(dir, 'store');
    policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ onCall: { provider: 'pagerduty', providerUrl: 'http://127.0.0.1:9' } }));
    const file = join(dir, 'event.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'silence', severity: 8.5, createdAt: '2026-11-20T21:00:00Z' })));
    const out = await runCli(['replay', file, '--store', store, '--policy', policy, '--now', NOW, '--json'], ENV);
    id = JSON.parse(out.stdout.trim()).incidentId;
    expect((await runCli(['verify', '--store', store])).code).toBe(0);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a pending page claimed until 9999 is named by verify (exit 1): nobody could ever send it', async () => {
    const d = db();
    const changed = d.prepare("UPDATE outbox SET claimed_until = '9999-12-31T00:00:00.000Z' WHERE sent_at IS NULL").run().changes;
    d.close();
    expect(changed).toBe(1);
    const out = await runCli(['verify', '--store', store]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`incident ${id}`);
    expect(out.stderr).toMatch(/message dl-[0-9a-f]{32}\/on-call\/opened.*claimed until 9999-12-31T00:00:00\.000Z/);
    const json = JSON.parse((await runCli(['verify', '--store', store, '--json'])).stdout);
    expect(json.ok).toBe(false);
    expect(json.breaks).toEqual([expect.objectContaining({ incidentId: id, entry: `message ${id}/on-call/opened` })]);
  });

  it('a claim a sender holds now (at most the lease) on a page queued moments ago is no alarm; on a page queued days ago it is named (review12 K5)', async () => {
    // This store's page was queued at NOW, days before the real clock verify judges claims by.
    const hold = (where: string) => {
      const d = new Database(join(where, 'datalek.sqlite'));
      d.prepare('UPDATE outbox SET claimed_until = ? WHERE sent_at IS NULL').run(new Date(Date.now() + 4 * 60_000).toISOString());
      d.close();
    };
    hold(store);
    const old = await runCli(['verify', '--store', store]);
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(/message dl-[0-9a-f]{32}\/on-call\/opened: is not sent \d+ minutes after it was queued, and is claimed until/);

    const fresh = join(dir, 'fresh');
    const file = join(dir, 'fresh-event.json');
    const justNow = new Date(Date.now() - 60_000).toISOString();
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'silence-fresh', severity: 8.5, createdAt: justNow })));
    expect((await runCli(['replay', file, '--store', fresh, '--policy', policy, '--now', justNow, '--json'], ENV)).code).not.toBe(2);
    hold(fresh);
    expect((await runCli(['verify', '--store', fresh])).code).toBe(0);
  });

  it('a drill mark written into the real store is named by verify (exit 1): it would mark every page a drill', async () => {
    const d = db();
    d.prepare("INSERT INTO meta (key, value) VALUES ('drill', ?)").run(JSON.stringify({ from: '/elsewhere', at: '2026-01-01T00:00:00Z' }));
    d.close();
    const out = await runCli(['verify', '--store', store]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/marked as a drill copy of \/elsewhere/);
    const json = JSON.parse((await runCli(['verify', '--store', store, '--json'])).stdout);
    expect(json.ok).toBe(false);
    expect(json.store.join('\n')).toMatch(/drill copy/);
  });
});
