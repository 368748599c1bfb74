/**
 * tl28b (atk28 F2, F3, F8, F13, F14, F17): record fields outside red28's list, each edited behind the
 * pipeline with ONE ledger entry appended after the last digest (nothing anchored rewritten, the
 * timeline untouched), verified with `verify --digests` exit 0 before. Each silenced the sweep, split
 * a breach or left a resource open with nothing on the timeline:
 * - a containment action taken off the record (the resource stays open, nobody is told);
 * - the AP reminders' and pages' last due times, and the `announced` marks, planted ahead (the AP
 *   reminders and a rise to Critical never sent);
 * - a containment lease planted until 2099 (every containment and the person's `contained` refused);
 * - a retention hold taken off (minimise then removes the held evidence);
 * - a resource taken off an attack sequence's incident (the next finding on it opens a second one).
 * The timeline (and the messages the ledger queued) say what each must be; verify names the record.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enteredAtNow } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { appendRecordSqlite, digestKeys } from '../support/tamper.js';

const NOW = '2026-11-28T03:00:00.000Z';
const DETECTED = '2026-11-27T21:00:00.000Z';

let dir: string;
let store: string;
let keys: ReturnType<typeof digestKeys>;
let digests: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'datalek-tl28b-'));
  store = join(dir, 'store');
  digests = join(dir, 'digests');
  keys = digestKeys(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** One incident (an instance's C&C finding: isolation and a DNS block planned), recorded and anchored. */
async function anchoredIncident(): Promise<string> {
  const events = join(dir, 'event.json');
  writeFileSync(events, JSON.stringify(findingEvent({ id: 'tl28baaaaaaaaaaaaaaaaaaaaaaaaaaa', createdAt: DETECTED })));
  const replay = await enteredAtNow(['replay', events, '--store', store, '--now', NOW, '--json']);
  expect(replay.code, replay.stderr).toBe(0);
  const id = JSON.parse(replay.stdout.split('\n')[0]).incidentId as string;
  await anchor();
  return id;
}

async function anchor(now = NOW): Promise<void> {
  const run = await enteredAtNow(['anchor', '--store', store, '--digests', digests, '--key', keys.private, '--now', now]);
  expect(run.code, run.stderr).toBe(0);
}

const verify = (now = NOW) => enteredAtNow(['verify', '--store', store, '--digests', digests, '--key', keys.public, '--now', now]);

/** verify finds nothing. */
async function verifies(now = NOW): Promise<void> {
  const verified = await verify(now);
  expect(verified.stderr).toBe('');
  expect(verified.code).toBe(0);
}

/** verify names the record with `problem`. */
async function named(id: string, problem: string, now = NOW): Promise<void> {
  const verified = await verify(now);
  expect(verified.stderr).toContain(`incident ${id}, record: ${problem}`);
  expect(verified.code).toBe(1);
}

describe('F3: a containment action taken off the record', () => {
  it('the isolation its timeline plans, deleted: named; the record as the pipeline wrote it verifies', async () => {
    const id = await anchoredIncident();
    await verifies();
    appendRecordSqlite(store, id, NOW, (record) => {
      record.actions = (record.actions as Record<string, unknown>[]).filter((a) => a.type !== 'isolate-instance');
    });
    await named(id, 'its timeline gives containment action isolate-instance (entry ');
  });
});

describe('F8: a retention hold taken off the record', () => {
  /** The incident assessed, held by the FG, closed; anchored after the hold. */
  async function heldAndClosed(): Promise<string> {
    const id = await anchoredIncident();
    const as = ['--store', store, '--now', NOW];
    for (const step of [
      ['assess', id, '--personal-data', 'no', '--risk', 'none', '--reason', 'test instance, no data', '--by', 'fg'],
      ['minimise', id, '--hold', '--reason', 'rechtszaak', '--by', 'fg'],
      ['close', id, '--reason', 'no personal data', '--by', 'fg'],
    ]) {
      const run = await enteredAtNow([...step, ...as]);
      expect(run.code, run.stderr).toBe(0);
    }
    await anchor();
    return id;
  }

  it('deleted: verify names it, and minimise still refuses while the timeline holds it', async () => {
    const id = await heldAndClosed();
    await verifies();
    appendRecordSqlite(store, id, NOW, (record) => {
      delete record.retentionHold;
    });
    await named(id, 'it holds no retention hold, but its timeline gives one (entry ');
    const minimise = await enteredAtNow(['minimise', id, '--by', 'x', '--after-days', '0', '--store', store, '--now', NOW]);
    expect(minimise.stderr).toContain('rechtszaak');
    expect(minimise.stderr).toContain('the record holds none, its timeline does');
    expect(minimise.code).toBe(2);
  });

  it('its reason or who placed it rewritten: named', async () => {
    const id = await heldAndClosed();
    appendRecordSqlite(store, id, NOW, (record) => {
      Object.assign(record.retentionHold as Record<string, unknown>, { by: 'someone-else', reason: 'geen' });
    });
    await named(id, 'its retention hold (by, reason) is not the one its timeline gives (entry ');
  });

  it('planted with no hold on the timeline: named; held and released by the FG, with their entries: verifies', async () => {
    const id = await heldAndClosed();
    const release = await enteredAtNow(['minimise', id, '--release-hold', '--reason', 'zaak geschikt', '--by', 'fg', '--store', store, '--now', NOW]);
    expect(release.code, release.stderr).toBe(0);
    await verifies();
    appendRecordSqlite(store, id, NOW, (record) => {
      record.retentionHold = { at: NOW, by: 'fg', reason: 'rechtszaak' };
    });
    await named(id, 'it holds a retention hold, but its timeline gives none: it was placed behind the pipeline');
  });
});

describe('F14: a containment lease, or a page taken, planted ahead', () => {
  it('a lease until 2099: named (no run holds one longer than a contain function runs)', async () => {
    const id = await anchoredIncident();
    appendRecordSqlite(store, id, NOW, (record) => {
      record.containmentLease = { holder: 'contain-xyz', until: '2099-01-01T00:00:00.000Z' };
    });
    await named(id, 'its containment lease runs until 2099-01-01T00:00:00.000Z, longer than any containment run holds one (15.5 minutes from ');
  });

  it.each([
    ['exposedTakenAt', 'its exposedTakenAt (2099-01-01T00:00:00.000Z) is not the time its timeline gives (none)'],
    ['notPlannedTakenAt', 'its notPlannedTakenAt (2099-01-01T00:00:00.000Z) is not the time its timeline gives (none)'],
  ])('%s set to 2099 with no acknowledging entry: named', async (field, problem) => {
    const id = await anchoredIncident();
    appendRecordSqlite(store, id, NOW, (record) => {
      record[field] = '2099-01-01T00:00:00.000Z';
    });
    await named(id, problem);
  });
});
