/**
 * fg19 (closing note of stop 17): a record minimised before 8055538c, whose finding named an assumed
 * role's session (`AROA…:name`), had its principal id removed whole; where the finding repeated the
 * session's name alone ("Credentials for jdevries used from …") the name stayed, and since the principal
 * id is gone nothing says what to look for: `minimise` run again found the record minimised and did
 * nothing, verify stayed green, and nobody was told. Now the re-run minimises such a record again: it
 * removes what it can (the name an incident recorded before fed16 still holds as its resource id, and
 * whatever today's minimise finds, such as an address in the free text), marks the record
 * (`minimised.sessionNames`), and says in its output when the name is known nowhere any more.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import { namedResourceKey } from '../../handlers/core/finding.js';
import type { FindingRecord, Incident } from '../../handlers/core/incident.js';
import { MINIMISED, minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { runCli } from '../support/cli.js';
import { ACCOUNT, findingEvent, REGION } from '../support/events.js';
import { storeMinimisedAsBefore } from '../support/old-record.js';
import { rowsHolding, tempSqliteStore } from '../support/store.js';

const SESSION = 'jdevries';
const PRINCIPAL = `AROAEXAMPLEROLE00001:${SESSION}`;
const RECORDED_AT = '2026-06-01T03:00:00.000Z';
const OLD_MINIMISE_AT = '2026-11-20T00:00:00.000Z';
const NOW = '2026-11-29T00:00:00.000Z';

/** A role session's credentials used from outside: the finding repeats the session's name alone, in its title and description. */
function sessionEvent(id: string, accessKeyId: string) {
  const event = findingEvent({
    id,
    type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
    createdAt: RECORDED_AT,
    resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId, principalId: PRINCIPAL, userType: 'AssumedRole', userName: 'DevRole' } },
    service: { additionalInfo: { value: '{"origin":"2001:db8::7"}' } },
  } as never) as { detail: Record<string, unknown> };
  event.detail.title = `Credentials for ${SESSION} used from 198.51.100.23`;
  event.detail.description = `Session ${SESSION} of role DevRole was used from 198.51.100.23.`;
  return event;
}

/**
 * The incident's finding record minimised as code before 8055538c left it: the principal id, role and
 * IP address removed whole, the session's name left where the finding repeated it alone, and (before
 * fg19) an IPv6 address in `additionalInfo` left too; written with its ledger entry, as minimise writes.
 */
async function minimisedAsBefore(store: SqliteIncidentStore, incidentId: string, findingId: string): Promise<void> {
  await storeMinimisedAsBefore(store, incidentId, { accountId: ACCOUNT, region: REGION, findingId }, { at: OLD_MINIMISE_AT, afterDays: 0 }, (old) => {
    old.detail.title = `Credentials for ${SESSION} used from ${MINIMISED}`;
    old.detail.description = `Session ${SESSION} of role ${MINIMISED} was used from ${MINIMISED}.`;
    (old.detail.service as { additionalInfo: { value: string } }).additionalInfo.value = '{"origin":"2001:db8::7"}';
    if (old.minimised) {
      old.minimised.removed = old.minimised.removed.filter((p) => p.startsWith('resource.') || p.includes('remoteIpDetails'));
      delete old.minimised.sessionNames;
    }
  });
}

/** What `datalek minimise` prints, run at NOW on the store in `dir`. */
async function minimiseOutput(dir: string): Promise<string> {
  const { code, stdout, stderr } = await runCli(['minimise', '--by', 'FG', '--after-days', '0', '--now', NOW, '--store', dir]);
  expect(code, stderr).toBe(0);
  return stdout;
}

