/**
 * fgops12 5: `minimise` and the record path kept retry loops of their own, ending on the store's raw
 * conflict. A conflict the store raises at every try while nobody else changes the incident (a
 * timeline row planted behind datalek) was then told as a storm ("other changes kept coming in ...
 * run it again once the changes calm down"), which fails the same way for ever. Both now end as
 * every other change does (change-incident.ts `settledConflict`): a `StuckConflictError`, which the
 * shared lost-race path (cli/lost-race.ts) tells with the store's text and `datalek verify ID`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lostRaceText } from '../../handlers/cli/lost-race.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { ConflictError, StuckConflictError } from '../../handlers/core/errors.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { bucketResource, credentialSequenceEvent, findingEvent } from '../support/events.js';
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

/**
 * fg14b 3: c59b0b2 settled the record path's last conflict against the incidents its first try
 * read, so a storm on an incident pulled in on a later try read as "no race"; 4884478 settled it
 * against the last try's. Still, a try whose commit lost to another writer that opened an incident
 * on a resource the finding names (its lock taken) read as "no race" while the incidents it wrote did
 * not move. Each try's incidents are now compared with the next's, and the last with those deciding
 * again would write.
 */
describe('recording a finding: a conflict from a storm elsewhere is a lost race, not a store refusing for good', () => {
  const deps = () => ({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false });
  /** `t.store`, running `meanwhile(n)` (another writer) before its nth commit. */
  const storming = (meanwhile: (n: number) => Promise<unknown>) => {
    let commits = 0;
    return new Proxy(t.store, {
      get(target, prop) {
        if (prop === 'commit')
          return async (change: Parameters<typeof target.commit>[0]) => {
            await meanwhile(++commits);
            return target.commit(change);
          };
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  // The bucket the sequence below names: another writer opens an incident on it first.
  const onBucket = (id: string) =>
    recordEvent(deps(), findingEvent({ id, type: 'Exfiltration:S3/AnomalousBehavior', resource: bucketResource('klantdata', 'NOT_PUBLIC') }));

  it('a storm on an incident pulled in on a later try', async () => {
    await recordEvent(deps(), findingEvent({ id: 'f-x' }));
    let z: string | undefined;
    const store = storming(async (n) => {
      if (n === 1) z = (await onBucket('f-z')).incidentId as string;
      else await changeIncident(deps(), z as string, () => ({ entries: [{ at: NOW, kind: 'note', detail: { storm: n } }] }));
    });
    const err = await recordEvent({ ...deps(), store, conflictRetry: threeTries }, credentialSequenceEvent()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).not.toBeInstanceOf(StuckConflictError);
  });

  it('a try that lost a resource to another writer while the incidents it wrote stayed', async () => {
    await recordEvent(deps(), findingEvent({ id: 'f-x2' }));
    const store = storming(async (n) => n === 1 && onBucket('f-z2'));
    const err = await recordEvent({ ...deps(), store, conflictRetry: { again: async () => false } }, credentialSequenceEvent()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).not.toBeInstanceOf(StuckConflictError);
  });
});
