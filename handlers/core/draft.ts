/**
 * The AP notification draft, laid out section by section in the order of the AP's online form
 * (Meldformulier datalekken, sections 0–9; there is no API: a person submits it), filled from the
 * incident, with the required facts still missing listed first. The JSON and the Markdown carry the
 * same sections and fields, each with a stable `key`.
 *
 * It says only what is recorded: what nobody stated is "unknown" or missing, never "no"; the start
 * of the breach is the findings' first activity; measures taken and proposed are kept apart;
 * nothing asks for reasons for a delay when nothing is to be notified. Every value is escaped for
 * Markdown: findings carry attacker-controlled text and people type what they like.
 */

import { apLegalDeadline, delayReasonText, firstApNotification } from './ap-verdict.js';
import {
  actionAt,
  type CarriedOutElsewhere,
  containmentTaken,
  hasConsequences,
  measuresTaken,
  naturesWithoutConsequences,
  sensitiveMentions,
  stillPlannedText,
} from './breach-facts.js';
import { apHours, clocksInForce, clocksOf, earlierNotificationText, roleOf, subjectsDecisionNeeded } from './clocks.js';
import { carriedOutByPipeline } from './contain.js';
import { sha256 } from './hash.js';
import { type BreachFacts, type Incident, initialReport, type Nature, type Role, subscribersWithoutAp } from './incident.js';
import { keyPseudonyms, withOwnPseudonyms } from './incident-pseudonyms.js';
import {
  actionLabel,
  awareReasonLabel,
  besideSpecialLabel,
  breachTypeLabel,
  clockStateLabel,
  harmLabel,
  harmSeverityLabel,
  ignoredLabel,
  type Lang,
  natureLabel,
  reportKindLabel,
  resourceKindLabel,
  riskLabel,
  roleLabel,
  subjectsToldLabel,
  yesNo,
} from './labels.js';
import { notPlannedMeasure } from './message-bounds.js';
import type { Policy } from './policy.js';
import { BEFORE_DETECTION, beforeDetection, enteredAtOf, firstSeenSetAsideText } from './stated-time.js';
import { escapeMarkdown, oneLine } from './text.js';
import { formatLocal, localWithInstant } from './time.js';

export interface DraftField {
  /** Stable across languages and versions: what a tool or a test looks the field up by. */
  key: string;
  label: string;
  /** Null when nothing is recorded (Markdown: "(nog niet vastgelegd)"). */
  value: string | null;
}

export interface DraftSection {
  /** The AP form's section number, 0–9. */
  number: number;
  key: string;
  title: string;
  fields: DraftField[];
}

export interface Draft {
  incidentId: string;
  language: Lang;
  generatedAt: string;
  /** Required facts still missing: empty when the draft is complete. */
  missing: string[];
  /** What the FG should look at before submitting (a category that names the BSN, a back-dated entry). */
  warnings: string[];
  late: boolean;
  /** The FG's decision: true, false, or null before any assessment. */
  notifiable: boolean | null;
  role: Role;
  sections: DraftSection[];
}

/** The form's sections, in its order, with their keys. */
export const FORM_SECTIONS = [
  { number: 0, key: 'notification', nl: 'Over deze melding', en: 'About this notification' },
  { number: 1, key: 'contact', nl: 'Contactgegevens', en: 'Contact details' },
  { number: 2, key: 'timeline', nl: 'Tijdlijn', en: 'Timeline' },
  { number: 3, key: 'breach', nl: 'Het datalek', en: 'The breach' },
  { number: 4, key: 'personalData', nl: 'Persoonsgegevens', en: 'Personal data' },
  { number: 5, key: 'dataSubjects', nl: 'Betrokkenen', en: 'Data subjects' },
  { number: 6, key: 'priorMeasures', nl: 'Voorafgaande maatregelen', en: 'Prior measures' },
  { number: 7, key: 'consequences', nl: 'Gevolgen', en: 'Consequences' },
  { number: 8, key: 'followUp', nl: 'Vervolgacties', en: 'Follow-up' },
  { number: 9, key: 'other', nl: 'Overig', en: 'Other' },
] as const;

const L = {
  nl: {
    title: 'Concept-melding datalek aan de Autoriteit Persoonsgegevens',
    notRecorded: '(nog niet vastgelegd)',
    complete: 'Alle verplichte gegevens zijn vastgelegd.',
    stillMissing: 'Ontbreekt nog',
    warnings: 'Let op',
    notNotifiable: 'De FG beoordeelde dit incident als niet meldplichtig; dit concept dient alleen het register (AVG art. 33(5)).',
    telecomOnly:
      'De FG beoordeelde dit datalek als niet meldplichtig onder de AVG (art. 33(1)), maar als aanbieder van openbare elektronische communicatiediensten meldt u elk datalek aan de AP, ongeacht het risico (Telecommunicatiewet art. 11.3a, Verordening 611/2013 art. 2): dit concept dient die melding.',
    processorNote:
      'Wij zijn verwerker voor dit incident: de verwerkingsverantwoordelijke meldt aan de AP en beslist over art. 34 (AVG art. 33(2)); dit concept helpt die melding.',
    footer: 'Dit concept wordt niet automatisch verstuurd: vul het meldformulier van de AP in en leg de melding vast met `datalek reported`.',
  },
  en: {
    title: 'Draft personal data breach notification to the Dutch Data Protection Authority (AP)',
    notRecorded: '(not recorded yet)',
    complete: 'Every required fact is recorded.',
    stillMissing: 'Still missing',
    warnings: 'Note',
    notNotifiable: 'The FG assessed this incident as not notifiable; this draft serves the register only (GDPR Art. 33(5)).',
    telecomOnly:
      'The FG assessed this breach as not notifiable under the GDPR (Art. 33(1)), but as a provider of public electronic communications you notify the AP of every breach, whatever the risk (Telecommunications Act art. 11.3a, Regulation 611/2013 Art. 2): this draft serves that notification.',
    processorNote:
      'We act as processor for this incident: the controller notifies the AP and decides on Art. 34 (GDPR Art. 33(2)); this draft helps that notification.',
    footer: "This draft is not sent: fill in the AP's online form and record the submission with `datalek reported`.",
  },
};

/** Whether the AP notification is this organisation's to make and still to be judged on time. */
function notifiableByUs(incident: Incident, policy: Policy): boolean {
  return !incident.sample && incident.assessment?.notifiable !== false && roleOf(incident, policy) === 'controller' && incident.deadline !== null;
}

/**
 * Late by the law's deadline (an internal target missed is no delay: review12 S3), judged as the
 * register and status judge it: by the first notification of the breach, one withdrawn and owed or
 * made anew aside (ap-verdict.ts apVerdictReport, law28).
 */
function isLate(incident: Incident, now: string): boolean {
  const at = firstApNotification(incident)?.at ?? now;
  const legal = apLegalDeadline(incident);
  return legal !== null && at > legal;
}

/**
 * Why no reasons for a delay are given: within the deadline. After a withdrawal that is the first
 * notification's doing, not the one drafted, which comes after it, perhaps days past the deadline: the
 * AP reads which one met it (law28 s28).
 */
function inTime(incident: Incident, lang: Lang, tz: string): string {
  const first = firstApNotification(incident);
  if (!first || first === initialReport(incident)) return lang === 'nl' ? 'niet van toepassing: binnen de termijn' : 'not applicable: within the deadline';
  const at = localWithInstant(first.at, tz);
  return lang === 'nl'
    ? `niet van toepassing: de eerste melding van dit datalek, ${first.reference} op ${at}, is binnen de termijn gedaan (AVG art. 33(1))`
    : `not applicable: the first notification of this breach, ${first.reference} on ${at}, was made within the deadline (GDPR Art. 33(1))`;
}

/** The notification made before and withdrawn, named in the draft of the one anew (clocks.ts earlierNotificationText). */
function earlierNotification(incident: Incident, policy: Policy, lang: Lang, tz: string): DraftField[] {
  const text = earlierNotificationText(incident, policy, tz);
  if (!text) return [];
  return [{ key: 'earlierNotification', label: lang === 'nl' ? 'Eerdere melding (ingetrokken)' : 'Earlier notification (withdrawn)', value: text[lang] }];
}

/**
 * One required fact still missing: what it is, in words, and where a person records it. The
 * command line names its command and flag (`cli`); the web page names its form field (`field`, the
 * id of the form and the field on the incident page), so an FG on the page never reads a flag.
 */
