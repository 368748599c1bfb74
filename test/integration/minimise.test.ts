/**
 * Review 7 G11, on the embedded store: the raw findings, with the IP addresses, user names, access
 * key ids and user agents GuardDuty delivered, were kept for ever, closed incidents too, and the
 * ledger would have rejected any change to them. `datalek minimise` removes that personal data from
 * the findings of incidents closed longer than the retention period, with a ledger entry of its
 * own: verify and the digests still prove the rest, and any other change to a finding still fails.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { canonicalJson, sha256 } from '../../handlers/core/hash.js';
import { chainHash } from '../../handlers/core/ledger.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { enteredAtNow, jsonLines, ROOT } from '../support/cli.js';
import { accessKeyResource } from '../support/events.js';
import { incidentFixture } from '../support/incidents.js';
import { PERSONAL, personalEvent } from '../support/personal-finding.js';
import { tempSqliteStore } from '../support/store.js';
import { digestKeys } from '../support/tamper.js';

interface Fixture {
  dir: string;
  store: string;
  closed: string;
  open: string;
  keys: { private: string; public: string };
  digests: string;
}

const run = (f: Fixture, args: string[]) => enteredAtNow([...args, '--store', f.store]);

function db<T>(f: Fixture, fn: (db: Database.Database) => T): T {
  const d = new Database(join(f.store, 'datalek.sqlite'));
  try {
    return fn(d);
  } finally {
    d.close();
  }
}

const findingRows = (f: Fixture, incidentId: string) =>
  db(f, (d) => d.prepare('SELECT finding_id AS id, data FROM findings WHERE incident_id = ?').all(incidentId) as { id: string; data: string }[]);
const ledgerCount = (f: Fixture, incidentId: string) =>
  db(f, (d) => (d.prepare('SELECT COUNT(*) AS n FROM ledger WHERE incident_id = ?').get(incidentId) as { n: number }).n);

/** Two incidents with personal data in their findings: one closed in January, one left open. */
async function fixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-minimise-'));
  const store = join(dir, 'store');
  const events = join(dir, 'events.json');
  const other = personalEvent('f0000000000000000000000000000002');
  other.detail.resource = accessKeyResource('AKIAJANJANSEN0000002', 'IAMUser', 'piet.open');
  writeFileSync(events, JSON.stringify([personalEvent('f0000000000000000000000000000001'), other]));
  const lines = jsonLines((await enteredAtNow(['replay', events, '--store', store, '--json', '--now', '2026-01-10T09:05:00Z'])).stdout);
  const [closed, open] = lines.map((l) => l.incidentId as string);
  const f = { dir, store, closed, open, keys: digestKeys(dir), digests: join(dir, 'digests') };
  const assessed = await run(f, [
    'assess',
    closed,
    '--personal-data',
    'no',
    '--risk',
    'none',
    '--reason',
    'geen persoonsgegevens geraakt',
    '--by',
    'FG',
    '--now',
    '2026-01-12T09:00:00Z',
  ]);
  expect(assessed.code, assessed.stderr).toBe(0);
  const closing = await run(f, ['close', closed, '--reason', 'afgehandeld', '--by', 'FG', '--now', '2026-01-12T10:00:00Z']);
  expect(closing.code, closing.stderr).toBe(0);
  return f;
}

const anchor = (f: Fixture) => run(f, ['anchor', '--digests', f.digests, '--key', f.keys.private]);
const verifyDigests = (f: Fixture) => run(f, ['verify', '--digests', f.digests, '--key', f.keys.public]);
/** The retention run, at a fixed time past the period (the machine's own clock is later still). */
const minimise = (f: Fixture, ...extra: string[]) => run(f, ['minimise', '--by', 'FG Anna', '--now', '2026-09-01T00:00:00Z', ...extra]);

