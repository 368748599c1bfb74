/**
 * A `datalek not-done` decision could not be taken back: the step stayed skipped for good, even when
 * a later finding's rule enforces it and the FG, told of it (`not-done-held`), changes her mind.
 *
 * `datalek not-done ID --action ID --withdraw --reason TEXT --by NAME` (and the page's form of it)
 * plans the step again. When a finding of the incident's rule enforces it, it is planned enforced
 * with that finding, as a new enforcing finding plans it, and a target that carries containment out
 * runs it at once (the contain function's run); the embedded store only plans. The timeline, the
 * AP draft and the register keep both decisions.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PlanOnlyContainment } from '../../handlers/adapters/local/plan-only-containment.js';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { containmentStatus } from '../../handlers/core/breach-facts.js';
import { recordNotToBeDone, withdrawNotToBeDone } from '../../handlers/core/by-hand.js';
import { notDoneClause } from '../../handlers/core/draft.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { describeEntry } from '../../handlers/core/report-html.js';
import { WEB_FORMS } from '../../handlers/web/action-forms.js';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { carryingOut, incidentFixture, plannedIsolation } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const NOW = '2026-11-28T03:00:00.000Z';
const LATER = '2026-11-28T05:00:00.000Z';
const POLICY = parsePolicy({ containment: { rules: [{ action: 'contain-workload', findingTypes: ['*:EC2/*'], minSeverity: 1, mode: 'enforce' }] } });
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

/** Finding a planned the isolation (a plan-only run), the FG decided not to isolate, and finding b's rule enforces it. */
async function decidedThenAskedFor(): Promise<{ incidentId: string; actionId: string }> {
  const planOnly = { store, policy: POLICY, now: () => NOW, canEnforce: false };
  const incidentId = ((await recordEvent(planOnly, findingEvent({ id: 'a'.repeat(32) }))) as { incidentId: string }).incidentId;
  const actionId = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance')?.id as string;
  await recordNotToBeDone({ store, policy: POLICY, now: () => NOW }, { incidentId, actionId, by: 'FG', reason: 'de instance is vervangen' });
  await recordEvent({ ...planOnly, canEnforce: true }, findingEvent({ id: 'b'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B' }));
  return { incidentId, actionId };
}

it('withdrawn, a step a finding’s rule enforces is carried out as that finding would have it, and the record keeps both decisions', async () => {
  const { incidentId, actionId } = await decidedThenAskedFor();
  const incident = (await store.getIncident(incidentId)) as Incident;
  const form = WEB_FORMS.find((f) => f.id === 'not-done-withdraw');
  expect(form?.shown({ incident, policy: POLICY, now: LATER, releasable: false } as never)).toBe(true);

  const containment = carryingOut();
  const result = await withdrawNotToBeDone(
    { store, policy: POLICY, now: () => LATER, containment },
    { incidentId, actionId, by: 'FG', reason: 'bevinding b toont command-and-control: toch isoleren' },
  );
  expect(result.enforcedBy).toBe('b'.repeat(32));
  expect(result.containment?.actions, JSON.stringify(result.containment)).toHaveLength(1);
  expect(containment.executed, JSON.stringify(result.containment?.actions)).toEqual([actionId]);
  const after = (await store.getIncident(incidentId)) as Incident;
  const action = after.actions.find((a) => a.id === actionId) as ActionRecord;
  expect(action).toMatchObject({ status: 'done', mode: 'enforce', findingId: 'b'.repeat(32) });
  expect(action.notDone).toBeUndefined();
  expect(action.notDoneWithdrawn).toEqual([
    {
      decision: { by: 'FG', reason: 'de instance is vervangen', recordedAt: NOW },
      by: 'FG',
      reason: 'bevinding b toont command-and-control: toch isoleren',
      recordedAt: LATER,
    },
  ]);
  const entry = (await store.getTimeline(incidentId)).find((e) => e.kind === 'containment-not-done-withdrawn');
  expect(entry?.detail).toMatchObject({ actionId, decidedBy: 'FG', decisionReason: 'de instance is vervangen', enforcedBy: 'b'.repeat(32) });
  expect(describeEntry(entry as never, 'nl', POLICY.timeZone)).toContain('Besluit ingetrokken');
  // The draft and the register: the decision and its withdrawal, each with who and why.
  const clause = notDoneClause(after, 'nl', (iso) => iso) as string;
  expect(clause).toContain('de instance is vervangen');
  expect(clause).toContain('bevinding b toont command-and-control: toch isoleren');
  const status = containmentStatus(after).join('\n');
  expect(status).toContain('not-done decided by FG');
  expect(status).toContain('withdrawn by FG');
});

it('on the embedded store the step is planned again and nothing is carried out; a step with no decision is refused by name', async () => {
  const { incidentId, actionId } = await decidedThenAskedFor();
  const deps = { store, policy: POLICY, now: () => LATER, containment: new PlanOnlyContainment() };
  await expect(withdrawNotToBeDone(deps, { incidentId, actionId: 'isolate-instance:i-other', by: 'FG', reason: 'x' })).rejects.toThrow(
    /no not-done decision on isolate-instance:i-other.*decided: isolate-instance:/,
  );
  const result = await withdrawNotToBeDone(deps, { incidentId, actionId, by: 'FG', reason: 'toch isoleren' });
  expect(result.enforcedBy).toBe('b'.repeat(32));
  expect(result.containment).toBeNull();
  const action = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.id === actionId);
  expect(action).toMatchObject({ status: 'planned', mode: 'plan' });
  await expect(withdrawNotToBeDone(deps, { incidentId, actionId, by: 'FG', reason: 'nogmaals' })).rejects.toThrow(/no not-done decision/);
});

it('the CLI takes it back with --withdraw, and says what happens', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-withdraw-'));
  const events = join(dir, 'events.json');
  writeFileSync(events, JSON.stringify([findingEvent({ id: 'w'.repeat(32) })]));
  const cli = (args: string[]) => runCli([...args, '--store', join(dir, 'store'), '--now', LATER]);
  const id = jsonLines((await cli(['replay', events, '--json'])).stdout)[0].incidentId as string;
  const action = 'isolate-instance:i-0123456789abcdef0';
  expect((await cli(['not-done', id, '--action', action, '--reason', 'vervangen', '--by', 'FG'])).code).toBe(0);
  const r = await cli(['not-done', id, '--action', action, '--withdraw', '--reason', 'toch isoleren', '--by', 'FG']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(`Withdrew the decision not to carry out ${action}`);
  expect(r.stdout).toContain('planned again');
  const shown = JSON.parse((await cli(['show', id, '--json'])).stdout);
  expect(shown.actions.find((a: { id: string }) => a.id === action)).toMatchObject({ status: 'planned' });
});

it('the page offers the withdrawal beside the not-done form, records it, and refuses the same page sent again', async () => {
  const id = 'dl-withdraw-web';
  const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
  const now = '2026-11-28T08:00:00.000Z';
  const PLANNED = 'isolate-instance:i-planned';
  await store.commit({
    incident: incidentFixture({ id, actions: [plannedIsolation('i-planned', { mode: 'plan' })] }),
    expectedRevision: null,
    timeline: [],
    messages: [],
  });
  await recordNotToBeDone({ store, policy, now: () => now }, { incidentId: id, actionId: PLANNED, by: 'FG', reason: 'vervangen' });
  const web = inProcessWebApp({ store, policy, now: () => now });
  const html = await (await web.get(`/incidents/${id}`)).text();
  const form = /<form[^>]*id="not-done-withdraw"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  expect(form).toContain(`value="${PLANNED}"`);
  const send = (fields: Record<string, string>) =>
    web.post(`/incidents/${id}/not-done-withdraw`, { _csrf: csrfOf(html), ...formBase(html, 'not-done-withdraw'), ...fields });
  const res = await send({ action: PLANNED, reason: 'toch isoleren' });
  expect(res.status).toBe(303);
  expect((await store.getIncident(id))?.actions.find((a) => a.id === PLANNED)).toMatchObject({ status: 'planned', notDoneWithdrawn: [{ by: 'A. de Vries' }] });
  expect(pageText(await (await web.get(`/incidents/${id}?done=not-done-withdraw`)).text())).toContain('Besluit ingetrokken: de stap is weer gepland');
  // The same page sent again: what it showed changed, nothing is recorded over it.
  expect((await send({ action: PLANNED, reason: 'nog eens' })).status).toBe(400);
});
