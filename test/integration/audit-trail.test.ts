/**
 * The tamper-evident timeline: each kind of tampering, done directly in the store behind the
 * pipeline's back, makes `datalek verify` fail naming the incident and the entry. In both stores.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { verifyTimeline } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import { jsonLines, runCli, spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

type Tamper = 'edit' | 'remove' | 'insert' | 'reorder';
const EXPECTED: Record<Tamper, { seq: number; problem: RegExp }> = {
  edit: { seq: 2, problem: /content does not match its hash: the entry was edited/ },
  remove: { seq: 3, problem: /expected entry 2 here, found entry 3/ },
  insert: { seq: 5, problem: /the incident records 4 entries: this one was inserted after them/ },
  reorder: { seq: 3, problem: /expected entry 2 here, found entry 3/ },
};

describe('tampering with the SQLite store', () => {
  async function incidentWithTimeline() {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-tamper-'));
    const events = join(dir, 'e.json');
    writeFileSync(events, JSON.stringify(findingEvent()));
    const { stdout } = await runCli(['replay', events, '--store', dir, '--json']);
    const id = jsonLines(stdout)[0].incidentId as string;
    expect((await runCli(['verify', id, '--store', dir])).code).toBe(0);
    return { dir, id, db: new Database(join(dir, 'datalek.sqlite')) };
  }

  it.each(Object.keys(EXPECTED) as Tamper[])('%s: verify names the incident and the entry', async (tamper) => {
    const { dir, id, db } = await incidentWithTimeline();
    if (tamper === 'edit') db.prepare("UPDATE timeline SET detail = json_set(detail, '$.action', 'nothing') WHERE incident_id = ? AND seq = 2").run(id);
    if (tamper === 'remove') db.prepare('DELETE FROM timeline WHERE incident_id = ? AND seq = 2').run(id);
    if (tamper === 'insert') {
      const last = db.prepare('SELECT * FROM timeline WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(id) as Record<string, unknown>;
      db.prepare('INSERT INTO timeline (incident_id, seq, at, kind, actor, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        id,
        (last.seq as number) + 1,
        last.at,
        'acknowledged',
        'someone',
        '{}',
        last.hash,
        'f'.repeat(64),
      );
    }
    if (tamper === 'reorder') {
      // Entry 2 moved after entry 3: the rows swap places in the table.
      const row = db.prepare('SELECT * FROM timeline WHERE incident_id = ? AND seq = 2').get(id) as Record<string, unknown>;
      db.prepare('DELETE FROM timeline WHERE incident_id = ? AND seq = 2').run(id);
      db.prepare(
        'INSERT INTO timeline (incident_id, seq, at, kind, actor, detail, prev_hash, hash) VALUES (@incident_id, @seq, @at, @kind, @actor, @detail, @prev_hash, @hash)',
      ).run(row);
    }
    db.close();
    const result = await runCli(['verify', '--store', dir]);
    expect(result.code).toBe(1);
    const { seq, problem } = EXPECTED[tamper];
    expect(result.stderr).toMatch(new RegExp(`^datalek: incident ${id}, entry ${seq}: `));
    expect(result.stderr).toMatch(problem);
  });
});

describe.skipIf(!MOTO_AVAILABLE)('tampering with the DynamoDB store, and concurrent sweeps, on moto', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  let n = 0;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
  });
  afterAll(async () => moto?.stop());

  const open = async () => {
    n += 1;
    const r = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:05:00.000Z', canEnforce: false },
      findingEvent({ id: `tl-${Date.now()}-${n}`, instanceId: `i-tl${n}` }),
    );
    return r.incidentId as string;
  };
  const key = (id: string, seq: number) => ({ pk: { S: `INC#${id}` }, sk: { S: `TL#${String(seq).padStart(10, '0')}` } });

  it.each(Object.keys(EXPECTED) as Tamper[])('%s: verify names the incident and the entry', async (tamper) => {
    const id = await open();
    const db = moto.clients.dynamodb;
    if (tamper === 'edit') {
      await db.send(
        new UpdateItemCommand({
          TableName: 'datalek-incidents',
          Key: key(id, 2),
          UpdateExpression: 'SET kind = :k',
          ExpressionAttributeValues: { ':k': { S: 'nothing' } },
        }),
      );
    }
    if (tamper === 'remove') await db.send(new DeleteItemCommand({ TableName: 'datalek-incidents', Key: key(id, 2) }));
    if (tamper === 'insert') {
      await db.send(
        new PutItemCommand({
          TableName: 'datalek-incidents',
          Item: {
            ...key(id, 5),
            incidentId: { S: id },
            seq: { N: '5' },
            at: { S: '2026-11-27T21:06:00.000Z' },
            kind: { S: 'acknowledged' },
            actor: { S: 'someone' },
            detail: { S: '{}' },
            prevHash: { S: 'x' },
            hash: { S: 'y' },
          },
        }),
      );
    }
    if (tamper === 'reorder') {
      // Entry 2's content now sits under sequence number 3 and entry 3's is gone: the order changed.
      const items =
        (
          await db.send(
            new QueryCommand({ TableName: 'datalek-incidents', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: `INC#${id}` } } }),
          )
        ).Items ?? [];
      const second = items.find((i) => i.sk.S === key(id, 2).sk.S);
      await db.send(new DeleteItemCommand({ TableName: 'datalek-incidents', Key: key(id, 2) }));
      await db.send(new PutItemCommand({ TableName: 'datalek-incidents', Item: { ...second, ...key(id, 3) } }));
    }
    const incident = await store.getIncident(id);
    const found = verifyTimeline(incident as NonNullable<typeof incident>, await store.getTimeline(id));
    expect(found?.incidentId).toBe(id);
    expect(found?.problem).toBeDefined();
    const cli = await spawnCli(['verify', id, '--target', 'aws'], moto.env);
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim()).toMatch(new RegExp(`^datalek: incident ${id}, entry \\d+: `));
  });
});

describe.skipIf(!MOTO_AVAILABLE)('concurrent sweeps on moto', () => {
  // A table of its own: the tampered incidents above would be due too, and slow every sweep.
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
  });
  afterAll(async () => moto?.stop());

  const open = async () => {
    const r = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:05:00.000Z', canEnforce: false },
      findingEvent({ id: `sweep-${Date.now()}`, instanceId: 'i-sweep' }),
    );
    return r.incidentId as string;
  };

  it('sends each page once when ten sweeps run at once, and escalates level by level until acknowledged', async () => {
    const id = await open();
    const deps = (now: string) => ({ store, policy: DEFAULT_POLICY, now: () => now });
    const at = async (now: string) =>
      (await Promise.all(Array.from({ length: 10 }, () => sweep(deps(now))))).flatMap((r) => r.sent).filter((s) => s.incidentId === id);
    expect((await at('2026-11-27T21:20:00.000Z')).map((s) => `${s.kind}:${s.level}`)).toEqual(['page:secondary']);
    expect((await at('2026-11-27T21:35:00.000Z')).map((s) => `${s.kind}:${s.level}`)).toEqual(['page:fg']);
    expect((await at('2026-11-27T21:50:00.000Z')).map((s) => `${s.round}:${s.level}`)).toEqual(['1:on-call']);
    await acknowledge(deps('2026-11-27T21:52:00.000Z'), { incidentId: id, by: 'anna' });
    expect(await at('2026-11-27T22:05:00.000Z')).toEqual([]);
    const pages = (await store.listMessages(id)).filter((m) => m.kind === 'page' || m.kind === 'opened');
    expect(pages.map((m) => `${m.channel}:${m.attributes.level ?? 'opened'}`)).toEqual([
      'fg:opened',
      'on-call:opened',
      'on-call:secondary',
      'fg:fg',
      'on-call:on-call',
    ]);
    // Forty sweeps against one serial emulator, each querying every index shard and retrying its
    // lost races: slow on a busy machine, whatever the code does.
  }, 90_000);
});
