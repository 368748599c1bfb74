/**
 * What a person does to an incident, one use case each: acknowledge, assess, facts, reported,
 * subjects, close, release. Each declares its inputs once (fields.ts), builds the typed input of
 * the core use case from them, and runs it. The CLI reads the fields from flags and prints the
 * result; the web page reads them from a form and draws it. Every rule lives in the core or here,
 * never in one of the two front ends, so the page cannot do what the command line refuses.
 */
import { acknowledge } from '../core/acknowledge.js';
import { assess, closeIncident, decideSubjects, recordFacts, recordReport } from '../core/fg-workflow.js';
import type { Incident } from '../core/incident.js';
import type { Policy } from '../core/policy.js';
import { releaseContainment } from '../core/release.js';
import type { Containment } from '../ports/containment.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { FieldSpec, Text, Values } from './fields.js';

/** What an acknowledgement reports, however it was recorded. */
export interface AckOutcome {
  incidentId: string;
  /** False when someone had acknowledged it already: `acknowledgedBy` says who. */
  changed: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
}

/**
 * Records an acknowledgement: in the store, or on AWS through the IAM-authorised acknowledgement
 * URL, where the acknowledger is the identity that signed the request and `by` is not sent.
 */
export type Acknowledger = (input: { incidentId: string; by: string; note?: string }) => Promise<AckOutcome>;

/** The acknowledgement recorded in the store itself, as `by`. */
export function acknowledgeInStore(deps: { store: IncidentStore; policy: Policy; now: () => string }): Acknowledger {
  return async (input) => {
    const { incident, changed } = await acknowledge(deps, input);
    return { incidentId: incident.id, changed, acknowledgedBy: incident.acknowledgedBy, acknowledgedAt: incident.acknowledgedAt };
  };
}

export interface ActionDeps {
  store: IncidentStore;
  policy: Policy;
  now: () => string;
  /** Plan-only on the embedded store; on AWS it acts in the affected account. */
  containment: Containment;
  acknowledge: Acknowledger;
}

/** Who acts on which incident: the CLI's `--by` (or the OS user), the web page's signed-in person. */
export interface Actor {
  incidentId: string;
  by: string;
}

export interface Action<Fs extends readonly FieldSpec[], I, R> {
  /** The CLI command and the web route. */
  readonly name: string;
  readonly title: Text;
  readonly fields: Fs;
  /** The core use case's input; a rule across fields throws a `UsageError` naming the field. */
  input(values: Values<Fs>, actor: Actor): I;
  run(deps: ActionDeps, input: I): Promise<R>;
  /** What the incident holds now, as values of the fields (a form starts from them). */
  current?(incident: Incident): Partial<Values<Fs>>;
  /**
   * Only the fields whose value differs from `current` are given (facts are recorded in phases: a
   * form that shows them all must not record the unchanged ones again as new).
   */
  readonly onlyChanged?: boolean;
}

function action<const Fs extends readonly FieldSpec[], I, R>(a: Action<Fs, I, R>): Action<Fs, I, R> {
  return a;
}

const reason = (required: string, label: Text = { nl: 'Motivering', en: 'Reasoning' }, hint?: Text) =>
  ({ name: 'reason', kind: 'longtext', label, required, ...(hint ? { hint } : {}) }) as const;

export const ackAction = action({
  name: 'ack',
  title: { nl: 'Oppakken', en: 'Acknowledge' },
  fields: [
    {
      name: 'note',
      kind: 'text',
      label: { nl: 'Notitie (niet verplicht)', en: 'Note (optional)' },
      hint: { nl: 'Stopt de escalatie, niet de AP-termijn.', en: 'Stops the escalation, not the AP clock.' },
    },
  ] as const,
  input: (v, { incidentId, by }) => ({ incidentId, by, note: v.note?.trim() || undefined }),
  run: (deps, input) => deps.acknowledge(input),
});

