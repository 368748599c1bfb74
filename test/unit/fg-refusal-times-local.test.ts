/**
 * fg28 item 1: the English refusals of the FG's workflow gave their times as the ISO instant alone
 * ("the report is 14 hours after the AP deadline (2026-11-30T21:00:00.000Z)"), read as 21:00 in
 * Amsterdam, an hour early in winter, while the Dutch texts and the draft give the policy's zone with
 * the ISO instant beside it. Each refusal here names its times as `show` and the draft do.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, decideSubjects, recordReport } from '../../handlers/core/fg-workflow.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture, mergedIncidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
let clock = '2026-12-01T11:00:00.000Z';
const deps = () => ({ store, policy, now: () => clock });
const put = (incident: ReturnType<typeof incidentFixture>) => store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });

/** The message the promise is refused with. */
async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'premise: refused').toBeInstanceOf(Error);
  return (err as Error).message;
}

beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
  clock = '2026-12-01T11:00:00.000Z';
});
afterEach(async () => cleanup());

it('a report after the AP deadline without reasons names the deadline in Amsterdam with the instant beside it', async () => {
  await put(incidentFixture({ id: 'dl-late', actions: [] }));
  await assess(deps(), { incidentId: 'dl-late', personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  const message = await refusal(recordReport(deps(), { incidentId: 'dl-late', reference: 'M-1', by: 'FG' }));
  expect(message).toContain('after the AP deadline (2026-11-30 22:00 CET (2026-11-30T21:00:00.000Z))');
});

it('a change to a closed incident without --after-close names when it was closed in Amsterdam with the instant beside it', async () => {
  await put(incidentFixture({ id: 'dl-closed', actions: [], state: 'closed', closedAt: '2026-11-29T08:00:00.000Z', closeReason: 'afgehandeld' }));
  const message = await refusal(assess(deps(), { incidentId: 'dl-closed', personalData: 'yes', risk: 'risk', reason: 'toch klantgegevens', by: 'FG' }));
  expect(message).toContain('was closed on 2026-11-29 09:00 CET (2026-11-29T08:00:00.000Z)');
});

it('a merged incident names when it was merged in Amsterdam with the instant beside it', async () => {
  await put(mergedIncidentFixture('dl-merged', 'dl-into'));
  const message = await refusal(recordReport(deps(), { incidentId: 'dl-merged', reference: 'M-1', by: 'FG' }));
  expect(message).toContain('on 2026-11-28 10:00 CET (2026-11-28T09:00:00.000Z)');
});

it('an Art. 34 date before the awareness names the awareness in Amsterdam with the instant beside it', async () => {
  await put(incidentFixture({ id: 'dl-subjects', actions: [] }));
  await assess(deps(), { incidentId: 'dl-subjects', personalData: 'yes', risk: 'high', reason: 'klantgegevens', by: 'FG' });
  const message = await refusal(
    decideSubjects(deps(), {
      incidentId: 'dl-subjects',
      decision: 'inform',
      reason: 'hoog risico',
      by: 'FG',
      date: '2026-11-27T20:00:00Z',
      channel: 'brief',
      text: 'Beste klant',
      confirmStatedTime: true,
    } as never),
  );
  expect(message).toContain('2026-11-27 22:00 CET (2026-11-27T21:00:00.000Z)');
  expect(message).not.toMatch(/[^(]2026-11-27T21:00:00\.000Z/);
});
