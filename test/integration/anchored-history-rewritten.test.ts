/**
 * review12 K2: someone with write access to the embedded store's file rewrites an incident's history
 * that a signed digest anchored: who acknowledged it (the timeline entry, and the record), with the
 * entries after it chained again. Nothing the digest anchored is touched: the ledger's entries stay
 * as they are, and one entry is appended (the hash functions are public) naming the new record and
 * the new timeline head. `verify --digests` compares the timeline rows with the ledger's *last*
 * timeline head only (audit.ts auditTimeline), never with the heads every earlier ledger entry
 * recorded (entry 7 was H when anchored; it is H' now), so it passed. Now every ledger entry's
 * timeline head pins the rows up to it, and a message is queued once and sent once: a second
 * declaration of either is named as the rewrite it is.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { sha256 } from '../../handlers/core/hash.js';
import { entryHash } from '../../handlers/core/incident.js';
import { ledgerEntry } from '../../handlers/core/ledger.js';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { digestKeys } from '../support/tamper.js';

/** A store with one incident opened from finding `findingId` at 21:05; `before` runs on it before the first digest is anchored. */
async function anchoredIncident(findingId: string, before: (store: string, id: string) => Promise<void> = async () => {}) {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-history-'));
  const store = join(dir, 'store');
  const digests = join(dir, 'digests');
  const keys = digestKeys(dir);
  const events = join(dir, 'events.json');
  writeFileSync(
    events,
    JSON.stringify([findingEvent({ id: findingId, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-${findingId}`, createdAt: '2026-11-20T21:00:00Z' })]),
  );
  const [line] = jsonLines((await runCli(['replay', events, '--store', store, '--json', '--now', '2026-11-20T21:05:00Z'])).stdout);
  const id = line.incidentId as string;
  await before(store, id);
  expect((await runCli(['anchor', '--store', store, '--digests', digests, '--key', keys.private])).code).toBe(0);
  return { store, digests, keys, id };
}

it('a timeline entry a digest anchored, rewritten with one ledger entry appended, is named by verify --digests', async () => {
  const { store, digests, keys, id } = await anchoredIncident('hist-1', async (store, id) => {
    expect((await runCli(['ack', id, '--by', 'anna', '--store', store, '--now', '2026-11-20T21:10:00Z'])).code).toBe(0);
  });
  expect((await runCli(['verify', '--store', store, '--digests', digests, '--key', keys.public])).code).toBe(0);

  // Write access to the file: "anna" becomes "mallory" in the timeline from her entry on, and in the record.
  const db = new Database(join(store, 'datalek.sqlite'));
  const rows = db.prepare('SELECT * FROM timeline WHERE incident_id = ? ORDER BY seq').all(id) as Record<string, string | number>[];
  const from = rows.findIndex((r) => String(r.actor).includes('anna') || String(r.detail).includes('anna'));
  expect(from).toBeGreaterThan(0);
  let prev = String(rows[from - 1].hash);
  const update = db.prepare('UPDATE timeline SET actor = ?, detail = ?, prev_hash = ?, hash = ? WHERE incident_id = ? AND seq = ?');
  for (const r of rows.slice(from)) {
    const actor = String(r.actor).replaceAll('anna', 'mallory');
    const detail = String(r.detail).replaceAll('anna', 'mallory');
    const hash = entryHash({ incidentId: id, seq: Number(r.seq), at: String(r.at), kind: String(r.kind), actor, detail: JSON.parse(detail), prevHash: prev });
    update.run(actor, detail, prev, hash, id, r.seq);
    prev = hash;
  }
  const head = { seq: Number(rows.at(-1)?.seq), hash: prev };
  const row = db.prepare('SELECT revision, data FROM incidents WHERE id = ?').get(id) as { revision: number; data: string };
  const record = JSON.parse(row.data.replaceAll('anna', 'mallory'));
  record.timelineHead = head;
  const text = JSON.stringify(record);
  db.prepare('UPDATE incidents SET data = ? WHERE id = ?').run(text, id);
  // One ledger entry appended after the anchored head; none of those before it changed.
  const last = db.prepare('SELECT seq, hash FROM ledger WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(id) as { seq: number; hash: string };
  const entry = ledgerEntry(id, last, { at: '2026-11-20T21:20:00.000Z', incident: { revision: row.revision, hash: sha256(text) }, timeline: head });
  db.prepare('INSERT INTO ledger (incident_id, seq, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?)').run(id, entry.seq, entry.data, entry.prevHash, entry.hash);
  db.close();

  const shown = JSON.parse((await runCli(['show', id, '--json', '--store', store])).stdout);
  expect(JSON.stringify(shown)).not.toContain('anna'); // the record and its history now name mallory

  const verified = await runCli(['verify', '--store', store, '--digests', digests, '--key', keys.public]);
  expect(verified.code, `verify passed on rewritten anchored history: ${verified.stdout}`).toBe(1);
  expect(verified.stderr).toMatch(
    new RegExp(`incident ${id}, entry \\d+: is not the entry ledger entry \\d+ recorded as the timeline's head: the timeline was rewritten`),
  );
});

it('a message a digest anchored as sent, rewritten with one ledger entry appended, is named by verify --digests', async () => {
  const { store, digests, keys, id } = await anchoredIncident('hist-2');

  // Write access to the file: the FG's message as sent (its words) rewritten; one ledger entry appended declaring it anew.
  const db = new Database(join(store, 'datalek.sqlite'));
  const msg = db.prepare("SELECT id, data FROM outbox WHERE incident_id = ? AND sent_at IS NOT NULL AND json_extract(data, '$.channel') = 'fg'").get(id) as {
    id: string;
    data: string;
  };
  expect(msg).toBeDefined();
  const message = JSON.parse(msg.data);
  message.subject = 'Test, geen actie nodig';
  const text = JSON.stringify(message);
  db.prepare('UPDATE outbox SET data = ? WHERE id = ?').run(text, msg.id);
  const last = db.prepare('SELECT seq, hash FROM ledger WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(id) as { seq: number; hash: string };
  const entry = ledgerEntry(id, last, { at: '2026-11-20T21:20:00.000Z', messages: [{ id: msg.id, hash: sha256(text) }] });
  db.prepare('INSERT INTO ledger (incident_id, seq, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?)').run(id, entry.seq, entry.data, entry.prevHash, entry.hash);
  db.close();

  const verified = await runCli(['verify', '--store', store, '--digests', digests, '--key', keys.public]);
  expect(verified.code, `verify passed on a rewritten message the digest anchored: ${verified.stdout}`).toBe(1);
  expect(verified.stderr).toContain(`ledger ${entry.seq}: declares message ${msg.id} queued again`);
});
