/**
 * small11 item 3: a not-done decision taken back (`not-done --withdraw`, 72a42bb) stayed on the
 * timeline, in the AP draft and in the register, but the incident page's containment list showed
 * the step as planned again with no word of the decision or its withdrawal, nor did `show`. Both
 * now name each withdrawn decision: who decided, why, who withdrew it, when and why.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PlanOnlyContainment } from '../../handlers/adapters/local/plan-only-containment.js';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { showText } from '../../handlers/cli/views.js';
import { recordNotToBeDone, withdrawNotToBeDone } from '../../handlers/core/by-hand.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { formatLocal } from '../../handlers/core/time.js';
import { findingEvent } from '../support/events.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const NOW = '2026-11-28T03:00:00.000Z';
const LATER = '2026-11-28T05:00:00.000Z';
const POLICY = parsePolicy({ containment: { rules: [{ action: 'contain-workload', findingTypes: ['*:EC2/*'], minSeverity: 1, mode: 'plan' }] } });
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

it('the page and show name a withdrawn not-done decision beside the step planned again', async () => {
  const incidentId = (await recordEvent({ store, policy: POLICY, now: () => NOW, canEnforce: false }, findingEvent({ id: 'd'.repeat(32) })))
    .incidentId as string;
  const actionId = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance')?.id as string;
  await recordNotToBeDone({ store, policy: POLICY, now: () => NOW }, { incidentId, actionId, by: 'FG Anna', reason: 'de instance is vervangen' });
  await withdrawNotToBeDone(
    { store, policy: POLICY, now: () => LATER, containment: new PlanOnlyContainment() },
    { incidentId, actionId, by: 'FG Bert', reason: 'de oude instance draait nog' },
  );
  const at = (iso: string) => formatLocal(iso, POLICY.timeZone);
  const said = {
    nl: `besluit niet uit te voeren (FG Anna op ${at(NOW)}: de instance is vervangen) ingetrokken door FG Bert op ${at(LATER)}: de oude instance draait nog`,
    en: `decision not to carry it out (FG Anna on ${at(NOW)}: de instance is vervangen) withdrawn by FG Bert on ${at(LATER)}: de oude instance draait nog`,
  };
  const web = inProcessWebApp({ store, policy: POLICY, now: () => LATER });
  for (const lang of ['nl', 'en'] as const) expect(pageText(await (await web.get(`/incidents/${incidentId}`, lang)).text())).toContain(said[lang]);
  const incident = (await store.getIncident(incidentId)) as Incident;
  expect(showText(incident, [], POLICY, LATER)).toContain(said.en);
});
