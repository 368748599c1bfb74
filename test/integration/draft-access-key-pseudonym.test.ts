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

it.each([
  ['07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json', 'AKIAEXAMPLEDEPLOY001', 'long-term-key'],
  ['26-iam-user-temporary-credentials-anomalous-high.json', 'ASIAEXAMPLESESSION01', 'temporary-key'],
])('the draft names the key of %s by its kind and pseudonym, not its id', async (file, keyId, kind) => {
  const e = event(file);
  const c = await openCase({ events: [e], replayAt: new Date(Date.parse(e.detail.updatedAt) + 60_000).toISOString() });
  const when = new Date(Date.parse(e.detail.updatedAt) + 3_600_000).toISOString();
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
