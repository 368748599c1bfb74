/**
 * attack16 K5: the key runbook's way out of `OtherKeyActive`. The run fails `other-keys` on an
 * Active key made between the first activity and the deactivation; the owner confirms it is theirs,
 * and on-call records the action contained by hand naming that key (`datalek contained --owner-key`).
 * Drift then reads exactly that key as the owner's, confirmed by whom and when, and judges any
 * other key as before. Only a key the failure named can be confirmed: not the stolen key, not
 * another one, and only on a key action that failed so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { recordContainedByHand } from '../../handlers/core/by-hand.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { type ContainmentStateReader, expectedContainment, judge } from '../../handlers/core/drift.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { tempSqliteStore } from '../support/store.js';

let world: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  world = tempSqliteStore();
});
afterEach(async () => world.cleanup());

const FIRST_ACTIVITY = '2026-11-26T10:05:00.000Z';
const OWNERS_KEY = { id: 'AKIAEXAMPLEOWNERS001', status: 'Active', created: '2026-11-26T11:00:00.000Z' };
const ATTACKERS_KEY = { id: 'AKIAEXAMPLEATTACK001', status: 'Active', created: '2026-11-26T11:10:00.000Z' };
const DEACTIVATED = '2026-11-26T11:30:00.000Z';
const CONFIRMED = '2026-11-26T12:00:00.000Z';

it("a key a person confirmed as the owner's (the key runbook's step 3) reads as the owner's, confirmed by whom and when; any other key as before", async () => {
  const { store } = world;
  const deps = (at: string) => ({ store, policy: DEFAULT_POLICY, now: () => at });
  const event = JSON.parse(readFileSync(join('events', '07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json'), 'utf8'));
  const id = (await recordEvent({ ...deps('2026-11-26T11:00:30.000Z'), canEnforce: false }, event)).incidentId as string;

  // The run as iam.ts records it: the key set Inactive, then other-keys failed naming the key made since the first activity.
  let actionId = '';
  let stolen = '';
  await changeIncident(deps(DEACTIVATED), id, (draft) => {
    const a = draft.actions.find((x) => x.type === 'deactivate-access-key') as ActionRecord;
    actionId = a.id;
    stolen = a.target;
    a.steps = [
      { name: 'deactivate-key', status: 'done', at: DEACTIVATED, detail: `${a.target} set Inactive (not deleted)` },
      {
        name: 'other-keys',
        status: 'failed',
        at: DEACTIVATED,
        code: 'OtherKeyActive',
        detail: `${a.target} Inactive, but NOT CONTAINED: the key's user has another Active key made since the first activity (${FIRST_ACTIVITY}) and before the deactivation, most likely with the stolen key: ${OWNERS_KEY.id} (made ${OWNERS_KEY.created})`,
      },
    ];
    a.evidence = { userName: 'j.jansen', otherKeys: [OWNERS_KEY], otherKeysSince: FIRST_ACTIVITY };
    a.status = 'failed';
    a.reason = 'other-keys failed (OtherKeyActive)';
    return { entries: [{ at: DEACTIVATED, kind: 'containment-failed', detail: { actionId: a.id } }] };
  });
  const confirm = (ownerKeys: string[]) =>
    recordContainedByHand(deps(CONFIRMED), { incidentId: id, actionId, by: 'on-call', what: 'confirmed by phone with the owner', ownerKeys });

  // Only a key the failure named: not another, not the stolen key itself, not a malformed id; nothing recorded.
  await expect(confirm([ATTACKERS_KEY.id])).rejects.toThrow(`--owner-key ${ATTACKERS_KEY.id} is not a key the failure named (it named ${OWNERS_KEY.id})`);
  await expect(confirm([stolen])).rejects.toThrow('is the stolen key itself');
  await expect(confirm(['owner'])).rejects.toThrow('is not an access key id');
  expect((await store.getIncident(id))?.actions.find((a) => a.id === actionId)?.status).toBe('failed');

  const incident = (await confirm([OWNERS_KEY.id])) as Incident;
  expect(incident.actions.find((a) => a.id === actionId)?.byHand?.ownerKeys).toEqual([OWNERS_KEY.id]);
  expect((await store.getTimeline(id)).at(-1)).toMatchObject({
    kind: 'containment-done-by-hand',
    actor: 'on-call',
    detail: { ownerKeys: [OWNERS_KEY.id], at: CONFIRMED },
  });

  const check = expectedContainment(incident, '2026-11-27T09:00:00.000Z').checks.find((c) => c.type === 'deactivate-access-key');
  expect(check, 'premise: drift reads the key').toBeDefined();
  const read = (others: (typeof OWNERS_KEY)[]) => judge(check as NonNullable<typeof check>, { read: 'key', status: 'Inactive', others });
  const owners = read([OWNERS_KEY]);
  expect(owners.state).toBe('in-place');
  expect(owners.actual).toBe(`Inactive; the owner's, confirmed by on-call at ${CONFIRMED}: ${OWNERS_KEY.id} (made ${OWNERS_KEY.created})`);
  // Another key made since the first activity is judged as before.
  const both = read([OWNERS_KEY, ATTACKERS_KEY]);
  expect(both.state).toBe('drifted');
  expect(both.actual).toMatch(new RegExp(`NOT CONTAINED: .*most likely with the stolen key: ${ATTACKERS_KEY.id} [^;]*; the owner's, confirmed by on-call`));
});

it('--owner-key on an action that did not fail naming another key is refused', async () => {
  const { store } = world;
  const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-26T12:00:00.000Z' };
  const event = JSON.parse(readFileSync(join('events', '07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json'), 'utf8'));
  const id = (await recordEvent({ ...deps, canEnforce: false }, event)).incidentId as string;
  const action = (await store.getIncident(id))?.actions.find((a) => a.type === 'deactivate-access-key') as ActionRecord;
  await expect(
    recordContainedByHand(deps, { incidentId: id, actionId: action.id, by: 'on-call', what: 'set Inactive by hand', ownerKeys: [OWNERS_KEY.id] }),
  ).rejects.toThrow('--owner-key is for a key action whose run failed naming another key of its user (OtherKeyActive)');
});

it("readC16 C1: a key drift names as made within 12 hours of the revocation, on a key action datalek carried out, can be confirmed as the owner's; the stolen key not", async () => {
  const { store } = world;
  const deps = (at: string) => ({ store, policy: DEFAULT_POLICY, now: () => at });
  const event = JSON.parse(readFileSync(join('events', '07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json'), 'utf8'));
  const id = (await recordEvent({ ...deps('2026-11-26T11:00:30.000Z'), canEnforce: false }, event)).incidentId as string;
  const REVOKED = '2026-11-26T11:30:01.000Z';
  const NEW_KEY = { id: 'AKIAEXAMPLEOWNERNEW1', status: 'Active', created: '2026-11-26T12:30:00.000Z' };
  let actionId = '';
  let stolen = '';
  // The run as iam.ts records it, all done: the key Inactive, its user's sessions revoked, no other key.
  await changeIncident(deps(REVOKED), id, (draft) => {
    const a = draft.actions.find((x) => x.type === 'deactivate-access-key') as ActionRecord;
    actionId = a.id;
    stolen = a.target;
    a.steps = [
      { name: 'deactivate-key', status: 'done', at: DEACTIVATED, detail: `${a.target} set Inactive (not deleted)` },
      { name: 'revoke-key-sessions', status: 'done', at: REVOKED, detail: 'denied' },
      { name: 'other-keys', status: 'done', at: REVOKED, detail: `${a.target} Inactive` },
    ];
    a.evidence = { userName: 'j.jansen', otherKeys: [], otherKeysSince: FIRST_ACTIVITY, policyName: `datalek-revoke-${id}-${a.target}`, issuedBefore: REVOKED };
    a.status = 'done';
    return { entries: [{ at: REVOKED, kind: 'containment-done', detail: { actionId: a.id } }] };
  });
  const read = (incident: Incident) => {
    const check = expectedContainment(incident, '2026-11-26T14:00:00.000Z').checks.find((c) => c.type === 'deactivate-access-key');
    return judge(check as NonNullable<typeof check>, { read: 'key', status: 'Inactive', others: [NEW_KEY] });
  };
  expect(read((await store.getIncident(id)) as Incident).state, 'premise: drift names the new key').toBe('drifted');
  // What AWS shows of the user's keys (through the read role on --target aws: test/integration/owner-key-read.test.ts on moto).
  const onAws: ContainmentStateReader = { read: async (checks) => checks.map(() => ({ read: 'key', status: 'Inactive', others: [NEW_KEY, ATTACKERS_KEY] })) };
  const confirm = (ownerKeys: string[], containmentReader: ContainmentStateReader | null = onAws) =>
    recordContainedByHand(
      { ...deps(CONFIRMED.replace('12:00', '13:00')), ...(containmentReader ? { containmentReader } : {}) },
      { incidentId: id, actionId, by: 'on-call', what: 'the owner made it after their sessions ended', ownerKeys },
    );

  await expect(confirm([stolen])).rejects.toThrow('is the stolen key itself');
  // contain19: checked before anything is written. Not a key of the user; one made before the revocation (most likely the
  // attacker's); and on the embedded store, which reads no AWS, a key the record does not name so.
  await expect(confirm(['AKIAEXAMPLENOTHERS01'])).rejects.toThrow(
    "--owner-key AKIAEXAMPLENOTHERS01 is not a key of the stolen key's user: IAM lists no such key for the stolen key's user; nothing was recorded",
  );
  await expect(confirm([ATTACKERS_KEY.id])).rejects.toThrow(
    `--owner-key ${ATTACKERS_KEY.id} is no key a confirmation on a key action datalek carried out clears: it was made ${ATTACKERS_KEY.created}, before the key's sessions were revoked (${REVOKED}): most likely the attacker's`,
  );
  await expect(confirm([NEW_KEY.id], null)).rejects.toThrow(
    `--owner-key ${NEW_KEY.id} is not in the record's list of the user's keys, and the embedded store reads no AWS: confirm it with --target aws`,
  );
  expect((await store.getIncident(id))?.actions.find((a) => a.id === actionId)?.ownerKeys, 'nothing written').toBeUndefined();
  expect((await store.getTimeline(id)).map((e) => e.kind)).not.toContain('owner-keys-confirmed');
  const incident = (await confirm([NEW_KEY.id])) as Incident;
  const action = incident.actions.find((a) => a.id === actionId) as ActionRecord;
  // Still datalek's: done, no byHand (a release still undoes the deactivation and the deny).
  expect(action).toMatchObject({ status: 'done', ownerKeys: [{ ids: [NEW_KEY.id], by: 'on-call' }] });
  expect(action.byHand).toBeUndefined();
  expect((await store.getTimeline(id)).at(-1)).toMatchObject({ kind: 'owner-keys-confirmed', actor: 'on-call', detail: { ownerKeys: [NEW_KEY.id] } });
  const v = read(incident);
  expect(v.state).toBe('in-place');
  expect(v.actual).toContain(`the owner's, confirmed by on-call at 2026-11-26T13:00:00.000Z: ${NEW_KEY.id}`);

  // review15: a key drift does not name for --owner-key (made since the first activity, before the deactivation:
  // most likely the attacker's) confirmed on the done action is not read as the owner's: still NOT CONTAINED, said.
  // Refused at record time since contain19; a record written before holds it so.
  const { incident: confirmedAttackers } = await changeIncident(deps('2026-11-26T13:00:00.000Z'), id, (draft) => {
    const a = draft.actions.find((x) => x.id === actionId) as ActionRecord;
    a.ownerKeys = [...(a.ownerKeys ?? []), { ids: [ATTACKERS_KEY.id], by: 'on-call', at: '2026-11-26T13:00:00.000Z', recordedAt: '2026-11-26T13:00:00.000Z' }];
    return { entries: [{ at: '2026-11-26T13:00:00.000Z', kind: 'owner-keys-confirmed', detail: { ownerKeys: [ATTACKERS_KEY.id] } }] };
  });
  const check = expectedContainment(confirmedAttackers, '2026-11-26T14:00:00.000Z').checks.find((c) => c.type === 'deactivate-access-key');
  const w = judge(check as NonNullable<typeof check>, { read: 'key', status: 'Inactive', others: [NEW_KEY, ATTACKERS_KEY] });
  expect(w.state).toBe('drifted');
  expect(w.actual).toMatch(new RegExp(`NOT CONTAINED: .*most likely with the stolen key: ${ATTACKERS_KEY.id}`));
  expect(w.actual).toContain(`confirmed as the owner's (--owner-key) but not a key made after the key's sessions were revoked`);
  expect(w.actual).toContain(`the owner's, confirmed by on-call at 2026-11-26T13:00:00.000Z: ${NEW_KEY.id}`);
});
