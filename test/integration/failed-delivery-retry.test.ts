/**
 * A page whose delivery failed is sent by the next try at once. Before the fix the failed delivery
 * kept its 5-minute claim: Lambda's retry of the notify function (a minute later) found the page
 * claimed, sent nothing and succeeded, and the page waited for the sweep (up to about 10 minutes);
 * locally, `datalek sweep` right after a `replay` whose page failed did the same.
 *
 * Against the DynamoDB store on moto and the SQLite store, with PagerDuty as the pager played by
 * the local server that answers as PagerDuty does (test/support/pager-server.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { SnsNotifier } from '../../handlers/adapters/aws/sns-notifier.js';
import { createPager } from '../../handlers/adapters/pager/index.js';
import { StoreError } from '../../handlers/core/errors.js';
import { pagerRouting, recordPagerFailure } from '../../handlers/core/pager.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { createNotifyHandler } from '../../handlers/lambda/notify.js';
import type { AwsDeps } from '../../handlers/lambda/runtime.js';
import type { AuditSource } from '../../handlers/ports/audit-source.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { capturingLogger, errorLines } from '../support/logs.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { type PagerServer, startPagerDuty } from '../support/pager-server.js';

const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';
const AT = (minutes: number) => new Date(Date.parse('2026-11-27T03:00:00.000Z') + minutes * 60_000).toISOString();

let pd: PagerServer;
beforeAll(async () => {
  pd = await startPagerDuty();
});
afterAll(async () => pd?.stop());

describe.skipIf(!MOTO_AVAILABLE)('the notify function retried by Lambda after the pager failed (DynamoDB on moto)', () => {
  let moto: Moto;
  let resources: Awaited<ReturnType<typeof setupAwsResources>>;
  beforeAll(async () => {
    moto = await startMoto();
    resources = await setupAwsResources(moto.clients);
  });
  afterAll(async () => moto?.stop());

  const pagerPolicy = () => parsePolicy({ onCall: { provider: 'pagerduty', providerUrl: pd.url } });

  /** The notify function as deployed, with the pager at the local server and a clock the test moves. */
  function notifyFunction(store: IncidentStore, clock: { minutes: number }, lines: string[] = []) {
    const now = () => AT(clock.minutes);
    const policy = pagerPolicy();
    const deps: AwsDeps = {
      store,
      notifier: pagerRouting({
        topics: new SnsNotifier(moto.clients.sns, { fg: resources.fgTopicArn, 'on-call': resources.onCallTopicArn }, policy),
        // One attempt per call, no waits: the failure the test asks for is the call's answer.
        pager: createPager(policy, { describe: 'the test', load: async () => ({ routingKey: ROUTING_KEY }) }, { attempts: 1, sleep: async () => {} }),
        now,
        lang: 'en',
        onFallback: (m, reason) => recordPagerFailure({ store, policy, now }, m.incidentId, reason),
      }),
      publisher: { publish: async () => {} },
      policy,
      logger: capturingLogger(lines),
      now,
    };
    return createNotifyHandler(deps);
  }

  async function openIncident(store: IncidentStore, name: string): Promise<string> {
    const r = await recordEvent(
      { store, policy: pagerPolicy(), now: () => AT(0), canEnforce: false },
      findingEvent({ id: name, severity: 8.5, instanceId: `i-${name}` }),
    );
    return r.incidentId as string;
  }
  const event = (incidentId: string) => ({ 'detail-type': 'Incident Opened', detail: { incidentId } });

  it('the retry a minute later pages at once: the failed delivery gave its claim back', async () => {
    const store = new DynamoDbIncidentStore(moto.clients.dynamodb, resources.table);
    const id = await openIncident(store, 'retry-pages');
    const clock = { minutes: 0 };
    const notify = notifyFunction(store, clock);
    pd.accepted.length = 0;
    pd.failNext({ status: 503 });

    // The first invocation: the FG's message goes out, the page does not, and the invocation fails.
    await expect(notify(event(id))).rejects.toThrow(new RegExp(`1 message\\(s\\) for ${id} not delivered: .*HTTP 503`));
    expect(pd.accepted).toHaveLength(0);

    // Lambda's retry, a minute later.
    clock.minutes = 1;
    expect(await notify(event(id))).toEqual({ sent: 1 });

    expect(pd.accepted.map((r) => [r.body.event_action, r.body.dedup_key])).toEqual([['trigger', id]]);
    const page = (await store.listMessages(id)).find((m) => m.channel === 'on-call');
    expect(page?.sentAt).toBe(AT(1));
    // A further retry or event sends nothing again.
    expect(await notify(event(id))).toEqual({ sent: 0 });
    expect(pd.accepted).toHaveLength(1);
    // The record still verifies: a claim given back is no change the ledger holds.
    expect(verifyOk(await verifyStore(store as unknown as AuditSource, { only: id, now: AT(1) }))).toBe(true);
  });

  it('when giving the claim back fails too, the invocation fails with the delivery’s error, the log names both, and the claim runs out as before', async () => {
    const real = new DynamoDbIncidentStore(moto.clients.dynamodb, resources.table);
    const store = Object.assign(Object.create(real) as DynamoDbIncidentStore, {
      releaseMessageClaims: async () => {
        throw new StoreError('DynamoDB UpdateItem failed: ProvisionedThroughputExceededException');
      },
    });
    const id = await openIncident(store, 'retry-unreleased');
    const clock = { minutes: 0 };
    const lines: string[] = [];
    const notify = notifyFunction(store, clock, lines);
    pd.accepted.length = 0;
    pd.failNext({ status: 503 });

    const failure = await notify(event(id)).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(failure).toMatch(/not delivered: .*HTTP 503/);
    expect(failure).not.toMatch(/ProvisionedThroughput/);
    expect(
      errorLines(lines).some((l) => l.includes('could not be given back') && l.includes(`${id}/on-call/opened`) && l.includes('ProvisionedThroughput')),
    ).toBe(true);

    // As before the fix: the claim holds for its lease, then the page goes.
    clock.minutes = 1;
    expect(await notify(event(id))).toEqual({ sent: 0 });
    clock.minutes = 5;
    expect(await notify(event(id))).toEqual({ sent: 1 });
    expect(pd.accepted.map((r) => r.body.dedup_key)).toEqual([id]);
  });
});

