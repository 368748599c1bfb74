/**
 * law28 (s28) item 2: minimise's reasons for keeping findings gave bare ISO instants ("closed at
 * 2026-01-10T09:15:00.000Z", "held by FG since 2026-01-20T09:00:00.000Z", "kept until ..."), which
 * the FG reads as Amsterdam time, an hour early in winter and two in summer. Everywhere else a
 * person reads the policy's local time with the instant beside it (core/time.ts localWithInstant):
 * so do these, in the policy's own zone.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, closeIncident, recordFacts } from '../../handlers/core/fg-workflow.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { holdFindings } from '../../handlers/core/retention-hold.js';
import { findingEvent } from '../support/events.js';
import { closedHeldIncident, HELD_FINDING } from '../support/held-incident.js';
import { tempSqliteStore } from '../support/store.js';

let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

const run = (now: string, only: string, policy = DEFAULT_POLICY) =>
  minimiseClosed({ store, audit: store, policy, now: () => now, machineNow: () => now }, { by: 'FG', afterDays: 180, only });
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => '',
    (err: Error) => err.message,
  );

it('names the closing, what was recorded after it and until when the findings are kept, in local time with the instant', async () => {
  let now = '2026-01-10T00:00:00.000Z';
  const deps = { store, policy: DEFAULT_POLICY, now: () => now, canEnforce: false };
  const id = (await recordEvent(deps, findingEvent({ id: 'f-jan', createdAt: '2026-01-09T22:00:00Z' }))).incidentId as string;
  now = '2026-01-10T02:00:00.000Z';
  await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'Geen persoonsgegevens', by: 'FG' });
  now = '2026-01-10T03:00:00.000Z';
  await closeIncident(deps, { incidentId: id, reason: 'Afgehandeld', by: 'FG' });
  now = '2026-07-08T03:00:00.000Z';
  await recordFacts(deps, { incidentId: id, cause: 'Nader onderzocht na een klacht', reason: 'Vraag van de AP', by: 'FG' });

  const why = await refusal(run('2026-07-10T03:00:00.000Z', id));
  expect(why).toContain('was closed at 2026-01-10 04:00 CET (2026-01-10T03:00:00.000Z)');
  expect(why).toContain('recorded after closing at 2026-07-08 05:00 CEST (2026-07-08T03:00:00.000Z)');
  expect(why).toContain('kept until 2027-01-04 04:00 CET (2027-01-04T03:00:00.000Z)');
});

it('names a hold by when it was decided, in the policy’s zone', async () => {
  const { held } = await closedHeldIncident(store);
  expect(await refusal(run('2026-09-01T00:00:00.000Z', held))).toContain('held by FG since 2026-01-20 10:00 CET (2026-01-20T09:00:00.000Z)');
  const london = parsePolicy({ timeZone: 'Europe/London' });
  expect(await refusal(run('2026-09-01T00:00:00.000Z', held, london))).toContain('held by FG since 2026-01-20 09:00 GMT (2026-01-20T09:00:00.000Z)');
  // Held already: the second hold is refused naming the first by its local time too.
  const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-02-01T09:00:00.000Z' };
  expect(await refusal(holdFindings(deps, held, { by: 'FG', reason: 'nog een klacht' }))).toContain('since 2026-01-20 10:00 CET (2026-01-20T09:00:00.000Z)');
});

it('names the hold that keeps a record moved on to another incident in local time', async () => {
  const { clock, deps, held } = await closedHeldIncident(store);
  clock.now = '2026-02-01T09:00:00.000Z';
  const other = (await recordEvent(deps, findingEvent({ id: 'other-finding', createdAt: '2026-02-01T08:55:00Z', instanceId: 'i-0held' }))).incidentId as string;
  clock.now = '2026-02-01T10:00:00.000Z';
  await recordEvent(deps, findingEvent({ ...HELD_FINDING, updatedAt: '2026-02-01T09:55:00Z', count: 5 }));
  await assess(deps, { incidentId: other, personalData: 'no', risk: 'none', reason: 'zelfde activiteit, geen gegevens', by: 'FG' });
  await closeIncident(deps, { incidentId: other, reason: 'afgehandeld', by: 'FG' });
  const report = await minimiseClosed({ store, audit: store, policy: DEFAULT_POLICY, now: () => '2026-09-01T00:00:00.000Z' }, { by: 'FG', afterDays: 180 });
  const heldWhy = report.minimised.find((m) => m.incidentId === other)?.held;
  expect(heldWhy).toContain(`incident ${held}`);
  expect(heldWhy).toContain('since 2026-01-20 10:00 CET (2026-01-20T09:00:00.000Z)');
});

it('names what is still due on a closed incident in local time', async () => {
  let now = '2026-01-10T00:00:00.000Z';
  const deps = { store, policy: DEFAULT_POLICY, now: () => now, canEnforce: false };
  const id = (await recordEvent(deps, findingEvent({ id: 'f-due', createdAt: '2026-01-09T22:00:00Z' }))).incidentId as string;
  await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver', by: 'FG' });
  await closeIncident(deps, { incidentId: id, reason: 'geen datalek', by: 'FG' });
  now = '2026-01-11T08:00:00.000Z';
  await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch klantdata', by: 'FG', confirmAfterClose: true });
  const incident = await store.getIncident(id);
  const due = incident?.nextDueAt as string;
  expect(due).toMatch(/^2026-/);
  const why = await refusal(run('2026-09-01T00:00:00.000Z', id));
  expect(why).toMatch(/still due on it at 2026-\d\d-\d\d \d\d:\d\d CES?T \(2026-[^)]+Z\)/);
  expect(why).toContain(`(${due})`);
});