export interface MissingFact {
  key: string;
  text: string;
  /** The command that records it, for the command line (or where in the policy it is set). */
  cli: string;
  /** The anchor of the form field on the incident page (`f-facts-summary`), or of the form (`subjects`); null when no form records it. */
  field: string | null;
  /** What the page says instead of `cli` when no form records it (the policy file). */
  page?: string;
}

type MissingWords = { nl: string; en: string; cliNl?: string; cli: string; field: string | null; pageNl?: string; pageEn?: string };

const MISSING = {
  assessment: {
    nl: 'Beoordeling door de FG: zijn persoonsgegevens getroffen, en welk risico',
    en: "The FG's assessment: is personal data affected, and what risk",
    cli: 'datalek assess',
    field: 'assess',
  },
  summary: { nl: 'Samenvatting in eigen woorden', en: 'A summary in your own words', cli: 'datalek facts --summary', field: 'f-facts-summary' },
  type: { nl: 'Soort datalek uit de lijst van de AP', en: "The kind of breach from the AP's list", cli: 'datalek facts --type', field: 'f-facts-type' },
  nature: {
    nl: 'Aard van het datalek: vertrouwelijkheid, integriteit en/of beschikbaarheid',
    en: 'Nature of the breach: confidentiality, integrity and/or availability',
    cli: 'datalek facts --nature',
    field: 'f-facts-nature',
  },
  cause: { nl: 'Oorzaak in eigen woorden', en: 'The cause in your own words', cli: 'datalek facts --cause', field: 'f-facts-cause' },
  categories: { nl: 'Soorten persoonsgegevens', en: 'Categories of personal data', cli: 'datalek facts --categories', field: 'f-facts-categories' },
  special: {
    nl: 'Bijzondere persoonsgegevens, of dat er geen zijn',
    en: 'Special categories of personal data, or that there are none',
    cliNl: 'datalek facts --special, of --special none',
    cli: 'datalek facts --special, or --special none',
    field: 'f-facts-special',
  },
  groups: { nl: 'Groepen betrokkenen', en: 'Groups of data subjects', cli: 'datalek facts --subject-groups', field: 'f-facts-subject-groups' },
  subjects: {
    nl: 'Aantal betrokkenen, minimaal en maximaal',
    en: 'Number of data subjects, minimum and maximum',
    cli: 'datalek facts --subjects MIN-MAX',
    field: 'f-facts-subjects',
  },
  records: { nl: 'Aantal records, bij benadering', en: 'Approximate number of records', cli: 'datalek facts --records', field: 'f-facts-records' },
  consequences: { nl: 'Waarschijnlijke gevolgen', en: 'Likely consequences', cli: 'datalek facts --consequences', field: 'f-facts-consequences' },
  measures: {
    nl: 'Genomen of voorgestelde maatregelen',
    en: 'Measures taken or proposed',
    cliNl: 'inperking, of datalek facts --measures-taken / --measures-proposed',
    cli: 'containment, or datalek facts --measures-taken / --measures-proposed',
    field: 'f-facts-measures-taken',
  },
  unintelligible: {
    nl: 'Waren de gegevens versleuteld of anders onbegrijpelijk?',
    en: 'Was the data encrypted or otherwise unintelligible?',
    cli: 'datalek facts --unintelligible',
    field: 'f-facts-unintelligible',
  },
  crossBorder: {
    nl: 'Betrokkenen in andere EU-landen?',
    en: 'Data subjects in other EU member states?',
    cli: 'datalek facts --cross-border',
    field: 'f-facts-cross-border',
  },
  lead: {
    nl: 'Grensoverschrijdend: de leidende toezichthouder',
    en: 'Cross-border: the lead supervisory authority',
    cli: 'datalek facts --lead-authority',
    field: 'f-facts-lead-authority',
  },
  fg: {
    nl: 'Contactgegevens van de FG',
    en: "The FG's contact details",
    cliNl: 'beleid: organisation.fg',
    cli: 'policy: organisation.fg',
    field: null,
    pageNl: 'staan in het beleid van datalek; de beheerder vult ze in',
    pageEn: "set in datalek's policy; the administrator fills them in",
  },
  organisation: {
    nl: 'Naam van de organisatie',
    en: "The organisation's name",
    cliNl: 'beleid: organisation.name',
    cli: 'policy: organisation.name',
    field: null,
    pageNl: 'staat in het beleid van datalek; de beheerder vult hem in',
    pageEn: "set in datalek's policy; the administrator fills it in",
  },
  delay: {
    nl: 'Reden voor de vertraging: de termijn van 72 uur is verstreken (AVG art. 33(1))',
    en: 'Reasons for the delay: the 72 hours have passed (GDPR Art. 33(1))',
    cliNl: 'opgeven bij datalek reported --delay-reason',
    cli: 'give them with datalek reported --delay-reason',
    field: 'f-reported-delay-reason',
  },
  art34: {
    nl: 'Hoog risico: besluit over het informeren van betrokkenen',
    en: 'High risk: the decision on informing the data subjects',
    cli: 'datalek subjects',
    field: 'subjects',
  },
} satisfies Record<string, MissingWords>;

/** One missing fact by its key (`summary`, `categories`, `fg`, …), in the language asked for. */
export function missingFact(key: keyof typeof MISSING, lang: Lang, over: Partial<MissingWords> = {}): MissingFact {
  const w: MissingWords = { ...MISSING[key], ...over };
  const page = lang === 'nl' ? w.pageNl : w.pageEn;
  return { key, text: w[lang], cli: (lang === 'nl' ? w.cliNl : undefined) ?? w.cli, field: w.field, ...(page ? { page } : {}) };
}

/** A missing fact as the command line shows it: what, then the command that records it. */
export function missingFactCli(m: MissingFact): string {
  return m.key === 'delay' ? `${m.text}; ${m.cli}` : `${m.text} (${m.cli})`;
}

/** The required facts still missing, in the draft's language, each with where it is recorded. */
export function missingFactItems(
  incident: Incident,
  policy: Policy,
  now: string,
  lang: Lang = policy.language,
  elsewhere: CarriedOutElsewhere[] = [],
): MissingFact[] {
  const m = (key: keyof typeof MISSING, over?: Partial<MissingWords>) => missingFact(key, lang, over);
  const f = incident.facts;
  const out: MissingFact[] = [];
  if (!incident.assessment) out.push(m('assessment'));
  if (!f?.summary?.trim()) out.push(m('summary'));
  if (!f?.breachType) out.push(m('type'));
  if (!f?.nature.length) out.push(m('nature'));
  if (!f?.cause?.trim()) out.push(m('cause'));
  if (!f?.categories.length) out.push(m('categories'));
  if (!f?.specialStated) out.push(m('special'));
  if (!f?.subjectGroups.length) out.push(m('groups'));
  if (f?.subjectsMin == null || f?.subjectsMax == null) out.push(m('subjects'));
  if (f?.records == null) out.push(m('records'));
  if (!f?.nature.length) {
    if (!hasConsequences(f)) out.push(m('consequences'));
  } else {
    for (const n of naturesWithoutConsequences(f)) {
      const name = natureLabel(lang, n);
      out.push({
        ...m('consequences'),
        key: `consequences.${n}`,
        text: lang === 'nl' ? `Gevolgen voor de ${name}: soort schade en ernst` : `Consequences for ${name}: kind of harm and severity`,
        cli: `datalek facts --consequences ${lang === 'nl' ? 'TEKST' : 'TEXT'} --for ${n} --harm … --harm-severity …`,
      });
    }
  }
  if (measuresTaken(incident, 'en', undefined, elsewhere).length === 0 && !f?.measuresProposed?.trim()) out.push(m('measures'));
  if (!f?.unintelligible) out.push(m('unintelligible'));
  if (f?.crossBorder == null) out.push(m('crossBorder'));
  else if (f.crossBorder && !f.leadAuthority?.trim()) out.push(m('lead'));
  if (!policy.organisation.fg.email && !policy.organisation.fg.phone) out.push(m('fg'));
  if (!policy.organisation.name) out.push(m('organisation'));
  if (notifiableByUs(incident, policy) && isLate(incident, now) && !delayReasonText(incident)) out.push(m('delay'));
  if (subjectsDecisionNeeded(incident, policy) && !incident.subjects) out.push(m('art34'));
  return out;
}

/** The Art. 33(3) facts (with the AP form's own) a report to the AP carries, by the draft's keys, in the order the draft asks them. */
const CARRIED = [
  'summary',
  'type',
  'nature',
  'cause',
  'categories',
  'special',
  'groups',
  'subjects',
  'records',
  'consequences',
  'measures',
  'unintelligible',
  'crossBorder',
] as const satisfies readonly (keyof typeof MISSING)[];

