/**
 * The contain function's refusals (core/contain.ts `enforcementRefusal`, `refuseAction`), on the
 * pipeline's own actions: a finding recorded in another region or account than its incident's is
 * looked up where it was stored (review3 attack §4), a refusal never makes a later, legitimate
 * upgrade impossible, and a partly carried-out action refused on its retry stays releasable and
 * says what was done (§11). Core only: SQLite store, a fake containment adapter.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { actionsToEnforce, runContainment } from '../../handlers/core/contain.js';
import { containAgain } from '../../handlers/core/contain-again.js';
import { ContainmentStepError } from '../../handlers/core/errors.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { accessKeyResource, findingEvent, instanceResource } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();

/** A fake adapter that records what it was asked to do and does it in one step. */
function adapter(executed: string[], released: string[] = []): Containment {
  return {
    canEnforce: true,
    async execute(action, ctx) {
      executed.push(`${action.type} ${action.target}`);
      await ctx.record({ name: action.type, status: 'done', at: T(30) });
    },
    async release(action) {
      released.push(action.id);
    },
  };
}

/** A finding on an access key, raised in `region`. */
function keyEvent(id: string, type: string, region: string, severity: number, createdAt: string) {
  const e = findingEvent({ id, type, severity, createdAt, resource: accessKeyResource('AKIAEXAMPLESTOLEN001', 'IAMUser', 'deploy-bot') });
  e.region = region;
  e.detail.region = region;
  e.detail.arn = e.detail.arn.replace('eu-west-1', region);
  return e;
}

const KEY_POLICY = parsePolicy({
  containment: {
    rules: [
      { action: 'disable-credentials', findingTypes: ['Discovery:IAMUser/*'], minSeverity: 4, mode: 'plan' },
      { action: 'disable-credentials', findingTypes: ['CredentialAccess:IAMUser/*'], mode: 'enforce' },
    ],
  },
});

let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

describe('a finding recorded in another region or account than its incident', () => {
  it('a stolen key enforced by a finding from a second region is disabled, not refused', async () => {
    const deps = { store, policy: KEY_POLICY, now: () => T(20), canEnforce: true };
    const first = await recordEvent(deps, keyEvent('a'.repeat(32), 'Discovery:IAMUser/AnomalousBehavior', 'eu-west-1', 5, T(0)));
    const second = await recordEvent(deps, keyEvent('b'.repeat(32), 'CredentialAccess:IAMUser/AnomalousBehavior', 'eu-central-1', 8, T(10)));
    expect(second.incidentId).toBe(first.incidentId);
    const id = first.incidentId as string;
    const upgraded = ((await store.getIncident(id)) as Incident).actions.find((a) => a.type === 'deactivate-access-key') as ActionRecord;
    expect(upgraded).toMatchObject({ mode: 'enforce', findingId: 'b'.repeat(32), findingRegion: 'eu-central-1' });

    const executed: string[] = [];
    const run = await runContainment({ ...deps, containment: adapter(executed) }, id);
    expect(run.refused).toEqual([]);
    expect(executed).toContain('deactivate-access-key AKIAEXAMPLESTOLEN001');
    const after = ((await store.getIncident(id)) as Incident).actions.find((a) => a.type === 'deactivate-access-key');
    expect(after?.status).toBe('done');
  });

  it('an attack sequence raised in a member account about the incident’s bucket is carried out there', async () => {
    const policy = parsePolicy({
      containment: {
        memberAccounts: ['111122223333', '444455556666'],
        rules: [
          { action: 'block-public-access', findingTypes: ['Policy:S3/*'], mode: 'plan' },
          { action: 'block-public-access', findingTypes: ['AttackSequence:*'], mode: 'enforce' },
        ],
      },
    });
    const deps = { store, policy, now: () => '2026-11-27T12:00:00.000Z', canEnforce: true };
    const bucketEvent = JSON.parse(readFileSync('events/08-s3-bucket-made-public-anonymous-access.json', 'utf8'));
    const seq = JSON.parse(readFileSync('events/28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents.json', 'utf8'));
    const a = (await recordEvent(deps, bucketEvent)).incidentId as string;
    seq.account = '444455556666';
    seq.detail.accountId = '444455556666';
    seq.detail.id = 'f'.repeat(32);
    seq.detail.arn = seq.detail.arn.replace('111122223333', '444455556666').replace(/[0-9a-f]{32}$/, 'f'.repeat(32));
    seq.detail.createdAt = seq.detail.updatedAt = '2026-11-27T11:00:00.000Z';
    const r = await recordEvent(deps, seq);
    expect(r.incidentId).toBe(a);
    const block = ((await store.getIncident(a)) as Incident).actions.find((x) => x.type === 'block-public-access') as ActionRecord;
    expect(block).toMatchObject({ mode: 'enforce', findingAccountId: '444455556666' });

    const executed: string[] = [];
    const run = await runContainment({ ...deps, containment: adapter(executed) }, a);
    expect(run.refused.filter((x) => x.type === 'block-public-access')).toEqual([]);
    expect(executed).toContain('block-public-access klantdossiers-export-prod');
  });

  it('still refuses an action pointed at a finding of another incident stored in another region', async () => {
    const deps = { store, policy: KEY_POLICY, now: () => T(20), canEnforce: true };
    const mine = (await recordEvent(deps, keyEvent('a'.repeat(32), 'Discovery:IAMUser/AnomalousBehavior', 'eu-west-1', 5, T(0)))).incidentId as string;
    // Another incident's finding, on another key, in eu-central-1.
    const other = findingEvent({
      id: 'c'.repeat(32),
      type: 'CredentialAccess:IAMUser/AnomalousBehavior',
      severity: 8,
      createdAt: T(1),
      resource: accessKeyResource('AKIAEXAMPLEOTHER0001'),
    });
    other.region = other.detail.region = 'eu-central-1';
    const theirs = (await recordEvent(deps, other)).incidentId as string;
    expect(theirs).not.toBe(mine);
    // A writer of incident items points this incident's action at that finding.
    const incident = (await store.getIncident(mine)) as Incident;
    const forged = { ...incident, revision: incident.revision + 1 };
    forged.actions = incident.actions.map((x) =>
      x.type === 'deactivate-access-key' ? { ...x, mode: 'enforce' as const, findingId: 'c'.repeat(32), findingRegion: 'eu-central-1' } : x,
    );
    await store.commit({ incident: forged, expectedRevision: incident.revision, timeline: [], messages: [] });

    const executed: string[] = [];
    const run = await runContainment({ ...deps, containment: adapter(executed) }, mine);
    expect(executed).toEqual([]);
    expect(run.refused.map((x) => x.reason)).toEqual([`finding ${'c'.repeat(32)} belongs to incident ${theirs}, not to this one`]);
  });
});

