/**
 * red26: a grown attack sequence (one finding type) names a bucket the incident did not hold after the FG
 * assessed it, and the FG is asked to assess again (27d8c96c). From the command line that review takes
 * the --seen token `show` prints (6ee2c306), but --finding-types naming the type answered it without one,
 * for a bucket never shown. The page carries its own drawn state, which covers the resources
 * (web/action-forms.ts), yet was refused for ever, asking for a --seen it has no field for.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { assess } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { findingTypesSeen } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sequenceGrowingToBucket } from '../support/events.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

const version = sequenceGrowingToBucket;

it('the review a new resource asked is answered from the page as it is now, and refused from a page drawn before it', async () => {
  const clock = { now: '2026-11-28T00:05:00.000Z' };
  const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => clock.now, canEnforce: false };
  const id = (await recordEvent(deps, version(1))).incidentId as string;
  const shown = findingTypesSeen((await t.store.getIncident(id)) as Incident);
  clock.now = '2026-11-28T01:00:00.000Z';
  await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'alleen testdata', by: 'FG' });
  const web = inProcessWebApp({ store: t.store, policy: DEFAULT_POLICY, now: () => clock.now });
  const before = await (await web.get(`/incidents/${id}`, 'en')).text();
  clock.now = '2026-11-28T02:05:00.000Z';
  await recordEvent(deps, version(2));
  expect(((await t.store.getIncident(id)) as Incident).reviewAsked).toMatchObject({ newResource: true });
  const fields = { 'personal-data': 'yes', risk: 'high', reason: 'patientdossiers' };

  // The command line: the type named answers for no resource; nor does a token shown before the bucket came.
  const no = { incidentId: id, personalData: 'no' as const, risk: 'none' as const, reason: 'nog steeds testdata', by: 'FG' };
  const types = ['AttackSequence:IAM/CompromisedCredentials'];
  await expect(assess(deps, { ...no, seen: { types } })).rejects.toThrow(/a finding named a resource the incident did not hold after the assessment .*--seen/);
  await expect(assess(deps, { ...no, seen: { types, token: shown } })).rejects.toThrow(/the resources changed since show printed --seen/);

  const stale = await web.post(`/incidents/${id}/assess`, { _csrf: csrfOf(before), ...formBase(before, 'assess'), ...fields }, 'en');
  expect(stale.status).toBe(400);
  expect(((await t.store.getIncident(id)) as Incident).assessment).toMatchObject({ personalData: 'no' });

  const current = await (await web.get(`/incidents/${id}`, 'en')).text();
  const res = await web.post(`/incidents/${id}/assess`, { _csrf: csrfOf(current), ...formBase(current, 'assess'), ...fields }, 'en');
  expect([res.status, res.status === 303 ? '' : pageText(await res.text()).slice(0, 400)]).toEqual([303, '']);
  expect(((await t.store.getIncident(id)) as Incident).assessment).toMatchObject({ personalData: 'yes', risk: 'high' });
});
