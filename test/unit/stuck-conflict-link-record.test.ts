/**
 * fgops12 5: on AWS a conflict that is no race (a row planted behind datalek: every commit of the
 * incident refused while its revision stays) was worded as a lost race: the signed link's page
 * said "other changes kept coming, press again" (503), and the record function logged that other
 * writers kept changing the incident. The link's page now says it is no race, with the store's
 * words and `datalek verify ID`; the record function fails (its errors alarm and dead-letter
 * queue page) and logs that it is no race, by id, the store's text left out (it may name a resource).
 */
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { LOG_METRICS } from '../../handlers/adapters/aws/table-schema.js';
import { signAckLink } from '../../handlers/core/ack-link.js';
import { StuckConflictError } from '../../handlers/core/errors.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { createLinkApplyHandler } from '../../handlers/lambda/link-apply.js';
import { createLinkApp, createLinkApplier } from '../../handlers/web/links.js';
import { acknowledgeByFunction } from '../support/ack-handler.js';
import { findingEvent } from '../support/events.js';
import { capturingLogger, errorLines } from '../support/logs.js';
import { loggedRecordHandler } from '../support/record-handler.js';
import { plantTimelineRow, tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-27T21:05:00.000Z';
const KEY = Buffer.alloc(32, 9);
const ORIGIN = 'http://127.0.0.1:8733';
/** Little time left: the lost tries are made without pauses (conflict-retry.ts untilDeadline). */
const CONTEXT = { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 10_000 };
/** The log lines that count a stuck conflict, as datalek-stuck-conflict's metric filter reads them (`$.stuckConflicts > 0`). */
const counted = (lines: string[]) =>
  lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => typeof l[LOG_METRICS.stuckConflicts] === 'number' && (l[LOG_METRICS.stuckConflicts] as number) > 0);
let t: ReturnType<typeof tempSqliteStore>;
let id: string;
beforeEach(async () => {
  t = tempSqliteStore();
  const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
  id = (await recordEvent(deps, findingEvent({ id: 'f-first', severity: 8.5, instanceId: 'i-0planted0000005' }))).incidentId as string;
  plantTimelineRow(t.dir, id, NOW);
});
afterEach(async () => t.cleanup());

it('the signed link’s page says a conflict that is no race is that, with the store’s words and verify', async () => {
  const app = createLinkApp({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW, linkKey: async () => KEY, target: 'local', live: false });
  const token = signAckLink(KEY, { incidentId: id, level: 'secondary', round: 0, expiresAt: '2026-11-27T22:00:00.000Z' });
  const reply = await app.request(
    `${ORIGIN}/ack/${token}`,
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN }, body: 'by=Anna' },
    { conflictRetry: { again: async (n: number) => n < 3 } },
  );
  const page = await reply.text();
  expect(page).toContain(`terwijl incident ${id} intussen niet veranderde`);
  expect(page).toContain(`datalek verify ${id}`);
  expect(page).toMatch(/De opslag meldde: .*UNIQUE constraint/);
  expect(page).not.toMatch(/storm van meldingen|druk nog eens/);
  expect(reply.status).toBe(500);
});

