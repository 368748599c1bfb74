/**
 * vpol (s28): the record now names the policy its due time was set under; a due time set under
 * another policy than the verifier's is said as a policy change, not named as a problem
 * (test/unit/due-policy-change.test.ts, test/attack/due-time-moved-policy.test.ts).
 *
 * red27 #2: verify holds an incident's due time to what falls due on its record under the policy it
 * loads (82c078de). An honest policy change (a reminder added) or a verifier without the pipeline's
 * policy then failed verify on every open incident, worded as if the due time had been moved behind
 * the pipeline; and the page's verify passed no policy, so it said "matches" where the CLI failed.
 * The problem now says both readings and the way to tell them apart (sweep --reindex under the
 * pipeline's policy, then verify again), and the page judges it with the policy it serves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { reindexDue } from '../../handlers/core/due-index.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { takenIncident } from '../support/taken-incident.js';
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
    // Taken: no page falls due before the reminders.
    id = await takenIncident(store, now);
  });
  afterEach(async () => cleanup());

  it('is said as a policy change, not a problem; sweep --reindex under that policy still writes it again', async () => {
    expect((await verifyStore(store, { only: id, now, policy: DEFAULT_POLICY })).problems).toEqual([]);
    const changed = await verifyStore(store, { only: id, now, policy: withReminder });
    expect(changed.problems).toEqual([]);
    // No sweep kept the policy it set the due times under: not held to it, and said so (vpol).
    expect(changed.duePolicy?.changed).toEqual([expect.objectContaining({ incidentId: id, judged: false })]);
    await reindexDue({ store, policy: withReminder, now: () => now });
    // The entry says why it was written again without claiming only the code changed.
    const repaired = (await store.getTimeline(id)).filter((e) => e.kind === 'due-index-repaired');
    expect(repaired.map((e) => (e.detail as { reason: string }).reason)).toEqual([
      'the stored due time missed what is due on the record under the policy (stored before the code or this policy owed it)',
    ]);
    const after = await verifyStore(store, { only: id, now, policy: withReminder });
    expect(after.problems).toEqual([]);
    expect(after.duePolicy?.changed).toEqual([]);
  });

  it("is said on the page's verify too, which judges it with the policy the page serves, as the CLI does", async () => {
    const web = inProcessWebApp({ store, policy: withReminder, now: () => now, audit: store });
    const page = pageText(await (await web.get(`/incidents/${id}/verify`, 'en')).text());
    expect(page).toContain(`The record of ${id} matches its ledger`);
    expect(page).toContain('Its due time was set under another policy than the one this page serves');
    // In Dutch too.
    const nl = pageText(await (await web.get(`/incidents/${id}/verify`, 'nl')).text());
    expect(nl).toContain('Het vervalmoment werd gezet onder een ander beleid dan het beleid dat deze pagina gebruikt');
  });
});
