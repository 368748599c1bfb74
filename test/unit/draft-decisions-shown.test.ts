/**
 * The AP draft (`datalek draft`, the page's draft) gave the Art. 34 decision and the FG's assessment
 * without what the data subjects (or subscribers) were told (`text`, required with 'inform' since
 * 19c7824) and without a "no risk" confirmed beside special categories (`confirmedBesideSpecial`,
 * eca1986): which categories, unintelligible or not, and the FG's reason. The page, the report and
 * the register show both since b0e5d4e; the draft now does too, with the same words, the text
 * escaped in its Markdown.
 */
import { describe, expect, it } from 'vitest';
import { buildDraft, draftMarkdown, escapeMarkdown } from '../../handlers/core/draft.js';
import type { SubjectsDecision } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-28T12:20:00.000Z';
const TEXT = 'Beste klant | <script>alert(1)</script> & *wijzig* uw wachtwoord';
const SUBSCRIBERS = 'Beste abonnee, uw gegevens zijn mogelijk ingezien';
const WHY = 'één medewerker zag het, bevestigd gewist';
const MARK = {
  nl: `"geen risico" bevestigd naast bijzondere persoonsgegevens (gezondheidsgegevens; onbegrijpelijk: nee): ${WHY}`,
  en: `"no risk" confirmed beside special categories of personal data (gezondheidsgegevens; unintelligible: no): ${WHY}`,
};
const TOLD = { nl: 'tekst van het bericht', en: 'text of the communication' };

const told = (text: string): SubjectsDecision => ({
  decision: 'inform',
  date: '2026-11-28T11:00:00.000Z',
  channel: 'e-mail',
  exception: null,
  text,
  reason: 'uit voorzorg',
  by: 'FG',
  at: '2026-11-28T11:05:00.000Z',
});

const incident = incidentFixture({
  id: 'dl-draft-shown',
  assessment: {
    personalData: 'yes',
    risk: 'none',
    reason: 'alleen intern gezien',
    by: 'FG',
    at: '2026-11-28T10:00:00.000Z',
    notifiable: false,
    confirmedBesideSpecial: { categories: ['gezondheidsgegevens'], unintelligible: 'no', reason: WHY },
  },
  subjects: told(TEXT),
  subscribers: told(SUBSCRIBERS),
});

describe('the AP draft shows what the data subjects were told and a "no risk" confirmed beside special categories', () => {
  for (const lang of ['nl', 'en'] as const) {
    it(`in the fields and in the Markdown (${lang})`, () => {
      const draft = buildDraft(incident, parsePolicy({ clocks: { telecom: true } }), NOW, lang);
      const value = (key: string) => draft.sections.flatMap((s) => s.fields).find((f) => f.key === key)?.value;
      expect(value('fgAssessment')).toContain(MARK[lang]);
      expect(value('subjectsInformed')).toContain(`${TOLD[lang]}: "${TEXT}"`);
      expect(value('subscribersInformed')).toContain(`${TOLD[lang]}: "${SUBSCRIBERS}"`);
      const md = draftMarkdown(draft);
      expect(md).toContain(escapeMarkdown(`${TOLD[lang]}: "${TEXT}"`));
      expect(md).toContain(escapeMarkdown(MARK[lang]));
      expect(md).not.toContain('<script>');
    });
  }
});
