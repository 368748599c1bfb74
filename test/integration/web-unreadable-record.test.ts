/**
 * atk29 A7: one incident record datalek cannot read (here `actions: [null]`, edited behind its back)
 * took the page's lists down: the overview, /closed and /register answered 500 and the register's
 * download 400, so every open incident, its clock and its "not acknowledged" vanished from the
 * FG's page while `datalek status` still listed them. The page now does what status and the
 * register do: it leaves the unreadable one out, lists the rest, and says which one and how to check
 * it (`datalek verify ID`), in Dutch and English.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { ROOT } from '../support/cli.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const NOW = '2026-11-27T21:20:00.000Z';
const event = (name: string) => JSON.parse(readFileSync(join(ROOT, 'events', name), 'utf8'));

describe('one unreadable incident record on the page', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let damaged: string;
  let readable: string;
  let web: ReturnType<typeof inProcessWebApp>;
  const logged: string[] = [];

  beforeAll(async () => {
    let dir: string;
    ({ store, cleanup, dir } = tempSqliteStore());
    const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
    damaged = (await recordEvent(deps, event('01-ec2-backdoor-command-and-control-high.json'))).incidentId as string;
    readable = (await recordEvent(deps, event('08-s3-bucket-made-public-anonymous-access.json'))).incidentId as string;
    const db = new Database(join(dir, 'datalek.sqlite'));
    const record = JSON.parse((db.prepare('SELECT data FROM incidents WHERE id = ?').get(damaged) as { data: string }).data);
    db.prepare('UPDATE incidents SET data = ? WHERE id = ?').run(JSON.stringify({ ...record, actions: [null] }), damaged);
    db.close();
    web = inProcessWebApp({ store, policy: DEFAULT_POLICY, now: () => NOW, log: (l) => logged.push(l) });
  });
  afterAll(async () => cleanup());

  it.each([
    ['nl', /Incident (dl-\w+) kan niet uit de opslag worden gelezen \(.+\); het staat niet in deze lijst\. Controleer het met datalek verify \1/],
    ['en', /Incident (dl-\w+) cannot be read from the store \(.+\); it is left out of this list\. Check it with datalek verify \1/],
  ] as const)('in %s, the overview, the closed list and the register list the rest and name the unreadable one', async (lang, notice) => {
    for (const path of ['/', '/closed', '/register']) {
      const res = await web.get(path, lang);
      expect(res.status, path).toBe(200);
      const text = pageText(await res.text());
      expect(text, path).toMatch(notice);
      expect(notice.exec(text)?.[1], path).toBe(damaged);
    }
    expect(await (await web.get('/', lang)).text()).toContain(`href="/incidents/${readable}"`);
    expect(await (await web.get('/register', lang)).text()).toContain(readable);
  });

  it("the register's downloads hold the rest; the page above them said which one they leave out", async () => {
    for (const format of ['csv', 'json', 'md']) {
      const res = await web.get(`/register/export?format=${format}`);
      expect(res.status, format).toBe(200);
      const body = await res.text();
      expect(body, format).toContain(readable);
      expect(body, format).not.toContain(damaged);
    }
    const page = pageText(await (await web.get('/register', 'en')).text());
    expect(page).toMatch(/The downloads below leave it out too\./);
  });

  it("serve's log names it, never its content", async () => {
    logged.length = 0;
    expect((await web.get('/')).status).toBe(200);
    expect(logged.some((l) => l.includes(damaged) && /cannot be read .*; left out of \/: datalek verify /.test(l))).toBe(true);
  });
});