export const assessAction = action({
  name: 'assess',
  title: { nl: 'Beoordelen (art. 33)', en: 'Assess (Art. 33)' },
  fields: [
    {
      name: 'personal-data',
      kind: 'choice',
      options: ['yes', 'no', 'unknown'],
      required: true,
      label: { nl: 'Zijn persoonsgegevens getroffen?', en: 'Is personal data affected?' },
      optionLabels: { yes: { nl: 'ja', en: 'yes' }, no: { nl: 'nee', en: 'no' }, unknown: { nl: 'onbekend', en: 'unknown' } },
      hint: { nl: '"Onbekend" telt als meldplichtig.', en: '"Unknown" counts as notifiable.' },
    },
    {
      name: 'risk',
      kind: 'choice',
      options: ['none', 'risk', 'high'],
      required: true,
      label: { nl: 'Risico voor de betrokkenen', en: 'Risk to the data subjects' },
      optionLabels: { none: { nl: 'geen risico', en: 'no risk' }, risk: { nl: 'risico', en: 'risk' }, high: { nl: 'hoog risico', en: 'high risk' } },
    },
    reason('assess needs --reason TEXT: the reasoning is kept for the register (Art. 33(5))'),
    {
      name: 'aware-at',
      kind: 'time',
      label: { nl: 'Bewust geworden op (niet verplicht)', en: 'Became aware at (optional)' },
      hint: {
        nl: 'Verschuift de AP-termijn; de detectie blijft. Standaard: het moment van detectie.',
        en: 'Moves the AP deadline; the detection stays. Default: the moment of detection.',
      },
    },
  ] as const,
  input: (v, { incidentId, by }) => ({ incidentId, by, personalData: v['personal-data'], risk: v.risk, reason: v.reason, awareAt: v['aware-at'] }),
  run: (deps, input) => assess(deps, input),
  current: (incident) => (incident.assessment ? { 'personal-data': incident.assessment.personalData, risk: incident.assessment.risk } : {}),
});

export const factsAction = action({
  name: 'facts',
  title: { nl: 'Feiten (art. 33(3))', en: 'Facts (Art. 33(3))' },
  fields: [
    {
      name: 'nature',
      kind: 'choices',
      options: ['confidentiality', 'integrity', 'availability'],
      label: { nl: 'Aard van het datalek', en: 'Nature of the breach' },
      optionLabels: {
        confidentiality: { nl: 'vertrouwelijkheid', en: 'confidentiality' },
        integrity: { nl: 'integriteit', en: 'integrity' },
        availability: { nl: 'beschikbaarheid', en: 'availability' },
      },
    },
    {
      name: 'categories',
      kind: 'list',
      label: { nl: 'Soorten persoonsgegevens', en: 'Categories of personal data' },
      hint: { nl: 'Gescheiden door komma’s, bijv. naam, adres, BSN', en: 'Comma-separated, e.g. name, address, BSN' },
    },
    {
      name: 'special',
      kind: 'list',
      label: { nl: 'Bijzondere persoonsgegevens', en: 'Special categories of personal data' },
      hint: { nl: 'Gescheiden door komma’s, bijv. gezondheid', en: 'Comma-separated, e.g. health' },
    },
    {
      name: 'subject-groups',
      kind: 'list',
      label: { nl: 'Groepen betrokkenen', en: 'Groups of data subjects' },
      hint: { nl: 'Gescheiden door komma’s, bijv. cliënten, medewerkers', en: 'Comma-separated, e.g. clients, employees' },
    },
    {
      name: 'subjects',
      kind: 'range',
      label: { nl: 'Aantal betrokkenen (min–max)', en: 'Number of data subjects (min–max)' },
      hint: { nl: 'Bijv. 120-2500, of één getal', en: 'E.g. 120-2500, or one number' },
    },
    { name: 'records', kind: 'count', label: { nl: 'Aantal records (bij benadering)', en: 'Number of records (approximate)' } },
    { name: 'consequences', kind: 'longtext', label: { nl: 'Waarschijnlijke gevolgen', en: 'Likely consequences' } },
    { name: 'measures', kind: 'longtext', label: { nl: 'Voorgestelde maatregelen', en: 'Measures proposed' } },
    {
      name: 'unintelligible',
      kind: 'choice',
      options: ['yes', 'no', 'partly'],
      label: { nl: 'Waren de gegevens versleuteld of anders onbegrijpelijk?', en: 'Was the data encrypted or otherwise unintelligible?' },
      optionLabels: { yes: { nl: 'ja', en: 'yes' }, no: { nl: 'nee', en: 'no' }, partly: { nl: 'gedeeltelijk', en: 'partly' } },
    },
    {
      name: 'cross-border',
      kind: 'choice',
      options: ['yes', 'no'],
      label: { nl: 'Betrokkenen in andere EU-landen?', en: 'Data subjects in other EU member states?' },
      optionLabels: { yes: { nl: 'ja', en: 'yes' }, no: { nl: 'nee', en: 'no' } },
    },
    {
      name: 'complete',
      kind: 'flag',
      label: { nl: 'De feiten zijn compleet', en: 'The facts are complete' },
      hint: { nl: 'Tot dan volgt een herinnering voor een vervolgmelding.', en: 'Until then a reminder for a follow-up report comes.' },
    },
  ] as const,
  input: (v, { incidentId, by }) => ({
    incidentId,
    by,
    nature: v.nature,
    categories: v.categories,
    specialCategories: v.special,
    subjectGroups: v['subject-groups'],
    subjectsMin: v.subjects?.min,
    subjectsMax: v.subjects?.max,
    records: v.records,
    consequences: v.consequences,
    measuresProposed: v.measures,
    unintelligible: v.unintelligible,
    crossBorder: v['cross-border'] === undefined ? undefined : v['cross-border'] === 'yes',
    complete: v.complete,
  }),
  run: (deps, input) => recordFacts(deps, input),
  current: (incident) => {
    const f = incident.facts;
    if (!f) return {};
    return {
      nature: f.nature,
      categories: f.categories,
      special: f.specialCategories,
      'subject-groups': f.subjectGroups,
      subjects: f.subjectsMin !== null && f.subjectsMax !== null ? { min: f.subjectsMin, max: f.subjectsMax } : undefined,
      records: f.records ?? undefined,
      consequences: f.consequences ?? undefined,
      measures: f.measuresProposed ?? undefined,
      unintelligible: f.unintelligible ?? undefined,
      'cross-border': f.crossBorder === null ? undefined : f.crossBorder ? ('yes' as const) : ('no' as const),
      complete: f.complete || undefined,
    };
  },
  onlyChanged: true,
});

