/**
 * A person's command that loses the race for an incident at every try its use case makes (other
 * writers keep changing it: a storm of findings) is told in plain words what happened, what was
 * recorded (nothing, or what its earlier commits stored), and what to do: run it again. Every
 * command that writes answers through the CLI's one path for it (cli/lost-race.ts), with exit 3
 * (a part failed, nothing wrong with the input: exit 2 would tell a script not to try again).
 *
 * The storm is a real other writer: before each commit the command makes on an incident, another
 * change to that incident is committed first (no entry: its revision moves, its timeline stays), so
 * the command's commit fails as a writer that lost the race does ("changed since revision N"), at
 * every try, and stores nothing. A new incident (`open`) has no revision to move: there a trigger
 * takes the timeline entry the command is about to write. The pauses between tries are made zero
 * (Math.random), not waited out. (A conflict at every try while the incident stays as it was is no
 * race: cli-planted-conflict.test.ts.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import type { IncidentChange } from '../../handlers/ports/incident-store.js';
import { enteredAtNow } from '../support/cli.js';

const EVENT = 'events/01-ec2-backdoor-command-and-control-high.json'; // created 2026-11-27T21:14Z
const AT = '2026-11-27T22:00:00Z';
const OTHER = 'events/07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json';
const LATER = '2026-11-27T23:00:00Z';

/**
 * The other writer, on the incidents `on` names: a change of its own committed before each of the
 * command's commits on a stored one, and every timeline entry of a new one taken before the command can write it.
 */
function storm(store: string, on: 'all' | string[]): () => void {
  const named = (id: string) => on === 'all' || on.includes(id);
  const commit = SqliteIncidentStore.prototype.commit;
  let writing = false;
  const spy = vi.spyOn(SqliteIncidentStore.prototype, 'commit').mockImplementation(async function (this: SqliteIncidentStore, change: IncidentChange) {
    if (!writing) {
      writing = true;
      try {
        for (const c of [change, ...(change.others ?? [])])
          if (c.expectedRevision !== null && named(c.incident.id))
            await changeIncident({ store: this, policy: DEFAULT_POLICY, now: () => LATER }, c.incident.id, () => ({ entries: [] }));
      } finally {
        writing = false;
      }
    }
    return commit.call(this, change);
  });
  const db = new Database(join(store, STORE_FILE));
  const which = on === 'all' ? '1' : `NEW.incident_id IN (${on.map((id) => `'${id}'`).join(', ')})`;
  db.exec(`CREATE TRIGGER storm BEFORE INSERT ON timeline WHEN ${which}
    BEGIN INSERT INTO timeline VALUES (NEW.incident_id, NEW.seq, NEW.at, 'other-writer', 'other', '{}', NEW.prev_hash, NEW.hash); END`);
  return () => {
    spy.mockRestore();
    db.exec('DROP TRIGGER storm');
    db.close();
  };
}

async function replayed(store: string, events: string[]): Promise<string[]> {
  const r = await enteredAtNow(['replay', ...events, '--store', store, '--json', '--now', AT]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.split('\n').map((l) => JSON.parse(l).incidentId);
}

async function assessed(store: string, id: string, personalData: string, risk: string): Promise<void> {
  const r = await enteredAtNow([
    'assess',
    id,
    '--personal-data',
    personalData,
    '--risk',
    risk,
    '--reason',
    'beoordeeld',
    '--by',
    'fg',
    '--store',
    store,
    '--now',
    AT,
  ]);
  expect(r.code, r.stderr).toBe(0);
}

async function timeline(store: string, id: string): Promise<string[]> {
  const r = await enteredAtNow(['show', id, '--json', '--store', store, '--now', LATER]);
  return JSON.parse(r.stdout).timeline.map((e: { kind: string }) => e.kind);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a command whose every try loses the race for the incident', () => {
  let store: string;
  let id: string;
  // Assessed as not notifiable: it may be closed.
  let closable: string;
  beforeAll(async () => {
    store = join(mkdtempSync(join(tmpdir(), 'datalek-lost-race-')), 's');
    [id, closable] = await replayed(store, [EVENT, OTHER]);
    await assessed(store, id, 'yes', 'risk');
    await assessed(store, closable, 'no', 'none');
  });

  const isolate = 'isolate-instance:i-0a1b2c3d4e5f60718';
  const commands: [string, () => string[]][] = [
    ['ack', () => ['ack', id, '--by', 'dienstdoende']],
    ['assess', () => ['assess', id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantdata', '--by', 'fg']],
    ['facts', () => ['facts', id, '--summary', 'een server lekte', '--by', 'fg']],
    ['reported', () => ['reported', id, '--reference', 'AP-2026-1', '--by', 'fg']],
    ['subjects', () => ['subjects', id, '--decision', 'not-required', '--reason', 'geen hoog risico', '--by', 'fg']],
    ['contained', () => ['contained', id, '--action', isolate, '--what', 'met de hand losgekoppeld', '--by', 'beheer']],
    ['not-done', () => ['not-done', id, '--action', isolate, '--reason', 'server vervangen', '--by', 'fg']],
    ['close', () => ['close', closable, '--reason', 'afgehandeld', '--by', 'fg']],
    ['minimise --hold', () => ['minimise', id, '--hold', '--reason', 'claim loopt', '--by', 'fg']],
    ['open', () => ['open', '--what', 'een laptop kwijt', '--aware-at', AT, '--by', 'fg']],
  ];

  it.each(commands)('%s: says nothing was recorded and to run it again; exit 3; the record is as it was', async (name, args) => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const before = [await timeline(store, id), await timeline(store, closable)];
    const calm = storm(store, 'all');
    let r: Awaited<ReturnType<typeof enteredAtNow>>;
    try {
      r = await enteredAtNow([...args(), '--store', store, '--now', LATER]);
    } finally {
      calm();
    }
    expect(r.stderr).toMatch(/^datalek: not recorded: other changes to (incident dl-\w+|the incidents) kept coming in/);
    expect(r.stderr).toContain('Nothing was recorded.');
    expect(r.stderr).toContain(`Run it again (datalek ${name.split(' ')[0]}`);
    expect(r.stderr).not.toMatch(/changed since revision|another writer got there first|UNIQUE constraint|SQLITE_/);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.code).toBe(3);
    expect([await timeline(store, id), await timeline(store, closable)]).toEqual(before);
  });
});

