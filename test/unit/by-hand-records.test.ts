/**
 * A person's records on a containment action, on the core alone (no CLI process):
 * - a step the contain function tried and failed, finished by hand: `datalek contained` refused it
 *   ("closing records what was done by hand"), so closing asked a containment reason for a step the
 *   record could have held as done (closing note, "Still left");
 * - a planned step that will not be done: nothing could record it, so the draft and the Art. 34
 *   notice said "planned" for ever beside the FG's measures, and the register had no reason for it.
 *   The record says who decided and why; the draft, the notice, the register and closing read it as
 *   neither planned nor done.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordContainedByHand, recordNotToBeDone } from '../../handlers/core/by-hand.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, closeIncident, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { buildNotice } from '../../handlers/core/notice.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerRow } from '../../handlers/core/register.js';
import { releasable } from '../../handlers/core/release.js';
import { formFields, WEB_FORMS } from '../../handlers/web/action-forms.js';
import { runCli } from '../support/cli.js';
import { incidentFixture, plannedIsolation } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const now = '2026-11-28T08:00:00.000Z';
const id = 'dl-by-hand-core';

describe('a failed step finished by hand', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy, now: () => now });

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    const failed = plannedIsolation('i-failed', {
      status: 'failed',
      reason: 'AccessDenied',
      steps: [{ name: 'isolate-eni:eni-1', status: 'failed', at: '2026-11-27T21:02:00.000Z' }],
    });
    await store.commit({ incident: incidentFixture({ id, actions: [failed] }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver zonder persoonsgegevens', by: 'FG' });
  });
  afterEach(async () => cleanup());

  it('is recorded as done by hand, and closing then asks no containment reason', async () => {
    await expect(closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG' })).rejects.toThrow(/containment/);
    await recordContainedByHand(deps(), {
      incidentId: id,
      actionId: 'isolate-instance:i-failed',
      by: 'on-call',
      what: 'de security groups in de console vervangen',
      at: '2026-11-28T07:00:00Z',
    });
    const action = ((await store.getIncident(id)) as Incident).actions[0];
    expect(action).toMatchObject({ status: 'done', byHand: { by: 'on-call', what: 'de security groups in de console vervangen' } });
    // The failure stays in the timeline's entry beside what was done by hand.
    expect((await store.getTimeline(id)).at(-1)).toMatchObject({ kind: 'containment-done-by-hand', detail: { afterFailure: 'AccessDenied' } });
    const closed = await closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    expect(closed.state).toBe('closed');
  });
});

/**
 * contain22: an isolation whose task step failed TasksNeverRead (its container instance deregistered before any run
 * read all its tasks, readC21) fails so on every retry, and `datalek contained` recorded the whole isolation as done
 * by hand: the register then said a person isolated the instance, and the failed step stood beside "done". The
 * person's search is now that step's outcome; the isolation stays datalek's (its release restores the interfaces).
 */