describe('minimising the personal data of closed incidents (embedded store)', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
    expect((await anchor(f)).code).toBe(0);
  });

  it('removes the personal data of a closed incident past the retention period; verify and the digests still hold, the open one is untouched', async () => {
    const before = findingRows(f, f.closed)[0].data;
    for (const value of PERSONAL) expect(before).toContain(value);

    const result = await minimise(f);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`${f.closed}: personal data removed from 1 finding record`));
    // The closing in the policy's local time with the instant, as every time a person reads (law28).
    expect(result.stdout).toMatch(/closed 2026-01-12 11:00 CET \(2026-01-12T10:00:00.000Z\)/);

    const [row] = findingRows(f, f.closed);
    for (const value of PERSONAL) expect(row.data).not.toContain(value);
    const record = JSON.parse(row.data);
    // What the register and an auditor need stays: the type, severity, times, the country, the API called.
    expect(record.type).toBe('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS');
    expect(record.detail.service.action.awsApiCallAction.api).toBe('GetObject');
    expect(record.detail.service.action.awsApiCallAction.remoteIpDetails.country.countryName).toBe('Netherlands');
    expect(record.detail.title).toBe('Credentials of (minimised) used from (minimised)');
    expect(record.minimised).toMatchObject({ by: 'FG Anna', from: sha256(before) });
    expect(record.minimised.removed).toContain('service.action.awsApiCallAction.remoteIpDetails.ipAddressV4');
    // The open incident keeps its evidence.
    expect(findingRows(f, f.open)[0].data).toContain('piet.open');

    // The ledger records the minimisation, committing to the record before; verify and every digest agree.
    const entry = db(f, (d) => d.prepare('SELECT data FROM ledger WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(f.closed) as { data: string });
    expect(JSON.parse(entry.data).minimised).toEqual({ from: sha256(before), by: 'FG Anna' });
    const verified = await verifyDigests(f);
    expect(verified.code, verified.stderr).toBe(0);
    expect((await anchor(f)).code).toBe(0);
    expect((await verifyDigests(f)).code).toBe(0);

    // show and the register say it: when, by whom.
    const shown = await run(f, ['show', f.closed]);
    expect(shown.stdout).toMatch(/minimised {6}personal data removed from 1 finding record by FG Anna at .*180 days after closing/);
    expect(shown.stdout).toMatch(/finding-minimised/);
    const register = JSON.parse((await run(f, ['register', '--json'])).stdout) as { incidentId: string; findingsMinimised: string | null }[];
    expect(register.find((r) => r.incidentId === f.closed)?.findingsMinimised).toMatch(
      /^1 finding record minimised at 20\d\d-.* by FG Anna, 180 days after closing$/,
    );
    expect(register.find((r) => r.incidentId === f.open)?.findingsMinimised).toBeNull();
  });

  it("says so when another process keeps the store's log from being emptied, where the removed values then stay; a run after empties it", async () => {
    // Another process reads the store meanwhile (serve mid-read, a replay): its snapshot holds the log.
    const log = join(f.store, 'datalek.sqlite-wal');
    const valuesIn = (path: string) => (existsSync(path) ? PERSONAL.filter((v) => readFileSync(path).toString('latin1').includes(v)) : []);
    const reader = new Database(join(f.store, 'datalek.sqlite'));
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT COUNT(*) FROM findings').get();
      const held = await minimise(f);
      expect(held.code, held.stderr).toBe(0);
      expect(held.stdout).toMatch(new RegExp(`${f.closed}: personal data removed from 1 finding record`));
      // The record no longer holds them, but the log does: the FG is told, with where and what to do.
      expect(valuesIn(log), 'premise: the log still holds removed values').not.toEqual([]);
      expect(held.stderr).toContain(log);
      expect(held.stderr).toMatch(/another process.*datalek minimise again/s);
    } finally {
      reader.exec('COMMIT');
      reader.close();
    }
    // Once the other process has ended, a run with nothing left to minimise empties the log, and says nothing of it.
    const again = await minimise(f);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    expect(valuesIn(log)).toEqual([]);
  });

  it("does not promise that closing empties the log when the one left holding it only reads (show, verify): SQLite's read-only connection never checkpoints", async () => {
    const log = join(f.store, 'datalek.sqlite-wal');
    const valuesIn = (path: string) => (existsSync(path) ? PERSONAL.filter((v) => readFileSync(path).toString('latin1').includes(v)) : []);
    // `datalek verify` or `show` meanwhile: a read-only store, holding its snapshot until it closes.
    const reader = new SqliteIncidentStore(f.store, { readOnly: true });
    let held: Awaited<ReturnType<typeof minimise>>;
    try {
      await reader.getIncident(f.closed);
      held = await minimise(f);
      expect(held.code, held.stderr).toBe(0);
      expect(held.stderr).toContain(log);
    } finally {
      await reader.close();
    }
    // The reader closed last, and the log still holds what minimise removed: stderr must not have said its closing empties it.
    expect(valuesIn(log), 'premise: the log outlives the last close').not.toEqual([]);
    expect(held.stderr).not.toMatch(/last process to close the store empties/);
    expect(held.stderr).toMatch(/datalek minimise again/);
  });

  it('names the log another process kept full when the run then fails on a later incident', async () => {
    const log = join(f.store, 'datalek.sqlite-wal');
    const closing = [
      ['assess', f.open, '--personal-data', 'no', '--risk', 'none', '--reason', 'testaccount', '--by', 'FG', '--now', '2026-01-12T09:00:00Z'],
      ['close', f.open, '--reason', 'afgehandeld', '--by', 'FG', '--now', '2026-01-12T10:00:00Z'],
    ];
    for (const args of closing) expect((await run(f, args)).code).toBe(0);
    // The store refuses the second incident's minimisation, whichever comes first.
    db(f, (d) =>
      d.exec(`CREATE TABLE minimised_here (id TEXT);
        CREATE TRIGGER note_minimised AFTER UPDATE ON findings BEGIN INSERT INTO minimised_here VALUES (NEW.incident_id); END;
        CREATE TRIGGER refuse_second BEFORE UPDATE ON findings WHEN EXISTS (SELECT 1 FROM minimised_here WHERE id != NEW.incident_id) BEGIN SELECT RAISE(ABORT, 'refused'); END;`),
    );
    const reader = new Database(join(f.store, 'datalek.sqlite'));
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT COUNT(*) FROM findings').get();
      const failed = await minimise(f);
      expect(failed.code, 'premise: the run fails').not.toBe(0);
      expect(
        db(f, (d) => d.prepare('SELECT COUNT(DISTINCT id) AS n FROM minimised_here').get()),
        'premise: after minimising one incident',
      ).toEqual({ n: 1 });
      expect(failed.stderr).toContain(log);
    } finally {
      reader.exec('COMMIT');
      reader.close();
    }
  });

  it('is idempotent: a second run removes nothing and writes nothing', async () => {
    expect((await minimise(f)).code).toBe(0);
    const entries = ledgerCount(f, f.closed);
    const data = findingRows(f, f.closed)[0].data;
    const again = await minimise(f);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Minimised 0 of 1 incident/);
    expect(ledgerCount(f, f.closed)).toBe(entries);
    expect(findingRows(f, f.closed)[0].data).toBe(data);
    const named = await minimise(f, f.closed);
    expect(named.stdout).toMatch(/nothing to remove \(1 finding record minimised before\)/);
  });

  it('a later version of a minimised finding (archived, re-scored, replayed: no new activity) is stored minimised too; the register, verify and the digests hold', async () => {
    expect((await minimise(f)).code).toBe(0);
    // GuardDuty archives the finding: a newer version, the same count, last seen before the closing.
    const later = personalEvent('f0000000000000000000000000000001');
    later.detail.updatedAt = '2026-09-02T08:00:00Z';
    (later.detail.service as { archived: boolean }).archived = true;
    const file = join(f.dir, 'later.json');
    writeFileSync(file, JSON.stringify([later]));
    const replayed = await run(f, ['replay', file, '--json', '--now', '2026-09-02T08:05:00Z']);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(jsonLines(replayed.stdout)[0]).toMatchObject({ outcome: 'updated', incidentId: f.closed });

    const [row] = findingRows(f, f.closed);
    for (const value of PERSONAL) expect(row.data).not.toContain(value);
    const record = JSON.parse(row.data);
    expect(record.version.updatedAt).toBe('2026-09-02T08:00:00Z');
    expect(record.detail.service.archived).toBe(true);
    expect(record.minimised).toMatchObject({ by: 'FG Anna' });
    expect(record.minimised.removed).toContain('service.action.awsApiCallAction.remoteIpDetails.ipAddressV4');
    const register = JSON.parse((await run(f, ['register', '--json'])).stdout) as { incidentId: string; findingsMinimised: string | null }[];
    expect(register.find((r) => r.incidentId === f.closed)?.findingsMinimised).toMatch(/^1 finding record minimised/);
    const verified = await verifyDigests(f);
    expect(verified.code, verified.stderr).toBe(0);
    // A next run finds it minimised: it is not counted twice.
    expect((await minimise(f)).stdout).toMatch(/Minimised 0 of 1 incident/);
  });

  it('never minimises an open incident, nor one closed less than the retention period ago; bad input is named', async () => {
    const open = await minimise(f, f.open);
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(new RegExp(`incident ${f.open} is open: the findings of an open incident are never minimised`));
    const recent = await run(f, ['minimise', f.closed, '--by', 'FG', '--now', '2026-03-01T00:00:00Z']);
    expect(recent.code).toBe(2);
    expect(recent.stderr).toMatch(
      /closed at 2026-01-12 11:00 CET \(2026-01-12T10:00:00.000Z\), less than 180 days ago: its findings are kept until 2026-07-11 12:00 CEST \(2026-07-11T10:00:00.000Z\)/,
    );
    const all = await run(f, ['minimise', '--by', 'FG', '--now', '2026-03-01T00:00:00Z']);
    expect(all.stdout).toMatch(
      /Minimised 0 of 0 incidents closed more than 180 days ago; 1 closed more recently, or with something still due or a follow-up or linked incident open, kept as they are/,
    );
    expect((await run(f, ['minimise', '--by', 'FG', '--after-days', '-3'])).stderr).toMatch(/--after-days must be a whole number of days/);
    expect((await run(f, ['minimise', '--after-days', '3'])).stderr).toMatch(/minimise needs --by NAME/);
    for (const id of [f.closed, f.open]) expect(findingRows(f, id)[0].data).toContain('203.0.113.45');
    // The FG may shorten the period for a run.
    expect((await run(f, ['minimise', f.closed, '--by', 'FG', '--after-days', '30', '--now', '2026-03-01T00:00:00Z'])).code).toBe(0);
    expect(findingRows(f, f.closed)[0].data).not.toContain('203.0.113.45');
  });

  it('a record minimised by hand, without its ledger entry, fails verify; so does one with a forged entry', async () => {
    // A "minimised-looking" edit of the closed incident's finding: what minimise would write, without the ledger.
    const [row] = findingRows(f, f.closed);
    const handMade = row.data.replaceAll('203.0.113.45', '(minimised)');
    db(f, (d) => d.prepare('UPDATE findings SET data = ? WHERE finding_id = ?').run(handMade, row.id));
    const edited = await run(f, ['verify']);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(
      new RegExp(`incident ${f.closed}, finding .*: does not match what the ledger recorded: the finding \\(evidence\\) was edited`),
    );
    // Minimising never vouches for an edit: it refuses, and writes nothing.
    const entries = ledgerCount(f, f.closed);
    const refused = await minimise(f);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/does not match what its ledger recorded: minimising it would vouch for an edit/);
    expect(ledgerCount(f, f.closed)).toBe(entries);
  });

  it('a minimisation entry appended by hand that does not continue the ledger fails verify', async () => {
    expect((await minimise(f)).code).toBe(0);
    // Rewrite the last entry's `from` and chain it again: it no longer commits to the record before.
    db(f, (d) => {
      const last = d.prepare('SELECT seq, data, prev_hash AS prevHash FROM ledger WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(f.closed) as {
        seq: number;
        data: string;
        prevHash: string;
      };
      const body = JSON.parse(last.data);
      body.minimised.from = sha256('something else');
      const data = canonicalJson(body);
      d.prepare('UPDATE ledger SET data = ?, hash = ? WHERE incident_id = ? AND seq = ?').run(data, chainHash(last.prevHash, data), f.closed, last.seq);
    });
    const result = await run(f, ['verify']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`incident ${f.closed}, ledger \\d+: minimises the finding .* but not the record this ledger wrote before`));
  });
  it('a minimised record with personal data put back, its ledger entry rewritten to match, fails verify', async () => {
    expect((await minimise(f)).code).toBe(0);
    db(f, (d) => {
      const row = d.prepare('SELECT finding_id AS id, data FROM findings WHERE incident_id = ?').get(f.closed) as { id: string; data: string };
      const record = JSON.parse(row.data);
      record.detail.title = 'Credentials of jan.jansen used from 203.0.113.45';
      const text = JSON.stringify(record);
      d.prepare('UPDATE findings SET data = ? WHERE finding_id = ?').run(text, row.id);
      const last = d.prepare('SELECT seq, data, prev_hash AS prevHash FROM ledger WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(f.closed) as {
        seq: number;
        data: string;
        prevHash: string;
      };
      const body = JSON.parse(last.data);
      body.finding.hash = sha256(text);
      const data = canonicalJson(body);
      d.prepare('UPDATE ledger SET data = ?, hash = ? WHERE incident_id = ? AND seq = ?').run(data, chainHash(last.prevHash, data), f.closed, last.seq);
    });
    const result = await run(f, ['verify']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`incident ${f.closed}, finding .*: says it is minimised, but it still holds personal data at title`));
  });
  it('keeps the findings of a closed incident with something still due on it (a notification an assessment after closing made due)', async () => {
    const later = await run(f, [
      'assess',
      f.closed,
      '--personal-data',
      'yes',
      '--risk',
      'risk',
      '--reason',
      'toch persoonsgegevens',
      '--after-close',
      '--by',
      'FG',
      '--now',
      '2026-01-13T09:00:00Z',
    ]);
    expect(later.code, later.stderr).toBe(0);
    const named = await minimise(f, f.closed);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(
      new RegExp(`incident ${f.closed} is closed, but something is still due on it at .*: its findings are kept until that is done`),
    );
    const all = await minimise(f);
    expect(all.stdout).toMatch(
      /Minimised 0 of 0 incidents .*; 1 closed more recently, or with something still due or a follow-up or linked incident open, kept as they are/,
    );
    expect(findingRows(f, f.closed)[0].data).toContain('203.0.113.45');
  });
});

