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
 * finds the incident after minimise unlinked it (fg27); then by the incident's own ("iam-user:\\~…"),
 * the pseudonym's internal form, which tells the people affected nothing (fg28 item 4). The letter
 * says it in words, as it names an access key by its kind alone; the AP draft keeps the pseudonym.
 */
it.each([
  ['nl', 'sessies van de IAM-gebruiker intrekken (IAM-gebruiker, naam gepseudonimiseerd)'],
  ['en', "revoke the IAM user's sessions (IAM user, name pseudonymised)"],
])('the notice (%s) names an IAM user in words, not by a pseudonym', async (lang, said) => {
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
  const r = await c.cli(['notice', c.id, '--lang', lang], at);
  expect(r.code, r.stderr).toBe(0);
  const draft = JSON.stringify((await c.json(['draft', c.id, '--format', 'json'], at)).sections);
  // The AP draft names it by the incident's own pseudonym (fg24), for the FG to match it with show.
  expect(draft).toMatch(/iam-user:~[0-9a-f]{16}/);
  expect(r.stdout).toContain(said);
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/iam-user:\\?~?[0-9a-f]{16}/);
});