describe('a task step that no run can finish (TasksNeverRead), searched by hand', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy, now: () => now });
  const ACTION = 'isolate-instance:i-orphans';
  const neverRead = {
    name: 'task-interfaces',
    status: 'failed' as const,
    at: '2026-11-27T21:05:00.000Z',
    code: 'TasksNeverRead',
    detail: 'NOT CONTAINED, maybe: …',
  };
  const isolation = (more: Partial<Incident['actions'][number]> = {}) =>
    plannedIsolation('i-orphans', {
      status: 'failed',
      reason: 'task-interfaces failed (TasksNeverRead)',
      steps: [{ name: 'isolate-eni:eni-1', status: 'done', at: '2026-11-27T21:01:00.000Z' }, neverRead],
      evidence: { groups: { isolation: 'sg-iso' }, metadata: { instanceId: 'i-orphans', networkInterfaces: [{ id: 'eni-1', groups: ['sg-web'] }] } },
      ...more,
    });
  const record = () =>
    recordContainedByHand(deps(), {
      incidentId: id,
      actionId: ACTION,
      by: 'on-call',
      what: 'branch interfaces of vpc-1 searched: none in their own groups',
      at: '2026-11-28T07:00:00Z',
    });

  afterEach(async () => cleanup());

  it("records the search as the step's outcome, done by hand, and the isolation as datalek's, done", async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id, actions: [isolation()] }), expectedRevision: null, timeline: [], messages: [] });
    await record();
    const action = ((await store.getIncident(id)) as Incident).actions[0];
    expect(action.status).toBe('done');
    expect(action.byHand).toBeUndefined();
    expect(action.steps?.find((s) => s.name === 'task-interfaces')).toMatchObject({
      status: 'done',
      detail: expect.stringContaining(
        "searched by hand for the tasks no run read (2026-11-28T07:00:00.000Z, recorded with datalek contained; the step's last run failed TasksNeverRead): branch interfaces of vpc-1 searched",
      ),
    });
    expect(action.steps?.filter((s) => s.status === 'failed')).toEqual([]);
    expect((await store.getTimeline(id)).at(-1)).toMatchObject({
      kind: 'containment-done-by-hand',
      actor: 'on-call',
      detail: {
        actionId: ACTION,
        step: 'task-interfaces',
        afterFailure: 'TasksNeverRead',
        what: 'branch interfaces of vpc-1 searched: none in their own groups',
      },
    });
    // A release still undoes datalek's isolation: its steps are datalek's.
    expect(releasable([action]).map((a) => a.id)).toEqual([ACTION]);
    // Recorded once: the action is done.
    await expect(record()).rejects.toThrow(/already done: datalek carried it out/);
  });

  it('the command says the search was recorded as the step, not the isolation carried out by hand (readC22)', async () => {
    let dir: string;
    ({ store, cleanup, dir } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id, actions: [isolation()] }), expectedRevision: null, timeline: [], messages: [] });
    const out = await runCli(['contained', id, '--action', ACTION, '--what', 'branch interfaces searched', '--by', 'on-call', '--store', dir, '--now', now]);
    expect(out.code).toBe(0);
    expect(out.stdout).not.toContain('as carried out by hand');
    expect(out.stdout).toContain(
      `Recorded on-call's search by hand for the tasks no run read as the task-interfaces step of ${ACTION}: the isolation is done and stays datalek's (a release restores the interfaces it recorded; an interface you isolated by hand is in no record unless named with --interface).`,
    );
  });

  it("the page's form leaves --interface out: the page reads no AWS for it, so it could only refuse (cont24)", () => {
    const form = WEB_FORMS.find((f) => f.action.name === 'contained') as (typeof WEB_FORMS)[number];
    const names = formFields(form, { policy, incident: incidentFixture({ id, actions: [isolation()] }), now }).map((f) => f.name);
    expect(names).toContain('what');
    expect(names).not.toContain('interface');
  });

  it('--interface is read on AWS before it is recorded: on the embedded store it is refused, exit 2, nothing written (cont24)', async () => {
    let dir: string;
    ({ store, cleanup, dir } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id, actions: [isolation()] }), expectedRevision: null, timeline: [], messages: [] });
    const before = await store.getIncident(id);
    const args = ['contained', id, '--action', ACTION, '--what', 'branch interfaces searched', '--by', 'on-call', '--store', dir, '--now', now];
    const local = await runCli([...args, '--interface', 'eni-0abc=sg-0123']);
    expect([local.code, local.stderr]).toEqual([2, expect.stringContaining('give --target aws')]);
    const bad = await runCli([...args, '--interface', 'eni-0abc']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--interface eni-0abc: give its own groups')]);
    // red26: a second "=" (for "+") lost the groups after it: split('=', 2) drops the rest, and a release put back fewer.
    const twice = await runCli([...args, '--interface', 'eni-0abc=sg-0123=sg-0456']);
    expect([twice.code, twice.stderr]).toEqual([
      2,
      expect.stringContaining('--interface eni-0abc=sg-0123=sg-0456: one "=" between the interface and its groups'),
    ]);
    expect(await store.getIncident(id)).toEqual(before);
  });

  it('another step failed too: the whole action is recorded by hand, as before', async () => {
    ({ store, cleanup } = tempSqliteStore());
    const both = isolation({
      steps: [{ name: 'isolate-eni:eni-1', status: 'failed', at: '2026-11-27T21:01:00.000Z', code: 'UnauthorizedOperation' }, neverRead],
    });
    await store.commit({ incident: incidentFixture({ id, actions: [both] }), expectedRevision: null, timeline: [], messages: [] });
    await record();
    const action = ((await store.getIncident(id)) as Incident).actions[0];
    expect(action).toMatchObject({ status: 'done', byHand: { by: 'on-call' } });
  });
});

