/**
 * The throttling proxy answers EC2 calls the way EC2 does when its request budget runs dry: a
 * burst, then 503 RequestLimitExceeded until the bucket refills, per account and region and per
 * bucket; other services pass through.
 */

import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTagsCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { callsMadeTwice } from '../support/storm.js';
import { bucketOf, CallPacedClock, EC2_BUCKETS, EC2_CALL_MS, startThrottlingProxy, type ThrottlingProxy } from '../support/throttling-proxy.js';

describe("EC2's time in the storm (CallPacedClock)", () => {
  let wall = 0;
  const clock = () => new CallPacedClock(4, () => wall);

  it('moves by the answers while calls are in flight, however long moto takes', () => {
    wall = 0;
    const c = clock();
    c.sent();
    // A loaded machine: moto takes five seconds to answer one call. EC2 would have taken 100 ms.
    wall += 5_000;
    c.answered(true);
    expect(c.now()).toBe(EC2_CALL_MS);
  });

  it('shares the answer time among the calls in flight together', () => {
    wall = 0;
    const c = clock();
    for (let i = 0; i < 10; i++) c.sent();
    wall += 3_000;
    for (let i = 0; i < 10; i++) c.answered(true);
    // Ten calls answered together take about one answer's time, not ten.
    const tenTogether = c.now();
    expect(tenTogether).toBeGreaterThan(EC2_CALL_MS);
    expect(tenTogether).toBeLessThan(3 * EC2_CALL_MS);
    // A throttled call is answered at once, beside the calls in flight.
    c.sent();
    c.answered(false);
    expect(c.now()).toBe(tenTogether + EC2_CALL_MS / 2);
  });

  it('moves with the wall clock, time-scaled, while no call is in flight', () => {
    wall = 0;
    const c = clock();
    wall += 1_000;
    expect(c.now()).toBe(4_000);
    c.sent();
    wall += 1_000;
    expect(c.now()).toBe(4_000);
    c.answered(true);
    wall += 500;
    expect(c.now()).toBe(4_000 + EC2_CALL_MS + 2_000);
  });
});

