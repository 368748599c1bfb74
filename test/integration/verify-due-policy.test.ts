/**
 * red27 #2: verify holds an incident's due time to what falls due on its record under the policy it
 * loads (82c078de). An honest policy change (a reminder added) or a verifier without the pipeline's
 * policy then failed verify on every open incident, worded as if the due time had been moved behind
 * the pipeline; and the page's verify passed no policy, so it said "matches" where the CLI failed.
 * The problem now says both readings and the way to tell them apart (sweep --reindex under the
 * pipeline's policy, then verify again), and the page judges it with the policy it serves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { reindexDue } from '../../handlers/core/due-index.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

// The built-in policy with one reminder added, 70 hours before the AP deadline.
const withReminder = parsePolicy({ reminders: { beforeDeadlineHours: [70, 48, 24, 12, 4, 1] } });

describe("an incident's due time under a policy changed since it was stored", () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let id: string;
  const now = '2026-11-27T21:05:00.000Z';

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    const recorded = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => now, canEnforce: false },
      findingEvent({ id: 'due-1', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-due', createdAt: '2026-11-27T21:00:00Z' }),
    );
    id = recorded.incidentId as string;
    // Taken: no page falls due before the reminders.
    await acknowledge({ store, policy: DEFAULT_POLICY, now: () => now }, { incidentId: id, by: 'anna' });
  });
  afterEach(async () => cleanup());

  it('is named with both readings and how to tell them apart; after sweep --reindex under that policy it verifies', async () => {
    expect((await verifyStore(store, { only: id, now, policy: DEFAULT_POLICY })).problems).toEqual([]);
    const [problem, ...rest] = (await verifyStore(store, { only: id, now, policy: withReminder })).problems;
    expect(rest).toEqual([]);
    expect(problem.problem).toMatch(/^its due time \(.*\) is later than what falls due on its record under the policy \(/);
    expect(problem.problem).toContain(
      "If the policy changed since it was stored (a reminder added, a clock switched on), this verify loaded another policy than the pipeline's",
    );
    expect(problem.problem).toContain("datalek sweep --reindex under the pipeline's policy");
    expect(problem.problem).toContain('named still after that, it was moved or taken off behind the pipeline');
    await reindexDue({ store, policy: withReminder, now: () => now });
    // The entry says why it was written again without claiming only the code changed.
    const repaired = (await store.getTimeline(id)).filter((e) => e.kind === 'due-index-repaired');
    expect(repaired.map((e) => (e.detail as { reason: string }).reason)).toEqual([
      'the stored due time missed what is due on the record under the policy (stored before the code or this policy owed it)',
    ]);
    expect((await verifyStore(store, { only: id, now, policy: withReminder })).problems).toEqual([]);
  });

  it("is named on the page's verify too, which judges it with the policy the page serves, as the CLI does", async () => {
    const web = inProcessWebApp({ store, policy: withReminder, now: () => now, audit: store });
    const page = pageText(await (await web.get(`/incidents/${id}/verify`, 'en')).text());
    expect(page).not.toContain(`The record of ${id} matches its ledger`);
    expect(page).toContain('is later than what falls due on its record under the policy');
    // In Dutch too, not shown in English as a text the page has no words for.
    const nl = pageText(await (await web.get(`/incidents/${id}/verify`, 'nl')).text());
    expect(nl).toContain('het vervalmoment (');
    expect(nl).toContain('Is het beleid gewijzigd sinds het werd opgeslagen');
  });
});
