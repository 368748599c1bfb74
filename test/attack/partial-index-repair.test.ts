/**
 * sto28 "noticed": verify names an incident taken out of a partial index behind the pipeline (atk28
 * F11/F12) and told the user to run `REINDEX <index>` in sqlite3 on the store file, a program the
 * on-call machine may not have; no datalek command rebuilt an index. `datalek repair-indexes --by
 * NAME` rebuilds the indexes SQLite's integrity_check names, and only those, records it in the store
 * (meta 'index-repairs': who, when, which, what integrity_check said), says what it did, and verify
 * passes afterwards; verify's text names the command.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';
import { emptyIndexOf } from '../support/tamper.js';

const NOW = '2026-11-27T21:20:00Z';
const EC2 = join(ROOT, 'events/01-ec2-backdoor-command-and-control-high.json');
const S3 = join(ROOT, 'events/08-s3-bucket-made-public-anonymous-access.json');
const SAME_INSTANCE = join(ROOT, 'events/05-ec2-same-instance-bitcoin-tool-attached.json');
const OTHER = join(ROOT, 'events/10-eks-cluster-anonymous-access-granted.json');

describe('datalek repair-indexes (sto28: no datalek command rebuilt an index)', () => {
  let dir: string;
  let store: string;
  let ec2: string;
  const file = () => join(store, 'datalek.sqlite');
  const cli = (...args: string[]) => runCli([...args, '--store', store, ...(args.includes('--now') ? [] : ['--now', NOW])]);
  /** The store's note of its index repairs, as kept. */
  const repairs = () => {
    const db = new Database(file(), { readonly: true });
    try {
      const row = db.prepare("SELECT value FROM meta WHERE key = 'index-repairs'").get() as { value: string } | undefined;
      return row ? (JSON.parse(row.value) as { at: string; by: string; rebuilt: string[]; madeAnew?: string[]; integrityCheck: string[] }[]) : null;
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-index-repair-'));
    store = join(dir, 'store');
    const out = await runCli(['replay', EC2, S3, '--store', store, '--now', NOW, '--json']);
    expect(out.code, out.stderr).toBe(0);
    ec2 = (JSON.parse(out.stdout.trim().split('\n')[0]) as { incidentId: string }).incidentId;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** An incident with a page still pending: the pager unreachable (port 9 on loopback), as partial-index-emptied.test.ts. */
  const pendingPage = async () => {
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ onCall: { provider: 'pagerduty', providerUrl: 'http://127.0.0.1:9' } }));
    const env = { DATALEK_PAGER_ROUTING_KEY: 'R0UT1NGKEY0123456789abcdefABCDEF', DATALEK_PAGER_WEBHOOK_SECRET: 'w'.repeat(32) };
    const out = await runCli(['replay', OTHER, '--store', store, '--policy', policy, '--now', NOW, '--json'], env);
    const pending = (JSON.parse(out.stdout.trim()) as { incidentId: string }).incidentId;
    expect(out.stderr, 'premise: a page pending').toContain(`message ${pending}/on-call/opened not delivered`);
    return pending;
  };

  for (const [index, left] of [
    ['incidents_next_due', 'id'],
    ['incidents_open_resource', 'id'],
    ['outbox_pending', 'incident_id'],
  ] as const) {
    it(`${index}: verify names the command; it rebuilds that index only, records it, and verify passes`, async () => {
      const taken = index === 'outbox_pending' ? await pendingPage() : ec2;
      emptyIndexOf(file(), index, `${left} <> '${taken}'`);
      const before = await cli('verify');
      expect(before.code, before.stderr).toBe(1);
      expect(before.stderr).toContain(`index ${index} does not hold incident ${taken}`);
      expect(before.stderr).toContain('datalek repair-indexes --by NAME rebuilds it');
      expect(before.stderr).not.toContain('sqlite3');

      const repaired = await cli('repair-indexes', '--by', 'A. Beheer');
      expect(repaired.stderr).toBe('');
      expect(repaired.code).toBe(0);
      expect(repaired.stdout).toContain(`Rebuilt index ${index}`);
      expect(repaired.stdout).toContain("recorded in the store (meta 'index-repairs') as done by A. Beheer");
      expect(repaired.stdout).toContain('integrity_check now finds nothing');
      // Only the index integrity_check named.
      expect(repaired.stdout).not.toMatch(new RegExp(`Rebuilt index (?!${index})`));

      const notes = repairs();
      expect(notes).toHaveLength(1);
      expect(notes?.[0]).toMatchObject({ by: 'A. Beheer', rebuilt: [index] });
      expect(notes?.[0].integrityCheck.join('\n')).toContain(index);
      expect(Number.isNaN(Date.parse(notes?.[0].at ?? ''))).toBe(false);

      const after = await cli('verify');
      expect(after.stderr).toBe('');
      expect(after.code).toBe(0);
    });
  }

  /**
   * The index dropped and made anew with another condition, its definition left as it now reads (no writable_schema):
   * integrity_check compares an index with its own definition only, so it said ok, and verify passed while the
   * open-resource index left the incident out (a finding on its resource opened a second one) or the pending index
   * hid its pages from the sender. Verify now holds each index to the definition the pipeline makes.
   */
  for (const [index, left] of [
    ['incidents_open_resource', 'id'],
    ['outbox_pending', 'incident_id'],
    ['ledger_findings', 'incident_id'],
  ] as const) {
    it(`${index} made anew with another condition: verify names it, repair-indexes makes it anew as the pipeline makes it`, async () => {
      const db = new Database(file());
      try {
        const { sql } = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(index) as { sql: string };
        db.exec(`DROP INDEX ${index}`);
        db.exec(`${sql} AND ${left} <> '${ec2}'`);
      } finally {
        db.close();
      }
      const before = await cli('verify');
      expect(before.code, before.stderr).toBe(1);
      expect(before.stderr).toContain(`index ${index} is not the one the pipeline makes (it reads: `);
      expect(before.stderr).toContain('datalek repair-indexes --by NAME makes it anew');

      const repaired = await cli('repair-indexes', '--by', 'A. Beheer');
      expect(repaired.stderr).toBe('');
      expect(repaired.code).toBe(0);
      expect(repaired.stdout).toContain(`Made index ${index} anew as the pipeline makes it`);
      expect(repairs()?.[0]).toMatchObject({ by: 'A. Beheer', madeAnew: [index] });
      const after = await cli('verify');
      expect(after.stderr).toBe('');
      expect(after.code).toBe(0);
    });
  }

  it('the sweep sweeps the incident again once its due index is rebuilt', async () => {
    emptyIndexOf(file(), 'incidents_next_due', `id <> '${ec2}'`);
    expect((await cli('repair-indexes', '--by', 'A. Beheer')).code).toBe(0);
    const swept = await cli('sweep', '--now', '2026-11-30T12:00:00Z', '--json');
    expect(swept.stderr).not.toContain('could not be swept');
    expect(swept.code).toBe(0);
    expect((JSON.parse(swept.stdout) as { incidentId: string }[]).some((d) => d.incidentId === ec2)).toBe(true);
  });

  it('an intact store: nothing rebuilt, nothing written (exit 0); --json says the same', async () => {
    const out = await cli('repair-indexes', '--by', 'A. Beheer');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('integrity_check finds nothing: no index rebuilt');
    expect(repairs()).toBeNull();
    const json = await cli('repair-indexes', '--by', 'A. Beheer', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ rebuilt: [], madeAnew: [], integrityCheck: [], after: [], ok: true });
  });

  it('an index whose rebuild SQLite refuses (two open incidents on one resource): exit 2, named, nothing rebuilt or written', async () => {
    emptyIndexOf(file(), 'incidents_open_resource', `id <> '${ec2}'`);
    // The split the emptied index lets through (atk28 F12): a second open incident on the instance.
    const replayed = await runCli(['replay', SAME_INSTANCE, '--store', store, '--now', '2026-11-27T23:30:00Z', '--json']);
    expect((JSON.parse(replayed.stdout.trim()) as { outcome: string }).outcome, 'premise: a second incident').toBe('opened');
    const out = await cli('repair-indexes', '--by', 'A. Beheer');
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('datalek: REINDEX incidents_open_resource refused by SQLite (UNIQUE constraint failed');
    expect(out.stderr).toContain('nothing was rebuilt');
    expect(repairs()).toBeNull();
    expect((await cli('verify')).code).toBe(1);
  });

  it('needs --by, and only the embedded store has indexes to rebuild', async () => {
    const noBy = await cli('repair-indexes');
    expect(noBy.code).toBe(2);
    expect(noBy.stderr).toContain('repair-indexes needs --by NAME');
    const aws = await cli('repair-indexes', '--by', 'A. Beheer', '--target', 'aws');
    expect(aws.code).toBe(2);
    expect(aws.stderr).toContain('repair-indexes rebuilds the embedded store');
    const help = await runCli(['--help']);
    expect(help.stdout).toContain('datalek repair-indexes --by NAME');
  });
});
