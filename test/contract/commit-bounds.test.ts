/**
 * What one commit writes is bounded, on every store: an attack sequence across a fleet is recorded
 * in one atomic commit that DynamoDB accepts (TransactWriteItems holds at most 100 items), and the
 * embedded store records the same (review2 attack item 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { MAX_ACTIONS } from '../../handlers/core/commit-bounds.js';
import type { Incident } from '../../handlers/core/incident.js';
import { storedText } from '../../handlers/core/ledger.js';
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
    it('records an attack sequence naming 150 instances in one commit, the timeline bounded and the actions beyond the bound of the record counted', async () => {
      const { store, cleanup } = await make();
      try {
        const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
        const result = await recordEvent(deps, fleetSequenceEvent(150));
        expect(result.outcome).toBe('opened');
        const id = result.incidentId as string;
        const incident = await store.getIncident(id);
        expect(incident?.actions).toHaveLength(MAX_ACTIONS);
        expect(incident?.actionsNotPlanned?.count).toBeGreaterThan(50);
        const timeline = await store.getTimeline(id);
        // One entry for the actions planned at once, listing the first and counting the rest.
        const summary = timeline.filter((e) => e.kind === 'containment-actions');
        expect(summary).toHaveLength(1);
        expect(summary[0].detail).toMatchObject({ count: incident?.actions.length, notListed: (incident?.actions.length ?? 0) - 10 });
        expect(timeline.filter((e) => e.kind.startsWith('containment-')).map((e) => e.kind)).toEqual(['containment-actions', 'containment-not-planned']);
        expect(timeline.length).toBeLessThan(20);
        expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);
        // Redelivered: a duplicate, nothing written twice.
        expect((await recordEvent(deps, fleetSequenceEvent(150))).outcome).toBe('duplicate');
      } finally {
        await cleanup();
      }
    });

    it('keeps the record of a sequence naming 1,500 instances within DynamoDB’s 400 KB an item, counting what it leaves out', async () => {
      const { store, cleanup } = await make();
      try {
        const result = await recordEvent({ store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false }, fleetSequenceEvent(1500, 'c'.repeat(32)));
        expect(result.outcome).toBe('opened');
        const incident = (await store.getIncident(result.incidentId as string)) as Incident;
        expect(storedText.incident(incident).length).toBeLessThan(100 * 1024);
        expect(incident.actions).toHaveLength(MAX_ACTIONS);
        expect(incident.resources).toHaveLength(100);
        expect(incident.resourcesNotListed).toBeGreaterThan(1400);
        expect(incident.actionsNotPlanned?.count).toBeGreaterThan(1400);
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
  });
  afterAll(async () => moto?.stop());
  // A fresh table for each test, as the embedded store gets a fresh file.
  boundsSuite('DynamoDB (moto)', async () => {
    await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    await setupAwsResources(moto.clients);
    return { store: new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents'), cleanup: async () => {} };
  });
});
