/**
 * Observation 6 of issue #13 and the output parts of 8: finding fields with ANSI/OSC escapes and
 * newlines reached status, show and messages raw (a newline in the type forged a row
 * "dl-0000000000 closed"; cursor-up sequences overwrote earlier lines with "ALL CLEAR"); the CSV
 * guard missed a leading TAB or CR; the HTML report had no Content-Security-Policy and `report`
 * followed symbolic links and overwrote files; `datalek status | head` died on EPIPE with exit 1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { registerCsv, registerRow } from '../../handlers/core/register.js';
import { CHROMIUM_AVAILABLE, launchChromium } from '../support/browser.js';
import { jsonLines, ROOT, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { incidentFixture } from '../support/incidents.js';

const ESC = '\u001b';
// A forged table row, a cursor-up-and-erase that paints "ALL CLEAR", an OSC title change, a C1
// CSI, a lone carriage return, a right-to-left override, and invisible (zero-width and format)
// characters by which a type reads as another (red25).
const HOSTILE_TYPE = `Backdoor:EC2/C&CActivity.B\ndl-0000000000 closed${ESC}[2A${ESC}[2KALL CLEAR${ESC}]0;owned\u0007\u009b2J\rOK\u202Egnp.exe\u200b\u200d\u2060\u2064\ufeff\u061c`;
const HOSTILE_ID = `i-0abc${ESC}[31mRED`;

/** Nothing in the output that a terminal would act on: every control character is shown escaped. */
function expectInert(text: string, { lines = true } = {}) {
  const controls = [...text].filter((c) => {
    const code = c.codePointAt(0) ?? 0;
    return (
      (code < 0x20 && c !== '\n' && c !== '\r') ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069) ||
      (code >= 0x200b && code <= 0x200f) ||
      (code >= 0x2060 && code <= 0x2064) ||
      code === 0xfeff ||
      code === 0x061c
    );
  });
  expect(controls).toEqual([]);
  expect(text.replace(/\r\n/g, '\n')).not.toContain('\r');
  // And no line forged by a newline in a value.
  if (lines) for (const line of text.split('\n')) expect(line.trimStart()).not.toMatch(/^dl-0000000000/);
}

describe('terminal output of hostile finding text', () => {
  let dir: string;
  let store: string;
  let id: string;
  let replay: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-hygiene-'));
    store = join(dir, 'store');
    const file = join(dir, 'hostile.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'hostile', type: HOSTILE_TYPE, instanceId: HOSTILE_ID, createdAt: '2026-11-20T21:00:00Z' })));
    replay = await runCli(['replay', file, '--store', store, '--now', '2026-11-20T21:05:00Z']);
    const json = await runCli(['replay', file, '--store', store, '--json', '--now', '2026-11-20T21:05:00Z']);
    id = jsonLines(json.stdout)[0].incidentId as string;
  });

  it('shows control characters escaped in replay, status, show, messages, sweep and verify', async () => {
    expect(replay.code).toBe(0);
    expectInert(replay.stdout + replay.stderr);
    const outputs = [
      await runCli(['status', '--store', store, '--now', '2026-11-20T22:00:00Z']),
      await runCli(['show', id, '--store', store]),
      await runCli(['messages', id, '--store', store]),
      await runCli(['sweep', '--store', store, '--now', '2026-11-21T21:00:00Z']),
      await runCli(['verify', '--store', store]),
    ];
    for (const r of outputs) {
      expect(r.code, r.stderr).toBe(0);
      expectInert(r.stdout);
      expectInert(r.stderr);
    }
    // The draft is Markdown, whose escaping (lines included) is the draft's own (core/draft.ts);
    // the terminal still gets no control character from it.
    expectInert((await runCli(['draft', id, '--store', store])).stdout, { lines: false });
    const status = outputs[0].stdout.split('\n');
    // One incident: the header, its row, a blank line and the summary; the forged row is inside the cell.
    expect(status.filter((l) => l.startsWith('dl-'))).toHaveLength(1);
    expect(outputs[1].stdout).toContain('\\u000adl-0000000000 closed\\u001b[2A');
    expect(outputs[2].stdout).toContain(`i-0abc\\u001b[31mRED`);
  });

  it('keeps --json valid JSON that holds the value exactly', async () => {
    const r = await runCli(['status', '--store', store, '--json', '--now', '2026-11-20T22:00:00Z']);
    expectInert(r.stdout);
    const [row] = JSON.parse(r.stdout);
    expect(row.findingType).toBe(HOSTILE_TYPE);
    expect(row.resource.id).toBe(HOSTILE_ID);
  });

  it('composes the FG and on-call messages one line per value (they leave by e-mail and SMS too)', async () => {
    const r = await runCli(['messages', id, '--store', store, '--json']);
    for (const m of JSON.parse(r.stdout)) {
      for (const c of ['\n', '\r', ESC]) expect(m.subject).not.toContain(c);
      expect(m.body.split('\n').some((l: string) => l.startsWith('dl-0000000000'))).toBe(false);
      expect(m.body).not.toContain(ESC);
    }
  });
});

