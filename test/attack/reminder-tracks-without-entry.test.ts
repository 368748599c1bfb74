/**
 * tl29 (atk28 F2 rest, F13): what the sweep and the pipeline remember having announced, edited behind
 * the pipeline with ONE ledger entry appended after the last digest (nothing anchored rewritten, the
 * timeline untouched). Verified with `verify --digests` exit 0 before, while the sweep, or the next
 * finding, then told nobody:
 * - a reminder track's last due time (`reminders.byClock`: the Art. 34 decision, the nudge to notify,
 *   another clock's) planted ahead: that track's reminders stop until then;
 * - the sweep's last check of the holders of actions left elsewhere (`left-to-closed`) planted ahead:
 *   a holder closed without containing them is not found until then;
 * - a holder's failure marked told (`left-failed:*`) with no entry telling it;
 * - an `announced` mark with no message queued (a rise to Critical told to nobody), or one taken off;
 * - a resource taken off an attack sequence's open incident, its claim with it (atk28 F17): the next
 *   finding on it opened a second incident, the breach's record split.
 * Each timeline entry (and each message the ledger queued) says what the record may hold.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enteredAtNow, ROOT } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { appendRecordSqlite, digestKeys } from '../support/tamper.js';

const DETECTED = '2026-11-27T21:00:00.000Z';
const NOW = '2026-11-28T03:00:00.000Z';
/** A day after the assessment: the Art. 34 reminder and the nudge to notify fall due. */
const DAY_LATER = '2026-11-29T04:00:00.000Z';
/** Two days after it: the next Art. 34 reminder. */
const TWO_DAYS_LATER = '2026-11-30T04:00:00.000Z';
const PLANTED = '2099-01-01T00:00:00.000Z';
const FINDING_ID = 'tl29aaaaaaaaaaaaaaaaaaaaaaaaaaaa';

let dir: string;
let store: string;
let keys: ReturnType<typeof digestKeys>;
let digests: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'datalek-tl29-'));
  store = join(dir, 'store');
  digests = join(dir, 'digests');
  keys = digestKeys(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], now: string, at = store) {
  const ran = await enteredAtNow([...args, '--store', at, '--now', now]);
  expect(ran.code, ran.stderr).toBe(0);
  return ran;
}

