/**
 * Review 4: a containment run's lease is timed by the run's clock (`deps.now`), which on the command
 * line is `--now`. `datalek contain ID --now <an hour ago>` (allowed: behind the machine's clock)
 * took a lease that had already run out by every other writer's clock: the contain function's run
 * for the same incident went ahead at once, and both carried out the same action together. The
 * lease is now timed by the machine's clock, which the CLI gives beside --now.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { runContainment } from '../../handlers/core/contain.js';
import { containAgain } from '../../handlers/core/contain-again.js';
import { ContainmentStepError } from '../../handlers/core/errors.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { tempSqliteStore } from '../support/store.js';

const POLICY = parsePolicy({ containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] } });

let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

async function scenario(personClock: 'past' | 'machine') {
  const machine = () => new Date().toISOString();
  const deps = { store, policy: POLICY, now: machine, canEnforce: true };
  const ev = JSON.parse(readFileSync(join('events', '01-ec2-backdoor-command-and-control-high.json'), 'utf8'));
  const id = (await recordEvent(deps, ev)).incidentId as string;
  const failing: Containment = {
    canEnforce: true,
    async execute() {
      throw new ContainmentStepError('isolate', 'RequestLimitExceeded', 'throttled');
    },
    async release() {},
  };
  await runContainment({ ...deps, containment: failing }, id).catch(() => undefined);
  expect(((await store.getIncident(id)) as Incident).actions.find((a) => a.type === 'isolate-instance')?.status).toBe('failed');

  const calls: string[] = [];
  let lambdaRun: Awaited<ReturnType<typeof runContainment>> | undefined;
  const slow: Containment = {
    canEnforce: true,
    async execute(action, ctx) {
      calls.push(`person ${action.type}`);
      // While the person's run is carrying out the isolation, the contain function runs for the
      // incident (a finding update, Lambda's retry), with the machine's clock.
      if (!lambdaRun) {
        const lambdaAdapter: Containment = {
          canEnforce: true,
          async execute(a, c) {
            calls.push(`lambda ${a.type}`);
            await c.record({ name: a.type, status: 'done', at: machine() });
          },
          async release() {},
        };
        lambdaRun = await runContainment({ ...deps, containment: lambdaAdapter }, id);
      }
      await ctx.record({ name: action.type, status: 'done', at: machine() });
    },
    async release() {},
  };
  const anHourAgo = () => new Date(Date.now() - 60 * 60_000).toISOString();
  // The CLI's person's commands give the machine's clock beside --now (cli/context.ts personDeps).
  await containAgain(
    { ...deps, now: personClock === 'past' ? anHourAgo : machine, machineNow: machine, containment: slow },
    { incidentId: id, by: 'oncall', reason: 'again', enforce: false },
  );
  expect(lambdaRun?.busy).toBeDefined();
  expect(calls).toEqual(['person isolate-instance']);
}

it('control: with the machine clock, the contain function finds the lease taken', () => scenario('machine'));
it('a person’s contain with a past --now keeps the contain function out while it runs', () => scenario('past'));
