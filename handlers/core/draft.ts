/**
 * The AP notification draft, laid out along the sections of the AP's online form (Meldformulier
 * datalekken; there is no API: a person submits it), filled from the incident, with the required
 * facts that are still missing listed first. After the deadline it asks for the reasons for the
 * delay (Art. 33(1)).
 */
import { clocksOf, subjectsDecisionNeeded } from './clocks.js';
import { type Incident, initialReport } from './incident.js';
import type { Policy } from './policy.js';
import { formatLocal } from './time.js';

type Lang = 'nl' | 'en';

export interface DraftField {
  label: string;
  value: string | null;
}

export interface DraftSection {
  number: number;
  title: string;
  fields: DraftField[];
}

export interface Draft {
  incidentId: string;
  language: Lang;
  generatedAt: string;
  /** Required facts still missing: empty when the draft is complete. */
  missing: string[];
  late: boolean;
  sections: DraftSection[];
}

const L = {
  nl: {
    title: 'Concept-melding datalek aan de Autoriteit Persoonsgegevens',
    sections: [
      'Over deze melding',
      'Contactgegevens',
      'Tijdlijn',
      'Het datalek',
      'Persoonsgegevens',
      'Betrokkenen',
      'Voorafgaande maatregelen',
      'Gevolgen',
      'Vervolgacties',
      'Overig',
    ],
    missing: {
      assessment: 'Beoordeling door de FG: zijn persoonsgegevens getroffen, en welk risico (datalek assess)',
      nature: 'Aard van het datalek: vertrouwelijkheid, integriteit en/of beschikbaarheid (datalek facts --nature)',
      categories: 'Soorten persoonsgegevens (datalek facts --categories)',
      groups: 'Groepen betrokkenen (datalek facts --subject-groups)',
      subjects: 'Aantal betrokkenen, minimaal en maximaal (datalek facts --subjects MIN-MAX)',
      records: 'Aantal records, bij benadering (datalek facts --records)',
      consequences: 'Waarschijnlijke gevolgen (datalek facts --consequences)',
      measures: 'Genomen of voorgestelde maatregelen (inperking, of datalek facts --measures)',
      unintelligible: 'Waren de gegevens versleuteld of anders onbegrijpelijk? (datalek facts --unintelligible)',
      fg: 'Contactgegevens van de FG (policy: organisation.fg)',
      organisation: 'Naam van de organisatie (policy: organisation.name)',
      delay: 'Reden voor de vertraging: de termijn van 72 uur is verstreken (AVG art. 33(1)); opgeven bij datalek reported --delay-reason',
      art34: 'Hoog risico: besluit over het informeren van betrokkenen (datalek subjects)',
    },
    yes: 'ja',
    no: 'nee',
    unknown: 'onbekend',
    notRecorded: '(nog niet vastgelegd)',
  },
  en: {
    title: 'Draft personal data breach notification to the Dutch Data Protection Authority (AP)',
    sections: [
      'About this notification',
      'Contact details',
      'Timeline',
      'The breach',
      'Personal data',
      'Data subjects',
      'Prior measures',
      'Consequences',
      'Follow-up',
      'Other',
    ],
    missing: {
      assessment: "The FG's assessment: is personal data affected, and what risk (datalek assess)",
      nature: 'Nature of the breach: confidentiality, integrity and/or availability (datalek facts --nature)',
      categories: 'Categories of personal data (datalek facts --categories)',
      groups: 'Groups of data subjects (datalek facts --subject-groups)',
      subjects: 'Number of data subjects, minimum and maximum (datalek facts --subjects MIN-MAX)',
      records: 'Approximate number of records (datalek facts --records)',
      consequences: 'Likely consequences (datalek facts --consequences)',
      measures: 'Measures taken or proposed (containment, or datalek facts --measures)',
      unintelligible: 'Was the data encrypted or otherwise unintelligible? (datalek facts --unintelligible)',
      fg: "The FG's contact details (policy: organisation.fg)",
      organisation: "The organisation's name (policy: organisation.name)",
      delay: 'Reasons for the delay: the 72 hours have passed (GDPR Art. 33(1)); give them with datalek reported --delay-reason',
      art34: 'High risk: the decision on informing the data subjects (datalek subjects)',
    },
    yes: 'yes',
    no: 'no',
    unknown: 'unknown',
    notRecorded: '(not recorded yet)',
  },
};

const NATURE = {
  nl: { confidentiality: 'vertrouwelijkheid', integrity: 'integriteit', availability: 'beschikbaarheid' },
  en: { confidentiality: 'confidentiality', integrity: 'integrity', availability: 'availability' },
};

/** Measures taken: containment that was carried out, each an Art. 33(3)(d) measure. */
export function measuresTaken(incident: Incident): string[] {
  return incident.actions.filter((a) => a.status === 'done' && !a.released).map((a) => `${a.type} ${a.target} (${a.steps?.at(-1)?.at ?? a.at})`);
}

