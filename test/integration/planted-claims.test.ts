/**
 * Review item 6: the resources an open incident holds besides its own (`incident_keys`; on DynamoDB
 * the resource locks) are not in the ledger. A row planted there, naming an open incident, made
 * every later finding on that resource fail to commit, ten times, and ended the whole replay with
 * exit 3: the valid event after it was never recorded, and `datalek verify` saw nothing wrong.
 * Now the event is one `rejected` line naming the key and the incident holding it, the run goes on,
 * and verify names a planted claim and a missing one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { jsonLines, runCli, spawnCli } from '../support/cli.js';
import { ACCOUNT, findingEvent, REGION, sequenceDetection } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { digestKeys } from '../support/tamper.js';

const NOW = '2026-11-28T11:05:00Z';
const TABLE = 'datalek-incidents';
const instanceKey = (id: string) => `ec2-instance:${ACCOUNT}:${REGION}:${id}`;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-claims-'));
  const store = join(dir, 'store');
  const file = (name: string, events: unknown[]) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(events));
    return path;
  };
  const sql = (fn: (db: Database.Database) => void) => {
    const db = new Database(join(store, 'datalek.sqlite'));
    try {
      fn(db);
    } finally {
      db.close();
    }
  };
  return { dir, store, file, sql };
}

describe('claims on resources (incident_keys) on the embedded store', () => {
  it('a planted claim rejects the finding on that resource by name, the run goes on, and verify names the claim', async () => {
    const s = setup();
    const first = jsonLines(
      (await runCli(['replay', s.file('a.json', [findingEvent({ id: 'claim-a', instanceId: 'i-held' })]), '--store', s.store, '--json', '--now', NOW])).stdout,
    );
    const holder = first[0].incidentId as string;
    s.sql((db) => db.prepare('INSERT INTO incident_keys (resource_key, incident_id) VALUES (?, ?)').run(instanceKey('i-planted'), holder));

    const verified = await runCli(['verify', '--store', s.store]);
    expect(verified.code, verified.stderr).toBe(1);
    expect(verified.stderr).toContain(`incident ${holder}, claim ${instanceKey('i-planted')}:`);
    expect(verified.stderr).toMatch(/does not list it/);

    const events = s.file('b.json', [
      findingEvent({ id: 'claim-b', instanceId: 'i-planted', createdAt: '2026-11-28T11:00:00Z' }),
      findingEvent({ id: 'claim-c', instanceId: 'i-next', createdAt: '2026-11-28T11:00:00Z' }),
    ]);
    const r = await runCli(['replay', events, '--store', s.store, '--json', '--now', NOW]);
    expect(r.code, r.stderr).toBe(1);
    const [planted, next] = jsonLines(r.stdout);
    expect(planted).toMatchObject({ outcome: 'rejected', incidentId: null, findingId: 'claim-b' });
    expect(planted.reason).toContain(instanceKey('i-planted'));
    expect(planted.reason).toContain(holder);
    expect(next).toMatchObject({ outcome: 'opened' });
    const status = JSON.parse((await runCli(['status', '--store', s.store, '--json', '--now', NOW])).stdout) as { resource: { id: string } }[];
    expect(status.map((i) => i.resource.id).sort()).toEqual(['i-held', 'i-next']);
  });

  it('anchor names a planted claim as verify does, exit 1, and still writes the digest: the claim is in no ledger it signs', async () => {
    const s = setup();
    const [first] = jsonLines(
      (await runCli(['replay', s.file('a.json', [findingEvent({ id: 'claim-an', instanceId: 'i-anchored' })]), '--store', s.store, '--json', '--now', NOW]))
        .stdout,
    );
    const holder = first.incidentId as string;
    const keys = digestKeys(s.dir);
    const anchor = () => runCli(['anchor', '--store', s.store, '--digests', join(s.dir, 'digests'), '--key', keys.private, '--json']);
    s.sql((db) => db.prepare('INSERT INTO incident_keys (resource_key, incident_id) VALUES (?, ?)').run(instanceKey('i-planted'), holder));

    const r = await anchor();
    expect(r.code, r.stderr).toBe(1);
    const verified = await runCli(['verify', '--store', s.store]);
    const line = `datalek: incident ${holder}, claim ${instanceKey('i-planted')}:`;
    expect(verified.stderr).toContain(line);
    expect(r.stderr.split('\n').filter((l) => l.startsWith(line))).toEqual(verified.stderr.split('\n').filter((l) => l.startsWith(line)));
    expect(r.stderr).toMatch(/the digest was written all the same/);
    const out = JSON.parse(r.stdout);
    expect(out.written).toMatchObject({ sequence: 1, incidents: 1 });
    expect(out.problems).toEqual([expect.objectContaining({ incidentId: holder, entry: `claim ${instanceKey('i-planted')}` })]);
    // The digest proves the ledger it anchored; the claim stays reported until it is gone.
    expect((await runCli(['verify', '--store', s.store, '--digests', join(s.dir, 'digests'), '--key', keys.public])).stderr).not.toMatch(/digest-0000000001/);
    s.sql((db) => db.prepare('DELETE FROM incident_keys WHERE resource_key = ?').run(instanceKey('i-planted')));
    const clean = await anchor();
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ written: null, problems: [] });
  });

  it('a claim naming no open incident blocks nothing unseen: verify names it', async () => {
    const s = setup();
    await runCli(['replay', s.file('a.json', [findingEvent({ id: 'claim-d', instanceId: 'i-one' })]), '--store', s.store, '--json', '--now', NOW]);
    s.sql((db) => {
      db.pragma('foreign_keys = OFF');
      db.prepare('INSERT INTO incident_keys (resource_key, incident_id) VALUES (?, ?)').run(instanceKey('i-ghost'), 'dl-00000000000000000000000000000000');
    });
    const verified = await runCli(['verify', '--store', s.store]);
    expect(verified.code, verified.stderr).toBe(1);
    expect(verified.stderr).toContain(`incident dl-00000000000000000000000000000000, claim ${instanceKey('i-ghost')}:`);
    const r = await runCli(['replay', s.file('b.json', [findingEvent({ id: 'claim-e', instanceId: 'i-ghost' })]), '--store', s.store, '--json', '--now', NOW]);
    const [line] = jsonLines(r.stdout);
    expect(line.outcome).toBe('rejected');
    expect(line.reason).toContain('dl-00000000000000000000000000000000');
  });

  it('a claim removed from an open attack sequence is named by verify and by anchor', async () => {
    const s = setup();
    const sequence = findingEvent({
      id: 'claim-seq',
      type: 'AttackSequence:IAM/CompromisedCredentials',
      severity: 9.3,
      resource: { resourceType: 'AttackSequence' },
      resourceRole: 'TARGET',
      service: { featureName: 'Correlation', detection: sequenceDetection({ instanceId: 'i-seq' }) },
    });
    const [opened] = jsonLines((await runCli(['replay', s.file('seq.json', [sequence]), '--store', s.store, '--json', '--now', NOW])).stdout);
    const id = opened.incidentId as string;
    const keys = digestKeys(s.dir);
    const anchor = () => runCli(['anchor', '--store', s.store, '--digests', join(s.dir, 'digests'), '--key', keys.private]);
    expect((await runCli(['verify', '--store', s.store])).code).toBe(0);
    expect((await anchor()).code).toBe(0);
    s.sql((db) => db.prepare('DELETE FROM incident_keys WHERE resource_key = ?').run(instanceKey('i-seq')));
    for (const r of [await runCli(['verify', '--store', s.store]), await anchor()]) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`incident ${id}, claim ${instanceKey('i-seq')}:`);
      expect(r.stderr).toMatch(/no claim holds it/);
    }
  });
});

describe.skipIf(!MOTO_AVAILABLE)('claims on resources (the resource locks) on DynamoDB, on moto', () => {
  let moto: Moto;
  // The command line for the verify that names the planted lock and the replay that rejects the
  // finding on it (exit 1 each); the other runs in this process, on the same moto.
  const cli = (args: string[]) => spawnCli([...args, '--target', 'aws'], moto.env);
  const run = (args: string[]) => runCli([...args, '--target', 'aws'], process.env);
  const lock = (key: string) => ({ pk: { S: `RES#${key}` }, sk: { S: 'OPEN' } });
  beforeAll(async () => {
    moto = await startMoto();
    // For the runs in this process: the SDK finds moto's endpoint and keys here.
    Object.assign(process.env, moto.env);
    await setupAwsResources(moto.clients);
  });
  afterAll(async () => moto?.stop());

  it('a planted lock rejects the finding on that resource by name, the run goes on, and verify names the lock; a removed one too', async () => {
    const s = setup();
    const [first] = jsonLines(
      (await run(['replay', s.file('a.json', [findingEvent({ id: 'lock-a', instanceId: 'i-lock-held' })]), '--json', '--now', NOW])).stdout,
    );
    const holder = first.incidentId as string;
    expect((await run(['verify'])).code).toBe(0);
    await moto.clients.dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { ...lock(instanceKey('i-lock-planted')), incidentId: { S: holder } } }));

    const verified = await cli(['verify']);
    expect(verified.code, verified.stderr).toBe(1);
    expect(verified.stderr).toContain(`incident ${holder}, claim ${instanceKey('i-lock-planted')}:`);
    expect(verified.stderr).toMatch(/does not list it/);
    // anchor names it too, and writes its digest all the same (no lock is in the ledger it signs).
    const keys = digestKeys(s.dir);
    const anchored = await run(['anchor', '--digests', join(s.dir, 'digests'), '--key', keys.private, '--json']);
    expect(anchored.code, anchored.stderr).toBe(1);
    expect(anchored.stderr).toContain(`incident ${holder}, claim ${instanceKey('i-lock-planted')}:`);
    expect(JSON.parse(anchored.stdout).written).toMatchObject({ sequence: 1 });

    const events = s.file('b.json', [
      findingEvent({ id: 'lock-b', instanceId: 'i-lock-planted', createdAt: '2026-11-28T11:00:00Z' }),
      findingEvent({ id: 'lock-c', instanceId: 'i-lock-next', createdAt: '2026-11-28T11:00:00Z' }),
    ]);
    const r = await cli(['replay', events, '--json', '--now', NOW]);
    expect(r.code, r.stderr).toBe(1);
    const [planted, next] = jsonLines(r.stdout);
    expect(planted).toMatchObject({ outcome: 'rejected', incidentId: null, findingId: 'lock-b' });
    expect(planted.reason).toContain(instanceKey('i-lock-planted'));
    expect(planted.reason).toContain(holder);
    expect(next).toMatchObject({ outcome: 'opened' });

    // The lock of an open incident's own resource, removed: a finding on it would open a second incident.
    await moto.clients.dynamodb.send(new DeleteItemCommand({ TableName: TABLE, Key: lock(instanceKey('i-lock-next')) }));
    const again = await run(['verify']);
    expect(again.stderr).toContain(`incident ${next.incidentId}, claim ${instanceKey('i-lock-next')}:`);
    expect(again.stderr).toMatch(/no claim holds it/);
    // Runs of the CLI, two as a process loading the AWS SDK: more than the default on a loaded machine.
  }, 90_000);
});
