/**
 * The embedded store holds every finding as GuardDuty sent it (IP addresses, IAM user names such as
 * "j.jansen"), the breach register (Art. 33(5)) and the FG's reasoning. Made with the process umask
 * (022 on most machines) its folder and files were readable by every local user of the machine that
 * runs `replay`, `sweep` or `serve`; so was an HTML report of an incident. AVG Art. 32: the store's
 * folder is made 0700 and its files 0600, as the link key beside it always was, whatever the umask;
 * a report 0600; a digest read-only to its owner (review 5, S2).
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { jsonLines, ROOT, runCli } from '../support/cli.js';
import { digestKeys } from '../support/tamper.js';

const NOW = '2026-11-29T12:00:00Z';
/** The bits group and others have on a path (0 when closed to them). */
const open = (path: string) => statSync(path).mode & 0o077;

describe('the local store and what is written from it are closed to other local users', () => {
  let dir: string;
  let store: string;
  let previous: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-perm-'));
    store = join(dir, 'store');
    previous = process.umask(0o022); // the common default
  });
  afterEach(() => {
    process.umask(previous);
    rmSync(dir, { recursive: true, force: true });
  });

  const replay = async () => {
    const r = await runCli(['replay', join(ROOT, 'events'), '--store', store, '--json', '--now', NOW]);
    expect(r.code, r.stderr).not.toBe(2);
    return r;
  };

  it('makes the store folder 0700 and the database 0600, with the personal data in it', async () => {
    await replay();
    const db = join(store, 'datalek.sqlite');
    // The personal data is there (a finding's user name, as GuardDuty sent it).
    expect(readFileSync(db).includes(Buffer.from('j.jansen'))).toBe(true);
    const files = Object.fromEntries(readdirSync(store).map((f) => [f, open(join(store, f))]));
    expect({ dir: open(store), files }).toEqual({ dir: 0, files: Object.fromEntries(Object.keys(files).map((f) => [f, 0])) });
    expect(Object.keys(files)).toContain('datalek.sqlite');
  });

  it("makes the write-ahead log and its index 0600 while the store is open (SQLite gives them the database's mode)", async () => {
    await replay();
    // Opening it in WAL mode makes both (SQLite removes them when the last connection closes).
    const s = new SqliteIncidentStore(store);
    try {
      const logs = ['datalek.sqlite-wal', 'datalek.sqlite-shm'].filter((f) => existsSync(join(store, f)));
      expect(logs).toEqual(['datalek.sqlite-wal', 'datalek.sqlite-shm']);
      for (const f of logs) expect(open(join(store, f)), f).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('closes a store an earlier datalek left open to others when it next opens it', async () => {
    await replay();
    chmodSync(store, 0o755);
    chmodSync(join(store, 'datalek.sqlite'), 0o644);
    await runCli(['sweep', '--store', store, '--json', '--now', NOW]);
    // The folder was the user's before: only the files datalek made are its to close.
    expect(open(join(store, 'datalek.sqlite'))).toBe(0);
  });

  it('makes a drill copy 0700 and 0600 too', async () => {
    await replay();
    const copy = join(dir, 'drill');
    const r = await runCli(['drill', '--from', store, '--store', copy, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect({ dir: open(copy), db: open(join(copy, 'datalek.sqlite')) }).toEqual({ dir: 0, db: 0 });
  });

  it('writes an HTML report of an incident 0600, made anew or replaced with --force', async () => {
    const id = jsonLines((await replay()).stdout).find((l) => l.outcome === 'opened')?.incidentId as string;
    const file = join(dir, 'report.html');
    for (const force of [[], ['--force']]) {
      const r = await runCli(['report', id, '--html', file, '--store', store, '--now', '2026-11-29T12:05:00Z', ...force]);
      expect(r.code, r.stderr).toBe(0);
      expect(open(file), force.join(' ')).toBe(0);
    }
  });

  it('writes each digest read-only to its owner, in a folder closed to others', async () => {
    await replay();
    const keys = digestKeys(dir);
    const digests = join(dir, 'digests');
    const r = await runCli(['anchor', '--store', store, '--digests', digests, '--key', keys.private, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(digests);
    expect(files.length).toBeGreaterThan(0);
    expect(open(digests)).toBe(0);
    for (const f of files) expect((statSync(join(digests, f)).mode & 0o777).toString(8), f).toBe('400');
  });
});
