/**
 * fg15 item 3 (last stop's "Still left", FG): a federated user's principal id is `account:name`, the
 * name its caller chose (often a person's, containment.ts credentialStep). A finding naming one with
 * no access key (a console sign-in) made it the incident's resource, unmarked as personal, and the
 * target of its containment step: the FG's and on-call's messages said "Getroffen resource:
 * IAM-identiteit 111122223333:j.jansen" and "gefedereerde gebruiker inperken (handmatig)
 * 111122223333:j.jansen", and the step's target was the name, where minimise cannot reach it. Now
 * the resource is marked personal (messages leave it out, as an IAM user's name), and the step is
 * named by a pseudonym of the principal, the principal itself in its params, which a person reads
 * in the record and minimise removes (minimise.ts IAM_NAME_FIELDS).
 *
 * fed16 (last stop's "Still left", FG): the principal was still the incident's resource id, its
 * correlation key and the hash-chained `incident-opened` entry's `resourceId`, where minimise cannot
 * reach it, and the step's pseudonym was an unkeyed SHA-256 anyone could confirm a guessed name
 * against. Now each of those is a pseudonym keyed with a secret the store keeps
 * (finding-resources.ts `principalPseudonym`), the principal only in the finding record and the
 * step's params, which minimise clears; an incident recorded before still takes the principal's
 * next finding.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { showText } from '../../handlers/cli/views.js';
import { actionEntries } from '../../handlers/core/commit-bounds.js';
import { actionId } from '../../handlers/core/containment.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import { namedResourceKey } from '../../handlers/core/finding.js';
import { sha256 } from '../../handlers/core/hash.js';
import { type ActionRecord, appendEntries, type Incident } from '../../handlers/core/incident.js';
import { ownPseudonyms } from '../../handlers/core/incident-pseudonyms.js';
import { storedText } from '../../handlers/core/ledger.js';
import { MINIMISED, minimiseClosed, minimiseReleased } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { ACCOUNT, credentialSequenceEvent, findingEvent, REGION, sequenceDetection } from '../support/events.js';
import { PLANS_NOTHING, stepsTodayPlans } from '../support/old-record.js';
import { rowsHolding, tempSqliteStore } from '../support/store.js';

const PRINCIPAL = '111122223333:j.jansen';
const RECORDED_AT = '2026-11-28T03:00:00.000Z';
/** Past the retention period (180 days) after the closing at RECORDED_AT. */
const MINIMISED_AT = '2027-07-01T00:00:00.000Z';

/** A federated user's console sign-in: the principal named without a key. */
function consoleLogin(id: string) {
  return findingEvent({
    id,
    type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
    resource: { resourceType: 'AccessKey', accessKeyDetails: { principalId: PRINCIPAL, userType: 'FederatedUser', userName: 'j.jansen' } },
  } as never);
}

/** An attack sequence whose actor is that federated user, signed in without a key. */
function federatedSequence(id: string) {
  const detection = sequenceDetection();
  detection.sequence.actors = [
    { id: `user:FederatedUser:${PRINCIPAL}`, user: { name: 'j.jansen', uid: PRINCIPAL, type: 'FederatedUser', account: { uid: ACCOUNT } } } as never,
  ];
  return credentialSequenceEvent({ id, detection });
}

/**
 * The incident's record committed as code before 9d20192 wrote it: its federated step targeted at the
 * principal itself (its id made from that, no params); with `resource`, as code before fed16 wrote
 * it too: the principal as the resource's id and in its key.
 */
async function storeAsBefore(store: IncidentStore, id: string, resource: boolean, plannedThen: ActionRecord[] = []): Promise<void> {
  const stored = (await store.getIncident(id)) as Incident;
  const old = structuredClone(stored);
  // Steps today's code did not plan here (recorded with PLANS_NOTHING), as that code planned them (old-record.ts).
  old.actions.push(...structuredClone(plannedThen));
  if (resource) {
    old.resource = { ...old.resource, id: PRINCIPAL };
    old.resourceKey = namedResourceKey('iam-principal', PRINCIPAL, ACCOUNT, REGION);
  }
  for (const a of old.actions)
    if (a.type === 'contain-federated-user') {
      a.target = PRINCIPAL;
      delete a.params;
      a.id = actionId(a, { accountId: ACCOUNT, region: REGION });
    }
  old.revision = stored.revision + 1;
  // That code named the step in its 'containment-planned' entry by the target it gave it, the principal;
  // today's chained entry cannot be rewritten, so the entry that code wrote is appended with the change.
  const at = (await store.getTimeline(id)).at(-1)?.at ?? RECORDED_AT;
  const planned = actionEntries(
    old.actions.filter((a) => a.type === 'contain-federated-user'),
    at,
    id,
  );
  await store.commit({ incident: old, expectedRevision: stored.revision, timeline: appendEntries(old, planned), messages: [] });
}