/** The required facts still missing, in the draft's language. */
export function missingFacts(incident: Incident, policy: Policy, now: string, lang: Lang = policy.language): string[] {
  const m = L[lang].missing;
  const f = incident.facts;
  const out: string[] = [];
  if (!incident.assessment) out.push(m.assessment);
  if (!f?.nature.length) out.push(m.nature);
  if (!f?.categories.length) out.push(m.categories);
  if (!f?.subjectGroups.length) out.push(m.groups);
  if (f?.subjectsMin == null || f?.subjectsMax == null) out.push(m.subjects);
  if (f?.records == null) out.push(m.records);
  if (!f?.consequences) out.push(m.consequences);
  if (measuresTaken(incident).length === 0 && !f?.measuresProposed) out.push(m.measures);
  if (!f?.unintelligible) out.push(m.unintelligible);
  if (!policy.organisation.fg.email && !policy.organisation.fg.phone) out.push(m.fg);
  if (!policy.organisation.name) out.push(m.organisation);
  if (isLate(incident, now) && !initialReport(incident)?.delayReason) out.push(m.delay);
  if (subjectsDecisionNeeded(incident, policy) && !incident.subjects) out.push(m.art34);
  return out;
}

function isLate(incident: Incident, now: string): boolean {
  const report = initialReport(incident);
  const at = report?.at ?? now;
  return incident.deadline !== null && at > incident.deadline;
}

