/**
 * fgops12 5: `minimise` and the record path kept retry loops of their own, ending on the store's raw
 * conflict. A conflict the store raises at every try while nobody else changes the incident (a
 * timeline row planted behind datalek) was then told as a storm ("other changes kept coming in ...
 * run it again once the changes calm down"), which fails the same way for ever. Both now end as
 * every other change does (change-incident.ts `settledConflict`): a `StuckConflictError`, which the
 * shared lost-race path (cli/lost-race.ts) tells with the store's text and `datalek verify ID`.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { lostRaceText } from '../../handlers/cli/lost-race.js';
import { StuckConflictError } from '../../handlers/core/errors.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { plantTimelineRow, tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-27T21:05:00.000Z';
const threeTries = { again: async (n: number) => n < 3 };
let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

/** What the CLI says of `err` for `command` on `id`: the stuck-conflict answer, never a storm's. */
function expectToldStuck(command: string, id: string, err: unknown): void {
  expect(err).toBeInstanceOf(StuckConflictError);
  const text = lostRaceText(command, id, err as StuckConflictError);
  expect(text).toContain('no other writer got there first');
  expect(text).toContain(`datalek verify ${id}`);
  expect(text).not.toMatch(/kept coming in|calm down|storm/);
}

it('minimise: a record the store refuses for good is told as that, with verify, not as a storm', async () => {
  const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
  const id = (await recordEvent(deps, findingEvent({ id: 'f-minimise', instanceId: 'i-0planted0000003' }))).incidentId as string;
  await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver', by: 'FG' });
  await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
  plantTimelineRow(t.dir, id, NOW);
  const at = () => '2026-12-27T00:00:00.000Z';
  const err = await minimiseClosed({ store: t.store, audit: t.store, now: at, machineNow: at, conflictRetry: threeTries }, { by: 'FG', afterDays: 1 }).catch(
    (e: unknown) => e,
  );
  expectToldStuck('minimise', id, err);
});

it('recording a finding: an incident whose commits the store refuses for good is told as that, not as a storm', async () => {
  const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
  const id = (await recordEvent(deps, findingEvent({ id: 'f-first', instanceId: 'i-0planted0000004' }))).incidentId as string;
  plantTimelineRow(t.dir, id, NOW);
  const err = await recordEvent(
    { ...deps, conflictRetry: threeTries },
    findingEvent({ id: 'f-second', instanceId: 'i-0planted0000004', createdAt: '2026-11-27T21:01:00.000Z' }),
  ).catch((e: unknown) => e);
  expectToldStuck('replay', id, err);
});
