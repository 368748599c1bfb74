/**
 * Review 4: an action moved by a merge keeps its account and region (placedIn) but not where its
 * finding was recorded: a finding recorded in its own incident's home carries no findingRegion, so
 * once merged into an incident of another region the contain function looked the finding up in the
 * survivor's region, did not find it, and refused the action. The finding's place now moves with
 * the action, and contain accepts the action as the merge placed it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { runContainment } from '../../handlers/core/contain.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { tempSqliteStore } from '../support/store.js';

let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

const ev = (name: string, region?: string) => {
  let text = readFileSync(join('events', `${name}.json`), 'utf8');
  if (region) text = text.replaceAll('eu-west-1', region);
  return JSON.parse(text);
};

it('a key finding recorded in eu-west-1, its incident merged into an eu-central-1 one, is not refused', async () => {
  // Replay with --enforce: every planned action enforced; nothing carried out before the merge.
  const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T12:00:00.000Z', canEnforce: true, forceEnforce: true };
  const key = await recordEvent(deps, ev('07-iam-long-term-access-key-anomalous-fractional-severity-7.2'));
  await recordEvent(deps, ev('08-s3-bucket-made-public-anonymous-access', 'eu-central-1'));
  const seq = await recordEvent(deps, ev('28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents'));
  const b = (await store.getIncident(key.incidentId as string)) as Incident;
  const survivor = (await store.getIncident(seq.incidentId as string)) as Incident;
  const executed: string[] = [];
  const adapter: Containment = {
    canEnforce: true,
    async execute(action, ctx) {
      executed.push(`${action.type} ${action.target}`);
      await ctx.record({ name: action.type, status: 'done', at: '2026-11-28T12:01:00.000Z' });
    },
    async release() {},
  };
  const run = await runContainment({ ...deps, containment: adapter }, survivor.id);
  expect(b.mergedInto).toBe(survivor.id);
  expect(run.refused).toEqual([]);
});
