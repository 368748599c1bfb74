/**
 * An enforced fleet storm tells on-call and the FG once per containment run, not once per action:
 * the message lists at most MAX_LISTED actions, never leaving out a failure, and says how many more there are
 * (known-left: "an enforced fleet storm still sends containment-done once per action").
 */
import { describe, expect, it } from 'vitest';
import { runContainment } from '../../handlers/core/contain.js';
import { ContainmentStepError } from '../../handlers/core/errors.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { MAX_LISTED } from '../../handlers/core/message-bounds.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { Containment, ExecutionContext } from '../../handlers/ports/containment.js';
import { ACCOUNT, largeSequenceEvent, REGION } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const policy = (language: 'nl' | 'en') =>
  parsePolicy({ language, containment: { rules: [{ action: 'contain-workload', findingTypes: ['AttackSequence:EC2/*'], mode: 'enforce' }] } });

/** Does every step of every action, except on the targets in `failing`, where the isolation fails. */
class Fleet implements Containment {
  readonly canEnforce = true;
  constructor(private readonly failing: string[] = []) {}
  async execute(action: ActionRecord, ctx: ExecutionContext): Promise<void> {
    if (this.failing.includes(action.target)) throw new ContainmentStepError('isolate-eni:eni-1', 'UnauthorizedOperation', 'not allowed');
    for (const name of ['capture-metadata', 'isolate-eni:eni-1']) if (!ctx.done.has(name)) await ctx.record({ name, status: 'done', at: NOW, detail: 'ok' });
  }
  async release(): Promise<void> {}
}

function fleetSequence(n: number) {
  const more = Array.from({ length: n }, (_, i) => {
    const uid = `i-${i.toString(16).padStart(17, '0')}`;
    return { uid, name: uid, accountId: ACCOUNT, resourceType: 'EC2_INSTANCE', region: REGION, service: 'EC2' };
  });
  return largeSequenceEvent({ id: 'f'.repeat(32), type: 'AttackSequence:EC2/CompromisedInstanceGroup', createdAt: '2026-11-28T02:50:00.000Z', more });
}

async function containedFleet(language: 'nl' | 'en', failing: string[] = []) {
  const f = tempSqliteStore();
  const deps = { store: f.store, policy: policy(language), now: () => NOW };
  const recorded = await recordEvent({ ...deps, canEnforce: true }, fleetSequence(40));
  const id = recorded.incidentId as string;
  const before = new Set((await f.store.listMessages(id)).map((m) => m.id));
  const result = await runContainment({ ...deps, containment: new Fleet(failing) }, id);
  const told = (await f.store.listMessages(id)).filter((m) => !before.has(m.id));
  await f.cleanup();
  return { result, told };
}

describe('an enforced fleet storm', () => {
  it('tells each channel once for the run, listing at most the bounded number of actions and how many more', async () => {
    const { result, told } = await containedFleet('en');
    const done = result.actions.filter((a) => a.status === 'done');
    expect(done.length).toBeGreaterThan(MAX_LISTED + 5);
    expect(told.map((m) => `${m.channel} ${m.kind}`).sort()).toEqual(['fg containment-done', 'on-call containment-done']);
    for (const m of told) {
      expect(m.body).toContain(`${done.length} actions carried out`);
      expect(m.body).toMatch(new RegExp(`and ${result.incident.actions.length - MAX_LISTED} more \\(all of them: datalek show`));
      expect(m.body.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(MAX_LISTED);
    }
  });

  it('tells a failure in the run once, as failed, the failed action listed, in Dutch too', async () => {
    for (const language of ['nl', 'en'] as const) {
      const failing = `i-${(30).toString(16).padStart(17, '0')}`;
      const { result, told } = await containedFleet(language, [failing]);
      expect(result.actions.filter((a) => a.status === 'failed').map((a) => a.target)).toEqual([failing]);
      expect(told.map((m) => `${m.channel} ${m.kind}`).sort()).toEqual(['fg containment-failed', 'on-call containment-failed']);
      const onCall = told.find((m) => m.channel === 'on-call');
      // Listed, though the incident has more actions than a message lists: a failure is never left out.
      expect(onCall?.body.split('\n').filter((l) => l.startsWith('  - ') && l.includes(failing))).toHaveLength(1);
      expect(onCall?.body).toContain(language === 'en' ? '1 failed' : '1 mislukt');
    }
  });
});

describe('a containment run stopped before it told', () => {
  it('leaves the outcomes on the record, and the retry tells them once', async () => {
    const f = tempSqliteStore();
    try {
      const deps = { store: f.store, policy: policy('en'), now: () => NOW };
      const id = (await recordEvent({ ...deps, canEnforce: true }, fleetSequence(3))).incidentId as string;
      const before = new Set((await f.store.listMessages(id)).map((m) => m.id));
      const commit = f.store.commit.bind(f.store);
      // The commit that gives the lease back (and tells) fails, as when the function is stopped there.
      f.store.commit = async (change) => {
        if (change.incident.containmentLease === null) throw new Error('stopped (test)');
        return commit(change);
      };
      await expect(runContainment({ ...deps, containment: new Fleet() }, id, { holder: 'event-1' })).rejects.toThrow('stopped (test)');
      f.store.commit = commit;
      const stopped = (await f.store.getIncident(id))?.containmentUntold ?? [];
      expect(stopped.length).toBeGreaterThan(3);
      expect((await f.store.listMessages(id)).filter((m) => !before.has(m.id))).toEqual([]);

      await runContainment({ ...deps, containment: new Fleet() }, id, { holder: 'event-1' });
      await runContainment({ ...deps, containment: new Fleet() }, id, { holder: 'event-2' });

      const told = (await f.store.listMessages(id)).filter((m) => !before.has(m.id));
      expect(told.map((m) => `${m.channel} ${m.kind}`).sort()).toEqual(['fg containment-done', 'on-call containment-done']);
      expect(told[0].body).toContain(`This run: ${stopped.length} actions carried out.`);
      expect((await f.store.getIncident(id))?.containmentUntold).toBeUndefined();
    } finally {
      await f.cleanup();
    }
  });
});