export function buildDraft(incident: Incident, policy: Policy, now: string, lang: Lang = policy.language): Draft {
  const t = L[lang];
  const tz = policy.timeZone;
  const when = (iso: string | null | undefined) => (iso ? `${formatLocal(iso, tz)} (${iso})` : null);
  const yn = (b: boolean | null | undefined) => (b == null ? null : b ? t.yes : t.no);
  const f = incident.facts;
  const initial = initialReport(incident);
  const contained = incident.actions
    .filter((a) => a.status === 'done')
    .map((a) => a.steps?.at(-1)?.at ?? a.at)
    .sort()[0];
  const nl = lang === 'nl';
  const field = (label: string, value: string | null | undefined): DraftField => ({ label, value: value ?? null });
  const sections: DraftSection[] = [
    {
      number: 0,
      title: t.sections[0],
      fields: [
        field(
          nl ? 'Melding op grond van' : 'Notification under',
          policy.clocks.telecom ? 'AVG en Telecommunicatiewet' : nl ? 'AVG (art. 33)' : 'GDPR (Art. 33)',
        ),
        field(
          nl ? 'Nieuwe melding of vervolgmelding' : 'New or follow-up',
          initial ? (nl ? `vervolgmelding op ${initial.reference}` : `follow-up to ${initial.reference}`) : nl ? 'nieuwe melding' : 'new notification',
        ),
        field(nl ? 'Intern kenmerk' : 'Internal reference', incident.id),
      ],
    },
    {
      number: 1,
      title: t.sections[1],
      fields: [
        field(nl ? 'Organisatie' : 'Organisation', policy.organisation.name),
        field(
          nl ? 'FG of contactpunt' : 'FG or contact point',
          [policy.organisation.fg.name, policy.organisation.fg.email, policy.organisation.fg.phone].filter(Boolean).join(', ') || null,
        ),
        field(nl ? 'Verwerker betrokken' : 'Processor involved', yn(policy.organisation.processor)),
      ],
    },
    {
      number: 2,
      title: t.sections[2],
      fields: [
        field(nl ? 'Begin van het datalek (eerste detectie)' : 'Start of the breach (first detection)', when(incident.detectedAt)),
        field(nl ? 'Einde (inperking)' : 'End (containment)', contained ? when(contained) : nl ? 'nog niet ingeperkt' : 'not contained yet'),
        field(nl ? 'Ontdekt' : 'Discovered', when(incident.detectedAt)),
        field(nl ? 'Bewust geworden (start 72 uur)' : 'Became aware (72 hours start)', when(incident.awareAt)),
        field(nl ? 'Termijn AP' : 'AP deadline', when(incident.deadline)),
        field(nl ? 'Is het datalek nog gaande?' : 'Is the breach ongoing?', contained ? t.no : t.unknown),
      ],
    },
    {
      number: 3,
      title: t.sections[3],
      fields: [
        field(
          nl ? 'Samenvatting' : 'Summary',
          `${nl ? 'AWS GuardDuty meldde' : 'AWS GuardDuty reported'} ${incident.findingType} (${incident.findings} ${nl ? 'bevinding(en)' : 'finding(s)'}) ${nl ? 'op' : 'on'} ${incident.resource.resourceType} ${incident.resource.id} (account ${incident.accountId}, ${incident.region}).`,
        ),
        field(
          nl ? 'Aard (vertrouwelijkheid, integriteit, beschikbaarheid)' : 'Nature (confidentiality, integrity, availability)',
          f?.nature.length ? f.nature.map((n) => NATURE[lang][n]).join(', ') : null,
        ),
        field(nl ? 'Oorzaak' : 'Cause', `${nl ? 'Beveiligingsincident, gedetecteerd als' : 'Security incident, detected as'} ${incident.findingType}`),
        field(
          nl ? 'Beoordeling FG' : "FG's assessment",
          incident.assessment ? `${incident.assessment.personalData} / ${incident.assessment.risk}: ${incident.assessment.reason}` : null,
        ),
      ],
    },
    {
      number: 4,
      title: t.sections[4],
      fields: [
        field(nl ? 'Soorten persoonsgegevens' : 'Categories of personal data', f?.categories.length ? f.categories.join(', ') : null),
        field(
          nl ? 'Bijzondere persoonsgegevens (incl. BSN)' : 'Special categories (incl. BSN)',
          f ? (f.specialCategories.length ? f.specialCategories.join(', ') : t.no) : null,
        ),
        field(nl ? 'Aantal records (bij benadering)' : 'Number of records (approximate)', f?.records != null ? String(f.records) : null),
      ],
    },
    {
      number: 5,
      title: t.sections[5],
      fields: [
        field(nl ? 'Groepen betrokkenen' : 'Groups of data subjects', f?.subjectGroups.length ? f.subjectGroups.join(', ') : null),
        field(
          nl ? 'Aantal betrokkenen (min–max)' : 'Number of data subjects (min–max)',
          f?.subjectsMin != null && f.subjectsMax != null ? `${f.subjectsMin}–${f.subjectsMax}` : null,
        ),
      ],
    },
    {
      number: 6,
      title: t.sections[6],
      fields: [field(nl ? 'Versleuteld of anders onbegrijpelijk' : 'Encrypted or otherwise unintelligible', f?.unintelligible ?? null)],
    },
    {
      number: 7,
      title: t.sections[7],
      fields: [field(nl ? 'Waarschijnlijke gevolgen' : 'Likely consequences', f?.consequences)],
    },
    {
      number: 8,
      title: t.sections[8],
      fields: [
        field(
          nl ? 'Betrokkenen geïnformeerd (art. 34)?' : 'Data subjects informed (Art. 34)?',
          incident.subjects
            ? `${incident.subjects.decision}${incident.subjects.date ? ` ${incident.subjects.date}` : ''}${incident.subjects.channel ? ` (${incident.subjects.channel})` : ''}${incident.subjects.exception ? `: ${incident.subjects.exception}` : ''}; ${incident.subjects.reason}`
            : policy.organisation.financialUndertaking
              ? nl
                ? 'niet van toepassing (UAVG art. 42)'
                : 'not applicable (UAVG art. 42)'
              : null,
        ),
        field(nl ? 'Genomen maatregelen' : 'Measures taken', measuresTaken(incident).join('; ') || null),
        field(nl ? 'Voorgestelde maatregelen' : 'Measures proposed', f?.measuresProposed),
        field(nl ? 'Grensoverschrijdend' : 'Cross-border', yn(f?.crossBorder)),
      ],
    },
    {
      number: 9,
      title: t.sections[9],
      fields: [
        field(
          nl ? 'Reden voor vertraging (art. 33(1))' : 'Reasons for the delay (Art. 33(1))',
          isLate(incident, now) ? (initial?.delayReason ?? null) : nl ? 'niet van toepassing: binnen de termijn' : 'not applicable: within the deadline',
        ),
        field(
          nl ? 'Andere termijnen' : 'Other clocks',
          clocksOf(incident, policy, now)
            .filter((c) => c.name !== 'ap')
            .map((c) => `${c.label[lang]}: ${c.status}`)
            .join('; ') || null,
        ),
      ],
    },
  ];
  return {
    incidentId: incident.id,
    language: lang,
    generatedAt: now,
    missing: missingFacts(incident, policy, now, lang),
    late: isLate(incident, now),
    sections,
  };
}

export function draftMarkdown(draft: Draft): string {
  const t = L[draft.language];
  const lines = [`# ${t.title}`, '', `${draft.incidentId} · ${draft.generatedAt}`, ''];
  if (draft.missing.length) {
    lines.push(draft.language === 'nl' ? '## Ontbreekt nog' : '## Still missing', '');
    for (const m of draft.missing) lines.push(`- [ ] ${m}`);
    lines.push('');
  } else {
    lines.push(draft.language === 'nl' ? 'Alle verplichte gegevens zijn vastgelegd.' : 'Every required fact is recorded.', '');
  }
  for (const s of draft.sections) {
    lines.push(`## ${s.number}. ${s.title}`, '');
    for (const f of s.fields) lines.push(`- **${f.label}:** ${f.value ?? t.notRecorded}`);
    lines.push('');
  }
  lines.push(
    draft.language === 'nl'
      ? 'Dit concept wordt niet automatisch verstuurd: vul het meldformulier van de AP in en leg de melding vast met `datalek reported`.'
      : "This draft is not sent: fill in the AP's online form and record the submission with `datalek reported`.",
  );
  return lines.join('\n');
}