/**
 * What else the AP form carries and the FG may record after a first phase (review12 S4): the begin
 * and end of the breach (form section 2, "is it ongoing?"), the parties involved such as a processor
 * (1), the assessment of the risk (3), the Art. 34 decision on the data subjects and the other
 * authorities informed (8); the rest of section 2's timeline, the detection and the moment of awareness
 * with its reason, and the reasons for a delay (9) an awareness moved earlier can make owed (read14a
 * A1). Never "missing" (the draft asks them where they belong), but named when
 * recorded or changed since the last report to the AP. A report recorded before these were kept
 * holds none of them: each present now reads "added since" it, the safe side.
 */
const ALSO_CARRIED = {
  started: { nl: 'Begin van het datalek', en: 'Start of the breach' },
  ended: { nl: 'Einde van het datalek (nog gaande?)', en: 'End of the breach (ongoing?)' },
  parties: { nl: 'Andere betrokken partijen (zoals een verwerker)', en: 'Other parties involved (such as a processor)' },
  assessment: { nl: 'Beoordeling van het risico', en: 'Assessment of the risk' },
  art34: { nl: 'Betrokkenen geïnformeerd of niet (art. 34)', en: 'Data subjects informed or not (Art. 34)' },
  authorities: { nl: 'Andere instanties ingelicht', en: 'Other authorities informed' },
  detected: { nl: 'Ontdekt', en: 'Discovered' },
  aware: { nl: 'Bewust geworden', en: 'Became aware' },
  delay: { nl: 'Reden voor vertraging (art. 33(1))', en: 'Reasons for the delay (Art. 33(1))' },
} as const;

type CarriedKey = (typeof CARRIED)[number] | keyof typeof ALSO_CARRIED;
const ALL_CARRIED: readonly CarriedKey[] = [...CARRIED, ...(Object.keys(ALSO_CARRIED) as (keyof typeof ALSO_CARRIED)[])];

/** A fact's name in the draft's language. */
function carriedName(key: string, lang: Lang): string {
  return key in ALSO_CARRIED ? ALSO_CARRIED[key as keyof typeof ALSO_CARRIED][lang] : MISSING[key as keyof typeof MISSING][lang];
}

/** A fact's value as the record holds it, undefined while it is missing (as `missingFactItems` counts it) or not recorded. */
function carriedValue(incident: Incident, key: CarriedKey): unknown {
  const f = incident.facts;
  const a = incident.assessment;
  const s = incident.subjects;
  const measures = measuresTaken(incident, 'en');
  const values: Record<CarriedKey, unknown> = {
    summary: f?.summary?.trim() || undefined,
    type: f?.breachType || undefined,
    nature: f?.nature.length ? f.nature : undefined,
    cause: f?.cause?.trim() || undefined,
    categories: f?.categories.length ? f.categories : undefined,
    special: f?.specialStated ? f.specialCategories : undefined,
    groups: f?.subjectGroups.length ? f.subjectGroups : undefined,
    subjects: f?.subjectsMin != null && f?.subjectsMax != null ? [f.subjectsMin, f.subjectsMax] : undefined,
    records: f?.records ?? undefined,
    consequences: hasConsequences(f) ? [f?.consequences ?? null, f?.consequencesByNature ?? null] : undefined,
    measures: measures.length || f?.measuresProposed?.trim() ? [measures, f?.measuresProposed ?? null] : undefined,
    unintelligible: f?.unintelligible || undefined,
    crossBorder: f?.crossBorder != null ? [f.crossBorder, f.leadAuthority ?? null] : undefined,
    // The begin as the draft shows it: the stated one, else GuardDuty's first activity or the detection, which a finding can move earlier.
    started: f?.startedAt || { shown: incident.firstActivityAt ?? incident.detectedAt },
    ended: f?.endedAt || undefined,
    parties: f?.otherParties?.length || f?.otherPartiesStated ? (f?.otherParties ?? []).map((p) => [p.name, p.role]) : undefined,
    assessment: a ? [a.personalData, a.risk, a.notifiable] : undefined,
    art34: s ? [s.decision, s.exception, s.date, s.channel] : undefined,
    authorities: f?.otherAuthorities?.trim() || undefined,
    detected: incident.detectedAt || undefined,
    aware: incident.awareAt ? [incident.awareAt, incident.awareReason ?? null] : undefined,
    delay: delayReasonText(incident) ?? undefined,
  };
  return values[key];
}

/**
 * Which facts a report to the AP carries, each as a short hash of its value (`ReportRecord.factsSent`):
 * enough for a later draft to name what the AP has not received, without a second copy of the facts.
 */
export function factsCarried(incident: Incident): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ALL_CARRIED) {
    const value = carriedValue(incident, key);
    if (value !== undefined) out[key] = sha256(JSON.stringify(value)).slice(0, 12);
  }
  return out;
}

/**
 * Art. 33(4): what the AP has not received, against the last report to it (withdrawals aside): the
 * facts recorded or changed since, and those still missing. Null before the first report.
 */
function notWithAp(incident: Incident, lang: Lang, tz: string): string | null {
  const last = (incident.reports ?? []).filter((r) => r.to === 'ap' && r.kind !== 'withdrawal').at(-1);
  if (!last) return null;
  const nl = lang === 'nl';
  const since = `${last.reference}${last.kind === 'initial' ? '' : ` (${reportKindLabel(lang, last.kind)})`}`;
  const now = factsCarried(incident);
  // Each group a sentence, its facts apart by semicolons: a fact's own name holds commas ("Aard van
  // het datalek: vertrouwelijkheid, integriteit en/of beschikbaarheid"), and joined by commas the FG
  // could not tell where one ended (fg28 item 3).
  const named = (keys: readonly string[]) => keys.map((k) => carriedName(k, lang)).join('; ');
  const sentences = (parts: (string | null)[]) =>
    parts
      .filter((p) => p !== null)
      .map((p) => `${p.charAt(0).toUpperCase()}${p.slice(1)}.`)
      .join(' ');
  const missing = CARRIED.filter((k) => !now[k]);
  const missingText = missing.length ? `${nl ? 'nog onbekend' : 'still missing'}: ${named(missing)}` : null;
  if (last.factsAfter) {
    // Entered with a time before the facts were last recorded (review11 A3): the record cannot tell which it carried.
    // Its times in the policy's zone with the ISO beside, as the draft gives every time (fg27).
    const when = (iso: string) => localWithInstant(iso, tz);
    const held = named(ALL_CARRIED.filter((k) => now[k]));
    return nl
      ? sentences([
          `niet bekend: de feiten zijn vastgelegd op ${when(last.factsAfter)}, na het tijdstip van ${since}, ${when(last.at)}`,
          `vergelijk met wat de AP heeft: ${held}`,
          missingText,
        ])
      : sentences([
          `not known: the facts were recorded at ${when(last.factsAfter)}, after the time of ${since}, ${when(last.at)}`,
          `compare with what the AP holds: ${held}`,
          missingText,
        ]);
  }
  if (!last.factsSent) {
    return nl
      ? sentences([`niet bekend: ${since} is vastgelegd voordat datalek bijhield welke feiten een melding bevatte`, 'vergelijk zelf met wat de AP heeft'])
      : sentences([`not known: ${since} was recorded before datalek kept which facts a report carried`, 'compare with what the AP holds']);
  }
  const sent = last.factsSent;
  const added = ALL_CARRIED.filter((k) => now[k] && !sent[k]);
  // A fact of the form's own the AP was given and the record no longer holds (an end taken back) changed too; a required one is missing.
  const changed = ALL_CARRIED.filter((k) => sent[k] && now[k] !== sent[k] && (now[k] || k in ALSO_CARRIED));
  return sentences([
    added.length ? `${nl ? 'nieuw sinds' : 'added since'} ${since}: ${named(added)}` : null,
    changed.length ? `${nl ? 'gewijzigd sinds' : 'changed since'} ${since}: ${named(changed)}` : null,
    added.length || changed.length ? null : nl ? `niets nieuw of gewijzigd sinds ${since}` : `nothing added or changed since ${since}`,
    missingText,
  ]);
}

/** The required facts still missing, in the draft's language, as the command line shows them. */
export function missingFacts(incident: Incident, policy: Policy, now: string, lang: Lang = policy.language): string[] {
  return missingFactItems(incident, policy, now, lang).map(missingFactCli);
}

