/**
 * Anchoring worlds for the digest tests: an embedded store with findings replayed and a key and
 * folder for its digests (the CLI), or a moto table with an Object Lock bucket and a KMS key (the
 * anchor Lambda's handler); and the rewrite an attacker makes of an acknowledgement on DynamoDB.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { type AttributeValue, DeleteItemCommand, type DynamoDBClient, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, PutObjectLockConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { kmsSigner } from '../../handlers/adapters/aws/kms-signer.js';
import { S3DigestStore } from '../../handlers/adapters/aws/s3-digests.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { canonicalJson, sha256 } from '../../handlers/core/hash.js';
import { chainHash, registryGenesis, registryShardOf } from '../../handlers/core/ledger.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { createAnchorHandler } from '../../handlers/lambda/anchor.js';
import { jsonLines, runCli } from './cli.js';
import { findingEvent } from './events.js';
import type { Moto } from './moto.js';
import { TEST_REGION } from './moto.js';
import { digestKeys, type LedgerRow, rechain } from './tamper.js';

/** A store in a fresh folder with one finding per instance replayed at 21:05, its digest key and folder. */
export async function localAnchorWorld(name: string, instances = ['i-one']) {
  const dir = mkdtempSync(join(tmpdir(), `datalek-${name}-`));
  const store = join(dir, 'store');
  const events = join(dir, 'events.json');
  writeFileSync(
    events,
    JSON.stringify(
      instances.map((instanceId, i) =>
        findingEvent({ id: `${name}-${i + 1}`, type: 'Backdoor:EC2/C&CActivity.B', instanceId, createdAt: `2026-11-20T21:0${i}:00Z` }),
      ),
    ),
  );
  const lines = jsonLines((await runCli(['replay', events, '--store', store, '--json', '--now', '2026-11-20T21:05:00Z'])).stdout);
  const keys = digestKeys(dir);
  const digests = join(dir, 'digests');
  return {
    dir,
    store,
    keys,
    digests,
    id: lines[0].incidentId as string,
    ids: lines.map((l) => l.incidentId as string),
    anchor: (...args: string[]) => runCli(['anchor', '--store', store, '--digests', digests, '--key', keys.private, ...args]),
    ack: (by: string, now: string) => runCli(['ack', lines[0].incidentId as string, '--by', by, '--store', store, '--now', now]),
    verify: (location = digests) => runCli(['verify', '--store', store, '--digests', location, '--key', keys.public]),
  };
}

/** One incident's rows put back in the embedded store at `store` as the copy at `copy` holds them (a restore from backup of that incident alone). */
export function restoreIncidentRows(copy: string, store: string, id: string): void {
  const old = new Database(join(copy, 'datalek.sqlite'), { readonly: true });
  const db = new Database(join(store, 'datalek.sqlite'));
  db.pragma('foreign_keys = OFF');
  for (const [table, col] of [
    ['incidents', 'id'],
    ['ledger', 'incident_id'],
    ['timeline', 'incident_id'],
    ['outbox', 'incident_id'],
    ['findings', 'incident_id'],
  ]) {
    db.prepare(`DELETE FROM ${table} WHERE ${col} = ?`).run(id);
    for (const row of old.prepare(`SELECT * FROM ${table} WHERE ${col} = ?`).all(id) as Record<string, unknown>[]) {
      const cols = Object.keys(row);
      db.prepare(`INSERT INTO ${table} (${cols.join(',')}) VALUES (${cols.map((c) => `@${c}`).join(',')})`).run(row);
    }
  }
  db.close();
  old.close();
}

const TABLE = 'datalek-incidents';

/**
 * `datalek ARGS` with `--target aws`, run in this process (the CLI's own main) against moto: the
 * SDK takes moto's endpoint and credentials from the process environment, so `env` is put there
 * too. A spawned CLI loads the AWS SDK anew, some two seconds of CPU each; the files that use this
 * keep a spawned run (spawnCli) of each command they check, for its exit code and output as a
 * process.
 */
export function awsCliInProcess(args: string[], env: Record<string, string>) {
  Object.assign(process.env, env);
  return runCli(args, env);
}

/** The table, an Object Lock bucket (compliance mode) under `prod/`, a KMS signing key and the anchor Lambda's handler. */
export async function awsAnchorWorld(moto: Moto, bucket: string, logger = new Logger({ serviceName: 'anchor-test', logLevel: 'SILENT' })) {
  const config = { endpoint: moto.endpoint, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const kms = new KMSClient(config);
  const key = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true, CreateBucketConfiguration: { LocationConstraint: TEST_REGION } }));
  await s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket: bucket,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } } },
    }),
  );
  const env = { ...moto.env, DATALEK_ANCHOR_KMS_KEY: key.KeyMetadata?.KeyId as string };
  const store = new DynamoDbIncidentStore(moto.clients.dynamodb, TABLE);
  const signer = () => kmsSigner(kms, env.DATALEK_ANCHOR_KMS_KEY);
  const digests = new S3DigestStore(s3, bucket, 'prod/');
  const anchor = createAnchorHandler({
    source: store,
    digests,
    signer,
    logger,
    now: () => new Date().toISOString(),
  });
  return { s3, env, store, signer, digests, anchor, location: `s3://${bucket}/prod/` };
}

/**
 * awsAnchorWorld on a table of its own (moto emptied and the tables set up again: the anchor's state
 * and sequence start over), with `deps(at)` for the use cases at `at`, `open(name)`: a finding on
 * instance `i-<name>` recorded at 21:05 (its incident's id), and `digest(n)`: digest n as stored.
 */
