/**
 * atk29 A4: a drill copy's outputs carried no drill mark but on stderr and in its messages: the AP
 * draft, the Art. 34 notice, the register, show/status and the HTML report of a drill read exactly as
 * the record's, so a drill's draft could go to the AP and a practice decision land in the real store.
 * Every output a person could hand on or mistake now says OEFENING / DRILL (text: in its heading;
 * JSON: a `drill` field; CSV: a `drill` column), and the real store's outputs stay as they were.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

const NOW = '2026-11-20T21:05:00Z';
const MARK = /OEFENING|DRILL/;

describe('a drill copy marks every output a person could mistake for the record', () => {
  let dir: string;
  let real: string;
  let drill: string;
  let id: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-drill-marked-'));
    real = join(dir, 'store');
    drill = join(dir, 'drill');
    const events = join(dir, 'e.json');
    writeFileSync(events, JSON.stringify(findingEvent({ createdAt: '2026-11-20T21:00:00Z' })));
    const replay = await runCli(['replay', events, '--store', real, '--json', '--now', NOW]);
    id = jsonLines(replay.stdout)[0].incidentId as string;
    expect((await runCli(['drill', '--from', real, '--store', drill])).code).toBe(0);
  });

  const run = (store: string, args: string[]) => runCli([...args, '--store', store, '--now', NOW]);

  it.each([
    ['draft', ['draft', '__ID__']],
    ['draft --lang en', ['draft', '__ID__', '--lang', 'en']],
    ['notice', ['notice', '__ID__']],
    ['register --format md', ['register', '--format', 'md']],
    ['register (csv)', ['register']],
    ['show', ['show', '__ID__']],
    ['status', ['status']],
  ])('%s: marked in its text on a drill, not on the real store', async (_name, args) => {
    const argv = args.map((a) => (a === '__ID__' ? id : a));
    const onReal = await run(real, argv);
    expect(onReal.code, onReal.stderr).toBe(0);
    expect(onReal.stdout).not.toMatch(MARK);
    const onDrill = await run(drill, argv);
    expect(onDrill.code, onDrill.stderr).toBe(0);
    // In the first lines, where a reader starts: the heading, the CSV's header, the table's top.
    expect(onDrill.stdout.split('\n').slice(0, 3).join('\n')).toMatch(MARK);
  });

  it('names the drill in the heading of the draft and the notice', async () => {
    const draft = await run(drill, ['draft', id, '--lang', 'nl']);
    expect(draft.stdout.split('\n')[0]).toMatch(/^# OEFENING \/ DRILL/);
    const notice = await run(drill, ['notice', id, '--lang', 'en']);
    expect(notice.stdout.split('\n')[0]).toMatch(/^# DRILL \/ OEFENING/);
  });

  it.each([
    ['draft --format json', ['draft', '__ID__', '--format', 'json']],
    ['notice --format json', ['notice', '__ID__', '--format', 'json']],
    ['show --json', ['show', '__ID__', '--json']],
  ])('%s: a drill field naming the copy, none on the real store', async (_name, args) => {
    const argv = args.map((a) => (a === '__ID__' ? id : a));
    expect(JSON.parse((await run(real, argv)).stdout).drill).toBeUndefined();
    const onDrill = JSON.parse((await run(drill, argv)).stdout);
    expect(onDrill.drill).toMatchObject({ from: real });
  });

  it.each([
    ['status --json', ['status', '--json']],
    ['register --format json', ['register', '--format', 'json']],
  ])('%s: every item carries the drill field, none on the real store', async (_name, args) => {
    const onReal = JSON.parse((await run(real, args)).stdout) as Record<string, unknown>[];
    expect(onReal.length).toBeGreaterThan(0);
    expect(onReal.every((i) => i.drill === undefined)).toBe(true);
    const onDrill = JSON.parse((await run(drill, args)).stdout) as Record<string, unknown>[];
    expect(onDrill.length).toBe(onReal.length);
    expect(onDrill.every((i) => (i.drill as { from?: string } | undefined)?.from === real)).toBe(true);
  });

  it('the register CSV gains a drill column on a drill only', async () => {
    const header = (csv: string) => csv.split('\n')[0].split(',');
    const onReal = await run(real, ['register', '--format', 'csv']);
    const onDrill = await run(drill, ['register', '--format', 'csv']);
    expect(header(onReal.stdout)).not.toContain('drill');
    expect(header(onDrill.stdout)).toEqual([...header(onReal.stdout), 'drill']);
    expect(onDrill.stdout.split('\n')[1]).toMatch(/DRILL/);
  });

  it('the HTML report of a drill says so in its title and at its top', async () => {
    const realFile = join(dir, 'real.html');
    const drillFile = join(dir, 'drill.html');
    expect((await run(real, ['report', id, '--html', realFile])).code).toBe(0);
    expect((await run(drill, ['report', id, '--html', drillFile])).code).toBe(0);
    expect(readFileSync(realFile, 'utf8')).not.toMatch(MARK);
    const html = readFileSync(drillFile, 'utf8');
    expect(html).toMatch(/<title>OEFENING \/ DRILL/);
    expect(html).toMatch(/<p class="drill"[^>]*>.*OEFENING/);
  });
});
