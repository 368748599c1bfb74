/**
 * fg19 (closing note of stop 17): an IAM user's unique id (`AIDA…`) was kept as it is: as a console
 * sign-in's resource id and correlation key, in the hash-chained `incident-opened` entry, as the
 * `revoke-user-sessions` step's target (a session key's too), and as an attack sequence's actor. It
 * names no one by itself, but it is an identifier of one person's account: it links that person across
 * incidents and AWS resolves it to the user name (personal data, AVG art. 4(1): identifiable
 * "by reference to an identifier … an online identifier"). Minimise cleared it from the finding record
 * (`principalId`), not from what minimise does not touch. Now it is kept as the user name is
 * (fgpseud17): by its keyed pseudonym `iam-user:<16 hex>`; the step still acts on the user in its
 * params, and an incident recorded before on the id itself still takes the user's next finding.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { ACCOUNT, credentialSequenceEvent, findingEvent, sequenceDetection } from '../support/events.js';
import { recordedByPseudonym } from '../support/iam-user.js';
import { PLANS_NOTHING, stepsTodayPlans, storeIamUserAsBefore } from '../support/old-record.js';
import { rowsHolding, tempSqliteStore } from '../support/store.js';

const AIDA = 'AIDAEXAMPLEJANSEN001';
const USER = 'j.jansen';
const RECORDED_AT = '2026-11-28T03:00:00.000Z';
const MINIMISED_AT = '2027-07-01T00:00:00.000Z';
const PSEUDONYM = /^iam-user:[0-9a-f]{16}$/;

/** An IAM user's console sign-in, named by its principal id and user name (no key). */
function consoleLogin(id: string) {
  return findingEvent({
    id,
    type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
    resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: '', principalId: AIDA, userType: 'IAMUser', userName: USER } },
  } as never);
}

/** An IAM user's session key (GetSessionToken) used from outside. */
function sessionKey(id: string) {
  return findingEvent({
    id,
    type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
    resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: 'ASIAJANSENSESSION001', principalId: AIDA, userType: 'IAMUser', userName: USER } },
  } as never);
}

describe('fg19: an IAM user’s principal id (AIDA…) is kept by the keyed pseudonym, as its user name is', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  it('a console sign-in: resource, key, chained entries, step and messages hold the pseudonym; minimised, no row holds the id', async () => {
    const { id, deps } = await recordedByPseudonym(t.store, consoleLogin('f-console'), USER, RECORDED_AT);
    expect(JSON.stringify(((await t.store.getIncident(id)) as Incident).actions)).not.toContain(AIDA);
    for (const e of await t.store.getTimeline(id)) expect(JSON.stringify(e), `timeline entry ${e.kind}`).not.toContain(AIDA);
    for (const m of await t.store.listMessages(id)) expect(`${m.subject}\n${m.body}`).not.toContain(AIDA);

    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    await minimiseClosed({ store: t.store, audit: t.store, now: () => MINIMISED_AT, machineNow: () => MINIMISED_AT }, { by: 'FG', afterDays: 180 });
    expect(rowsHolding(t.dir, AIDA), 'the tables whose rows still hold the principal id once minimised').toEqual([]);
    expect(verifyOk(await verifyStore(t.store, { now: MINIMISED_AT }))).toBe(true);
  });

  it('a session key: the resource is the key, the step’s target the pseudonym, not the principal id', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const id = (await recordEvent(deps, sessionKey('f-session'))).incidentId as string;
    const incident = (await t.store.getIncident(id)) as Incident;
    expect(incident.resource.id).toBe('ASIAJANSENSESSION001');
    const step = incident.actions.find((a) => a.type === 'revoke-user-sessions') as ActionRecord;
    expect(step.target).toMatch(PSEUDONYM);
    expect(step.params).toEqual({ userName: USER });
    for (const e of await t.store.getTimeline(id)) expect(JSON.stringify(e), `timeline entry ${e.kind}`).not.toContain(AIDA);
    expect(verifyOk(await verifyStore(t.store, { now: RECORDED_AT }))).toBe(true);
  });

  it('an incident recorded before, on the principal id itself, takes the user’s next finding without a second step', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    // That code planned the step under the principal id and wrote only that entry (old-record.ts).
    const plannedThen = (await stepsTodayPlans(t.dir, deps, consoleLogin('f-console-1'))).find((a) => a.type === 'revoke-user-sessions') as ActionRecord;
    const id = (await recordEvent({ ...deps, policy: PLANS_NOTHING }, consoleLogin('f-console-1'))).incidentId as string;
    await storeIamUserAsBefore(t.store, id, AIDA, plannedThen);
    const again = await recordEvent({ ...deps, now: () => '2026-11-28T04:00:00.000Z' }, consoleLogin('f-console-2'));
    expect([again.outcome, again.incidentId]).toEqual(['attached', id]);
    const steps = ((await t.store.getIncident(id)) as Incident).actions.filter((a) => a.type === 'revoke-user-sessions');
    expect(steps.map((a) => a.id)).toEqual([`revoke-user-sessions:${AIDA}`]);
    expect(verifyOk(await verifyStore(t.store, { now: '2026-11-28T05:00:00.000Z' }))).toBe(true);
  });

  it('an attack sequence’s IAM user actor is listed by the pseudonym, and the same user’s console sign-in joins it', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const detection = sequenceDetection();
    detection.sequence.actors = [{ id: `user:IAMUser:${AIDA}:${USER}`, user: { name: USER, uid: AIDA, type: 'IAMUser', account: { uid: ACCOUNT } } } as never];
    const id = (await recordEvent(deps, credentialSequenceEvent({ id: 'seq-user', detection }))).incidentId as string;
    const incident = (await t.store.getIncident(id)) as Incident;
    const actor = (incident.resources ?? []).find((r) => r.kind === 'iam-principal');
    expect(actor?.id).toMatch(PSEUDONYM);
    expect(incident.actions.find((a) => a.type === 'revoke-user-sessions')?.target).toBe(actor?.id);
    const login = await recordEvent({ ...deps, now: () => '2026-11-28T04:00:00.000Z' }, consoleLogin('f-console'));
    expect([login.outcome, login.incidentId]).toEqual(['attached', id]);
    for (const e of await t.store.getTimeline(id)) expect(JSON.stringify(e), `timeline entry ${e.kind}`).not.toContain(AIDA);
  });
});