export async function freshAwsAnchorWorld(moto: Moto, bucket: string, logger?: Logger) {
  await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
  await setupAwsResources(moto.clients);
  const world = await awsAnchorWorld(moto, bucket, logger);
  const deps = (at: string) => ({ store: world.store, policy: DEFAULT_POLICY, now: () => at, canEnforce: false });
  const open = async (name: string) =>
    (await recordEvent(deps('2026-11-27T21:05:00.000Z'), findingEvent({ id: name, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-${name}` })))
      .incidentId as string;
  const digest = async (n: number) => {
    const stored = await world.s3.send(new GetObjectCommand({ Bucket: bucket, Key: `prod/digest-${String(n).padStart(10, '0')}.json` }));
    return JSON.parse((await stored.Body?.transformToString()) ?? '{}') as {
      incidents: [string, number, string][];
      indexed?: number;
      registry: unknown[];
      registryLeftOut?: number[];
    };
  };
  return { ...world, deps, open, digest };
}

/** Whoever can write the table marks incident `id` for the next anchor run at `head` (one Put of its pending mark). */
export function plantAnchorMark(db: DynamoDBClient, id: string, head: { seq: number; hash: string }) {
  return db.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: { pk: { S: `ANCHOR#${registryShardOf(id)}` }, sk: { S: id }, incidentId: { S: id }, seq: { N: String(head.seq) }, hash: { S: head.hash } },
    }),
  );
}

/** An incident's ledger rows as stored in the table, in order. */
export async function dynamoLedger(db: DynamoDBClient, id: string): Promise<LedgerRow[]> {
  return (await incidentItems(db, id))
    .filter((i) => i.sk.S?.startsWith('LG#'))
    .map((i) => ({ seq: Number(i.seq.N), data: i.data.S as string, prevHash: i.prevHash.S as string, hash: i.hash.S as string }))
    .sort((a, b) => a.seq - b.seq);
}

async function incidentItems(db: DynamoDBClient, id: string) {
  const out = await db.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: `INC#${id}` } } }));
  return out.Items ?? [];
}

/** A copy of an incident's items, as a backup holds them. */
export async function copyIncidentItems(db: DynamoDBClient, id: string): Promise<Record<string, AttributeValue>[]> {
  return incidentItems(db, id);
}

/** The incident's items put back as the copy holds them, whole (what it gained since removed): a restore of that incident alone. */
export async function restoreIncidentItems(db: DynamoDBClient, id: string, copy: Record<string, AttributeValue>[]): Promise<void> {
  for (const item of await incidentItems(db, id)) await db.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: item.pk, sk: item.sk } }));
  for (const item of copy) await db.send(new PutItemCommand({ TableName: TABLE, Item: item }));
}

/** Whoever can write the table moves the acknowledgement to `at` and recomputes every hash; returns the new head. */
export async function rechainAcknowledgementDynamo(db: DynamoDBClient, id: string, at: string): Promise<LedgerRow> {
  const items = await incidentItems(db, id);
  const text = (items.find((i) => i.sk.S === 'INCIDENT')?.data.S ?? '').replace(/"acknowledgedAt":"[^"]+"/, `"acknowledgedAt":"${at}"`);
  const rows = rechain(await dynamoLedger(db, id), text);
  for (const row of rows) {
    await db.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `INC#${id}` }, sk: { S: `LG#${String(row.seq).padStart(10, '0')}` } },
        UpdateExpression: 'SET #d = :d, prevHash = :p, #h = :h',
        ExpressionAttributeNames: { '#d': 'data', '#h': 'hash' },
        ExpressionAttributeValues: { ':d': { S: row.data }, ':p': { S: row.prevHash }, ':h': { S: row.hash } },
      }),
    );
  }
  const head = rows.at(-1) as LedgerRow;
  await db.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: { pk: { S: `INC#${id}` }, sk: { S: 'INCIDENT' } },
      // Every hash recomputed: the item's recordHash (the record's hash its ledger recorded) too.
      UpdateExpression: 'SET #d = :d, ledgerHash = :h, recordHash = :r',
      ExpressionAttributeNames: { '#d': 'data' },
      ExpressionAttributeValues: { ':d': { S: text }, ':h': { S: head.hash }, ':r': { S: sha256(text) } },
    }),
  );
  return head;
}

/**
 * A registry shard's entries in the table rewritten (`edit` on each entry's text, as parsed) and its
 * chain and head recomputed from the shard's genesis: the shard verifies on its own, but no longer
 * holds the head a digest anchored (a shard mended by hand, or put back from a copy whose bytes differ).
 */
export async function rewriteRegistryShardDynamo(db: DynamoDBClient, shard: number, edit: (entry: Record<string, unknown>) => Record<string, unknown>) {
  const out = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':p': { S: `REG#${shard}` }, ':e': { S: 'E#' } },
      ConsistentRead: true,
    }),
  );
  let prev = registryGenesis(shard);
  let n = 0;
  for (const item of (out.Items ?? []).sort((a, b) => Number(a.n.N) - Number(b.n.N))) {
    const data = canonicalJson(edit(JSON.parse(item.data.S as string) as Record<string, unknown>));
    const hash = chainHash(prev, data);
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...item, data: { S: data }, prevHash: { S: prev }, hash: { S: hash } } }));
    prev = hash;
    n = Number(item.n.N);
  }
  await db.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: `REG#${shard}` }, sk: { S: 'HEAD' }, n: { N: String(n) }, hash: { S: prev } } }));
}