/** Missing facts the FG recorded as unknown when marking the facts complete (Art. 33(4)): said, not asked. */
function unknownFacts(incident: Incident, policy: Policy, now: string, lang: Lang): MissingFact[] {
  const keys = new Set(incident.facts?.unknown?.facts ?? []);
  return missingFactItems(incident, policy, now, lang).filter((m) => keys.has(m.key));
}

/** What the categories say that the special categories do not: the BSN (UAVG art. 46), health data (Art. 9(1)). */
function specialWarnings(incident: Incident, lang: Lang): string[] {
  const nl = lang === 'nl';
  const out: string[] = [];
  const f = incident.facts;
  const special = (f?.specialCategories ?? []).join(' ');
  const mentions = sensitiveMentions(f?.categories ?? []);
  // The BSN by any of its names, as the categories are read (breach-facts.ts).
  if (mentions.bsn && !sensitiveMentions(f?.specialCategories ?? []).bsn) {
    out.push(
      nl
        ? 'De soorten persoonsgegevens noemen het BSN: het formulier vraagt daar apart naar (UAVG art. 46); neem het op bij de bijzondere persoonsgegevens.'
        : 'The categories name the BSN: the form asks about it separately (UAVG art. 46); include it with the special categories.',
    );
  }
  if (mentions.health && !/gezondheid|medisch|medical|health|patiënt|patient/i.test(special)) {
    out.push(
      nl
        ? 'De soorten persoonsgegevens noemen gezondheidsgegevens: dat is een bijzondere categorie (AVG art. 9(1)); neem ze op bij de bijzondere persoonsgegevens.'
        : 'The categories name health data: a special category (GDPR Art. 9(1)); include it with the special categories.',
    );
  }
  return out;
}

/**
 * The stated special categories, as the form asks them ("incl. BSN"): the BSN named among the
 * categories is named here too, so the copy-ready answer never says "none" while the record names it.
 */
function specialValue(incident: Incident, lang: Lang): string {
  const nl = lang === 'nl';
  const f = incident.facts;
  const special = f?.specialCategories ?? [];
  const bsnOnlyInCategories = sensitiveMentions(f?.categories ?? []).bsn && !sensitiveMentions(special).bsn;
  const bsn = nl ? 'BSN (genoemd bij de soorten persoonsgegevens)' : 'BSN (named among the categories)';
  if (!bsnOnlyInCategories) return special.length ? special.join(', ') : nl ? 'geen' : 'none';
  return special.length ? `${special.join(', ')}, ${bsn}` : `${bsn}; ${nl ? 'verder geen' : 'none besides'}`;
}

/** The begin of the breach a person stated (form section 2), marked when it lies before GuardDuty's detection, with how it is known. */
function statedBegin(incident: Incident, f: BreachFacts, lang: Lang, when: (iso: string) => string | null): string {
  const at = f.startedAt as string;
  const before = beforeDetection(incident, at) ? `; ${BEFORE_DETECTION[lang]}` : '';
  return `${when(at)}${before}${f.startedReason ? `; ${lang === 'nl' ? 'reden' : 'reason'}: ${f.startedReason}` : ''}`;
}

/** The end of the breach a person stated (form section 2), marked when it lies before GuardDuty's detection, as its begin is. */
function statedEnd(incident: Incident, at: string | null | undefined, lang: Lang, when: (iso: string) => string | null): string | null {
  if (!at) return null;
  return `${when(at)}${beforeDetection(incident, at) ? `; ${BEFORE_DETECTION[lang]}` : ''}`;
}

/** The special-categories warnings as one field value, or none. */
function specialWarning(incident: Incident, lang: Lang): string[] {
  const w = specialWarnings(incident, lang);
  return w.length ? [w.join(' ')] : [];
}

function warningsOf(incident: Incident, lang: Lang, when: (iso: string) => string): string[] {
  const nl = lang === 'nl';
  const out = specialWarnings(incident, lang);
  const afterDeadline = (moment: string | null | undefined) =>
    moment ? (nl ? `, na het verstrijken van de AP-termijn (${when(moment)})` : `, after the AP deadline had passed (${when(moment)})`) : '';
  for (const d of incident.decisions ?? []) {
    if (d.kind === 'awareness' && d.enteredLater) {
      out.push(
        nl
          ? `Het moment van bewustwording (${when(d.to)}) is later ingevoerd: vastgelegd ${when(enteredAtOf(incident, d.recordedAt, d.by, 'awareness-set'))}${afterDeadline(d.enteredAfterDeadline)}.`
          : `The moment of awareness (${when(d.to)}) was entered later: recorded ${when(enteredAtOf(incident, d.recordedAt, d.by, 'awareness-set'))}${afterDeadline(d.enteredAfterDeadline)}.`,
      );
    }
    if (d.kind === 'awareness' && d.movedLaterAfterPersonalDataYes) {
      out.push(
        nl
          ? `Het moment van bewustwording is later gezet (${when(d.to)}) nadat persoonsgegevens al als getroffen waren beoordeeld; reden: ${d.reason}`
          : `The moment of awareness was moved later (${when(d.to)}) after personal data had been assessed as affected; reason: ${d.reason}`,
      );
    }
  }
  for (const [who, s] of [
    ['data-subjects', incident.subjects],
    ['subscribers', incident.subscribers],
  ] as const) {
    if (s?.enteredLater && s.date) {
      const whom = nl ? (who === 'subscribers' ? 'de abonnees' : 'de betrokkenen') : who === 'subscribers' ? 'the subscribers' : 'the data subjects';
      out.push(
        nl
          ? `Het informeren van ${whom} is later ingevoerd: gedateerd ${when(s.date)}, vastgelegd ${when(enteredAtOf(incident, s.at, s.by, who === 'subscribers' ? 'subscribers-decided' : 'subjects-decided'))}.`
          : `Informing ${whom} was entered later: dated ${when(s.date)}, recorded ${when(enteredAtOf(incident, s.at, s.by, who === 'subscribers' ? 'subscribers-decided' : 'subjects-decided'))}.`,
      );
    }
  }
  for (const r of incident.reports ?? []) {
    // Dated before GuardDuty saw anything (review11 S1): the AP reads why the report precedes the detection.
    if (r.beforeDetection) {
      out.push(
        nl
          ? `Melding ${r.reference} is gedaan op ${when(r.at)}, ${BEFORE_DETECTION.nl}.`
          : `Report ${r.reference} was made at ${when(r.at)}, ${BEFORE_DETECTION.en}.`,
      );
    }
    if (r.enteredLater) {
      out.push(
        nl
          ? `Melding ${r.reference} is later ingevoerd: gedateerd ${when(r.at)}, vastgelegd ${when(enteredAtOf(incident, r.recordedAt, r.by, 'reported'))}${afterDeadline(r.enteredAfterDeadline)}.`
          : `Report ${r.reference} was entered later: dated ${when(r.at)}, recorded ${when(enteredAtOf(incident, r.recordedAt, r.by, 'reported'))}${afterDeadline(r.enteredAfterDeadline)}.`,
      );
    }
  }
  return out;
}

/**
 * The AP draft of an incident; `elsewhere`: containment another incident carried out on its
 * resources (breach-facts.ts carriedOutElsewhere), named among the measures taken.
 */
export function buildDraft(incident: Incident, policy: Policy, now: string, lang: Lang = policy.language, elsewhere: CarriedOutElsewhere[] = []): Draft {
  // Handed on (to the AP, a file, a mail): a principal named as the timeline and the messages name it,
  // by the incident's own pseudonym (fg24): by the store-wide one, the draft and the store's secret
  // found the incident after minimise unlinked it (core/incident-pseudonyms.ts).
  const draft = withOwnPseudonyms(incident.pseudonymKey, draftOf(incident, policy, now, lang, elsewhere));
  // What goes to the AP names an access key by its kind and the incident's own pseudonym, not its id
  // (fg26 item 5); the FG's own notes (warnings, missing) keep the id a command or on-call needs.
  const named = (v: string | null) => (v === null ? v : keyPseudonyms(incident.pseudonymKey, v));
  return { ...draft, sections: draft.sections.map((s) => ({ ...s, fields: s.fields.map((f) => ({ ...f, value: named(f.value) })) })) };
}

