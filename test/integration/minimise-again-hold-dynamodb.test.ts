/**
 * fg20 on DynamoDB (moto), as on SQLite (minimise-again-keeps-retention, hold-release-reason): minimising again a
 * record an earlier release minimised keeps the note's first time and period and says the run apart
 * (`minimised.again`, the entry's `again: true` without `afterDays`), in a write `verify` accepts; releasing a
 * hold keeps why (`releaseReason`) beside the hold's own reason, and is refused without one, nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import type { FindingRecord, Incident } from '../../handlers/core/incident.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { holdFindings, releaseHold } from '../../handlers/core/retention-hold.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { storeAdditionalInfoMinimisedAsBefore } from '../support/old-record.js';

const CLOSED_AT = '2026-06-01T03:00:00.000Z';
const FIRST_AT = '2026-06-08T09:00:00.000Z';
const NOW = '2026-06-20T09:00:00.000Z';

describe.skipIf(!MOTO_AVAILABLE)('minimised.again and releaseReason on DynamoDB (moto)', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, moto.env);
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
  }, 120_000);
  afterAll(async () => moto?.stop());

  it('keeps the first minimisation on the note, says the run again apart, and keeps why a hold was released', async () => {
    const { id, key } = await storeAdditionalInfoMinimisedAsBefore(store, CLOSED_AT, { at: FIRST_AT, afterDays: 7 }, '{"origin":"198.51.100.23"}');
    expect(verifyOk(await verifyStore(store, { only: id, now: NOW })), 'premise: verify names the address left').toBe(false);

    await minimiseClosed({ store, audit: store, now: () => NOW }, { by: 'Functionaris', afterDays: 180, only: id });
    expect(JSON.stringify(((await store.getFinding(key)) as FindingRecord).detail)).not.toContain('198.51.100.23');
    expect(((await store.getIncident(id)) as Incident).minimised).toMatchObject({
      at: FIRST_AT,
      by: 'FG',
      afterDays: 7,
      findings: 1,
      again: { at: NOW, by: 'Functionaris' },
    });
    const entry = (await store.getTimeline(id)).filter((e) => e.kind === 'finding-minimised').at(-1);
    expect(entry?.detail).toMatchObject({ findingId: 'f-info', again: true });
    expect(entry?.detail).not.toHaveProperty('afterDays');
    expect(verifyOk(await verifyStore(store, { only: id, now: NOW }))).toBe(true);

    const deps = { store, policy: DEFAULT_POLICY, now: () => NOW };
    await holdFindings(deps, id, { by: 'FG', reason: 'klacht van betrokkene' });
    const held = (await store.getIncident(id)) as Incident;
    await expect(releaseHold(deps, id, { by: 'FG', reason: '  ' })).rejects.toThrow('needs its reason');
    expect(((await store.getIncident(id)) as Incident).revision).toBe(held.revision);
    await releaseHold(deps, id, { by: 'FG', reason: 'klacht ingetrokken' });
    expect(((await store.getIncident(id)) as Incident).retentionHold).toBeUndefined();
    expect((await store.getTimeline(id)).at(-1)).toMatchObject({
      kind: 'retention-hold-released',
      detail: { heldBy: 'FG', reason: 'klacht van betrokkene', releaseReason: 'klacht ingetrokken' },
    });
    expect(verifyOk(await verifyStore(store, { only: id, now: NOW }))).toBe(true);
  }, 120_000);
});
