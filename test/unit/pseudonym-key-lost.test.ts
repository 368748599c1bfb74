/**
 * fgpseud17 item 2 (fed16's closing note, FG): a principal named by a person's name is kept by a
 * pseudonym keyed with a secret the store keeps. A store that lost the secret (a restore without the
 * meta row, an item deleted) made a new one on the next such finding, and the principal's next
 * finding opened a second incident beside the one open on it, and `verify` said all was well: the
 * split was silent. Now verify recomputes each principal's pseudonym from the finding records under
 * the secret the store keeps, and names an incident recorded with another one, or a store that
 * keeps none while incidents name principals by pseudonyms.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { actionEntries } from '../../handlers/core/commit-bounds.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import { newPseudonymKey } from '../../handlers/core/finding-resources.js';
import { appendEntries, type Incident } from '../../handlers/core/incident.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { runCli } from '../support/cli.js';
import { ACCOUNT, findingEvent } from '../support/events.js';
import { PLANS_NOTHING, stepsTodayPlans } from '../support/old-record.js';
import { tempSqliteStore } from '../support/store.js';

const PRINCIPAL = `${ACCOUNT}:j.jansen`;

/** A federated user's console sign-in, and an IAM user's named by its user name alone. */
const logins = {
  federated: (id: string) =>
    findingEvent({
      id,
      type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
      resource: { resourceType: 'AccessKey', accessKeyDetails: { principalId: PRINCIPAL, userType: 'FederatedUser', userName: 'j.jansen' } },
    } as never),
  'IAM user': (id: string) =>
    findingEvent({
      id,
      type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
      resource: { resourceType: 'AccessKey', accessKeyDetails: { userType: 'IAMUser', userName: 'jan.jansen@example.nl' } },
    } as never),
};

/** Changes the store's meta row behind datalek's back, as a restore without it or a hand would. */
function editSecret(dir: string, sql: string, ...args: string[]): void {
  const db = new Database(join(dir, STORE_FILE));
  try {
    db.prepare(sql).run(...args);
  } finally {
    db.close();
  }
}

