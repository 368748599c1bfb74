/**
 * atk28 F1, F5, F6, F7, F9 (tl28a): whoever writes the embedded store edits a field of the law on an
 * incident's record, or who decided, and rechains only the ledger entries after the last digest's
 * head (test/support/tamper.ts rechainSqlite): nothing anchored changes, so `verify --digests`
 * held the record only to the fields red28's record-vs-timeline check listed, and the next anchor
 * signed the rest. Each of these moved a clock, silenced reminders or put another name on a decision:
 * the AP deadline's hours (720, or none, which switched the deadline's check off), the incident made
 * a sample (no clock, the sweep "Nothing due"), the organisation made processor with no decision
 * (the AP clock "not-needed"), another acknowledger, the detection moved, the stated-clock marks
 * taken off. The timeline, whose entries each command writes with the change, says what each must be.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { digestKeys, rechainSqlite } from '../support/tamper.js';

const DETECTED = '2026-11-27T21:00:00.000Z';
const OPENED = '2026-11-27T21:20:00.000Z';
const ACKED = '2026-11-27T21:25:00.000Z';
const ASSESSED = '2026-11-27T22:00:00.000Z';

let dir: string;
let store: string;
let digests: string;
let keys: ReturnType<typeof digestKeys>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'datalek-tl28a-'));
  store = join(dir, 'store');
  digests = join(dir, 'digests');
  keys = digestKeys(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function ok(args: string[]): Promise<string> {
  const run = await runCli(args);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

/** One incident recorded and anchored; then acknowledged by anna and assessed by fg-piet after the digest (atk28's b2). */
async function acknowledgedAndAssessed(): Promise<string> {
  const event = join(dir, 'event.json');
  writeFileSync(event, JSON.stringify(findingEvent({ id: 'tl28aaaaaaaaaaaaaaaaaaaaaaaaaaaa', createdAt: DETECTED })));
  const replay = await ok(['replay', event, '--store', store, '--now', OPENED, '--json']);
  const id = JSON.parse(replay.split('\n')[0]).incidentId as string;
  await ok(['anchor', '--store', store, '--digests', digests, '--key', keys.private, '--now', OPENED]);
  await ok(['ack', id, '--by', 'anna', '--store', store, '--now', ACKED]);
  await ok(['assess', id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantgegevens', '--by', 'fg-piet', '--store', store, '--now', ASSESSED]);
  return id;
}

/** The attack: the record edited, the ledger after the digest's head rechained to agree, the columns the store reads by set as the record says. */
function edited(id: string, edit: (record: Record<string, unknown>) => void): void {
  const db = new Database(join(store, 'datalek.sqlite'));
  rechainSqlite(db, id, edit);
  const record = JSON.parse((db.prepare('SELECT data FROM incidents WHERE id = ?').get(id) as { data: string }).data) as Record<string, unknown>;
  db.prepare('UPDATE incidents SET state = ?, detected_at = ?, next_due_at = ? WHERE id = ?').run(
    record.state,
    record.detectedAt,
    record.nextDueAt ?? null,
    id,
  );
  db.close();
}

const verify = () => runCli(['verify', '--store', store, '--digests', digests, '--key', keys.public, '--now', ASSESSED]);

describe('a field of the law or who decided, edited behind the pipeline with the ledger after the digest rechained', () => {
  it('the incident as the pipeline and the people recorded it verifies, with the role a person set', async () => {
    const id = await acknowledgedAndAssessed();
    // Entered by this machine's clock, after the AP deadline had passed (the --now states the run's only): confirmed (atk28 F16).
    await ok([
      'assess',
      id,
      '--acting-as',
      'processor',
      '--reason',
      'wij verwerken voor de klant',
      '--by',
      'fg-piet',
      '--store',
      store,
      '--now',
      ASSESSED,
      '--confirm-stated-time',
    ]);
    const verified = await verify();
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });

  it.each([
    [
      'F1: the AP deadline counted with 720 hours, the deadline moved with them',
      (r: Record<string, unknown>) => Object.assign(r, { deadlineHours: 720, deadline: '2026-12-27T21:00:00.000Z' }),
      'its AP deadline counts 720 hours, but its opening (entry 2) counted 72:',
    ],
    [
      "F1: the hours taken off (null), the deadline moved: the deadline's check was switched off",
      (r: Record<string, unknown>) => Object.assign(r, { deadlineHours: null, deadline: '2027-06-01T00:00:00.000Z' }),
      `its awareness ${DETECTED} holds no AP deadline or no hours it counts (deadline 2027-06-01T00:00:00.000Z, hours none):`,
    ],
    [
      'F1: the hours deleted and the deadline made none',
      (r: Record<string, unknown>) => {
        delete r.deadlineHours;
        r.deadline = null;
      },
      `its awareness ${DETECTED} holds no AP deadline or no hours it counts (deadline none, hours none):`,
    ],
    [
      'F6: made a sample (no clock, the sweep "Nothing due", the register says test data)',
      (r: Record<string, unknown>) => Object.assign(r, { sample: true }),
      'it reads a sample finding, but its opening (entry 2) says it is none:',
    ],
    [
      'F5: another acknowledger at another time',
      (r: Record<string, unknown>) => Object.assign(r, { acknowledgedBy: 'bob', acknowledgedAt: '2026-11-27T21:21:00.000Z' }),
      `its acknowledgement (bob at 2026-11-27T21:21:00.000Z) is not the first its timeline records (anna at ${ACKED}, entry `,
    ],
    [
      'F9: the detection moved two days later',
      (r: Record<string, unknown>) => Object.assign(r, { detectedAt: '2026-11-29T21:00:00.000Z' }),
      `its detection 2026-11-29T21:00:00.000Z is not the one its timeline gives ${DETECTED} (entry `,
    ],
    [
      'F9: the stated-clock marks taken off (times entered days later read as entered then)',
      (r: Record<string, unknown>) => Object.assign(r, { statedClock: [] }),
      'its timeline records 3 changes made with a stated clock that its record does not list:',
    ],
    [
      'F7: made processor with no role decision (the AP clock "not-needed")',
      (r: Record<string, unknown>) => Object.assign(r, { role: 'processor' }),
      "its role processor is not the one its timeline gives (none: the policy's when it was opened):",
    ],
    [
      "F7: the policy's role when it was opened made processor",
      (r: Record<string, unknown>) => Object.assign(r, { policyRole: 'processor', controllerHours: 24 }),
      "its policy's role, a processor's hours and the clocks in force when its clock began (policyRole, controllerHours) are not those its timeline gives:",
    ],
    [
      'F7: the NIS2 and telecom clocks in force switched',
      (r: Record<string, unknown>) => {
        const was = r.clocksInForce as { nis2: boolean; telecom: boolean };
        r.clocksInForce = { nis2: !was.nis2, telecom: !was.telecom };
      },
      "its policy's role, a processor's hours and the clocks in force when its clock began (clocksInForce) are not those its timeline gives:",
    ],
    [
      "F4: the assessment's author and time rewritten",
      (r: Record<string, unknown>) => Object.assign(r.assessment as object, { by: 'someone-else', at: '2026-11-27T21:30:00.000Z' }),
      "its assessment differs from its last 'assessed' entry (entry ",
    ],
    [
      "F4: the decision history emptied (the register's Art. 33(5) record)",
      (r: Record<string, unknown>) => Object.assign(r, { decisions: [] }),
      'its decisions (0) are not those its timeline records (1):',
    ],
    [
      "F4: a decision's author and reason rewritten",
      (r: Record<string, unknown>) => Object.assign((r.decisions as object[])[0], { by: 'someone-else', reason: 'geen reden' }),
      `its decision 1 (assessment by someone-else at ${ASSESSED}) is not the one its timeline records (assessment by fg-piet at ${ASSESSED}, entry `,
    ],
  ])('%s: named, and the anchor does not sign it', async (_what, edit, problem) => {
    const id = await acknowledgedAndAssessed();
    edited(id, edit);
    const verified = await verify();
    expect(verified.stderr).toContain(`incident ${id}, record: ${problem}`);
    expect(verified.code).toBe(1);
    const anchor = await runCli(['anchor', '--store', store, '--digests', digests, '--key', keys.private, '--now', ASSESSED, '--json']);
    expect(anchor.code).toBe(1);
    expect(JSON.parse(anchor.stdout).leftOut).toEqual([id]);
  });

  it("F4: the Art. 34 decision's channel, author and reason rewritten: named; as the FG recorded it, it verifies", async () => {
    const id = await acknowledgedAndAssessed();
    await ok([
      'subjects',
      id,
      '--decision',
      'inform',
      '--reason',
      'hoog risico',
      '--date',
      ASSESSED,
      '--channel',
      'e-mail',
      '--text',
      'Wij melden u een datalek.',
      '--by',
      'fg-piet',
      '--store',
      store,
      '--now',
      ASSESSED,
    ]);
    const honest = await verify();
    expect(honest.stderr).toBe('');
    edited(id, (r) => Object.assign(r.subjects as object, { channel: 'brief', by: 'iemand-anders', reason: 'geen' }));
    const verified = await verify();
    expect(verified.stderr).toContain(`incident ${id}, record: its decision on informing the subjects differs from its last decision entry (entry `);
    expect(verified.stderr).toContain(') in by, channel, reason:');
    expect(verified.code).toBe(1);
  });
});
