/**
 * review14 K3: an incident left out of the digests (it does not verify) had what it recorded meanwhile
 * pinned by nothing. Whoever can write the store broke one OLD ledger entry of A (a byte: A left out,
 * loud; commits on A still go through), let the FG's facts be recorded, rewrote that never-signed tail
 * (rechained) and put the byte back: the next run signed the rewritten history and `verify --digests`
 * was clean. Now each digest carries a left-out incident's head as read (`seen`, signed, not vouched
 * for), and A is anchored again only when its ledger still holds it.
 * (Each step opens the store afresh, as each `datalek anchor` / `verify` process does.)
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { DigestFolder } from '../../handlers/adapters/local/digest-folder.js';
import { pemSigner, pemVerifier } from '../../handlers/adapters/local/pem-keys.js';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { anchorStore } from '../../handlers/core/anchor.js';
import { recordFacts } from '../../handlers/core/fg-workflow.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';
import { digestKeys, rechainSqlite } from '../support/tamper.js';

const NOW = '2026-11-28T03:00:00.000Z';
const world = tempSqliteStore();
afterEach(async () => world.cleanup());

it("an incident's history written while it was left out is not signed as rewritten once the tamper is put back", async () => {
  const { dir } = world;
  const keys = digestKeys(dir);
  const digests = new DigestFolder(join(dir, 'digests'));
  /** One process: the store opened, `act` on it, closed. */
  const process = async <T>(act: (store: SqliteIncidentStore) => Promise<T>): Promise<T> => {
    const store = new SqliteIncidentStore(dir);
    try {
      return await act(store);
    } finally {
      await store.close();
    }
  };
  const anchor = () => process((store) => anchorStore({ source: store, signer: pemSigner(keys.private), digests, now: () => NOW }));
  const deps = (store: SqliteIncidentStore) => ({ store, policy: DEFAULT_POLICY, now: () => NOW });

  const a = (await process(
    async (store) =>
      (
        await recordEvent(
          { ...deps(store), canEnforce: false },
          findingEvent({ id: 'k4-left-out-1', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-k4leftout01' }),
        )
      ).incidentId,
  )) as string;
  expect((await anchor()).written?.incidents.map(([id]) => id)).toEqual([a]);

  // 1. One byte of A's FIRST ledger entry: A does not verify, is left out, loud; its head is untouched.
  const db = new Database(join(dir, 'datalek.sqlite'));
  const first = db.prepare('SELECT data FROM ledger WHERE incident_id = ? AND seq = 1').get(a) as { data: string };
  const broken = first.data.replace('"at":"', '"at":" ');
  expect(db.prepare('UPDATE ledger SET data = ? WHERE incident_id = ? AND seq = 1').run(broken, a).changes).toBe(1);

  // 2. The FG records the facts meanwhile (commits on A go through); the anchor leaves A out.
  await process((store) => recordFacts(deps(store), { incidentId: a, by: 'FG', summary: 'customer records of 1,200 people read' }));
  expect((await anchor()).leftOut, 'A left out, loud').toEqual([a]);

  // 3. The never-signed tail rewritten (record and ledger rechained), the old byte put back.
  rechainSqlite(db, a, (record) => {
    (record.facts as Record<string, unknown>).summary = 'no personal data involved';
  });
  expect(db.prepare('UPDATE ledger SET data = ? WHERE incident_id = ? AND seq = 1').run(first.data, a).changes).toBe(1);
  db.close();
  expect(await process(async (store) => (await verifyStore(store, { now: NOW })).problems), 'premise: A verifies in full again').toEqual([]);
  expect(await process(async (store) => (await store.getIncident(a))?.facts?.summary)).toBe('no personal data involved');

  // 4. Not signed: the run leaves A out against the head digest 2 saw, and verify --digests names A.
  const after = await anchor();
  expect(after.leftOut).toEqual([a]);
  expect(after.problems.map((p) => p.problem)).toContainEqual(
    expect.stringMatching(/^differs from the head the last digest saw while the incident did not verify/),
  );
  expect(after.written?.incidents.map(([id]) => id) ?? []).not.toContain(a);
  const verified = await process((store) => verifyStore(store, { digests: { store: digests, verifier: pemVerifier(keys.public) }, now: NOW }));
  expect(verified.digests?.problems.map((p) => `${p.incidentId} ${p.problem}`)).toContainEqual(
    expect.stringMatching(new RegExp(`^${a} ledger entry \\d+ differs from what digest 2 .* saw while the incident did not verify`)),
  );
});
