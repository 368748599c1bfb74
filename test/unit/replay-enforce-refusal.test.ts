/**
 * `datalek replay --enforce` carries out each event's containment right after recording it. A
 * store that refuses one incident's containment record as it is (`StoreRefusedError`: on DynamoDB
 * an incident item grown to its 400 KB) refuses only that event: its line is `rejected`, says it was
 * recorded and that its containment stopped, its messages still go out, and the events after it are
 * recorded and contained, as replay does for a refused recording. A store that fails (any other
 * `StoreError`) still stops the run. The CLI runs in this process on the embedded store (which
 * refuses with SQLite's own error, from a trigger on that incident's containment lease), with
 * containment that records one step per action, standing in for AWS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import type * as AwsCallerModule from '../../handlers/cli/aws-caller.js';
import type * as BackendModule from '../../handlers/cli/backend.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { TOO_BIG } from '../support/store.js';

const ACCOUNT = '123456789012';
/** What the store does with the containment lease of the incident on `i-refused-b`: set per test. */
const lease: { body: string } = { body: TOO_BIG };

/** Every action carried out in one recorded step. */
const stepByStep: Containment = {
  canEnforce: true,
  execute: async (action, ctx) => ctx.record({ name: `contain:${action.target}`, status: 'done', at: new Date().toISOString() }),
  release: async () => {},
};

vi.mock('../../handlers/cli/backend.js', async (importOriginal) => {
  const original = await importOriginal<typeof BackendModule>();
  return {
    ...original,
    openBackend: async (opts: BackendModule.BackendOptions) => {
      const backend = await original.openBackend({ ...opts, target: 'local' });
      const db = new Database(join(opts.storeDir, STORE_FILE));
      db.exec(
        `CREATE TRIGGER IF NOT EXISTS refuse_lease BEFORE UPDATE ON incidents WHEN NEW.resource_key LIKE '%i-refused-b%' AND NEW.data LIKE '%"containmentLease":{%' BEGIN ${lease.body}; END`,
      );
      db.close();
      return { ...backend, containment: stepByStep };
    },
  };
});
vi.mock('../../handlers/cli/aws-caller.js', async (importOriginal) => ({
  ...(await importOriginal<typeof AwsCallerModule>()),
  withPipelineAccount: async (policy: BackendModule.BackendOptions['policy']) => ({
    ...policy,
    // The credentials' account, the findings' own: a finding of another account is refused (review10 K5).
    containment: { ...policy.containment, pipelineAccount: '123456789012' },
  }),
}));

let dir: string;
let args: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'datalek-enforce-refusal-'));
  const events = join(dir, 'events.json');
  writeFileSync(
    events,
    JSON.stringify(
      ['refused-a', 'refused-b', 'refused-c'].map((id) =>
        findingEvent({ id, type: 'Backdoor:EC2/C&CActivity.B', accountId: ACCOUNT, resource: instanceResource(`i-${id}`) }),
      ),
    ),
  );
  args = ['replay', events, '--target', 'aws', '--enforce', '--store', join(dir, 'store'), '--json'];
});
afterEach(() => {
  lease.body = TOO_BIG;
  rmSync(dir, { recursive: true, force: true });
});

const env = { AWS_REGION: 'eu-west-1' };
const status = async () => JSON.parse((await runCli(['status', '--store', join(dir, 'store'), '--json'])).stdout) as { incidentId: string }[];

it('a containment record the store refuses as it is rejects that event, naming it, and the run records and contains the rest', async () => {
  const run = await runCli(args, env);
  const lines = jsonLines(run.stdout);
  expect(lines.map((l) => [l.findingId, l.outcome])).toEqual([
    ['refused-a', 'opened'],
    ['refused-b', 'rejected'],
    ['refused-c', 'opened'],
  ]);
  expect(lines[0].actions).toEqual([{ type: 'isolate-instance', status: 'done' }]);
  expect(lines[2].actions).toEqual([{ type: 'isolate-instance', status: 'done' }]);
  // Recorded, and said so: which incident, that its containment stopped on the store's refusal.
  const refused = lines[1];
  expect(refused.incidentId).toMatch(/^dl-/);
  expect(refused.reason).toMatch(/recorded.*containment stopped.*refused.*string or blob too big.*datalek contain/);
  expect(refused.actions).toEqual([{ type: 'isolate-instance', status: 'planned' }]);
  expect(run.code, run.stderr).toBe(1);
  expect((await status()).map((i) => i.incidentId)).toContain(refused.incidentId);
  // Its messages went out as every recorded incident's do: the FG is told it was opened.
  expect(run.stderr).toMatch(new RegExp(`→ FG: .*Mogelijk datalek.* ${refused.incidentId}`));
});

it('a store that fails during containment still stops the run: no line for that event or any after it', async () => {
  // An error SQLite raises in the store's own statement that is no refusal of this write (SQLITE_ERROR).
  lease.body = "SELECT json('{')";
  const run = await runCli(args, env);
  expect(run.code).toBe(3);
  expect(jsonLines(run.stdout).map((l) => l.findingId)).toEqual(['refused-a']);
  const b = (await status()).map((i) => i.incidentId).find((id) => id !== jsonLines(run.stdout)[0].incidentId);
  // That event was recorded, with no line: the stop names it, its incident, and how to go on.
  expect(run.stderr).toContain(`replay stopped: ${args[1]}#1 was recorded (incident ${b}) but its containment stopped unfinished`);
});
