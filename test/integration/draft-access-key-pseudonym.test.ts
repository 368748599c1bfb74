/**
 * fg26 item 5: the AP draft named the stolen access key by its id ("on access key
 * AKIAEXAMPLEDEPLOY001", "deactivate the access key AKIA…"): the AP does not need the id of a
 * person's credential. The draft's sections name it by the kind of credential and the incident's own
 * pseudonym; `show` gives that pseudonym beside the id, so the FG can match what the AP was told.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { openCase } from '../support/fg-case.js';

const event = (name: string) => JSON.parse(readFileSync(join(ROOT, 'events', name), 'utf8'));

/** The events of a stolen long-term key and of stolen temporary credentials: file, key id, kind. */
const KEYS = [
  ['07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json', 'AKIAEXAMPLEDEPLOY001', 'long-term-key'],
  ['26-iam-user-temporary-credentials-anomalous-high.json', 'ASIAEXAMPLESESSION01', 'temporary-key'],
];

/** The incident the event of `file` opens, and a time an hour after it. */
async function opened(file: string) {
  const e = event(file);
  const c = await openCase({ events: [e], replayAt: new Date(Date.parse(e.detail.updatedAt) + 60_000).toISOString() });
  return { c, when: new Date(Date.parse(e.detail.updatedAt) + 3_600_000).toISOString() };
}

it.each(KEYS)('the draft names the key of %s by its kind and pseudonym, not its id', async (file, keyId, kind) => {
  const { c, when } = await opened(file);
  const shown = (await c.cli(['show', c.id], when)).stdout;
  const pseudonym = shown.match(
    new RegExp(`pseudonym +(${kind}:~[0-9a-f]{16}) in the AP draft \\(this incident's own pseudonym of access key ${keyId}\\)`),
  )?.[1];
  expect(pseudonym, shown).toBeDefined();
  for (const lang of ['nl', 'en']) {
    const draft = await c.json(['draft', c.id, '--lang', lang, '--format', 'json'], when);
    const sections = JSON.stringify(draft.sections);
    expect(sections).not.toContain(keyId);
    expect(sections).toContain(pseudonym);
  }
  // The report's copy of the draft's sections too.
  const html = join(c.dir, 'report.html');
  expect((await c.cli(['report', c.id, '--html', html], when)).code).toBe(0);
  const sections = readFileSync(html, 'utf8')
    .split('<h2>')
    .find((s) => s.startsWith('Feiten'));
  expect(sections).toContain(pseudonym);
  expect(sections).not.toContain(keyId);
});

/**
 * fg28 item 7: the HTML report's header ("AccessKey AKIAEXAMPLEDEPLOY001 · account …") and the
 * register's resource named the key by its id while the draft beside them names it by kind and
 * pseudonym: the key id is personal data of a user, and the register and the report are handed on
 * (to an auditor, the AP on request). They name it as the draft does; `show` keeps the id beside it.
 */
it.each(KEYS)('the report header and the register name the key of %s as the draft does', async (file, keyId, kind) => {
  const { c, when } = await opened(file);
  const draft = JSON.stringify((await c.json(['draft', c.id, '--format', 'json'], when)).sections);
  const pseudonym = draft.match(new RegExp(`${kind}:~[0-9a-f]{16}`))?.[0] as string;
  expect(pseudonym, draft).toBeDefined();
  const html = join(c.dir, 'report.html');
  expect((await c.cli(['report', c.id, '--html', html], when)).code).toBe(0);
  const header = readFileSync(html, 'utf8').split('<h2>')[0];
  expect(header).toContain(pseudonym);
  expect(header).not.toContain(keyId);
  const [row] = await c.json(['register', '--format', 'json'], when);
  expect(row.resource).toContain(pseudonym);
  for (const format of ['json', 'csv', 'md']) {
    const r = await c.cli(['register', '--format', format], when);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout, format).not.toContain(keyId);
  }
});
