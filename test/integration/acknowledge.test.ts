import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { createAcknowledgeHandler } from '../../handlers/lambda/acknowledge.js';
import { createLogger } from '../../handlers/lambda/runtime.js';
import { spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { csrfOf, form, request as pageRequest, signIn, startServe } from '../support/serve.js';

const ON_CALL = 'arn:aws:sts::123456789012:assumed-role/datalek-on-call/anna';

describe.skipIf(!MOTO_AVAILABLE)('acknowledging through the IAM-authorised endpoint', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  let handler: ReturnType<typeof createAcknowledgeHandler>;
  let server: Server;
  let url: string;
  let n = 0;

  const openIncident = async () => {
    n += 1;
    const r = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T02:00:00.000Z', canEnforce: false },
      findingEvent({ id: `ack-${Date.now()}-${n}`, severity: 9.5, instanceId: `i-ack${n}` }),
    );
    return r.incidentId as string;
  };
  const request = (body: unknown, userArn?: string | null) => ({
    requestContext: { http: { method: 'POST' }, authorizer: userArn === null ? null : { iam: { userArn } } },
    body: JSON.stringify(body),
  });

  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
    const publisher = { publish: async () => {} };
    handler = createAcknowledgeHandler({
      store,
      notifier: { deliver: async () => {} },
      publisher,
      policy: DEFAULT_POLICY,
      logger: createLogger(),
      now: () => '2026-11-28T02:10:00.000Z',
      allowedPrincipals: ['arn:aws:sts::123456789012:assumed-role/datalek-on-call/*'],
    });
    // Plays the function URL with AWS_IAM auth: it checks the SigV4 signature (the credentials are
    // moto's test keys) and hands the handler the identity IAM would put in the request context.
    server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const auth = String(req.headers.authorization ?? '');
      const amzDate = String(req.headers['x-amz-date'] ?? '');
      let userArn: string | null = null;
      if (auth.startsWith('AWS4-HMAC-SHA256 Credential=testing/')) {
        const signer = new SignatureV4({
          credentials: { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' },
          region: 'eu-west-1',
          service: 'lambda',
          sha256: Sha256,
        });
        const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
        const expected = await signer.sign(
          {
            method: 'POST',
            protocol: 'http:',
            hostname: '127.0.0.1',
            port: (server.address() as AddressInfo).port,
            path: req.url ?? '/',
            headers: { host: String(req.headers.host), 'content-type': 'application/json' },
            body,
          },
          { signingDate },
        );
        if (expected.headers.authorization === auth) userArn = ON_CALL;
      }
      // AWS_IAM auth: an unsigned or badly signed request never reaches the function.
      const result = userArn ? await handler(request(JSON.parse(body || '{}'), userArn)) : { statusCode: 403, body: JSON.stringify({ error: 'Forbidden' }) };
      const r = result as { statusCode: number; body: string };
      res.writeHead(r.statusCode, { 'content-type': 'application/json' }).end(r.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server?.close();
    await moto?.stop();
  });

  it('refuses a request without an IAM identity with 403, and changes nothing', async () => {
    const id = await openIncident();
    const before = await store.getIncident(id);
    const res = (await handler(request({ incidentId: id }, null))) as { statusCode: number };
    expect(res.statusCode).toBe(403);
    expect(await store.getIncident(id)).toEqual(before);
  });

  it('refuses a principal the configuration does not allow with 403, and changes nothing', async () => {
    const id = await openIncident();
    const before = await store.getIncident(id);
    const res = (await handler(request({ incidentId: id }, 'arn:aws:iam::123456789012:user/intern'))) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body).error).toBe('arn:aws:iam::123456789012:user/intern may not acknowledge incidents');
    expect(await store.getIncident(id)).toEqual(before);
  });

  it('records the signed caller, never a name from the body', async () => {
    const id = await openIncident();
    const withName = (await handler(request({ incidentId: id, by: 'mallory' }, ON_CALL))) as { statusCode: number };
    expect(withName.statusCode).toBe(400);
    expect((await store.getIncident(id))?.acknowledgedBy).toBeNull();
    const res = (await handler(request({ incidentId: id, note: 'on it' }, ON_CALL))) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ incidentId: id, changed: true, acknowledgedBy: ON_CALL });
    const timeline = await store.getTimeline(id);
    expect(timeline.at(-1)).toMatchObject({ kind: 'acknowledged', actor: ON_CALL, detail: { note: 'on it' } });
  });

  it('signs `datalek ack --target aws` with SigV4; the acknowledger is the signing identity', async () => {
    const id = await openIncident();
    const cli = await spawnCli(['ack', id, '--target', 'aws', '--note', 'from the CLI', '--json'], { ...moto.env, DATALEK_ACK_URL: url });
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ incidentId: id, changed: true, acknowledgedBy: ON_CALL });
    expect((await store.getIncident(id))?.acknowledgedBy).toBe(ON_CALL);
    const unsigned = await fetch(url, { method: 'POST', body: JSON.stringify({ incidentId: id }) });
    expect(unsigned.status).toBe(403);
    const byFlag = await spawnCli(['ack', id, '--target', 'aws', '--by', 'mallory'], { ...moto.env, DATALEK_ACK_URL: url });
    expect(byFlag.code).toBe(2);
    expect(byFlag.stderr.trim()).toBe('datalek: --by cannot be used with DATALEK_ACK_URL: the acknowledger is the identity that signs the request');
  });

  it('acknowledges from `datalek serve --target aws` through the same URL, as the signing identity', async () => {
    const id = await openIncident();
    const served = await startServe(['--target', 'aws', '--now', '2026-11-28T02:10:00Z'], { ...moto.env, DATALEK_ACK_URL: url });
    try {
      const cookie = await signIn(served);
      const csrf = csrfOf((await pageRequest(served, `/incidents/${id}`, { headers: { cookie } })).body);
      const reply = await pageRequest(served, `/incidents/${id}/ack`, {
        method: 'POST',
        body: form({ note: 'from the page', _csrf: csrf }),
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(reply.status).toBe(303);
      // The signer, as the function URL verified it; not the page's own idea of who acts.
      expect((await store.getIncident(id))?.acknowledgedBy).toBe(ON_CALL);
      expect((await store.getTimeline(id)).at(-1)).toMatchObject({ kind: 'acknowledged', actor: ON_CALL, detail: { note: 'from the page' } });
    } finally {
      await served.stop();
    }
  });
});
