/**
 * Review 12 (fgsec14) S5: an IAM user's long-term key (AKIA…) plans `deactivate-access-key` with the
 * user's name in the action's params (containment.ts credentialStep: "The user name is personal
 * data: it goes in params, the target is the key"). `minimise` removed the user name from the stored
 * finding and said "user names" were removed, but took nothing out of the incident's actions (S4/A1
 * did so for tag-s3-object's object key only): a planned (every local replay, every policy in plan
 * mode), failed or released action kept `params.userName` ("j.jansen" in the seed's events/07) in the
 * incidents row for as long as the register is kept (Art. 5(1)(c), (e)). `contain-federated-user`
 * kept the federated principal the same way. Now minimise takes the name out of every such action
 * not in effect; a key still deactivated keeps it (reactivating it needs the user), and `verify`
 * names a record minimised before that still holds one.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord, FindingRecord, Incident } from '../../handlers/core/incident.js';
import { iamNamesLeft, MINIMISED, minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { iamUserKeyEvent } from '../support/events.js';
import { storeMinimisedKeepingIamUser } from '../support/old-record.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-12-01T00:00:00.000Z';
let temp: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  temp = tempSqliteStore();
});
afterEach(async () => temp.cleanup());

/** The incidents row's JSON around each place it holds `text`. */
async function incidentHolding(id: string, text: string): Promise<boolean> {
  return JSON.stringify(await temp.store.getIncident(id)).includes(text);
}

/** Whether the store's incidents table holds `text` in any row (the record as stored, not as read). */
function incidentsTableHolding(text: string): boolean {
  const db = new Database(join(temp.dir, STORE_FILE), { readonly: true });
  try {
    return (db.prepare('SELECT * FROM incidents').all() as unknown[]).some((r) => JSON.stringify(r).includes(text));
  } finally {
    db.close();
  }
}

const minimise = () => minimiseClosed({ store: temp.store, audit: temp.store, now: () => NOW, machineNow: () => NOW }, { by: 'FG', afterDays: 180 });

describe('review12 S5: minimise takes the IAM user name out of the actions that do not need it', () => {
  it('a planned deactivate-access-key keeps no user name once minimised', async () => {
    const { store } = temp;
    const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-01-10T09:15:00.000Z', canEnforce: false };
    const incidentId = (await recordEvent(deps, iamUserKeyEvent('j.jansen', '2026-01-10T09:00:00Z'))).incidentId as string;
    const planned = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'deactivate-access-key');
    expect([planned?.status, planned?.params?.userName]).toEqual(['planned', 'j.jansen']); // premise: planned, with the name
    await assess(deps, { incidentId, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId, reason: 'afgehandeld', by: 'FG' });
    await minimise();
    const record = (await store.getFinding({ accountId: '111122223333', region: 'eu-west-1', findingId: 'iam-user-key' })) as FindingRecord;
    expect(record.minimised).toBeTruthy(); // premise: the finding was minimised
    expect(JSON.stringify(record.detail)).not.toContain('j.jansen'); // premise: gone from the finding
    const incident = (await store.getIncident(incidentId)) as Incident;
    expect(incident.actions.find((a) => a.id === planned?.id)?.params?.userName).toBe(MINIMISED);
    expect(await incidentHolding(incidentId, 'j.jansen')).toBe(false);
    expect(incidentsTableHolding('j.jansen')).toBe(false);
  });

  it('keeps the name of a key still deactivated, and of no action released, failed or of a federated principal not in effect', () => {
    const action = (type: ActionRecord['type'], status: ActionRecord['status'], params: Record<string, string>, released?: boolean) =>
      ({
        id: `${type}-${status}`,
        type,
        target: 'x',
        status,
        findingId: 'f',
        params,
        ...(released ? { released: { at: NOW } } : {}),
      }) as unknown as ActionRecord;
    const actions = [
      action('deactivate-access-key', 'done', { userName: 'in-effect' }),
      action('deactivate-access-key', 'done', { userName: 'released' }, true),
      action('revoke-user-sessions', 'failed', { userName: 'failed' }),
      action('contain-federated-user', 'planned', { principalId: '111122223333:j.jansen' }),
    ];
    expect(iamNamesLeft({ actions }, 'f').map((a) => a.id)).toEqual([
      'deactivate-access-key-done',
      'revoke-user-sessions-failed',
      'contain-federated-user-planned',
    ]);
    expect(iamNamesLeft({ actions }, 'other-finding')).toEqual([]);
  });

  it('verify names a record minimised before as holding the name, and minimise run again removes it', async () => {
    const id = await storeMinimisedKeepingIamUser(temp.store, 'j.jansen');
    expect(incidentsTableHolding('j.jansen')).toBe(true); // premise: the old code left it
    const found = await verifyStore(temp.store, { now: NOW });
    expect(
      found.problems
        .filter((p) => p.incidentId === id)
        .map((p) => p.problem)
        .join('\n'),
    ).toMatch(/still holds an IAM user's name or principal \(not shown here\)/);
    expect(JSON.stringify(found)).not.toContain('j.jansen'); // said without the name
    await minimiseClosed({ store: temp.store, audit: temp.store, now: () => NOW }, { by: 'FG', afterDays: 0 });
    expect(incidentsTableHolding('j.jansen')).toBe(false);
    expect((await verifyStore(temp.store, { now: NOW })).problems).toEqual([]);
  });
});