describe('a command some of whose commits went through before it lost the race', () => {
  it('minimise: names what it recorded (kept), nothing after; run again, it finishes', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const store = join(mkdtempSync(join(tmpdir(), 'datalek-lost-race-')), 's');
    const ids = await replayed(store, [OTHER, 'events/08-s3-bucket-made-public-anonymous-access.json']);
    for (const id of ids) {
      await assessed(store, id, 'no', 'none');
      expect((await enteredAtNow(['close', id, '--reason', 'afgehandeld', '--by', 'fg', '--store', store, '--now', AT])).code).toBe(0);
    }
    // The first finding record minimised is stored; from then on another writer changes the incident
    // before every commit (its revision moves: a race, not a store that refuses for good).
    const commit = SqliteIncidentStore.prototype.commit;
    let minimisedOnce = false;
    let writing = false;
    const spy = vi.spyOn(SqliteIncidentStore.prototype, 'commit').mockImplementation(async function (this: SqliteIncidentStore, change: IncidentChange) {
      if (minimisedOnce && !writing) {
        writing = true;
        try {
          await changeIncident({ store: this, policy: DEFAULT_POLICY, now: () => LATER }, change.incident.id, () => ({ entries: [] }));
        } finally {
          writing = false;
        }
      }
      const receipt = await commit.call(this, change);
      if (change.timeline.some((e) => e.kind === 'finding-minimised')) minimisedOnce = true;
      return receipt;
    });
    const minimise = ['minimise', '--after-days', '0', '--by', 'fg', '--store', store, '--now', LATER];
    const r = await enteredAtNow(minimise);
    spy.mockRestore();
    const first = (await Promise.all(ids.map(async (id) => ((await timeline(store, id)).includes('finding-minimised') ? id : null)))).filter(Boolean);
    expect(first).toHaveLength(1);
    expect(r.stderr).toBe(
      `datalek: not all recorded: other changes to the incidents kept coming in while this command tried to record (a storm of findings?), and it stopped trying. Recorded before that, and kept: on ${first[0]}: finding-minimised. Nothing after that was recorded. Check what is recorded (datalek show ${first[0]}), then run it again (datalek minimise …) for what is still missing.`,
    );
    expect(r.code).toBe(3);
    const again = await enteredAtNow(minimise);
    expect(again.code, again.stderr).toBe(0);
    for (const id of ids) expect((await timeline(store, id)).filter((k) => k === 'finding-minimised')).toHaveLength(1);
    expect((await enteredAtNow(['verify', '--store', store])).code).toBe(0);
  });
});

describe('a sweep that loses the race for one incident at every try', () => {
  it('says so in plain words for that incident, that nothing of it was recorded and that it stays due (not the store’s text, not verify); exit 3', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const store = join(mkdtempSync(join(tmpdir(), 'datalek-lost-race-')), 's');
    const [id] = await replayed(store, [EVENT]);
    const before = await timeline(store, id);
    const calm = storm(store, [id]);
    let r: Awaited<ReturnType<typeof enteredAtNow>>;
    try {
      // An hour on, nobody acknowledged it: its escalation is due.
      r = await enteredAtNow(['sweep', '--store', store, '--now', '2026-11-27T23:00:00Z']);
    } finally {
      calm();
    }
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('datalek:'));
    expect(lines).toEqual([
      `datalek: incident ${id} was not swept: other changes to it kept coming in while the sweep tried to record (a storm of findings?), and it stopped trying. Nothing of it was recorded: it stays due, and the next sweep sends what it owes.`,
    ]);
    expect(r.code).toBe(3);
    expect(await timeline(store, id)).toEqual(before);
    const again = await enteredAtNow(['sweep', '--store', store, '--now', '2026-11-27T23:00:00Z', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).map((s: { incidentId: string }) => s.incidentId)).toContain(id);
  });
});
