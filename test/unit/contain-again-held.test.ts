/**
 * Review 4: `datalek contain B` reports an action held by another open incident as "not asked",
 * but the containment run it starts carries out every enforced, pending action of B, that one too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { runContainment } from '../../handlers/core/contain.js';
import { containAgain } from '../../handlers/core/contain-again.js';
import { ContainmentStepError } from '../../handlers/core/errors.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const POLICY = parsePolicy({
  containment: {
    rules: [
      { action: 'contain-workload', findingTypes: ['AttackSequence:*'], minSeverity: 1, mode: 'enforce' },
      { action: 'disable-credentials', findingTypes: ['AttackSequence:*'], minSeverity: 1, mode: 'enforce' },
    ],
  },
});

let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

it('contain B leaves an instance incident A holds contained alone, as it reports', async () => {
  const deps = { store, policy: POLICY, now: () => T(20), canEnforce: true };
  const ev = (name: string) => JSON.parse(readFileSync(join('events', `${name}.json`), 'utf8'));
  const b = await recordEvent(deps, ev('28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents'));
  const B = b.incidentId as string;
  const inst = ((await store.getIncident(B)) as Incident).actions.find((x) => x.type === 'isolate-instance')?.target as string;
  // B's isolation fails (throttled): it stays enforced and failed.
  const failing: Containment = {
    canEnforce: true,
    async execute() {
      throw new ContainmentStepError('isolate', 'RequestLimitExceeded', 'throttled');
    },
    async release() {},
  };
  await runContainment({ ...deps, containment: failing }, B).catch(() => undefined);

  // Another open incident A holds the same instance contained (as a linked incident does: release-shared.test.ts).
  const a = await recordEvent(
    deps,
    findingEvent({ id: 'a'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B', severity: 8, createdAt: T(1), resource: instanceResource('i-0000000000000bbbb') }),
  );
  const A = a.incidentId as string;
  expect(A).not.toBe(B);
  const bAction = ((await store.getIncident(B)) as Incident).actions.find((x) => x.type === 'isolate-instance') as ActionRecord;
  await changeIncident({ ...deps }, A, (draft) => {
    draft.actions.push({ ...structuredClone(bAction), status: 'done', steps: [{ name: 'isolate', status: 'done', at: T(2) }] });
    return { entries: [] };
  });

  const executed: string[] = [];
  const ok: Containment = {
    canEnforce: true,
    async execute(action, ctx) {
      executed.push(`${action.type} ${action.target}`);
      await ctx.record({ name: action.type, status: 'done', at: T(30) });
    },
    async release() {},
  };
  const r = await containAgain({ ...deps, containment: ok }, { incidentId: B, by: 'oncall', reason: 'again', enforce: true });
  expect(r.notRequested.map((n) => `${n.type} ${n.target}`)).toContain(`isolate-instance ${inst}`);
  expect(executed).not.toContain(`isolate-instance ${inst}`);
});
