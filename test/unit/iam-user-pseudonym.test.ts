/**
 * fgpseud17 item 1 (fed16's closing note, FG): an IAM user's console sign-in that GuardDuty names by
 * the user name alone (no access key, no principal id) kept that name (often the person's name or
 * e-mail address) as the incident's resource id, its correlation key, the hash-chained
 * `incident-opened` entry's `resourceId`, and its `revoke-user-sessions` step's target and id,
 * named in the FG's and on-call's messages ("sessies van de IAM-gebruiker intrekken
 * jan.jansen@example.nl"), where minimise cannot reach it. Now it gets the keyed pseudonym fed16 gave
 * a federated principal (`iam-user:<16 hex>`); the step still acts on the user in its params (which
 * minimise clears), and an incident recorded before still takes the user's next finding.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DigestFolder } from '../../handlers/adapters/local/digest-folder.js';
import { pemSigner } from '../../handlers/adapters/local/pem-keys.js';
import { type SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { showText } from '../../handlers/cli/views.js';
import { signAckLink } from '../../handlers/core/ack-link.js';
import { recordContainedByHand, recordNotToBeDone, withdrawNotToBeDone } from '../../handlers/core/by-hand.js';
import { runContainment } from '../../handlers/core/contain.js';
import { buildDraft, draftMarkdown } from '../../handlers/core/draft.js';
import { ConflictError, StoreRefusedError, StuckConflictError } from '../../handlers/core/errors.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import { type ActionRecord, appendEntries, type Incident } from '../../handlers/core/incident.js';
import { ownPseudonyms } from '../../handlers/core/incident-pseudonyms.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { registerCsv, registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { reportHtml } from '../../handlers/core/report-html.js';
import { holdFindings } from '../../handlers/core/retention-hold.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { createAnchorHandler } from '../../handlers/lambda/anchor.js';
import { createContainHandler } from '../../handlers/lambda/contain.js';
import { createSweepHandler } from '../../handlers/lambda/sweep.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { createLinkApp } from '../../handlers/web/links.js';
import { acknowledgeByFunction } from '../support/ack-handler.js';
import { runCli } from '../support/cli.js';
import { ACCOUNT, accessKeyResource, credentialSequenceEvent, findingEvent, sequenceDetection } from '../support/events.js';
import { recordedByPseudonym } from '../support/iam-user.js';
import { capturingLogger, errorLines } from '../support/logs.js';
import { storeIamUserAsBefore } from '../support/old-record.js';
import { loggedRecordHandler } from '../support/record-handler.js';
import { csrfOf, formBase } from '../support/serve.js';
import { rowsHolding, tempSqliteStore } from '../support/store.js';
import { digestKeys } from '../support/tamper.js';
import { inProcessWebApp } from '../support/web-app.js';

const USER = 'jan.jansen@example.nl';
const RECORDED_AT = '2026-11-28T03:00:00.000Z';
const MINIMISED_AT = '2027-07-01T00:00:00.000Z';
const PSEUDONYM = /^iam-user:[0-9a-f]{16}$/;
/** A policy that enforces disabling a signed-in IAM user's credentials (its sessions revoked). */
const ENFORCING = parsePolicy({ containment: { rules: [{ action: 'disable-credentials', findingTypes: ['UnauthorizedAccess:IAMUser/*'], mode: 'enforce' }] } });

/** An IAM user's console sign-in, named by the user name alone. */
/** `later`: a later version of the finding (its update time and count). */
function consoleLogin(id: string, later?: { updatedAt: string; count: number }) {
  return findingEvent({
    id,
    type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
    resource: { resourceType: 'AccessKey', accessKeyDetails: { userType: 'IAMUser', userName: USER } },
    ...later,
  } as never);
}

/** A containment adapter that records the user each step acts on, and each release's. */
function adapter(acted: string[], released: string[]): Containment {
  return {
    canEnforce: true,
    async execute(action, ctx) {
      acted.push(`${action.type} ${action.params?.userName}`);
      await ctx.record({ name: action.type, status: 'done', at: RECORDED_AT }, { userName: action.params?.userName, policyName: 'p' });
    },
    async release(action) {
      released.push(`${action.type} ${action.evidence?.userName ?? action.params?.userName}`);
    },
  };
}

