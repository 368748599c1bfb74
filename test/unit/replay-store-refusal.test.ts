/**
 * A store that refuses one event's commit as it is (DynamoDB: an item over its size, a value it
 * does not take; `StoreRefusedError`) refuses only that event: `datalek replay` gives it a
 * `rejected` line naming the problem, never the event's content, and records the rest, as it does
 * a malformed event. A store that fails (a full disk, an I/O error: any other `StoreError`) still
 * stops the run where it failed (review7 K2): nothing printed or sent of what it did not record.
 * The CLI runs in this process on the embedded store, its commits passed through a stand-in that
 * fails the second event's the way each store would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type * as BackendModule from '../../handlers/cli/backend.js';
import { StoreError, StoreRefusedError } from '../../handlers/core/errors.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

/** How the store answers the commit of the finding `refused-b`: set by each test. */
const failure: { error: Error | null } = { error: null };

vi.mock('../../handlers/cli/backend.js', async (importOriginal) => {
  const original = await importOriginal<typeof BackendModule>();
  return {
    ...original,
    openBackend: async (opts: BackendModule.BackendOptions) => {
      const backend = await original.openBackend(opts);
      const store: IncidentStore = new Proxy(backend.store, {
        get(target, prop) {
          if (prop === 'commit')
            return async (change: Parameters<IncidentStore['commit']>[0]) => {
              if (failure.error && change.finding?.record.key.findingId === 'refused-b') throw failure.error;
              return target.commit(change);
            };
          const value = Reflect.get(target, prop, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      return { ...backend, store };
    },
  };
});

const SECRET_IP = '198.51.100.77';
const SECRET_NAME = 'piet.pietersen';

let dir: string;
let events: string;
let args: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'datalek-refusal-'));
  events = join(dir, 'events.json');
  const at = '2026-11-27T20:00:00.000Z';
  writeFileSync(
    events,
    JSON.stringify(
      ['refused-a', 'refused-b', 'refused-c'].map((id, i) =>
        findingEvent({
          id,
          instanceId: `i-refused-${i}`,
          createdAt: at,
          updatedAt: at,
          // Personal data the lines must leave out.
          service: { additionalInfo: { value: `${SECRET_NAME} from ${SECRET_IP}` } },
        }),
      ),
    ),
  );
  args = ['replay', events, '--store', join(dir, 'store'), '--now', '2026-11-28T00:00:00Z'];
});
afterEach(() => {
  failure.error = null;
  rmSync(dir, { recursive: true, force: true });
});

const findingsStored = async () =>
  (JSON.parse((await runCli(['status', '--store', join(dir, 'store'), '--json'])).stdout) as { findings: number }[]).reduce((n, i) => n + i.findings, 0);

it('an event whose commit the store refuses as it is gets a rejected line naming the problem, and the run records the rest', async () => {
  failure.error = new StoreRefusedError(
    'commit of incident dl-x refused by the store as it is: ValidationException: Item size has exceeded the maximum allowed size',
  );
  const run = await runCli([...args, '--json']);
  const lines = jsonLines(run.stdout);
  expect(lines.map((l) => [l.input, l.outcome])).toEqual([
    [`${events}#0`, 'opened'],
    [`${events}#1`, 'rejected'],
    [`${events}#2`, 'opened'],
  ]);
  expect(lines[1].reason).toMatch(/refused.*Item size has exceeded the maximum allowed size/);
  expect(lines[1].findingId).toBe('refused-b');
  // Exit 1, as for a malformed event: something was not recorded, and its line says why.
  expect(run.code, run.stderr).toBe(1);
  expect(`${run.stdout}\n${run.stderr}`).not.toContain(SECRET_IP);
  expect(`${run.stdout}\n${run.stderr}`).not.toContain(SECRET_NAME);
  expect(await findingsStored()).toBe(2);
});

it('a store that fails (an I/O error) still stops the run where it failed: no line for that event or any after it, and a re-run records them', async () => {
  failure.error = new StoreError('commit of incident dl-x failed: disk I/O error');
  const run = await runCli([...args, '--json']);
  expect(run.code).toBe(3);
  expect(jsonLines(run.stdout).map((l) => l.input)).toEqual([`${events}#0`]);
  expect(run.stderr).toContain(`replay stopped: ${events}#1 and every event after it were not recorded`);
  expect(await findingsStored()).toBe(1);
  failure.error = null;
  const again = await runCli([...args, '--json']);
  expect(jsonLines(again.stdout).map((l) => l.outcome)).toEqual(['duplicate', 'opened', 'opened']);
});