describe('fg19: minimise run again on a record minimised before a role session’s name was looked for', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  async function closedAndMinimisedAsBefore(): Promise<string> {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const id = (await recordEvent(deps, sessionEvent('f-session', 'ASIAEXAMPLESESSION09'))).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    await minimisedAsBefore(t.store, id, 'f-session');
    expect(verifyOk(await verifyStore(t.store, { now: NOW })), 'the old record verifies (but for the IPv6 address fg19 finds)').toBe(false);
    return id;
  }

  it('removes what it can, marks the record, and says the session’s name is known nowhere any more; a second run says nothing', async () => {
    const id = await closedAndMinimisedAsBefore();
    const report = await minimiseClosed({ store: t.store, audit: t.store, now: () => NOW, machineNow: () => NOW }, { by: 'FG', afterDays: 0 });
    const key = `${ACCOUNT}/${REGION}/f-session`;
    expect(report.minimised.find((m) => m.incidentId === id)?.sessionNamesNotKnown).toEqual([key]);
    const stored = (await t.store.getFinding({ accountId: ACCOUNT, region: REGION, findingId: 'f-session' })) as FindingRecord;
    // What it could: the IPv6 address; what it could not: the name, which nothing names any more.
    expect(JSON.stringify(stored.detail)).not.toContain('2001:db8::7');
    expect(stored.detail.title).toBe(`Credentials for ${SESSION} used from ${MINIMISED}`);
    expect(stored.minimised?.sessionNames).toBe('not-known');
    expect(verifyOk(await verifyStore(t.store, { now: NOW }))).toBe(true);
    const again = await minimiseClosed({ store: t.store, audit: t.store, now: () => NOW, machineNow: () => NOW }, { by: 'FG', afterDays: 0 });
    expect(again.minimised).toEqual([]);
  });

  it('the output of datalek minimise says so, naming the finding and not the name', async () => {
    const id = await closedAndMinimisedAsBefore();
    const text = await minimiseOutput(t.dir);
    expect(text).toContain(`${id}: `);
    expect(text).toMatch(
      /f-session minimised by a release before fg19.*its session name, where it is no e-mail address, may still be in the finding's free text.*minimise cannot look for it/,
    );
    expect(text).not.toContain(SESSION);
  });

  it('an incident recorded before fed16 still holds the principal id: the re-run removes the session’s name with it', async () => {
    const id = await closedAndMinimisedAsBefore();
    // As code before fed16 recorded a role session's console sign-in: the principal id itself as the resource.
    const incident = (await t.store.getIncident(id)) as Incident;
    const old = structuredClone(incident);
    old.resource = { kind: 'iam-principal', resourceType: 'AccessKey', id: PRINCIPAL };
    old.resourceKey = namedResourceKey('iam-principal', PRINCIPAL, ACCOUNT, REGION);
    old.revision += 1;
    await t.store.commit({ incident: old, expectedRevision: incident.revision, timeline: [], messages: [] });

    const report = await minimiseClosed({ store: t.store, audit: t.store, now: () => NOW, machineNow: () => NOW }, { by: 'FG', afterDays: 0 });
    expect(report.minimised.find((m) => m.incidentId === id)?.sessionNamesNotKnown).toBeUndefined();
    const stored = (await t.store.getFinding({ accountId: ACCOUNT, region: REGION, findingId: 'f-session' })) as FindingRecord;
    expect(stored.detail.title).toBe(`Credentials for ${MINIMISED} used from ${MINIMISED}`);
    expect(stored.detail.description).toBe(`Session ${MINIMISED} of role ${MINIMISED} was used from ${MINIMISED}.`);
    expect(stored.minimised?.sessionNames).toBe('looked-for');
    // The finding table holds it no more (the incident record keeps its old resource id: pseudonymised from fed16 on).
    expect(rowsHolding(t.dir, SESSION)).not.toContain('findings');
    expect(verifyOk(await verifyStore(t.store, { now: NOW }))).toBe(true);
  });

  it('an EC2 instance’s credentials minimised before are left: their session is named after the instance id', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const event = sessionEvent('f-session', 'ASIAEXAMPLESESSION09');
    event.detail.type = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS';
    const id = (await recordEvent(deps, event)).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    await minimisedAsBefore(t.store, id, 'f-session');
    const report = await minimiseClosed({ store: t.store, audit: t.store, now: () => NOW, machineNow: () => NOW }, { by: 'FG', afterDays: 0 });
    expect(report.minimised.find((m) => m.incidentId === id)?.sessionNamesNotKnown).toBeUndefined();
  });

  it('readA19: one minimised from scrub17 (8055538c) to fg19, the name looked for but not noted so, is not said minimised before 8055538c', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const id = (await recordEvent(deps, sessionEvent('f-scrub17', 'ASIAEXAMPLESESSION11'))).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    // As scrub17's minimise left it: the session's name removed from the title and description, no note (before fg19).
    await storeMinimisedAsBefore(t.store, id, { accountId: ACCOUNT, region: REGION, findingId: 'f-scrub17' }, { at: OLD_MINIMISE_AT, afterDays: 0 }, (old) => {
      if (old.minimised) delete old.minimised.sessionNames;
    });
    const text = await minimiseOutput(t.dir);
    // The record cannot tell which release minimised it: the run says so, and does not state the older one as fact.
    expect(text).not.toContain('minimised before 8055538c');
    expect(text).toMatch(/f-scrub17 minimised by a release before fg19, which did not note whether it looked for the role session's name/);
    expect(text).toMatch(/its first finding-minimised entry, datalek show ID\) before scrub17 \(8055538c\) was deployed/);
    // fg20: what the FG reads to tell is the first minimisation's time, which this run (minimising again) leaves as it was.
    expect((await t.store.getIncident(id))?.minimised?.at).toBe(OLD_MINIMISE_AT);
    const stored = (await t.store.getFinding({ accountId: ACCOUNT, region: REGION, findingId: 'f-scrub17' })) as FindingRecord;
    expect(stored.detail.title).toBe(`Credentials for ${MINIMISED} used from ${MINIMISED}`);
  });

  it('a record minimised by today’s code is marked looked-for, and a re-run leaves it', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const id = (await recordEvent(deps, sessionEvent('f-now', 'ASIAEXAMPLESESSION10'))).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    await minimiseClosed({ store: t.store, audit: t.store, now: () => NOW, machineNow: () => NOW }, { by: 'FG', afterDays: 0 });
    const stored = (await t.store.getFinding({ accountId: ACCOUNT, region: REGION, findingId: 'f-now' })) as FindingRecord;
    expect(stored.detail.title).toBe(`Credentials for ${MINIMISED} used from ${MINIMISED}`);
    expect(stored.minimised?.sessionNames).toBe('looked-for');
    expect((await minimiseClosed({ store: t.store, audit: t.store, now: () => NOW, machineNow: () => NOW }, { by: 'FG', afterDays: 0 })).minimised).toEqual([]);
  });
});
