/**
 * atk29 A6: "entered later" and "entered after the AP deadline had passed: <time>" gave the stated --now
 * as the moment of entering (show, the register's `enteredLater`, the AP draft's check list, the page):
 * a time before the deadline it was entered after. The moment of entering is the machine's clock the
 * change's clock-stated entry records (a3e02fee judged by it); the stated time stays beside it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { runCli } from '../support/cli.js';
import { inProcessWebApp } from '../support/web-app.js';

const EVENT = 'events/01-ec2-backdoor-command-and-control-high.json'; // AP deadline 2026-11-30T21:14Z
const MACHINE = '2026-12-03T09:48:00.000Z';
const STATED = '2026-11-27T22:00:00Z';

afterEach(() => {
  vi.useRealTimers();
});

async function reportedLate(): Promise<{ store: string; id: string }> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(MACHINE));
  const store = join(mkdtempSync(join(tmpdir(), 'datalek-entered-')), 's');
  const r = await runCli(['replay', EVENT, '--store', store, '--json', '--now', '2026-11-27T21:20:00Z']);
  expect(r.code, r.stderr).toBe(0);
  const id = JSON.parse(r.stdout.split('\n')[0]).incidentId as string;
  const assess = ['assess', id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantdata', '--by', 'fg-piet', '--store', store];
  expect((await runCli([...assess, '--now', STATED])).code).toBe(0);
  const reported = ['reported', id, '--reference', 'M-1', '--by', 'fg-piet', '--store', store, '--now', STATED, '--confirm-stated-time'];
  const done = await runCli(reported);
  expect(done.code, done.stderr).toBe(0);
  return { store, id };
}

describe('a report entered after the AP deadline gives the moment it was entered, not the time stated', () => {
  it('show says when it was entered: the machine’s clock', async () => {
    const { store, id } = await reportedLate();
    const show = (await runCli(['show', id, '--store', store])).stdout;
    expect(show).toContain('entered after the AP deadline had passed: 2026-12-03 10:48 CET; overdue from 2026-11-30 22:14 CET');
    expect(show).not.toContain('had passed: 2026-11-27');
  });

  it('the register’s enteredLater gives the machine’s clock as recorded, in every format', async () => {
    const { store } = await reportedLate();
    const row = JSON.parse((await runCli(['register', '--format', 'json', '--store', store])).stdout)[0];
    expect(row.enteredLater).toContain('ap:initial:M-1 stated 2026-11-27T22:00:00.000Z recorded 2026-12-03T09:48:00.000Z');
    const csv = (await runCli(['register', '--store', store])).stdout;
    expect(csv).toContain('recorded 2026-12-03T09:48:00.000Z');
    const md = (await runCli(['register', '--format', 'md', '--store', store])).stdout;
    expect(md).toMatch(/M-1 [^|]*vastgelegd 2026-12-03 10:48/);
  });

  it('the AP draft’s check list says it was recorded when the machine entered it', async () => {
    const { store, id } = await reportedLate();
    const draft = (await runCli(['draft', id, '--lang', 'en', '--store', store])).stdout;
    expect(draft).toContain('Report M-1 was entered later: dated 2026-11-27 23:00 CET');
    expect(draft).toMatch(/Report M-1 was entered later: dated [^\n]*, recorded 2026-12-03 10:48 CET/);
  });

  it('the incident page gives the moment of entering beside the mark', async () => {
    const { store, id } = await reportedLate();
    const s = new SqliteIncidentStore(store);
    try {
      const web = inProcessWebApp({ store: s, policy: DEFAULT_POLICY, now: () => MACHINE });
      const page = await (await web.get(`/incidents/${id}`, 'en')).text();
      const mark = page.slice(page.indexOf('entered after the AP deadline had passed'), page.indexOf('entered after the AP deadline had passed') + 400);
      expect(mark).toContain('2026-12-03 10:48');
      expect(mark).not.toContain('2026-11-27 23:00');
    } finally {
      await s.close();
    }
  });
});
