/**
 * B2 in full (closing note's "Still left"): K1 holds the incident record a commit writes over to the
 * hash its ledger recorded; the finding record it writes over was held to nothing. Someone with
 * write access to the SQLite file edits a finding record (its evidence: here the domain the
 * instance called), no hash recomputed: verify names the edit only until GuardDuty's next version of
 * the finding is recorded, whose commit wrote over it and hashed only the new bytes; the edit was
 * gone from the store and the ledger never knew it. `c2635b2` refused only an edit saying
 * "minimised", and not on a finding reached through a merge. Every finding record a commit writes
 * over is now held to the hash the ledger last recorded for it: the commit is refused (stuck, not
 * tried again), naming `datalek verify ID`, and verify keeps naming the edit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { describeProblem } from '../../handlers/core/audit.js';
import { canonicalJson, sha256 } from '../../handlers/core/hash.js';
import { chainHash } from '../../handlers/core/ledger.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { ACCOUNT, findingEvent, REGION } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';
import type { LedgerRow } from '../support/tamper.js';

const NOW = '2026-11-28T03:00:00.000Z';
let temp: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  temp = tempSqliteStore();
});
afterEach(async () => temp.cleanup());

const depsOf = (store: typeof temp.store) => {
  const tries = { again: 0 };
  return { tries, deps: { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false, conflictRetry: { again: async () => ++tries.again < 10 } } };
};

/** Write access to the file: one finding record's bytes changed, nothing recomputed. */
function editFinding(findingId: string, sql: string): void {
  const db = new Database(join(temp.dir, STORE_FILE));
  expect(db.prepare(`UPDATE findings SET data = ${sql} WHERE finding_id = ?`).run(findingId).changes).toBe(1);
  db.close();
}

it('a finding record edited behind the pipeline is not written over by its next version: refused, naming verify', async () => {
  const { store } = temp;
  const { deps, tries } = depsOf(store);
  const first = { id: 'b2'.repeat(16), createdAt: '2026-11-28T01:00:00.000Z' };
  const incidentId = (await recordEvent(deps, findingEvent(first))).incidentId as string;
  editFinding(first.id, `json_set(data, '$.detail.service.action.dnsRequestAction.domain', 'harmless.example')`);
  expect((await verifyStore(store, { now: NOW })).problems.map((p) => p.entry)).toContain(`finding ${ACCOUNT}/${REGION}/${first.id}`);

  await expect(recordEvent(deps, findingEvent({ ...first, updatedAt: '2026-11-28T02:30:00.000Z', count: 2 }))).rejects.toThrow(
    new RegExp(`the stored record of finding .*${first.id} is not the one the ledger recorded last.*datalek verify ${incidentId}`),
  );
  expect(tries.again, 'stuck, not tried again as a race').toBe(0);
  const record = await store.getFinding({ accountId: ACCOUNT, region: REGION, findingId: first.id });
  expect(record?.version.count, 'the edited record was not written over').toBe(1);
  expect(
    (await verifyStore(store, { now: NOW })).problems.map((p) => p.entry),
    'verify still names the edit',
  ).toContain(`finding ${ACCOUNT}/${REGION}/${first.id}`);
});

it('an honest store writes each next version on, from a fresh process too, and verifies', async () => {
  const { store } = temp;
  const { deps } = depsOf(store);
  const first = { id: 'b3'.repeat(16), createdAt: '2026-11-28T01:00:00.000Z' };
  await recordEvent(deps, findingEvent(first));
  await recordEvent(deps, findingEvent({ ...first, updatedAt: '2026-11-28T02:00:00.000Z', count: 2 }));
  // Another process: knows nothing this one wrote.
  const again = new SqliteIncidentStore(temp.dir);
  try {
    expect((await recordEvent(depsOf(again).deps, findingEvent({ ...first, updatedAt: '2026-11-28T02:30:00.000Z', count: 3 }))).outcome).toBe('updated');
    expect((await verifyStore(again, { now: NOW })).problems).toEqual([]);
  } finally {
    await again.close();
  }
});

const ev = (name: string) => JSON.parse(readFileSync(join('events', `${name}.json`), 'utf8'));