describe('fgpseud17 item 2: a lost or replaced pseudonym secret is named by verify', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let store: SqliteIncidentStore;
  beforeEach(() => {
    t = tempSqliteStore();
    store = t.store;
  });
  afterEach(async () => {
    if (store !== t.store) await store.close();
    await t.cleanup();
  });

  /** The store opened again (a new process: it reads the secret afresh). */
  async function reopen(): Promise<SqliteIncidentStore> {
    if (store !== t.store) await store.close();
    store = new SqliteIncidentStore(t.dir);
    return store;
  }

  it.each(Object.keys(logins) as (keyof typeof logins)[])(
    '%s: a new secret splits the principal’s incident, and verify names the one recorded with the old',
    async (kind) => {
      const login = logins[kind];
      const deps = (s: SqliteIncidentStore, at: string) => ({ store: s, policy: DEFAULT_POLICY, now: () => at, canEnforce: false });
      const first = (await recordEvent(deps(store, '2026-11-28T03:00:00.000Z'), login('f-1'))).incidentId as string;
      expect(verifyOk(await verifyStore(store, { now: '2026-11-28T03:30:00.000Z' })), 'premise: the store verifies').toBe(true);

      // The secret is lost and a new one made (here put in place; the next finding would make one).
      editSecret(t.dir, "UPDATE meta SET value = ? WHERE key = 'pseudonym-key'", newPseudonymKey());
      const again = await recordEvent(deps(await reopen(), '2026-11-28T04:00:00.000Z'), login('f-2'));
      expect(again.incidentId, 'the split the secret makes: a second incident for the one principal').not.toBe(first);

      const result = await verifyStore(store, { now: '2026-11-28T05:00:00.000Z' });
      expect(verifyOk(result)).toBe(false);
      expect(result.problems.map((p) => [p.incidentId, p.entry])).toEqual([[first, 'finding 111122223333/eu-west-1/f-1']]);
      expect(result.problems[0].problem).toMatch(/not made with the store's pseudonym secret .*opens a second incident/);
      expect(JSON.stringify(result.problems)).not.toContain('jansen');

      // status names it too, on stderr (its JSON stays as the contract has it), for the incident recorded with the old secret.
      const status = await runCli(['status', '--store', t.dir, '--json', '--now', '2026-11-28T05:00:00Z']);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toHaveLength(2);
      expect(status.stderr.split('\n').filter((l) => l.startsWith('PSEUDONYM SECRET: '))).toEqual([
        expect.stringContaining(`incident ${first}, finding 111122223333/eu-west-1/f-1: names the principal of this finding by a pseudonym not made with`),
      ]);
    },
  );

  it('a store that keeps no secret while an incident names a principal by a pseudonym is named, before the next finding makes one', async () => {
    const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false };
    const id = (await recordEvent(deps, logins.federated('f-1'))).incidentId as string;
    editSecret(t.dir, "DELETE FROM meta WHERE key = 'pseudonym-key'");
    const result = await verifyStore(await reopen(), { now: '2026-11-28T05:00:00.000Z' });
    expect(result.problems.map((p) => [p.incidentId, p.entry])).toEqual([[id, 'record']]);
    expect(result.problems[0].problem).toMatch(/keeps no pseudonym secret/);
  });

  it('a store whose secret was deleted once every incident naming someone by it is closed and minimised verifies (README: ending the pseudonyms recorded before pseud21)', async () => {
    const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false };
    // That code planned the steps under the store-wide pseudonym and wrote only those entries (old-record.ts).
    const plannedThen = await stepsTodayPlans(t.dir, deps, logins.federated('f-1'));
    const id = (await recordEvent({ ...deps, policy: PLANS_NOTHING }, logins.federated('f-1'))).incidentId as string;
    // As recorded before pseud21: no secret of its own, so minimise leaves the store-wide pseudonym in it.
    // That code's 'containment-planned' entries named each step by the store-wide pseudonym, as the record
    // does (today's name it by the incident's own, which no secret maps to once the record keeps none):
    // today's chained entries cannot be rewritten, so the entries that code wrote are appended.
    const current = (await store.getIncident(id)) as Incident;
    const before = { ...structuredClone(current), actions: plannedThen, revision: current.revision + 1, pseudonymKey: undefined };
    await store.commit({
      incident: before,
      expectedRevision: current.revision,
      timeline: appendEntries(before, actionEntries(before.actions, '2026-11-28T03:01:00.000Z', id)),
      messages: [],
    });
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    await minimiseClosed(
      { store, audit: store, now: () => '2027-07-01T00:00:00.000Z', machineNow: () => '2027-07-01T00:00:00.000Z' },
      { by: 'FG', afterDays: 180 },
    );
    expect(((await store.getIncident(id)) as Incident).resource.id, 'premise: it keeps the store-wide pseudonym').toMatch(/^federated-user:[0-9a-f]{16}$/);
    editSecret(t.dir, "DELETE FROM meta WHERE key = 'pseudonym-key'");
    // No finding joins a closed incident: it needs the secret no more, and verify does not ask for it back.
    expect((await verifyStore(await reopen(), { now: '2027-07-01T01:00:00.000Z' })).problems).toEqual([]);
  });

  it('a secret that is no secret (edited) is named once, for the store', async () => {
    const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false };
    await recordEvent(deps, logins.federated('f-1'));
    editSecret(t.dir, "UPDATE meta SET value = 'short' WHERE key = 'pseudonym-key'");
    const result = await verifyStore(await reopen(), { now: '2026-11-28T05:00:00.000Z' });
    expect(result.problems.map((p) => [p.incidentId, p.entry])).toEqual([['(store)', 'pseudonym key']]);
  });
});
