/**
 * fg26 (end-to-end read of the notice): "Om welke gegevens gaat het?" answered the people affected
 * with the bare list, "naam, adres.", lower case and no sentence, though the notice's own sentence
 * for it ("Het gaat om deze gegevens: …") was there, unused.
 */
import { expect, it } from 'vitest';
import { emptyFacts } from '../../handlers/core/incident.js';
import { buildNotice } from '../../handlers/core/notice.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

it.each([
  ['nl', 'Het gaat om deze gegevens: naam, adres. Daarbij zijn ook bijzondere gegevens: gezondheid.'],
  ['en', 'It concerns this data: naam, adres. This includes special data: gezondheid.'],
] as const)('says which data in a sentence (%s)', (lang, said) => {
  const facts = { ...emptyFacts(), categories: ['naam', 'adres'], specialCategories: ['gezondheid'] };
  const notice = buildNotice(incidentFixture({ id: 'dl-which-data', facts }), policy, '2026-11-28T09:00:00.000Z', lang);
  expect(notice.sections.find((s) => s.key === 'whichData')?.text).toBe(said);
});
