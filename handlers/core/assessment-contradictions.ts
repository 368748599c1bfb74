/**
 * Where the facts on record contradict the assessment in force (Art. 33(5)), apart from the FG's
 * workflow so the clocks, the schedule and the register can weigh it too (review7 Y14: on a closed
 * incident it is a duty after closing).
 */
import { sensitiveMentions } from './breach-facts.js';
import { type Assessment, type BreachFacts, emptyFacts, type Incident } from './incident.js';

type NamedFacts = Partial<Pick<BreachFacts, 'categories' | 'specialCategories' | 'subjectGroups' | 'subjectsMin' | 'subjectsMax' | 'records'>>;

/**
 * What the facts record that names personal data (Art. 4(1)): categories, special categories,
 * groups or numbers of data subjects, records; each with its flag, for the refusals.
 */
export function personalDataNamed(facts: NamedFacts): { en: string; nl: string }[] {
  const out: { en: string; nl: string }[] = [];
  const list = (xs: string[]) => xs.join(', ');
  if (facts.categories?.length)
    out.push({ en: `categories of personal data (--categories ${list(facts.categories)})`, nl: `soorten persoonsgegevens (${list(facts.categories)})` });
  if (facts.specialCategories?.length)
    out.push({ en: `special categories (--special ${list(facts.specialCategories)})`, nl: `bijzondere persoonsgegevens (${list(facts.specialCategories)})` });
  if (facts.subjectGroups?.length)
    out.push({ en: `groups of data subjects (--subject-groups ${list(facts.subjectGroups)})`, nl: `groepen betrokkenen (${list(facts.subjectGroups)})` });
  if ((facts.subjectsMin ?? 0) > 0 || (facts.subjectsMax ?? 0) > 0) {
    const range = `${facts.subjectsMin ?? '?'}-${facts.subjectsMax ?? '?'}`;
    out.push({ en: `data subjects (--subjects ${range})`, nl: `betrokkenen (${range})` });
  }
  if ((facts.records ?? 0) > 0) out.push({ en: `records (--records ${facts.records})`, nl: `records (${facts.records})` });
  return out;
}

/**
 * What the facts state as affecting nobody and nothing (atk29 A12): at most 0 data subjects, or 0 records
 * beside categories of personal data. A breach of personal data is a risk to natural persons (Art. 33(1),
 * 34(1)); beside "personal data: yes" these are refused both ways, as personal data named beside "no" is.
 */
export function noneAffected(facts: NamedFacts): { en: string; nl: string }[] {
  const out: { en: string; nl: string }[] = [];
  if (facts.subjectsMax === 0) out.push({ en: `--subjects ${facts.subjectsMin ?? 0}-0: no data subject`, nl: `${facts.subjectsMin ?? 0}–0 betrokkenen` });
  if (facts.records === 0 && facts.categories?.length) {
    const named = facts.categories.join(', ');
    out.push({ en: `--records 0 beside categories of personal data (${named})`, nl: `0 records naast soorten persoonsgegevens (${named})` });
  }
  return out;
}

const lower = (c: string) => c.trim().toLowerCase();

/** The special categories the facts name (Art. 9(1); the BSN, UAVG art. 46): those stated, and health data or the BSN among the categories. */
function specialNamed(facts: BreachFacts): string[] {
  const sensitive = facts.categories.filter((c) => {
    const m = sensitiveMentions([c]);
    return m.bsn || m.health;
  });
  return [...new Map([...facts.specialCategories, ...sensitive].map((c) => [lower(c), c.trim()])).values()];
}

/**
 * The special categories "no risk" stands beside, not recorded as unintelligible, that the
 * assessment's own confirmation does not cover. EDPB Guidelines 9/2022 hold a breach of special
 * categories or the BSN likely to result in a risk, typically high: "unlikely to result in a risk"
 * (Art. 33(1)) beside them is recorded only with the FG's explicit confirmation and its reason.
 */
export function specialUnconfirmed(facts: BreachFacts, a: Pick<Assessment, 'personalData' | 'risk' | 'confirmedBesideSpecial'> | null | undefined): string[] {
  if (a?.personalData !== 'yes' || a.risk !== 'none' || facts.unintelligible === 'yes') return [];
  const covered = new Set((a.confirmedBesideSpecial?.categories ?? []).map(lower));
  return specialNamed(facts).filter((c) => !covered.has(lower(c)));
}

/**
 * Where the facts on record contradict the assessment in force (Art. 33(5)): personal data named
 * under "no personal data", and special categories not unintelligible under a "no risk" whose
 * confirmation does not cover them. Facts are true when learnt, so they are recorded all the same
 * (refusing them would make the FG record an assessment she never made to get them in); the
 * contradiction is marked and stands between the incident and closing until the FG assesses again
 * or confirms "no risk" beside them.
 */
export function assessmentContradictions(incident: Incident): { en: string; nl: string; cli: string }[] {
  const a = incident.assessment;
  if (!a) return [];
  const facts = incident.facts ?? emptyFacts();
  const out: { en: string; nl: string; cli: string }[] = [];
  const named = a.personalData === 'no' ? personalDataNamed(facts) : [];
  if (named.length) {
    out.push({
      en: `the facts name personal data (${named.map((n) => n.en).join('; ')}), but the assessment in force (${a.at}, by ${a.by}) says no personal data is affected (Art. 4(1), 33(1), (5)): assess again`,
      nl: `de feiten noemen persoonsgegevens (${named.map((n) => n.nl).join('; ')}), maar de geldende beoordeling zegt dat er geen persoonsgegevens getroffen zijn (AVG art. 4(1), 33(1), (5)): beoordeel het incident opnieuw`,
      cli: `datalek assess ${incident.id} --personal-data yes|unknown --risk none|risk|high --reason TEXT`,
    });
  }
  const special = specialUnconfirmed(facts, a);
  if (special.length) {
    out.push({
      en: `the facts name special categories of personal data (${special.join(', ')}; Art. 9(1), the BSN UAVG art. 46) not recorded as unintelligible (unintelligible: ${facts.unintelligible ?? 'not recorded'}), beside the assessment in force (${a.at}, by ${a.by}) of "no risk", which no confirmation of the FG covers for them: EDPB Guidelines 9/2022 hold such a breach likely to result in a risk; assess the risk again, or confirm "no risk" beside them`,
      nl: `de feiten noemen bijzondere persoonsgegevens (${special.join(', ')}; AVG art. 9(1), het BSN UAVG art. 46) die niet als onbegrijpelijk zijn vastgelegd, naast de geldende beoordeling "geen risico", zonder bevestiging van de FG daarvoor: volgens de EDPB-richtsnoeren 9/2022 leidt zo'n datalek waarschijnlijk tot een risico; beoordeel het risico opnieuw, of bevestig "geen risico" met een eigen reden`,
      cli: `datalek assess ${incident.id} --personal-data yes --risk risk|high --reason TEXT, or --risk none --confirm-special-categories --special-reason TEXT`,
    });
  }
  return out;
}
