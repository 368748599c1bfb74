/**
 * review15 (attack17) K-anchor-head: the pin of a left-out incident (`seen`, review14 K3) is the newest
 * entry its chain vouches for (readB16 B1). Whoever writes the store flips the stored `hash` column of
 * the incident's NEWEST entry (its data untouched) before an anchor run: the run leaves the incident
 * out and pins the entry below it, so what the newest entry says (the FG's facts) is pinned by nothing.
 * Days later they rewrite that entry's data (rechained, so the chain verifies again): the next run signs
 * the rewritten fact as the incident's history and `verify --digests` is clean. The anchor READ the
 * entry's content; only its stored hash was off, and the hash the content computes to was pinnable.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { pemVerifier } from '../../handlers/adapters/local/pem-keys.js';
import { canonicalJson } from '../../handlers/core/hash.js';
import { entryHash } from '../../handlers/core/incident.js';
import { chainHash } from '../../handlers/core/ledger.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { flipped, storeAt } from '../support/sqlite-anchor.js';
import { tempSqliteStore } from '../support/store.js';
import { rechainSqlite } from '../support/tamper.js';

const NOW = '2026-11-28T03:00:00.000Z';
let world = tempSqliteStore();
afterEach(async () => {
  await world.cleanup();
  world = tempSqliteStore();
});

it("the newest entry's content read while its stored hash was flipped is not signed rewritten later", async () => {
  const { dir } = world;
  const { keys, digests, process, anchor, open, facts } = storeAt(dir, NOW);
  const a = await open('k-head-flip-1');
  expect((await anchor()).written?.incidents.map(([id]) => id)).toEqual([a]);

  // The FG records the facts; before the next run the attacker flips the new head's stored hash only.
  await facts(a);
  const db = new Database(join(dir, 'datalek.sqlite'));
  const head = db.prepare('SELECT seq, hash FROM ledger WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(a) as { seq: number; hash: string };
  db.prepare('UPDATE ledger SET hash = ? WHERE incident_id = ? AND seq = ?').run(flipped(head.hash), a, head.seq);
  const run = await anchor();
  expect(run.leftOut, 'A left out, loud').toEqual([a]);

  // Later: the facts entry rewritten (record, timeline and ledger rechained: the flip is gone with it).
  // Its timeline entry too, since verify holds the record's facts to the entries that set them.
  const timelineHead = rewriteFactsEntrySqlite(db, a, 'no personal data involved');
  rechainSqlite(db, a, (record) => {
    (record.facts as Record<string, unknown>).summary = 'no personal data involved';
    (record.timelineHead as { hash: string }).hash = timelineHead;
  });
  db.close();
  expect(await process(async (store) => (await verifyStore(store, { now: NOW })).problems), 'premise: A verifies in full').toEqual([]);

  // Expected: the anchor saw the facts entry's content at that seq; a different content there is a rewrite.
  const after = await anchor();
  expect(after.written?.incidents.map(([id]) => id) ?? [], 'the rewritten facts are not signed').not.toContain(a);
  const verified = await process((store) => verifyStore(store, { digests: { store: digests, verifier: pemVerifier(keys.public) }, now: NOW }));
  expect(verified.digests?.problems ?? [], 'verify --digests names the rewrite').not.toEqual([]);
});

/**
 * The newest facts-recorded entry's summary rewritten as one who knows the hash functions would: the
 * timeline chained again from it, and each ledger entry's timeline head made the rewritten chain's
 * (rechainSqlite then chains the ledger again). Returns the timeline's new head hash, which the record holds.
 */
function rewriteFactsEntrySqlite(db: Database.Database, incidentId: string, summary: string): string {
  const rows = db.prepare('SELECT * FROM timeline WHERE incident_id = ? ORDER BY seq').all(incidentId) as TimelineRow[];
  const from = rows.findLastIndex((r) => r.kind === 'facts-recorded');
  expect(from, 'premise: a facts entry').toBeGreaterThanOrEqual(0);
  const renamed = new Map<string, string>();
  const update = db.prepare('UPDATE timeline SET detail = ?, prev_hash = ?, hash = ? WHERE incident_id = ? AND seq = ?');
  for (let i = from; i < rows.length; i++) {
    const r = rows[i];
    const detail = JSON.parse(r.detail) as Record<string, unknown>;
    if (i === from) detail.summary = summary;
    const prevHash = i === 0 ? r.prev_hash : rows[i - 1].hash;
    const hash = entryHash({ incidentId, seq: r.seq, at: r.at, kind: r.kind, actor: r.actor, detail, prevHash } as Parameters<typeof entryHash>[0]);
    renamed.set(r.hash, hash);
    update.run(JSON.stringify(detail), prevHash, hash, incidentId, r.seq);
    rows[i] = { ...r, detail: JSON.stringify(detail), prev_hash: prevHash, hash };
  }
  const ledger = db.prepare('SELECT seq, data, prev_hash, hash FROM ledger WHERE incident_id = ? ORDER BY seq').all(incidentId) as {
    seq: number;
    data: string;
    prev_hash: string;
    hash: string;
  }[];
  const put = db.prepare('UPDATE ledger SET data = ?, prev_hash = ?, hash = ? WHERE incident_id = ? AND seq = ?');
  let changed = false;
  for (let i = 0; i < ledger.length; i++) {
    const l = ledger[i];
    const body = JSON.parse(l.data) as { timeline?: { hash: string } };
    const now = body.timeline && renamed.get(body.timeline.hash);
    if (now && body.timeline) body.timeline.hash = now;
    changed ||= Boolean(now);
    if (!changed) continue;
    const data = now ? canonicalJson(body) : l.data;
    const prevHash = i === 0 ? l.prev_hash : ledger[i - 1].hash;
    ledger[i] = { ...l, data, prev_hash: prevHash, hash: chainHash(prevHash, data) };
    put.run(data, prevHash, ledger[i].hash, incidentId, l.seq);
  }
  return rows[rows.length - 1].hash;
}

interface TimelineRow {
  seq: number;
  at: string;
  kind: string;
  actor: string;
  detail: string;
  prev_hash: string;
  hash: string;
}