function draftOf(incident: Incident, policy: Policy, now: string, lang: Lang, elsewhere: CarriedOutElsewhere[]): Draft {
  const nl = lang === 'nl';
  const tz = policy.timeZone;
  const when = (iso: string | null | undefined) => (iso ? localWithInstant(iso, tz) : null);
  const f = incident.facts;
  const org = policy.organisation;
  const role = roleOf(incident, policy);
  const initial = initialReport(incident);
  const unknown = yesNo(lang, 'unknown');
  const field = (key: string, label: string, value: string | null | undefined): DraftField => ({ key, label, value: value ?? null });
  const list = (items: string[] | undefined) => (items?.length ? items.join(', ') : null);
  const contact = (p: { name?: string; function?: string; email?: string; phone?: string } | undefined) =>
    [p?.name, p?.function, p?.email, p?.phone].filter(Boolean).join(', ') || null;
  const parties = f?.otherParties ?? [];
  const a = incident.assessment;
  // As processor this draft helps the controller's notification (Art. 33(2)): the AP form's
  // organisation, notifier and FG are the controller's, left for it to fill in; we are the
  // processor involved. Its 72 hours start when it became aware, at the earliest when we told it
  // (EDPB Guidelines 9/2022), not at our own awareness.
  const processor = role === 'processor';
  const forController = nl ? 'in te vullen door de verwerkingsverantwoordelijke' : 'to be filled in by the controller';
  const controllerTold = processor ? [...(incident.reports ?? [])].filter((r) => r.to === 'controller').sort((x, y) => x.at.localeCompare(y.at))[0] : undefined;
  const hours = apHours(incident, policy);
  const clocks = clocksOf(incident, policy, now);
  // A telecom provider notifies the AP under the Telecommunicatiewet whatever the risk (Regulation
  // 611/2013 art. 2: within 24 hours), under the AVG only when the FG did not assess the breach not
  // notifiable (Art. 33(1)): the draft names the basis and the deadline that run.
  const telecom = clocks.find((c) => c.name === 'telecom-initial' && c.status !== 'not-needed');
  const avgNotifiable = incident.assessment?.notifiable !== false;
  const telecomOnly = telecom !== undefined && !avgNotifiable;
  /** The AP deadline that runs: the Telecommunicatiewet's 24 hours for a provider, beside the AVG's when that applies too. */
  const apDeadlineValue = () => {
    if (!telecom?.dueAt) return when(apLegalDeadline(incident));
    const tw = `${when(telecom.dueAt)}, ${nl ? 'Telecommunicatiewet (eerste melding, 24 uur)' : 'Telecommunications Act (initial notification, 24 hours)'}`;
    const legal = apLegalDeadline(incident);
    if (!avgNotifiable || !legal) return tw;
    return `${tw}; ${when(legal)}, ${nl ? `AVG (art. 33, ${hours} uur)` : `GDPR (Art. 33, ${hours} hours)`}`;
  };

  const sections: Record<(typeof FORM_SECTIONS)[number]['key'], DraftField[]> = {
    notification: [
      field(
        'legalBasis',
        nl ? 'Melding op grond van' : 'Notification under',
        telecomOnly
          ? nl
            ? 'Telecommunicatiewet (art. 11.3a)'
            : 'Telecommunications Act (art. 11.3a)'
          : clocksInForce(incident, policy).telecom
            ? nl
              ? 'AVG (art. 33) en Telecommunicatiewet (art. 11.3a)'
              : 'GDPR (Art. 33) and Telecommunications Act (art. 11.3a)'
            : nl
              ? 'AVG (art. 33)'
              : 'GDPR (Art. 33)',
      ),
      field(
        'notificationType',
        nl ? 'Nieuwe melding of vervolgmelding' : 'New or follow-up',
        initial ? (nl ? `vervolgmelding op ${initial.reference}` : `follow-up to ${initial.reference}`) : nl ? 'nieuwe melding' : 'new notification',
      ),
      // Notified before and withdrawn: the first notification, its withdrawal and the one anew, by which the deadline is judged (law28).
      ...earlierNotification(incident, policy, lang, tz),
      // Art. 33(4): a follow-up brings what the AP has not received; the draft names it.
      ...(initial ? [field('notWithAp', nl ? 'Nog niet bij de AP (AVG art. 33(4))' : 'Not yet with the AP (Art. 33(4))', notWithAp(incident, lang, tz))] : []),
      field('internalReference', nl ? 'Intern kenmerk' : 'Internal reference', incident.id),
    ],
    contact: [
      field('organisation', nl ? 'Organisatie' : 'Organisation', processor ? forController : org.name),
      field(
        'notifier',
        nl ? 'Melder (naam, functie, e-mail, telefoon)' : 'Notifier (name, function, e-mail, phone)',
        processor
          ? forController
          : org.notifier
            ? contact(org.notifier)
            : contact({ ...org.fg, function: nl ? 'functionaris gegevensbescherming' : 'data protection officer' }),
      ),
      field('fg', nl ? 'FG of contactpunt' : 'FG or contact point', processor ? forController : contact(org.fg)),
      field('role', nl ? 'Onze rol bij dit datalek' : 'Our role in this breach', roleLabel(lang, role)),
      field(
        'processorInvolved',
        nl ? 'Verwerker betrokken' : 'Processor involved',
        processor
          ? `${yesNo(lang, 'yes')}: ${[org.name, contact(org.fg)].filter(Boolean).join(', ')}`
          : parties.some((p) => p.role === 'processor')
            ? yesNo(lang, 'yes')
            : f?.otherPartiesStated
              ? yesNo(lang, 'no')
              : unknown,
      ),
      field(
        'otherParties',
        nl ? 'Andere betrokken organisaties' : 'Other organisations involved',
        parties.length ? parties.map((p) => `${p.name} (${roleLabel(lang, p.role)})`).join('; ') : f?.otherPartiesStated ? (nl ? 'geen' : 'none') : null,
      ),
    ],
    timeline: [
      f?.startedAt
        ? field('startedAt', nl ? 'Begin van het datalek' : 'Start of the breach', statedBegin(incident, f, lang, when))
        : field(
            'startedAt',
            incident.openedByHand
              ? nl
                ? 'Begin van het datalek (voor zover bekend: de ontdekking)'
                : 'Start of the breach (as far as known: the discovery)'
              : nl
                ? 'Begin van het datalek (eerste activiteit volgens GuardDuty)'
                : 'Start of the breach (first activity according to GuardDuty)',
            beganValue(incident, lang, when),
          ),
      field('endedAt', nl ? 'Einde van het datalek' : 'End of the breach', statedEnd(incident, f?.endedAt, lang, when)),
      field('detectedAt', nl ? 'Ontdekt' : 'Discovered', when(incident.detectedAt)),
      field(
        'awareAt',
        processor
          ? nl
            ? 'Wij (verwerker) bewust geworden'
            : 'We (processor) became aware'
          : nl
            ? `Bewust geworden (start ${telecomOnly ? '24 uur, Telecommunicatiewet' : `${hours} uur`})`
            : `Became aware (${telecomOnly ? '24 hours, Telecommunications Act,' : `${hours} hours`} start)`,
        incident.awareAt
          ? `${when(incident.awareAt)}${beforeDetection(incident, incident.awareAt) ? `; ${BEFORE_DETECTION[lang]}` : ''}${incident.awareReason ? `; ${nl ? 'reden' : 'reason'}: ${awareReasonLabel(lang, incident.awareReason)}` : ''}`
          : null,
      ),
      ...(processor
        ? [
            field(
              'controllerInformedAt',
              nl
                ? 'Verwerkingsverantwoordelijke geïnformeerd (daar begint op zijn vroegst zijn termijn van 72 uur, art. 33(1), (2))'
                : 'Controller informed (its 72 hours start there at the earliest, Art. 33(1), (2))',
              controllerTold
                ? `${when(controllerTold.at)}; ${controllerTold.reference}${controllerTold.beforeDetection ? `; ${BEFORE_DETECTION[lang]}` : ''}`
                : nl
                  ? 'nog niet'
                  : 'not yet',
            ),
          ]
        : []),
      ...(role === 'controller' ? [field('apDeadline', nl ? 'Termijn AP' : 'AP deadline', apDeadlineValue())] : []),
      field('ongoing', nl ? 'Is het datalek nog gaande?' : 'Is the breach ongoing?', ongoingValue(incident, lang, when) ?? unknown),
    ],
    breach: [
      field('summary', nl ? 'Samenvatting' : 'Summary', f?.summary),
      field('breachType', nl ? 'Soort datalek' : 'Kind of breach', f?.breachType ? breachTypeLabel(lang, f.breachType) : null),
      field(
        'nature',
        nl ? 'Aard (vertrouwelijkheid, integriteit, beschikbaarheid)' : 'Nature (confidentiality, integrity, availability)',
        list(f?.nature.map((n) => natureLabel(lang, n))),
      ),
      field('cause', nl ? 'Oorzaak' : 'Cause', f?.cause),
      field(
        'detection',
        nl ? 'Technische aanleiding' : 'Technical signal',
        incident.openedByHand
          ? openedByHandText(incident.openedByHand, lang, when)
          : `${nl ? 'AWS GuardDuty meldde' : 'AWS GuardDuty reported'} ${oneLine(incident.findingType)} (${incident.findings} ${nl ? (incident.findings === 1 ? 'bevinding' : 'bevindingen') : incident.findings === 1 ? 'finding' : 'findings'}) ${nl ? 'op' : 'on'} ${resourceKindLabel(lang, incident.resource)} ${incident.resource.id} (account ${incident.accountId}, ${incident.region}).`,
      ),
      ...linkedField(incident, lang),
      field(
        'fgAssessment',
        nl ? 'Beoordeling FG' : "FG's assessment",
        a
          ? `${nl ? 'persoonsgegevens getroffen' : 'personal data affected'}: ${yesNo(lang, a.personalData)}; ${riskLabel(lang, a.risk)}; ${nl ? 'meldplichtig' : 'notifiable'}: ${yesNo(lang, a.notifiable)}. ${a.reason}${a.confirmedBesideSpecial ? `; ${besideSpecialLabel(lang, a.confirmedBesideSpecial)}` : ''}`
          : null,
      ),
    ],
    personalData: [
      field('categories', nl ? 'Soorten persoonsgegevens' : 'Categories of personal data', list(f?.categories)),
      field(
        'specialCategories',
        nl ? 'Bijzondere persoonsgegevens (incl. BSN)' : 'Special categories (incl. BSN)',
        f?.specialStated ? specialValue(incident, lang) : unknown,
      ),
      ...specialWarning(incident, lang).map((w) => field('specialCategoriesWarning', nl ? 'Let op' : 'Note', w)),
      field('records', nl ? 'Aantal records (bij benadering)' : 'Number of records (approximate)', f?.records != null ? String(f.records) : null),
    ],
    dataSubjects: [
      field('subjectGroups', nl ? 'Groepen betrokkenen' : 'Groups of data subjects', list(f?.subjectGroups)),
      field(
        'subjectsRange',
        nl ? 'Aantal betrokkenen (min–max)' : 'Number of data subjects (min–max)',
        f?.subjectsMin != null && f.subjectsMax != null ? `${f.subjectsMin}–${f.subjectsMax}` : null,
      ),
    ],
    priorMeasures: [
      field(
        'unintelligible',
        nl ? 'Versleuteld of anders onbegrijpelijk' : 'Encrypted or otherwise unintelligible',
        f?.unintelligible ? yesNo(lang, f.unintelligible) : null,
      ),
    ],
    consequences: [
      ...(f?.nature ?? []).map((n: Nature) => {
        const c = f?.consequencesByNature?.[n];
        const harm = c?.harm.length ? c.harm.map((h) => harmLabel(lang, h)).join(', ') : null;
        return field(
          `consequences.${n}`,
          nl ? `Gevolgen voor de ${natureLabel(lang, n)}` : `Consequences for ${natureLabel(lang, n)}`,
          c
            ? [
                c.text,
                harm ? `${nl ? 'soort schade' : 'kind of harm'}: ${harm}` : null,
                c.severity ? `${nl ? 'ernst' : 'severity'}: ${harmSeverityLabel(lang, c.severity)}` : null,
              ]
                .filter(Boolean)
                .join('; ')
            : null,
        );
      }),
      // The general text is asked only when no kind of breach is named; otherwise it is optional.
      ...(!f?.nature.length || f.consequences
        ? [field('consequences', nl ? 'Waarschijnlijke gevolgen (algemeen)' : 'Likely consequences (general)', f?.consequences)]
        : []),
    ],
    followUp: [
      field('subjectsInformed', nl ? 'Betrokkenen geïnformeerd (art. 34)?' : 'Data subjects informed (Art. 34)?', subjectsValue(incident, policy, lang, when)),
      ...(clocksInForce(incident, policy).telecom
        ? [
            field(
              'subscribersInformed',
              nl ? 'Abonnees geïnformeerd (Verordening 611/2013 art. 3)?' : 'Subscribers informed (Regulation 611/2013 Art. 3)?',
              subscribersValue(incident, lang, when),
            ),
          ]
        : []),
      field(
        'measuresTaken',
        nl ? 'Genomen maatregelen' : 'Measures taken',
        // What the record had no room for is said beside them, never passed over as taken.
        measuresTaken(incident, lang, tz, elsewhere).length
          ? [...measuresTaken(incident, lang, tz, elsewhere), ...notPlannedOf(incident, lang, when), ...stillPlannedOf(incident, lang)].join('; ')
          : null,
      ),
      field('measuresProposed', nl ? 'Voorgestelde maatregelen' : 'Measures proposed', f?.measuresProposed),
      field('crossBorder', nl ? 'Grensoverschrijdend' : 'Cross-border', f?.crossBorder == null ? null : yesNo(lang, f.crossBorder)),
      ...(f?.crossBorder ? [field('leadAuthority', nl ? 'Leidende toezichthouder (art. 56)' : 'Lead supervisory authority (Art. 56)', f.leadAuthority)] : []),
      field('otherAuthorities', nl ? 'Andere instanties ingelicht' : 'Other authorities informed', f?.otherAuthorities),
    ],
    other: [
      // Art. 33(1): reasons for a delay belong to a notification that is ours to make; none when nothing is to be notified.
      ...(notifiableByUs(incident, policy)
        ? [
            field(
              'delayReason',
              nl ? 'Reden voor vertraging (art. 33(1))' : 'Reasons for the delay (Art. 33(1))',
              isLate(incident, now) ? delayReasonText(incident) : inTime(incident, lang, tz),
            ),
          ]
        : []),
      field(
        'otherClocks',
        nl ? 'Andere termijnen' : 'Other clocks',
        clocks
          .filter((c) => c.name !== 'ap')
          .map((c) => `${c.label[lang]}: ${clockStateLabel(lang, c.status)}${c.note ? ` (${c.note[lang]})` : ''}`)
          .join('; ') || null,
      ),
    ],
  };
  const warnings = [
    ...warningsOf(incident, lang, (iso) => when(iso) as string),
    ...endedWhileOpenWarning(incident, lang, when),
    ...plannedBesideMeasuresWarning(incident, lang),
    ...subscribersWithoutApWarning(incident, lang),
  ];
  const notGiven = unknownFacts(incident, policy, now, lang);
  if (notGiven.length) {
    const why = incident.facts?.unknown?.reason ?? '';
    warnings.push(
      nl
        ? `Niet te geven (de feiten zijn als compleet gemeld): ${notGiven.map((m) => m.text).join('; ')}; reden: ${why}`
        : `Cannot be given (the facts were marked complete): ${notGiven.map((m) => m.text).join('; ')}; reason: ${why}`,
    );
  }
  const unknownKeys = new Set(notGiven.map((m) => m.key));
  if (role === 'processor') warnings.unshift(L[lang].processorNote);
  // A telecom provider's breach not notifiable under the AVG is still notified to the AP (Regulation 611/2013 art. 2).
  else if (a?.notifiable === false) warnings.unshift(telecomOnly ? L[lang].telecomOnly : L[lang].notNotifiable);
  return {
    incidentId: incident.id,
    language: lang,
    generatedAt: now,
    missing: missingFactItems(incident, policy, now, lang, elsewhere)
      .filter((m) => !unknownKeys.has(m.key))
      .map(missingFactCli),
    warnings,
    late: notifiableByUs(incident, policy) && isLate(incident, now),
    notifiable: a ? a.notifiable : null,
    role,
    sections: FORM_SECTIONS.map((s) => ({ number: s.number, key: s.key, title: s[lang], fields: sections[s.key] })),
  };
}

