/**
 * Review 7 G11 on DynamoDB (moto): `datalek minimise --target aws` removes the personal data from
 * the findings of an incident closed longer than the retention period, in a ledgered write that
 * `datalek verify --target aws` accepts, and a later version of a minimised finding is stored
 * minimised too (read8 A1); an open incident keeps its findings, and a finding item
 * minimised by hand in the table, without its ledger entry, fails verify.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { DEFAULT_RESOURCE_NAMES } from '../../handlers/adapters/aws/table-schema.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import { newPseudonymKey } from '../../handlers/core/finding-resources.js';
import { sha256 } from '../../handlers/core/hash.js';
import type { Incident } from '../../handlers/core/incident.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { jsonLines } from '../support/cli.js';
import { MOTO_ACCOUNT as ACCOUNT, type CliAwsWorld, cliAwsWorld } from '../support/cli-aws.js';
import { accessKeyResource, findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE } from '../support/moto.js';
import { PERSONAL, personalEvent } from '../support/personal-finding.js';

const TABLE = DEFAULT_RESOURCE_NAMES.table;
const FREE_TEXT_ONLY = ['alice.jansen@zorggroep.nl', '2001:db8::45'];
const findingPk = (id: string) => `FND#${ACCOUNT}/eu-west-1/${id}`;

describe.skipIf(!MOTO_AVAILABLE)('minimising the personal data of closed incidents (DynamoDB, on moto)', () => {
  let world: CliAwsWorld;
  const ids: { closed: string; open: string } = { closed: '', open: '' };
  const closedFinding = 'f00000000000000000000000000000d1';
  const openFinding = 'f00000000000000000000000000000d2';
  const dir = mkdtempSync(join(tmpdir(), 'datalek-minimise-aws-'));
  // The command line itself for minimise (refused, done, again) and the verify that fails; the steps
  // around them in this process (see CliAwsWorld.run).
  const cli = (args: string[]) => world.cli(args);
  const run = (args: string[]) => world.run(args);
  const findingData = async (findingId: string) =>
    (await world.moto.clients.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: findingPk(findingId) }, sk: { S: 'FINDING' } } }))).Item
      ?.data?.S as string;

  beforeAll(async () => {
    world = await cliAwsWorld();
    const closed = personalEvent(closedFinding);
    const open = personalEvent(openFinding);
    for (const e of [closed, open]) {
      e.account = ACCOUNT;
      e.detail.accountId = ACCOUNT;
    }
    // An e-mail and an IPv6 address in the free text only (review15 Sa): minimise looks for them on DynamoDB as on SQLite.
    closed.detail.description = `${closed.detail.description} Session ${FREE_TEXT_ONLY[0]} from ${FREE_TEXT_ONLY[1]}.`;
    open.detail.resource = accessKeyResource('AKIAJANJANSEN0000002', 'IAMUser', 'piet.open');
    const file = join(dir, 'events.json');
    writeFileSync(file, JSON.stringify([closed, open]));
    const r = await run(['replay', file, '--json', '--now', '2026-01-10T09:05:00Z']);
    if (r.code !== 0) throw new Error(`replay failed: ${r.stderr}`);
    [ids.closed, ids.open] = jsonLines(r.stdout).map((l) => l.incidentId as string);
    const assessed = await run([
      'assess',
      ids.closed,
      '--personal-data',
      'no',
      '--risk',
      'none',
      '--reason',
      'geen persoonsgegevens',
      '--by',
      'FG',
      '--now',
      '2026-01-12T09:00:00Z',
    ]);
    if (assessed.code !== 0) throw new Error(`assess failed: ${assessed.stderr}`);
    const closing = await run(['close', ids.closed, '--reason', 'afgehandeld', '--by', 'FG', '--now', '2026-01-12T10:00:00Z']);
    if (closing.code !== 0) throw new Error(`close failed: ${closing.stderr}`);
  }, 240_000);
  afterAll(async () => world?.moto.stop());

  it('minimises the closed incident once, verify accepts it, the open one keeps its evidence; a hand-made minimisation fails verify', async () => {
    const before = await findingData(closedFinding);
    for (const value of [...PERSONAL, ...FREE_TEXT_ONLY]) expect(before).toContain(value);
    // Never an open incident.
    const refused = await cli(['minimise', ids.open, '--by', 'FG Anna', '--now', '2026-09-01T00:00:00Z']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is open: the findings of an open incident are never minimised/);

    const done = await cli(['minimise', '--by', 'FG Anna', '--now', '2026-09-01T00:00:00Z']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`${ids.closed}: personal data removed from 1 finding record`));
    const after = await findingData(closedFinding);
    for (const value of [...PERSONAL, ...FREE_TEXT_ONLY]) expect(after).not.toContain(value);
    expect(JSON.parse(after).minimised).toMatchObject({ by: 'FG Anna', from: sha256(before) });
    expect(await findingData(openFinding)).toContain('203.0.113.45');
    const verified = await run(['verify', ids.closed]);
    expect(verified.code, verified.stderr).toBe(0);
    expect((await run(['show', ids.closed])).stdout).toMatch(/minimised {6}personal data removed from 1 finding record by FG Anna/);

    // Idempotent: nothing more to do.
    const again = await cli(['minimise', '--by', 'FG Anna', '--now', '2026-09-01T00:00:00Z']);
    expect(again.stdout).toMatch(/Minimised 0 of 1 incident/);
    expect(await findingData(closedFinding)).toBe(after);

    // A later version of the minimised finding (GuardDuty archived it: no new activity) is stored minimised too.
    const later = personalEvent(closedFinding);
    later.account = ACCOUNT;
    later.detail.accountId = ACCOUNT;
    later.detail.updatedAt = '2026-09-02T08:00:00Z';
    (later.detail.service as { archived: boolean }).archived = true;
    const laterFile = join(dir, 'later.json');
    writeFileSync(laterFile, JSON.stringify([later]));
    const replayed = await run(['replay', laterFile, '--json', '--now', '2026-09-02T08:05:00Z']);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(jsonLines(replayed.stdout)[0]).toMatchObject({ outcome: 'updated', incidentId: ids.closed });
    const laterData = await findingData(closedFinding);
    for (const value of PERSONAL) expect(laterData).not.toContain(value);
    expect(JSON.parse(laterData)).toMatchObject({ version: { updatedAt: '2026-09-02T08:00:00Z' }, minimised: { by: 'FG Anna' } });
    const verifiedLater = await run(['verify', ids.closed]);
    expect(verifiedLater.code, verifiedLater.stderr).toBe(0);

    // The open incident's finding "minimised" in the table by hand: no ledger entry vouches for it.
    const handMade = (await findingData(openFinding)).replaceAll('203.0.113.45', '(minimised)');
    const item = (
      await world.moto.clients.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: findingPk(openFinding) }, sk: { S: 'FINDING' } } }))
    ).Item as Record<string, { S?: string }>;
    await world.moto.clients.dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { ...item, data: { S: handMade } } as never }));
    const edited = await cli(['verify', ids.open]);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(
      new RegExp(`incident ${ids.open}, finding .*: does not match what the ledger recorded: the finding \\(evidence\\) was edited`),
    );
  });

  it('fed16: a federated principal is kept by a keyed pseudonym two processes share, and minimise leaves it in no item', async () => {
    const client = world.moto.clients.dynamodb;
    // Two processes (two record functions) making the store's secret at once keep the one stored first.
    const [first, second] = [new DynamoDbIncidentStore(client, TABLE), new DynamoDbIncidentStore(client, TABLE)];
    const [a, b] = await Promise.all([first.pseudonymKey(), second.pseudonymKey()]);
    expect(a.equals(b)).toBe(true);
    const principal = `${ACCOUNT}:f.federatie`;
    const login = (id: string) =>
      findingEvent({
        id,
        accountId: ACCOUNT,
        type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
        resource: { resourceType: 'AccessKey', accessKeyDetails: { principalId: principal, userType: 'FederatedUser', userName: 'f.federatie' } },
      } as never);
    const deps = (store: DynamoDbIncidentStore) => ({ store, policy: DEFAULT_POLICY, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false });
    const incidentId = (await recordEvent(deps(first), login('fed16-1'))).incidentId as string;
    const joined = await recordEvent(deps(new DynamoDbIncidentStore(client, TABLE)), login('fed16-2'));
    expect([joined.outcome, joined.incidentId]).toEqual(['attached', incidentId]);
    expect(((await first.getIncident(incidentId)) as Incident).resource.id).toMatch(/^federated-user:[0-9a-f]{16}$/);

    await assess(deps(first), { incidentId, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps(first), { incidentId, reason: 'afgehandeld', by: 'FG' });
    const at = () => '2027-07-01T00:00:00.000Z';
    await minimiseClosed({ store: first, audit: first, now: at, machineNow: at }, { by: 'FG', afterDays: 180 });
    const items = (await client.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
    const holding = items.filter((i) => JSON.stringify(i).includes('federatie')).map((i) => `${i.pk?.S} ${i.sk?.S}`);
    expect(holding, 'the items that still hold the principal once minimised').toEqual([]);
    expect(verifyOk(await verifyStore(first, { only: incidentId, now: at() }))).toBe(true);
  });

  it('fgpseud17 item 2: verify names an open incident recorded with another pseudonym secret than the table keeps, or none', async () => {
    const client = world.moto.clients.dynamodb;
    const store = new DynamoDbIncidentStore(client, TABLE);
    const login = findingEvent({
      id: 'fgpseud17-1',
      accountId: ACCOUNT,
      type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
      resource: { resourceType: 'AccessKey', accessKeyDetails: { userType: 'IAMUser', userName: 'k.kwijt@example.nl' } },
    } as never);
    const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false };
    const incidentId = (await recordEvent(deps, login)).incidentId as string;
    const verified = async () => verifyStore(new DynamoDbIncidentStore(client, TABLE), { only: incidentId, now: '2026-11-28T05:00:00.000Z' });
    expect(verifyOk(await verified()), 'premise: it verifies').toBe(true);
    const key = { pk: { S: 'META' }, sk: { S: 'PSEUDONYM-KEY' } };
    const kept = (await client.send(new GetItemCommand({ TableName: TABLE, Key: key }))).Item;
    try {
      await client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key, secret: { S: newPseudonymKey() } } }));
      const replaced = await verified();
      expect(replaced.problems.map((p) => [p.incidentId, p.entry])).toEqual([[incidentId, `finding ${ACCOUNT}/eu-west-1/fgpseud17-1`]]);
      expect(replaced.problems[0].problem).toMatch(/not made with the store's pseudonym secret/);
      await client.send(new DeleteItemCommand({ TableName: TABLE, Key: key }));
      const lost = await verified();
      expect(lost.problems.map((p) => [p.incidentId, p.entry])).toEqual([[incidentId, 'record']]);
    } finally {
      await client.send(new PutItemCommand({ TableName: TABLE, Item: kept as never }));
    }
    expect(verifyOk(await verified())).toBe(true);
  });
});