it('the link-apply function fails on a pager’s webhook about it (no person reads that answer), so that its errors alarm pages', async () => {
  const PAGERDUTY = parsePolicy({ onCall: { provider: 'pagerduty' } });
  const paged = (
    await recordEvent(
      { store: t.store, policy: PAGERDUTY, now: () => NOW, canEnforce: false },
      findingEvent({ id: 'f-paged', severity: 8.5, instanceId: 'i-0planted0000006' }),
    )
  ).incidentId as string;
  plantTimelineRow(t.dir, paged, NOW);
  const logged: string[] = [];
  const apply = createLinkApplier({
    store: t.store,
    policy: PAGERDUTY,
    now: () => NOW,
    linkKey: async () => KEY,
    webhookSecret: async () => 'webhook-secret',
    target: 'aws',
    live: true,
    log: (line) => void logged.push(line),
  });
  const body = JSON.stringify({
    event: {
      id: 'Q0STUCK',
      event_type: 'incident.acknowledged',
      occurred_at: '2026-11-27T21:05:30Z',
      agent: { type: 'user_reference', summary: 'Anna Jansen' },
      data: { incident_key: paged },
    },
  });
  const signature = `v1=${createHmac('sha256', 'webhook-secret').update(body).digest('hex')}`;
  const err = await apply(
    { method: 'POST', origin: ORIGIN, path: '/hooks/pagerduty', headers: { 'x-pagerduty-signature': signature }, body },
    { conflictRetry: { again: async (n: number) => n < 3 } },
  ).catch((e: unknown) => e);
  expect(err, JSON.stringify(err)).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(new RegExp(`incident ${paged} was not recorded: .*no race.*datalek verify ${paged}`));
  expect((err as Error).message).not.toMatch(/UNIQUE|i-0planted/);
});

it('the record function fails on it and logs that it is no race, by id, without the store’s text', async () => {
  const lines: string[] = [];
  const record = loggedRecordHandler(t.store, lines, NOW);
  const event = findingEvent({ id: 'f-second', severity: 8.5, instanceId: 'i-0planted0000005', createdAt: '2026-11-27T21:01:00.000Z' });
  // Little time left: the lost tries are made without pauses (conflict-retry.ts untilDeadline).
  const err = await record(event, { awsRequestId: 'r', functionName: 'record', getRemainingTimeInMillis: () => 10_000 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StuckConflictError);
  const errors = errorLines(lines);
  expect(errors).toHaveLength(1);
  const line = JSON.parse(errors[0]) as Record<string, unknown>;
  expect(line).toMatchObject({ findingId: 'f-second', incidentId: id });
  expect(line.message).toMatch(/no race.*datalek verify/);
  expect(line.message).not.toMatch(/kept changing/);
  expect(errors[0]).not.toMatch(/UNIQUE|i-0planted/);
});

it('the acknowledgement function (on-call’s signed URL) counts it in its log for datalek-stuck-conflict, by incident id, without the store’s text (infra14)', async () => {
  const lines: string[] = [];
  const reply = await acknowledgeByFunction(t.store, lines, NOW, id);
  expect(reply.statusCode).toBe(500);
  const lines0 = counted(lines);
  expect(lines0).toHaveLength(1);
  expect(lines0[0]).toMatchObject({ incidentId: id, level: 'ERROR', [LOG_METRICS.stuckConflicts]: 1 });
  expect(JSON.stringify(lines0[0])).not.toMatch(/UNIQUE|i-0planted/);
});

it('the link-apply function counts it in its log for datalek-stuck-conflict on the signed link’s page, the person still shown why (infra14)', async () => {
  const lines: string[] = [];
  const handler = createLinkApplyHandler({
    store: t.store,
    publisher: { publish: async () => {} },
    policy: DEFAULT_POLICY,
    logger: capturingLogger(lines),
    now: () => NOW,
    linkKey: async () => KEY,
  });
  const token = signAckLink(KEY, { incidentId: id, level: 'secondary', round: 0, expiresAt: '2026-11-27T22:00:00.000Z' });
  const reply = await handler({ method: 'POST', origin: ORIGIN, path: `/ack/${token}`, headers: { origin: ORIGIN }, form: { by: 'Anna' } }, CONTEXT);
  expect(reply.status).toBe(500);
  expect(reply.body).toContain(`datalek verify ${id}`);
  const lines0 = counted(lines);
  expect(lines0).toHaveLength(1);
  expect(lines0[0]).toMatchObject({ incidentId: id, level: 'ERROR', [LOG_METRICS.stuckConflicts]: 1 });
  expect(JSON.stringify(lines0[0])).not.toMatch(/UNIQUE|i-0planted/);
});
