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
