/**
 * atk29 A2 on DynamoDB: a finding naming a second bucket, or the instance whose role credentials leaked,
 * joins the incident open on it through the record function, and a later finding on the resource it
 * claimed joins it too (the resource locks hold every key).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordHandler } from '../../handlers/lambda/record.js';
import { type Pipeline, wirePipeline } from '../support/aws-pipeline.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const invocation = () => {
  const end = Date.now() + 5 * 60_000;
  return { awsRequestId: `req-${Math.random().toString(16).slice(2)}`, functionName: 'record', getRemainingTimeInMillis: () => end - Date.now() };
};

function bucketsEvent(id: string, buckets: string[], createdAt: string) {
  return findingEvent({
    id,
    type: 'Policy:S3/BucketAnonymousAccessGranted',
    createdAt,
    resource: { resourceType: 'S3Bucket', s3BucketDetails: buckets.map((name) => ({ name, publicAccess: { effectivePermission: 'PUBLIC' } })) },
  });
}

describe.skipIf(!MOTO_AVAILABLE)('a finding naming a resource an open incident holds joins it, on DynamoDB (atk29 A2)', () => {
  let moto: Moto;
  let p: Pipeline;
  beforeAll(async () => {
    moto = await startMoto();
    p = await wirePipeline(moto);
  }, 600_000);
  afterAll(async () => moto?.stop());

  it('joins on every bucket an S3 finding names, and a later finding on the bucket it claimed joins too', async () => {
    const record = createRecordHandler({ ...p.deps, persistenceStore: p.persistence });
    const only = await record(bucketsEvent('b-second', ['second-b'], '2026-11-27T21:00:00.000Z'), invocation());
    const two = await record(bucketsEvent('b-two', ['first-b', 'second-b'], '2026-11-27T21:30:00.000Z'), invocation());
    expect(two).toMatchObject({ outcome: 'attached', incidentId: only.incidentId });
    const first = await record(bucketsEvent('b-first', ['first-b'], '2026-11-27T21:40:00.000Z'), invocation());
    expect(first).toMatchObject({ outcome: 'attached', incidentId: only.incidentId });
  }, 120_000);

  it("joins an instance's leaked role credentials to the incident open on the instance", async () => {
    const record = createRecordHandler({ ...p.deps, persistenceStore: p.persistence });
    const inst = await record(findingEvent({ id: 'c2', resource: instanceResource('i-0a1b2c3d4e5f60718') }), invocation());
    const creds = await record(
      findingEvent({
        id: 'exfil',
        type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
        resourceRole: 'TARGET',
        resource: {
          resourceType: 'AccessKey',
          accessKeyDetails: {
            accessKeyId: 'ASIAEXAMPLEEXFIL0001',
            principalId: 'AROAEXAMPLEROLEID0001:i-0a1b2c3d4e5f60718',
            userType: 'AssumedRole',
            userName: 'app-role',
          },
        },
        service: { action: { actionType: 'AWS_API_CALL', awsApiCallAction: { api: 'ListBuckets' } } },
      }),
      invocation(),
    );
    expect(creds).toMatchObject({ outcome: 'attached', incidentId: inst.incidentId });
  }, 120_000);
});
