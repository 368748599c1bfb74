/**
 * What one commit writes is bounded, on every store: an attack sequence across a fleet is recorded
 * in one atomic commit that DynamoDB accepts (TransactWriteItems holds at most 100 items), and the
 * embedded store records the same (review2 attack item 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import type { AuditSource } from '../../handlers/ports/audit-source.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { ACCOUNT, largeSequenceEvent, REGION } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';

/** A Critical attack sequence naming `n` EC2 instances besides the default sequence's resources. */
function fleetSequenceEvent(n: number, id = 'b'.repeat(32)) {
  const more = Array.from({ length: n }, (_, i) => {
    const uid = `i-${i.toString(16).padStart(17, '0')}`;
    return { uid, name: uid, accountId: ACCOUNT, resourceType: 'EC2_INSTANCE', region: REGION, service: 'EC2' };
  });
  return largeSequenceEvent({ id, type: 'AttackSequence:EC2/CompromisedInstanceGroup', createdAt: '2026-11-28T02:50:00.000Z', more });
}

function boundsSuite(name: string, make: () => Promise<{ store: IncidentStore & AuditSource; cleanup: () => Promise<void> }>) {
  describe(`commit bounds: ${name}`, () => {
    it('records an attack sequence naming 150 instances in one commit, every action planned and the timeline bounded', async () => {
      const { store, cleanup } = await make();
      try {
        const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
        const result = await recordEvent(deps, fleetSequenceEvent(150));
        expect(result.outcome).toBe('opened');
        const id = result.incidentId as string;
        const incident = await store.getIncident(id);
        const isolations = (incident?.actions ?? []).filter((a) => a.type === 'isolate-instance');
        expect(isolations).toHaveLength(151);
        const timeline = await store.getTimeline(id);
        // One entry for the actions planned at once, listing the first and counting the rest.
        const summary = timeline.filter((e) => e.kind === 'containment-actions');
        expect(summary).toHaveLength(1);
        expect(summary[0].detail).toMatchObject({ count: incident?.actions.length, notListed: (incident?.actions.length ?? 0) - 10 });
        expect(timeline.filter((e) => e.kind.startsWith('containment-') && e.kind !== 'containment-actions')).toHaveLength(0);
        expect(timeline.length).toBeLessThan(20);
        expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);
        // Redelivered: a duplicate, nothing written twice.
        expect((await recordEvent(deps, fleetSequenceEvent(150))).outcome).toBe('duplicate');
      } finally {
        await cleanup();
      }
    });
  });
}

boundsSuite('SQLite (embedded)', async () => tempSqliteStore());

describe.skipIf(!MOTO_AVAILABLE)('DynamoDB store on moto', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
  });
  afterAll(async () => moto?.stop());
  boundsSuite('DynamoDB (moto)', async () => ({ store: new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents'), cleanup: async () => {} }));
});
