/**
 * A merge and the pager keep an open network interface paging, on every store (review3 attack
 * §6, §10, §13):
 * - a merge closes the incident it takes in, and closing resolves every alert it holds at the
 *   pager: an incident with an interface left open to all traffic, or whose containment is
 *   running, is not merged (as `close` refuses it) but linked; merged once the interface is isolated;
 * - a containment run never carries out the actions of an incident merged since (its survivor holds them);
 * - the pager resolving an exposed interface's alert on its own (auto-resolve) does not end it:
 *   the sweep raises it again, once per resolve, while the interface stays open and no person took it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { actionsToEnforce, runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident, StepRecord } from '../../handlers/core/incident.js';
import { composeMessage, exposedAlertKey } from '../../handlers/core/messages.js';
import { notePagerTrigger, recordPagerEvent } from '../../handlers/core/pager.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { tempSqliteStore } from '../support/store.js';

const POLICY = parsePolicy({
  onCall: { provider: 'pagerduty' },
  containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] },
});
const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const INSTANCE = 'i-0e5f60718293a4b5c';
const ENI = 'eni-0e5f60718293a4b5c';
const STEP = `isolate-eni:${ENI}`;

const keyEvent = () => JSON.parse(readFileSync('events/07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json', 'utf8'));

/** Event 28, the attack sequence naming A's access key and B's instance, created at minute `created` and seen at `m` (`count` times). */
function sequenceAt(m: number, count = 1, created = 19) {
  const seq = JSON.parse(readFileSync('events/28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents.json', 'utf8'));
  seq.detail.createdAt = T(created);
  seq.detail.updatedAt = T(m);
  seq.detail.service.count = count;
  return seq;
}

