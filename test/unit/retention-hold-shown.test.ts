/**
 * A retention hold (`datalek minimise ID --hold --reason`, review9 S5) was on the timeline and in
 * `show --json`, but the register and the HTML report the FG defends the record with did not show it:
 * findings kept past the retention period read as a minimisation forgotten, with no reason on record
 * (Art. 5(1)(e), 5(2)). Now the register (its new column `retentionHold`, and the Markdown
 * register's closing cell), the HTML report and the incident page say who holds them, since when and
 * why; the report's and page's list of events names the hold and its release in words.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { REGISTER_COLUMNS, registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { describeEntry, reportHtml } from '../../handlers/core/report-html.js';
import { holdFindings, releaseHold } from '../../handlers/core/retention-hold.js';
import { formatLocal } from '../../handlers/core/time.js';
import { personalEvent } from '../support/personal-finding.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const HELD_AT = '2026-03-01T09:00:00.000Z';
const NOW = '2026-09-01T09:00:00.000Z';
const when = formatLocal(HELD_AT, DEFAULT_POLICY.timeZone);
const REASON = 'claim van betrokkene bij de rechtbank';
const SAID = {
  nl: `De bevindingen worden langer bewaard dan de bewaartermijn, besloten door FG Anna op ${when}: ${REASON}. Ze worden pas geminimaliseerd als dat besluit is opgeheven.`,
  en: `The findings are kept past the retention period, as FG Anna decided on ${when}: ${REASON}. They are minimised only once that hold is released.`,
};

describe('a retention hold is shown in the register, the HTML report and on the page', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let id: string;
  beforeEach(async () => {
    t = tempSqliteStore();
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => '2026-01-10T09:05:00.000Z', canEnforce: false };
    id = (await recordEvent(deps, personalEvent('f0000000000000000000000000000002'))).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens geraakt', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    await holdFindings({ store: t.store, policy: DEFAULT_POLICY, now: () => HELD_AT }, id, { by: 'FG Anna', reason: REASON });
  });
  afterEach(async () => t.cleanup());

  it('the register has it in its last column and in the Markdown closing cell', async () => {
    const incident = (await t.store.getIncident(id)) as Incident;
    expect(registerRow(incident, DEFAULT_POLICY, NOW).retentionHold).toBe(`held at ${HELD_AT} by FG Anna: ${REASON}`);
    expect(REGISTER_COLUMNS).toContain('retentionHold');
    expect(registerMarkdown([incident], DEFAULT_POLICY, NOW, 'nl')).toContain(`langer bewaard: besloten door FG Anna op ${when}: ${REASON}`);
    expect(registerMarkdown([incident], DEFAULT_POLICY, NOW, 'en')).toContain(`kept past the retention period: decided by FG Anna on ${when}: ${REASON}`);
  });

  it('the HTML report says it and names the hold and its release in words; the page says it', async () => {
    const incident = (await t.store.getIncident(id)) as Incident;
    const timeline = await t.store.getTimeline(id);
    for (const lang of ['nl', 'en'] as const) expect(reportHtml(incident, timeline, DEFAULT_POLICY, NOW, lang)).toContain(SAID[lang]);
    const web = inProcessWebApp({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW });
    expect(await (await web.get(`/incidents/${id}`, 'nl')).text()).toContain(SAID.nl);
    await releaseHold({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW }, id, { by: 'FG Bert', reason: 'klacht afgehandeld' });
    const entries = (await t.store.getTimeline(id)).filter((e) => e.kind.startsWith('retention-hold'));
    expect(entries.map((e) => describeEntry(e, 'nl', DEFAULT_POLICY.timeZone))).toEqual([
      `Bevindingen langer bewaard dan de bewaartermijn: ${REASON}`,
      `Langer bewaren opgeheven: klacht afgehandeld (besloten door FG Anna op ${when}: ${REASON})`,
    ]);
    const released = (await t.store.getIncident(id)) as Incident;
    expect(registerRow(released, DEFAULT_POLICY, NOW).retentionHold).toBeNull();
    expect(reportHtml(released, [], DEFAULT_POLICY, NOW, 'nl')).not.toContain('langer bewaard dan de bewaartermijn');
  });
});