async function replay(event: Record<string, unknown>, now: string, at = store) {
  const file = join(dir, `event-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(event));
  return run(['replay', file, '--json'], now, at);
}

/** An instance's C&C finding, acknowledged and assessed a high risk (Art. 34 decision owed, notifiable), anchored. */
async function assessedIncident(): Promise<string> {
  const replayed = await replay(findingEvent({ id: FINDING_ID, createdAt: DETECTED }), NOW);
  const id = JSON.parse(replayed.stdout.split('\n')[0]).incidentId as string;
  await run(['ack', id, '--by', 'anna'], NOW);
  await run(['assess', id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantgegevens', '--by', 'fg'], NOW);
  await anchor(NOW);
  return id;
}

async function anchor(now: string): Promise<void> {
  const ran = await enteredAtNow(['anchor', '--store', store, '--digests', digests, '--key', keys.private, '--now', now]);
  expect(ran.code, ran.stderr).toBe(0);
}

const verify = (now: string) => enteredAtNow(['verify', '--store', store, '--digests', digests, '--key', keys.public, '--now', now]);

async function verifies(now: string): Promise<void> {
  const verified = await verify(now);
  expect(verified.stderr).toBe('');
  expect(verified.code).toBe(0);
}

async function named(id: string, problem: string, now: string): Promise<void> {
  const verified = await verify(now);
  expect(verified.stderr).toContain(`incident ${id}, record: ${problem}`);
  expect(verified.code).toBe(1);
}

/** The kinds a sweep at `now` sends, on a copy of the store (the case itself stays as it is). */
async function sweptKinds(now: string): Promise<string[]> {
  const copy = join(dir, `copy-${Math.random().toString(16).slice(2)}`);
  cpSync(store, copy, { recursive: true });
  const swept = await run(['sweep', '--json'], now, copy);
  return (JSON.parse(swept.stdout) as { kind: string }[]).map((i) => i.kind);
}

/** The kinds the replay of `event` at `now` queued, on a copy of the store. */
async function queuedBy(event: Record<string, unknown>, now: string): Promise<string[]> {
  const copy = join(dir, `copy-${Math.random().toString(16).slice(2)}`);
  cpSync(store, copy, { recursive: true });
  const replayed = await replay(event, now, copy);
  const line = JSON.parse(replayed.stdout.split('\n')[0]) as { messages?: string[] };
  return line.messages ?? [];
}

const setTrack = (track: string, at: unknown) => (record: Record<string, unknown>) => {
  const reminders = record.reminders as { byClock?: Record<string, unknown> };
  reminders.byClock = { ...(reminders.byClock ?? {}), [track]: at };
};

describe('F2: a reminder track marked announced ahead', () => {
  it('the Art. 34 decision reminders, planted after the sweep reminded once: the sweep reminds no more; named', async () => {
    const id = await assessedIncident();
    await run(['sweep'], DAY_LATER);
    await anchor(DAY_LATER);
    await verifies(DAY_LATER);
    expect(await sweptKinds(TWO_DAYS_LATER)).toContain('subjects-reminder');
    appendRecordSqlite(store, id, DAY_LATER, setTrack('subjects', PLANTED));
    expect(await sweptKinds(TWO_DAYS_LATER)).not.toContain('subjects-reminder');
    await named(
      id,
      `its subjects reminders are marked announced up to ${PLANTED}, later than the last its timeline records queued (2026-11-29T03:00:00.000Z)`,
      DAY_LATER,
    );
  });

  it('the nudge to notify, planted before it fell due: never sent; named', async () => {
    const id = await assessedIncident();
    await verifies(NOW);
    expect(await sweptKinds(DAY_LATER)).toContain('notify-nudge');
    appendRecordSqlite(store, id, NOW, setTrack('notify-nudge', PLANTED));
    expect(await sweptKinds(DAY_LATER)).not.toContain('notify-nudge');
    await named(id, `its notify-nudge reminders are marked announced up to ${PLANTED}, later than the last its timeline records queued (none)`, NOW);
  });

  it('a track that is no time at all (the schedule reads it as one, far ahead): named', async () => {
    const id = await assessedIncident();
    appendRecordSqlite(store, id, NOW, setTrack('clock:nis2-early-warning', 99999999));
    await named(id, 'its clock:nis2-early-warning reminders are marked announced up to 99999999, later than the last its timeline records queued (none)', NOW);
  });

  it('the AP reminders marked announced in a year ISO text sorts first (+275760), which the schedule reads as the latest time there is: named', async () => {
    const id = await assessedIncident();
    await run(['sweep'], DAY_LATER);
    expect(await sweptKinds(TWO_DAYS_LATER)).toContain('ap-reminder');
    const far = '+275760-09-13T00:00:00.000Z';
    appendRecordSqlite(store, id, DAY_LATER, (record) => {
      (record.reminders as Record<string, unknown>).lastDueAt = far;
    });
    expect(await sweptKinds(TWO_DAYS_LATER)).not.toContain('ap-reminder');
    await named(id, `its last AP reminder is marked due at ${far}, later than the last its timeline records queued (2026-11-28T21:00:00.000Z)`, DAY_LATER);
  });

  it("the sweep's check of the holders of actions left elsewhere, planted ahead: named against verify's clock", async () => {
    const id = await assessedIncident();
    appendRecordSqlite(store, id, NOW, setTrack('left-to-closed', PLANTED));
    await named(id, `its last check of the holders of actions left to other incidents is marked at ${PLANTED}, later than `, NOW);
  });

  it("a holder's failure marked told with no entry telling it: named", async () => {
    const id = await assessedIncident();
    appendRecordSqlite(store, id, NOW, setTrack('left-failed:isolate-instance:i-0123456789abcdef0', NOW));
    await named(id, `its holder's failure of a left action (isolate-instance) is marked told at ${NOW}, but no entry of its timeline tells one then`, NOW);
  });
});