export const REPORT_KINDS = ['initial', 'follow-up', 'correction', 'withdrawal', 'early-warning', 'notification', 'final'] as const;

export const reportedAction = action({
  name: 'reported',
  title: { nl: 'Melding vastleggen', en: 'Record a report' },
  fields: [
    {
      name: 'reference',
      kind: 'text',
      required: 'reported needs --reference NUMBER (the meldingsnummer the AP gave)',
      label: { nl: 'Meldingsnummer', en: 'Reference number' },
      hint: { nl: 'Het nummer dat de AP na het indienen gaf.', en: 'The number the AP gave after submitting.' },
    },
    {
      name: 'at',
      kind: 'time',
      label: { nl: 'Ingediend op (niet verplicht)', en: 'Submitted at (optional)' },
      hint: { nl: 'Standaard: nu.', en: 'Default: now.' },
    },
    {
      name: 'delay-reason',
      kind: 'longtext',
      label: { nl: 'Reden voor de vertraging', en: 'Reasons for the delay' },
      hint: { nl: 'Verplicht na de termijn van 72 uur (art. 33(1)).', en: 'Required after the 72-hour deadline (Art. 33(1)).' },
    },
    {
      name: 'recipient',
      kind: 'choice',
      options: ['ap', 'csirt', 'controller'],
      fallback: 'ap',
      label: { nl: 'Aan', en: 'To' },
      optionLabels: {
        ap: { nl: 'Autoriteit Persoonsgegevens', en: 'Autoriteit Persoonsgegevens (AP)' },
        csirt: { nl: 'CSIRT (NIS2)', en: 'CSIRT (NIS2)' },
        controller: { nl: 'Verwerkingsverantwoordelijke', en: 'Controller' },
      },
    },
    {
      name: 'kind',
      kind: 'choice',
      options: REPORT_KINDS,
      label: { nl: 'Soort melding', en: 'Kind of report' },
      optionLabels: {
        initial: { nl: 'eerste melding', en: 'initial' },
        'follow-up': { nl: 'vervolgmelding', en: 'follow-up' },
        correction: { nl: 'correctie', en: 'correction' },
        withdrawal: { nl: 'intrekking', en: 'withdrawal' },
        'early-warning': { nl: 'vroegtijdige waarschuwing (NIS2)', en: 'early warning (NIS2)' },
        notification: { nl: 'incidentmelding (NIS2)', en: 'incident notification (NIS2)' },
        final: { nl: 'eindverslag (NIS2)', en: 'final report (NIS2)' },
      },
    },
  ] as const,
  input: (v, { incidentId, by }) => ({
    incidentId,
    by,
    reference: v.reference,
    to: v.recipient,
    kind: v.kind,
    at: v.at,
    delayReason: v['delay-reason'],
  }),
  run: async (deps, input) => (await recordReport(deps, input)).incident,
});

