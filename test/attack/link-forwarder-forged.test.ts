/**
 * A compromised public link function (a dependency bug, code execution in it) may invoke the
 * link-apply function with any payload it likes. It holds no link key and no webhook secret, so it
 * must not be able to acknowledge anything for which it holds no valid signed link or validly
 * signed recent webhook, nor write anything else. Run against the link-apply handler on moto
 * (DynamoDB, and the secrets from Secrets Manager), each payload serialised as Lambda carries it;
 * "changes nothing" is the whole table, item for item, and the bus.
 */
import { createHmac } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { secretKey, secretReader, secretsManagerWebhookSecret } from '../../handlers/adapters/aws/secrets.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { signAckLink } from '../../handlers/core/ack-link.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { LinkApplyInvoker } from '../../handlers/lambda/link.js';
import { createLinkApplyHandler } from '../../handlers/lambda/link-apply.js';
import { createLogger } from '../../handlers/lambda/runtime.js';
import type { DomainEvent } from '../../handlers/ports/event-publisher.js';
import { findingEvent } from '../support/events.js';
import { inProcessLambda } from '../support/lambda-invoke.js';
import { MOTO_AVAILABLE, type Moto, startMoto, TEST_REGION } from '../support/moto.js';
import { secretsManager } from '../support/secrets.js';

const ORIGIN = 'https://abcdefghij0123456789abcdefghij01.lambda-url.eu-west-1.on.aws';
const LINK_KEY = 'k'.repeat(40) + 'Z'.repeat(24);
const WEBHOOK_SECRET = 'w3bh00k-s3cret-0f-the-subscription';
const policy = parsePolicy({ onCall: { provider: 'pagerduty' } });
const at = (minutes: number) => new Date(Date.parse('2026-11-28T03:00:00.000Z') + minutes * 60_000).toISOString();
const NOW = at(4);