describe('minimising a merged incident', () => {
  it("keeps the findings of an incident merged into one still open: they are the survivor's evidence", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-minimise-merge-'));
    const f = { dir, store: join(dir, 'store'), closed: '', open: '', keys: digestKeys(dir), digests: join(dir, 'digests') };
    const files = [
      '07-iam-long-term-access-key-anomalous-fractional-severity-7.2',
      '08-s3-bucket-made-public-anonymous-access',
      '28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents',
    ].map((name) => join(ROOT, 'events', `${name}.json`));
    const replayed = await enteredAtNow(['replay', ...files, '--store', f.store, '--json', '--now', '2026-11-27T10:00:00Z']);
    expect(replayed.code, replayed.stderr).toBe(0);
    const merged = db(f, (d) => d.prepare("SELECT id, data FROM incidents WHERE state = 'closed'").all() as { id: string; data: string }[]);
    expect(merged).toHaveLength(1);
    const survivor = JSON.parse(merged[0].data).mergedInto as string;
    expect(survivor).toMatch(/^dl-/);
    const before = findingRows(f, merged[0].id);
    expect(before.length).toBeGreaterThan(0);

    const all = await run(f, ['minimise', '--by', 'FG', '--after-days', '0']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(
      /Minimised 0 of 0 incidents .*; 1 closed more recently, or with something still due or a follow-up or linked incident open, kept as they are/,
    );
    const named = await run(f, ['minimise', merged[0].id, '--by', 'FG', '--after-days', '0']);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain(`incident ${survivor} is open (its findings are incident ${survivor}'s, which it was merged into)`);
    expect(findingRows(f, merged[0].id)).toEqual(before);
  });
});

