/**
 * A finding that links incidents rather than merging them writes the link on each linked incident,
 * on every store: in the finding's own commit (its `others`) while that commit has room, and in a
 * commit of its own after it for the rest (commit-bounds.ts), each saying so. No commit passes
 * DynamoDB's 100 items, and the store still verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { commitItems, MAX_COMMIT_ITEMS } from '../../handlers/core/commit-bounds.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import type { AuditSource } from '../../handlers/ports/audit-source.js';
import type { IncidentChange, IncidentStore } from '../../handlers/ports/incident-store.js';
import { instanceSequenceEvent } from '../support/events.js';
import { incidentsWithFacts } from '../support/incidents.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const TYPE = 'AttackSequence:EC2/CompromisedInstanceGroup';
/** Twenty findings and twenty facts on moto, under load: longer than the default 30 s. */
const MANY_MS = 180_000;

const instance = (i: number) => `i-${i.toString(16).padStart(17, '0')}`;

/** Records what each commit writes, as DynamoDB counts it. */
function measured(store: IncidentStore) {
  const commits: IncidentChange[] = [];
  const commit = store.commit.bind(store);
  store.commit = async (change) => {
    commits.push(change);
    return commit(change);
  };
  return commits;
}

function linkSuite(name: string, make: () => Promise<{ store: IncidentStore & AuditSource; cleanup: () => Promise<void> }>) {
  describe(`links told: ${name}`, () => {
    it('writes the link on the linked incident in the finding’s commit', async () => {
      const { store, cleanup } = await make();
      try {
        const [first, second] = await incidentsWithFacts(store, 2, instance, NOW);
        const commits = measured(store);
        const r = await recordEvent(
          { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false },
          instanceSequenceEvent('q'.repeat(32), [instance(0), instance(1)]),
        );
        expect(r).toMatchObject({ outcome: 'attached', incidentId: first });
        expect(commits).toHaveLength(1);
        expect(commits[0].others?.map((o) => o.incident.id)).toEqual([second]);
        const link = (await store.getTimeline(second)).filter((e) => e.kind === 'linked-to-incident');
        expect(link).toHaveLength(1);
        expect(link[0].detail).toMatchObject({ incidentId: first, findingId: 'q'.repeat(32), findingType: TYPE });
        expect(link[0].detail.writtenAfter).toBeUndefined();
        expect((await store.listMessages(second)).filter((m) => m.kind === 'incident-linked')).toHaveLength(1);
        expect(verifyOk(await verifyStore(store))).toBe(true);
      } finally {
        await cleanup();
      }
    });

    it(
      'writes the links the finding’s commit has no room for in commits of their own after it, each once',
      async () => {
        const { store, cleanup } = await make();
        try {
          const ids = await incidentsWithFacts(store, 20, instance, NOW);
          const commits = measured(store);
          const r = await recordEvent(
            { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false },
            instanceSequenceEvent(
              'r'.repeat(32),
              ids.map((_, i) => instance(i)),
            ),
          );
          expect(r).toMatchObject({ outcome: 'attached', incidentId: ids[0] });
          for (const c of commits) expect(commitItems(c)).toBeLessThanOrEqual(MAX_COMMIT_ITEMS);
          const inCommit = new Set(commits[0].others?.map((o) => o.incident.id));
          expect(inCommit.size).toBeGreaterThan(0);
          // Those the survivor names linked (a sequence's correlation keys are bounded: not every instance need be).
          const related = (await store.getTimeline(ids[0])).find((e) => e.kind === 'related-incidents')?.detail.incidents as { incidentId: string }[];
          const linked = related.map((x) => x.incidentId);
          expect(linked.length).toBeGreaterThan(15);
          expect(inCommit.size).toBeLessThan(linked.length);
          for (const id of linked) {
            const link = (await store.getTimeline(id)).filter((e) => e.kind === 'linked-to-incident');
            expect(link).toHaveLength(1);
            expect(link[0].detail.incidentId).toBe(ids[0]);
            expect(link[0].detail.writtenAfter === undefined).toBe(inCommit.has(id));
            const told = (await store.listMessages(id)).filter((m) => m.kind === 'incident-linked');
            expect(told).toHaveLength(1);
            expect(r.queued?.map((m) => m.id)).toContain(told[0].id);
          }
          expect(verifyOk(await verifyStore(store))).toBe(true);
        } finally {
          await cleanup();
        }
      },
      MANY_MS,
    );
  });
}

linkSuite('SQLite (embedded)', async () => tempSqliteStore());

describe.skipIf(!MOTO_AVAILABLE)('DynamoDB store on moto', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => moto?.stop());
  linkSuite('DynamoDB (moto)', async () => {
    await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    await setupAwsResources(moto.clients);
    return { store: new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents'), cleanup: async () => {} };
  });
});
