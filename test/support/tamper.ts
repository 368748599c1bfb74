/**
 * What an attacker with write access to the store does, written once for the tamper suites: edit a
 * record and recompute every hash after it (the "rechain"), with the project's own hash functions,
 * since the algorithm is public.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DynamoDBClient, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import Database from 'better-sqlite3';
import { canonicalJson, sha256 } from '../../handlers/core/hash.js';
import { entryHash } from '../../handlers/core/incident.js';
import { chainHash, registryGenesis } from '../../handlers/core/ledger.js';

/** An Ed25519 key pair as PEM files: `private` signs digests, `public` checks them. */
export function digestKeys(dir: string, name = 'digest-key') {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const files = { private: join(dir, `${name}.pem`), public: join(dir, `${name}.pub.pem`) };
  writeFileSync(files.private, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(files.public, publicKey.export({ type: 'spki', format: 'pem' }));
  return files;
}

/** A ledger row as both stores keep it. */
export interface LedgerRow {
  seq: number;
  data: string;
  prevHash: string;
  hash: string;
}

/**
 * Makes a ledger agree with a record rewritten behind the pipeline: the last entry that recorded
 * the incident record gets the new record's hash, and every entry from there is chained again.
 */
export function rechain(rows: LedgerRow[], recordText: string): LedgerRow[] {
  const out = rows.map((r) => ({ ...r }));
  const last = out.map((r) => JSON.parse(r.data) as { incident?: { hash: string } }).findLastIndex((b) => b.incident);
  for (let i = last; i < out.length; i++) {
    const body = JSON.parse(out[i].data) as { incident?: { hash: string } };
    if (i === last && body.incident) body.incident.hash = sha256(recordText);
    out[i].data = canonicalJson(body);
    if (i > 0) out[i].prevHash = out[i - 1].hash;
    out[i].hash = chainHash(out[i].prevHash, out[i].data);
  }
  return out;
}

/** The rechain on the embedded store: rewrite the record, then its ledger. */
export function rechainSqlite(db: Database.Database, incidentId: string, edit: (record: Record<string, unknown>) => void): void {
  const row = db.prepare('SELECT data FROM incidents WHERE id = ?').get(incidentId) as { data: string };
  const record = JSON.parse(row.data) as Record<string, unknown>;
  edit(record);
  const text = JSON.stringify(record);
  db.prepare('UPDATE incidents SET data = ? WHERE id = ?').run(text, incidentId);
  const rows = (db.prepare('SELECT seq, data, prev_hash AS prevHash, hash FROM ledger WHERE incident_id = ? ORDER BY seq').all(incidentId) as LedgerRow[]).map(
    (r) => ({
      ...r,
    }),
  );
  const update = db.prepare('UPDATE ledger SET data = @data, prev_hash = @prevHash, hash = @hash WHERE incident_id = @id AND seq = @seq');
  for (const r of rechain(rows, text)) update.run({ ...r, id: incidentId });
}

/**
 * A registry shard of the embedded store rewritten (`edit` on each entry's text, as parsed) and its
 * chain recomputed from the shard's genesis: the shard verifies on its own, but no longer holds the
 * head a digest anchored (a shard mended by hand, or put back from a copy whose bytes differ).
 */
export function rewriteRegistryShardSqlite(
  db: Database.Database,
  shard: number,
  edit: (entry: Record<string, unknown>, n: number) => Record<string, unknown>,
): void {
  const rows = db.prepare('SELECT n, data FROM registry WHERE shard = ? ORDER BY n').all(shard) as { n: number; data: string }[];
  let prev = registryGenesis(shard);
  for (const row of rows) {
    const data = canonicalJson(edit(JSON.parse(row.data) as Record<string, unknown>, row.n));
    const hash = chainHash(prev, data);
    db.prepare('UPDATE registry SET data = ?, prev_hash = ?, hash = ? WHERE shard = ? AND n = ?').run(data, prev, hash, shard, row.n);
    prev = hash;
  }
}

/**
 * The FG's facts rewritten behind the pipeline by one who knows the hash functions: the newest
 * facts-recorded entry's summary, the timeline chained again from it, the ledger's timeline heads
 * and the record (its facts and timeline head) made to agree, and the ledger chained again. What
 * verify alone cannot tell from the pipeline's writing: only a digest that pinned the old content can.
 */
export function rewriteFactsSqlite(db: Database.Database, incidentId: string, summary: string): void {
  const head = rewriteFactsEntrySqlite(db, incidentId, summary);
  rechainSqlite(db, incidentId, (record) => {
    (record.facts as Record<string, unknown>).summary = summary;
    (record.timelineHead as { hash: string }).hash = head;
  });
}

/**
 * The newest facts-recorded entry's summary rewritten as one who knows the hash functions would: the
 * timeline chained again from it, and each ledger entry's timeline head made the rewritten chain's
 * (rechainSqlite then chains the ledger again). Returns the timeline's new head hash, which the record holds.
 */
function rewriteFactsEntrySqlite(db: Database.Database, incidentId: string, summary: string): string {
  const rows = db.prepare('SELECT * FROM timeline WHERE incident_id = ? ORDER BY seq').all(incidentId) as TimelineRow[];
  const from = rows.findLastIndex((r) => r.kind === 'facts-recorded');
  if (from < 0) throw new Error('rewriteFactsSqlite: the incident has no facts entry');
  const renamed = new Map<string, string>();
  const update = db.prepare('UPDATE timeline SET detail = ?, prev_hash = ?, hash = ? WHERE incident_id = ? AND seq = ?');
  for (let i = from; i < rows.length; i++) {
    const r = rows[i];
    const detail = JSON.parse(r.detail) as Record<string, unknown>;
    if (i === from) detail.summary = summary;
    const prevHash = i === 0 ? r.prev_hash : rows[i - 1].hash;
    const hash = entryHash({ incidentId, seq: r.seq, at: r.at, kind: r.kind, actor: r.actor, detail, prevHash } as Parameters<typeof entryHash>[0]);
    renamed.set(r.hash, hash);
    update.run(JSON.stringify(detail), prevHash, hash, incidentId, r.seq);
    rows[i] = { ...r, detail: JSON.stringify(detail), prev_hash: prevHash, hash };
  }
  const ledger = db.prepare('SELECT seq, data, prev_hash, hash FROM ledger WHERE incident_id = ? ORDER BY seq').all(incidentId) as {
    seq: number;
    data: string;
    prev_hash: string;
    hash: string;
  }[];
  const put = db.prepare('UPDATE ledger SET data = ?, prev_hash = ?, hash = ? WHERE incident_id = ? AND seq = ?');
  let changed = false;
  for (let i = 0; i < ledger.length; i++) {
    const l = ledger[i];
    const body = JSON.parse(l.data) as { timeline?: { hash: string } };
    const now = body.timeline && renamed.get(body.timeline.hash);
    if (now && body.timeline) body.timeline.hash = now;
    changed ||= Boolean(now);
    if (!changed) continue;
    const data = now ? canonicalJson(body) : l.data;
    const prevHash = i === 0 ? l.prev_hash : ledger[i - 1].hash;
    ledger[i] = { ...l, data, prev_hash: prevHash, hash: chainHash(prevHash, data) };
    put.run(data, prevHash, ledger[i].hash, incidentId, l.seq);
  }
  return rows[rows.length - 1].hash;
}

interface TimelineRow {
  seq: number;
  at: string;
  kind: string;
  actor: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

/**
 * The red28 attack on the embedded store in `storeDir`: the record edited and ONE ledger entry
 * appended declaring it, chained on the ledger's head (nothing a digest anchored rewritten, the
 * timeline untouched), the columns the store reads by set as the record says. `at`: the entry's time.
 */
export function appendRecordSqlite(storeDir: string, id: string, at: string, edit: (record: Record<string, unknown>, db: Database.Database) => void): void {
  const db = new Database(join(storeDir, 'datalek.sqlite'));
  try {
    const row = db.prepare('SELECT revision, data FROM incidents WHERE id = ?').get(id) as { revision: number; data: string };
    const record = JSON.parse(row.data) as Record<string, unknown>;
    edit(record, db);
    record.revision = row.revision + 1;
    const text = JSON.stringify(record);
    const head = db.prepare('SELECT seq, hash FROM ledger WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(id) as { seq: number; hash: string };
    const data = canonicalJson({ at, incident: { hash: sha256(text), revision: row.revision + 1 }, incidentId: id, seq: head.seq + 1 });
    db.prepare('INSERT INTO ledger VALUES (?, ?, ?, ?, ?)').run(id, head.seq + 1, data, head.hash, chainHash(head.hash, data));
    db.prepare('UPDATE incidents SET revision = ?, data = ?, state = ?, next_due_at = ? WHERE id = ?').run(
      row.revision + 1,
      text,
      record.state,
      record.nextDueAt ?? null,
      id,
    );
  } finally {
    db.close();
  }
}

/**
 * The rechain on DynamoDB: the incident item's record rewritten, its ledger items chained again from
 * the last that recorded the record, and the item's ledger head and record hash set to match.
 */
export async function rechainDynamoDb(db: DynamoDBClient, table: string, incidentId: string, edit: (record: Record<string, unknown>) => void): Promise<void> {
  const pk = { S: `INC#${incidentId}` };
  const items = (await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': pk } }))).Items ?? [];
  const record = JSON.parse(items.find((i) => i.sk.S === 'INCIDENT')?.data.S ?? '{}') as Record<string, unknown>;
  edit(record);
  const text = JSON.stringify(record);
  const rows: LedgerRow[] = items
    .filter((i) => i.sk.S?.startsWith('LG#'))
    .map((i) => ({ seq: Number(i.seq.N), data: i.data.S as string, prevHash: i.prevHash.S as string, hash: i.hash.S as string }))
    .sort((a, b) => a.seq - b.seq);
  const chained = rechain(rows, text);
  for (const row of chained) {
    await db.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk, sk: { S: `LG#${String(row.seq).padStart(10, '0')}` } },
        UpdateExpression: 'SET #d = :d, prevHash = :p, #h = :h',
        ExpressionAttributeNames: { '#d': 'data', '#h': 'hash' },
        ExpressionAttributeValues: { ':d': { S: row.data }, ':p': { S: row.prevHash }, ':h': { S: row.hash } },
      }),
    );
  }
  await db.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk, sk: { S: 'INCIDENT' } },
      UpdateExpression: 'SET #d = :d, ledgerHash = :h, recordHash = :r',
      ExpressionAttributeNames: { '#d': 'data' },
      ExpressionAttributeValues: { ':d': { S: text }, ':h': { S: (chained.at(-1) as LedgerRow).hash }, ':r': { S: sha256(text) } },
    }),
  );
}

/**
 * Index `name` of the embedded store made anew without the rows `left` leaves out (`id <> 'X'`), its
 * schema text put back as it was through writable_schema: an incident taken out of a partial index
 * with no row, hash or ledger entry changed (atk28 F11/F12).
 */
export function emptyIndexOf(file: string, name: string, left: string): void {
  const db = new Database(file);
  try {
    const { sql } = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) as { sql: string };
    db.exec(`DROP INDEX ${name}`);
    db.exec(`${sql} AND ${left}`);
    db.unsafeMode(true);
    db.pragma('writable_schema = ON');
    db.prepare('UPDATE sqlite_master SET sql = ? WHERE name = ?').run(sql, name);
    db.pragma('writable_schema = OFF');
  } finally {
    db.close();
  }
}