/**
 * review8 last read A4: the README keeps the raw findings 180 days for, among others, "a follow-up
 * incident of the same activity"; minimise looked at the incident (and what it was merged into),
 * not at its follow-ups. A follow-up opened on day 178 after closing had the closed incident's
 * other findings (the first attack's caller address, user, key) removed on day 181 while it was
 * being handled. They are kept while a follow-up (or a linked incident) is open, and a named run
 * says why.
 */
describe('minimising an incident whose follow-up is open', () => {
  it("keeps a closed incident's findings while its follow-up of the same activity is open, and says why", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-minimise-follow-up-'));
    const store = join(dir, 'store');
    const cli = (args: string[]) => enteredAtNow([...args, '--store', store]);
    const first = join(dir, 'first.json');
    const a = personalEvent('f0000000000000000000000000000001');
    const b = personalEvent('f0000000000000000000000000000002');
    b.detail.type = 'UnauthorizedAccess:IAMUser/MaliciousIPCaller';
    writeFileSync(first, JSON.stringify([a, b]));
    const lines = jsonLines((await cli(['replay', first, '--json', '--now', '2026-01-10T09:05:00Z'])).stdout);
    const id = lines[0].incidentId as string;
    expect(lines[1].incidentId).toBe(id);
    // Two finding types: the assessment names both (assess --finding-types, as show showed them).
    const types = ['--finding-types', `${a.detail.type},${b.detail.type}`];
    const assessed = await cli([
      'assess',
      id,
      '--personal-data',
      'no',
      '--risk',
      'none',
      '--reason',
      'geen',
      ...types,
      '--by',
      'FG',
      '--now',
      '2026-01-12T09:00:00Z',
    ]);
    expect(assessed.code, assessed.stderr).toBe(0);
    expect((await cli(['close', id, '--reason', 'afgehandeld', '--by', 'FG', '--now', '2026-01-12T10:00:00Z'])).code).toBe(0);

    // Day 178 after closing: the first finding is active again: a follow-up opens and is being handled.
    const again = personalEvent('f0000000000000000000000000000001');
    again.detail.updatedAt = '2026-07-09T08:00:00Z';
    (again.detail.service as { count: number; eventLastSeen: string }).count = 4;
    (again.detail.service as { count: number; eventLastSeen: string }).eventLastSeen = '2026-07-09T07:55:00Z';
    const second = join(dir, 'second.json');
    writeFileSync(second, JSON.stringify([again]));
    const [follow] = jsonLines((await cli(['replay', second, '--json', '--now', '2026-07-09T08:05:00Z'])).stdout);
    expect(follow.outcome).toBe('opened');
    expect(follow.incidentId).not.toBe(id);

    // Day 181: the retention run, with the follow-up still open, keeps the closed incident's findings.
    const minimised = await cli(['minimise', '--by', 'cron (FG)', '--now', '2026-07-12T10:00:00Z']);
    expect(minimised.code, minimised.stderr).toBe(0);
    expect(minimised.stdout).toContain('1 closed more recently, or with something still due or a follow-up or linked incident open, kept as they are');
    const rows = () => {
      const db = new Database(join(store, 'datalek.sqlite'), { readonly: true });
      const found = db.prepare('SELECT data FROM findings WHERE incident_id = ?').all(id) as { data: string }[];
      db.close();
      return found;
    };
    expect(rows().length).toBe(1);
    expect(rows()[0].data, minimised.stdout).toContain('203.0.113.45');

    // Named, it is refused, saying which follow-up keeps it.
    const named = await cli(['minimise', id, '--by', 'FG', '--now', '2026-07-12T10:00:00Z']);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain(
      `its follow-up incident ${follow.incidentId} (the same activity, active again after closing) is still being handled: incident ${follow.incidentId} is open`,
    );
    expect(rows()[0].data).toContain('203.0.113.45');
  });
});