/**
 * What containment says about "is the breach ongoing?" (form section 2): contained only when every
 * action is carried out; otherwise what is contained and what is still open (a failed action says
 * so, and whether it left a network interface open; a planned one or a person's step is named). A
 * failed step is never reported as contained (domain notes §4). Null when there is no containment.
 */
/**
 * The incidents a finding linked to this one rather than merging them (record-finding.ts
 * `notMergeable`): the same attack, recorded separately. The AP reads this draft alone, so it names
 * them, and the count beyond those the record lists. None when it is linked to none.
 */
function linkedField(incident: Incident, lang: Lang): DraftField[] {
  const ids = incident.linked ?? [];
  const more = incident.linkedNotListed ?? 0;
  if (!ids.length && !more) return [];
  const nl = lang === 'nl';
  const listed = `${ids.join(', ')}${more ? (nl ? ` en ${more} meer` : ` and ${more} more`) : ''}`;
  const value = nl
    ? `${listed}: dezelfde aanval, apart vastgelegd (gekoppeld, niet samengevoegd); hun feiten, maatregelen en meldingen staan in hun eigen dossier`
    : `${listed}: the same attack, recorded separately (linked, not merged); their facts, measures and notifications are in their own records`;
  return [{ key: 'linkedIncidents', label: nl ? 'Gekoppelde incidenten' : 'Linked incidents', value }];
}

