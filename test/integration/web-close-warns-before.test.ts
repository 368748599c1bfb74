/**
 * fg28 item 5: the close form warned of containment still planned only after closing (the message
 * that came back with the result, fg26 item 1): by then it can no longer be recorded as carried out
 * or not to be done. The record holds the steps when the page is drawn: the form names them before
 * the FG closes, and the message after closing still says so. The Art. 34 form, whose text is known
 * only when sent, says before sending what the text recorded must not hold.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { ORGANISATION, openCase } from '../support/fg-case.js';
import { pageText } from '../support/serve.js';
import { inProcessWebApp } from '../support/web-app.js';

const at = '2025-11-28T09:00:00Z';

/** The text of the form `id` on the incident page, in `lang`. */
async function formText(dir: string, id: string, formId: string, lang: 'nl' | 'en'): Promise<string> {
  const store = new SqliteIncidentStore(join(dir, 'store'));
  try {
    const web = inProcessWebApp({ store, policy: parsePolicy({ organisation: ORGANISATION }), now: () => new Date(at).toISOString() });
    const html = await (await web.get(`/incidents/${id}`, lang)).text();
    const form = new RegExp(`<form [^>]*id="${formId}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
    expect(form, `premise: the page offers ${formId}`).not.toBeNull();
    return pageText(form?.[1] ?? '');
  } finally {
    await store.close();
  }
}

it.each([
  ['nl', 'Let op: deze inperking staat nog gepland en is niet als uitgevoerd vastgelegd: EC2-instantie isoleren'],
  ['en', 'Note: this containment is still planned, not recorded as carried out: isolate the EC2 instance'],
] as const)('the close form (%s) names the containment still planned before closing', async (lang, said) => {
  const c = await openCase();
  expect((await c.cli(['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--reason', 'testserver', '--by', 'FG'], at)).code).toBe(0);
  const text = await formText(c.dir, c.id, 'close', lang);
  expect(text).toContain(said);
  // Each step carried out by hand: none is named any more.
  const planned = ((await c.json(['show', c.id], at)).actions as { id: string; status: string }[]).filter((a) => a.status === 'planned');
  expect(planned.length, 'premise: steps planned').toBeGreaterThan(0);
  for (const a of planned) expect((await c.cli(['contained', c.id, '--action', a.id, '--what', 'met de hand gedaan', '--by', 'FG'], at)).code).toBe(0);
  expect(await formText(c.dir, c.id, 'close', lang)).not.toContain(said.split(':')[0]);
});

it('the Art. 34 form says before sending that the text recorded is the letter as sent, without notes or "…"', async () => {
  const c = await openCase();
  expect((await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantdossiers', '--by', 'FG'], at)).code).toBe(0);
  expect(await formText(c.dir, c.id, 'subjects', 'nl')).toContain(
    'De tekst van het bericht is wat de betrokkenen is verteld, zoals verstuurd: zonder de notities voor de afzender en zonder "…"',
  );
});
