/**
 * law27 item 3: the reminders of the AP follow-up owed after the risk was assessed high past the AP's
 * last report (Art. 33(3)(c), (4); clocks.ts riskFollowUpOwed) went to the FG alone, whatever the
 * policy. The policy now names who gets them (`reminders.riskFollowUpTo`, as `nis2To` does for the
 * NIS2 clocks): the FG always, by default the FG alone (unchanged); `on-call` adds the on-call topic,
 * its own message, sent once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, type FgDeps } from '../../handlers/core/fg-workflow.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { sweep } from '../../handlers/core/sweep.js';
import { reportedCompleteAtRisk } from '../support/risk-raised.js';
import { tempSqliteStore } from '../support/store.js';

const organisation = { name: 'Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const id = 'dl-risk-follow-up-to';
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;

/** M-1 complete at "risk" on 28 November, the risk raised to high on 29 November 10:00 UTC, swept a day later. */
async function raisedAndSwept(policy: ReturnType<typeof parsePolicy>, sweptAt = '2026-11-30T10:00:00.000Z') {
  let at = '';
  const deps = (): FgDeps => ({ store, policy, now: () => at });
  await reportedCompleteAtRisk(deps, id, (t) => {
    at = t;
  });
  at = '2026-11-29T10:00:00.000Z';
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'high', reason: 'wachtwoorden zijn buitgemaakt', by: 'FG' });
  await sweep({ store, policy, now: () => sweptAt });
  return (await store.listMessages(id)).filter((m) => m.kind === 'follow-up-reminder');
}

beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

describe('the follow-up reminders after a high risk', () => {
  it('go to the FG alone by default', async () => {
    const policy = parsePolicy({ organisation });
    expect(policy.reminders.riskFollowUpTo).toEqual(['fg']);
    expect((await raisedAndSwept(policy)).map((m) => m.channel)).toEqual(['fg']);
  });

  it('go to the FG and on-call when the policy names both, each once', async () => {
    const policy = parsePolicy({ organisation, reminders: { riskFollowUpTo: ['fg', 'on-call'] } });
    const sent = await raisedAndSwept(policy);
    expect(sent.map((m) => `${m.channel} ${m.subject}`)).toEqual([
      expect.stringMatching(/^fg \[datalek .*\] Vervolgmelding AP: het hoge risico is nog niet gemeld/),
      expect.stringMatching(/^on-call \[datalek .*\] Vervolgmelding AP/),
    ]);
    await sweep({ store, policy, now: () => '2026-11-30T10:30:00.000Z' });
    expect(
      (await store.listMessages(id)).filter((m) => m.kind === 'follow-up-reminder'),
      'sent once',
    ).toHaveLength(2);
  });

  it('a list without the FG is refused, naming it', () => {
    expect(() => parsePolicy({ organisation, reminders: { riskFollowUpTo: ['on-call'] } })).toThrow(/riskFollowUpTo.*must include "fg"|must include "fg"/s);
  });
});
