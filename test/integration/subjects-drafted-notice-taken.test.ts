/**
 * read12a A (5ec65a9, review7 Y5): the text of a communication now takes up to 32,000 characters
 * (MAX_SENT_TEXT_CHARS, "above the longest notice datalek drafts ... so that it is never refused")
 * on the CLI too, where it took any length before (keeping its beginning and hash). But the notice
 * repeats each fact's text (summary, consequences in general and per nature, measures proposed,
 * each up to 8,000 characters, within the record's 64 KB for people's text), so the notice datalek
 * drafts can be longer than 32,000 characters: `subjects --text "$(datalek notice ID)"`, the way the
 * runbook says to record what was sent, is refused with "that is longer than any notice datalek
 * drafts". The communication already went out; the Art. 34 decision cannot be recorded with it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { jsonLines, ROOT, runCli } from '../support/cli.js';

const words = (n: number, seed: string) => Array.from({ length: n }, (_, i) => `${seed}${i % 10}`).join(' ');

it('the notice datalek drafts from facts within their bounds is taken as the text sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-a-notice-'));
  const store = join(dir, 'store');
  const event = JSON.parse(readFileSync(join(ROOT, 'events/01-ec2-backdoor-command-and-control-high.json'), 'utf8'));
  writeFileSync(join(dir, 'events.json'), JSON.stringify([event]));
  const t0 = Date.parse(event.detail.updatedAt);
  const at = (h: number) => new Date(t0 + h * 3_600_000).toISOString();
  const replay = await runCli(['replay', join(dir, 'events.json'), '--store', store, '--json', '--now', at(0.1)]);
  expect(replay.code, replay.stdout).toBe(0);
  const id = jsonLines(replay.stdout)[0].incidentId as string;
  const run = async (args: string[], h: number) => {
    const r = await runCli([...args, '--store', store, '--by', 'FG', '--now', at(h)]);
    expect(r.code, r.stderr).toBe(0);
    return r;
  };
  await run(['assess', id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'cliëntdossiers'], 1);
  // Each text within its own bound (7,000 characters; a longtext takes 8,000).
  const text = (seed: string) => words(700, seed).slice(0, 7000);
  await run(['facts', id, '--summary', text('samenvatting'), '--nature', 'confidentiality,integrity,availability', '--categories', 'naam,adres'], 2);
  await run(['facts', id, '--consequences', text('gevolg')], 3);
  for (const [i, n] of ['confidentiality', 'integrity', 'availability'].entries())
    await run(['facts', id, '--consequences', text(n), '--for', n, '--harm', 'material', '--harm-severity', 'high'], 4 + i);
  await run(['facts', id, '--measures-proposed', text('maatregel')], 8);
  const drafted = await runCli(['notice', id, '--lang', 'nl', '--store', store, '--now', at(9)]);
  expect(drafted.code, drafted.stderr).toBe(0);
  const notice = drafted.stdout;
  // The notice repeats the texts: well over 32,000 characters.
  expect([...notice].length).toBeGreaterThan(32_000);
  const sent = await runCli([
    'subjects',
    id,
    '--decision',
    'inform',
    '--date',
    at(10),
    '--channel',
    'brief',
    '--text',
    notice,
    '--reason',
    'hoog risico',
    '--store',
    store,
    '--by',
    'FG',
    '--now',
    at(10),
  ]);
  // The policy names no FG contact: the letter's "Vragen?" holds "…", said (fg28 item 6), and nothing else.
  expect(sent.stderr).toMatch(/^Warning: the text recorded as what was sent holds "…" where text was left out: under "Vragen\?"\. /);
  expect(sent.code).toBe(0);
});
