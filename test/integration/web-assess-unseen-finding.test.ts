/**
 * The FG's first assessment on the page, while a storm of findings brings a
 * finding of a new type (exfiltration on the instance she assesses as a miner) between the page
 * being drawn and her post. Her page never showed it; the record then holds her assessment after
 * that finding, as if she assessed it, and no review is asked (a finding before an assessment asks
 * none). A later assessment was protected already (a new type after it asks a review, which makes
 * her page out of date); the first was not: the page now also carries the finding types it showed.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const now = () => '2026-11-28T08:00:00.000Z';
let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it('a finding of a new type after the assess page was drawn makes the page out of date: her first assessment is not recorded as if she saw it', async () => {
  const deps = { store: t.store, policy, now, canEnforce: false };
  const opened = await recordEvent(
    deps,
    findingEvent({ id: 'a'.repeat(32), instanceId: 'i-0miner', type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', severity: 8 }),
  );
  const id = opened.incidentId as string;
  const web = inProcessWebApp({ store: t.store, policy, now });
  const html = await (await web.get(`/incidents/${id}`, 'en')).text();
  expect(pageText(html)).not.toContain('Trojan:EC2/DNSDataExfiltration');
  // The storm: exfiltration on the same instance, while her page is open.
  const exfil = await recordEvent(deps, findingEvent({ id: 'b'.repeat(32), instanceId: 'i-0miner', type: 'Trojan:EC2/DNSDataExfiltration', severity: 8 }));
  expect(exfil).toMatchObject({ outcome: 'attached', incidentId: id });
  const res = await web.post(
    `/incidents/${id}/assess`,
    { _csrf: csrfOf(html), ...formBase(html, 'assess'), 'personal-data': 'no', risk: 'none', reason: 'a miner: no personal data' },
    'en',
  );
  // Refused as out of date, the page showing the exfiltration: she assesses again on what it holds.
  expect(res.status).toBe(400);
  const page = pageText(await res.text());
  expect(page).toContain('The assessment changed, or a new finding asks for a new one, since you opened this page. Nothing was recorded');
  expect(page).toContain('Trojan:EC2/DNSDataExfiltration');
  expect((await t.store.getIncident(id))?.assessment).toBeFalsy();
  // Sent again from the page as it is now, each type it lists ticked (as `assess --finding-types`), it is recorded.
  const current = await (await web.get(`/incidents/${id}`, 'en')).text();
  expect(current).toMatch(/<form [^>]*id="assess"[\s\S]*?name="finding-types" value="Trojan:EC2\/DNSDataExfiltration"/);
  // readA16 A3: the Dutch hint says what happens with one left unticked: nothing is recorded.
  expect(pageText(await (await web.get(`/incidents/${id}`, 'nl')).text())).toContain('laat u een soort onaangevinkt, dan wordt er niets vastgelegd.');
  const again = await web.post(
    `/incidents/${id}/assess`,
    {
      _csrf: csrfOf(html),
      ...formBase(current, 'assess'),
      'personal-data': 'yes',
      risk: 'high',
      reason: 'exfiltration',
      'finding-types': 'CryptoCurrency:EC2/BitcoinTool.B!DNS,Trojan:EC2/DNSDataExfiltration',
    },
    'en',
  );
  expect(again.status).toBe(303);
  expect((await t.store.getIncident(id))?.assessment).toMatchObject({ personalData: 'yes', risk: 'high' });
});