describe('after a refusal', () => {
  it('a later finding the policy enforces plans the action anew, and it is carried out', async () => {
    const enforcing = parsePolicy({
      containment: { rules: [{ action: 'disable-credentials', findingTypes: ['CredentialAccess:IAMUser/*'], mode: 'enforce' }] },
    });
    const planning = parsePolicy({ containment: { rules: [{ action: 'disable-credentials', findingTypes: ['CredentialAccess:IAMUser/*'], mode: 'plan' }] } });
    const deps = { store, policy: enforcing, now: () => T(20), canEnforce: true };
    const id = (await recordEvent(deps, keyEvent('a'.repeat(32), 'CredentialAccess:IAMUser/AnomalousBehavior', 'eu-west-1', 8, T(0)))).incidentId as string;
    // The contain function's policy only plans (a rule changed meanwhile): it refuses.
    const executed: string[] = [];
    const refusedRun = await runContainment({ ...deps, policy: planning, containment: adapter(executed) }, id);
    expect(refusedRun.refused).toHaveLength(1);
    const refused = (await store.getIncident(id)) as Incident;
    expect(actionsToEnforce(refused)).toEqual([]);

    // The rule enforces again; the key is used from another region.
    await recordEvent(deps, keyEvent('b'.repeat(32), 'CredentialAccess:IAMUser/AnomalousBehavior', 'eu-central-1', 8, T(10)));
    const replanned = ((await store.getIncident(id)) as Incident).actions.find((a) => a.type === 'deactivate-access-key') as ActionRecord;
    expect(replanned).toMatchObject({ mode: 'enforce', status: 'planned', findingId: 'b'.repeat(32) });
    expect(replanned.refused).toBeUndefined();
    const run = await runContainment({ ...deps, containment: adapter(executed) }, id);
    expect(run.refused).toEqual([]);
    expect(executed).toEqual(['deactivate-access-key AKIAEXAMPLESTOLEN001']);
  });

  it('a person’s `datalek contain --enforce` carries out what the contain function refused', async () => {
    const enforcing = parsePolicy({
      containment: { rules: [{ action: 'disable-credentials', findingTypes: ['CredentialAccess:IAMUser/*'], mode: 'enforce' }] },
    });
    const deps = { store, policy: DEFAULT_POLICY, now: () => T(20), canEnforce: true };
    const id = (await recordEvent({ ...deps, policy: enforcing }, keyEvent('a'.repeat(32), 'CredentialAccess:IAMUser/AnomalousBehavior', 'eu-west-1', 8, T(0))))
      .incidentId as string;
    const executed: string[] = [];
    expect((await runContainment({ ...deps, containment: adapter(executed) }, id)).refused).toHaveLength(1);
    const again = await containAgain({ ...deps, containment: adapter(executed) }, { incidentId: id, by: 'Anna', reason: 'stolen key', enforce: true });
    expect(again.requested.map((r) => r.type)).toEqual(['deactivate-access-key']);
    expect(executed).toEqual(['deactivate-access-key AKIAEXAMPLESTOLEN001']);
    expect(((await store.getIncident(id)) as Incident).actions[0]).toMatchObject({ status: 'done', mode: 'enforce' });
  });
});

