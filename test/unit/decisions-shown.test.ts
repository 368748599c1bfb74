/**
 * What the FG decided must be readable wherever the decision is shown, not only in the CSV and JSON
 * register: review7 G20 (informing needs the text of the communication, `--text`) and G2 ("no risk"
 * beside special categories needs an explicit confirmation with its own reason) were kept in the
 * record, but the incident page, the HTML report (`datalek report --html`), the Markdown register
 * and `datalek show` showed neither what the data subjects were told nor that "no risk" was
 * confirmed beside special categories, and why. The text is people's text: escaped everywhere.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showText } from '../../handlers/cli/views.js';
import { escapeMarkdown } from '../../handlers/core/draft.js';
import { assess, decideSubjects, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerMarkdown } from '../../handlers/core/register.js';
import { escapeHtml, reportHtml } from '../../handlers/core/report-html.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const TEXT = 'Beste klant | <script>alert(1)</script> & *wijzig* uw wachtwoord';
const WHY = 'één medewerker zag het, bevestigd gewist';
const MARK = {
  nl: `"geen risico" bevestigd naast bijzondere persoonsgegevens (gezondheidsgegevens, medisch dossier; onbegrijpelijk: nee): ${WHY}`,
  en: `"no risk" confirmed beside special categories of personal data (gezondheidsgegevens, medisch dossier; unintelligible: no): ${WHY}`,
};
const TOLD = { nl: 'Tekst van het bericht', en: 'Text of the communication' };

describe('the text the data subjects were told, and a "no risk" confirmed beside special categories, are shown', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  let incident: Incident;
  const id = 'dl-shown';
  const now = '2026-11-28T12:20:00.000Z';
  const english = () => ({ ...deps.policy, language: 'en' as const });

  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy: parsePolicy({ organisation: org }), now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await recordFacts(deps, {
      incidentId: id,
      by: 'FG',
      categories: ['naam', 'medisch dossier'],
      specialCategories: ['gezondheidsgegevens'],
      subjectsMin: 100,
      subjectsMax: 500,
      unintelligible: 'no',
    });
    await assess(deps, {
      incidentId: id,
      personalData: 'yes',
      risk: 'none',
      reason: 'alleen intern gezien',
      by: 'FG',
      confirmSpecialCategories: true,
      specialReason: WHY,
    });
    incident = await decideSubjects(deps, {
      incidentId: id,
      decision: 'inform',
      date: '2026-11-28T11:00:00Z',
      channel: 'e-mail',
      text: TEXT,
      reason: 'uit voorzorg',
      by: 'FG',
    });
  });
  afterEach(async () => t.cleanup());

  it('the Markdown register shows both, the text escaped', () => {
    for (const lang of ['nl', 'en'] as const) {
      const md = registerMarkdown([incident], deps.policy, now, lang);
      expect(md).toContain(escapeMarkdown(`${TOLD[lang].toLowerCase()}: "${TEXT}"`));
      expect(md).toContain(escapeMarkdown(MARK[lang]));
      expect(md).not.toContain('<script>');
      // Still one row: the text's | cannot open a cell.
      expect(md.split('\n')[2].split(/(?<!\\)\|/).length).toBe(md.split('\n')[0].split('|').length);
    }
  });

  it('the HTML report shows both, the text escaped', async () => {
    const timeline = await t.store.getTimeline(id);
    for (const lang of ['nl', 'en'] as const) {
      const html = reportHtml(incident, timeline, deps.policy, now, lang);
      expect(html).toContain(escapeHtml(TEXT));
      expect(html).toContain(escapeHtml(TOLD[lang]));
      expect(html).toContain(escapeHtml(MARK[lang]));
      expect(html).not.toContain('<script>alert');
    }
  });

  it('the incident page shows both, the text escaped, in Dutch and English', async () => {
    const web = inProcessWebApp({ store: t.store, policy: deps.policy, now: () => now });
    for (const lang of ['nl', 'en'] as const) {
      const page = await (await web.get(`/incidents/${id}`, lang)).text();
      // Beside the decision, not only in the timeline's raw detail.
      expect(page).toContain(`<dt>${TOLD[lang]}</dt><dd class="told">Beste klant | &lt;script&gt;alert(1)&lt;/script&gt; &amp; *wijzig* uw wachtwoord</dd>`);
      expect(page).toContain(`<strong>${MARK[lang].replaceAll('"', '&quot;')}</strong>`);
      expect(page).not.toContain('<script>alert');
    }
  });

  it('datalek show says both', async () => {
    const text = showText(incident, await t.store.getTimeline(id), english(), now);
    expect(text).toContain(`told           "${TEXT}"`);
    expect(text).toContain(`NO RISK        ${MARK.en}`);
  });
});