/**
 * review8 last read A4, the rest of it: an incident linked to the closed one (a finding of the same
 * breach recorded on both) keeps its findings while open, as a follow-up does; and the period runs
 * from the follow-up's closing, then ends.
 */
describe('minimising an incident with a linked incident or a follow-up closed since', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const closed = { state: 'closed' as const, closedAt: '2026-01-12T10:00:00.000Z' };
  const run = (only: string, now: string) =>
    minimiseClosed({ store: t.store, audit: t.store, now: () => now, machineNow: () => now }, { by: 'FG', afterDays: 180, only });
  const put = (over: Parameters<typeof incidentFixture>[0]) =>
    t.store.commit({ incident: incidentFixture(over), expectedRevision: null, timeline: [], messages: [] });
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  it('keeps them while a linked incident is open, naming it', async () => {
    await put({ id: 'dl-linked-b' });
    await put({ id: 'dl-linked-a', ...closed, linked: ['dl-linked-b'] });
    await expect(run('dl-linked-a', '2026-07-12T10:00:00.000Z')).rejects.toThrow(
      'its linked incident dl-linked-b (a finding of the same breach recorded on both) is still being handled: incident dl-linked-b is open',
    );
  });

  it("keeps them for the period from the follow-up's closing, then minimises", async () => {
    await put({ id: 'dl-follow-c', state: 'closed', closedAt: '2026-07-20T10:00:00.000Z' });
    await put({ id: 'dl-follow-a', ...closed, followUps: ['dl-follow-c'] });
    await expect(run('dl-follow-a', '2026-07-22T10:00:00.000Z')).rejects.toThrow(
      'its follow-up incident dl-follow-c (the same activity, active again after closing) is still being handled: incident dl-follow-c was closed at 2026-07-20 12:00 CEST (2026-07-20T10:00:00.000Z), less than 180 days ago',
    );
    expect((await run('dl-follow-a', '2027-01-17T10:00:00.000Z')).minimised.map((m) => m.incidentId)).toEqual(['dl-follow-a']);
  });
});