describe('a partly carried-out action refused on its retry', () => {
  /** `replay --target aws --enforce` under the all-plan policy isolates half an instance, then AWS throttles it. */
  async function halfIsolated(calls: { resumedWith: string[][] }) {
    const clock = { now: T(0) };
    const base = { store, policy: DEFAULT_POLICY, now: () => clock.now };
    const throttled: Containment = {
      canEnforce: true,
      async execute(_a, ctx) {
        calls.resumedWith.push([...ctx.done].sort());
        if (!ctx.done.has('capture-metadata'))
          await ctx.record({ name: 'capture-metadata', status: 'done', at: clock.now, detail: '2 interfaces' }, { originalGroups: { 'eni-1': ['sg-app'] } });
        if (!ctx.done.has('isolate-eni:eni-1')) await ctx.record({ name: 'isolate-eni:eni-1', status: 'done', at: clock.now, detail: 'isolation group only' });
        if (calls.resumedWith.length === 1) throw new ContainmentStepError('isolate-eni:eni-2', 'RequestLimitExceeded', 'throttled');
        await ctx.record({ name: 'isolate-eni:eni-2', status: 'done', at: clock.now, detail: 'isolation group only' });
      },
      async release() {},
    };
    const event = findingEvent({ id: 'a'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B', severity: 8, resource: instanceResource('i-0aaa'), createdAt: T(0) });
    const id = (await recordEvent({ ...base, canEnforce: true, forceEnforce: true }, event)).incidentId as string;
    clock.now = T(1);
    await runContainment({ ...base, containment: throttled, forceEnforce: true }, id).catch(() => undefined);
    // The next "Incident Updated" reaches the contain function, whose policy only plans.
    clock.now = T(10);
    const refusal = await runContainment({ ...base, containment: throttled }, id);
    return { id, base, clock, throttled, refusal };
  }

  it('says what was done and what was refused, is not retried, and can be released', async () => {
    const calls = { resumedWith: [] as string[][] };
    const { id, base, throttled, refusal } = await halfIsolated(calls);
    expect(refusal.refused).toHaveLength(1);
    const action = ((await store.getIncident(id)) as Incident).actions[0];
    expect(action.status).toBe('failed');
    expect(action.mode).toBe('enforce');
    expect(action.reason).toMatch(
      /^partly carried out \(done: capture-metadata, isolate-eni:eni-1\); the rest refused by the contain function, not carried out: /,
    );
    expect((action.steps ?? []).filter((s) => s.status === 'done').map((s) => s.name)).toEqual(['capture-metadata', 'isolate-eni:eni-1']);

    // Not taken up again by the next run: no second refusal, no second page.
    const again = await runContainment({ ...base, containment: throttled }, id);
    expect(again.refused).toEqual([]);
    expect(calls.resumedWith).toHaveLength(1);

    const released: string[] = [];
    const result = await releaseContainment(
      { ...base, containment: adapter([], released) },
      { incidentId: id, by: 'on-call', reason: 'undo the half isolation' },
    );
    expect(result.released.map((r) => r.id)).toEqual([action.id]);
    expect(released).toEqual([action.id]);
  });

  it('a later finding the policy enforces resumes it where it stopped, keeping what was done', async () => {
    const calls = { resumedWith: [] as string[][] };
    const { id, base, clock, throttled } = await halfIsolated(calls);
    const enforcing = parsePolicy({ containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] } });
    clock.now = T(20);
    const later = findingEvent({ id: 'b'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B', severity: 8, resource: instanceResource('i-0aaa'), createdAt: T(15) });
    await recordEvent({ ...base, policy: enforcing, canEnforce: true }, later);
    const run = await runContainment({ ...base, policy: enforcing, containment: throttled }, id);
    expect(run.refused).toEqual([]);
    expect(calls.resumedWith.at(-1)).toEqual(['capture-metadata', 'isolate-eni:eni-1']);
    const action = ((await store.getIncident(id)) as Incident).actions[0];
    expect(action.status).toBe('done');
    expect(action.evidence).toEqual({ originalGroups: { 'eni-1': ['sg-app'] } });
  });
});
