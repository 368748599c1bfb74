import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS } from '../support/chromium.js';
import { enteredAtNow, jsonLines, runCli, spawnCli } from '../support/cli.js';
import { FG_SESSION, sessionEnv } from '../support/cli-aws.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const chromiumFound = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).status === 0;
if (!chromiumFound && process.env.CI === 'true') throw new Error('chromium is not on PATH, and CI=true: the report test must run (apt-get install chromium)');

/** A policy with the organisation filled in, so the only missing facts are the incident's own. */
function policyFile(dir: string, extra: Record<string, unknown> = {}): string {
  const file = join(dir, 'policy.json');
  writeFileSync(file, JSON.stringify({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, ...extra }));
  return file;
}

describe("the FG's workflow on the embedded store", () => {
  let dir: string;
  let common: string[];
  let id: string;
  // Each command entered at the time it states (support/cli.ts enteredAtNow).
  const cli = (args: string[], now: string) => enteredAtNow([...args, ...common, '--now', now]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-fg-'));
    common = ['--store', join(dir, 'store'), '--policy', policyFile(dir)];
    const events = join(dir, 'events.json');
    writeFileSync(
      events,
      JSON.stringify([
        findingEvent({ id: 'fg-1', createdAt: '2026-11-27T21:00:00Z' }),
        findingEvent({ id: 'fg-2', instanceId: 'i-other', createdAt: '2026-11-27T22:00:00Z' }),
      ]),
    );
    // Recorded on a real store at a past time; the FG's days that follow run on a drill copy of
    // it, where any --now goes (a real store refuses a --now ahead of the system clock).
    const real = join(dir, 'real');
    // Replayed once both findings exist: a finding is never detected after it reached us.
    const { stdout } = await runCli(['replay', events, '--json', '--store', real, '--policy', common[3], '--now', '2026-11-27T22:05:00Z']);
    id = jsonLines(stdout)[0].incidentId as string;
    expect((await runCli(['drill', '--from', real, '--store', join(dir, 'store')])).code).toBe(0);
  });

  it('records the assessment; a later awareness moves the deadline, not the detection', async () => {
    const r = await cli(
      [
        'assess',
        id,
        '--personal-data',
        'yes',
        '--risk',
        'high',
        '--reason',
        'patient portal with BSN',
        '--aware-at',
        '2026-11-28T09:00:00+01:00',
        '--aware-reason',
        'the portal logs were read at 09:00',
        '--by',
        'A. de Vries',
        '--json',
      ],
      '2026-11-28T09:30:00Z',
    );
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status).toMatchObject({
      state: 'assessed',
      detectedAt: '2026-11-27T21:00:00.000Z',
      awareAt: '2026-11-28T08:00:00.000Z',
      deadline: '2026-12-01T08:00:00.000Z',
    });
    expect(status.assessment).toMatchObject({ personalData: 'yes', risk: 'high', notifiable: true, by: 'A. de Vries' });
    const show = JSON.parse((await cli(['show', id, '--json'], '2026-11-28T09:30:00Z')).stdout);
    expect(show.timeline.find((e: { kind: string }) => e.kind === 'awareness-set')).toMatchObject({
      actor: 'A. de Vries',
      detail: { from: '2026-11-27T21:00:00.000Z', to: '2026-11-28T08:00:00.000Z', reason: 'the portal logs were read at 09:00' },
    });
  });

  it('lists the missing facts first, and the list empties as they are recorded', async () => {
    const before = JSON.parse((await cli(['draft', id, '--format', 'json', '--lang', 'en'], '2026-11-28T10:00:00Z')).stdout);
    expect(before.missing.length).toBeGreaterThanOrEqual(7);
    expect(before.sections.map((s: { number: number }) => s.number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await cli(
      ['facts', id, '--nature', 'confidentiality', '--categories', 'name,address,BSN', '--special', 'health,BSN', '--subject-groups', 'patients', '--by', 'FG'],
      '2026-11-28T10:00:00Z',
    );
    const middle = JSON.parse((await cli(['draft', id, '--format', 'json', '--lang', 'en'], '2026-11-28T10:00:00Z')).stdout);
    expect(middle.missing.length).toBeLessThan(before.missing.length);
    await cli(
      [
        'facts',
        id,
        '--subjects',
        '120-2500',
        '--records',
        '2500',
        '--consequences',
        'identity fraud',
        '--for',
        'confidentiality',
        '--harm',
        'material,immaterial',
        '--harm-severity',
        'high',
        '--measures',
        'reset passwords',
        '--unintelligible',
        'no',
        '--cross-border',
        'no',
        '--summary',
        'An attacker read patient records through the portal.',
        '--cause',
        'A stolen administrator password.',
        '--type',
        'hacking-malware-phishing',
        '--by',
        'FG',
      ],
      '2026-11-28T10:05:00Z',
    );
    await cli(
      [
        'subjects',
        id,
        '--decision',
        'inform',
        '--text',
        'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
        '--date',
        '2026-11-28T10:00:00Z',
        '--channel',
        'letter',
        '--reason',
        'high risk of identity fraud',
        '--by',
        'FG',
      ],
      '2026-11-28T10:10:00Z',
    );
    const after = JSON.parse((await cli(['draft', id, '--format', 'json', '--lang', 'en'], '2026-11-28T10:10:00Z')).stdout);
    expect(after.missing).toEqual([]);
    const md = (await cli(['draft', id], '2026-11-28T10:10:00Z')).stdout;
    expect(md).toContain('# OEFENING / DRILL: Concept-melding datalek aan de Autoriteit Persoonsgegevens');
    expect(md).toContain('**Soorten persoonsgegevens:** name, address, BSN');
    expect(md).toContain('**Aantal betrokkenen (min–max):** 120–2500');
  });

  it('refuses a late report without the reasons for the delay, and keeps the report versioned', async () => {
    const late = await cli(['reported', id, '--reference', 'M-2026-0042', '--at', '2026-12-01T10:00:00Z', '--by', 'FG'], '2026-12-01T11:00:00Z');
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(
      /after the AP deadline \(2026-12-01 09:00 CET \(2026-12-01T08:00:00.000Z\)\): Art. 33\(1\) requires the reasons for the delay \(--delay-reason\)$/,
    );
    expect(JSON.parse((await cli(['show', id, '--json'], '2026-12-01T11:00:00Z')).stdout).reports).toEqual([]);
    // Dated before the deadline, entered after it had passed: the FG confirms the time stated, and the record marks it.
    const inTime = ['reported', id, '--reference', 'M-2026-0042', '--at', '2026-12-01T07:30:00Z', '--by', 'FG', '--json'];
    expect((await cli(inTime, '2026-12-01T11:00:00Z')).stderr).toMatch(/--confirm-stated-time/);
    const ok = await cli([...inTime, '--confirm-stated-time'], '2026-12-01T11:00:00Z');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      state: 'reported',
      reports: [{ version: 1, to: 'ap', kind: 'initial', reference: 'M-2026-0042', enteredLater: true, enteredAfterDeadline: '2026-12-01T08:00:00.000Z' }],
    });
    const follow = await cli(['reported', id, '--reference', 'M-2026-0042', '--kind', 'follow-up', '--by', 'FG', '--json'], '2026-12-02T09:00:00Z');
    expect(JSON.parse(follow.stdout).reports.map((r: { version: number; kind: string }) => `${r.version}:${r.kind}`)).toEqual(['1:initial', '2:follow-up']);
  });

  it('stops the deadline reminders at the initial report, and reminds of the follow-up until the AP has the complete facts', async () => {
    // The FG's reminders: on-call's pages go on apart, nobody having acknowledged (review12 K6).
    const sweep = async (now: string) =>
      JSON.parse((await cli(['sweep', '--json'], now)).stdout).filter((s: { incidentId: string; kind: string }) => s.incidentId === id && s.kind !== 'page');
    const kinds = (await sweep('2026-12-03T08:00:00Z')).map((s: { kind: string }) => s.kind);
    expect(kinds).not.toContain('ap-reminder');
    expect(kinds).not.toContain('ap-overdue');
    expect(kinds).toContain('follow-up-reminder');
    await cli(['facts', id, '--complete', '--by', 'FG'], '2026-12-03T09:00:00Z');
    // Complete here is not complete at the AP (Art. 33(4)): reminded until the follow-up carries them.
    expect((await sweep('2026-12-04T09:00:00Z')).map((s: { kind: string }) => s.kind)).toContain('follow-up-reminder');
    expect((await cli(['reported', id, '--reference', 'M-2026-0042', '--kind', 'follow-up', '--by', 'FG'], '2026-12-04T10:00:00Z')).code).toBe(0);
    expect(await sweep('2026-12-05T09:00:00Z')).toEqual([]);
  });

  it('closes only what is decided, and keeps a not-notifiable incident in the register with its reasoning', async () => {
    const other = JSON.parse((await cli(['status', '--json'], '2026-12-05T10:00:00Z')).stdout).find(
      (s: { incidentId: string }) => s.incidentId !== id,
    ).incidentId;
    const refused = await cli(['close', other, '--reason', 'nothing', '--by', 'FG'], '2026-12-05T10:00:00Z');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot be closed yet: no assessment/);
    // Days after its AP deadline: "not notifiable" then needs the FG's confirmation, and is marked (review2 F4).
    const notNotifiable = ['assess', other, '--personal-data', 'no', '--risk', 'none', '--reason', 'build server, no personal data', '--by', 'FG'];
    expect((await cli(notNotifiable, '2026-12-05T10:00:00Z')).stderr).toMatch(/after the AP deadline .* had passed.*--confirm-stated-time/);
    expect((await cli([...notNotifiable, '--confirm-stated-time'], '2026-12-05T10:00:00Z')).code).toBe(0);
    expect((await cli(['close', other, '--reason', 'not a data breach', '--by', 'FG'], '2026-12-05T10:01:00Z')).code).toBe(0);
    expect((await cli(['close', id, '--reason', 'reported and informed', '--by', 'FG'], '2026-12-05T10:02:00Z')).code).toBe(0);

    const rows = JSON.parse((await cli(['register', '--format', 'json'], '2026-12-05T11:00:00Z')).stdout);
    expect(rows).toHaveLength(2);
    const notified = rows.find((r: { incidentId: string }) => r.incidentId === id);
    expect(notified).toMatchObject({
      state: 'closed',
      notifiable: true,
      // Met by the time stated, which was entered after the deadline had passed: marked so.
      apClock: 'met (entered after the AP deadline had passed)',
      apClockStatus: 'met',
      enteredAfterDeadline: true,
      // The second follow-up carried the facts marked complete (Art. 33(4)).
      references:
        'ap:initial:M-2026-0042@2026-12-01T07:30:00.000Z; ap:follow-up:M-2026-0042@2026-12-02T09:00:00.000Z; ap:follow-up:M-2026-0042@2026-12-04T10:00:00.000Z',
    });
    const notNotified = rows.find((r: { incidentId: string }) => r.incidentId === other);
    expect(notNotified).toMatchObject({
      notifiable: false,
      decisionReason: 'build server, no personal data',
      apClock: 'not-needed (not notifiable (FG decision); entered after the AP deadline had passed)',
      enteredAfterDeadline: true,
      closeReason: 'not a data breach',
    });
    const csv = (await cli(['register', '--format', 'csv'], '2026-12-05T11:00:00Z')).stdout;
    expect(csv.split('\n')[0]).toContain('"decisionReason"'.replace(/"/g, ''));
    expect(csv).toContain('"build server, no personal data"');
    const windowed = JSON.parse((await cli(['register', '--format', 'json', '--from', '2026-11-27T21:30:00Z'], '2026-12-05T11:00:00Z')).stdout);
    expect(windowed.map((r: { incidentId: string }) => r.incidentId)).toEqual([other]);
  });

  it.skipIf(!chromiumFound)('writes a self-contained HTML report that renders in headless Chromium', async () => {
    const file = join(dir, 'report.html');
    expect((await cli(['report', id, '--html', file, '--lang', 'en'], '2026-12-05T12:00:00Z')).code).toBe(0);
    const profile = mkdtempSync(join(tmpdir(), 'datalek-chromium-'));
    const rendered = spawnSync('chromium', [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--dump-dom', `file://${file}`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const text = rendered.stdout.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain(`Incident report ${id}`);
    for (const label of ['Detection: ', 'Aware: ', 'AP deadline: ', 'Report to AP (initial notification) M-2026-0042']) expect(text).toContain(label);
    expect(rendered.stdout).toContain('<svg');
    expect(text).toContain('name, address, BSN');
    expect(text).toContain('identity fraud');
    expect(text).toContain('120–2500');
  });
});

describe.skipIf(!MOTO_AVAILABLE)("the FG's workflow with --target aws, on moto", () => {
  let moto: Moto;
  let dir: string;
  const cli = (args: string[], now: string) => spawnCli([...args, '--target', 'aws', '--policy', join(dir, 'policy.json'), '--now', now], moto.env);
  // The second test's steps that the first already runs through the command line, in this process
  // (no node process and AWS SDK loaded per step); its refused report stays on the command line.
  // Each entered at the time it states (support/cli.ts enteredAtNow).
  const run = (args: string[], now: string) => enteredAtNow([...args, '--target', 'aws', '--policy', join(dir, 'policy.json'), '--now', now], process.env);

  beforeAll(async () => {
    moto = await startMoto();
    // For the steps run in this process: the SDK finds moto's endpoint and keys here.
    Object.assign(process.env, moto.env);
    dir = mkdtempSync(join(tmpdir(), 'datalek-fg-aws-'));
    policyFile(dir);
    expect((await runCli(['setup', '--target', 'aws'], process.env)).code).toBe(0); // on the command line in cli-aws.test.ts
    // As a session of the FG's role, which alone records the FG's decisions on AWS (handlers/cli/fg-role.ts).
    const fg = await sessionEnv(moto, FG_SESSION.role, FG_SESSION.session);
    Object.assign(process.env, fg);
    Object.assign(moto.env, fg);
  });
  afterAll(async () => moto?.stop());

  it('takes an incident from opened through assess, draft and reported to closed', async () => {
    const events = join(dir, 'e.json');
    writeFileSync(events, JSON.stringify(findingEvent({ id: 'fg-aws-1', createdAt: '2026-11-27T21:00:00Z' })));
    const id = jsonLines((await cli(['replay', events, '--json'], '2026-11-27T21:05:00Z')).stdout)[0].incidentId as string;
    expect(
      (await cli(['assess', id, '--personal-data', 'unknown', '--risk', 'risk', '--reason', 'under investigation', '--by', 'FG'], '2026-11-28T09:00:00Z')).code,
    ).toBe(0);
    const facts = [
      '--nature',
      'confidentiality',
      '--categories',
      'name',
      '--subjects',
      '1-10',
      '--records',
      '10',
      '--consequences',
      'phishing',
      '--measures-taken',
      'passwords reset',
      '--by',
      'FG',
    ];
    expect((await cli(['facts', id, ...facts], '2026-11-28T09:30:00Z')).code).toBe(0);
    const draft = JSON.parse((await cli(['draft', id, '--format', 'json'], '2026-11-28T09:00:00Z')).stdout);
    expect(draft.missing.length).toBeGreaterThan(0);
    // In this process, entered at the time it states: a process of its own enters it by the machine's clock, after the deadline (atk28 F16).
    expect((await run(['reported', id, '--reference', 'M-AWS-1', '--by', 'FG'], '2026-11-28T10:00:00Z')).code).toBe(0);
    expect(
      (await cli(['close', id, '--reason', 'reported', '--follow-up-reason', 'de aanvulling ging per brief naar de AP', '--by', 'FG'], '2026-11-28T11:00:00Z'))
        .code,
    ).toBe(0);
    const rows = JSON.parse((await cli(['register', '--format', 'json'], '2026-11-28T12:00:00Z')).stdout);
    expect(rows.find((r: { incidentId: string }) => r.incidentId === id)).toMatchObject({
      state: 'closed',
      apClock: 'met',
      references: 'ap:initial:M-AWS-1@2026-11-28T10:00:00.000Z',
    });
    expect((await cli(['verify', id], '2026-11-28T12:00:00Z')).code).toBe(0);
  });

  it('asks, on DynamoDB as on the embedded store, to confirm a report entered after the deadline, and to give the reasons for a report a move made late', async () => {
    const events = join(dir, 'e2.json');
    writeFileSync(events, JSON.stringify(findingEvent({ id: 'fg-aws-2', instanceId: 'i-fgaws2', createdAt: '2026-11-20T21:00:00Z' })));
    const id = jsonLines((await run(['replay', events, '--json'], '2026-11-20T21:05:00Z')).stdout)[0].incidentId as string;
    const assessed = ['assess', id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantgegevens', '--by', 'FG'];
    expect((await run([...assessed, '--aware-at', '2026-11-21T06:00:00Z', '--aware-reason', 'logs gelezen'], '2026-11-21T09:00:00Z')).code).toBe(0);
    // Deadline 2026-11-24T06:00Z; the report is dated half an hour before it and entered after it.
    const report = ['reported', id, '--reference', 'M-AWS-2', '--at', '2026-11-24T05:30:00Z', '--by', 'FG'];
    const refused = await cli(report, '2026-11-24T10:00:00Z');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--confirm-stated-time/);
    expect((await run([...report, '--confirm-stated-time'], '2026-11-24T10:00:00Z')).code).toBe(0);
    // Awareness moved back to the evening of the detection: the report is late by it.
    const moveEarlier = ['assess', id, '--aware-at', '2026-11-20T22:00:00Z', '--aware-reason', 'toch eerder', '--reason', 'correctie', '--by', 'FG'];
    expect((await run(moveEarlier, '2026-11-24T11:00:00Z')).stderr).toMatch(/late.*--delay-reason/);
    expect((await run([...moveEarlier, '--delay-reason', 'omvang pas later bekend'], '2026-11-24T11:00:00Z')).code).toBe(0);
    const rows = JSON.parse((await run(['register', '--format', 'json'], '2026-11-24T12:00:00Z')).stdout);
    expect(rows.find((r: { incidentId: string }) => r.incidentId === id)).toMatchObject({
      apInitialStatus: 'late',
      apReportEnteredLater: true,
      enteredAfterDeadline: true,
      delayReason: 'omvang pas later bekend',
    });
    expect((await run(['verify', id], '2026-11-24T12:00:00Z')).code).toBe(0);
  });
});