describe('fgpseud17 item 1: an IAM user named by its user name is kept by a keyed pseudonym', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  it('names the resource, its key, the chained entries and the step by a pseudonym; messages leave the name out and say so; minimise leaves it in no row', async () => {
    const { id, pseudonym, deps, step } = await recordedByPseudonym(t.store, consoleLogin('f-console'), USER, RECORDED_AT);
    expect(step.id).not.toContain('jansen');
    for (const e of await t.store.getTimeline(id)) expect(JSON.stringify(e), `timeline entry ${e.kind}`).not.toContain('jansen');
    const messages = await t.store.listMessages(id);
    expect(messages.map((m) => m.channel).sort()).toEqual(['fg', 'on-call']);
    // Messages by the incident's own pseudonym (pseud21): sent and ledgered as written, minimise cannot take the store-wide one out.
    const own = ownPseudonyms(((await t.store.getIncident(id)) as Incident).pseudonymKey, pseudonym);
    expect(own).toMatch(/^iam-user:~[0-9a-f]{16}$/);
    for (const m of messages) {
      expect(`${m.subject}\n${m.body}`).not.toContain('jansen');
      expect(m.body, 'the step says its name is left out').toContain(`${own} (pseudoniem: naam weggelaten`);
      expect(JSON.stringify(m)).not.toContain(pseudonym);
    }
    // On-call reads the user under the step in `show`, until minimised.
    const shown = async () => showText((await t.store.getIncident(id)) as Incident, await t.store.getTimeline(id), DEFAULT_POLICY, RECORDED_AT);
    expect(await shown()).toContain(`user ${USER}`);

    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    const report = await minimiseClosed(
      { store: t.store, audit: t.store, now: () => MINIMISED_AT, machineNow: () => MINIMISED_AT },
      { by: 'FG', afterDays: 180 },
    );
    expect(report.minimised.map((m) => m.incidentId)).toContain(id);
    expect(rowsHolding(t.dir, 'jansen'), 'the tables whose rows still hold the user name once minimised').toEqual([]);
    expect(await shown()).not.toContain('jansen');
    expect(verifyOk(await verifyStore(t.store, { now: MINIMISED_AT }))).toBe(true);
  });

  it('item 3: the register says a minimised incident that names someone by a keyed pseudonym is pseudonymised, not anonymous; one without says nothing of it', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const person = (await recordEvent(deps, consoleLogin('f-console'))).incidentId as string;
    const key = (
      await recordEvent(
        deps,
        findingEvent({ id: 'f-key', type: 'CredentialAccess:IAMUser/AnomalousBehavior', resource: accessKeyResource('AKIAEXAMPLEKEY000001') }),
      )
    ).incidentId as string;
    for (const incidentId of [person, key]) {
      await assess(deps, { incidentId, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
      await closeIncident(deps, { incidentId, reason: 'afgehandeld', by: 'FG' });
    }
    await minimiseClosed({ store: t.store, audit: t.store, now: () => MINIMISED_AT, machineNow: () => MINIMISED_AT }, { by: 'FG', afterDays: 180 });
    const [a, b] = [(await t.store.getIncident(person)) as Incident, (await t.store.getIncident(key)) as Incident];
    // Minimised since pseud21: named by the incident's own pseudonym, its secret deleted.
    expect(registerRow(a, DEFAULT_POLICY, MINIMISED_AT).findingsMinimised).toMatch(
      /minimised .*; who it concerned is named only by this incident's own pseudonym, whose secret minimise deleted/,
    );
    expect(registerRow(b, DEFAULT_POLICY, MINIMISED_AT).findingsMinimised).toMatch(/^1 finding record minimised at [^;]*$/);
    // Recorded before pseud21 (no secret of its own): the store-wide pseudonym stays in its record and chain, and the register says so.
    const before: Incident = { ...a, pseudonymKey: undefined, resource: { ...a.resource, id: 'iam-user:0123456789abcdef' } };
    expect(registerRow(before, DEFAULT_POLICY, MINIMISED_AT).findingsMinimised).toMatch(
      /minimised .*; who it concerned is still named by a keyed pseudonym made with the store's secret .*pseudonymised, not anonymous/,
    );
    const md = registerMarkdown([a, b, before], DEFAULT_POLICY, MINIMISED_AT, 'nl');
    expect(md.match(/gepseudonimiseerd, niet anoniem/g)).toHaveLength(1);
    expect(md.match(/waarvan minimise de sleutel heeft verwijderd/g)).toHaveLength(1);
  });

  it('containment still acts on the real user (the contain function accepts the step) and release undoes it there', async () => {
    const deps = { store: t.store, policy: ENFORCING, now: () => RECORDED_AT, canEnforce: true };
    const id = (await recordEvent(deps, consoleLogin('f-console'))).incidentId as string;
    const step = ((await t.store.getIncident(id)) as Incident).actions.find((a) => a.type === 'revoke-user-sessions') as ActionRecord;
    expect(step).toMatchObject({ mode: 'enforce', target: expect.stringMatching(PSEUDONYM) });
    const acted: string[] = [];
    const released: string[] = [];
    const run = await runContainment({ ...deps, containment: adapter(acted, released) }, id);
    expect(run.refused, 'the contain function plans the stored finding as it was recorded').toEqual([]);
    expect(acted).toEqual([`revoke-user-sessions ${USER}`]);
    await releaseContainment({ ...deps, containment: adapter(acted, released) }, { incidentId: id, by: 'on-call', reason: 'false positive' });
    expect(released).toEqual([`revoke-user-sessions ${USER}`]);
  });

  it('pseud21: the contain function logs and throws a step by the incident’s own pseudonym: its log, kept past minimise, names the user by no pseudonym the store’s secret makes', async () => {
    const deps = { store: t.store, policy: ENFORCING, now: () => RECORDED_AT, canEnforce: true };
    const id = (await recordEvent(deps, consoleLogin('f-console'))).incidentId as string;
    const digits = ((await t.store.getIncident(id)) as Incident).resource.id.slice('iam-user:'.length);
    const lines: string[] = [];
    const failing: Containment = {
      canEnforce: true,
      execute: async (_, ctx) => ctx.record({ name: 'revoke-user-sessions', status: 'failed', at: RECORDED_AT, code: 'Throttling', detail: 'slow down' }),
      release: async () => {},
    };
    const contain = createContainHandler({
      store: t.store,
      notifier: { deliver: async () => {} },
      publisher: { publish: async () => {} },
      policy: ENFORCING,
      logger: capturingLogger(lines),
      now: () => RECORDED_AT,
      containment: failing,
    } as never);
    const error = await contain({ id: 'evt-1', detail: { incidentId: id } }).then(
      () => new Error('no error'),
      (err: Error) => err,
    );
    expect(error.message, 'premise: the step failed and the error names it').toMatch(/^contain: revoke-user-sessions iam-user:~[0-9a-f]{16}/);
    expect(lines.join('\n'), 'premise: the step is logged').toContain('"action":"revoke-user-sessions"');
    expect(`${lines.join('\n')}\n${error.message}`, 'the log and the error by the store-wide pseudonym').not.toContain(digits);
  });

  it('pseud21: a step still in effect keeps the store-wide pseudonym through minimise; the first minimise after its release unlinks it, and says so', async () => {
    const deps = { store: t.store, policy: ENFORCING, now: () => RECORDED_AT, canEnforce: true };
    const id = (await recordEvent(deps, consoleLogin('f-console'))).incidentId as string;
    const pseudonym = ((await t.store.getIncident(id)) as Incident).resource.id;
    const own = ownPseudonyms(((await t.store.getIncident(id)) as Incident).pseudonymKey, pseudonym);
    const shown = async () => showText((await t.store.getIncident(id)) as Incident, await t.store.getTimeline(id), DEFAULT_POLICY, RECORDED_AT);
    expect(await shown(), 'show tells on-call how the timeline names the step').toContain(
      `${own} in the timeline and messages (this incident's own pseudonym of ${pseudonym}`,
    );
    await runContainment({ ...deps, containment: adapter([], []) }, id);
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    const minimise = (at: string) => minimiseClosed({ store: t.store, audit: t.store, now: () => at, machineNow: () => at }, { by: 'FG', afterDays: 180 });
    await minimise(MINIMISED_AT);
    const held = (await t.store.getIncident(id)) as Incident;
    expect([held.resource.id, typeof held.pseudonymKey], 'its release needs the user: kept as it was').toEqual([pseudonym, 'string']);
    expect(registerRow(held, DEFAULT_POLICY, MINIMISED_AT).findingsMinimised).toMatch(/until its step in effect is released and minimise runs again/);
    const verified = async () => (await runCli(['verify', '--store', t.dir, '--now', '2027-07-02T00:00:00Z'])).stderr;
    expect(await verified(), 'verify says it, on stderr').toContain(
      `PSEUDONYMISED: 1 minimised incident (${id}) still names someone by a keyed pseudonym made with the store's secret`,
    );

    await releaseContainment({ ...deps, containment: adapter([], []) }, { incidentId: id, by: 'on-call', reason: 'false positive' });
    await minimise('2027-07-02T00:00:00.000Z');
    const after = (await t.store.getIncident(id)) as Incident;
    expect([after.resource.id, after.actions[0]?.target, after.pseudonymKey]).toEqual([own, own, undefined]);
    expect((await t.store.getTimeline(id)).at(-1)).toMatchObject({ kind: 'pseudonyms-unlinked', actor: 'FG', detail: { pseudonyms: 1, secretDeleted: true } });
    expect(rowsHolding(t.dir, pseudonym.slice('iam-user:'.length)), 'rows that still name it by the store-wide pseudonym').toEqual([]);
    expect(registerRow(after, DEFAULT_POLICY, '2027-07-02T00:00:00.000Z').findingsMinimised).toMatch(/named only by this incident's own pseudonym/);
    expect(await shown()).toMatch(/minimised .*named only by this incident's own pseudonym, whose secret minimise deleted/);
    expect(verifyOk(await verifyStore(t.store, { now: '2027-07-02T00:00:00.000Z' }))).toBe(true);
    expect(await verified()).not.toContain('PSEUDONYMISED');
  });

  it('pseud21: a step carried out by hand (datalek has nothing to release it by) neither keeps the user’s name nor the store-wide pseudonym through minimise', async () => {
    const { id, pseudonym, deps } = await recordedByPseudonym(t.store, consoleLogin('f-console'), USER, RECORDED_AT);
    const step = ((await t.store.getIncident(id)) as Incident).actions.find((a) => a.type === 'revoke-user-sessions') as ActionRecord;
    await recordContainedByHand(deps, { incidentId: id, actionId: step.id, by: 'on-call', what: 'sessies ingetrokken in de console', at: RECORDED_AT });
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    await minimiseClosed({ store: t.store, audit: t.store, now: () => MINIMISED_AT, machineNow: () => MINIMISED_AT }, { by: 'FG', afterDays: 180 });
    const after = (await t.store.getIncident(id)) as Incident;
    expect([after.actions[0]?.status, after.actions[0]?.byHand?.by], 'premise: done by hand').toEqual(['done', 'on-call']);
    expect(rowsHolding(t.dir, 'jansen'), 'rows that still hold the user’s name').toEqual([]);
    expect(rowsHolding(t.dir, pseudonym.slice('iam-user:'.length)), 'rows that still name the user by the store-wide pseudonym').toEqual([]);
    expect(after.pseudonymKey).toBeUndefined();
    expect(verifyOk(await verifyStore(t.store, { now: MINIMISED_AT }))).toBe(true);
  });

  it('pseud21: a step named as the messages name it (the incident’s own pseudonym) is the step: not-done, its withdrawal and contained take it', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT };
    const { id, step } = await recordedByPseudonym(t.store, consoleLogin('f-console'), USER, RECORDED_AT);
    const asTold = ownPseudonyms(((await t.store.getIncident(id)) as Incident).pseudonymKey, step.id);
    expect(asTold, 'premise: the messages name it otherwise').not.toBe(step.id);
    await recordNotToBeDone(deps, { incidentId: id, actionId: asTold, by: 'FG', reason: 'testaccount' });
    expect(((await t.store.getIncident(id)) as Incident).actions.find((a) => a.id === step.id)?.notDone?.reason).toBe('testaccount');
    await withdrawNotToBeDone({ ...deps, containment: adapter([], []) }, { incidentId: id, actionId: asTold, by: 'FG', reason: 'toch' });
    expect(((await t.store.getIncident(id)) as Incident).actions.find((a) => a.id === step.id)?.notDone).toBeUndefined();
    await recordContainedByHand(deps, { incidentId: id, actionId: asTold, by: 'on-call', what: 'sessies ingetrokken in de console', at: RECORDED_AT });
    expect(((await t.store.getIncident(id)) as Incident).actions.find((a) => a.id === step.id)?.status).toBe('done');
  });

  it('pseud21: an incident merged into another, its findings gone with it, is unlinked by minimise too once the survivor is', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    // The instance's incident first, then the user's sign-in (by its principal id): the sequence naming both merges the later into the earlier.
    const instance = (await recordEvent(deps, findingEvent({ id: 'f-instance', createdAt: '2026-11-27T20:00:00.000Z' }))).incidentId as string;
    const signIn = findingEvent({
      id: 'f-console',
      type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
      resource: { resourceType: 'AccessKey', accessKeyDetails: { userType: 'IAMUser', principalId: 'AIDAEXAMPLE', userName: 'someone' } },
    } as never);
    const person = (await recordEvent(deps, signIn)).incidentId as string;
    const pseudonym = ((await t.store.getIncident(person)) as Incident).resource.id;
    expect(pseudonym).toMatch(PSEUDONYM);
    await recordEvent(deps, credentialSequenceEvent({ detection: sequenceDetection() }));
    expect(((await t.store.getIncident(person)) as Incident).mergedInto, 'premise: merged').toBe(instance);
    await assess(deps, { incidentId: instance, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: instance, reason: 'afgehandeld', by: 'FG' });
    await minimiseClosed({ store: t.store, audit: t.store, now: () => MINIMISED_AT, machineNow: () => MINIMISED_AT }, { by: 'FG', afterDays: 180 });
    const merged = (await t.store.getIncident(person)) as Incident;
    expect(merged.pseudonymKey, 'the merged incident’s secret').toBeUndefined();
    expect(rowsHolding(t.dir, pseudonym.slice('iam-user:'.length)), 'rows that still name the user by the store-wide pseudonym').toEqual([]);
    expect(verifyOk(await verifyStore(t.store, { now: MINIMISED_AT }))).toBe(true);
  });

  it('pseud21: an incident whose finding went on to a follow-up (none left of its own) is unlinked by minimise too', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const first = (await recordEvent(deps, consoleLogin('f-console'))).incidentId as string;
    const pseudonym = ((await t.store.getIncident(first)) as Incident).resource.id;
    await assess(deps, { incidentId: first, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: first, reason: 'afgehandeld', by: 'FG' });
    // The finding again after closing, with activity since: a follow-up takes its record on.
    const later = consoleLogin('f-console', { updatedAt: '2026-11-28T05:00:00.000Z', count: 2 });
    const followUp = (await recordEvent({ ...deps, now: () => '2026-11-28T05:05:00.000Z' }, later)).incidentId as string;
    expect(followUp, 'premise: a follow-up').not.toBe(first);
    expect((await t.store.getFinding({ accountId: ACCOUNT, region: 'eu-west-1', findingId: 'f-console' }))?.incidentId).toBe(followUp);
    await assess(
      { ...deps, now: () => '2026-11-28T05:10:00.000Z' },
      { incidentId: followUp, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' },
    );
    await closeIncident({ ...deps, now: () => '2026-11-28T05:10:00.000Z' }, { incidentId: followUp, reason: 'afgehandeld', by: 'FG' });
    await minimiseClosed({ store: t.store, audit: t.store, now: () => MINIMISED_AT, machineNow: () => MINIMISED_AT }, { by: 'FG', afterDays: 180 });
    expect(((await t.store.getIncident(first)) as Incident).pseudonymKey, 'the first incident’s secret').toBeUndefined();
    expect(rowsHolding(t.dir, pseudonym.slice('iam-user:'.length)), 'rows that still name the user by the store-wide pseudonym').toEqual([]);
    expect(verifyOk(await verifyStore(t.store, { now: MINIMISED_AT }))).toBe(true);
  });

  it('an incident recorded before, on the user name itself, takes the user’s next finding without a second step; its step is still enforced', async () => {
    const deps = { store: t.store, policy: ENFORCING, now: () => RECORDED_AT, canEnforce: true };
    const id = (await recordEvent({ ...deps, canEnforce: false }, consoleLogin('f-console-1'))).incidentId as string;
    await storeIamUserAsBefore(t.store, id, USER);
    const again = await recordEvent({ ...deps, now: () => '2026-11-28T04:00:00.000Z' }, consoleLogin('f-console-2'));
    expect([again.outcome, again.incidentId]).toEqual(['attached', id]);
    const after = (await t.store.getIncident(id)) as Incident;
    const steps = after.actions.filter((a) => a.type === 'revoke-user-sessions');
    // One step for the one user: the old one (its id), upgraded to the plan of now (its target the pseudonym).
    expect(steps.map((a) => [a.id, a.mode])).toEqual([[`revoke-user-sessions:${USER}`, 'enforce']]);
    expect(steps[0].target).toMatch(PSEUDONYM);
    expect(after.resource.id, 'the old record is read as it is').toBe(USER);
    const acted: string[] = [];
    const run = await runContainment({ ...deps, now: () => '2026-11-28T04:00:00.000Z', containment: adapter(acted, []) }, id);
    expect(run.refused).toEqual([]);
    expect(acted).toEqual([`revoke-user-sessions ${USER}`]);
    expect(verifyOk(await verifyStore(t.store, { now: '2026-11-28T05:00:00.000Z' }))).toBe(true);
  });

  it('a step enforced before, on the user name itself, is still carried out on the user (the contain function reads it under its pseudonym)', async () => {
    const deps = { store: t.store, policy: ENFORCING, now: () => RECORDED_AT, canEnforce: true };
    const id = (await recordEvent(deps, consoleLogin('f-console'))).incidentId as string;
    await storeIamUserAsBefore(t.store, id, USER);
    const acted: string[] = [];
    const run = await runContainment({ ...deps, containment: adapter(acted, []) }, id);
    expect(run.refused).toEqual([]);
    expect(acted).toEqual([`revoke-user-sessions ${USER}`]);
  });

  it('an attack sequence’s IAM user actor named by its user name alone is listed and acted on by its pseudonym', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const detection = sequenceDetection();
    detection.sequence.actors = [{ id: `user:IAMUser:${USER}`, user: { name: USER, type: 'IAMUser', account: { uid: ACCOUNT } } } as never];
    const id = (await recordEvent(deps, credentialSequenceEvent({ id: 'seq-user', detection }))).incidentId as string;
    const incident = (await t.store.getIncident(id)) as Incident;
    const actor = (incident.resources ?? []).find((r) => r.kind === 'iam-principal');
    expect(actor?.id).toMatch(PSEUDONYM);
    expect(incident.actions.find((a) => a.type === 'revoke-user-sessions')?.target).toBe(actor?.id);
    // The same user's console sign-in joins the sequence's incident.
    const login = await recordEvent({ ...deps, now: () => '2026-11-28T04:00:00.000Z' }, consoleLogin('f-console'));
    expect([login.outcome, login.incidentId]).toEqual(['attached', id]);
    for (const e of await t.store.getTimeline(id)) expect(JSON.stringify(e), `timeline entry ${e.kind}`).not.toContain('jansen');
  });
});

