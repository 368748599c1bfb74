/**
 * The closing note's "Still left" (FG): a follow-up owed to the AP after closing (an initial AP
 * report made after closing with the facts incomplete, read11c C3) could only be ended by the
 * follow-up itself: "no follow-up, because…" was taken only at `close --follow-up-reason`, before
 * the report existed. The reminder ran on forever, status listed it, minimise waited. Now the FG
 * records the reason after closing (`close ID --after-close --follow-up-reason`, the page's form):
 * with who and when, in the register; the reminder ends; nothing else is owed. Core, SQLite.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { closedWithDuty } from '../../handlers/core/clocks.js';
import { assess, closeIncident, type FgDeps, recordNoFollowUp, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { nextDueAt } from '../../handlers/core/schedule.js';
import { WEB_FORMS } from '../../handlers/web/action-forms.js';
import { findingEvent } from '../support/events.js';
import { csrfOf, formBase } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
let now: string;
let deps: FgDeps;
let id: string;
const stored = async () => (await store.getIncident(id)) as Incident;
const reason = 'de AP liet op 2 december weten geen aanvulling te verlangen';

beforeEach(async () => {
  ({ store, cleanup } = tempSqliteStore());
  deps = { store, policy, now: () => now };
  now = '2026-11-28T03:00:00.000Z';
  id = (await recordEvent({ ...deps, canEnforce: false }, findingEvent({ id: 'f-1', createdAt: '2026-11-28T01:00:00.000Z' }))).incidentId as string;
  await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver, geen klantdata', by: 'FG' });
  await closeIncident(deps, { incidentId: id, by: 'FG', reason: 'geen datalek' });
  now = '2026-11-29T08:00:00.000Z';
  await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch klantdata op de server', by: 'FG', confirmAfterClose: true });
  now = '2026-11-29T12:00:00.000Z';
  await recordReport(deps, { incidentId: id, to: 'ap', kind: 'initial', reference: 'AP-2026-1', by: 'FG', reason: 'gemeld na heroverweging' });
});
afterEach(async () => cleanup());

const formShown = (incident: Incident) =>
  WEB_FORMS.find((f) => f.id === 'after-close-no-follow-up')?.shown({ incident, policy, now, releasable: false }) ?? false;

it('records "no follow-up, because…" after closing, with who and when, and ends what it owed', async () => {
  expect(closedWithDuty(await stored(), policy)).toBe(true);
  // The closed incident's page offers it while the follow-up is owed.
  expect(formShown(await stored())).toBe(true);
  now = '2026-12-02T10:00:00.000Z';
  const incident = await recordNoFollowUp(deps, { incidentId: id, reason, by: 'A. de Vries', confirmAfterClose: true });
  expect(incident.apFollowUpReason).toBe(reason);
  expect(incident.afterClose?.at(-1)).toEqual({ at: now, by: 'A. de Vries', what: 'no follow-up to the AP (Art. 33(4)): AP-2026-1', reason });
  expect(nextDueAt(incident, policy)).toBeNull();
  expect(closedWithDuty(incident, policy)).toBe(false);
  expect(formShown(incident)).toBe(false);
  const row = registerRow(incident, policy, now);
  expect(row).toMatchObject({ apFollowUpReason: reason, apInitialStatus: 'met' });
  expect(row.apClockStatus).toBe('met');
  expect(row.afterClose).toContain(`no follow-up to the AP (Art. 33(4)): AP-2026-1`);
  expect(registerMarkdown([incident], policy, now, 'nl')).toContain(`zonder vervolgmelding aan de AP (AVG art. 33(4)): ${reason}`);
  expect((await store.getTimeline(id)).at(-1)).toMatchObject({ kind: 'no-follow-up', actor: 'A. de Vries', detail: { reason, reference: 'AP-2026-1' } });
});

it('refuses without --after-close, without a reason, and when no follow-up is owed, recording nothing', async () => {
  now = '2026-12-02T10:00:00.000Z';
  const before = (await stored()).revision;
  await expect(recordNoFollowUp(deps, { incidentId: id, reason, by: 'FG' })).rejects.toThrow(/--after-close/);
  await expect(recordNoFollowUp(deps, { incidentId: id, reason: ' ', by: 'FG', confirmAfterClose: true })).rejects.toThrow(/reason/);
  await recordNoFollowUp(deps, { incidentId: id, reason, by: 'FG', confirmAfterClose: true });
  const after = (await stored()).revision;
  expect(after).toBe(before + 1);
  await expect(recordNoFollowUp(deps, { incidentId: id, reason: 'nog een keer', by: 'FG', confirmAfterClose: true })).rejects.toThrow(
    /no follow-up to the AP is owed/,
  );
  expect((await stored()).revision).toBe(after);
});

it('takes it from the closed incident’s page, as the person signed in', async () => {
  now = '2026-12-02T10:00:00.000Z';
  const web = inProcessWebApp({ store, policy, now: () => now });
  const html = await (await web.get(`/incidents/${id}`, 'nl')).text();
  expect(html).toContain('Na het sluiten: geen vervolgmelding aan de AP (art. 33(4))');
  const form = 'after-close-no-follow-up';
  const res = await web.post(
    `/incidents/${id}/${form}`,
    { _csrf: csrfOf(html), ...formBase(html, form), 'follow-up-reason': reason, 'after-close': 'on' },
    'nl',
  );
  expect(res.status).toBe(303);
  expect(await stored()).toMatchObject({ state: 'closed', apFollowUpReason: reason });
  expect((await stored()).afterClose?.at(-1)).toMatchObject({ reason, by: 'A. de Vries' });
});