describe.skipIf(!MOTO_AVAILABLE)('the EC2 throttling proxy in front of moto', () => {
  let moto: Moto;
  let proxy: ThrottlingProxy;
  const creds = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  /** The buckets' clock, moved by the test: a loaded machine answering a burst slowly refills nothing. */
  let clock = 0;

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startThrottlingProxy(moto.endpoint, { clock: () => clock });
  });
  afterAll(async () => {
    await proxy?.stop();
    await moto?.stop();
  });

  const ec2 = (credentials = creds) => new EC2Client({ endpoint: proxy.endpoint, region: 'eu-west-1', credentials, maxAttempts: 1 });
  /** Fires `n` calls at once; returns their error names (or 'ok'). */
  const burst = async (client: EC2Client, n: number, call: () => CreateTagsCommand | DescribeInstancesCommand) =>
    Promise.all(
      Array.from({ length: n }, () =>
        (client.send as (command: unknown) => Promise<unknown>)(call()).then(
          () => 'ok',
          (e: Error) => e.name,
        ),
      ),
    );

  it("keeps a client's connection open from one call to the next, as AWS does, though moto closes each of its own", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const describe = () =>
      new Promise<{ status: number; connection: string | undefined; reused: boolean }>((resolve, reject) => {
        const body = 'Action=DescribeInstances&Version=2016-11-15';
        const req = httpRequest(
          `${proxy.endpoint}/`,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': Buffer.byteLength(body),
              authorization: 'AWS4-HMAC-SHA256 Credential=testing/20261201/eu-west-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, reused: req.reusedSocket }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      const first = await describe();
      const second = await describe();
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(first.connection).not.toBe('close');
      expect(second.reused).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('sorts the actions into the buckets EC2 has', () => {
    expect(bucketOf('ModifyNetworkInterfaceAttribute')).toBe('networkInterface');
    expect(bucketOf('CreateSnapshot')).toBe('snapshot');
    expect(bucketOf('CreateTags')).toBe('mutating');
    expect(bucketOf('DescribeInstances')).toBe('nonMutating');
    expect(EC2_BUCKETS.mutating).toEqual({ burst: 50, refillPerSecond: 5 });
    expect(EC2_BUCKETS.networkInterface).toEqual({ burst: 100, refillPerSecond: 5 });
  });

  it('answers RequestLimitExceeded once the burst is spent, per account, and refills at its rate', async () => {
    const tag = () => new CreateTagsCommand({ Resources: ['i-00000000000000001'], Tags: [{ Key: 'k', Value: 'v' }] });
    const first = await burst(ec2(), 80, tag);
    expect(first.filter((r) => r === 'RequestLimitExceeded').length).toBeGreaterThan(0);
    // Throttled only once the burst of 50 was spent (moto answers the accepted ones itself).
    const mine = proxy.calls.filter((c) => c.action === 'CreateTags' && c.account === '123456789012');
    expect(mine.findIndex((c) => c.throttled)).toBeGreaterThanOrEqual(EC2_BUCKETS.mutating.burst);
    expect(mine.find((c) => c.throttled)).toMatchObject({ region: 'eu-west-1', retry: false });
    // Another account has a budget of its own (moto maps an assumed role's keys to its account).
    const sts = new STSClient({ endpoint: moto.endpoint, region: 'eu-west-1', credentials: creds });
    const c = (await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::210987654321:role/x', RoleSessionName: 't' }))).Credentials;
    const other = ec2({ accessKeyId: c?.AccessKeyId as string, secretAccessKey: c?.SecretAccessKey as string, sessionToken: c?.SessionToken } as typeof creds);
    expect((await burst(other, 10, tag)).filter((r) => r === 'RequestLimitExceeded')).toEqual([]);
    // Non-mutating calls draw from a bucket of their own.
    expect((await burst(ec2(), 10, () => new DescribeInstancesCommand({}))).every((r) => r === 'ok')).toBe(true);
    // Five tokens a second: a second later a few calls go through again.
    clock += 1_000;
    expect((await burst(ec2(), 3, tag)).filter((r) => r === 'RequestLimitExceeded')).toEqual([]);
    // The same call sent again after a throttle counts as a retry.
    await burst(ec2(), 60, tag);
    expect(proxy.calls.some((x) => x.retry)).toBe(true);
  });
});

describe('a call its caller gave up on (the SDK request timeout, moto slow)', () => {
  it('is marked unanswered, and the SDK sending it again is not counted as the pipeline making it twice', async () => {
    // An EC2 that answers the first CreateTags after the caller has given up, the second at once.
    let creates = 0;
    const upstream = createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      if (body.includes('GetCallerIdentity')) {
        res.end('<GetCallerIdentityResponse><GetCallerIdentityResult><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>');
        return;
      }
      creates += 1;
      if (creates === 1) await new Promise((r) => setTimeout(r, 600));
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<CreateTagsResponse><requestId>r</requestId><return>true</return></CreateTagsResponse>');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    const proxy = await startThrottlingProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, { clock: () => 0 });
    try {
      const client = new EC2Client({
        endpoint: proxy.endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
        maxAttempts: 2,
        requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true },
      });
      await client.send(new CreateTagsCommand({ Resources: ['i-0abc'], Tags: [{ Key: 'datalek', Value: 'x' }] }));
      // The first answer reaches the proxy after the retry has been answered: wait for it.
      await new Promise((r) => setTimeout(r, 700));
      expect(proxy.calls.map((c) => ({ action: c.action, unanswered: c.unanswered ?? false }))).toEqual([
        { action: 'CreateTags', unanswered: true },
        { action: 'CreateTags', unanswered: false },
      ]);
      const incidents = new Map([['i-0abc', 'dl-1']]);
      expect(callsMadeTwice(proxy.calls, incidents)).toEqual([]);
      // The same two calls, both answered: the pipeline made it twice.
      expect(
        callsMadeTwice(
          proxy.calls.map(({ unanswered: _, ...c }) => c),
          incidents,
        ),
      ).toEqual([{ incidentId: 'dl-1', action: 'CreateTags', resource: 'i-0abc' }]);
    } finally {
      await proxy.stop();
      upstream.closeAllConnections();
      await new Promise((r) => upstream.close(r));
    }
  });
});
