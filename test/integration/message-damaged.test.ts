/**
 * atk29 A13: an outbox row datalek cannot read (its data no JSON, edited behind its back) vanished
 * from `datalek messages` and from the incident page without a word (exit 0): what the FG was
 * told, as the record shows it, silently lost an item; only verify named it. Now it is listed as
 * DAMAGED with its id, named on stderr with `datalek verify ID` (exit 3, as status does for a
 * record), given in --json as `{id, damaged}`, and said on the page, in Dutch and English.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { jsonLines, ROOT, runCli } from '../support/cli.js';
import { pageText } from '../support/serve.js';
import { inProcessWebApp } from '../support/web-app.js';

const NOW = '2026-11-27T21:20:00Z';
const EC2 = join(ROOT, 'events/01-ec2-backdoor-command-and-control-high.json');

describe('a message whose stored row cannot be read', () => {
  let store: string;
  let id: string;
  let damaged: string;
  let kept: number;
  beforeAll(async () => {
    store = join(mkdtempSync(join(tmpdir(), 'datalek-message-damaged-')), 'store');
    const replay = await runCli(['replay', EC2, '--store', store, '--now', NOW, '--json']);
    id = jsonLines(replay.stdout)[0].incidentId as string;
    const db = new Database(join(store, 'datalek.sqlite'));
    const rows = db.prepare('SELECT id FROM outbox WHERE incident_id = ? ORDER BY created_at, rowid').all(id) as { id: string }[];
    expect(rows.length).toBeGreaterThan(1);
    damaged = rows[0].id;
    kept = rows.length - 1;
    db.prepare("UPDATE outbox SET data = '{broken' WHERE id = ?").run(damaged);
    db.close();
  });

  it('messages lists it as DAMAGED with its id, names it on stderr and exits 3; the rest are listed', async () => {
    const r = await runCli(['messages', id, '--store', store, '--now', NOW]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`DAMAGED: message ${damaged} cannot be read from the store`);
    expect(r.stdout.match(/^To: /gm)?.length).toBe(kept);
    expect(r.stderr).toMatch(new RegExp(`datalek: message ${damaged} of incident ${id} cannot be read from the store \\(.+\\): datalek verify ${id}`));
  });

  it('messages --json gives it in the list as {id, damaged}', async () => {
    const r = await runCli(['messages', id, '--store', store, '--now', NOW, '--json']);
    expect(r.code).toBe(3);
    const list = JSON.parse(r.stdout) as { id: string; damaged?: string; subject?: string }[];
    expect(list.filter((m) => m.subject !== undefined)).toHaveLength(kept);
    expect(list.find((m) => m.id === damaged)).toMatchObject({ id: damaged, damaged: expect.stringMatching(/no JSON/) });
  });

  it('the incident page says so beside its messages, in Dutch and English', async () => {
    const sqlite = new SqliteIncidentStore(store, { readOnly: true });
    try {
      const web = inProcessWebApp({ store: sqlite, policy: DEFAULT_POLICY, now: () => NOW });
      const nl = pageText(await (await web.get(`/incidents/${id}`, 'nl')).text());
      expect(nl).toContain(`BESCHADIGD: bericht ${damaged} kan niet uit de opslag worden gelezen`);
      expect(nl).toContain(`datalek verify ${id}`);
      const en = pageText(await (await web.get(`/incidents/${id}`, 'en')).text());
      expect(en).toContain(`DAMAGED: message ${damaged} cannot be read from the store`);
    } finally {
      await sqlite.close();
    }
  });
});