/**
 * A user's incident recorded and closed, and the user's resource then claimed for another incident
 * behind the pipeline: the user's next finding is refused at every try, in the store's words naming the resource.
 */
async function claimedBehindThePipeline(t: ReturnType<typeof tempSqliteStore>): Promise<{ pseudonym: string; other: string }> {
  const { id, pseudonym, deps } = await recordedByPseudonym(t.store, consoleLogin('f-console'), USER, RECORDED_AT);
  await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
  await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
  const other = (await recordEvent(deps, findingEvent({ id: 'f-ec2', severity: 8.5, instanceId: 'i-0other000000001' }))).incidentId as string;
  const db = new Database(join(t.dir, STORE_FILE));
  db.prepare('INSERT INTO incident_keys (resource_key, incident_id) VALUES (?, ?)').run(((await t.store.getIncident(id)) as Incident).resourceKey, other);
  db.close();
  return { pseudonym, other };
}

describe('fg22: what outlives minimise names a principal by the incident’s own pseudonym', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  it('item 1: the anchor function’s log and error, and datalek anchor’s stderr, quote a column altered by the incident’s own pseudonym', async () => {
    const { id, pseudonym } = await recordedByPseudonym(t.store, consoleLogin('f-console'), USER, RECORDED_AT);
    const digits = pseudonym.slice('iam-user:'.length);
    const own = ownPseudonyms(((await t.store.getIncident(id)) as Incident).pseudonymKey, pseudonym);
    // The join column altered behind the pipeline: the problem quotes the value it holds.
    const db = new Database(join(t.dir, STORE_FILE));
    db.prepare(`UPDATE incidents SET resource_key = resource_key || '#' WHERE id = ?`).run(id);
    db.close();
    // Beside the store, not in it.
    const outside = mkdtempSync(`${t.dir}-anchor-`);
    const keys = digestKeys(outside);
    const digests = join(outside, 'digests');
    const lines: string[] = [];
    const anchor = createAnchorHandler({
      source: t.store,
      digests: new DigestFolder(digests),
      signer: async () => pemSigner(keys.private),
      logger: capturingLogger(lines),
      now: () => RECORDED_AT,
    });
    const error = await anchor().then(
      () => 'no error',
      (err: Error) => err.message,
    );
    const logged = errorLines(lines).join('\n');
    expect(logged, 'premise: the log names the column altered').toContain(`the column resourceKey (\\"iam-principal:${ACCOUNT}:${own}#\\")`);
    expect(`${logged}\n${error}`, 'the log and the error by the store-wide pseudonym').not.toContain(digits);
    const cli = await runCli(['anchor', '--store', t.dir, '--digests', digests, '--key', keys.private]);
    rmSync(outside, { recursive: true, force: true });
    expect(cli.stderr, 'premise: datalek anchor names it').toContain(`the column resourceKey ("iam-principal:${ACCOUNT}:${own}#")`);
    expect(`${cli.stdout}\n${cli.stderr}`, 'datalek anchor by the store-wide pseudonym').not.toContain(digits);
    // verify, the record's reader, still quotes what the store holds.
    const verified = await runCli(['verify', '--store', t.dir]);
    expect(`${verified.stdout}\n${verified.stderr}`).toContain(`the column resourceKey ("iam-principal:${ACCOUNT}:${pseudonym}#")`);
  });

  it('item 1: the record function throws a store’s refusal naming the principal (Lambda logs it, the dead-letter queue keeps it) with the pseudonym withheld', async () => {
    const { pseudonym, other } = await claimedBehindThePipeline(t);
    const lines: string[] = [];
    const record = loggedRecordHandler(t.store, lines, '2026-11-28T04:00:00.000Z');
    const context = { awsRequestId: 'r', functionName: 'record', getRemainingTimeInMillis: () => 10_000 };
    const err = (await record(consoleLogin('f-console-2'), context).catch((e: unknown) => e)) as StuckConflictError;
    expect(err, 'premise: refused for good').toBeInstanceOf(StuckConflictError);
    expect(err.message, 'premise: in the store’s words').toContain(
      `resource iam-principal:${ACCOUNT}:iam-user:(pseudonym withheld) is claimed by incident ${other}`,
    );
    const thrown = `${err.message}\n${err.stack}\n${err.storeText}\n${lines.join('\n')}`;
    expect(thrown, 'what Lambda logs by the store-wide pseudonym').not.toContain(pseudonym.slice('iam-user:'.length));
  });

  it('item 1: replay, the embedded store’s record function (npm start, cron), prints a store’s refusal naming the principal with the pseudonym withheld', async () => {
    const { pseudonym, other } = await claimedBehindThePipeline(t);
    const events = join(t.dir, 'events.json');
    writeFileSync(events, JSON.stringify([consoleLogin('f-console-2')]));
    for (const json of [['--json'], []]) {
      const replayed = await runCli(['replay', events, '--store', t.dir, '--now', '2026-11-28T04:00:00Z', ...json]);
      expect(replayed.code, 'premise: the event is rejected').toBe(1);
      expect(replayed.stdout, 'premise: in the store’s words').toContain(
        `resource iam-principal:${ACCOUNT}:iam-user:(pseudonym withheld) is claimed by incident ${other}`,
      );
      expect(`${replayed.stdout}\n${replayed.stderr}`).not.toContain(pseudonym.slice('iam-user:'.length));
    }
  });

  it('item 1: the contain function throws a store’s refusal naming the principal by the incident’s own pseudonym', async () => {
    const deps = { store: t.store, policy: ENFORCING, now: () => RECORDED_AT, canEnforce: true };
    const id = (await recordEvent(deps, consoleLogin('f-console'))).incidentId as string;
    const incident = (await t.store.getIncident(id)) as Incident;
    const own = ownPseudonyms(incident.pseudonymKey, incident.resource.id);
    const refusing = Object.assign(Object.create(t.store) as SqliteIncidentStore, {
      commit: async () => {
        throw new StoreRefusedError(`commit of incident ${id} refused: resource ${incident.resourceKey} is held by incident dl-planted`);
      },
    });
    const lines: string[] = [];
    const contain = createContainHandler({
      store: refusing,
      notifier: { deliver: async () => {} },
      publisher: { publish: async () => {} },
      policy: ENFORCING,
      logger: capturingLogger(lines),
      now: () => RECORDED_AT,
      containment: adapter([], []),
    } as never);
    const err = (await contain({ id: 'evt-1', detail: { incidentId: id } }).catch((e: unknown) => e)) as Error;
    expect(err.message, 'premise: in the store’s words').toContain(`resource iam-principal:${ACCOUNT}:${own} is held by incident dl-planted`);
    expect(`${err.message}\n${err.stack}\n${lines.join('\n')}`).not.toContain(incident.resource.id.slice('iam-user:'.length));
  });

  it('item 3: show and the register say a retention hold keeps the store-wide pseudonym, not a step in effect, when a hold does', async () => {
    const deps = { store: t.store, policy: ENFORCING, now: () => RECORDED_AT, canEnforce: true };
    const id = (await recordEvent(deps, consoleLogin('f-console'))).incidentId as string;
    await runContainment({ ...deps, containment: adapter([], []) }, id);
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    const minimise = (at: string) => minimiseClosed({ store: t.store, audit: t.store, now: () => at, machineNow: () => at }, { by: 'FG', afterDays: 180 });
    await minimise(MINIMISED_AT);
    // The step released, then the findings held (a claim under way) before minimise ran again.
    await releaseContainment({ ...deps, containment: adapter([], []) }, { incidentId: id, by: 'on-call', reason: 'false positive' });
    await holdFindings(deps, id, { by: 'Jurist', reason: 'claim under way' });
    await minimise('2027-07-02T00:00:00.000Z');
    const held = (await t.store.getIncident(id)) as Incident;
    expect([held.resource.id, typeof held.pseudonymKey], 'premise: kept as it was').toEqual([expect.stringMatching(PSEUDONYM), 'string']);
    const row = registerRow(held, DEFAULT_POLICY, '2027-07-02T00:00:00.000Z').findingsMinimised;
    expect(row).toMatch(/until its retention hold \(Jurist\) is released and minimise runs again/);
    expect(row).not.toMatch(/step in effect/);
    const shown = showText(held, await t.store.getTimeline(id), DEFAULT_POLICY, '2027-07-02T00:00:00.000Z');
    expect(shown).toMatch(/minimised .*until its retention hold \(Jurist\) is released/);
    expect(registerMarkdown([held], DEFAULT_POLICY, '2027-07-02T00:00:00.000Z', 'nl')).toContain(
      'tot het langer bewaren (Jurist) is opgeheven en minimise opnieuw draait',
    );
  });

  it('item 4: verify’s PSEUDONYMISED line names an incident recorded before pseud21 whose findings all went to a follow-up and were minimised there', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const first = (await recordEvent(deps, consoleLogin('f-console'))).incidentId as string;
    // As recorded before pseud21: no secret of its own (pseudonym-key-lost.test.ts builds it so too).
    const current = (await t.store.getIncident(first)) as Incident;
    const before = { ...structuredClone(current), revision: current.revision + 1, pseudonymKey: undefined };
    await t.store.commit({
      incident: before,
      expectedRevision: current.revision,
      timeline: appendEntries(before, [{ at: '2026-11-28T03:01:00.000Z', kind: 'note' }]),
      messages: [],
    });
    await assess(deps, { incidentId: first, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: first, reason: 'afgehandeld', by: 'FG' });
    // The finding again after closing, with activity since: a follow-up takes its record on.
    const later = consoleLogin('f-console', { updatedAt: '2026-11-28T05:00:00.000Z', count: 2 });
    const at = { ...deps, now: () => '2026-11-28T05:10:00.000Z' };
    const followUp = (await recordEvent(at, later)).incidentId as string;
    expect(followUp, 'premise: a follow-up').not.toBe(first);
    await assess(at, { incidentId: followUp, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(at, { incidentId: followUp, reason: 'afgehandeld', by: 'FG' });
    await minimiseClosed({ store: t.store, audit: t.store, now: () => MINIMISED_AT, machineNow: () => MINIMISED_AT }, { by: 'FG', afterDays: 180 });
    const old = (await t.store.getIncident(first)) as Incident;
    expect([old.minimised, old.resource.id], 'premise: no note of its own, the store-wide pseudonym kept').toEqual([
      undefined,
      expect.stringMatching(PSEUDONYM),
    ]);
    const verified = await runCli(['verify', '--store', t.dir, '--now', '2027-07-02T00:00:00Z']);
    expect(verified.stderr).toMatch(new RegExp(`PSEUDONYMISED: \\d+ minimised incidents? \\([^)]*${first}`));
  });

  it('item 5: show gives the incident’s own pseudonym of a principal no step names (an assumed role’s session, an actor), as the timeline and messages name it', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const session = findingEvent({
      id: 'f-role-console',
      type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
      resource: {
        resourceType: 'AccessKey',
        accessKeyDetails: { principalId: 'AROAEXAMPLEROLEID0001:r.roelofs@example.nl', userType: 'AssumedRole', userName: 'AWSReservedSSO_Admin' },
      },
    } as never);
    const detection = sequenceDetection();
    detection.sequence.actors = [
      { id: 'session:x', user: { name: 'piet', uid: 'AROAEXAMPLE:piet@example.nl', type: 'AssumedRole', account: { uid: ACCOUNT } } } as never,
    ];
    const sequence = credentialSequenceEvent({ id: 'seq-session', detection });
    for (const event of [session, sequence]) {
      const id = (await recordEvent(deps, event)).incidentId as string;
      const incident = (await t.store.getIncident(id)) as Incident;
      const principal = [incident.resource, ...(incident.resources ?? [])].find((r) => r.kind === 'iam-principal')?.id as string;
      expect(principal, 'premise: named by the store-wide pseudonym').toMatch(/^role-session:[0-9a-f]{16}$/);
      expect(
        incident.actions.map((a) => a.target),
        'premise: no step names it',
      ).not.toContain(principal);
      const own = ownPseudonyms(incident.pseudonymKey, principal);
      const timeline = await t.store.getTimeline(id);
      const shown = showText(incident, timeline, DEFAULT_POLICY, RECORDED_AT);
      expect(shown).toContain(`${own} in the timeline and messages (this incident's own pseudonym of ${principal}`);
      // Whatever own pseudonym the timeline and the messages give, show gives too.
      const told =
        `${JSON.stringify(timeline)}${JSON.stringify(await t.store.listMessages(id))}`.match(/(iam-user|role-session|federated-user):~[0-9a-f]{16}/g) ?? [];
      for (const name of told) expect(shown, `show names ${name}`).toContain(`${name} in the timeline and messages`);
    }
  });

  it('item 1: minimise (run monthly, its output mailed) throws a store’s refusal of the unlinking by the incident’s own pseudonym', async () => {
    const { id, pseudonym, deps } = await recordedByPseudonym(t.store, consoleLogin('f-console'), USER, RECORDED_AT);
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    const incident = (await t.store.getIncident(id)) as Incident;
    const own = ownPseudonyms(incident.pseudonymKey, pseudonym);
    // The store refuses the unlinking commit in its own words, naming the resource.
    const refusing = Object.assign(Object.create(t.store) as SqliteIncidentStore, {
      commit: async (change: { timeline: { kind: string }[] }) => {
        if (change.timeline.some((e) => e.kind === 'pseudonyms-unlinked'))
          throw new StoreRefusedError(`commit of incident ${id} refused: resource ${incident.resourceKey} is held by incident dl-planted`);
        return t.store.commit(change as never);
      },
    });
    const err = (await minimiseClosed(
      { store: refusing, audit: t.store, now: () => MINIMISED_AT, machineNow: () => MINIMISED_AT },
      { by: 'FG', afterDays: 180 },
    ).catch((e: unknown) => e)) as Error;
    expect(err.message, 'premise: in the store’s words').toContain(`resource iam-principal:${ACCOUNT}:${own} is held by incident dl-planted`);
    expect(`${err.message}\n${err.stack}`).not.toContain(pseudonym.slice('iam-user:'.length));
  });

  it('item 1: the sweep function logs an incident it could not sweep, in the store’s words, by the incident’s own pseudonym', async () => {
    const { id, pseudonym } = await recordedByPseudonym(t.store, consoleLogin('f-console'), USER, RECORDED_AT);
    const incident = (await t.store.getIncident(id)) as Incident;
    const own = ownPseudonyms(incident.pseudonymKey, pseudonym);
    // The store refuses the commit in its own words, naming the resource (as its claim conflicts do).
    const refusing = Object.assign(Object.create(t.store) as SqliteIncidentStore, {
      commit: async () => {
        throw new StoreRefusedError(`commit of incident ${id} refused: resource ${incident.resourceKey} is held by incident dl-planted`);
      },
    });
    const lines: string[] = [];
    const sweep = createSweepHandler({
      store: refusing,
      policy: DEFAULT_POLICY,
      logger: capturingLogger(lines),
      now: () => '2026-11-28T09:00:00.000Z',
      publisher: { publish: async () => {} },
      notifier: { deliver: async () => {} },
    });
    const error = await sweep().then(
      () => 'no error',
      (err: Error) => err.message,
    );
    const logged = errorLines(lines).join('\n');
    expect(logged, 'premise: the log names the incident and the store’s words').toContain(`iam-principal:${ACCOUNT}:${own} is held by incident dl-planted`);
    expect(`${logged}\n${error}`, 'the log and the error by the store-wide pseudonym').not.toContain(pseudonym.slice('iam-user:'.length));
  });
});

