/**
 * Observation 8 of issue #13 (logs): the Lambda handlers logged values from malformed events (a
 * severity string holding an IP address, the whole `source`). Logs now carry the field's path and
 * a reason made of types and limits, never a value from the event. No AWS is needed: a malformed
 * event is refused before the store or any client is touched.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { createAcknowledgeHandler } from '../../handlers/lambda/acknowledge.js';
import { createNotifyHandler } from '../../handlers/lambda/notify.js';
import { createRecordHandler } from '../../handlers/lambda/record.js';
import type { AwsDeps } from '../../handlers/lambda/runtime.js';
import { findingEvent } from '../support/events.js';

const SECRET_IP = '198.51.100.77';
const SECRET_NAME = 'piet.pietersen';

/** Handler dependencies that fail the test if the handler gets as far as using them. */
function deps(lines: string[]): AwsDeps {
  const untouchable = new Proxy(
    {},
    {
      get: () => {
        throw new Error('a malformed event must not reach the store, the notifier or the bus');
      },
    },
  );
  const logger = new Logger({ serviceName: 'datalek-test', logLevel: 'DEBUG' });
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    const original = logger[level].bind(logger) as (...args: unknown[]) => void;
    logger[level] = ((...args: unknown[]) => {
      lines.push(JSON.stringify(args));
      original(...args);
    }) as Logger['info'];
  }
  return {
    store: untouchable as AwsDeps['store'],
    notifier: untouchable as AwsDeps['notifier'],
    publisher: untouchable as AwsDeps['publisher'],
    policy: DEFAULT_POLICY,
    logger,
    now: () => '2026-11-28T00:00:00.000Z',
  };
}

const context = { awsRequestId: 'r', functionName: 'record', getRemainingTimeInMillis: () => 30_000 };

describe('Lambda logs of malformed events', () => {
  const malformed: [string, unknown][] = [
    ['a severity string holding an IP address', { ...findingEvent(), detail: { ...findingEvent().detail, severity: SECRET_IP } }],
    ['a source that is not GuardDuty', { ...findingEvent(), source: `custom ${SECRET_IP} ${SECRET_NAME}` }],
    ['a type that is not a string', { ...findingEvent(), detail: { ...findingEvent().detail, type: { user: SECRET_NAME } } }],
    ['an account id holding a name', { ...findingEvent(), detail: { ...findingEvent().detail, accountId: SECRET_NAME } }],
    ['a createdAt that is not a time', { ...findingEvent(), detail: { ...findingEvent().detail, createdAt: `${SECRET_IP}Z` } }],
    ['text where the event should be', `${SECRET_NAME} logged in from ${SECRET_IP}`],
    ['a not-a-finding detail-type carrying a name', { ...findingEvent(), 'detail-type': `GuardDuty ${SECRET_NAME}` }],
  ];

  it.each(malformed)('%s: logs the field path and why, never the value', async (_what, event) => {
    const lines: string[] = [];
    const record = createRecordHandler({ ...deps(lines), persistenceStore: {} as never });
    const thrown = await record(event, context).then(
      () => null,
      (err: Error) => err,
    );
    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(log).not.toContain(SECRET_IP);
    expect(log).not.toContain(SECRET_NAME);
    expect(thrown?.message ?? '').not.toContain(SECRET_IP);
    expect(thrown?.message ?? '').not.toContain(SECRET_NAME);
    if (thrown) expect(log).toMatch(/"path":"[^"]+"/);
  });

  it('the notify handler names the missing field, not the event it got', async () => {
    const notify = createNotifyHandler(deps([]));
    const err = await notify({ 'detail-type': `from ${SECRET_IP}`, detail: {} }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/no detail.incidentId/);
    expect((err as Error).message).not.toContain(SECRET_IP);
  });
});

describe("the record function's refusal of a finding of another account (review10 K5)", () => {
  it('refuses it before the store, naming the account, never logging the event; it fails the invocation (retries, then the dead-letter queue, whose alarm pages)', async () => {
    const lines: string[] = [];
    const base = deps(lines);
    const policy = { ...DEFAULT_POLICY, containment: { ...DEFAULT_POLICY.containment, pipelineAccount: '111122223333' } };
    const record = createRecordHandler({ ...base, policy, persistenceStore: {} as never });
    const event = findingEvent({
      accountId: '444455556666',
      service: { action: { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { remoteIpDetails: { ipAddressV4: SECRET_IP } } } },
    });
    const err = await record(event, context).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/a finding of account 444455556666, delivered by account 444455556666's EventBridge: not this pipeline's account/);
    const log = lines.join('\n');
    expect(log).toContain('444455556666');
    expect(log).not.toContain(SECRET_IP);
  });
});

describe('the acknowledge function’s log of a refused caller', () => {
  it('names the role, never the session name (often the person’s e-mail address)', async () => {
    const lines: string[] = [];
    const handler = createAcknowledgeHandler({ ...deps(lines), allowedPrincipals: ['arn:aws:sts::123456789012:assumed-role/datalek-on-call/*'] });
    const caller = 'arn:aws:sts::123456789012:assumed-role/ReadOnly/piet.pietersen@example.nl';
    const res = (await handler({ requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: caller } } }, body: '{}' })) as {
      statusCode: number;
    };
    expect(res.statusCode).toBe(403);
    expect(lines.join('\n')).toContain('assumed-role/ReadOnly/[session name left out]');
    expect(lines.join('\n')).not.toContain('piet.pietersen');
  });
});
