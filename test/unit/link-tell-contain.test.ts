/**
 * The link a finding writes on an incident whose containment is running (record-finding.ts: linked,
 * not merged, and told in the finding's commit) loses no step of that run: the finding's commit is
 * checked against the revision it read, and a step the run records after it is applied again on
 * what the finding wrote (change-incident.ts), never over it.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runContainment } from '../../handlers/core/contain.js';
import { ConflictError } from '../../handlers/core/errors.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentChange } from '../../handlers/ports/incident-store.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const POLICY = parsePolicy({
  containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] },
});
const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const INSTANCE = 'i-0e5f60718293a4b5c';
const event = (name: string) => JSON.parse(readFileSync(`events/${name}.json`, 'utf8'));

describe('a link written while the linked incident’s containment runs', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const clock = { now: T(0) };
  const deps = () => ({ store: t.store, policy: POLICY, now: () => clock.now, canEnforce: true });
  beforeEach(() => {
    t = tempSqliteStore();
    clock.now = T(0);
  });
  afterEach(async () => t.cleanup());

  it('lands between a step’s read and its write: the step is recorded after it, every step kept', async () => {
    const a = (await recordEvent(deps(), event('07-iam-long-term-access-key-anomalous-fractional-severity-7.2'))).incidentId as string;
    clock.now = T(5);
    const backdoor = findingEvent({
      id: 'b'.repeat(32),
      type: 'Backdoor:EC2/C&CActivity.B',
      accountId: '111122223333',
      resource: instanceResource(INSTANCE),
      createdAt: T(4),
    });
    const b = (await recordEvent(deps(), backdoor)).incidentId as string;
    // The sequence naming the key of `a` and the instance of `b`, seen while `b`'s run holds its lease.
    const sequence = event('28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents');
    sequence.detail.createdAt = T(5);
    sequence.detail.updatedAt = T(6);

    // The first commit of a step on `b`: the sequence is recorded just before it is written.
    const commit = t.store.commit.bind(t.store);
    let armed = true;
    const conflicts: string[] = [];
    t.store.commit = async (change: IncidentChange) => {
      if (armed && change.incident.id === b && change.incident.actions.some((x) => x.steps?.length)) {
        armed = false;
        expect((await recordEvent(deps(), sequence)).incidentId).toBe(a);
      }
      try {
        return await commit(change);
      } catch (err) {
        if (err instanceof ConflictError) conflicts.push(change.incident.id);
        throw err;
      }
    };
    const adapter: Containment = {
      canEnforce: true,
      async execute(_action, ctx) {
        for (const name of ['capture-metadata', 'isolate', 'revoke-credentials']) await ctx.record({ name, status: 'done', at: clock.now, detail: name });
      },
      async release() {},
    };
    await runContainment({ ...deps(), containment: adapter }, b);

    expect(armed).toBe(false);
    // The step's first write lost to the finding's commit, and was applied again on what it wrote.
    expect(conflicts).toContain(b);
    const after = (await t.store.getIncident(b)) as Incident;
    expect(after.mergedInto ?? null).toBeNull();
    const isolate = after.actions.find((x) => x.type === 'isolate-instance');
    expect(isolate?.status).toBe('done');
    expect(isolate?.steps?.map((s) => s.name)).toEqual(['capture-metadata', 'isolate', 'revoke-credentials']);
    expect(after.containmentLease).toBeNull();
    expect(after.linked).toEqual([a]);
    const link = (await t.store.getTimeline(b)).filter((e) => e.kind === 'linked-to-incident');
    expect(link).toHaveLength(1);
    expect(link[0].detail).toMatchObject({ incidentId: a, reason: expect.stringContaining('containment is running') });
    expect((await t.store.listMessages(b)).filter((m) => m.kind === 'incident-linked')).toHaveLength(1);
  });
});