export const subjectsAction = action({
  name: 'subjects',
  title: { nl: 'Betrokkenen informeren (art. 34)', en: 'Inform the data subjects (Art. 34)' },
  fields: [
    {
      name: 'decision',
      kind: 'choice',
      options: ['inform', 'exception', 'not-required'],
      required: true,
      label: { nl: 'Besluit', en: 'Decision' },
      optionLabels: {
        inform: { nl: 'informeren', en: 'inform' },
        exception: { nl: 'uitzondering (art. 34(3))', en: 'exception (Art. 34(3))' },
        'not-required': { nl: 'niet vereist', en: 'not required' },
      },
    },
    reason('subjects needs --reason TEXT'),
    { name: 'date', kind: 'time', label: { nl: 'Datum van informeren', en: 'Date informed' }, hint: { nl: 'Bij "informeren".', en: 'With "inform".' } },
    {
      name: 'channel',
      kind: 'text',
      label: { nl: 'Kanaal', en: 'Channel' },
      hint: { nl: 'Bij "informeren", bijv. e-mail, brief.', en: 'With "inform", e.g. e-mail, letter.' },
    },
    {
      name: 'exception',
      kind: 'choice',
      options: ['encrypted', 'measures-taken', 'disproportionate-effort'],
      label: { nl: 'Uitzondering', en: 'Exception' },
      optionLabels: {
        encrypted: { nl: 'gegevens onbegrijpelijk (versleuteld)', en: 'data unintelligible (encrypted)' },
        'measures-taken': { nl: 'maatregelen nemen het hoge risico weg', en: 'measures removed the high risk' },
        'disproportionate-effort': { nl: 'onevenredige inspanning (openbare mededeling)', en: 'disproportionate effort (public communication)' },
      },
    },
  ] as const,
  input: (v, { incidentId, by }) => ({ incidentId, by, decision: v.decision, reason: v.reason, date: v.date, channel: v.channel, exception: v.exception }),
  run: (deps, input) => decideSubjects(deps, input),
});

export const closeAction = action({
  name: 'close',
  title: { nl: 'Afsluiten', en: 'Close' },
  fields: [reason('close needs --reason TEXT')] as const,
  input: (v, { incidentId, by }) => ({ incidentId, by, reason: v.reason }),
  run: (deps, input) => closeIncident(deps, input),
});

export const releaseAction = action({
  name: 'release',
  title: { nl: 'Inperking opheffen', en: 'Release containment' },
  fields: [
    reason('release needs --by NAME and --reason TEXT', { nl: 'Waarom', en: 'Why' }),
    {
      name: 'reactivate-key',
      kind: 'flag',
      label: { nl: 'Ook de gedeactiveerde toegangssleutel weer activeren', en: 'Also reactivate the deactivated access key' },
    },
  ] as const,
  input: (v, { incidentId, by }) => ({ incidentId, by, reason: v.reason, reactivateKey: v['reactivate-key'] === true }),
  run: (deps, input) => releaseContainment(deps, input),
});

/** Every action a person takes on an incident, in the order of the workflow. */
export const ACTIONS = [ackAction, assessAction, factsAction, reportedAction, subjectsAction, closeAction, releaseAction] as const;

export type ActionName = (typeof ACTIONS)[number]['name'];

/** The incident as stored after an action (the page shows it; an acknowledgement re-reads it). */
export type ActionResult = Incident | AckOutcome | Awaited<ReturnType<typeof releaseContainment>>;