function pagerDutyBody(id: string, eventId: string, occurredAt: string): string {
  return JSON.stringify({
    event: {
      id: eventId,
      event_type: 'incident.acknowledged',
      resource_type: 'incident',
      occurred_at: occurredAt,
      agent: { id: 'PLH1HKV', summary: 'Anna Jansen', type: 'user_reference' },
      data: { id: 'PGR0VU2', type: 'incident', status: 'acknowledged', incident_key: id, title: `[datalek hoog] Beveiligingsincident ${id}` },
    },
  });
}
const signature = (body: string, secret = WEBHOOK_SECRET) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe.skipIf(!MOTO_AVAILABLE)('a compromised link function calling the link-apply function with forged payloads', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  let invoke: LinkApplyInvoker;
  let a: string;
  let b: string;
  const published: DomainEvent[] = [];
  const key = Buffer.from(LINK_KEY, 'utf8');
  const saved: Record<string, string | undefined> = {};

  /** Every item of the table, in order: what "changes nothing" compares. */
  const table = async () => {
    const items = (await moto.clients.dynamodb.send(new ScanCommand({ TableName: 'datalek-incidents' }))).Items ?? [];
    return items.map((i) => JSON.stringify(i)).sort();
  };
  /** Sends `payload` as the forwarder would (JSON over a synchronous invocation); the answer. */
  const send = async (payload: unknown) => {
    const answer = await invoke(JSON.stringify(payload));
    expect(answer.functionError, answer.payload).toBeUndefined();
    return JSON.parse(answer.payload) as { status: number; contentType: string; body: string };
  };
  const press = (token: string, extra: Record<string, unknown> = {}) => ({
    method: 'POST',
    origin: ORIGIN,
    path: `/ack/${token}`,
    headers: { origin: ORIGIN },
    form: { by: 'Mallory', note: '' },
    ...extra,
  });
  const hook = (body: string, headers: Record<string, string>) => ({ method: 'POST', origin: ORIGIN, path: '/hooks/pagerduty', headers, body });

  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
    // The function reads its secrets with the SDK's credential chain and endpoint, as in Lambda.
    for (const [k, v] of Object.entries(moto.env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    const keyArn = (await secretsManager(moto, 'CreateSecret', { Name: 'datalek/ack-link-key', SecretString: LINK_KEY })).ARN;
    const hookArn = (await secretsManager(moto, 'CreateSecret', { Name: 'datalek/pager-webhook', SecretString: WEBHOOK_SECRET })).ARN;
    const deps = { store, policy, now: () => at(0), canEnforce: false };
    a = (await recordEvent(deps, findingEvent({ id: 'forged-a', severity: 8.5, instanceId: 'i-forgeda' }))).incidentId as string;
    b = (await recordEvent(deps, findingEvent({ id: 'forged-b', severity: 8.5, instanceId: 'i-forgedb' }))).incidentId as string;
    const handler = createLinkApplyHandler({
      store,
      policy,
      logger: createLogger(),
      now: () => NOW,
      publisher: { publish: async (events) => void published.push(...events) },
      linkKey: secretKey(secretReader(keyArn, { region: TEST_REGION })),
      webhookSecret: secretsManagerWebhookSecret(hookArn, TEST_REGION),
    });
    invoke = inProcessLambda(handler);
  }, 120_000);

  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await moto?.stop();
  });

  it('refuses links it could not sign: an altered signature, A’s signature on claims naming B, a key of its own, an expired link', async () => {
    const valid = signAckLink(key, { incidentId: a, level: 'on-call', round: 0, expiresAt: at(60) });
    const [claimsA, sigA] = valid.split('.');
    const claimsB = Buffer.from(Buffer.from(claimsA, 'base64url').toString('utf8').replace(a, b)).toString('base64url');
    const forged = [
      [`${claimsA}.${Buffer.alloc(32, 7).toString('base64url')}`, 403],
      [`${claimsB}.${sigA}`, 403],
      [signAckLink(Buffer.alloc(32, 1), { incidentId: b, level: 'on-call', round: 0, expiresAt: at(60) }), 403],
      [signAckLink(key, { incidentId: b, level: 'on-call', round: 0, expiresAt: at(3) }), 410],
    ] as const;
    const before = await table();
    for (const [token, status] of forged) {
      for (const payload of [press(token), { method: 'GET', origin: ORIGIN, path: `/ack/${token}`, headers: {} }]) {
        const answer = await send(payload);
        expect(answer.status, `${payload.method} ${token}`).toBe(status);
        expect(answer.body).not.toContain('Mallory');
      }
    }
    expect(await table()).toEqual(before);
    expect(published).toEqual([]);
  });

  it('refuses a valid link for A carrying B’s id, or anything that claims to be checked already, as not a link request', async () => {
    const valid = signAckLink(key, { incidentId: a, level: 'on-call', round: 0, expiresAt: at(60) });
    const before = await table();
    for (const payload of [
      press(valid, { incidentId: b }),
      press(valid, { verified: true, claims: { incidentId: b, level: 'on-call', round: 0, expiresAt: at(60) } }),
      press(valid, { headers: { origin: ORIGIN, 'x-datalek-verified': 'true' } }),
      press(valid, { form: { by: 'Mallory', note: '', incidentId: b } }),
      press(valid, { method: 'PUT' }),
      press(valid, { headers: { origin: `${ORIGIN}\r\nx-injected: 1` } }),
      press(valid, { path: `/ack/${valid}/../../incidents/${b}` }),
      { ...press(valid), path: '/admin' },
      'POST /ack',
      null,
    ]) {
      const answer = await send(payload);
      expect(answer.status, JSON.stringify(payload)).toBe(400);
      expect(answer.body).toMatch(/^not a link request: /);
    }
    expect(await table()).toEqual(before);
    expect(published).toEqual([]);
  });

  it('refuses webhooks it could not sign, and old ones it saw: a wrong signature, none, a signed one from hours ago', async () => {
    const before = await table();
    const fresh = pagerDutyBody(b, '01FORGEDFRESH', at(3));
    const old = pagerDutyBody(b, '01FORGEDOLD', at(-180));
    expect((await send(hook(fresh, { 'x-pagerduty-signature': signature(fresh, 'a-guess') }))).status).toBe(401);
    expect((await send(hook(fresh, {}))).status).toBe(401);
    // The signature of another body (one it saw go past) does not carry over to this one.
    expect((await send(hook(fresh, { 'x-pagerduty-signature': signature(old) }))).status).toBe(401);
    const replayed = await send(hook(old, { 'x-pagerduty-signature': signature(old) }));
    expect(replayed.status).toBe(200);
    expect(JSON.parse(replayed.body)).toMatchObject({ outcome: 'refused', incidentId: b });
    expect(await table()).toEqual(before);
    expect(published).toEqual([]);
  });

  it('takes a valid link and a valid webhook once each, for the incident they name only, and announces it from the trusted side', async () => {
    const link = signAckLink(key, { incidentId: a, level: 'on-call', round: 0, expiresAt: at(60) });
    const pressed = await send(press(link, { form: { by: 'Anna', note: '' } }));
    expect(pressed.status).toBe(200);
    expect((await store.getIncident(a))?.acknowledgedBy).toBe('Anna (from the page to on-call, round 1)');
    expect((await store.getIncident(b))?.acknowledgedBy ?? null).toBeNull();
    expect(published.map((e) => [e.type, e.incidentId])).toEqual([['Incident Acknowledged', a]]);
    const afterLink = await table();
    expect((await send(press(link, { form: { by: 'Mallory', note: '' } }))).status).toBe(409);
    expect(await table()).toEqual(afterLink);

    const body = pagerDutyBody(b, '01FORGEDVALID', at(3));
    const taken = await send(hook(body, { 'x-pagerduty-signature': signature(body) }));
    expect(JSON.parse(taken.body)).toEqual({ outcome: 'acknowledged', incidentId: b });
    const afterHook = await table();
    // The same delivery again, as a forwarder that kept it would send it: taken once.
    expect(JSON.parse((await send(hook(body, { 'x-pagerduty-signature': signature(body) }))).body)).toEqual({ outcome: 'unchanged', incidentId: b });
    expect(await table()).toEqual(afterHook);
    expect(published.map((e) => [e.type, e.incidentId])).toEqual([
      ['Incident Acknowledged', a],
      ['Incident Acknowledged', b],
    ]);
  });
});
