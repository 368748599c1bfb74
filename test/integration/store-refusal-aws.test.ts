/**
 * The DynamoDB store tells a refusal of one write as it is (an item over DynamoDB's 400 KB, a key
 * over its size: ValidationException) from a store that cannot be written (a table that is not
 * there, an outage, a throttle): the first is `StoreRefusedError`, which `datalek replay` turns into
 * that event's rejected line; anything else stays a `StoreError`, which stops the run (review7 K2).
 * On moto, which answers these as DynamoDB does (ValidationException "Item size has exceeded the
 * maximum allowed size"; ResourceNotFoundException).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { StoreError, StoreRefusedError } from '../../handlers/core/errors.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const NOW = () => '2026-11-28T00:00:00.000Z';
/** A change appending one timeline entry of about 450 KB: an item DynamoDB refuses as it is. */
const oversized = () => ({ entries: [{ at: NOW(), kind: 'oversized-note', detail: { text: 'x'.repeat(450 * 1024) } }] });

describe.skipIf(!MOTO_AVAILABLE)('the DynamoDB store refusing a write', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  let id: string;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
    id = (await recordEvent({ store, policy: DEFAULT_POLICY, now: NOW, canEnforce: false }, findingEvent({ id: 'refusal-1' }))).incidentId as string;
  }, 600_000);
  afterAll(async () => moto?.stop());

  it('refuses an item over its size as this write, by name, and writes nothing of it', async () => {
    const before = await store.getIncident(id);
    const err = await changeIncident({ store, policy: DEFAULT_POLICY, now: NOW }, id, oversized).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreRefusedError);
    expect((err as Error).message).toMatch(/ValidationException: Item size has exceeded the maximum allowed size/);
    expect((await store.getIncident(id))?.revision).toBe(before?.revision);
  });

  it('a table that cannot be written is the store failing, not a refusal of this write', async () => {
    const missing = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-no-such-table');
    // Read from the real table, committed to the missing one.
    const broken: IncidentStore = new Proxy(store, {
      get(target, prop) {
        if (prop === 'commit') return (change: Parameters<IncidentStore['commit']>[0]) => missing.commit(change);
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const err = await changeIncident({ store: broken, policy: DEFAULT_POLICY, now: NOW }, id, () => ({ entries: [{ at: NOW(), kind: 'note' }] })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect(err).not.toBeInstanceOf(StoreRefusedError);
  });
});
