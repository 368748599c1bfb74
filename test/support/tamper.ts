/**
 * What an attacker with write access to the store does, written once for the tamper suites: edit a
 * record and recompute every hash after it (the "rechain"), with the project's own hash functions,
 * since the algorithm is public.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { canonicalJson, sha256 } from '../../handlers/core/hash.js';
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