describe('`datalek sweep` right after a replay whose page failed (SQLite store)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-retry-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pages at once, and the store verifies after the claim was given back', async () => {
    const store = join(dir, 'store');
    const env = { DATALEK_PAGER_ROUTING_KEY: ROUTING_KEY, DATALEK_PAGER_WEBHOOK_SECRET: 'w'.repeat(32) };
    // The pager unreachable during the replay (nothing listens on port 9), back a minute later.
    const down = join(dir, 'pager-down.json');
    const back = join(dir, 'pager-back.json');
    writeFileSync(down, JSON.stringify({ onCall: { provider: 'pagerduty', providerUrl: 'http://127.0.0.1:9' } }));
    writeFileSync(back, JSON.stringify({ onCall: { provider: 'pagerduty', providerUrl: pd.url } }));
    const file = join(dir, 'event.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'retry-local', severity: 8.5 })));
    pd.accepted.length = 0;

    const replay = await runCli(['replay', file, '--store', store, '--policy', down, '--now', AT(0), '--json'], env);
    const id = JSON.parse(replay.stdout.trim().split('\n')[0]).incidentId as string;
    expect(replay.stderr).toContain(`datalek: message ${id}/on-call/opened not delivered (it stays pending; the next sweep tries again)`);
    // Tried (and told) once in the run: given back for the next run, not tried again by this one's last pass.
    expect(replay.stderr.match(/not delivered/g)).toHaveLength(1);
    expect((await runCli(['verify', '--store', store, '--now', AT(0)])).code).toBe(0);

    const before = new Date().toISOString();
    const sweep = await runCli(['sweep', '--store', store, '--policy', back, '--now', AT(1)], env);
    const after = new Date().toISOString();

    expect(sweep.stderr).not.toMatch(/not delivered/);
    expect(sweep.code).toBe(0);
    expect(pd.accepted.map((r) => [r.body.event_action, r.body.dedup_key])).toEqual([['trigger', id]]);
    const messages = JSON.parse((await runCli(['messages', id, '--store', store, '--json'])).stdout) as { id: string; sentAt: string | null }[];
    // Sent when it went out: a --now days behind the machine's clock is a stated one (sweep-stated-clock.test.ts).
    const sentAt = messages.find((m) => m.id === `${id}/on-call/opened`)?.sentAt as string;
    expect(sentAt >= before && sentAt <= after).toBe(true);
    expect((await runCli(['verify', '--store', store, '--now', AT(1)])).code).toBe(0);
  });
});
