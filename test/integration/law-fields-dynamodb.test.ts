/**
 * atk28 F1, F5, F6 on DynamoDB (moto), tl28a: the incident item's record edited and its ledger items
 * rechained to agree (as tamper-dynamodb.test.ts does), the timeline left as it was. `verify --target
 * aws` shares the audit with the embedded store (core/audit-law-fields.ts): the AP deadline's hours
 * taken off with the deadline moved, the incident made a sample, another acknowledger are named.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { assess } from '../../handlers/core/fg-workflow.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { rechainDynamoDb } from '../support/tamper.js';

const TABLE = 'datalek-incidents';
const NOW = '2026-11-27T22:00:00.000Z';

describe.skipIf(!MOTO_AVAILABLE)('the law’s fields edited on DynamoDB with the ledger rechained, on moto', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;

  beforeAll(async () => {
    moto = await startMoto();
  });
  beforeEach(async () => {
    await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, TABLE);
  });
  afterAll(async () => moto?.stop());

  /** An incident opened, acknowledged by anna and assessed by fg-piet. */
  async function assessed(): Promise<string> {
    const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:05:00.000Z', canEnforce: false };
    const id = (await recordEvent(deps, findingEvent({ id: 'tl28a-dyn', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-tl28a' }))).incidentId as string;
    await acknowledge({ ...deps, now: () => '2026-11-27T21:10:00.000Z' }, { incidentId: id, by: 'anna' });
    await assess({ ...deps, now: () => NOW }, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'klantgegevens', by: 'fg-piet' });
    return id;
  }
  const problems = async (id: string) => (await verifyStore(store, { only: id, now: NOW })).problems.map((p) => p.problem);

  it('names the hours taken off with the deadline moved, a sample made, and another acknowledger; the record as written verifies', async () => {
    const id = await assessed();
    expect(await problems(id)).toEqual([]);
    await rechainDynamoDb(moto.clients.dynamodb, TABLE, id, (r) =>
      Object.assign(r, { deadlineHours: null, deadline: '2027-06-01T00:00:00.000Z', sample: true, acknowledgedBy: 'bob' }),
    );
    const named = await problems(id);
    expect(named.join('\n')).toContain('holds no AP deadline or no hours it counts (deadline 2027-06-01T00:00:00.000Z, hours none)');
    expect(named.join('\n')).toContain('it reads a sample finding, but its opening (entry 1) says it is none');
    expect(named.join('\n')).toContain(
      'its acknowledgement (bob at 2026-11-27T21:10:00.000Z) is not the first its timeline records (anna at 2026-11-27T21:10:00.000Z',
    );
  }, 120_000);
});