/** The containment the record had no room for (core/commit-bounds.ts), in the draft's words: none, or one. */
function notPlannedOf(incident: Incident, lang: Lang, when: (iso: string) => string | null): string[] {
  const said = notPlannedMeasure(incident, lang, (iso) => when(iso) ?? iso);
  return said ? [said] : [];
}

/**
 * The begin as GuardDuty gave it; with a finding's first activity set aside (not a strict instant),
 * which and the time used instead, so the FG does not take the begin for GuardDuty's (fg26 item 4).
 */
function beganValue(incident: Incident, lang: Lang, when: (iso: string) => string | null): string | null {
  const began = when(incident.firstActivityAt ?? incident.detectedAt);
  const setAside = firstSeenSetAsideText(incident, lang, (iso) => when(iso) ?? iso);
  return setAside ? `${began}; ${lang === 'nl' ? 'let op' : 'note'}: ${setAside}` : began;
}

/** Containment still planned, beside the measures taken in a person's words: they may claim it while the record does not (fg26 item 1). */
function stillPlannedOf(incident: Incident, lang: Lang): string[] {
  const said = incident.facts?.measuresTaken?.trim() ? stillPlannedText(incident, lang) : null;
  return said ? [said] : [];
}

/**
 * An incident a person opened by hand (core/open-by-hand.ts): said so where the draft names the
 * technical signal, with the finding the policy ignored when it comes from one.
 */
function openedByHandText(o: NonNullable<Incident['openedByHand']>, lang: Lang, when: (iso: string) => string | null): string {
  const f = o.finding;
  if (lang === 'nl')
    return `Met de hand geopend door ${o.by} op ${when(o.recordedAt)}: ${o.what}.${f ? ` Afkomstig van GuardDuty-bevinding ${f.findingId} (${f.type}, ernst ${f.severity}), die het beleid negeerde: ${ignoredLabel(lang, f)}.` : ' Geen GuardDuty-bevinding.'}`;
  return `Opened by hand by ${o.by} on ${when(o.recordedAt)}: ${o.what}.${f ? ` From GuardDuty finding ${f.findingId} (${f.type}, severity ${f.severity}), which the policy ignored: ${f.ignored}.` : ' No GuardDuty finding.'}`;
}

/**
 * The containment the record still holds as planned while measures taken are recorded in a
 * person's words and no end of the breach is: those words may claim a step the record does not
 * (plannedBesideMeasuresWarning; the notice leaves them out meanwhile). Each as `actionName`.
 */
export function plannedBesideMeasures(incident: Incident): Incident['actions'] {
  if (incident.facts?.endedAt || !incident.facts?.measuresTaken?.trim()) return [];
  return liveActions(incident).filter((a) => a.status === 'planned');
}

function liveActions(incident: Incident) {
  return incident.actions.filter((a) => !a.released && a.status !== 'skipped');
}

export function actionName(a: Incident['actions'][number], lang: Lang): string {
  return `${actionLabel(lang, a.type)} ${a.target}`;
}

/** The containment still open: planned or failed (saying whether it left an interface open), and what the record had no room for. */
function openContainment(incident: Incident, lang: Lang, when: (iso: string) => string | null): string[] {
  const nl = lang === 'nl';
  const failed = (a: Incident['actions'][number]) => {
    if (a.status !== 'failed') return '';
    const exposed = a.steps?.some((x) => x.exposed);
    return nl ? ` (mislukt${exposed ? '; een netwerkinterface staat open' : ''})` : ` (failed${exposed ? '; a network interface left open' : ''})`;
  };
  // Containment the record had no room for is open too: nothing of it was carried out.
  const open = liveActions(incident).filter((a) => a.status !== 'done');
  return [...open.map((a) => `${actionName(a, lang)}${failed(a)}`), ...notPlannedOf(incident, lang, when)];
}

/**
 * "Is the breach ongoing?" with an end the FG stated: no, but never silent about containment the
 * record still holds open (a failed step is never contained, domain notes §4): it is named beside
 * the end, and in the draft's "Let op" (`endedWhileOpenWarning`).
 */
function ongoingValue(incident: Incident, lang: Lang, when: (iso: string) => string | null): string | null {
  const endedAt = incident.facts?.endedAt;
  if (!endedAt) return containmentState(incident, lang, when);
  const open = openContainment(incident, lang, when);
  if (!open.length) return yesNo(lang, 'no');
  return lang === 'nl'
    ? `nee; einde vastgesteld op ${when(endedAt)}; let op: inperking nog open: ${open.join(', ')}`
    : `no; end established on ${when(endedAt)}; note: containment still open: ${open.join(', ')}`;
}

function endedWhileOpenWarning(incident: Incident, lang: Lang, when: (iso: string) => string | null): string[] {
  const endedAt = incident.facts?.endedAt;
  const open = endedAt ? openContainment(incident, lang, when) : [];
  if (!endedAt || !open.length) return [];
  return [
    lang === 'nl'
      ? `Het einde van het datalek is vastgesteld op ${when(endedAt)}, maar de inperking is volgens het dossier nog open: ${open.join(', ')}. Een mislukte of niet uitgevoerde stap geldt niet als ingeperkt: ga na of het datalek echt voorbij is voordat u "nee" meldt bij "Is het datalek nog gaande?".`
      : `The end of the breach is established on ${when(endedAt)}, but the record holds containment still open: ${open.join(', ')}. A failed or not carried out step is not contained: check that the breach is really over before answering "no" to "Is the breach ongoing?".`,
  ];
}

/**
 * Containment only planned (plan mode, a person's step) beside measures taken in the FG's words:
 * a person may have carried the step out by hand and recorded it as a measure without recording it
 * on the action (`datalek contained`, core/by-hand.ts, which makes it done: review7 G15), so section
 * 2 would tell the AP "not contained" when it may be. Said in "Let op" until an end is stated
 * (endedWhileOpenWarning says it then), for the actions still planned.
 */
function plannedBesideMeasuresWarning(incident: Incident, lang: Lang): string[] {
  const planned = plannedBesideMeasures(incident);
  if (!planned.length) return [];
  const names = planned.map((a) => actionName(a, lang)).join(', ');
  return [
    (lang === 'nl'
      ? `De inperking staat in het dossier nog als gepland (${names}), maar er zijn maatregelen vastgelegd. Controleer of de stap met de hand is uitgevoerd: zo ja, leg dat bij de actie vast (datalek contained), dan telt ze als genomen maatregel; wordt ze niet uitgevoerd, leg dat vast met de reden (datalek not-done); en leg het einde van het datalek vast zodra dat vaststaat.`
      : `The record still holds the containment as planned (${names}), but measures taken are recorded. Check whether the step was carried out by hand: if so, record it on the action (datalek contained), which then counts as a measure taken; if it will not be, record that with the reason (datalek not-done); and record the end of the breach once it is established.`) +
      byPipelineNote(incident, planned, lang),
  ];
}

/**
 * The planned actions the contain function is still to carry out (the policy enforces them): not
 * for `datalek contained`, which refuses them (review8 A2), but for `datalek contain` if the run
 * stopped or failed. An empty string when there are none.
 */
export function byPipelineNote(incident: Incident, planned: Incident['actions'], lang: Lang): string {
  const enforced = planned.filter((a) => carriedOutByPipeline(incident, a));
  if (!enforced.length) return '';
  const names = enforced.map((a) => actionName(a, lang)).join(', ');
  return lang === 'nl'
    ? ` Het beleid dwingt ${names} af: dat voert de inperkingsfunctie uit, niet een persoon (datalek contained weigert het); is die gestopt of mislukt, voer het dan uit met datalek contain ${incident.id}.`
    : ` The policy enforces ${names}: the contain function carries it out, not a person (datalek contained refuses it); if it stopped or failed, carry it out with datalek contain ${incident.id}.`;
}