describe('the register as CSV', () => {
  it('guards cells that a spreadsheet would run as a formula, also after a leading TAB or CR', () => {
    const rows = ['=1+1', '+1', '-1', '@SUM(A1)', '\t=HYPERLINK("http://x")', '\r=1+1'].map((t, i) =>
      registerRow(incidentFixture({ id: `dl-csv${i}`, findingType: t }), DEFAULT_POLICY, '2026-11-28T00:00:00.000Z'),
    );
    const csv = registerCsv(rows);
    for (const t of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=HYPERLINK(""http://x"")', '\r=1+1']) expect(csv).toContain(`"'${t}"`);
  });
});

describe('the HTML report', () => {
  let dir: string;
  let store: string;
  let id: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-report-'));
    store = join(dir, 'store');
    const file = join(dir, 'e.json');
    writeFileSync(file, JSON.stringify(findingEvent({ type: `Backdoor:EC2/<img src=x onerror=alert(1)>`, createdAt: '2026-11-20T21:00:00Z' })));
    id = jsonLines((await runCli(['replay', file, '--store', store, '--json', '--now', '2026-11-20T21:05:00Z'])).stdout)[0].incidentId as string;
  });

  it('carries a strict Content-Security-Policy that allows only its own stylesheet, by hash', async () => {
    const file = join(dir, 'csp.html');
    expect((await runCli(['report', id, '--html', file, '--store', store])).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|script-src/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
  });

  it.skipIf(!CHROMIUM_AVAILABLE)('renders its style in Chromium under that policy, and nothing is refused', async () => {
    const file = join(dir, 'render.html');
    await runCli(['report', id, '--html', file, '--store', store]);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const refused: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
      });
      await page.goto(`file://${file}`);
      // The page's own stylesheet applies (its hash is in the policy): the body's font is 14px.
      expect(
        await page
          .locator('body')
          .evaluate((body) => (body.ownerDocument.defaultView as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(body).fontSize),
      ).toBe('14px');
      expect(await page.locator('img').count()).toBe(0);
      expect(refused).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('refuses to overwrite a file or follow a symbolic link without --force', async () => {
    const existing = join(dir, 'existing.html');
    writeFileSync(existing, 'keep me');
    const r1 = await runCli(['report', id, '--html', existing, '--store', store]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/exists: not overwritten; --force replaces it/);
    expect(readFileSync(existing, 'utf8')).toBe('keep me');

    const target = join(dir, 'target.txt');
    writeFileSync(target, 'a file the link points to');
    const link = join(dir, 'link.html');
    symlinkSync(target, link);
    const r2 = await runCli(['report', id, '--html', link, '--store', store]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/a symbolic link, which is never followed/);
    const dangling = join(dir, 'dangling.html');
    symlinkSync(join(dir, 'not-yet.txt'), dangling);
    expect((await runCli(['report', id, '--html', dangling, '--store', store])).code).toBe(2);
    expect(existsSync(join(dir, 'not-yet.txt'))).toBe(false);

    // --force replaces the link itself; the file it pointed to is untouched.
    expect((await runCli(['report', id, '--html', link, '--store', store, '--force'])).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(readFileSync(link, 'utf8')).toContain('<!doctype html>');
    expect(readFileSync(target, 'utf8')).toBe('a file the link points to');
  });
});

describe('a closed pipe', () => {
  it('ends `datalek status | head` quietly with exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-pipe-'));
    const file = join(dir, 'e.json');
    writeFileSync(file, JSON.stringify(findingEvent({ createdAt: '2026-11-20T21:00:00Z' })));
    await runCli(['replay', file, '--store', join(dir, 'store'), '--now', '2026-11-20T21:05:00Z']);
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'bin/datalek.mjs'), 'status', '--store', join(dir, 'store')], { cwd: ROOT });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      // The reader is gone before the first line: every write meets a closed pipe.
      child.stdout.destroy();
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // And as a shell pipeline.
    const piped = spawnSync('bash', ['-c', `node bin/datalek.mjs status --store ${join(dir, 'store')} | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(piped.stdout.trim()).toBe('0');
  });
});
