/**
 * red28: whoever writes the embedded store moves an incident's AP clock (or closes or acknowledges it,
 * which ends its pages) without rewriting any history
 * a digest anchored. The record gets a later awareness and deadline (or is made a sample, which runs
 * no clock), and ONE ledger entry is appended that declares the new record, chained on the head the
 * last digest anchored; the timeline is left as it was. Nothing anchored changed, so `verify
 * --digests` had nothing to hold against it, and the next `anchor` signed the moved deadline: an
 * overdue notification read as on time in status, show, the register and the AP draft, with no
 * awareness decision, no reason and no person in the timeline.
 *
 * The timeline says where the clock stands: every change of the awareness writes an entry that
 * gives it (incident-opened, incident-opened-by-hand, detection-moved-earlier, awareness-set, and the
 * facts entry that lets it follow the detection), and the deadline is that moment plus the record's
 * hours. A record that says otherwise was changed behind the pipeline. So with the rest the timeline
 * gives: the state, the FG's decisions, every field of each report, the facts and each containment
 * action's status; and the due time, which the sweep finds the incident by, with what falls due on
 * the record under the policy.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyFacts } from '../../handlers/core/incident.js';
import { enteredAtNow } from '../support/cli.js';
import { findingEvent, instanceResource, instanceSequenceEvent } from '../support/events.js';
import { appendRecordSqlite, digestKeys } from '../support/tamper.js';

const NOW = '2026-11-28T03:00:00.000Z';
const DETECTED = '2026-11-27T21:00:00.000Z';

let dir: string;
let store: string;
let keys: ReturnType<typeof digestKeys>;
let digests: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'datalek-red28-'));
  store = join(dir, 'store');
  digests = join(dir, 'digests');
  keys = digestKeys(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** One incident, recorded and anchored. */
async function anchoredIncident(): Promise<string> {
  const events = join(dir, 'event.json');
  writeFileSync(events, JSON.stringify(findingEvent({ id: 'red28aaaaaaaaaaaaaaaaaaaaaaaaaaa', createdAt: DETECTED })));
  const replay = await enteredAtNow(['replay', events, '--store', store, '--now', NOW, '--json']);
  expect(replay.code, replay.stderr).toBe(0);
  const id = JSON.parse(replay.stdout.split('\n')[0]).incidentId as string;
  const anchor = await enteredAtNow(['anchor', '--store', store, '--digests', digests, '--key', keys.private, '--now', NOW]);
  expect(anchor.code, anchor.stderr).toBe(0);
  return id;
}

/**
 * The attack: the record edited and one ledger entry appended declaring it, chained on the ledger's
 * head, the columns set to match; nothing before it rewritten, the timeline untouched.
 */
const appendRecord = (id: string, edit: (record: Record<string, unknown>) => void) => appendRecordSqlite(store, id, NOW, edit);

const verify = () => enteredAtNow(['verify', '--store', store, '--digests', digests, '--key', keys.public, '--now', NOW]);

/** People's commands on the incident, in order, each of which must succeed. */
async function recorded(steps: string[][], as: string[]): Promise<void> {
  for (const step of steps) {
    const run = await enteredAtNow([...step, ...as]);
    expect(run.code, run.stderr).toBe(0);
  }
}

/** verify finds nothing. */
async function verifies(): Promise<void> {
  const verified = await verify();
  expect(verified.stderr).toBe('');
  expect(verified.code).toBe(0);
}

/** An initial report to the AP by the FG, after an assessment of a risk. */
const reportedToAp = (id: string) => [
  ['assess', id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'customer records'],
  ['reported', id, '--reference', 'AP-2026-0001'],
];

