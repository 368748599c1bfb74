/**
 * A containment run records each action's outcome as it goes and tells the FG and on-call of them
 * all when it ends (core/contain.ts `containmentUntold`). A run stopped before telling (a Lambda
 * timeout, a crash) left them untold until a later run of that incident, which may never come:
 * on-call never heard that an isolation was done, or failed. The sweep now tells them, once,
 * after the stopped run's lease has run out (a run still holding it tells them itself), on every
 * store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { tempSqliteStore } from '../support/store.js';

const POLICY = parsePolicy({ language: 'en', containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] } });
const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const ENI = 'eni-0d1e2f30415263748';

function untoldSuite(name: string, make: () => Promise<{ store: IncidentStore; cleanup: () => Promise<void> }>) {
  describe(`containment outcomes a stopped run left untold: ${name}`, () => {
    /** An incident whose run recorded its isolation `status` at minute 5 and stopped, its lease running until minute 20. */
    async function stoppedRun(store: IncidentStore, status: 'done' | 'failed') {
      const deps = (m: number) => ({ store, policy: POLICY, now: () => T(m) });
      const event = findingEvent({ id: `untold-${Math.random()}`, type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource('i-0d1e2f30415263748') });
      const id = (await recordEvent({ ...deps(0), canEnforce: false }, event)).incidentId as string;
      // What the contain function's commits leave when it stops after recording the outcome (core/contain.ts).
      await changeIncident(deps(5), id, (draft) => {
        const a = draft.actions[0] as ActionRecord;
        a.steps = [{ name: `isolate-eni:${ENI}`, status, at: T(5), ...(status === 'failed' ? { code: 'UnauthorizedOperation' } : {}) }];
        a.status = status;
        draft.containmentUntold = [a.id];
        draft.containmentLease = { holder: 'run-stopped', until: T(20) };
        return { entries: [{ at: T(5), kind: `containment-${status}`, detail: { action: a.type, target: a.target, status } }] };
      });
      const outcomes = async () => (await store.listMessages(id)).filter((m) => m.kind.startsWith('containment-'));
      return { id, outcomes, sweepAt: (m: number) => sweep({ store, policy: POLICY, now: () => T(m) }) };
    }

    it('tells them once, after the run’s lease has run out, to the FG and on-call', async () => {
      const { store, cleanup } = await make();
      try {
        const { id, outcomes, sweepAt } = await stoppedRun(store, 'done');
        // The run may still be telling while it holds its lease.
        await sweepAt(15);
        expect(await outcomes()).toEqual([]);
        expect((await store.getIncident(id))?.nextDueAt).toBe(T(20));

        const swept = await sweepAt(21);
        expect(swept.sent.filter((s) => s.kind === 'containment-done')).toEqual([{ incidentId: id, kind: 'containment-done', dueAt: T(20) }]);
        const told = await outcomes();
        expect(told.map((m) => `${m.channel} ${m.kind}`).sort()).toEqual(['fg containment-done', 'on-call containment-done']);
        const onCall = told.find((m) => m.channel === 'on-call');
        expect(onCall?.body).toContain('This run: 1 action carried out.');
        expect(onCall?.body).toContain('stopped before it could tell');
        expect((await store.getIncident(id))?.containmentUntold ?? []).toEqual([]);
        const queued = (await store.getTimeline(id)).filter((e) => e.kind === 'notification-queued' && e.detail.messageKind === 'containment-done');
        expect(queued).toHaveLength(2);
        expect(queued[0].detail).toMatchObject({ leaseUntil: T(20) });

        // Once: later sweeps tell nothing more.
        for (const m of [26, 60, 600]) await sweepAt(m);
        expect(await outcomes()).toHaveLength(2);
      } finally {
        await cleanup();
      }
    });

    it('tells a failure as a failure', async () => {
      const { store, cleanup } = await make();
      try {
        const { outcomes, sweepAt } = await stoppedRun(store, 'failed');
        await sweepAt(21);
        expect((await outcomes()).map((m) => m.kind)).toEqual(['containment-failed', 'containment-failed']);
      } finally {
        await cleanup();
      }
    });
  });
}

untoldSuite('SQLite (embedded)', async () => tempSqliteStore());

describe.skipIf(!MOTO_AVAILABLE)('DynamoDB store on moto', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => moto?.stop());
  untoldSuite('DynamoDB (moto)', async () => {
    await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    await setupAwsResources(moto.clients);
    return { store: new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents'), cleanup: async () => {} };
  });
});