it('a finding reached through a merge, its record edited to say minimised, is refused too (c2635b2 missed it)', async () => {
  const { store } = temp;
  const { deps, tries } = depsOf(store);
  const keyEvent = ev('07-iam-long-term-access-key-anomalous-fractional-severity-7.2');
  const merged = (await recordEvent(deps, keyEvent)).incidentId as string;
  await recordEvent(deps, ev('08-s3-bucket-made-public-anonymous-access'));
  const survivor = (await recordEvent(deps, ev('28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents'))).incidentId as string;
  expect((await store.getIncident(merged))?.mergedInto).toBe(survivor);
  const findingId = keyEvent.detail.id as string;
  editFinding(findingId, `json_set(data, '$.minimised', json('{"at":"2026-11-28T02:00:00.000Z","by":"FG","from":"x","removed":[]}'))`);

  const next = structuredClone(keyEvent);
  next.detail.updatedAt = '2026-11-28T02:30:00.000Z';
  next.detail.service.count = 2;
  await expect(recordEvent(deps, next)).rejects.toThrow(/is not the one the ledger recorded last/);
  expect(tries.again).toBe(0);
  const record = await store.getFinding({ accountId: keyEvent.detail.accountId, region: keyEvent.detail.region, findingId });
  expect(record?.version.count, 'not written over, minimised on the edit’s word').toBe(1);
});

it('verify names an entry that wrote over a merged finding with bytes its ledger did not write last (an entry DynamoDB wrote before readC15 C1)', async () => {
  const { store } = temp;
  const { deps } = depsOf(store);
  const keyEvent = ev('07-iam-long-term-access-key-anomalous-fractional-severity-7.2');
  const merged = (await recordEvent(deps, keyEvent)).incidentId as string;
  await recordEvent(deps, ev('08-s3-bucket-made-public-anonymous-access'));
  const survivor = (await recordEvent(deps, ev('28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents'))).incidentId as string;
  const key = `${keyEvent.detail.accountId}/${keyEvent.detail.region}/${keyEvent.detail.id}`;
  const ledgered = await store.lastFindingWrite(merged, key);
  const next = structuredClone(keyEvent);
  next.detail.updatedAt = '2026-11-28T02:30:00.000Z';
  next.detail.service.count = 2;
  expect((await recordEvent(deps, next)).incidentId).toBe(survivor);

  // The survivor's entry that wrote the next version says what it wrote over, as DynamoDB's does
  // (SQLite's says nothing: it refuses first); the rest of its ledger chained again.
  const replacing = (replaced: string) => {
    const db = new Database(join(temp.dir, STORE_FILE));
    const rows = db.prepare('SELECT seq, data, prev_hash AS prevHash, hash FROM ledger WHERE incident_id = ? ORDER BY seq').all(survivor) as LedgerRow[];
    const at = rows.findLastIndex((r) => (JSON.parse(r.data) as { finding?: { key: string } }).finding?.key === key);
    expect(at).toBeGreaterThan(0);
    const update = db.prepare('UPDATE ledger SET data = ?, prev_hash = ?, hash = ? WHERE incident_id = ? AND seq = ?');
    for (let i = at; i < rows.length; i++) {
      const body = JSON.parse(rows[i].data) as { finding?: { replaced?: string } };
      if (i === at && body.finding) body.finding.replaced = replaced;
      rows[i].data = canonicalJson(body);
      rows[i].prevHash = rows[i - 1].hash;
      rows[i].hash = chainHash(rows[i].prevHash, rows[i].data);
      update.run(rows[i].data, rows[i].prevHash, rows[i].hash, survivor, rows[i].seq);
    }
    db.close();
  };
  replacing(ledgered as string);
  expect((await verifyStore(store, { now: NOW })).problems, 'wrote over what the merged ledger wrote last').toEqual([]);
  replacing(sha256('the record edited, its recordHash recomputed'));
  expect((await verifyStore(store, { now: NOW })).problems.map(describeProblem)).toContainEqual(
    expect.stringMatching(
      new RegExp(`wrote over a record of finding ${key} that is not the one incident ${merged}'s ledger recorded last: the finding \\(evidence\\) was edited`),
    ),
  );
});
