import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { blankText } from '../../handlers/core/text.js';
import { runCli } from '../support/cli.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const EVENT = 'events/01-ec2-backdoor-command-and-control-high.json'; // created 2026-11-27T21:14Z: AP deadline 2026-11-30T21:14Z

/** Each a whole text that shows as nothing: format characters, a Hangul or Braille filler, a combining mark alone. */
const INVISIBLE = ['\u200b', '\u2060', '\u3164', '\u115f', '\u2800', '\u00ad', '\u034f', '\u200b \u2060', '\ufeff', '\u00a0'];

async function opened(): Promise<{ store: string; id: string }> {
  const store = join(mkdtempSync(join(tmpdir(), 'datalek-invisible-')), 's');
  const r = await runCli(['replay', EVENT, '--store', store, '--json', '--now', '2026-11-27T21:20:00Z']);
  expect(r.code, r.stderr).toBe(0);
  return { store, id: JSON.parse(r.stdout.split('\n')[0]).incidentId };
}

/**
 * atk28 F10: a reason, a name, a reference or the reasons for a delay of nothing but invisible
 * characters (U+200B and the like) was taken as a whole text: a decision with no reason in the
 * register (Art. 33(5)), a report with no reference. Such a text is refused as an empty one is,
 * naming the field, on the command line and on the page.
 */
describe('a required text of invisible characters only', () => {
  it('is blank by the one test every text is read with, and a visible one with them is not', () => {
    for (const t of INVISIBLE) expect(blankText(t), JSON.stringify(t)).toBe(true);
    for (const t of ['x', 'e\u0301', '\u200bklantdata', '한', '\u2801']) expect(blankText(t), JSON.stringify(t)).toBe(false);
  });

  it('is refused on the command line, naming the flag: --reason, --by, --reference, --delay-reason, --what', async () => {
    const { store, id } = await opened();
    const cli = (args: string[], now: string) => runCli([...args, '--store', store, '--now', now]);
    const assess = (over: Record<string, string>) =>
      cli(
        ['assess', id, ...Object.entries({ 'personal-data': 'yes', risk: 'risk', reason: 'klantdata', by: 'fg', ...over }).flatMap(([k, v]) => [`--${k}`, v])],
        '2026-11-28T10:00:00Z',
      );
    for (const t of INVISIBLE) {
      for (const flag of ['reason', 'by']) {
        const r = await assess({ [flag]: t });
        expect(r.code, `${flag} ${JSON.stringify(t)}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(`--${flag}`);
      }
    }
    expect((await assess({})).code).toBe(0);
    const report = (over: Record<string, string>) =>
      cli(
        ['reported', id, ...Object.entries({ reference: 'M-1', by: 'fg', at: '2026-12-01T10:00:00Z', ...over }).flatMap(([k, v]) => [`--${k}`, v])],
        '2026-12-01T11:00:00Z',
      );
    for (const t of INVISIBLE) {
      const ref = await report({ reference: t, 'delay-reason': 'laat ontdekt' });
      expect(ref.code, ref.stderr).toBe(2);
      expect(ref.stderr).toContain('--reference');
      const delay = await report({ 'delay-reason': t });
      expect(delay.code, delay.stderr).toBe(2);
      expect(delay.stderr).toContain('--delay-reason');
    }
    const open = await runCli([
      'open',
      '--what',
      '\u2800',
      '--aware-at',
      '2026-11-27T22:00:00Z',
      '--by',
      'fg',
      '--store',
      store,
      '--now',
      '2026-11-28T10:00:00Z',
    ]);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('--what');
    const row = JSON.parse((await runCli(['register', '--format', 'json', '--store', store])).stdout)[0];
    expect(row.apInitialReference ?? null).toBeNull();
  });

  it('is refused on the page beside its field, nothing recorded', async () => {
    const t = tempSqliteStore();
    try {
      const now = '2026-11-28T08:00:00.000Z';
      await t.store.commit({ incident: incidentFixture({ id: 'dl-inv' }), expectedRevision: null, timeline: [], messages: [] });
      const web = inProcessWebApp({ store: t.store, policy: DEFAULT_POLICY, now: () => now });
      const page = await (await web.get('/incidents/dl-inv')).text();
      for (const reason of ['\u200b', '\u3164', '\u034f']) {
        const res = await web.post('/incidents/dl-inv/assess', {
          _csrf: csrfOf(page),
          ...formBase(page, 'assess'),
          'personal-data': 'yes',
          risk: 'risk',
          reason,
        });
        expect(res.status).toBe(400);
        expect(pageText(await res.text())).toContain('Een motivering is verplicht');
      }
      expect((await t.store.getIncident('dl-inv'))?.assessment).toBeUndefined();
    } finally {
      await t.cleanup();
    }
  });
});
