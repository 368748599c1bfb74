/**
 * Every AWS client of the pipeline retries adaptively and gives up on a silent connection: tested
 * against a local HTTP endpoint that hangs or throttles the way AWS does, not against the config.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../handlers/adapters/aws/clients.js';
import { ContainmentClientFactory } from '../../handlers/adapters/aws/containment/clients.js';
import { CONTAINMENT_SDK, PIPELINE_SDK } from '../../handlers/adapters/aws/sdk-config.js';
import { jsonLines, runCli } from '../support/cli.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

/** Per path prefix: how to answer the n-th request (0-based). */
type Script = (n: number, req: IncomingMessage, res: ServerResponse) => void;

describe('the AWS clients against a hanging or throttling endpoint', () => {
  let server: Server;
  let endpoint: string;
  const seen: Record<string, number> = {};
  let script: Script = () => {};
  const saved = { ...process.env };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const key = String(req.headers['x-test'] ?? 'none');
      const n = seen[key] ?? 0;
      seen[key] = n + 1;
      req.resume();
      req.on('end', () => script(n, req, res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    Object.assign(process.env, { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'eu-west-1' });
  });
  afterAll(async () => {
    process.env = saved;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** Tags a client's requests so the server can tell the tests apart. */
  const tag = (client: { middlewareStack: { add: (...a: never[]) => void } }, name: string) =>
    (client.middlewareStack.add as (mw: unknown, o: unknown) => void)(
      (next: (a: { request: { headers: Record<string, string> } }) => Promise<unknown>) => (args: { request: { headers: Record<string, string> } }) => {
        args.request.headers['x-test'] = name;
        return next(args);
      },
      { step: 'build', name: `tag-${name}` },
    );

  it('abandons a request that gets no answer and retries it (DynamoDB, the pipeline profile)', async () => {
    const { dynamodb } = createAwsClients('eu-west-1');
    tag(dynamodb, 'hang-ddb');
    script = (n, req, res) => {
      if (req.headers['x-test'] !== 'hang-ddb') return;
      if (n === 0) return; // never answers: only a request timeout ends this
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
    };
    const t0 = Date.now();
    const out = await dynamodb.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } }));
    expect(out.Item).toBeUndefined();
    expect(seen['hang-ddb']).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(PIPELINE_SDK.requestTimeoutMs - 100);
    expect(((await dynamodb.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
  }, 30_000);

  it('keeps trying a throttled EC2 call more than the SDK default of 3 times, adaptively (containment clients)', async () => {
    const factory = new ContainmentClientFactory('eu-west-1', 'datalek-containment');
    // The factory learns its own account first (STS); the fake endpoint answers that as well.
    script = (n, req, res) => {
      const test = req.headers['x-test'];
      if (test === undefined) {
        res
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            '<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/t</Arn><UserId>t</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>',
          );
        return;
      }
      if (test !== 'throttle-ec2') return;
      if (n < CONTAINMENT_SDK.maxAttempts - 1) {
        res
          .writeHead(503, { 'content-type': 'text/xml' })
          .end(
            '<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r</RequestID></Response>',
          );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<DescribeInstancesResponse><reservationSet/></DescribeInstancesResponse>');
    };
    const c = await factory.clientsFor('123456789012', 'eu-west-1', 'sdk-test');
    tag(c.ec2, 'throttle-ec2');
    const out = await c.ec2.send(new DescribeInstancesCommand({}));
    expect(out.Reservations ?? []).toEqual([]);
    expect(seen['throttle-ec2']).toBe(CONTAINMENT_SDK.maxAttempts);
    expect(CONTAINMENT_SDK.maxAttempts).toBeGreaterThan(3);
    for (const client of Object.values(c)) expect(((await client.config.retryStrategy()) as { mode?: string }).mode, client.constructor.name).toBe('adaptive');
  }, 60_000);

  it('gives up on a containment call that never answers within the request timeout', async () => {
    const c = await new ContainmentClientFactory('eu-west-1', 'datalek-containment').clientsFor('123456789012', 'eu-west-1', 'sdk-test-2');
    tag(c.ec2, 'hang-ec2');
    script = () => {};
    const t0 = Date.now();
    const err = await c.ec2
      .send(new DescribeInstancesCommand({}), { abortSignal: AbortSignal.timeout(CONTAINMENT_SDK.requestTimeoutMs + 2_000) })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    // The first attempt timed out on its own (a retry was under way when the caller's budget ran out).
    expect(seen['hang-ec2']).toBeGreaterThanOrEqual(2);
    expect(Date.now() - t0).toBeLessThan(CONTAINMENT_SDK.requestTimeoutMs + 5_000);
  }, 30_000);
});

/**
 * A commit whose answer comes after the client's request timeout, as on a loaded machine: DynamoDB
 * applied it, and the SDK sends it again with the same ClientRequestToken, which DynamoDB answers as
 * done. moto ignored the token, so the retry was cancelled on the transaction's own condition and
 * the replay printed the event that opened an incident as "duplicate" (cli-aws, 30 November).
 */
describe.skipIf(!MOTO_AVAILABLE)('a DynamoDB commit retried after its request timeout, on moto', () => {
  let moto: Moto;
  let proxy: Server;
  const saved = { ...process.env };
  /** The ClientRequestToken of each TransactWriteItems the proxy passed on, in order. */
  const tokens: string[] = [];
  let withhold = false;

  beforeAll(async () => {
    moto = await startMoto();
    const upstream = new URL(moto.endpoint);
    // Passes every request to moto; while `withhold`, the first transaction's answer (moto applied
    // it) is never given: the client gives up after its request timeout and sends it again.
    proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const transact = String(req.headers['x-amz-target']).endsWith('.TransactWriteItems');
      if (transact) tokens.push(JSON.parse(body.toString('utf8')).ClientRequestToken);
      const keep = transact && withhold;
      if (keep) withhold = false;
      const out = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            if (!keep) res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(parts));
          });
        },
      );
      out.end(body);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    Object.assign(process.env, moto.env, { AWS_ENDPOINT_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    const setup = await runCli(['setup', '--target', 'aws'], process.env);
    expect(setup.code, setup.stderr).toBe(0);
  });
  afterAll(async () => {
    process.env = saved;
    proxy?.closeAllConnections();
    await new Promise((r) => proxy?.close(r));
    await moto?.stop();
  });

  it('records the event once, as opened: the retry with the same token is answered as done', async () => {
    withhold = true;
    const r = await runCli(
      ['replay', 'events/01-ec2-backdoor-command-and-control-high.json', '--target', 'aws', '--json', '--now', '2026-11-28T08:00:00Z'],
      process.env,
    );
    // The scenario happened: the first commit's answer was withheld and the SDK sent it again, same token.
    expect(withhold).toBe(false);
    expect(tokens[1]).toBe(tokens[0]);
    expect(r.code, r.stderr).toBe(0);
    const [line] = jsonLines(r.stdout) as { outcome: string; incidentId: string; deadline: string | null }[];
    expect(line).toMatchObject({ outcome: 'opened', deadline: expect.any(String) });
    const shown = JSON.parse((await runCli(['show', line.incidentId, '--target', 'aws', '--json'], process.env)).stdout);
    expect(shown.findings).toBe(1);
  }, 60_000);
});
