/**
 * red27 #6: the reasons for a delay are what the AP is given (Art. 33(1)), kept in the register as given.
 * `reported --delay-reason` on the command line warned of a template's placeholders ([datum], XXX, TODO,
 * <...>) and of "…" left in them (e8a4049c); the page's report forms did not, nor did `assess
 * --delay-reason` (the reasons a move of awareness owes, which the draft gives the AP too) anywhere.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { ORGANISATION, openCase } from '../support/fg-case.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { inProcessWebApp } from '../support/web-app.js';

const WARNING = /Warning: the reasons for the delay recorded as given to the AP hold placeholders still to be filled in: "\[datum\]"/;

it('assess --delay-reason warns of placeholders, as reported --delay-reason does; reasons written out go without', async () => {
  const c = await openCase();
  const ok = async (args: string[], now: string) => {
    const r = await c.cli(args, now);
    expect(r.code, r.stderr).toBe(0);
    return r;
  };
  await ok(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantgegevens', '--by', 'FG'], '2025-11-28T09:00:00Z');
  await ok(['reported', c.id, '--reference', 'M-1', '--at', '2025-11-30T20:00:00Z', '--by', 'FG'], '2025-11-30T20:05:00Z');
  // A customer called before GuardDuty's detection: the report made at 20:00 on the 30th is late from then.
  const earlier = (awareAt: string, reasons: string) => [
    'assess',
    c.id,
    '--aware-at',
    awareAt,
    '--aware-reason',
    'klant belde',
    '--reason',
    'correctie',
    '--confirm-stated-time',
    '--delay-reason',
    reasons,
    '--by',
    'FG',
  ];
  expect((await ok(earlier('2025-11-27T12:00:00Z', 'de leverancier meldde het pas op [datum]'), '2025-12-01T09:00:00Z')).stderr).toMatch(WARNING);
  expect((await ok(earlier('2025-11-27T11:00:00Z', 'de leverancier meldde het pas op 30 november'), '2025-12-01T09:05:00Z')).stderr).not.toMatch(
    /placeholders/,
  );
});

it('on the web page, a report recorded with placeholders in its reasons for the delay says so in its message', async () => {
  const c = await openCase();
  const at = '2025-12-01T09:00:00Z';
  expect((await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantgegevens', '--by', 'FG'], at)).code).toBe(0);
  const store = new SqliteIncidentStore(join(c.dir, 'store'));
  try {
    const web = inProcessWebApp({ store, policy: parsePolicy({ organisation: ORGANISATION }), now: () => new Date(at).toISOString() });
    const post = async (kind: string, reasons: string) => {
      const html = await (await web.get(`/incidents/${c.id}`, 'nl')).text();
      const fields = { reference: 'M-1', kind, 'delay-reason': reasons };
      const res = await web.post(`/incidents/${c.id}/reported`, { _csrf: csrfOf(html), ...formBase(html, 'reported'), ...fields }, 'nl');
      expect(res.status, pageText(await res.clone().text()).slice(0, 600)).toBe(303);
      return pageText(await (await web.get(res.headers.get('location') as string, 'nl')).text());
    };
    const warning = 'Let op: de redenen voor de vertraging, vastgelegd als wat de AP is gegeven, bevatten plaatshouders';
    expect(await post('initial', 'de leverancier meldde het pas op [datum]; TODO')).toContain(warning);
    expect(await post('follow-up', 'de leverancier meldde het pas op 30 november')).not.toContain(warning);
  } finally {
    await store.close();
  }
});
