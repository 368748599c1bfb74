/**
 * fg27 item 2: the notice to the people affected named a key deactivated on AWS in "Wat hebben wij
 * gedaan?" by its id ("toegangssleutel uitschakelen AKIAEXAMPLEDEPLOY001"): they need to know that a
 * key was deactivated and of which kind, not the id of a person's credential. The AP draft names it
 * by kind and pseudonym since 8cebd6c9; the letter, in plain language, by its kind alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { openCase } from '../support/fg-case.js';

const event = (name: string) => JSON.parse(readFileSync(join(ROOT, 'events', name), 'utf8'));

it.each([
  ['nl', 'Wij hebben deze maatregelen genomen: toegangssleutel uitschakelen (vaste sleutel) (met de hand uitgevoerd door FG'],
  ['en', 'We took these measures: deactivate the access key (long-term key) (carried out by hand by FG'],
])('the notice (%s) names the key deactivated by its kind, not its id', async (lang, said) => {
  const e = event('07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json');
  const keyId = 'AKIAEXAMPLEDEPLOY001';
  const c = await openCase({ events: [e], replayAt: '2026-11-26T10:06:00Z' });
  const at = '2026-11-26T11:00:00Z';
  const ok = (r: { code: number; stderr: string; stdout: string }) => {
    expect(r.code, r.stderr).toBe(0);
    return r;
  };
  ok(await c.cli(['contained', c.id, '--action', `deactivate-access-key:${keyId}`, '--what', 'in de console uitgezet', '--by', 'FG'], at));
  ok(await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantportaal', '--by', 'FG'], at));
  ok(await c.cli(['facts', c.id, '--summary', 'Een toegangssleutel is misbruikt', '--categories', 'naam', '--by', 'FG'], at));
  const letter = ok(await c.cli(['notice', c.id, '--lang', lang], at)).stdout;
  expect(letter).toContain(said);
  expect(letter).not.toContain(keyId);
});

/**
 * The notice named an IAM user behind stolen temporary credentials by the store-wide pseudonym
 * ("sessies van de IAM-gebruiker intrekken iam-user:3806bf2e070380c2"), which with the store's secret
 * finds the incident after minimise unlinked it; what is handed on names it by the incident's own
 * (fg24), as the AP draft does.
 */
it('the notice names an IAM user by the incident own pseudonym, as the draft does', async () => {
  const e = event('26-iam-user-temporary-credentials-anomalous-high.json');
  const c = await openCase({ events: [e], replayAt: '2026-11-27T06:41:00Z' });
  const at = '2026-11-27T07:00:00Z';
  const actions = (await c.json(['show', c.id], at)).actions as { id: string; type: string }[];
  const revoke = actions.find((a) => a.type === 'revoke-user-sessions')?.id as string;
  expect(revoke).toMatch(/^revoke-user-sessions:iam-user:[0-9a-f]{16}$/);
  for (const args of [
    ['contained', c.id, '--action', revoke, '--what', 'sessies ingetrokken', '--by', 'FG'],
    ['assess', c.id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantportaal', '--by', 'FG'],
    ['facts', c.id, '--summary', 'Misbruik van een sessie', '--categories', 'naam', '--by', 'FG'],
  ])
    expect((await c.cli(args, at)).code).toBe(0);
  const r = await c.cli(['notice', c.id], at);
  const draft = JSON.stringify((await c.json(['draft', c.id, '--format', 'json'], at)).sections);
  const own = draft.match(/iam-user:~[0-9a-f]{16}/)?.[0];
  expect(own, draft).toBeDefined();
  // The letter is Markdown: its `~` escaped.
  expect(r.stdout).toContain(`sessies van de IAM-gebruiker intrekken ${own?.replace('~', '\\~')}`);
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/iam-user:[0-9a-f]{16}/);
});