describe('a planned step that will not be done', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy, now: () => now });
  const PLANNED = 'isolate-instance:i-planned';

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    // One step the policy only plans, one the contain function is still to carry out.
    const actions = [plannedIsolation('i-planned', { mode: 'plan' }), plannedIsolation('i-enforced')];
    await store.commit({ incident: incidentFixture({ id, actions }), expectedRevision: null, timeline: [], messages: [] });
    await recordFacts(deps(), { incidentId: id, by: 'FG', measuresTaken: 'wachtwoorden van de beheerders vervangen' });
  });
  afterEach(async () => cleanup());

  const decide = (over: Partial<Parameters<typeof recordNotToBeDone>[1]> = {}) =>
    recordNotToBeDone(deps(), {
      incidentId: id,
      actionId: PLANNED,
      by: 'A. de Vries',
      reason: 'de server is al vervangen door een nieuwe; isoleren beschermt niets meer',
      ...over,
    });

  it('is recorded with who decided and why: not planned, not done, in the draft, the notice and the register', async () => {
    const before = (await store.getIncident(id)) as Incident;
    expect(buildDraft(before, policy, now, 'en').warnings.join(' ')).toContain('The record still holds the containment as planned');
    expect(buildNotice(before, policy, now, 'en').warnings.join(' ')).toContain('the record still holds the containment as planned');

    const incident = await decide();
    const action = incident.actions.find((a) => a.id === PLANNED);
    expect(action).toMatchObject({ status: 'skipped', notDone: { by: 'A. de Vries', reason: expect.stringContaining('al vervangen'), recordedAt: now } });
    expect((await store.getTimeline(id)).at(-1)).toMatchObject({ kind: 'containment-not-to-be-done', actor: 'A. de Vries', detail: { actionId: PLANNED } });

    const draft = buildDraft(incident, policy, now, 'en');
    // The step is no longer "planned" beside the FG's measures; the draft says it will not be done, and why.
    expect(draft.warnings.join(' ')).not.toContain('isolate the EC2 instance i-planned');
    const ongoing = JSON.stringify(draft.sections);
    expect(ongoing).toContain('will not be carried out: isolate the EC2 instance i-planned (decided by A. de Vries');
    expect(ongoing).toContain('al vervangen');
    expect(JSON.stringify(buildNotice(incident, policy, now, 'en').warnings)).not.toContain('i-planned');

    const row = registerRow(incident, policy, now);
    expect(row.containment).toContain('isolate-instance i-planned: skipped');
    expect(row.containment).toContain('will not be done, decided by A. de Vries');
    expect(row.containment).not.toContain('a person acts');
  });

  it('is refused for a step the contain function is still to carry out, one not on the incident, without a reason, or twice; nothing recorded', async () => {
    const before = (await store.getIncident(id)) as Incident;
    await expect(decide({ actionId: 'isolate-instance:i-enforced' })).rejects.toThrow(/the contain function carries it out/);
    await expect(decide({ reason: ' ' })).rejects.toThrow(/--reason/);
    await expect(decide({ actionId: 'isolate-instance:i-other' })).rejects.toThrow(
      /has no action isolate-instance:i-other; planned: isolate-instance:i-planned/,
    );
    expect(await store.getIncident(id)).toEqual(before);
    await decide();
    await expect(decide()).rejects.toThrow(/will not be done already/);
    await expect(recordContainedByHand(deps(), { incidentId: id, actionId: PLANNED, by: 'x', what: 'toch gedaan' })).rejects.toThrow(/will not be done/);
  });
});