const backdoor = () =>
  findingEvent({ id: 'b'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B', accountId: '111122223333', resource: instanceResource(INSTANCE), createdAt: T(4) });

/** Records a step of `actionId` as the contain function does, paging at Critical when it left the interface open. */
async function recordStep(store: IncidentStore, incidentId: string, actionId: string, step: StepRecord) {
  await changeIncident({ store, policy: POLICY, now: () => step.at }, incidentId, (draft) => {
    const a = draft.actions.find((x) => x.id === actionId) as ActionRecord;
    a.steps = [...(a.steps ?? []).filter((s) => s.name !== step.name), step];
    a.status = step.status === 'failed' ? 'failed' : 'done';
    if (!step.exposed) return { entries: [{ at: step.at, kind: `containment-step-${step.status}`, detail: { step: step.name } }] };
    return {
      entries: [{ at: step.at, kind: 'resource-exposed', detail: { step: step.name, resource: ENI } }],
      messages: (d: Incident) => {
        const page = composeMessage({
          incident: d,
          channel: 'on-call',
          kind: 'interface-exposed',
          stateKey: `exposed:${step.name}:${a.steps?.length}`,
          now: step.at,
          policy: POLICY,
          exposed: ENI,
        });
        notePagerTrigger(d, page, POLICY, step.at);
        return [page];
      },
    };
  });
}

function mergePagerSuite(name: string, make: () => Promise<{ store: IncidentStore; cleanup: () => Promise<void> }>) {
  describe(`merges and the exposed page: ${name}`, () => {
    it('does not merge an incident with an interface open to all traffic: its alert keeps paging; merged once it is isolated', async () => {
      const { store, cleanup } = await make();
      try {
        const deps = (m: number) => ({ store, policy: POLICY, now: () => T(m), canEnforce: false });
        const a = (await recordEvent(deps(0), keyEvent())).incidentId as string;
        const b = (await recordEvent(deps(5), backdoor())).incidentId as string;
        const action = ((await store.getIncident(b)) as Incident).actions[0].id;
        await recordStep(store, b, action, { name: STEP, status: 'failed', at: T(10), code: 'RequestLimitExceeded', exposed: true });
        const key = exposedAlertKey(b, ENI);

        const r = await recordEvent(deps(20), sequenceAt(20));
        expect(r.incidentId).toBe(a);
        const bAfter = (await store.getIncident(b)) as Incident;
        expect(bAfter.state).toBe('open');
        expect(bAfter.mergedInto ?? null).toBeNull();
        expect(bAfter.pager).toMatchObject({ state: 'triggered' });
        expect(bAfter.pager?.keys).toContain(key);
        expect((await store.listMessages(b)).filter((m) => m.alert?.action === 'resolve')).toEqual([]);
        const related = (await store.getTimeline(a)).find((e) => e.kind === 'related-incident' && e.detail.incidentId === b);
        expect(related?.detail.reason).toContain(ENI);

        // The interface isolated (a later run), the sequence's next version merges B.
        await recordStep(store, b, action, { name: STEP, status: 'done', at: T(30) });
        expect((await recordEvent(deps(40), sequenceAt(40, 2))).incidentId).toBe(a);
        expect(await store.getIncident(b)).toMatchObject({ state: 'closed', mergedInto: a });
      } finally {
        await cleanup();
      }
    });

    it('does not merge an incident while its containment runs: the run’s outcome stays with the incident it records it on', async () => {
      const { store, cleanup } = await make();
      try {
        const clock = { now: T(0) };
        const deps = { store, policy: POLICY, now: () => clock.now, canEnforce: true };
        const a = (await recordEvent(deps, keyEvent())).incidentId as string;
        clock.now = T(5);
        const b = (await recordEvent(deps, backdoor())).incidentId as string;
        let resume: () => void = () => {};
        const paused = new Promise<void>((r) => {
          resume = r;
        });
        let started: () => void = () => {};
        const inStep = new Promise<void>((r) => {
          started = r;
        });
        const adapter: Containment = {
          canEnforce: true,
          async execute(_action, ctx) {
            await ctx.record({ name: 'capture-metadata', status: 'done', at: clock.now, detail: '1 interface' }, { enis: [ENI] });
            started();
            await paused;
            await ctx.record({
              name: STEP,
              status: 'failed',
              at: clock.now,
              code: 'RequestLimitExceeded',
              detail: 'left in the all-traffic group',
              exposed: true,
            });
          },
          async release() {},
        };
        const run = runContainment({ ...deps, containment: adapter }, b);
        await inStep;
        // Within the run's lease (15 minutes from minute 5, the CLI's).
        clock.now = T(12);
        expect((await recordEvent(deps, sequenceAt(12, 1, 11))).incidentId).toBe(a);
        resume();
        await run;

        const bAfter = (await store.getIncident(b)) as Incident;
        const aAfter = (await store.getIncident(a)) as Incident;
        expect(bAfter.state).toBe('open');
        expect(bAfter.mergedInto ?? null).toBeNull();
        expect(bAfter.actions.find((x) => x.type === 'isolate-instance')?.status).toBe('failed');
        expect((await store.listMessages(b)).filter((m) => m.kind === 'interface-exposed')).toHaveLength(1);
        // A holds no stale copy of the action that its own run would carry out a second time.
        expect(aAfter.actions.filter((x) => x.target === INSTANCE)).toEqual([]);
        expect(actionsToEnforce(aAfter)).toEqual([]);
        const related = (await store.getTimeline(a)).find((e) => e.kind === 'related-incident' && e.detail.incidentId === b);
        expect(related?.detail.reason).toContain('containment');
      } finally {
        await cleanup();
      }
    });

    it('a containment run on an incident merged since carries out nothing: its survivor holds the actions', async () => {
      const { store, cleanup } = await make();
      try {
        const deps = (m: number) => ({ store, policy: POLICY, now: () => T(m), canEnforce: true });
        const a = (await recordEvent(deps(0), keyEvent())).incidentId as string;
        const b = (await recordEvent(deps(5), backdoor())).incidentId as string;
        expect(actionsToEnforce((await store.getIncident(b)) as Incident)).toHaveLength(1);
        // The sequence merges B before B's containment run (B's event) took its lease.
        expect((await recordEvent(deps(20), sequenceAt(20))).incidentId).toBe(a);
        expect(await store.getIncident(b)).toMatchObject({ state: 'closed', mergedInto: a });
        const calls: string[] = [];
        const adapter: Containment = {
          canEnforce: true,
          async execute(action, ctx) {
            calls.push(`${ctx.incident.id} ${action.id}`);
            await ctx.record({ name: STEP, status: 'done', at: T(25) });
          },
          async release() {},
        };
        const onB = await runContainment({ store, policy: POLICY, now: () => T(25), containment: adapter }, b);
        expect(onB.actions).toEqual([]);
        expect(calls).toEqual([]);
        // A's run carries it out, once.
        await runContainment({ store, policy: POLICY, now: () => T(26), containment: adapter }, a);
        expect(calls).toHaveLength(1);
        expect(calls[0].startsWith(a)).toBe(true);
      } finally {
        await cleanup();
      }
    });

    it('raises an auto-resolved exposed alert again from the sweep, once per resolve, until the interface is isolated', async () => {
      const { store, cleanup } = await make();
      try {
        const deps = (m: number) => ({ store, policy: POLICY, now: () => T(m) });
        const id = (await recordEvent({ ...deps(0), canEnforce: false }, backdoor())).incidentId as string;
        await acknowledge(deps(5), { incidentId: id, by: 'anna' });
        const action = ((await store.getIncident(id)) as Incident).actions[0].id;
        await recordStep(store, id, action, { name: STEP, status: 'failed', at: T(10), code: 'RequestLimitExceeded', exposed: true });
        const key = exposedAlertKey(id, ENI);
        const triggers = async () => (await store.listMessages(id)).filter((m) => m.alert?.action === 'trigger' && m.alert.key === key);
        const autoResolve = (m: number, eventId: string, person = false, event: 'resolved' | 'acknowledged' = 'resolved') =>
          recordPagerEvent(deps(m), {
            provider: 'pagerduty',
            incidentId: id,
            event,
            by: person ? 'Bram' : 'PagerDuty',
            person,
            alertKey: key,
            occurredAt: T(m),
            eventId,
          });
        const sweepAt = (m: number) => sweep({ store, policy: POLICY, now: () => T(m) });
        expect(await triggers()).toHaveLength(1);

        expect(await autoResolve(250, 'Q0AUTO1')).toBe('recorded');
        const raised = await sweepAt(260);
        expect(raised.sent.map((s) => s.kind)).toEqual(['interface-exposed']);
        const again = await triggers();
        expect(again).toHaveLength(2);
        expect(again[1]).toMatchObject({ kind: 'interface-exposed', channel: 'on-call' });
        expect(again[1].body).toContain(ENI);
        // Once per resolve: later sweeps raise nothing more while the alert is up there.
        for (const m of [300, 600, 1440]) await sweepAt(m);
        expect(await triggers()).toHaveLength(2);

        // Resolved on its own again: raised again.
        await autoResolve(1500, 'Q0AUTO2');
        await sweepAt(1510);
        expect(await triggers()).toHaveLength(3);

        // A person acknowledged it there: they took it; resolved there on its own later, nothing raises it again.
        await autoResolve(1550, 'Q0BRAM', true, 'acknowledged');
        await autoResolve(1600, 'Q0AUTO4');
        await sweepAt(1610);
        await sweepAt(1700);
        expect(await triggers()).toHaveLength(3);
      } finally {
        await cleanup();
      }
    });

    it('does not raise an auto-resolved exposed alert again once the interface is isolated', async () => {
      const { store, cleanup } = await make();
      try {
        const deps = (m: number) => ({ store, policy: POLICY, now: () => T(m) });
        const id = (await recordEvent({ ...deps(0), canEnforce: false }, backdoor())).incidentId as string;
        const action = ((await store.getIncident(id)) as Incident).actions[0].id;
        await recordStep(store, id, action, { name: STEP, status: 'failed', at: T(10), code: 'RequestLimitExceeded', exposed: true });
        await recordStep(store, id, action, { name: STEP, status: 'done', at: T(100) });
        const key = exposedAlertKey(id, ENI);
        await recordPagerEvent(deps(250), {
          provider: 'pagerduty',
          incidentId: id,
          event: 'resolved',
          by: 'PagerDuty',
          person: false,
          alertKey: key,
          occurredAt: T(250),
          eventId: 'Q0AUTO3',
        });
        for (const m of [260, 600]) await sweep({ store, policy: POLICY, now: () => T(m) });
        expect((await store.listMessages(id)).filter((m) => m.alert?.action === 'trigger' && m.alert.key === key)).toHaveLength(1);
      } finally {
        await cleanup();
      }
    });
  });
}

mergePagerSuite('SQLite (embedded)', async () => tempSqliteStore());

describe.skipIf(!MOTO_AVAILABLE)('DynamoDB store on moto', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => moto?.stop());
  mergePagerSuite('DynamoDB (moto)', async () => {
    await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    await setupAwsResources(moto.clients);
    return { store: new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents'), cleanup: async () => {} };
  });
});
