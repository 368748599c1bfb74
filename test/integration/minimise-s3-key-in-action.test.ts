/**
 * read12a A (f787210, review11 S4): minimise removes an infected S3 object's key from the stored
 * finding, but the same key stays in the incident's record: the tag-s3-object action keeps it in
 * `params.key` (containment.ts malwareSteps: "the key is in params"), and nothing in minimise
 * touches it. After minimise the uploader's name is still in the store for ever.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { enteredAtNow, jsonLines, ROOT } from '../support/cli.js';

const KEY = 'aanvragen/2026/11/paspoort-j-jansen-19800101.pdf';

it('after minimise no table of the store holds the infected object key named after a person', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-a-s3key-'));
  const store = join(dir, 'store');
  const event = JSON.parse(readFileSync(join(ROOT, 'events/35-s3-object-malware-upload.json'), 'utf8'));
  const object = event.detail.resource.s3BucketDetails[0].s3ObjectDetails[0];
  object.key = KEY;
  object.objectArn = `arn:aws:s3:::intake-uploads/${KEY}`;
  writeFileSync(join(dir, 'events.json'), JSON.stringify([event]));
  const replay = await enteredAtNow(['replay', join(dir, 'events.json'), '--store', store, '--json', '--now', '2026-11-27T17:15:00Z']);
  expect(
    replay.code,
    `${replay.stderr}
${replay.stdout}`,
  ).toBe(0);
  const id = jsonLines(replay.stdout)[0].incidentId as string;
  const run = (args: string[]) => enteredAtNow([...args, '--store', store]);
  const assessed = await run([
    'assess',
    id,
    '--personal-data',
    'no',
    '--risk',
    'none',
    '--reason',
    'geen persoonsgegevens',
    '--by',
    'FG',
    '--now',
    '2026-11-28T09:00:00Z',
  ]);
  expect(assessed.code, assessed.stderr).toBe(0);
  const closed = await run(['close', id, '--reason', 'afgehandeld', '--by', 'FG', '--now', '2026-11-28T10:00:00Z']);
  expect(closed.code, closed.stderr).toBe(0);
  const minimised = await run(['minimise', id, '--by', 'FG', '--after-days', '0', '--now', '2026-11-29T10:00:00Z']);
  expect(minimised.code, minimised.stderr).toBe(0);

  const db = new Database(join(store, 'datalek.sqlite'), { readonly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    const holding: string[] = [];
    for (const t of tables) {
      const rows = db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[];
      for (const r of rows) if (JSON.stringify(r).includes('paspoort-j-jansen')) holding.push(t);
    }
    // The finding row no longer holds it (f787210); the incident's record (its tag-s3-object action's params.key) still does.
    expect([...new Set(holding)]).toEqual([]);
  } finally {
    db.close();
  }
});
