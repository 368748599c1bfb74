/**
 * Observation 7 of issue #13, on the embedded store: someone with write access to the store edits,
 * deletes, inserts or reorders rows of any table, recomputes the hashes, writes random bytes into
 * the file or deletes a whole incident. `datalek verify` names the incident and the entry (exit 1)
 * and never crashes; what a consistent rewrite hides from it, the signed digests of `datalek
 * anchor` reveal (`verify --digests`).
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { digestKeys, rechainSqlite } from '../support/tamper.js';

const NOW = '2026-11-20T21:05:00Z';

interface Fixture {
  dir: string;
  store: string;
  id: string;
  other: string;
  keys: { private: string; public: string };
  digests: string;
  db: () => Database.Database;
}

/** Two incidents, each opened, paged (messages sent) and one acknowledged: rows in every table. */
async function fixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-tamper-'));
  const store = join(dir, 'store');
  const events = join(dir, 'events.json');
  writeFileSync(
    events,
    JSON.stringify([
      // Not !DNS findings: one planned action each, so the timeline's entries are numbered as below.
      findingEvent({ id: 'tamper-1', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-one', createdAt: '2026-11-20T21:00:00Z' }),
      findingEvent({ id: 'tamper-2', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-two', createdAt: '2026-11-20T21:01:00Z' }),
    ]),
  );
  const lines = jsonLines((await runCli(['replay', events, '--store', store, '--json', '--now', NOW])).stdout);
  const [id, other] = lines.map((l) => l.incidentId as string);
  expect((await runCli(['ack', id, '--by', 'anna', '--store', store, '--now', '2026-11-20T21:10:00Z'])).code).toBe(0);
  const keys = digestKeys(dir);
  return { dir, store, id, other, keys, digests: join(dir, 'digests'), db: () => new Database(join(store, 'datalek.sqlite')) };
}

async function verify(f: Fixture, ...extra: string[]) {
  return runCli(['verify', ...extra, '--store', f.store]);
}

async function anchor(f: Fixture) {
  return runCli(['anchor', '--store', f.store, '--digests', f.digests, '--key', f.keys.private]);
}

/** Runs `fn` on the store's database and closes it. */
function tamper(f: Fixture, fn: (db: Database.Database) => void): void {
  const db = f.db();
  try {
    fn(db);
  } finally {
    db.close();
  }
}

function expectCaught(result: Awaited<ReturnType<typeof verify>>, incidentId: string, entry: RegExp | string, problem: RegExp) {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.split('\n').filter((l) => l.startsWith(`datalek: incident ${incidentId}, `));
  expect(lines.length, result.stderr).toBeGreaterThan(0);
  const hit = lines.find((l) => (typeof entry === 'string' ? l.includes(`, ${entry}: `) : entry.test(l)) && problem.test(l));
  expect(hit, result.stderr).toBeDefined();
}

describe('tampering with the embedded store', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
    expect((await verify(f)).code).toBe(0);
  });

  describe('the timeline', () => {
    it('edit: an entry whose content changed', async () => {
      tamper(f, (db) => db.prepare("UPDATE timeline SET detail = json_set(detail, '$.action', 'nothing') WHERE incident_id = ? AND seq = 2").run(f.id));
      expectCaught(await verify(f), f.id, 'entry 2', /its content does not match its hash: the entry was edited/);
    });

    it('delete: an entry removed', async () => {
      tamper(f, (db) => db.prepare('DELETE FROM timeline WHERE incident_id = ? AND seq = 2').run(f.id));
      expectCaught(await verify(f), f.id, 'entry 3', /expected entry 2 here, found entry 3/);
    });

    it('insert: an entry added after the last', async () => {
      tamper(f, (db) => {
        const last = db.prepare('SELECT * FROM timeline WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(f.id) as Record<string, unknown>;
        db.prepare('INSERT INTO timeline (incident_id, seq, at, kind, actor, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
          f.id,
          (last.seq as number) + 1,
          last.at,
          'closed',
          'someone',
          '{}',
          last.hash,
          'f'.repeat(64),
        );
      });
      // The replay's mark that its --now was stated (review5 A14), five entries, and the acknowledgement's mark.
      expectCaught(await verify(f), f.id, 'entry 8', /the ledger records 7 entries: this one was inserted after them/);
    });

    it('reorder: two entries swapped', async () => {
      tamper(f, (db) => {
        const two = db.prepare('SELECT * FROM timeline WHERE incident_id = ? AND seq = 2').get(f.id) as Record<string, unknown>;
        const three = db.prepare('SELECT * FROM timeline WHERE incident_id = ? AND seq = 3').get(f.id) as Record<string, unknown>;
        const move = db.prepare(
          'UPDATE timeline SET at = @at, kind = @kind, actor = @actor, detail = @detail, prev_hash = @prev_hash, hash = @hash WHERE incident_id = @incident_id AND seq = @seq',
        );
        move.run({ ...three, seq: 2 });
        move.run({ ...two, seq: 3 });
      });
      expectCaught(await verify(f), f.id, 'entry 2', /does not chain to the entry before it|does not match its hash/);
    });

    it('rows written back in another physical order raise no false alarm', async () => {
      tamper(f, (db) => {
        const rows = db.prepare('SELECT * FROM timeline WHERE incident_id = ? ORDER BY seq').all(f.id) as Record<string, unknown>[];
        db.prepare('DELETE FROM timeline WHERE incident_id = ?').run(f.id);
        const insert = db.prepare(
          'INSERT INTO timeline (incident_id, seq, at, kind, actor, detail, prev_hash, hash) VALUES (@incident_id, @seq, @at, @kind, @actor, @detail, @prev_hash, @hash)',
        );
        for (const r of rows.reverse()) insert.run(r);
        db.exec('VACUUM');
      });
      const r = await verify(f);
      expect(r.code, r.stderr).toBe(0);
    });

    it('a detail that is no longer JSON is named, not a crash', async () => {
      tamper(f, (db) => db.prepare("UPDATE timeline SET detail = '{not json' WHERE incident_id = ? AND seq = 1").run(f.id));
      const r = await verify(f);
      expectCaught(r, f.id, 'entry 1', /its detail is not valid JSON/);
      expect(r.stderr).not.toMatch(/unexpected failure|SyntaxError|at .*\.ts:/);
    });
  });

  describe('the incident record and its legal fields', () => {
    it.each([
      ['the AP deadline moved 30 days', (r: Record<string, unknown>) => (r.deadline = '2026-12-23T21:00:00.000Z')],
      ['awareness moved', (r: Record<string, unknown>) => (r.awareAt = '2026-11-25T09:00:00.000Z')],
      ['another acknowledger', (r: Record<string, unknown>) => (r.acknowledgedBy = 'mallory')],
      ['closed behind the pipeline', (r: Record<string, unknown>) => (r.state = 'closed')],
    ])('%s', async (_what, edit) => {
      tamper(f, (db) => {
        const row = db.prepare('SELECT data FROM incidents WHERE id = ?').get(f.id) as { data: string };
        const record = JSON.parse(row.data);
        edit(record);
        db.prepare('UPDATE incidents SET data = ? WHERE id = ?').run(JSON.stringify(record), f.id);
      });
      expectCaught(await verify(f), f.id, 'record', /does not match what the ledger recorded for revision \d+: the incident record was edited/);
    });

    it('the next due time cleared, which would silence the sweep', async () => {
      tamper(f, (db) => db.prepare('UPDATE incidents SET next_due_at = NULL WHERE id = ?').run(f.id));
      expectCaught(await verify(f), f.id, 'record', /the column nextDueAt \(null\) does not match the record/);
    });

    it('a record that is no longer JSON: verify names it; status, register and sweep show the others and name it', async () => {
      tamper(f, (db) => db.prepare('UPDATE incidents SET data = \'{"id": broken\' WHERE id = ?').run(f.id));
      const r = await verify(f);
      expectCaught(r, f.id, 'record', /is not valid JSON/);
      expect(r.stderr).not.toMatch(/unexpected failure|SyntaxError/);
      for (const args of [
        ['status', '--json'],
        ['register', '--format', 'json'],
      ]) {
        const out = await runCli([...args, '--store', f.store]);
        expect(out.code, args[0]).toBe(3);
        expect(out.stderr).toContain(`datalek: incident ${f.id} cannot be read from the store (its record is not valid JSON)`);
        const listed = JSON.parse(out.stdout) as { incidentId: string }[];
        expect(listed.map((i) => i.incidentId)).toEqual([f.other]);
      }
      const sweep = await runCli(['sweep', '--store', f.store, '--json', '--now', '2026-11-21T21:00:00Z']);
      expect(sweep.code).toBe(3);
      expect(JSON.parse(sweep.stdout).filter((s: { incidentId: string }) => s.incidentId === f.other).length).toBeGreaterThan(0);
      expect(sweep.stderr).toContain(`incident ${f.id} could not be swept`);
    });
  });

  describe('findings, outbox and ledger', () => {
    it('evidence edited in a finding record', async () => {
      tamper(f, (db) => db.prepare("UPDATE findings SET data = json_set(data, '$.detail.title', 'nothing to see') WHERE incident_id = ?").run(f.id));
      expectCaught(await verify(f), f.id, /finding 111122223333\/eu-west-1\/tamper-1: /, /the finding \(evidence\) was edited/);
    });

    it('a finding record deleted', async () => {
      tamper(f, (db) => db.prepare('DELETE FROM findings WHERE incident_id = ?').run(f.id));
      expectCaught(await verify(f), f.id, /finding 111122223333\/eu-west-1\/tamper-1: /, /the finding record was deleted/);
    });

    it('an outbox message deleted', async () => {
      tamper(f, (db) => db.prepare('DELETE FROM outbox WHERE id = ?').run(`${f.id}/on-call/opened`));
      expectCaught(await verify(f), f.id, `message ${f.id}/on-call/opened`, /the queued message was deleted/);
    });

    it('a pending page marked sent, which would silence it', async () => {
      // A sweep queues the next page; marking it sent behind the pipeline's back stops it going out.
      await runCli(['sweep', '--store', f.store, '--now', '2026-11-20T21:20:00Z']);
      tamper(f, (db) => {
        db.prepare("UPDATE outbox SET sent_at = NULL WHERE incident_id = ? AND id LIKE '%page%'").run(f.other);
        db.prepare("UPDATE outbox SET sent_at = '2026-11-20T21:20:01.000Z' WHERE incident_id = ? AND id LIKE '%page%'").run(f.other);
        db.prepare('DELETE FROM ledger WHERE incident_id = ? AND data LIKE \'%"sent"%page%\'').run(f.other);
      });
      const r = await verify(f);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`incident ${f.other}, (ledger|message)`));
    });

    it('a sent message marked sent at another time', async () => {
      tamper(f, (db) => db.prepare("UPDATE outbox SET sent_at = '2026-11-20T23:00:00.000Z' WHERE id = ?").run(`${f.id}/fg/opened`));
      expectCaught(await verify(f), f.id, `message ${f.id}/fg/opened`, /was sent at .* but is marked sent at 2026-11-20T23:00:00.000Z/);
    });

    it('a message inserted', async () => {
      tamper(f, (db) =>
        db
          .prepare('INSERT INTO outbox (id, incident_id, created_at, data) VALUES (?, ?, ?, ?)')
          .run(`${f.id}/fg/all-clear`, f.id, '2026-11-20T21:30:00.000Z', JSON.stringify({ subject: 'ALL CLEAR' })),
      );
      expectCaught(await verify(f), f.id, `message ${f.id}/fg/all-clear`, /inserted behind the pipeline/);
    });

    it('a ledger entry deleted, or edited', async () => {
      tamper(f, (db) => db.prepare('DELETE FROM ledger WHERE incident_id = ? AND seq = 2').run(f.id));
      expectCaught(await verify(f), f.id, 'ledger 3', /expected ledger entry 2 here/);
    });
  });

  describe('whole incidents', () => {
    it('an incident deleted from every table is still named by the registry', async () => {
      tamper(f, (db) => {
        for (const table of ['timeline', 'outbox', 'findings', 'ledger', 'incident_keys']) db.prepare(`DELETE FROM ${table} WHERE incident_id = ?`).run(f.id);
        db.prepare('DELETE FROM incidents WHERE id = ?').run(f.id);
      });
      expectCaught(await verify(f), f.id, 'registry', /the registry names this incident but the store does not hold it: the incident was deleted/);
    });

    it('an incident deleted from every table and opened again by its finding is named twice by the registry: its history before is gone', async () => {
      tamper(f, (db) => {
        for (const table of ['timeline', 'outbox', 'findings', 'ledger', 'incident_keys']) db.prepare(`DELETE FROM ${table} WHERE incident_id = ?`).run(f.id);
        db.prepare('DELETE FROM incidents WHERE id = ?').run(f.id);
      });
      // GuardDuty sends the finding again (an update): the pipeline opens it anew, under the same id.
      const again = join(f.dir, 'again.json');
      writeFileSync(
        again,
        JSON.stringify(findingEvent({ id: 'tamper-1', instanceId: 'i-one', createdAt: '2026-11-20T21:00:00Z', count: 2, updatedAt: '2026-11-20T22:00:00Z' })),
      );
      const replayed = jsonLines((await runCli(['replay', again, '--store', f.store, '--json', '--now', '2026-11-20T22:05:00Z'])).stdout);
      expect(replayed.map((l) => [l.outcome, l.incidentId])).toEqual([['opened', f.id]]);
      expectCaught(await verify(f), f.id, /, registry \d+\/\d+: /, /the registry names this incident twice: it was deleted and opened again/);
    });

    it('an incident inserted behind the pipeline is in no registry', async () => {
      tamper(f, (db) => db.prepare("UPDATE registry SET data = json_set(data, '$.incidentId', 'dl-somebody-else') WHERE data LIKE ?").run(`%${f.id}%`));
      const r = await verify(f);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`incident ${f.id}, registry: no registry names this incident`));
    });
  });

  describe('the rechain, and the digests that catch it', () => {
    it('an edit with every hash recomputed passes verify alone, and is caught by a digest written before it', async () => {
      expect((await anchor(f)).code).toBe(0);
      // Another severity: a deadline rechained is named by verify alone since red28 (its timeline gives another), and
      // so is another acknowledger since tl28a (the first acknowledging entry's person).
      tamper(f, (db) => rechainSqlite(db, f.id, (r) => (r.severity = 2)));
      expect((await verify(f)).code).toBe(0);
      const r = await verify(f, '--digests', f.digests, '--key', f.keys.public);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^datalek: incident ${f.id}, digest-0000000001.json: ledger entry \\d+ differs from digest 1 .*: the record was rewritten after it was anchored`,
          'm',
        ),
      );
    });

    it('a deleted incident with the registry rechained is caught by the digest', async () => {
      expect((await anchor(f)).code).toBe(0);
      tamper(f, (db) => {
        for (const table of ['timeline', 'outbox', 'findings', 'ledger', 'incident_keys']) db.prepare(`DELETE FROM ${table} WHERE incident_id = ?`).run(f.id);
        db.prepare('DELETE FROM incidents WHERE id = ?').run(f.id);
        db.prepare('DELETE FROM registry WHERE data LIKE ?').run(`%${f.id}%`);
      });
      const r = await verify(f, '--digests', f.digests, '--key', f.keys.public);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`incident ${f.id}, digest-0000000001.json: is missing from the store, but digest 1 .* anchored it`));
      expect(r.stderr).toMatch(/registry shard \d+ no longer holds entry/);
    });

    it('proves the store against every digest written since, as the record grows', async () => {
      expect((await anchor(f)).code).toBe(0);
      await runCli(['ack', f.other, '--by', 'bob', '--store', f.store, '--now', '2026-11-20T21:15:00Z']);
      expect((await anchor(f)).code).toBe(0);
      expect((await anchor(f)).stdout).toMatch(/Nothing changed since the last digest/);
      const ok = await verify(f, '--digests', f.digests, '--key', f.keys.public, '--json');
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout).digests).toMatchObject({ checked: 2, last: { sequence: 2 }, problems: [] });
    });

    it('leaves an incident that does not verify out of the digest, and fails', async () => {
      tamper(f, (db) => db.prepare("UPDATE timeline SET kind = 'nothing' WHERE incident_id = ? AND seq = 2").run(f.id));
      const r = await anchor(f);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^Digest 1 written .*: 1 incident head anchored/);
      expect(r.stderr).toMatch(new RegExp(`incident\\(s\\) do not verify and are left out of the digest .*: ${f.id};`));
      const digest = JSON.parse(readFileSync(join(f.digests, 'digest-0000000001.json'), 'utf8')) as { incidents: [string][] };
      expect(digest.incidents.map(([id]) => id)).toEqual([f.other]);
    });

    it('catches a digest altered, deleted or signed by another key', async () => {
      expect((await anchor(f)).code).toBe(0);
      await runCli(['ack', f.other, '--by', 'bob', '--store', f.store, '--now', '2026-11-20T21:15:00Z']);
      expect((await anchor(f)).code).toBe(0);
      const first = join(f.digests, 'digest-0000000001.json');
      const text = readFileSync(first, 'utf8');
      rmSync(first, { force: true });
      writeFileSync(first, text.replace(/"at": "[^"]+"/, '"at": "2026-11-20T00:00:00.000Z"'));
      const altered = await verify(f, '--digests', f.digests, '--key', f.keys.public);
      expect(altered.code).toBe(1);
      expect(altered.stderr).toMatch(/digest-0000000001.json: its signature does not verify with the trusted key/);
      unlinkSync(first);
      expect((await verify(f, '--digests', f.digests, '--key', f.keys.public)).stderr).toMatch(
        /the first digest present is number 2: digests 1 to 1 are missing/,
      );
      const stranger = digestKeys(f.dir, 'stranger');
      expect((await verify(f, '--digests', f.digests, '--key', stranger.public)).stderr).toMatch(/is signed by key .*, not by the trusted key/);
    });

    it('keeps digests and keys outside the store', async () => {
      const inside = await runCli(['anchor', '--store', f.store, '--digests', join(f.store, 'digests'), '--key', f.keys.private]);
      expect(inside.code).toBe(2);
      expect(inside.stderr).toMatch(/lies inside the store/);
      const nokey = await runCli(['anchor', '--store', f.store, '--digests', f.digests], {});
      expect(nokey.code).toBe(2);
      expect(nokey.stderr).toMatch(/anchor needs a signing key kept outside the store/);
    });
  });

  describe('random bytes in the file', () => {
    // The observation: random bytes passed verify in 4 of 7 cases while SQLite's integrity_check
    // said "malformed". Here bytes land at the start of every page (headers, cell pointers, the
    // first cells) and in the file header: wherever SQLite finds damage, verify must fail.
    it('fails (exit 1) wherever SQLite finds the file damaged, and never crashes', async () => {
      const base = join(f.store, 'datalek.sqlite');
      const size = statSync(base).size;
      let damaged = 0;
      for (const offset of [0, 24, 100, ...Array.from({ length: Math.floor(size / 4096) - 1 }, (_, i) => (i + 1) * 4096 + 8)]) {
        const copy = mkdtempSync(join(f.dir, 'bytes-'));
        writeFileSync(join(copy, 'datalek.sqlite'), readFileSync(base));
        const fd = openSync(join(copy, 'datalek.sqlite'), 'r+');
        writeSync(fd, Buffer.from(Array.from({ length: 48 }, (_, i) => (i * 151 + offset + 7) % 256)), 0, 48, offset);
        closeSync(fd);
        let sqliteSays = 'ok';
        try {
          const db = new Database(join(copy, 'datalek.sqlite'), { readonly: true });
          sqliteSays = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
          db.close();
        } catch (err) {
          sqliteSays = (err as Error).message;
        }
        const r = await runCli(['verify', '--store', copy]);
        expect([0, 1], `offset ${offset}: ${r.stderr}`).toContain(r.code);
        expect(r.stderr).not.toMatch(/unexpected failure/);
        if (sqliteSays !== 'ok') {
          damaged += 1;
          expect(r.code, `offset ${offset}: SQLite says ${sqliteSays}; verify said ${r.stdout}`).toBe(1);
        }
      }
      expect(damaged).toBeGreaterThanOrEqual(7);
    });
  });
});

describe('a store written before the ledger existed', () => {
  it('is refused for writing until a person adopts it; verify then names the adoption', async () => {
    const f = await fixture();
    // What an earlier datalek left: the same tables, without ledger, registry or anchor marks.
    tamper(f, (db) => {
      db.exec('DROP TABLE ledger; DROP TABLE registry; DROP TABLE anchored;');
      db.pragma('user_version = 2');
    });
    const before = await verify(f);
    expect(before.code, before.stderr).toBe(3);
    expect(before.stderr).toMatch(/written by an earlier datalek \(schema 2\), before the ledger, or its ledger was removed/);
    // The cron sweep does not adopt it on the way (review3 §3: that laundered an edit).
    const sweep = await runCli(['sweep', '--store', f.store, '--now', '2026-11-20T21:12:00Z']);
    expect(sweep.code).not.toBe(0);
    expect(sweep.stderr).toContain(`then run datalek adopt --store ${f.store} --by NAME`);
    expect((await runCli(['adopt', '--store', f.store])).code).toBe(2);
    const adopted = await runCli(['adopt', '--store', f.store, '--by', 'anna']);
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(adopted.stdout).toMatch(/^Adopted 2 incidents into the ledger in the name of anna/);
    const after = await verify(f);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toMatch(/Adopted: 2 incidents were entered into the ledger at \S+ by anna as found then/);
    expect((await runCli(['adopt', '--store', f.store, '--by', 'anna'])).stdout).toContain('already has its ledger: nothing was adopted');
    tamper(f, (db) => {
      const first = (db.prepare('SELECT data FROM ledger WHERE incident_id = ? AND seq = 1').get(f.id) as { data: string }).data;
      expect(JSON.parse(first)).toMatchObject({ adopted: true, by: 'anna' });
      db.prepare("UPDATE incidents SET data = json_set(data, '$.acknowledgedBy', 'mallory') WHERE id = ?").run(f.id);
    });
    expectCaught(await verify(f), f.id, 'record', /the incident record was edited/);
  });

  it('is not laundered by dropping the ledger tables: the next sweep refuses, and nothing is vouched for', async () => {
    const f = await fixture();
    // Attack review 3, §3: edit the record, drop the ledger's tables and claim the schema before
    // the ledger. The cron sweep adopted it silently, and verify passed.
    tamper(f, (db) => {
      db.prepare("UPDATE incidents SET data = json_set(data, '$.acknowledgedBy', 'mallory') WHERE id = ?").run(f.id);
      db.exec('DROP TABLE ledger; DROP TABLE registry; DROP TABLE anchored;');
      db.pragma('user_version = 2');
    });
    expect((await runCli(['sweep', '--store', f.store, '--now', '2026-11-20T21:12:00Z'])).code).not.toBe(0);
    expect((await runCli(['ack', f.other, '--by', 'bob', '--store', f.store])).code).not.toBe(0);
    tamper(f, (db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(2);
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'ledger'").get()).toEqual({ n: 0 });
    });
    expect((await verify(f)).code).toBe(3);
  });

  it('is not faked by a store that holds a ledger: an edit whose ledger rows were deleted is never adopted', async () => {
    const f = await fixture();
    // Attack review 2, §9: edit the record, delete its ledger rows and registry entry, and claim
    // the schema before the ledger. The next ordinary write (the cron sweep) must not vouch for it.
    tamper(f, (db) => {
      db.prepare("UPDATE incidents SET data = json_set(data, '$.acknowledgedBy', 'mallory') WHERE id = ?").run(f.id);
      db.prepare('DELETE FROM ledger WHERE incident_id = ?').run(f.id);
      db.prepare('DELETE FROM registry WHERE data LIKE ?').run(`%${f.id}%`);
      db.pragma('user_version = 2');
    });
    expect((await runCli(['sweep', '--store', f.store, '--now', '2026-11-20T21:12:00Z'])).code).toBe(0);
    tamper(f, (db) => {
      expect(db.prepare('SELECT count(*) AS n FROM ledger WHERE incident_id = ?').get(f.id)).toEqual({ n: 0 });
    });
    const after = await verify(f);
    expect(after.code, after.stderr).toBe(1);
    expect(after.stdout + after.stderr).toContain(f.id);
  });
});
