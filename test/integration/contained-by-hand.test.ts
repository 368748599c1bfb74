import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordContainedByHand } from '../../handlers/core/by-hand.js';
import { runContainment } from '../../handlers/core/contain.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { jsonLines, runCli } from '../support/cli.js';
import { type CliAwsWorld, cliAwsWorld, MOTO_ACCOUNT } from '../support/cli-aws.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE } from '../support/moto.js';
import { inProcessWebApp } from '../support/web-app.js';

/**
 * Review 7 G15: containment the policy only planned (plan mode, a person's step) is carried out by
 * a person, by hand, and `datalek contained` records that: who, when, what was done. The action is
 * then done (by hand): the draft no longer warns that measures are recorded beside planned
 * containment, and show, the draft and the register say it was done by hand.
 */
describe('datalek contained: a planned action carried out by hand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-by-hand-'));
  const policy = join(dir, 'policy.json');
  const store = join(dir, 'store');
  const cli = (args: string[], now: string) => runCli([...args, '--store', store, '--policy', policy, '--now', now]);
  const ACTION = 'isolate-instance:i-0123456789abcdef0';
  let id: string;

  beforeAll(async () => {
    writeFileSync(policy, JSON.stringify({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } }));
    const events = join(dir, 'events.json');
    writeFileSync(events, JSON.stringify([findingEvent({ id: 'hand-1', type: 'Backdoor:EC2/C&CActivity.B', createdAt: '2026-11-27T21:00:00Z' })]));
    const r = await cli(['replay', events, '--json'], '2026-11-27T21:05:00Z');
    id = jsonLines(r.stdout)[0].incidentId as string;
    const facts = await cli(['facts', id, '--measures-taken', 'instance isolated in the console by on-call', '--by', 'Anna'], '2026-11-27T22:00:00Z');
    expect(facts.code, facts.stderr).toBe(0);
  });

  const timeline = async () => JSON.parse((await cli(['show', id, '--json'], '2026-11-28T10:00:00Z')).stdout).timeline as unknown[];

  it('refuses bad input by name and writes nothing', async () => {
    const before = await timeline();
    const cases: [string[], RegExp][] = [
      [['--action', ACTION, '--at', '2026-11-27T23:00:00Z', '--by', 'Anna'], /--what/],
      [
        ['--action', 'isolate-instance:i-other', '--what', 'x', '--at', '2026-11-27T23:00:00Z', '--by', 'Anna'],
        /no action isolate-instance:i-other.*isolate-instance:i-0123456789abcdef0/,
      ],
      [['--action', ACTION, '--what', 'x', '--at', '2026-11-28T23:00:00Z', '--by', 'Anna'], /--at .* lies after now/],
      [['--action', ACTION, '--what', 'x', '--at', '2026-11-27T20:00:00Z', '--by', 'Anna'], /--at .* lies before the detection/],
      [['--action', ACTION, '--what', 'x', '--at', '2026-11-27 23:00', '--by', 'Anna'], /--at/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['contained', id, ...args], '2026-11-28T09:00:00Z');
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(await timeline()).toEqual(before);
  });

  it('records it: the action is done by hand, and the draft no longer warns of planned containment', async () => {
    const draftBefore = await cli(['draft', id, '--format', 'json', '--lang', 'en'], '2026-11-28T09:00:00Z');
    expect(draftBefore.stdout).toContain('The record still holds the containment as planned');

    const r = await cli(
      [
        'contained',
        id,
        '--action',
        ACTION,
        '--what',
        'moved both interfaces to the quarantine group in the console',
        '--at',
        '2026-11-27T23:00:00Z',
        '--by',
        'Anna',
        '--json',
      ],
      '2026-11-28T09:00:00Z',
    );
    expect(r.code, r.stderr).toBe(0);

    const shown = JSON.parse((await cli(['show', id, '--json'], '2026-11-28T10:00:00Z')).stdout);
    const action = shown.actions.find((a: { type: string }) => a.type === 'isolate-instance');
    expect(action).toMatchObject({
      id: ACTION,
      status: 'done',
      byHand: {
        by: 'Anna',
        at: '2026-11-27T23:00:00.000Z',
        what: 'moved both interfaces to the quarantine group in the console',
        recordedAt: '2026-11-28T09:00:00.000Z',
      },
    });
    const entry = shown.timeline.find((e: { kind: string }) => e.kind === 'containment-done-by-hand');
    expect(entry).toMatchObject({ actor: 'Anna', detail: { action: 'isolate-instance', target: 'i-0123456789abcdef0', at: '2026-11-27T23:00:00.000Z' } });
    const human = (await cli(['show', id], '2026-11-28T10:00:00Z')).stdout;
    expect(human).toMatch(/done\s+isolate-instance i-0123456789abcdef0: carried out by hand by Anna at .*moved both interfaces/);

    const draft = await cli(['draft', id, '--format', 'md', '--lang', 'en'], '2026-11-28T10:00:00Z');
    expect(draft.stdout).not.toContain('The record still holds the containment as planned');
    expect(draft.stdout).toContain('carried out by hand by Anna');
    expect(draft.stdout).not.toMatch(/not contained/);

    const register = JSON.parse((await cli(['register', '--format', 'json'], '2026-11-28T10:00:00Z')).stdout);
    const row = register.find((r: { incidentId: string }) => r.incidentId === id);
    expect(row.containment).toContain('isolate-instance i-0123456789abcdef0: done 2026-11-27T23:00:00.000Z (by hand by Anna: moved both interfaces');
    expect(row.measuresTaken).toContain('carried out by hand by Anna');
    const csv = (await cli(['register', '--format', 'csv'], '2026-11-28T10:00:00Z')).stdout;
    expect(csv).toContain('(by hand by Anna: moved both interfaces');

    expect((await cli(['verify', id], '2026-11-28T10:00:00Z')).code).toBe(0);

    // The page's containment table says who did it by hand, not why it was only planned.
    const opened = new SqliteIncidentStore(store);
    try {
      const web = inProcessWebApp({ store: opened, policy: DEFAULT_POLICY, now: () => '2026-11-28T10:00:00Z' });
      const page = await (await web.get(`/incidents/${id}`, 'en')).text();
      expect(page).toContain('<span class="done">done</span><span>: carried out by hand by Anna at 2026-11-28 00:00 CET: moved both interfaces');
    } finally {
      await opened.close();
    }
  });

  it('release undoes nothing datalek did not do: it says the action was carried out by hand, and leaves it done', async () => {
    const r = await cli(['release', id, '--by', 'Bert', '--reason', 'resolved'], '2026-11-28T10:00:00Z');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${ACTION} was carried out by hand, not by datalek, which has nothing to undo it by: undo it by hand`);
    const shown = JSON.parse((await cli(['show', id, '--json'], '2026-11-28T10:00:00Z')).stdout);
    expect(shown.actions[0]).toMatchObject({ status: 'done', byHand: { by: 'Anna' } });
    expect(shown.actions[0].released).toBeUndefined();
  });

  it('is proved by the ledger: an edit of who carried it out is found', async () => {
    const copy = join(dir, 'tampered');
    expect((await runCli(['drill', '--from', store, '--store', copy])).code).toBe(0);
    const db = new Database(join(copy, 'datalek.sqlite'));
    const row = db.prepare('SELECT data FROM incidents WHERE id = ?').get(id) as { data: string };
    const record = JSON.parse(row.data);
    record.actions[0].byHand.by = 'Someone else';
    db.prepare('UPDATE incidents SET data = ? WHERE id = ?').run(JSON.stringify(record), id);
    db.close();
    const r = await runCli(['verify', id, '--store', copy]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(id);
  });

  it('refuses to record it twice, naming who did it', async () => {
    const r = await cli(['contained', id, '--action', ACTION, '--what', 'again', '--at', '2026-11-28T08:00:00Z', '--by', 'Bert'], '2026-11-28T10:00:00Z');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already done: carried out by hand by Anna/);
  });

  it('refuses to record a step done by hand as one that will not be done (datalek not-done), naming who did it', async () => {
    const r = await cli(['not-done', id, '--action', ACTION, '--reason', 'toch niet', '--by', 'Bert'], '2026-11-28T10:00:00Z');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already done: carried out by hand by Anna/);
  });
});

describe.skipIf(!MOTO_AVAILABLE)('datalek contained --target aws, on moto', () => {
  let world: CliAwsWorld;
  const dir = mkdtempSync(join(tmpdir(), 'datalek-by-hand-aws-'));
  const ACTION = 'isolate-instance:i-0123456789abcdef0';

  beforeAll(async () => {
    world = await cliAwsWorld();
  });
  afterAll(async () => world?.moto.stop());

  it('records it in DynamoDB; contain --enforce does not carry it out again, release leaves it, verify proves it', async () => {
    const events = join(dir, 'events.json');
    const at = new Date(Date.now() - 3600_000).toISOString();
    writeFileSync(events, JSON.stringify([findingEvent({ id: 'hand-aws', accountId: MOTO_ACCOUNT, type: 'Backdoor:EC2/C&CActivity.B', createdAt: at })]));
    const replay = await world.cli(['replay', events, '--json']);
    expect(replay.code, replay.stderr).toBe(0);
    const line = jsonLines(replay.stdout)[0];
    expect(line.actions).toEqual([{ type: 'isolate-instance', status: 'planned' }]);
    const id = line.incidentId as string;

    const r = await world.cli(['contained', id, '--action', ACTION, '--what', 'isolated in the console', '--by', 'Anna', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const shown = JSON.parse((await world.cli(['show', id, '--json'])).stdout);
    expect(shown.actions[0]).toMatchObject({ id: ACTION, status: 'done', byHand: { by: 'Anna', what: 'isolated in the console' } });

    // Nothing automatic takes it up again: a done action is not carried out (the instance does not even exist here).
    const again = await world.cli(['contain', id, '--by', 'Bert', '--reason', 'try', '--enforce']);
    expect(again.code, again.stdout + again.stderr).toBe(2);
    const release = await world.cli(['release', id, '--by', 'Bert', '--reason', 'resolved']);
    expect(release.code).toBe(2);
    expect(release.stderr).toContain('carried out by hand, not by datalek');
    const after = JSON.parse((await world.cli(['show', id, '--json'])).stdout);
    expect(after.actions[0]).toMatchObject({ status: 'done', byHand: { by: 'Anna' } });
    expect(after.timeline.filter((e: { kind: string }) => e.kind.startsWith('containment-step'))).toEqual([]);

    const verify = await world.cli(['verify', id]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});

/**
 * review8 read8a A2: an action the policy enforces, planned until the contain function takes it up
 * (its invocation queued, throttled, retried, or a run that stopped for time: no lease held), was
 * accepted by `datalek contained`; once done by hand no run touches it, so the instance stayed on
 * the network while the record said it was isolated by hand. It is refused, nothing written, and
 * the run that follows still isolates it.
 */
it('refuses to record by hand an enforced action the contain function is still to carry out, which it then carries out', async () => {
  const policy = parsePolicy({ containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] } });
  const store = new SqliteIncidentStore(join(mkdtempSync(join(tmpdir(), 'datalek-by-hand-enforced-')), 'store'));
  const now = () => '2026-11-28T03:00:00.000Z';
  const event = findingEvent({ id: 'enforced-1', type: 'Backdoor:EC2/C&CActivity.B', severity: 8, instanceId: 'i-0enforced000001', createdAt: now() });
  const id = (await recordEvent({ store, policy, now, canEnforce: true }, event)).incidentId as string;
  const planned = (await store.getIncident(id))?.actions.find((a) => a.type === 'isolate-instance');
  expect(planned).toMatchObject({ status: 'planned', mode: 'enforce' });
  const before = await store.getIncident(id);

  const byHand = recordContainedByHand(
    { store, policy, now: () => '2026-11-28T03:01:00.000Z' },
    { incidentId: id, actionId: planned?.id as string, by: 'on-call', what: 'done', at: '2026-11-28T03:01:00.000Z' },
  );
  await expect(byHand).rejects.toThrow(/as the policy enforces it: the contain function carries it out.*datalek contain /);
  // Nor is it offered as planned for a person when the action named is not there.
  const misnamed = recordContainedByHand(
    { store, policy, now: () => '2026-11-28T03:01:00.000Z' },
    { incidentId: id, actionId: 'isolate-instance:i-0other', by: 'on-call', what: 'done' },
  );
  await expect(misnamed).rejects.toThrow(/has no action isolate-instance:i-0other; it holds no planned action/);
  expect((await store.getIncident(id))?.revision).toBe(before?.revision);

  const carried: string[] = [];
  const adapter: Containment = {
    canEnforce: true,
    async execute(action, ctx) {
      carried.push(action.target);
      await ctx.record({ name: action.type, status: 'done', at: '2026-11-28T03:02:00.000Z' });
    },
    async release() {},
  };
  await runContainment({ store, policy, now: () => '2026-11-28T03:02:00.000Z', containment: adapter }, id);
  expect(carried).toEqual(['i-0enforced000001']);
});
