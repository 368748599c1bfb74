/**
 * Review 12 (fgsec14), low: an incident opened by hand on Monday (a letter sent to the wrong person on
 * Friday, found on Monday) could not take the end of the breach on Friday without a begin, and the
 * refusal did not say what would make it true: "lies before the detection … a stated time lies between
 * that and now", while for an incident opened by hand "the detection" is the awareness the FG typed,
 * and with a begin stated in the same command the end is taken. The refusal now names the begin.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { openByHand } from '../../handlers/core/open-by-hand.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const FRIDAY = '2026-11-27T18:00:00.000Z';
let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it('refuses an end before the awareness of an incident opened by hand naming the begin, and takes it with one', async () => {
  const deps = { store: t.store, policy, now: () => '2026-11-30T08:00:00.000Z' };
  const opened = await openByHand(deps, { by: 'FG', what: 'brief naar de verkeerde persoon gestuurd', awareAt: '2026-11-30T07:00:00Z' });
  const end = { incidentId: opened.id, endedAt: FRIDAY, confirmStatedTime: true, by: 'FG' };
  await expect(recordFacts(deps, end)).rejects.toThrow(
    /--ended-at 2026-11-27 19:00 CET \(2026-11-27T18:00:00.000Z\) lies before the detection .* \(opened by hand: the awareness entered then\), and no begin of the breach is recorded: .*--started-at --started-reason --confirm-stated-time/,
  );
  await recordFacts(deps, { ...end, startedAt: '2026-11-27T17:00:00Z', startedReason: 'de brief werd vrijdagmiddag verstuurd' });
  expect(((await t.store.getIncident(opened.id)) as Incident).facts?.endedAt).toBe(FRIDAY);
});
