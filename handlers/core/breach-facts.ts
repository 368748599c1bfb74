/**
 * Reading the Art. 33(3) facts of an incident: the measures taken (containment carried out and
 * what people recorded), whether the consequences are described, which facts the register still
 * lacks, and what the categories say about special data. The draft, the notice, the register and
 * the closing rules all ask here, so they cannot disagree.
 */
import { doneReason } from './containment.js';
import type { BreachFacts, Incident, Nature } from './incident.js';
import { actionDoneLabel, type Lang } from './labels.js';
import { formatLocal } from './time.js';

/**
 * Containment carried out and not undone: each an Art. 33(3)(d) measure taken, with its time. For
 * people (`timeZone` given) the time is shown in that zone; for tools it stays the ISO instant.
 */
export function containmentTaken(incident: Incident, lang: Lang = 'en', timeZone?: string): string[] {
  return incident.actions
    .filter((a) => a.status === 'done' && !a.released)
    .map((a) => {
      const at = a.steps?.at(-1)?.at ?? a.at;
      // An isolation never reads as a cut of every channel: the AP and the register hear what it left open.
      const open = doneReason(a.type) ? LEFT_OPEN[lang] : '';
      return `${lang === 'en' && !timeZone ? a.type : actionDoneLabel(lang, a)} ${a.target} (${timeZone ? formatLocal(at, timeZone) : at})${open}`;
    });
}

/** What an isolation leaves open (core/containment.ts ISOLATION_LEAVES_OPEN), as a measure's words. */
const LEFT_OPEN: Record<Lang, string> = {
  nl: ', behalve wat geen security group tegenhoudt (de DNS-resolver van Amazon, de metadataservice, Amazon Time Sync)',
  en: ', except what no security group filters (the Amazon DNS resolver, the metadata service, Amazon Time Sync)',
};

/** Every measure taken: the people's own words first, then containment carried out. */
export function measuresTaken(incident: Incident, lang: Lang = 'en', timeZone?: string): string[] {
  const said = incident.facts?.measuresTaken?.trim();
  return [...(said ? [said] : []), ...containmentTaken(incident, lang, timeZone)];
}

export function hasConsequences(facts: BreachFacts | undefined): boolean {
  return Boolean(facts?.consequences?.trim()) || Object.keys(facts?.consequencesByNature ?? {}).length > 0;
}

/** Natures the facts name without their consequences described (form section 7). */
export function naturesWithoutConsequences(facts: BreachFacts | undefined): Nature[] {
  if (!facts) return [];
  return facts.nature.filter((n) => !facts.consequencesByNature?.[n]);
}

/** One fact the register lacks: its name in Dutch and English, and the flag that records it. */
export interface RegisterGap {
  nl: string;
  en: string;
  cli: string;
}

/**
 * What the register must hold of a breach with personal data, whatever the risk (Art. 33(5):
 * facts, effects, remedial action).
 */
export function registerGaps(incident: Incident): RegisterGap[] {
  const f = incident.facts;
  const out: RegisterGap[] = [];
  if (!f?.nature.length) out.push({ nl: 'de aard', en: 'nature', cli: 'facts --nature' });
  if (!f?.categories.length) out.push({ nl: 'de soorten persoonsgegevens', en: 'categories', cli: 'facts --categories' });
  if (f?.subjectsMin == null || f.subjectsMax == null || f.records == null)
    out.push({
      nl: 'het aantal betrokkenen en records (bij benadering)',
      en: 'approximate numbers of data subjects and records',
      cli: 'facts --subjects, --records',
    });
  if (!hasConsequences(f)) out.push({ nl: 'de gevolgen', en: 'consequences', cli: 'facts --consequences' });
  if (measuresTaken(incident).length === 0 && !f?.measuresProposed?.trim())
    out.push({ nl: 'de genomen of voorgestelde maatregelen', en: 'measures taken or proposed', cli: 'facts --measures-taken, --measures-proposed' });
  return out;
}

/** The same, by the words the closing rule names on the command line. */
export function missingForRegister(incident: Incident): string[] {
  return registerGaps(incident).map((g) => `${g.en} (${g.cli})`);
}

const BSN = /\b(bsn|burgerservicenummers?|citizen service numbers?)\b/i;
const HEALTH = /(gezondheid|medisch|medical|health|diagnos|patiënt|patient|zorgdossier|zorggegevens)/i;

/** Whether any category names the BSN (UAVG art. 46) or health data (Art. 9(1)). */
export function sensitiveMentions(categories: string[]): { bsn: boolean; health: boolean } {
  return { bsn: categories.some((c) => BSN.test(c)), health: categories.some((c) => HEALTH.test(c)) };
}

/** Whether the categories name health data, a special category (Art. 9(1)). */
export function namesHealthData(categories: string[]): boolean {
  return sensitiveMentions(categories).health;
}