describe('F13: announcements marked made with no message', () => {
  const critical = () => findingEvent({ id: FINDING_ID, createdAt: DETECTED, severity: 9.5, updatedAt: '2026-11-28T02:40:00.000Z', count: 7 });

  it('a rise to Critical pre-silenced for the FG and on-call: the update tells nobody; named', async () => {
    const id = await assessedIncident();
    await verifies(NOW);
    expect(await queuedBy(critical(), NOW)).toEqual([`${id}/fg/band:Critical`, `${id}/on-call/band:Critical`]);
    appendRecordSqlite(store, id, NOW, (record) => {
      (record.announced as string[]).push('fg:band:Critical', 'on-call:band:Critical');
    });
    expect(await queuedBy(critical(), NOW)).toEqual([]);
    await named(id, `its announcement fg:band:Critical is marked made, but no message ${id}/fg/band:Critical was queued`, NOW);
    await named(id, `its announcement on-call:band:Critical is marked made, but no message ${id}/on-call/band:Critical was queued`, NOW);
  });

  it('the opening announcement taken off (the next finding announces it again): named', async () => {
    const id = await assessedIncident();
    appendRecordSqlite(store, id, NOW, (record) => {
      record.announced = (record.announced as string[]).filter((a) => a !== 'fg:opened');
    });
    await named(id, `its message ${id}/fg/opened was queued (entry `, NOW);
  });
});

describe("F17: a resource taken off an open incident's record", () => {
  const event = (name: string) => JSON.parse(readFileSync(join(ROOT, 'events', name), 'utf8')) as Record<string, unknown>;
  /** The bucket-made-public finding, on the attack sequence's bucket. */
  const onTheBucket = () => {
    const text = JSON.stringify(event('08-s3-bucket-made-public-anonymous-access.json')).replaceAll('klantdossiers-export-prod', 'hr-salarisadministratie');
    return JSON.parse(text) as Record<string, unknown>;
  };
  const SEQUENCE_AT = '2026-11-28T12:00:00.000Z';

  it('the bucket and its claim taken off: the next finding on it opens a second incident; named', async () => {
    const replayed = await replay(event('14-attack-sequence-s3-compromised-data-critical-9.5.json'), SEQUENCE_AT);
    const id = JSON.parse(replayed.stdout.split('\n')[0]).incidentId as string;
    await anchor(SEQUENCE_AT);
    await run(['ack', id, '--by', 'anna'], SEQUENCE_AT);
    await verifies(SEQUENCE_AT);
    const attached = async () => {
      const copy = join(dir, `copy-${Math.random().toString(16).slice(2)}`);
      cpSync(store, copy, { recursive: true });
      const line = JSON.parse((await replay(onTheBucket(), SEQUENCE_AT, copy)).stdout.split('\n')[0]) as { outcome: string; incidentId: string };
      return line.outcome === 'attached' && line.incidentId === id;
    };
    expect(await attached()).toBe(true);
    appendRecordSqlite(store, id, SEQUENCE_AT, (record, db) => {
      record.resourceKeys = (record.resourceKeys as string[]).filter((k) => !k.startsWith('s3-bucket:'));
      db.prepare("DELETE FROM incident_keys WHERE resource_key LIKE 's3-bucket:%'").run();
    });
    expect(await attached()).toBe(false);
    await named(id, 'its timeline claimed resources the record no longer holds (1: s3-bucket)', SEQUENCE_AT);
  });

  it('a resource planted on it (its claim with it, findings on it captured): named', async () => {
    const replayed = await replay(event('14-attack-sequence-s3-compromised-data-critical-9.5.json'), SEQUENCE_AT);
    const id = JSON.parse(replayed.stdout.split('\n')[0]).incidentId as string;
    await anchor(SEQUENCE_AT);
    appendRecordSqlite(store, id, SEQUENCE_AT, (record, db) => {
      const key = 's3-bucket:111122223333:klantdossiers-export-prod';
      record.resourceKeys = [...(record.resourceKeys as string[]), key];
      db.prepare('INSERT INTO incident_keys (resource_key, incident_id) VALUES (?, ?)').run(key, id);
    });
    await named(id, 'it holds resources its timeline never claimed (1: s3-bucket)', SEQUENCE_AT);
  });
});
