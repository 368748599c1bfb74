/**
 * `datalek serve --target aws` on moto: the page reads and writes DynamoDB with the user's own
 * credentials, and the person acting is the identity of those credentials (STS), never a name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { csrfOf, form, request, type Served, signIn, startServe } from '../support/serve.js';

// moto's identity for its test credentials.
const CALLER = 'arn:aws:sts::123456789012:user/moto';

describe.skipIf(!MOTO_AVAILABLE)('datalek serve --target aws, on moto', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  let served: Served;
  let id: string;

  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
    const recorded = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T02:00:00.000Z', canEnforce: false },
      findingEvent({ id: 'serve-aws', createdAt: '2026-11-28T01:00:00Z' }),
    );
    id = recorded.incidentId as string;
    served = await startServe(['--target', 'aws', '--now', '2026-11-28T03:00:00Z'], moto.env);
  });
  afterAll(async () => {
    await served?.stop();
    await moto?.stop();
  });

  it('acts as the identity of the credentials, on the incidents in DynamoDB', async () => {
    expect(served.actor).toBe(CALLER);
    const cookie = await signIn(served);
    const overview = await request(served.port, '/', { headers: { cookie } });
    expect(overview.body).toContain(id);
    expect(overview.body).toContain(CALLER);

    const csrf = csrfOf((await request(served.port, `/incidents/${id}`, { headers: { cookie } })).body);
    const post = (action: string, fields: Record<string, string>) =>
      request(served.port, `/incidents/${id}/${action}`, {
        method: 'POST',
        body: form({ ...fields, _csrf: csrf }),
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      });
    expect((await post('ack', { note: 'van de pagina' })).status).toBe(303);
    expect((await post('assess', { 'personal-data': 'no', risk: 'none', reason: 'testomgeving zonder persoonsgegevens' })).status).toBe(303);
    const incident = await store.getIncident(id);
    expect(incident?.acknowledgedBy).toBe(CALLER);
    expect(incident?.assessment).toMatchObject({ personalData: 'no', risk: 'none', notifiable: false, by: CALLER });
    // A name in the form changes nothing about who acts.
    expect((await post('facts', { records: '0', by: 'mallory' })).status).toBe(303);
    expect((await store.getTimeline(id)).at(-1)).toMatchObject({ kind: 'facts-recorded', actor: CALLER });
  });
});