describe('an AP clock moved behind the pipeline with one ledger entry appended', () => {
  it('a later awareness and deadline, no entry saying so: verify --digests names the record, and anchor does not sign it', async () => {
    const id = await anchoredIncident();
    appendRecord(id, (record) => {
      record.awareAt = '2026-11-30T21:00:00.000Z';
      record.deadline = '2026-12-03T21:00:00.000Z';
    });

    const verified = await verify();
    expect(verified.code).toBe(1);
    expect(verified.stderr).toContain(`incident ${id}, record:`);
    expect(verified.stderr).toContain('2026-11-30T21:00:00.000Z');
    expect(verified.stderr).toContain(`its timeline gives ${DETECTED}`);

    const anchor = await enteredAtNow(['anchor', '--store', store, '--digests', digests, '--key', keys.private, '--now', NOW, '--json']);
    expect(anchor.code).toBe(1);
    expect(JSON.parse(anchor.stdout).leftOut).toEqual([id]);
  });

  it.each([
    [
      'the deadline alone moved',
      (r: Record<string, unknown>) => Object.assign(r, { deadline: '2026-12-03T21:00:00.000Z' }),
      'its AP deadline 2026-12-03T21:00:00.000Z is not its awareness',
    ],
    [
      'made a sample (no clock runs)',
      (r: Record<string, unknown>) => Object.assign(r, { sample: true, awareAt: null, deadline: null, deadlineHours: null }),
      'its awareness (none) is not the one its timeline gives',
    ],
    [
      'closed (its reminders and pages end)',
      (r: Record<string, unknown>) => Object.assign(r, { state: 'closed', closedAt: NOW, nextDueAt: null }),
      'it is closed, but its timeline records no closing',
    ],
    [
      'acknowledged (its escalation ends)',
      (r: Record<string, unknown>) => Object.assign(r, { state: 'acknowledged', acknowledgedBy: 'on-call', acknowledgedAt: NOW }),
      'it is acknowledged, but its timeline records no acknowledgement',
    ],
    [
      'a report to the AP made up (the register reads "met")',
      (r: Record<string, unknown>) =>
        Object.assign(r, {
          state: 'reported',
          reports: [
            { version: 1, to: 'ap', kind: 'initial', reference: 'AP-2026-0001', at: NOW, by: 'fg', recordedAt: NOW, enteredLater: false, factsComplete: false },
          ],
        }),
      'its report 1 (ap initial AP-2026-0001 at 2026-11-28T03:00:00.000Z) is not one its timeline records',
    ],
    [
      'assessed not notifiable (the AP reminders stop)',
      (r: Record<string, unknown>) =>
        Object.assign(r, { state: 'assessed', assessment: { personalData: 'no', risk: 'none', reason: 'test', by: 'fg', at: NOW, notifiable: false } }),
      'its assessment (personalData no, risk none, notifiable false) is not the one its timeline gives (none)',
    ],
    [
      'the data subjects "not required" to be informed (Art. 34: closing no longer asks for it)',
      (r: Record<string, unknown>) =>
        Object.assign(r, {
          subjects: { decision: 'not-required', date: null, channel: null, exception: null, reason: 'x', by: 'fg', at: NOW, enteredLater: false },
        }),
      'its decision on informing the subjects (not-required no exception no date) is not the one its timeline gives (none)',
    ],
    [
      'made "reported" with no report (status and the register read it reported)',
      (r: Record<string, unknown>) => Object.assign(r, { state: 'reported' }),
      'it is reported, but its timeline records no initial report to the AP in force',
    ],
    [
      "facts made up (the AP draft and the register read them as the FG's)",
      (r: Record<string, unknown>) =>
        Object.assign(r, {
          facts: { ...emptyFacts(), records: 3, complete: true, updatedAt: NOW, updatedBy: 'fg' },
        }),
      'its facts (records, complete, updatedAt, updatedBy) are made up: its timeline gives none',
    ],
    [
      'a containment action made "done" (the register and the AP draft read the instance isolated)',
      (r: Record<string, unknown>) => {
        (r.actions as Record<string, unknown>[])[0].status = 'done';
      },
      'its containment action 1 (isolate-instance) reads done, but its timeline gives planned',
    ],
    [
      'the begin of the breach moved later (the AP draft, the register and the notice read it; vpol item 2)',
      (r: Record<string, unknown>) => Object.assign(r, { firstActivityAt: '2026-11-27T22:30:00.000Z' }),
      'its first activity 2026-11-27T22:30:00.000Z is not the one its timeline gives',
    ],
    [
      'the begin of the breach taken off (the AP draft reads the detection instead)',
      (r: Record<string, unknown>) => Object.assign(r, { firstActivityAt: null }),
      'its first activity (none) is not the one its timeline gives',
    ],
    [
      'its AP reminders marked sent weeks ahead, its due time left (the sweep finds nothing due and sends no reminder until then; vpol item 3)',
      (r: Record<string, unknown>) => Object.assign(r, { reminders: { ...(r.reminders as object), lastDueAt: '2026-12-30T21:00:00.000Z' } }),
      'its last AP reminder is marked due at 2026-12-30T21:00:00.000Z, later than the last its timeline records queued (none)',
    ],
    [
      'its pages marked sent weeks ahead (nobody is paged until then)',
      (r: Record<string, unknown>) => Object.assign(r, { paging: { ...(r.paging as object), lastDueAt: '2026-12-30T21:00:00.000Z' } }),
      'its last page is marked due at 2026-12-30T21:00:00.000Z, later than the last its timeline records queued or held (none)',
    ],
    [
      "its escalation's start taken off (no page follows the opening one)",
      (r: Record<string, unknown>) => Object.assign(r, { paging: { ...(r.paging as object), firstPageAt: null } }),
      "its escalation's start (none) is not the time its timeline records on-call was first paged",
    ],
    [
      "its escalation's start moved weeks ahead (the next pages with it)",
      (r: Record<string, unknown>) => Object.assign(r, { paging: { ...(r.paging as object), firstPageAt: '2026-12-30T21:00:00.000Z' } }),
      "its escalation's start (2026-12-30T21:00:00.000Z) is not the time its timeline records on-call was first paged",
    ],
    [
      'its due time taken off (the sweep, which reads the due index, never reminds or pages it)',
      (r: Record<string, unknown>) => Object.assign(r, { nextDueAt: null }),
      'its due time (none) is later than what falls due on its record under the policy it was set under (',
    ],
    [
      'its due time deleted from the record, the column NULL (finalA #2: a missing key read as a time that never falls due)',
      (r: Record<string, unknown>) => {
        delete r.nextDueAt;
      },
      'its due time (none) is later than what falls due on its record under the policy it was set under (',
    ],
    [
      'its due time made no date (finalA #2)',
      (r: Record<string, unknown>) => Object.assign(r, { nextDueAt: 'never' }),
      'its due time (never) is later than what falls due on its record under the policy it was set under (',
    ],
  ])('%s, no entry saying so: named', async (_what, edit, problem) => {
    const id = await anchoredIncident();
    appendRecord(id, edit);
    const verified = await verify();
    expect(verified.code).toBe(1);
    expect(verified.stderr).toContain(`incident ${id}, record: ${problem}`);
  });

  it('acknowledged and closed by people, with their entries: verifies', async () => {
    const id = await anchoredIncident();
    const as = ['--store', store, '--now', NOW];
    const ack = await enteredAtNow(['ack', id, '--by', 'on-call', ...as]);
    expect(ack.code, ack.stderr).toBe(0);
    const assess = await enteredAtNow(['assess', id, '--personal-data', 'no', '--risk', 'none', '--reason', 'test instance, no data', '--by', 'fg', ...as]);
    expect(assess.code, assess.stderr).toBe(0);
    const close = await enteredAtNow(['close', id, '--reason', 'no personal data', '--by', 'fg', ...as]);
    expect(close.code, close.stderr).toBe(0);
    const verified = await verify();
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });

  it('assessed and reported to the AP by people (a follow-up, an Art. 34 decision a high risk sets aside, a withdrawal), with their entries: verifies', async () => {
    const id = await anchoredIncident();
    const as = ['--by', 'fg', '--store', store, '--now', NOW];
    await recorded(
      [
        ...reportedToAp(id),
        ['reported', id, '--reference', 'AP-2026-0001', '--kind', 'follow-up'],
        ['subjects', id, '--decision', 'not-required', '--reason', 'a low risk'],
        ['assess', id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'passwords too'],
        ['assess', id, '--personal-data', 'no', '--risk', 'none', '--reason', 'no personal data after all'],
        ['reported', id, '--reference', 'AP-2026-0001', '--kind', 'withdrawal', '--reason', 'no personal data after all'],
      ],
      as,
    );
    await verifies();
  });

  it('a report a person made, its time moved before the deadline on the record alone: named', async () => {
    const id = await anchoredIncident();
    const as = ['--by', 'fg', '--store', store, '--now', NOW];
    await recorded(reportedToAp(id), as);
    appendRecord(id, (record) => {
      (record.reports as Record<string, unknown>[])[0].at = DETECTED;
    });
    const verified = await verify();
    expect(verified.code).toBe(1);
    expect(verified.stderr).toContain(`incident ${id}, record: its report 1 (ap initial AP-2026-0001 at ${DETECTED}) is not one its timeline records`);
  });

  it('an assessment a person made, taken off the record: named', async () => {
    const id = await anchoredIncident();
    const as = ['--by', 'fg', '--store', store, '--now', NOW];
    expect((await enteredAtNow(['assess', id, '--personal-data', 'no', '--risk', 'none', '--reason', 'test instance', ...as])).code).toBe(0);
    appendRecord(id, (record) => {
      record.assessment = null;
      record.state = 'open';
    });
    const verified = await verify();
    expect(verified.code).toBe(1);
    expect(verified.stderr).toContain(
      `incident ${id}, record: it holds no assessment, but its timeline gives one (personalData no, risk none, notifiable false)`,
    );
  });

  it('a report a person made, a field beyond its recipient, kind, reference and time changed on the record alone: named', async () => {
    const id = await anchoredIncident();
    const as = ['--by', 'fg', '--store', store, '--now', NOW];
    await recorded(reportedToAp(id), as);
    appendRecord(id, (record) => {
      Object.assign((record.reports as Record<string, unknown>[])[0], { factsComplete: true, enteredLater: true });
    });
    const verified = await verify();
    expect(verified.code).toBe(1);
    expect(verified.stderr).toContain(
      `incident ${id}, record: its report 1 (ap initial AP-2026-0001 at ${NOW}) differs from its 'reported' entry in enteredLater, factsComplete`,
    );
  });

  it('facts a person recorded, one changed on the record alone: named; the facts as recorded in several calls verify', async () => {
    const id = await anchoredIncident();
    const as = ['--by', 'fg', '--store', store, '--now', NOW];
    await recorded(
      [
        ['facts', id, '--nature', 'confidentiality', '--categories', 'naam,adres', '--records', '1200', '--subjects', '100-900'],
        ['facts', id, '--consequences', 'phishing', '--for', 'confidentiality', '--harm', 'immaterial', '--harm-severity', 'medium'],
        ['facts', id, '--special', 'none', '--other-party', 'none', '--started-at', DETECTED, '--ended-at', NOW],
        ['facts', id, '--summary', 'a C&C channel', '--type', 'hacking-malware-phishing', '--unintelligible', 'no', '--cross-border', 'no'],
        ['facts', id, '--records', '1500', '--measures-taken', 'instance isolated'],
      ],
      as,
    );
    await verifies();
    appendRecord(id, (record) => {
      (record.facts as Record<string, unknown>).records = 12;
    });
    const verified = await verify();
    expect(verified.code).toBe(1);
    expect(verified.stderr).toContain(`incident ${id}, record: its facts (records) are not those its timeline gives`);
  });

  it('containment carried out by hand, decided not to be done and taken back by people, with their entries: verifies', async () => {
    const id = await anchoredIncident();
    const as = ['--by', 'on-call', '--store', store, '--now', NOW];
    await recorded(
      [
        ['contained', id, '--action', 'isolate-instance:i-0123456789abcdef0', '--what', 'isolated in the console'],
        ['not-done', id, '--action', 'block-dns-channel:i-0123456789abcdef0', '--reason', 'the resolver is shared'],
        ['not-done', id, '--action', 'block-dns-channel:i-0123456789abcdef0', '--withdraw', '--reason', 'a resolver of its own after all'],
      ],
      as,
    );
    await verifies();
    appendRecord(id, (record) => {
      (record.actions as Record<string, unknown>[])[1].status = 'skipped';
    });
    const forged = await verify();
    expect(forged.stderr).toContain(`incident ${id}, record: its containment action 2 (block-dns-channel) reads skipped, but its timeline gives planned`);
  });

  it('awareness moved by a person, with its entry: verifies', async () => {
    const id = await anchoredIncident();
    const assess = await enteredAtNow(
      [
        'assess',
        id,
        '--personal-data',
        'unknown',
        '--risk',
        'risk',
        '--reason',
        'under investigation',
        '--aware-at',
        '2026-11-27T23:00:00.000Z',
        '--aware-reason',
        'confirmed by the team then',
        '--by',
        'fg',
        '--store',
        store,
        '--now',
        NOW,
      ],
      {},
    );
    expect(assess.code, assess.stderr).toBe(0);
    const verified = await verify();
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });

  it('a containment action a merge brought in, made "done" on the record alone: named; the merged record as the pipeline wrote it verifies', async () => {
    const [survivor, merged] = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2'];
    const opened = (id: string, instance: string, createdAt: string) =>
      findingEvent({ id, type: 'Backdoor:EC2/C&CActivity.B', severity: 8.5, createdAt, resource: instanceResource(instance) });
    const events = join(dir, 'events.json');
    writeFileSync(
      events,
      JSON.stringify([
        opened('red27saaaaaaaaaaaaaaaaaaaaaaaaaa', survivor, DETECTED),
        opened('red27obbbbbbbbbbbbbbbbbbbbbbbbbb', merged, '2026-11-27T21:30:00.000Z'),
        instanceSequenceEvent('red27qccccccccccccccccccccccccccc', [survivor, merged], '2026-11-27T22:00:00.000Z'),
      ]),
    );
    const replay = await enteredAtNow(['replay', events, '--store', store, '--now', NOW, '--json']);
    expect(replay.code, replay.stderr).toBe(0);
    const id = JSON.parse(replay.stdout.split('\n')[0]).incidentId as string;
    const anchor = await enteredAtNow(['anchor', '--store', store, '--digests', digests, '--key', keys.private, '--now', NOW]);
    expect(anchor.code, anchor.stderr).toBe(0);
    await verifies();
    let place = 0;
    appendRecord(id, (record) => {
      const actions = record.actions as Record<string, unknown>[];
      place = actions.findIndex((a) => a.type === 'isolate-instance' && a.target === merged) + 1;
      expect(place).toBeGreaterThan(0);
      expect(actions[place - 1].status).toBe('planned');
      actions[place - 1].status = 'done';
    });
    const forged = await verify();
    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain(`incident ${id}, record: its containment action ${place} (isolate-instance) reads done, but its timeline gives planned`);
  });

  it('after a merge that brought no containment, an action made up "done" on the record alone: named (finalA #1)', async () => {
    const [survivor, merged] = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2'];
    const events = join(dir, 'events.json');
    // The merged incident's finding is below every rule's severity: it plans no containment.
    writeFileSync(
      events,
      JSON.stringify([
        findingEvent({
          id: 'fa1saaaaaaaaaaaaaaaaaaaaaaaaaaaa',
          type: 'Backdoor:EC2/C&CActivity.B',
          severity: 8.5,
          createdAt: DETECTED,
          resource: instanceResource(survivor),
        }),
        findingEvent({
          id: 'fa1obbbbbbbbbbbbbbbbbbbbbbbbbbbb',
          type: 'Backdoor:EC2/C&CActivity.B',
          severity: 5,
          createdAt: '2026-11-27T21:30:00.000Z',
          resource: instanceResource(merged),
        }),
        instanceSequenceEvent('fa1qcccccccccccccccccccccccccccc', [survivor, merged], '2026-11-27T22:00:00.000Z'),
      ]),
    );
    const replay = await enteredAtNow(['replay', events, '--store', store, '--now', NOW, '--json']);
    expect(replay.code, replay.stderr).toBe(0);
    const ids = replay.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).incidentId as string);
    const id = ids[0];
    expect(new Set(ids).size).toBe(2);
    const anchor = await enteredAtNow(['anchor', '--store', store, '--digests', digests, '--key', keys.private, '--now', NOW]);
    expect(anchor.code, anchor.stderr).toBe(0);
    await verifies();
    const db = new Database(join(store, 'datalek.sqlite'), { readonly: true });
    const merge = db.prepare("SELECT detail FROM timeline WHERE incident_id = ? AND kind = 'incidents-merged'").all(id) as { detail: string }[];
    db.close();
    expect(merge).toHaveLength(1);
    expect(JSON.parse(merge[0].detail).actions).toEqual([]);
    let place = 0;
    appendRecord(id, (record) => {
      const actions = record.actions as Record<string, unknown>[];
      const made = { ...actions[0], id: 'isolate-instance:i-0ccccccccccccccc3', target: 'i-0ccccccccccccccc3', status: 'done' };
      place = actions.push(made);
    });
    const forged = await verify();
    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain(
      `incident ${id}, record: its containment action ${place} (isolate-instance) reads done, but its timeline records no such action: it was added behind the pipeline`,
    );
  });
});
