/**
 * What one commit writes is bounded, on every store: an attack sequence across a fleet is recorded
 * in one atomic commit that DynamoDB accepts (TransactWriteItems holds at most 100 items), and the
 * embedded store records the same (review2 attack item 2).
 */
import { type AttributeValue, BatchWriteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { actionEntries, commitItems, MAX_ACTIONS, MAX_COMMIT_ITEMS, MAX_PERSON_BYTES, personBytes } from '../../handlers/core/commit-bounds.js';
import { RefusedError, StoreError } from '../../handlers/core/errors.js';
import { assess } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { storedText } from '../../handlers/core/ledger.js';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import type { AuditSource } from '../../handlers/ports/audit-source.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { MAX_TEXT_CHARS } from '../../handlers/use-cases/fields.js';
import { ACCOUNT, findingEvent, instanceSequenceEvent, largeSequenceEvent, REGION, sequenceDetection } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { nodeIsolation } from '../support/node-isolation.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const TABLE = 'datalek-incidents';
/** DynamoDB's most bytes an item. */
const ITEM_LIMIT = 400 * 1024;
/** A policy that isolates every instance an attack sequence names, on AWS. */
const ISOLATE_FLEET = parsePolicy({
  containment: { revokeInstanceCredentials: true, rules: [{ action: 'contain-workload', findingTypes: ['AttackSequence:*'], mode: 'enforce' }] },
});
/** Sixteen findings build the four incidents: on moto, under load, longer than the default 30 s. */
const SIXTEEN_FINDINGS_MS = 120_000;

/** A Critical attack sequence naming `n` EC2 instances besides the default sequence's resources. */
function fleetSequenceEvent(n: number, id = 'b'.repeat(32)) {
  const more = Array.from({ length: n }, (_, i) => {
    const uid = `i-${i.toString(16).padStart(17, '0')}`;
    return { uid, name: uid, accountId: ACCOUNT, resourceType: 'EC2_INSTANCE', region: REGION, service: 'EC2' };
  });
  return largeSequenceEvent({ id, type: 'AttackSequence:EC2/CompromisedInstanceGroup', createdAt: '2026-11-28T02:50:00.000Z', more });
}

const instance = (group: string, i: number) => `i-${group}${i.toString(16).padStart(16, '0')}`;

/** Counts the items each commit writes as DynamoDB does, and keeps the largest. */
function measured(store: IncidentStore & AuditSource) {
  const sizes: number[] = [];
  const commit = store.commit.bind(store);
  store.commit = async (change) => {
    sizes.push(commitItems(change));
    return commit(change);
  };
  return sizes;
}

/**
 * Four incidents, each grown by four sequences of 19 instances (one shared with the one before) to
 * about 60 resource keys, and a sequence naming one instance of each.
 */
async function fourFullIncidents(store: IncidentStore) {
  const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
  const ids: string[] = [];
  for (const [g, group] of ['a', 'b', 'c', 'd'].entries()) {
    for (let k = 0; k < 4; k++) {
      const instances = Array.from({ length: 19 }, (_, i) => instance(group, k * 18 + i));
      const r = await recordEvent(deps, instanceSequenceEvent(`${group}${k}`.padEnd(32, '0'), instances, `2026-11-28T02:${g}${k}:00.000Z`));
      expect(r.outcome).toBe(k === 0 ? 'opened' : 'attached');
      if (k === 0) ids.push(r.incidentId as string);
    }
  }
  for (const id of ids) expect((await store.getIncident(id))?.resourceKeys?.length).toBeGreaterThanOrEqual(55);
  const finalEvent = instanceSequenceEvent(
    'e'.repeat(32),
    ['a', 'b', 'c', 'd'].map((g) => instance(g, 0)),
  );
  return { deps, ids, finalEvent };
}

/** The first of `ids` holds the finding and the rest, merged into it whole. */
async function expectMergedInto(store: IncidentStore, ids: string[]) {
  for (const id of ids.slice(1)) expect(await store.getIncident(id)).toMatchObject({ state: 'closed', mergedInto: ids[0] });
  const survivor = (await store.getIncident(ids[0])) as Incident;
  expect(survivor.state).toBe('open');
  expect(survivor.findings).toBe(17);
  const timeline = await store.getTimeline(ids[0]);
  expect(
    timeline
      .filter((e) => e.kind === 'incidents-merged')
      .map((e) => e.detail.merged)
      .sort(),
  ).toEqual(ids.slice(1).sort());
  expect(timeline.filter((e) => e.kind === 'finding-attached').at(-1)?.detail.findingId).toBe('e'.repeat(32));
  // Every resource key is held by the survivor or free again: none is left to a closed incident.
  for (const g of ['a', 'b', 'c', 'd']) {
    const holder = await store.findOpenIncident(`ec2-instance:${ACCOUNT}:${REGION}:${instance(g, 1)}`);
    expect(holder === undefined || holder.id === ids[0]).toBe(true);
  }
}

/**
 * Assessments of `incidentId`, each with a reason as long as a form or flag takes (a pasted log),
 * `tries` times (review5 attack A2): how many were recorded, and the refusals of the rest.
 */
async function longReasons(deps: { store: IncidentStore; policy: Policy; now: () => string }, incidentId: string, tries = 30) {
  let recorded = 0;
  const refusals: RefusedError[] = [];
  for (let i = 0; i < tries; i++) {
    const reason = `${i} ${'log line '.repeat(MAX_TEXT_CHARS.longtext / 9 - 1)}`;
    try {
      await assess(deps, { incidentId, personalData: 'unknown', risk: 'risk', reason, by: 'FG' });
      recorded += 1;
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      refusals.push(err);
    }
  }
  return { recorded, refusals };
}

/**
 * Every enforced isolation of `id` carried out, each recording what the AWS adapter records for a
 * node with 8 interfaces (one commit here: one per step on AWS ends at the same record).
 */
async function carryOutIsolations(deps: { store: IncidentStore; policy: Policy; now: () => string }, id: string) {
  await changeIncident(deps, id, (draft) => {
    draft.actions = draft.actions.map((a) =>
      a.type === 'isolate-instance' && a.mode === 'enforce' ? { ...nodeIsolation(a.target, a.findingId), id: a.id } : a,
    );
    // Carried out as the pipeline records it: each status change has its entry (verify holds the record to them).
    const carriedOut = draft.actions.filter((a) => a.type === 'isolate-instance' && a.mode === 'enforce');
    return { entries: actionEntries(carriedOut, deps.now(), id) };
  });
}

/** An attack sequence naming the default finding’s instance, an access key and more (sequenceDetection). */
const instanceAndKeySequence = () =>
  findingEvent({
    id: 's'.repeat(32),
    type: 'AttackSequence:IAM/CompromisedCredentials',
    severity: 9.3,
    createdAt: '2026-11-27T23:00:00.000Z',
    resource: { resourceType: 'AttackSequence' },
    resourceRole: 'TARGET',
    service: { featureName: 'Correlation', detection: sequenceDetection() },
  });

/** A store for one test; `copy` makes one holding what `snapshot` of an earlier one held, where the store can copy itself. */
interface MadeStore {
  store: IncidentStore & AuditSource;
  cleanup: () => Promise<void>;
  snapshot?: () => Promise<unknown>;
}

function boundsSuite(name: string, make: (copy?: unknown) => Promise<MadeStore>) {
  /**
   * The four full incidents (sixteen findings: most of the DynamoDB tests' time), built once for
   * the two tests that need them as they are before the sequence joining them: the second gets a
   * copy of the first's items, where the store can copy itself (DynamoDB; the embedded store
   * builds them again).
   */
  let built: { snapshot: unknown; ids: string[]; finalEvent: ReturnType<typeof instanceSequenceEvent> } | undefined;
  const withFourFullIncidents = async () => {
    if (built) {
      const made = await make(built.snapshot);
      return { ...made, deps: { store: made.store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false }, ids: built.ids, finalEvent: built.finalEvent };
    }
    const made = await make();
    const four = await fourFullIncidents(made.store);
    if (made.snapshot) built = { snapshot: await made.snapshot(), ids: four.ids, finalEvent: four.finalEvent };
    return { ...made, ...four };
  };
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

    it('merges three incidents holding about 60 resources each into the one a sequence joins, no commit over 100 items, nothing lost', {
      timeout: SIXTEEN_FINDINGS_MS,
    }, async () => {
      const { store, cleanup, deps, ids, finalEvent } = await withFourFullIncidents();
      try {
        const sizes = measured(store);

        const joined = await recordEvent(deps, finalEvent);

        expect(joined.outcome).toBe('attached');
        expect(joined.incidentId).toBe(ids[0]);
        for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX_COMMIT_ITEMS);
        await expectMergedInto(store, ids);
        expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);
        expect((await recordEvent(deps, finalEvent)).outcome).toBe('duplicate');
      } finally {
        await cleanup();
      }
    });

    it('leaves nothing half written when stopped between the merges and the finding’s own commit: the redelivery completes it', {
      timeout: SIXTEEN_FINDINGS_MS,
    }, async () => {
      const { store, cleanup, deps, ids, finalEvent } = await withFourFullIncidents();
      try {
        const commit = store.commit.bind(store);
        store.commit = async (change) => {
          if (change.finding) throw new StoreError('stopped (test)');
          return commit(change);
        };

        await expect(recordEvent(deps, finalEvent)).rejects.toThrow('stopped (test)');

        store.commit = commit;
        // The finding is not recorded; what was merged ahead is merged whole, the rest still open.
        expect(await store.getFinding({ accountId: ACCOUNT, region: REGION, findingId: 'e'.repeat(32) })).toBeUndefined();
        const others = (await Promise.all(ids.slice(1).map((id) => store.getIncident(id)))) as Incident[];
        expect(others.filter((o) => o.state === 'closed').length).toBeGreaterThan(0);
        for (const other of others) {
          if (other.state === 'closed') expect(other.mergedInto).toBe(ids[0]);
          else expect(other.mergedInto).toBeUndefined();
        }
        expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);

        expect((await recordEvent(deps, finalEvent)).outcome).toBe('attached');
        await expectMergedInto(store, ids);
        expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);
      } finally {
        await cleanup();
      }
    });

    it('keeps an enforced fleet storm’s record under DynamoDB’s 400 KB once every isolation it planned is carried out, and the next finding is still recorded', async () => {
      const { store, cleanup } = await make();
      try {
        const deps = { store, policy: ISOLATE_FLEET, now: () => NOW, canEnforce: true };
        const opened = await recordEvent(deps, fleetSequenceEvent(150));
        const id = opened.incidentId as string;
        const planned = (await store.getIncident(id)) as Incident;
        const isolations = planned.actions.filter((a) => a.type === 'isolate-instance' && a.mode === 'enforce');
        expect(isolations.length).toBeGreaterThan(20);
        expect(planned.actionsNotPlanned?.count).toBeGreaterThan(0);
        await carryOutIsolations(deps, id);
        const done = (await store.getIncident(id)) as Incident;
        expect(done.actions.filter((a) => a.status === 'done')).toHaveLength(isolations.length);
        expect(Buffer.byteLength(storedText.incident(done))).toBeLessThan(ITEM_LIMIT);
        // The incident can still be written: a further sequence on its instances joins it, counted.
        const more = await recordEvent(deps, fleetSequenceEvent(160, 'f'.repeat(32)));
        expect(more).toMatchObject({ outcome: 'attached', incidentId: id });
        const after = (await store.getIncident(id)) as Incident;
        expect(after.actionsNotPlanned?.count).toBeGreaterThan(planned.actionsNotPlanned?.count ?? 0);
        expect(Buffer.byteLength(storedText.incident(after))).toBeLessThan(ITEM_LIMIT);
        expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);
      } finally {
        await cleanup();
      }
    });

    it('keeps the room for containment when people fill their share of the record with text: a later finding’s resources are still planned', async () => {
      const { store, cleanup } = await make();
      try {
        const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
        const first = await recordEvent(deps, findingEvent({ id: 'a'.repeat(32), createdAt: '2026-11-27T22:00:00.000Z' }));
        const id = first.incidentId as string;

        const { recorded, refusals } = await longReasons(deps, id);

        // A few long reasons fit the people's share; the rest are refused, saying why, and not written.
        expect(recorded).toBeGreaterThan(0);
        expect(refusals.length).toBe(30 - recorded);
        expect(refusals[0].message).toMatch(new RegExp(`^the record of ${id} would hold \\d+ KB of text people entered, more than the 64 KB`));
        const filled = (await store.getIncident(id)) as Incident;
        expect(personBytes(filled)).toBeLessThanOrEqual(MAX_PERSON_BYTES);
        expect(filled.decisions).toHaveLength(recorded);
        // The next finding on the incident is recorded, and every action it calls for planned.
        const seq = await recordEvent(deps, instanceAndKeySequence());
        expect(seq).toMatchObject({ outcome: 'attached', incidentId: id });
        const after = (await store.getIncident(id)) as Incident;
        expect(after.actionsNotPlanned).toBeUndefined();
        expect(after.actions.map((a) => a.type)).toEqual(
          expect.arrayContaining(['isolate-instance', 'deactivate-access-key', 'contain-kubernetes-workload', 'review-attack-sequence']),
        );
        expect(verifyOk(await verifyStore(store, { now: NOW }))).toBe(true);
      } finally {
        await cleanup();
      }
    });

    it('keeps a record full of carried-out containment and of people’s text under DynamoDB’s 400 KB, and the next finding is still recorded', async () => {
      const { store, cleanup } = await make();
      try {
        const deps = { store, policy: ISOLATE_FLEET, now: () => NOW, canEnforce: true };
        const id = (await recordEvent(deps, fleetSequenceEvent(150))).incidentId as string;
        expect((await longReasons(deps, id)).refusals.length).toBeGreaterThan(0);
        await carryOutIsolations(deps, id);
        const done = (await store.getIncident(id)) as Incident;
        expect(personBytes(done)).toBeGreaterThan(MAX_PERSON_BYTES - 20 * 1024);
        expect(Buffer.byteLength(storedText.incident(done))).toBeLessThan(ITEM_LIMIT);
        const more = await recordEvent(deps, fleetSequenceEvent(160, 'f'.repeat(32)));
        expect(more).toMatchObject({ outcome: 'attached', incidentId: id });
        expect(Buffer.byteLength(storedText.incident((await store.getIncident(id)) as Incident))).toBeLessThan(ITEM_LIMIT);
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
  // A fresh table for each test, as the embedded store gets a fresh file; or one holding a copy of an earlier table's items.
  boundsSuite('DynamoDB (moto)', async (copy) => {
    await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    await setupAwsResources(moto.clients);
    const db = moto.clients.dynamodb;
    const items = (copy ?? []) as Record<string, AttributeValue>[];
    for (let i = 0; i < items.length; i += 25)
      expect(
        (await db.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } })))
          .UnprocessedItems ?? {},
      ).toEqual({});
    const snapshot = async () => {
      const all: Record<string, AttributeValue>[] = [];
      let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await db.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey }));
        all.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return all;
    };
    return { store: new DynamoDbIncidentStore(db, TABLE), cleanup: async () => {}, snapshot };
  });
});
