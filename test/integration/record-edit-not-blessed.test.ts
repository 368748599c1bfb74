/**
 * review12 K1 (embedded store): someone with write access to the store's file edits an incident's
 * record (its legal fields: here the awareness, and so the AP deadline) and recomputes nothing.
 * `verify` names the edit; before, the pipeline's next commit on the incident (GuardDuty's update
 * of the same finding, replayed) read the record as it found it, wrote it on with a ledger entry
 * hashing the new bytes, and from then on `verify`, even with the digests anchored before the
 * edit, passed on a deadline a day later. The commit now holds the bytes it replaces to the hash
 * the ledger recorded last, and refuses, naming `datalek verify ID`; the edit stays named.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it, vi } from 'vitest';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { digestKeys } from '../support/tamper.js';

afterEach(() => {
  vi.restoreAllMocks();
});

it('a record edited behind the pipeline is not vouched for by the next commit: the commit is refused, pointing at verify', async () => {
  vi.spyOn(Math, 'random').mockReturnValue(0); // the replay's tries again do not pause
  const dir = mkdtempSync(join(tmpdir(), 'datalek-bless-'));
  const store = join(dir, 'store');
  const digests = join(dir, 'digests');
  const keys = digestKeys(dir);
  const events = join(dir, 'events.json');
  const first = { id: 'bless-1', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-bless', createdAt: '2026-11-20T21:00:00Z' };
  writeFileSync(events, JSON.stringify([findingEvent(first)]));
  const [line] = jsonLines((await runCli(['replay', events, '--store', store, '--json', '--now', '2026-11-20T21:05:00Z'])).stdout);
  const id = line.incidentId as string;
  const assessed = await runCli([
    'assess',
    id,
    '--personal-data',
    'yes',
    '--risk',
    'high',
    '--reason',
    'klantgegevens',
    '--by',
    'FG',
    '--store',
    store,
    '--now',
    '2026-11-20T21:30:00Z',
  ]);
  expect(assessed.code, assessed.stderr).toBe(0);
  expect((await runCli(['anchor', '--store', store, '--digests', digests, '--key', keys.private])).code).toBe(0);

  // Write access to the file: the awareness moved a day later in the record (the AP deadline with it); no hash recomputed.
  const db = new Database(join(store, 'datalek.sqlite'));
  const before = JSON.parse((db.prepare('SELECT data FROM incidents WHERE id = ?').get(id) as { data: string }).data);
  const later = (t: string) => new Date(Date.parse(t) + 24 * 3600_000).toISOString();
  db.prepare("UPDATE incidents SET data = json_set(data, '$.awareAt', ?, '$.deadline', ?) WHERE id = ?").run(later(before.awareAt), later(before.deadline), id);
  db.close();
  expect((await runCli(['verify', '--store', store, '--digests', digests, '--key', keys.public])).code).toBe(1);

  // GuardDuty updates the finding (count 2): the pipeline's own commit on the incident is refused, naming verify.
  writeFileSync(events, JSON.stringify([findingEvent({ ...first, updatedAt: '2026-11-20T22:00:00Z', count: 2 } as never)]));
  const replayed = await runCli(['replay', events, '--store', store, '--json', '--now', '2026-11-20T22:05:00Z']);
  expect(replayed.code).toBe(1);
  const [refused] = jsonLines(replayed.stdout);
  expect(refused?.outcome).toBe('rejected');
  expect(refused?.reason).toContain(`the stored record of incident ${id} is not the one its ledger recorded last`);
  expect(refused?.reason).toContain(`datalek verify ${id}`);

  // The edit is still named, with the digests anchored before it and without.
  const verified = await runCli(['verify', '--store', store, '--digests', digests, '--key', keys.public]);
  expect(verified.code, `verify passed on the edited record: ${verified.stdout}`).toBe(1);
  expect((await runCli(['verify', '--store', store])).code).toBe(1);
});

it('an honest store keeps committing: an update after a sending (a ledger entry without a record) is not refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-bless-'));
  const store = join(dir, 'store');
  const events = join(dir, 'events.json');
  const first = { id: 'bless-2', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-bless2', createdAt: '2026-11-20T21:00:00Z' };
  writeFileSync(events, JSON.stringify([findingEvent(first)]));
  expect((await runCli(['replay', events, '--store', store, '--json', '--now', '2026-11-20T21:05:00Z'])).code).toBe(0);
  // Another process (a fresh run) reads the head from the store: the last entry is the sending's.
  writeFileSync(events, JSON.stringify([findingEvent({ ...first, updatedAt: '2026-11-20T22:00:00Z', count: 2 } as never)]));
  const replayed = await runCli(['replay', events, '--store', store, '--json', '--now', '2026-11-20T22:05:00Z']);
  expect(replayed.code, replayed.stderr).toBe(0);
  expect(jsonLines(replayed.stdout)[0]?.outcome).toBe('updated');
  expect((await runCli(['verify', '--store', store])).code).toBe(0);
});