/** The incident assessed and closed at RECORDED_AT, then every closed incident minimised at MINIMISED_AT. */
async function closeAndMinimise(store: IncidentStore & Parameters<typeof minimiseClosed>[0]['audit'], incidentId: string): Promise<void> {
  const deps = { store, policy: DEFAULT_POLICY, now: () => RECORDED_AT };
  await assess(deps, { incidentId, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
  await closeIncident(deps, { incidentId, reason: 'afgehandeld', by: 'FG' });
  const report = await minimiseClosed({ store, audit: store, now: () => MINIMISED_AT, machineNow: () => MINIMISED_AT }, { by: 'FG', afterDays: 180 });
  expect(report.minimised.map((m) => m.incidentId)).toContain(incidentId); // premise: minimised
}

describe('fg15 item 3: a federated user’s principal stays out of messages and containment targets', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  it('leaves the name out of the FG’s and on-call’s messages, and names the step by a pseudonym', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false };
    const event = findingEvent({
      id: 'f-console',
      type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
      resource: { resourceType: 'AccessKey', accessKeyDetails: { principalId: PRINCIPAL, userType: 'FederatedUser', userName: 'j.jansen' } },
    } as never);
    const id = (await recordEvent(deps, event)).incidentId as string;
    const incident = (await t.store.getIncident(id)) as Incident;
    // Since fed16 the resource is named by the principal's keyed pseudonym, as the step is.
    expect(incident.resource).toMatchObject({ kind: 'iam-principal', id: expect.stringMatching(/^federated-user:[0-9a-f]{16}$/), personal: true });
    const messages = await t.store.listMessages(id);
    expect(messages.map((m) => m.channel).sort()).toEqual(['fg', 'on-call']);
    for (const m of messages) expect(`${m.subject}\n${m.body}`).not.toContain('jansen');
    const step = incident.actions.find((a) => a.type === 'contain-federated-user');
    expect(step?.target).toBe(incident.resource.id);
    expect(step?.params?.principalId).toBe(PRINCIPAL);
  });

  it('an incident opened before 9d20192, its step targeted at the principal, gets no second step for it (readC15 C2)', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false };
    const consoleLogin = (id: string) =>
      findingEvent({
        id,
        type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
        resource: { resourceType: 'AccessKey', accessKeyDetails: { principalId: PRINCIPAL, userType: 'FederatedUser', userName: 'j.jansen' } },
      } as never);
    const id = (await recordEvent(deps, consoleLogin('f-console-1'))).incidentId as string;
    // As code before 9d20192 stored it: the step's target the principal itself, its id from that.
    await storeAsBefore(t.store, id, false);

    const again = await recordEvent({ ...deps, now: () => '2026-11-28T04:00:00.000Z' }, consoleLogin('f-console-2'));
    expect(again.incidentId).toBe(id);
    const steps = ((await t.store.getIncident(id)) as Incident).actions.filter((a) => a.type === 'contain-federated-user');
    expect(
      steps.map((a) => a.target),
      'one step for the one principal: the old one',
    ).toEqual([PRINCIPAL]);
  });

  it('fed16: minimise leaves the principal in no row of the store; the resource, its key and the chained entry carry a keyed pseudonym', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const id = (await recordEvent(deps, consoleLogin('f-console'))).incidentId as string;
    const incident = (await t.store.getIncident(id)) as Incident;
    const pseudonym = incident.resource.id;
    expect(pseudonym, 'the resource id is a pseudonym of the principal').toMatch(/^federated-user:[0-9a-f]{16}$/);
    expect(incident.resourceKey).toBe(namedResourceKey('iam-principal', pseudonym, ACCOUNT, REGION));
    expect(incident.actions.find((a) => a.type === 'contain-federated-user')?.target, 'the step is named by the same pseudonym').toBe(pseudonym);
    // The chained entry by the incident's own pseudonym (pseud21): the chain is never rewritten, and minimise deletes its secret.
    const opened = (await t.store.getTimeline(id)).find((e) => e.kind === 'incident-opened');
    expect(opened?.detail.resourceId).toBe(ownPseudonyms(incident.pseudonymKey, pseudonym));
    expect(opened?.detail.resourceId).toMatch(/^federated-user:~[0-9a-f]{16}$/);
    // Keyed: no one confirms a guessed name by hashing it (as 9d20192's unsalted one let anyone).
    expect(rowsHolding(t.dir, sha256(PRINCIPAL).slice(0, 12))).toEqual([]);
    expect(pseudonym).not.toContain(sha256(PRINCIPAL).slice(0, 12));

    // On-call reads the principal where a person reads the record (the step's params), under the step.
    const shown = async () => showText((await t.store.getIncident(id)) as Incident, await t.store.getTimeline(id), DEFAULT_POLICY, RECORDED_AT);
    expect(await shown()).toContain(`principal ${PRINCIPAL}`);

    await closeAndMinimise(t.store, id);
    expect(rowsHolding(t.dir, 'jansen'), 'the tables whose rows still hold the principal once minimised').toEqual([]);
    expect(await shown()).not.toContain('jansen');
    expect(verifyOk(await verifyStore(t.store, { now: MINIMISED_AT }))).toBe(true);

    // Per store: another store's pseudonym of the same principal is another.
    const other = tempSqliteStore();
    try {
      const otherId = (await recordEvent({ ...deps, store: other.store }, consoleLogin('f-console'))).incidentId as string;
      expect(((await other.store.getIncident(otherId)) as Incident).resource.id).not.toBe(pseudonym);
    } finally {
      await other.cleanup();
    }
  });

  it('fed16: the same principal’s next finding joins its incident, after the store is opened again too (the secret is kept in the store)', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const id = (await recordEvent(deps, consoleLogin('f-console-1'))).incidentId as string;
    await t.store.close();
    const reopened = new SqliteIncidentStore(t.dir);
    try {
      const again = await recordEvent({ ...deps, store: reopened, now: () => '2026-11-28T04:00:00.000Z' }, consoleLogin('f-console-2'));
      expect([again.outcome, again.incidentId]).toEqual(['attached', id]);
      const steps = ((await reopened.getIncident(id)) as Incident).actions.filter((a) => a.type === 'contain-federated-user');
      expect(steps).toHaveLength(1);
    } finally {
      await reopened.close();
    }
  });

  it('fed16: an incident opened before, on the principal itself (resource id, key, step), still takes the principal’s next finding, and verifies', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const plannedThen = (await stepsTodayPlans(t.dir, deps, consoleLogin('f-console-1'))).filter((a) => a.type === 'contain-federated-user');
    const id = (await recordEvent({ ...deps, policy: PLANS_NOTHING }, consoleLogin('f-console-1'))).incidentId as string;
    // As code before fed16 (and 9d20192) stored it: the principal as the resource id, in the key, and as the step's target.
    await storeAsBefore(t.store, id, true, plannedThen);

    // Its own finding's next version is on the same resource, not another.
    const later = consoleLogin('f-console-1');
    Object.assign(later.detail, { updatedAt: '2026-11-28T03:30:00.000Z' });
    Object.assign(later.detail.service, { count: 2, eventLastSeen: '2026-11-28T03:30:00.000Z' });
    expect((await recordEvent({ ...deps, now: () => '2026-11-28T03:40:00.000Z' }, later)).outcome).toBe('updated');
    expect((await t.store.getTimeline(id)).map((e) => e.kind)).not.toContain('finding-resource-changed');
    const again = await recordEvent({ ...deps, now: () => '2026-11-28T04:00:00.000Z' }, consoleLogin('f-console-2'));
    expect([again.outcome, again.incidentId]).toEqual(['attached', id]);
    const after = (await t.store.getIncident(id)) as Incident;
    expect(after.actions.filter((a) => a.type === 'contain-federated-user').map((a) => a.target)).toEqual([PRINCIPAL]);
    expect(after.resource.id, 'the old record is read as it is').toBe(PRINCIPAL);
    expect(verifyOk(await verifyStore(t.store, { now: '2026-11-28T05:00:00.000Z' }))).toBe(true);
  });

  it('fed16: an attack sequence’s federated actor is listed and correlated by its pseudonym, and minimise leaves its principal in no row', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const id = (await recordEvent(deps, federatedSequence('seq-federated'))).incidentId as string;
    const incident = (await t.store.getIncident(id)) as Incident;
    const actor = (incident.resources ?? []).find((r) => r.kind === 'iam-principal');
    expect(actor?.id).toMatch(/^federated-user:[0-9a-f]{16}$/);
    expect(incident.resourceKeys).toContain(namedResourceKey('iam-principal', actor?.id as string, ACCOUNT, REGION));
    // The same principal's console sign-in joins the sequence's incident.
    const login = await recordEvent({ ...deps, now: () => '2026-11-28T04:00:00.000Z' }, consoleLogin('f-console'));
    expect([login.outcome, login.incidentId]).toEqual(['attached', id]);
    await closeAndMinimise(t.store, id);
    expect(rowsHolding(t.dir, 'jansen')).toEqual([]);
  });

  it('fed16 item 2: an assumed role’s session name (an SSO user’s e-mail) stays out of messages, and minimise leaves it in no row', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const session = findingEvent({
      id: 'f-role-console',
      type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
      resource: {
        resourceType: 'AccessKey',
        accessKeyDetails: { principalId: 'AROAEXAMPLEROLEID0001:r.roelofs@example.nl', userType: 'AssumedRole', userName: 'AWSReservedSSO_Admin' },
      },
    } as never);
    const id = (await recordEvent(deps, session)).incidentId as string;
    const messages = await t.store.listMessages(id);
    expect(messages.map((m) => m.channel).sort()).toEqual(['fg', 'on-call']);
    for (const m of messages) expect(`${m.subject}\n${m.body}`, 'the messages name the resource without the session').not.toContain('roelofs');
    expect(((await t.store.getIncident(id)) as Incident).resource.id).toMatch(/^role-session:[0-9a-f]{16}$/);
    await closeAndMinimise(t.store, id);
    expect(rowsHolding(t.dir, 'roelofs'), 'the tables whose rows still hold the session name once minimised').toEqual([]);
  });

  it('fed16 item 2: the ledger’s hash of the incident record before minimise confirms no guessed principal', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const id = (await recordEvent(deps, consoleLogin('f-console'))).incidentId as string;
    await closeAndMinimise(t.store, id);
    // Whoever holds the store puts a guess back into the record as it is now, as it was before minimise's commit.
    const now = (await t.store.getIncident(id)) as Incident;
    const before = (await t.store.getTimeline(id)).filter((e) => e.kind !== 'finding-minimised').at(-1);
    const ledgered = (await t.store.rawIncident(id)).ledger.map((e) => e.data).join('\n');
    const confirms = (guess: string) => {
      const record = structuredClone(now);
      record.revision -= 1;
      delete record.minimised;
      record.timelineHead = { seq: before?.seq as number, hash: before?.hash as string };
      for (const a of record.actions) if (a.type === 'contain-federated-user') a.params = { ...a.params, principalId: guess };
      return ledgered.includes(sha256(storedText.incident(record)));
    };
    expect(confirms('111122223333:p.pietersen')).toBe(false);
    expect(confirms(PRINCIPAL), 'the right guess is confirmed by a hash the ledger keeps').toBe(false);
  });

  it('fed16 item 2: a release that takes a kept principal out of a minimised finding’s step replaces the record’s salt too', () => {
    const step = { id: 's', type: 'contain-federated-user', target: 'federated-user:0', status: 'done', findingId: 'f', params: { principalId: PRINCIPAL } };
    const draft = { actions: [{ ...step, released: { at: RECORDED_AT } }], salt: 'before' } as unknown as Incident;
    expect(minimiseReleased(draft, 'f')).toBe(1);
    expect(draft.actions[0].params?.principalId).toBe(MINIMISED);
    expect(draft.salt, 'the ledger’s hash of the record before held the principal with the old salt').not.toBe('before');
    const inEffect = { actions: [step], salt: 'kept' } as unknown as Incident;
    expect([minimiseReleased(inEffect, 'f'), inEffect.salt]).toEqual([0, 'kept']);
  });
});
