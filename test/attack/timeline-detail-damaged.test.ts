/**
 * sto28 "noticed" (atk28 F15 minor): one timeline row whose detail is JSON `null`, or another shape
 * datalek never writes (a number, a list, a string, text that is no JSON), edited behind the
 * pipeline, made `show ID` and `report ID --html` die with exit 3 ("unexpected failure: TypeError"
 * or a SyntaxError, naming nothing), and a row that is no JSON took the register and the page's
 * incident view down with it. The row is now read as damaged: every reader shows the rest of the
 * timeline and names that entry (its incident and number) as damaged; verify names it too.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { ROOT, runCli } from '../support/cli.js';
import { pageText } from '../support/serve.js';
import { inProcessWebApp } from '../support/web-app.js';

const NOW = '2026-11-27T21:20:00Z';
const LATER = '2026-11-28T10:00:00Z';
const EC2 = join(ROOT, 'events/01-ec2-backdoor-command-and-control-high.json');

/** The detail text put in place of entry 2's (incident-opened), and how datalek names it. */
const SHAPES: { text: string; names: string }[] = [
  { text: 'null', names: 'its detail is null, not an object' },
  { text: '5', names: 'its detail is a number, not an object' },
  { text: '[1]', names: 'its detail is a list, not an object' },
  { text: '"x"', names: 'its detail is a string, not an object' },
  { text: 'nojson', names: 'its detail is not valid JSON' },
];

describe('a timeline row whose detail is not an object (sto28, atk28 F15 minor)', () => {
  let dir: string;
  let store: string;
  let id: string;
  const cli = (...args: string[]) => runCli([...args, '--store', store, ...(args.includes('--now') ? [] : ['--now', LATER])]);
  const damage = (seq: number, text: string) => {
    const db = new Database(join(store, 'datalek.sqlite'));
    try {
      db.prepare('UPDATE timeline SET detail = ? WHERE incident_id = ? AND seq = ?').run(text, id, seq);
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-detail-damaged-'));
    store = join(dir, 'store');
    const out = await runCli(['replay', EC2, '--store', store, '--now', NOW, '--json']);
    id = (JSON.parse(out.stdout.trim().split('\n')[0]) as { incidentId: string }).incidentId;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const shape of SHAPES) {
    it(`show names the entry as damaged and shows the rest (${shape.text})`, async () => {
      damage(2, shape.text);
      const out = await cli('show', id);
      expect(out.stderr).not.toMatch(/unexpected failure|TypeError|SyntaxError/);
      expect(out.code).toBe(0);
      expect(out.stderr).toContain(`datalek: incident ${id}, entry 2 (incident-opened): ${shape.names}: the entry is damaged; datalek verify ${id}`);
      expect(out.stdout).toContain(`DAMAGED: ${shape.names}`);
      // The rest: the entries after it, and the record.
      expect(out.stdout).toContain('containment-planned');
      expect(out.stdout).toContain('notification-queued');
      expect(out.stdout).toContain('Backdoor:EC2/C&CActivity.B!DNS');

      const json = await cli('show', id, '--json');
      expect(json.stderr).not.toMatch(/unexpected failure/);
      expect(json.code).toBe(0);
      const timeline = (JSON.parse(json.stdout) as { timeline: { seq: number; kind: string; detail: unknown; damaged?: string }[] }).timeline;
      expect(timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(timeline[1]).toMatchObject({ kind: 'incident-opened', detail: {}, damaged: shape.names });
      expect(timeline[2].damaged).toBeUndefined();
    });

    it(`report --html writes the report, naming the entry as damaged (${shape.text})`, async () => {
      damage(2, shape.text);
      const file = join(dir, 'report.html');
      const out = await cli('report', id, '--html', file, '--lang', 'en');
      expect(out.stderr).not.toMatch(/unexpected failure|TypeError|SyntaxError/);
      expect(out.code).toBe(0);
      expect(out.stderr).toContain(`datalek: incident ${id}, entry 2 (incident-opened): ${shape.names}: the entry is damaged`);
      const text = pageText(readFileSync(file, 'utf8'));
      expect(text).toContain(`Entry damaged: ${shape.names} (datalek verify ${id})`);
      expect(text).toContain('Containment isolate the EC2 instance i-0a1b2c3d4e5f60718: planned');
    });

    it(`verify names the entry, and register, status and the sweep read the rest (${shape.text})`, async () => {
      damage(2, shape.text);
      const verify = await cli('verify', id);
      expect(verify.code).toBe(1);
      expect(verify.stderr).toContain(`incident ${id}, entry 2:`);
      expect(verify.stderr).toMatch(/entry 2: its detail is (not valid JSON|.*not an object): the entry is damaged/);
      for (const args of [['register'], ['register', '--format', 'json'], ['status', '--json'], ['sweep', '--now', '2026-11-30T12:00:00Z', '--json']]) {
        const out = await cli(...args);
        expect(out.stderr, args.join(' ')).not.toMatch(/unexpected failure|TypeError|SyntaxError/);
        expect(out.code, args.join(' ')).toBe(0);
        expect(out.stdout, args.join(' ')).toContain(id);
      }
    });

    it(`the page's incident view shows the rest and names the entry as damaged (${shape.text})`, async () => {
      damage(2, shape.text);
      const sqlite = new SqliteIncidentStore(store);
      try {
        const web = inProcessWebApp({ store: sqlite, policy: DEFAULT_POLICY, now: () => LATER });
        for (const [lang, said] of [
          ['en', `Entry damaged: ${shape.names} (datalek verify ${id})`],
          ['nl', `Regel beschadigd: het detail is geen JSON-object (datalek verify ${id})`],
        ] as const) {
          const res = await web.get(`/incidents/${id}`, lang);
          expect(res.status, lang).toBe(200);
          const text = pageText(await res.text());
          expect(text, lang).toContain(said);
          expect(text, lang).toContain('i-0a1b2c3d4e5f60718');
        }
        const report = await web.get(`/incidents/${id}/report.html`, 'en');
        expect(report.status).toBe(200);
      } finally {
        await sqlite.close();
      }
    });
  }
});