describe('fg24: what the acknowledgement link and function answer names a principal by the incident’s own pseudonym', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());
  const LINK_KEY = Buffer.alloc(32, 9);
  const ORIGIN = 'http://127.0.0.1:8733';
  const NOW = '2026-11-28T03:05:00.000Z';

  /** The IAM user's incident, and a store that refuses every commit of it in its own words, naming its resource (a planted claim). */
  async function refusedEveryCommit() {
    const { id, pseudonym } = await recordedByPseudonym(t.store, consoleLogin('f-console'), USER, RECORDED_AT);
    const incident = (await t.store.getIncident(id)) as Incident;
    const refusing = Object.assign(Object.create(t.store) as SqliteIncidentStore, {
      commit: async () => {
        throw new ConflictError(`resource ${incident.resourceKey} is held by incident dl-planted`);
      },
    });
    return { id, digits: pseudonym.slice('iam-user:'.length), own: ownPseudonyms(incident.pseudonymKey, pseudonym), refusing };
  }

  it('item 2: the signed link’s page (it leaves the resource out) gives the store’s refusal by the incident’s own pseudonym', async () => {
    const { id, digits, own, refusing } = await refusedEveryCommit();
    const app = createLinkApp({ store: refusing, policy: DEFAULT_POLICY, now: () => NOW, linkKey: async () => LINK_KEY, target: 'local', live: false });
    const token = signAckLink(LINK_KEY, { incidentId: id, level: 'secondary', round: 0, expiresAt: '2026-11-28T04:00:00.000Z' });
    const reply = await app.request(
      `${ORIGIN}/ack/${token}`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN }, body: 'by=Anna' },
      { conflictRetry: { again: async (n: number) => n < 3 } },
    );
    const page = await reply.text();
    expect(reply.status, 'premise: refused for good').toBe(500);
    expect(page, 'premise: in the store’s words').toContain(`iam-principal:${ACCOUNT}:${own} is held by incident dl-planted`);
    expect(page).not.toContain(digits);
  });

  it('item 2: the acknowledgement function’s answer (error and the store’s words) names it by the incident’s own pseudonym', async () => {
    const { id, digits, own, refusing } = await refusedEveryCommit();
    const lines: string[] = [];
    const reply = await acknowledgeByFunction(refusing, lines, NOW, id);
    expect(reply.statusCode, 'premise: refused for good').toBe(500);
    const body = JSON.parse(reply.body) as { error: string; stuck: string };
    expect(body.stuck, 'premise: in the store’s words').toContain(`iam-principal:${ACCOUNT}:${own} is held by incident dl-planted`);
    expect(`${reply.body}\n${lines.join('\n')}`).not.toContain(digits);
  });

  /** The IAM user's incident, and a store whose every commit of it fails in words naming its resource, not as a conflict: the web's last resort (onError) tells it. */
  async function failedEveryCommit() {
    const { id, pseudonym } = await recordedByPseudonym(t.store, consoleLogin('f-console'), USER, RECORDED_AT);
    const incident = (await t.store.getIncident(id)) as Incident;
    const refusing = Object.assign(Object.create(t.store) as SqliteIncidentStore, {
      commit: async () => {
        throw new StoreRefusedError(`commit of incident ${id} refused: resource ${incident.resourceKey} is held by incident dl-planted`, { incidentId: id });
      },
    });
    return { id, digits: pseudonym.slice('iam-user:'.length), refusing };
  }

  it('item 2: datalek serve’s error page and its log line (its stderr) withhold the store-wide pseudonym of a failure they quote', async () => {
    const { id, digits, refusing } = await failedEveryCommit();
    const logged: string[] = [];
    const web = inProcessWebApp({ store: refusing, policy: DEFAULT_POLICY, now: () => NOW, log: (line) => void logged.push(line) });
    const html = await (await web.get(`/incidents/${id}`, 'en')).text();
    const res = await web.post(`/incidents/${id}/ack`, { _csrf: csrfOf(html), ...formBase(html, 'ack'), note: 'gezien' }, 'en');
    const page = await res.text();
    expect(res.status, 'premise: the failure page').toBe(500);
    expect(`${page}\n${logged.join('\n')}`, 'premise: the store’s words').toContain('iam-user:(pseudonym withheld) is held by incident dl-planted');
    expect(`${page}\n${logged.join('\n')}`).not.toContain(digits);
  });

  it('item 3: the link-apply function’s log of a failure (CloudWatch keeps it) withholds the store-wide pseudonym', async () => {
    const { id, digits, refusing } = await failedEveryCommit();
    const logged: string[] = [];
    const app = createLinkApp({
      store: refusing,
      policy: DEFAULT_POLICY,
      now: () => NOW,
      linkKey: async () => LINK_KEY,
      target: 'local',
      live: false,
      log: (line) => void logged.push(line),
    });
    const token = signAckLink(LINK_KEY, { incidentId: id, level: 'secondary', round: 0, expiresAt: '2026-11-28T04:00:00.000Z' });
    const reply = await app.request(`${ORIGIN}/ack/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
      body: 'by=Anna',
    });
    expect(reply.status, 'premise: the failure page').toBe(500);
    expect(logged.join('\n'), 'premise: the store’s words').toContain('iam-user:(pseudonym withheld) is held by incident dl-planted');
    expect(`${await reply.text()}\n${logged.join('\n')}`).not.toContain(digits);
  });

  it('item 3: the acknowledgement function throws a failure it does not answer (Lambda logs it) by the incident’s own pseudonym', async () => {
    const { id, digits, refusing } = await failedEveryCommit();
    const own = ownPseudonyms(((await t.store.getIncident(id)) as Incident).pseudonymKey, `iam-user:${digits}`);
    const err = (await acknowledgeByFunction(refusing, [], NOW, id).catch((e: unknown) => e)) as Error;
    expect(err, 'premise: thrown').toBeInstanceOf(StoreRefusedError);
    expect(err.message, 'premise: the store’s words').toContain(`iam-principal:${ACCOUNT}:${own} is held by incident dl-planted`);
    expect(`${err.message}\n${err.stack}`).not.toContain(digits);
  });
});

describe('fg24: what the FG hands on (the AP draft, the register, the report) names a principal by the incident’s own pseudonym', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  it('the AP draft, every register format and the HTML report name the IAM user’s step as the timeline does, not by the store-wide pseudonym', async () => {
    const { id, pseudonym } = await recordedByPseudonym(t.store, consoleLogin('f-console'), USER, RECORDED_AT);
    const incident = (await t.store.getIncident(id)) as Incident;
    const own = ownPseudonyms(incident.pseudonymKey, pseudonym);
    const at = '2026-11-28T04:00:00.000Z';
    const row = registerRow(incident, DEFAULT_POLICY, at);
    const handedOn = {
      draft: draftMarkdown(buildDraft(incident, DEFAULT_POLICY, at, 'nl'), DEFAULT_POLICY.timeZone),
      draftJson: JSON.stringify(buildDraft(incident, DEFAULT_POLICY, at, 'en')),
      registerJson: JSON.stringify(row),
      registerCsv: registerCsv([row]),
      registerMd: registerMarkdown([incident], DEFAULT_POLICY, at, 'nl'),
      report: reportHtml(incident, await t.store.getTimeline(id), DEFAULT_POLICY, at, 'nl'),
    };
    for (const [what, text] of Object.entries(handedOn)) {
      expect(text, `${what} by the store-wide pseudonym`).not.toContain(pseudonym.slice('iam-user:'.length));
    }
    // Markdown writes the `~` escaped.
    expect(handedOn.draft, 'premise: the draft names the open step').toContain(`intrekken ${own.replace('~', '\\~')}`);
    expect(handedOn.registerCsv, 'premise: the register names the step').toContain(`revoke-user-sessions ${own}`);
  });
});
