/**
 * atk28 F11/F12: someone with write access to the SQLite file takes one incident out of a partial
 * index without touching a row, hash or ledger entry: the index dropped, made anew with `AND id <> X`
 * (or `AND incident_id <> X`), and its original SQL put back through writable_schema. quick_check does
 * not compare index contents with the table, so verify --digests passed; the sweep, reading through
 * incidents_next_due, said "Nothing due" for it (every reminder and page lost, for good: a commit does
 * not put it back); a finding on its resource opened a second incident (incidents_open_resource);
 * its queued pages were never sent (outbox_pending). Verify now names the index and the incident,
 * and names two open incidents holding one resource; the sweep reads the table, not the index.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';
import { emptyIndexOf } from '../support/tamper.js';

const NOW = '2026-11-27T21:20:00Z';
const EC2 = join(ROOT, 'events/01-ec2-backdoor-command-and-control-high.json');
const S3 = join(ROOT, 'events/08-s3-bucket-made-public-anonymous-access.json');
const OTHER = join(ROOT, 'events/10-eks-cluster-anonymous-access-granted.json');
const SAME_INSTANCE = join(ROOT, 'events/05-ec2-same-instance-bitcoin-tool-attached.json');

describe('an incident taken out of a partial index behind the pipeline (atk28 F11/F12)', () => {
  let dir: string;
  let store: string;
  let ec2: string;
  const file = () => join(store, 'datalek.sqlite');
  const cli = (...args: string[]) => runCli([...args, '--store', store, ...(args.includes('--now') ? [] : ['--now', NOW])]);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-index-emptied-'));
    store = join(dir, 'store');
    const out = await runCli(['replay', EC2, S3, '--store', store, '--now', NOW, '--json']);
    expect(out.code, out.stderr).toBe(0);
    ec2 = (
      out.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)) as { incidentId: string; file: string }[]
    )[0].incidentId;
    expect(ec2).toMatch(/^dl-/);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('incidents_next_due: verify names the index and the incident (exit 1), and the sweep finds it due and names it', async () => {
    emptyIndexOf(file(), 'incidents_next_due', `id <> '${ec2}'`);
    const verified = await cli('verify');
    expect(verified.code, verified.stderr).toBe(1);
    expect(verified.stderr).toMatch(/incidents_next_due/);
    expect(verified.stderr).toContain(`index incidents_next_due does not hold incident ${ec2}`);
    // The sweep reads the table: it finds the incident due (it said "Nothing due" of it), and its
    // commit, which SQLite refuses while the index lacks the row, is named; the other incident is swept.
    const swept = await cli('sweep', '--now', '2026-11-30T12:00:00Z', '--json');
    expect(swept.stderr).toContain(`incident ${ec2} could not be swept`);
    expect(swept.code).not.toBe(0);
    const due = JSON.parse(swept.stdout) as { incidentId: string; kind: string }[];
    expect(due.some((d) => d.incidentId !== ec2 && d.kind === 'ap-overdue')).toBe(true);
  });

  it('incidents_open_resource: verify names the index, and after a finding on the resource opened a second incident, the two open incidents on it', async () => {
    emptyIndexOf(file(), 'incidents_open_resource', `id <> '${ec2}'`);
    const before = await cli('verify');
    expect(before.code, before.stderr).toBe(1);
    expect(before.stderr).toContain(`index incidents_open_resource does not hold incident ${ec2}`);
    const replayed = await runCli(['replay', SAME_INSTANCE, '--store', store, '--now', '2026-11-27T23:30:00Z', '--json']);
    const second = JSON.parse(replayed.stdout.trim()) as { incidentId: string; outcome?: string };
    const after = await cli('verify');
    expect(after.code, after.stderr).toBe(1);
    if (second.incidentId !== ec2)
      expect(after.stderr).toMatch(new RegExp(`open incidents ${ec2} and ${second.incidentId}|open incidents ${second.incidentId} and ${ec2}`));
  });

  it('outbox_pending: verify names the index and the incident whose messages it leaves out', async () => {
    // A page that could not be delivered stays pending (the pager unreachable: port 9 on loopback).
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ onCall: { provider: 'pagerduty', providerUrl: 'http://127.0.0.1:9' } }));
    const env = { DATALEK_PAGER_ROUTING_KEY: 'R0UT1NGKEY0123456789abcdefABCDEF', DATALEK_PAGER_WEBHOOK_SECRET: 'w'.repeat(32) };
    const out = await runCli(['replay', OTHER, '--store', store, '--policy', policy, '--now', NOW, '--json'], env);
    const pending = (JSON.parse(out.stdout.trim()) as { incidentId: string }).incidentId;
    expect(out.stderr).toContain(`message ${pending}/on-call/opened not delivered`);
    emptyIndexOf(file(), 'outbox_pending', `incident_id <> '${pending}'`);
    const verified = await cli('verify');
    expect(verified.code, verified.stderr).toBe(1);
    expect(verified.stderr).toContain(`index outbox_pending does not hold incident ${pending} (messages ${pending}/on-call/opened`);
  });

  it('an intact store still verifies (exit 0)', async () => {
    const verified = await cli('verify');
    expect(verified.code, verified.stderr).toBe(0);
  });
});