function containmentState(incident: Incident, lang: Lang, when: (iso: string) => string | null): string | null {
  const state = liveContainmentState(incident, lang, when);
  const notDone = notDoneClause(incident, lang, when);
  return state && notDone ? `${state}; ${notDone}` : (state ?? notDone);
}

/**
 * The steps a person decided not to carry out (core/by-hand.ts `recordNotToBeDone`): neither
 * contained nor still open, each with who decided and why, so the AP reads the reason beside it
 * (and the Markdown register, register.ts: Art. 33(5), the remedial action and what was decided against it).
 */
export function notDoneClause(incident: Incident, lang: Lang, when: (iso: string) => string | null): string | null {
  const nl = lang === 'nl';
  const steps = incident.actions.filter((a) => a.notDone && !a.released);
  const decided = (d: { by: string; recordedAt: string; reason: string }) =>
    `${nl ? 'besloten door' : 'decided by'} ${d.by} ${nl ? 'op' : 'on'} ${when(d.recordedAt)}: ${d.reason}`;
  const said = steps.map((a) => `${actionName(a, lang)} (${decided(a.notDone as NonNullable<typeof a.notDone>)})`);
  // A decision taken back (`not-done --withdraw`) stays on the record beside its withdrawal.
  const withdrawn = incident.actions.flatMap((a) =>
    (a.notDoneWithdrawn ?? []).map(
      (w) =>
        `${actionName(a, lang)} (${nl ? 'niet uitvoeren' : 'not to be carried out'}, ${decided(w.decision)}; ${nl ? 'ingetrokken door' : 'withdrawn by'} ${w.by} ${nl ? 'op' : 'on'} ${when(w.recordedAt)}: ${w.reason})`,
    ),
  );
  const parts = [
    ...(said.length ? [`${nl ? 'wordt niet uitgevoerd' : 'will not be carried out'}: ${said.join(', ')}`] : []),
    ...(withdrawn.length ? [`${nl ? 'besluit ingetrokken' : 'decision withdrawn'}: ${withdrawn.join(', ')}`] : []),
  ];
  return parts.length ? parts.join('; ') : null;
}

function liveContainmentState(incident: Incident, lang: Lang, when: (iso: string) => string | null): string | null {
  const nl = lang === 'nl';
  const live = liveActions(incident);
  const doneAt = actionAt;
  const done = live.filter((a) => a.status === 'done');
  const end = nl ? 'einde nog niet vastgesteld' : 'end not established yet';
  const last = done.map(doneAt).sort().at(-1);
  const openNames = openContainment(incident, lang, when);
  // A step decided not to be done is not contained (review10 S5): the answer still says how far
  // containment went and that no end is established; notDoneClause follows with the decision.
  const notDone = incident.actions.some((a) => a.notDone && !a.released);
  if (last && !openNames.length && !notDone) return nl ? `ingeperkt op ${when(last)}; ${end}` : `contained on ${when(last)}; ${end}`;
  if (!openNames.length && !notDone) return null;
  const stillOpen = openNames.length ? `; ${nl ? 'nog open' : 'still open'}: ${openNames.join(', ')}` : '';
  if (!last) return `${nl ? 'niet ingeperkt' : 'not contained'}${stillOpen}; ${end}`;
  const contained = done.map((a) => `${actionName(a, lang)} ${when(doneAt(a))}`).join(', ');
  return nl ? `deels ingeperkt op ${when(last)} (${contained})${stillOpen}; ${end}` : `partly contained on ${when(last)} (${contained})${stillOpen}; ${end}`;
}

/**
 * The subscribers' decision, with the AP's agreement its exception for unintelligible data rests on
 * (Regulation 611/2013 art. 4(1)); a record from before that holds none says so (`subscribersWithoutAp`).
 */
function subscribersValue(incident: Incident, lang: Lang, when: (iso: string) => string | null): string | null {
  const s = incident.subscribers;
  if (!s) return null;
  const told = subjectsToldLabel(lang, s, (iso) => when(iso) as string, enteredAtOf(incident, s.at, s.by, 'subscribers-decided'));
  const nl = lang === 'nl';
  if (s.apAgreed)
    return nl
      ? `${told}; de AP stemde in (Verordening 611/2013 art. 4(1)) op ${when(s.apAgreed.at)}, kenmerk ${s.apAgreed.reference}`
      : `${told}; the AP agreed (Regulation 611/2013 art. 4(1)) on ${when(s.apAgreed.at)}, reference ${s.apAgreed.reference}`;
  if (subscribersWithoutAp(incident.subscribers))
    return nl
      ? `${told}; let op: de instemming van de AP (Verordening 611/2013 art. 4(1)) is niet vastgelegd`
      : `${told}; note: the AP’s agreement (Regulation 611/2013 art. 4(1)) not recorded`;
  return told;
}

/**
 * Regulation 611/2013 art. 4(1): the subscribers need not be notified only when the AP agreed that
 * the data was unintelligible; the provider's own view is not enough. A record without the AP's
 * agreement is no settled exception: "Let op" says what is still to do.
 */
function subscribersWithoutApWarning(incident: Incident, lang: Lang): string[] {
  if (!subscribersWithoutAp(incident.subscribers)) return [];
  return [
    lang === 'nl'
      ? 'De abonnees worden niet geïnformeerd omdat de gegevens onbegrijpelijk waren, maar de instemming van de AP (Verordening 611/2013 art. 4(1)) is niet vastgelegd: die uitzondering geldt alleen als de aanbieder de AP heeft aangetoond dat de gegevens onbegrijpelijk waren en de AP daarmee instemt. Leg het besluit opnieuw vast met het kenmerk en de datum van de instemming van de AP, of informeer de abonnees.'
      : 'The subscribers are not informed because the data was unintelligible, but the AP’s agreement (Regulation 611/2013 art. 4(1)) is not recorded: that exception applies only when the provider showed the AP that the data was unintelligible and the AP agreed. Record the decision again with the AP’s reference and the date it agreed, or inform the subscribers.',
  ];
}

function subjectsValue(incident: Incident, policy: Policy, lang: Lang, when: (iso: string) => string | null): string | null {
  const nl = lang === 'nl';
  if (incident.subjects)
    return subjectsToldLabel(
      lang,
      incident.subjects,
      (iso) => when(iso) as string,
      enteredAtOf(incident, incident.subjects.at, incident.subjects.by, 'subjects-decided'),
    );
  if (roleOf(incident, policy) === 'processor')
    return nl ? 'taak van de verwerkingsverantwoordelijke (art. 33(2), 34)' : "the controller's duty (Art. 33(2), 34)";
  if (policy.organisation.financialUndertaking) return nl ? 'niet van toepassing (UAVG art. 42)' : 'not applicable (UAVG art. 42)';
  if (incident.assessment && incident.assessment.risk !== 'high') {
    return nl ? 'niet vereist: het risico is niet hoog (art. 34(1))' : 'not required: the risk is not high (Art. 34(1))';
  }
  return null;
}

/** The draft as Markdown; with `timeZone` the moment it was made shows in that zone, as every other time in it. */
export function draftMarkdown(draft: Draft, timeZone?: string): string {
  const t = L[draft.language];
  const lines = [`# ${t.title}`, '', `${draft.incidentId} · ${timeZone ? formatLocal(draft.generatedAt, timeZone) : draft.generatedAt}`, ''];
  if (draft.missing.length) {
    lines.push(`## ${t.stillMissing}`, '');
    for (const m of draft.missing) lines.push(`- [ ] ${escapeMarkdown(m)}`);
    lines.push('');
  } else {
    lines.push(t.complete, '');
  }
  if (draft.warnings.length) {
    lines.push(`## ${t.warnings}`, '');
    for (const w of draft.warnings) lines.push(`- ${escapeMarkdown(w)}`);
    lines.push('');
  }
  for (const s of draft.sections) {
    lines.push(`## ${s.number}. ${s.title}`, '');
    for (const f of s.fields) lines.push(`- **${f.label}:** ${f.value === null ? t.notRecorded : escapeMarkdown(f.value)}`);
    lines.push('');
  }
  lines.push(t.footer);
  return lines.join('\n');
}

export { containmentTaken, escapeMarkdown, measuresTaken };
