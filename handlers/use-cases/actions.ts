/**
 * What a person does to an incident, one use case each: acknowledge, assess, facts, reported,
 * subjects, close, release. Each declares its inputs once (fields.ts), builds the typed input of
 * the core use case from them (the rules that tie one field to another live here), and runs it.
 * The CLI reads the fields from flags and prints the result; the web page reads them from a form
 * and draws it. Every rule lives in the core or here, never in one of the two front ends, so the
 * page cannot do what the command line refuses, and both refuse in the same words.
 */
import { overdueFrom } from '../core/ap-verdict.js';
import { containmentNotCarriedOut } from '../core/breach-facts.js';
import { type ContainedDeps, recordContainedByHand, recordNotToBeDone, withdrawNotToBeDone } from '../core/by-hand.js';
import { apFollowUpOwed, clockDecisionsOpen, otherClocksHeldOverdue, overdueClocks, reportsStillDue, riskRaisedAfterReport, roleOf } from '../core/clocks.js';
import { containAgain } from '../core/contain-again.js';
import { UsageError } from '../core/errors.js';
import {
  assess,
  closeIncident,
  decideSubjects,
  type FactsInput,
  type FgDeps,
  REPORT_KINDS as KINDS_BY_RECIPIENT,
  recordFacts,
  recordNoFollowUp,
  recordReport,
  specialCategoriesToConfirm,
} from '../core/fg-workflow.js';
import { BREACH_TYPES, findingTypesOfIncident, type Incident, initialReport, type Nature, type OtherParty } from '../core/incident.js';
import {
  breachTypeLabel,
  exceptionLabel,
  harmLabel,
  harmSeverityLabel,
  natureLabel,
  recipientLabel,
  reportKindLabel,
  riskLabel,
  roleLabel,
  yesNo,
} from '../core/labels.js';
import { releaseContainment } from '../core/release.js';
import { beforeDetection } from '../core/stated-time.js';
import { formatLocal } from '../core/time.js';
import type { IncidentChange, IncidentStore } from '../ports/incident-store.js';
import { type ActionDeps, ackAction, action } from './ack-action.js';
import { type FieldSpec, type Lang, MAX_SENT_TEXT_BYTES, MAX_SENT_TEXT_CHARS, type OfferContext, type Text } from './fields.js';
import { measuresElsewhere } from './queries.js';

// The acknowledgement lives in a module of its own (ack-action.ts): the ack-link function and page need it without the rest.
export { type Acknowledger, type AckOutcome, type Action, type ActionDeps, type Actor, ackAction, acknowledgeInStore } from './ack-action.js';

/**
 * `deps` whose store checks every read of one incident with `check` (which throws to refuse) until
 * the use case commits a change to that incident. The check then holds for the very record the
 * change was computed from: the commit is conditional on the revision read, so a change another
 * writer committed after the read fails it, and the use case reads again, checked again. What a
 * form's page showed is thus compared inside the use case's own read and write, not before it.
 */
export function checkedReads<D extends { store: IncidentStore }>(deps: D, incidentId: string, check: (incident: Incident) => void): D {
  let armed = true;
  const store = new Proxy(deps.store, {
    get(target, prop) {
      if (prop === 'getIncident')
        return async (id: string) => {
          const read = await target.getIncident(id);
          if (armed && read && id === incidentId) check(read);
          return read;
        };
      if (prop === 'commit')
        return async (change: IncidentChange) => {
          const receipt = await target.commit(change);
          if ([change, ...(change.others ?? [])].some((c) => c.incident.id === incidentId)) armed = false;
          return receipt;
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { ...deps, store };
}

/** Option labels from the core's words, so the forms name a value as the draft and the register do. */
function labels<C extends string>(codes: readonly C[], label: (lang: Lang, code: C) => string): Record<C, Text> {
  return Object.fromEntries(codes.map((c) => [c, { nl: label('nl', c), en: label('en', c) }])) as Record<C, Text>;
}

const YES_NO = ['yes', 'no'] as const;
const NATURES = ['confidentiality', 'integrity', 'availability'] as const satisfies readonly Nature[];
// Named, not inline: an inline arrow in a field would make TypeScript widen the field's literal types.
const nis2 = ({ incident, policy }: OfferContext) => clockDecisionsOpen(incident, policy, 'nis2');
/** More than one finding type: the assessment says which it covers (core/fg-workflow.ts checkTypesSeen). */
const severalTypes = ({ incident }: OfferContext) => findingTypesOfIncident(incident).length > 1;
const telecom = ({ incident, policy }: OfferContext) => clockDecisionsOpen(incident, policy, 'telecom');
const closed = ({ incident }: OfferContext) => incident.state === 'closed';
const somethingOverdue = ({ incident, policy, now }: OfferContext) => overdueClocks(incident, policy, now).length > 0;
/** The record held the AP notification overdue at some moment: a stated time entered now may need confirming. */
const apDeadlinePassed = ({ incident, policy, now, enteredAt }: OfferContext) => overdueFrom(incident, roleOf(incident, policy), enteredAt ?? now) !== null;
/** A recorded initial AP report exists: a move of awareness may make it late, or it is late and its reasons may follow. */
const apReported = ({ incident }: OfferContext) => initialReport(incident) !== undefined;

/** Another clock a report meets (NIS2, the controller, telecom) is overdue now: a report dated before its deadline needs confirming. */
const clockPassed = (ctx: OfferContext) => apDeadlinePassed(ctx) || otherClockPassed(ctx);
/** A clock other than the AP's is overdue on the record: a fact that moves its deadline later (the end of the breach, NIS2 final report) needs confirming. */
const otherClockPassed = ({ incident, policy, now, enteredAt }: OfferContext) => otherClocksHeldOverdue(incident, policy, enteredAt ?? now).length > 0;

/** The record holds an awareness before GuardDuty's detection: a report or communication made before the detection needs confirming (core/stated-time.ts). */
const awareBeforeDetection = ({ incident }: OfferContext) => beforeDetection(incident, incident.awareAt);
const reportBeforeDetection = (ctx: OfferContext) => clockPassed(ctx) || awareBeforeDetection(ctx) || beforeDetection(ctx.incident, ctx.incident.nis2AwareAt);

/** The facts name special categories not unintelligible: "no risk" needs the FG's confirmation (core/fg-workflow.ts). */
const specialToConfirm = ({ incident }: OfferContext) => specialCategoriesToConfirm(incident).length > 0;

/** Offered always: a moment before GuardDuty's detection (an awareness, the begin) can be stated at any time. */
const always = () => true;

/** The FG's confirmation of a stated time entered after a deadline had passed (core/ap-verdict.ts, core/clocks.ts). */
const confirmStatedTime = (hint: Text, offered: (ctx: OfferContext) => boolean = clockPassed) =>
  ({
    name: 'confirm-stated-time',
    kind: 'flag',
    label: { nl: 'Ik bevestig het opgegeven tijdstip', en: 'I confirm the time stated' },
    hint,
    offered,
  }) as const;

/**
 * The person means the closed incident (core/fg-workflow.ts): on the page a confirmation naming it
 * and its closing date, on the command line `--after-close`; offered only on a closed incident.
 */
const afterCloseConfirmation = {
  name: 'after-close',
  kind: 'flag',
  label: { nl: 'Ik bevestig dat ik dit gesloten incident na het sluiten wijzig', en: 'I confirm that I change this closed incident after closing' },
  labelFor: ({ incident, policy }: OfferContext) => {
    const at = formatLocal(incident.closedAt ?? incident.openedAt, policy.timeZone);
    return {
      nl: `Ik bevestig dat ik incident ${incident.id}, gesloten op ${at}, na het sluiten wijzig`,
      en: `I confirm that I change incident ${incident.id}, closed on ${at}, after closing`,
    };
  },
  hint: {
    nl: 'Zo komt een wijziging niet per vergissing in een ander, gesloten incident terecht.',
    en: 'So that a change does not land in another, closed incident by mistake.',
  },
  offered: closed,
} as const;

const reason = (label: Text = { nl: 'Motivering', en: 'Reasoning' }, hint?: Text) =>
  ({ name: 'reason', kind: 'longtext', label, ...(hint ? { hint } : {}) }) as const;

/**
 * `assess` with the finding types the person was shown always checked (core/fg-workflow.ts
 * checkTypesSeen), as the command line and the page's assessment forms record it: an incident with
 * more than one type needs the token or every type named.
 */
export function assessCheckingTypes(): typeof assessAction {
  return { ...assessAction, input: (v, meta) => ({ seen: { token: undefined, types: undefined }, ...assessAction.input(v, meta) }) };
}

export const assessAction = action({
  name: 'assess',
  title: { nl: 'Beoordelen (art. 33)', en: 'Assess (Art. 33)' },
  fields: [
    {
      name: 'personal-data',
      kind: 'choice',
      options: ['yes', 'no', 'unknown'],
      label: { nl: 'Zijn persoonsgegevens getroffen?', en: 'Is personal data affected?' },
      optionLabels: labels(['yes', 'no', 'unknown'] as const, yesNo),
      hint: { nl: '"Onbekend" telt als meldplichtig.', en: '"Unknown" counts as notifiable.' },
    },
    {
      name: 'risk',
      kind: 'choice',
      options: ['none', 'risk', 'high'],
      label: { nl: 'Risico voor de betrokkenen', en: 'Risk to the data subjects' },
      optionLabels: labels(['none', 'risk', 'high'] as const, riskLabel),
    },
    reason(
      { nl: 'Motivering', en: 'Reasoning' },
      { nl: 'Het register bewaart de motivering van elk besluit.', en: 'The register keeps the reasoning of every decision.' },
    ),
    {
      name: 'aware-at',
      kind: 'time',
      label: { nl: 'Bewust geworden op', en: 'Became aware at' },
      hint: {
        nl: 'Verschuift de AP-termijn; de detectie blijft. Standaard: het moment van detectie. Eerder dan de detectie (bijv. een klant belde) kan, bevestigd en met een reden.',
        en: 'Moves the AP deadline; the detection stays. Default: the moment of detection. Earlier than the detection (e.g. a customer called) can be stated, confirmed and with a reason.',
      },
    },
    {
      name: 'aware-reason',
      kind: 'longtext',
      label: { nl: 'Waarom dit bewustwordingsmoment', en: 'Why this moment of awareness' },
    },
    confirmStatedTime(
      {
        nl: 'Nodig als het bewustwordingsmoment vóór de detectie door GuardDuty ligt (bijv. een klant belde eerder; het dossier markeert het zo en de termijn loopt vanaf dat moment), of als het de AP-termijn naar later verschuift, of "niet meldplichtig" of de rol "verwerker" de melding overbodig maakt, nadat de termijn al verstreken was; zo ook voor een andere termijn (NIS2, de verwerkingsverantwoordelijke, de Telecommunicatiewet) die dit besluit verschuift of beëindigt nadat hij verstreken was. Het dossier markeert het als ingevoerd na het verstrijken van die termijn.',
        en: 'Needed when the moment of awareness lies before GuardDuty\'s detection (e.g. a customer called earlier; the record marks it so and the clock runs from it), or moves the AP deadline later, or "not notifiable" or the role "processor" makes the notification not needed, after the deadline had passed; likewise for another clock (NIS2, the controller, the Telecommunications Act) this decision moves or ends after it had passed. The record marks it as entered after that deadline had passed.',
      },
      always,
    ),
    {
      name: 'delay-reason',
      kind: 'longtext',
      label: { nl: 'Reden voor de vertraging', en: 'Reasons for the delay' },
      hint: {
        nl: 'Alleen als dit bewustwordingsmoment de vastgelegde eerste melding aan de AP te laat maakt (art. 33(1)).',
        en: 'Only when this moment of awareness makes the recorded initial AP report late (Art. 33(1)).',
      },
      offered: apReported,
    },
    {
      name: 'confirm-special-categories',
      kind: 'flag',
      label: {
        nl: 'Ik bevestig "geen risico" ondanks de bijzondere persoonsgegevens',
        en: 'I confirm "no risk" despite the special categories of personal data',
      },
      hint: {
        nl: "De feiten noemen bijzondere persoonsgegevens (of het BSN) die niet onbegrijpelijk waren; volgens de EDPB leidt zo'n datalek waarschijnlijk tot een risico. Het register markeert dit besluit.",
        en: 'The facts name special categories of personal data (or the BSN) that were not unintelligible; the EDPB holds such a breach likely to result in a risk. The register marks this decision.',
      },
      offered: specialToConfirm,
    },
    {
      name: 'special-reason',
      kind: 'longtext',
      label: { nl: 'Waarom geen risico ondanks bijzondere persoonsgegevens', en: 'Why no risk despite special categories of personal data' },
      offered: specialToConfirm,
    },
    {
      name: 'acting-as',
      kind: 'choice',
      options: ['controller', 'processor'],
      label: { nl: 'Onze rol bij dit incident', en: 'Our role in this incident' },
      optionLabels: labels(['controller', 'processor'] as const, roleLabel),
      hint: {
        nl: 'Als verwerker meldt de verwerkingsverantwoordelijke aan de AP (art. 33(2)).',
        en: 'As processor, the controller notifies the AP (Art. 33(2)).',
      },
    },
    {
      name: 'nis2-significant',
      kind: 'choice',
      options: YES_NO,
      label: { nl: 'Significant incident onder NIS2 (art. 23(3))?', en: 'Significant incident under NIS2 (Art. 23(3))?' },
      optionLabels: labels(YES_NO, yesNo),
      offered: nis2,
    },
    {
      name: 'nis2-aware-at',
      kind: 'time',
      label: { nl: 'NIS2: bewust geworden van het significante incident op', en: 'NIS2: became aware of the significant incident at' },
      hint: {
        nl: 'De NIS2-termijnen (24 en 72 uur) lopen vanaf dit moment; standaard: de detectie. Niet na het besluit dat het incident significant is; de motivering is verplicht. Het AVG-bewustwordingsmoment verschuift het niet.',
        en: 'The NIS2 deadlines (24 and 72 hours) run from this moment; default: the detection. Not after the decision that the incident is significant; the reasoning is required. The GDPR moment of awareness does not move it.',
      },
      offered: nis2,
    },
    {
      name: 'nis2-intermediate-due',
      kind: 'time',
      label: { nl: 'NIS2 tussentijds verslag gevraagd, uiterlijk', en: 'NIS2 intermediate report requested, due' },
      offered: nis2,
    },
    afterCloseConfirmation,
    // The finding types the person was shown: the command line's token (`show` prints it), or the types
    // named, on the page each ticked (web/action-forms.ts) where the incident has more than one.
    { name: 'seen', kind: 'text', label: { nl: 'Gezien (show)', en: 'Seen (show)' }, cliOnly: true },
    {
      name: 'finding-types',
      kind: 'list',
      label: { nl: 'Beoordeelde soorten bevindingen', en: 'Finding types assessed' },
      offered: severalTypes,
    },
  ] as const,
  input: (v, { incidentId, by }) => ({
    incidentId,
    by,
    ...(v.seen !== undefined || v['finding-types'] !== undefined ? { seen: { token: v.seen?.trim(), types: v['finding-types'] } } : {}),
    personalData: v['personal-data'],
    risk: v.risk,
    reason: v.reason,
    awareAt: v['aware-at'],
    awareReason: v['aware-reason'],
    confirmStatedTime: v['confirm-stated-time'],
    delayReason: v['delay-reason'],
    actingAs: v['acting-as'],
    nis2Significant: v['nis2-significant'] === undefined ? undefined : v['nis2-significant'] === 'yes',
    nis2IntermediateDueAt: v['nis2-intermediate-due'],
    nis2AwareAt: v['nis2-aware-at'],
    confirmAfterClose: v['after-close'] === true,
    confirmSpecialCategories: v['confirm-special-categories'] === true,
    specialReason: v['special-reason'],
  }),
  run: (deps: FgDeps, input) => assess(deps, input),
  current: (incident) => ({
    'personal-data': incident.assessment?.personalData,
    risk: incident.assessment?.risk,
    'acting-as': incident.role,
    'nis2-significant': incident.nis2 ? (incident.nis2.significant ? ('yes' as const) : ('no' as const)) : undefined,
  }),
});

/** `--special none` (or `geen`) states that there are none; until stated the draft says "unknown". */
const NONE = new Set(['none', 'geen']);

export const factsAction = action({
  name: 'facts',
  title: { nl: 'Feiten (art. 33(3))', en: 'Facts (Art. 33(3))' },
  fields: [
    {
      name: 'summary',
      kind: 'longtext',
      label: { nl: 'Samenvatting in eigen woorden', en: 'Summary in your own words' },
      group: { nl: 'Het datalek', en: 'The breach' },
    },
    { name: 'cause', kind: 'longtext', label: { nl: 'Oorzaak', en: 'Cause' } },
    {
      name: 'type',
      kind: 'choice',
      options: BREACH_TYPES,
      label: { nl: 'Soort datalek (lijst van de AP)', en: "Kind of breach (the AP's list)" },
      optionLabels: labels(BREACH_TYPES, breachTypeLabel),
    },
    {
      name: 'nature',
      kind: 'choices',
      options: NATURES,
      label: { nl: 'Aard van het datalek', en: 'Nature of the breach' },
      optionLabels: labels(NATURES, natureLabel),
    },
    {
      name: 'started-at',
      kind: 'time',
      label: { nl: 'Begonnen op', en: 'Started at' },
      hint: {
        nl: 'Leeg: de eerste activiteit volgens GuardDuty. Eerder dan de detectie (bijv. een sleutel die al dagen openbaar stond) kan, bevestigd en met een reden.',
        en: "Empty: GuardDuty's first activity. Earlier than the detection (e.g. a key public for days) can be stated, confirmed and with a reason.",
      },
    },
    { name: 'started-reason', kind: 'longtext', label: { nl: 'Waarom dit begin', en: 'Why this begin' } },
    {
      name: 'ended-at',
      kind: 'time',
      label: { nl: 'Beëindigd op', en: 'Ended at' },
      hint: { nl: 'Leeg zolang het datalek nog gaande of onbekend is.', en: 'Empty while the breach is ongoing or unknown.' },
    },
    {
      name: 'categories',
      kind: 'list',
      label: { nl: 'Soorten persoonsgegevens', en: 'Categories of personal data' },
      hint: { nl: 'Gescheiden door komma’s, bijv. naam, adres, BSN', en: 'Comma-separated, e.g. name, address, BSN' },
      group: { nl: 'Persoonsgegevens en betrokkenen', en: 'Personal data and data subjects' },
    },
    {
      name: 'special',
      kind: 'list',
      label: { nl: 'Bijzondere persoonsgegevens', en: 'Special categories of personal data' },
      hint: {
        nl: 'Gescheiden door komma’s, bijv. gezondheid; "geen" als er geen zijn. Leeg: onbekend.',
        en: 'Comma-separated, e.g. health; "none" if there are none. Empty: unknown.',
      },
    },
    { name: 'records', kind: 'count', label: { nl: 'Aantal records (bij benadering)', en: 'Number of records (approximate)' } },
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
    {
      name: 'consequences',
      kind: 'longtext',
      label: { nl: 'Waarschijnlijke gevolgen', en: 'Likely consequences' },
      hint: {
        nl: 'Algemeen, of voor één soort datalek: kies die hieronder, met de schade en de ernst.',
        en: 'In general, or for one kind of breach: choose it below, with the harm and its severity.',
      },
      group: { nl: 'Gevolgen', en: 'Consequences' },
    },
    {
      name: 'for',
      kind: 'choice',
      options: NATURES,
      label: { nl: 'Gevolgen voor', en: 'Consequences for' },
      optionLabels: labels(NATURES, natureLabel),
    },
    {
      name: 'harm',
      kind: 'choices',
      options: ['physical', 'material', 'immaterial'],
      label: { nl: 'Soort schade', en: 'Kind of harm' },
      optionLabels: labels(['physical', 'material', 'immaterial'] as const, harmLabel),
    },
    {
      name: 'harm-severity',
      kind: 'choice',
      options: ['low', 'medium', 'high', 'very-high'],
      label: { nl: 'Ernst van de schade', en: 'Severity of the harm' },
      optionLabels: labels(['low', 'medium', 'high', 'very-high'] as const, harmSeverityLabel),
    },
    {
      name: 'measures-taken',
      kind: 'longtext',
      label: { nl: 'Genomen maatregelen', en: 'Measures taken' },
      hint: { nl: 'Uitgevoerde inperking telt vanzelf mee.', en: 'Containment carried out counts by itself.' },
      group: { nl: 'Maatregelen', en: 'Measures' },
    },
    { name: 'measures-proposed', kind: 'longtext', label: { nl: 'Voorgestelde maatregelen', en: 'Measures proposed' } },
    { name: 'measures', kind: 'longtext', label: { nl: 'Voorgestelde maatregelen', en: 'Measures proposed' }, cliOnly: true },
    {
      name: 'unintelligible',
      kind: 'choice',
      options: ['yes', 'no', 'partly'],
      label: { nl: 'Waren de gegevens versleuteld of anders onbegrijpelijk?', en: 'Was the data encrypted or otherwise unintelligible?' },
      optionLabels: labels(['yes', 'no', 'partly'] as const, yesNo),
    },
    {
      name: 'other-party',
      kind: 'text',
      label: { nl: 'Andere betrokken organisatie', en: 'Other organisation involved' },
      hint: { nl: 'Naam, met haar rol hieronder; "geen" als er geen is.', en: 'Its name, with its role below; "none" if there is none.' },
      group: { nl: 'Andere organisaties en toezichthouders', en: 'Other organisations and authorities' },
    },
    {
      name: 'role',
      kind: 'choice',
      options: ['processor', 'controller', 'joint'],
      label: { nl: 'Rol van die organisatie', en: 'Role of that organisation' },
      optionLabels: labels(['processor', 'controller', 'joint'] as const, roleLabel),
    },
    {
      name: 'cross-border',
      kind: 'choice',
      options: YES_NO,
      label: { nl: 'Betrokkenen in andere EU-landen?', en: 'Data subjects in other EU member states?' },
      optionLabels: labels(YES_NO, yesNo),
    },
    { name: 'lead-authority', kind: 'text', label: { nl: 'Leidende toezichthouder (grensoverschrijdend)', en: 'Lead supervisory authority (cross-border)' } },
    {
      name: 'other-authorities',
      kind: 'text',
      label: { nl: 'Andere instanties ingelicht', en: 'Other authorities notified' },
      hint: { nl: 'Bijv. politie, CSIRT, sectortoezichthouder', en: 'E.g. police, CSIRT, sector supervisor' },
    },
    {
      name: 'complete',
      kind: 'flag',
      label: { nl: 'De feiten zijn compleet', en: 'The facts are complete' },
      hint: {
        nl: 'Tot dan volgt een herinnering voor een vervolgmelding. Kan alleen als alle verplichte feiten er zijn, of met de reden hieronder.',
        en: 'Until then a reminder for a follow-up report comes. Only when every required fact is recorded, or with the reason below.',
      },
    },
    {
      name: 'unknown-reason',
      kind: 'longtext',
      label: { nl: 'Waarom ontbrekende feiten niet te geven zijn', en: 'Why the facts still missing cannot be given' },
      hint: {
        nl: 'Alleen bij "compleet": de ontbrekende feiten worden als onbekend vastgelegd, met deze reden (art. 33(4)).',
        en: 'Only with "complete": the facts still missing are recorded as unknown, with this reason (Art. 33(4)).',
      },
    },
    confirmStatedTime(
      {
        nl: 'Nodig als "Begonnen op" vóór de detectie door GuardDuty ligt (het dossier markeert het zo), of als een gecorrigeerd "Beëindigd op" de termijn voor het NIS2 eindverslag naar later verschuift nadat die al verstreken was; het dossier markeert het als ingevoerd na het verstrijken van die termijn.',
        en: 'Needed when "Started at" lies before GuardDuty\'s detection (the record marks it so), or when a corrected "Ended at" moves the NIS2 final report deadline later after it had passed; the record marks it as entered after that deadline had passed.',
      },
      always,
    ),
    // A corrected fact after closing needs its reason (Art. 33(4)); the page asks for it only then.
    {
      name: 'reason',
      kind: 'longtext',
      label: { nl: 'Reden', en: 'Reason' },
      hint: {
        nl: 'Waarom de feiten na het sluiten veranderen; het register bewaart de reden (art. 33(4), (5)).',
        en: 'Why the facts change after closing; the register keeps the reason (Art. 33(4), (5)).',
      },
      offered: closed,
    },
  ] as const,
  input: (v, { incidentId, by }): FactsInput => {
    if (v.measures !== undefined && v['measures-proposed'] !== undefined) {
      throw new UsageError('--measures is the older name of --measures-proposed: give one of them', { field: 'measures-proposed' });
    }
    const party = v['other-party']?.trim();
    if (v.role !== undefined && party === undefined)
      throw new UsageError('--role is the role of the organisation named with --other-party', {
        field: 'role',
        page: { nl: 'De rol hoort bij een andere organisatie: vul ook haar naam in.', en: 'The role belongs to another organisation: enter its name too.' },
      });
    let otherParty: OtherParty | 'none' | undefined;
    if (party !== undefined) {
      if (!party) throw new UsageError('--other-party needs the name of the organisation, or none', { field: 'other-party' });
      if (NONE.has(party)) {
        if (v.role !== undefined)
          throw new UsageError('--other-party none takes no --role', {
            field: 'role',
            page: { nl: '"Geen" andere organisatie heeft geen rol: laat de rol leeg.', en: 'No other organisation has no role: leave the role empty.' },
          });
        otherParty = 'none';
      } else {
        if (v.role === undefined)
          throw new UsageError('--role must be one of processor, controller, joint', {
            field: 'role',
            page: { nl: 'Kies de rol van die organisatie.', en: 'Choose the role of that organisation.' },
          });
        otherParty = { name: party, role: v.role };
      }
    }
    const special = v.special;
    // An empty list would record "no special categories", which nobody said: the page's empty box
    // means "unknown", and "none" (or "geen") is how to state that there are none.
    if (special && special.length === 0) {
      throw new UsageError('--special needs the special categories, or none to state that there are none; leave it out while unknown', {
        field: 'special',
        page: {
          nl: 'Vul de bijzondere persoonsgegevens in, of "geen" als er geen zijn. Een leeg veld legt niets vast: wat eenmaal is vastgelegd, wordt niet weer onbekend.',
          en: 'Enter the special categories, or "none" if there are none. An empty field records nothing: what was recorded does not become unknown again.',
        },
      });
    }
    return {
      incidentId,
      by,
      summary: v.summary,
      cause: v.cause,
      breachType: v.type,
      nature: v.nature,
      endedAt: v['ended-at'],
      startedAt: v['started-at'],
      startedReason: v['started-reason'],
      categories: v.categories,
      specialCategories: special && special.length === 1 && NONE.has(special[0]) ? [] : special,
      subjectGroups: v['subject-groups'],
      subjectsMin: v.subjects?.min,
      subjectsMax: v.subjects?.max,
      records: v.records,
      consequences: v.consequences,
      consequencesFor: v.for,
      harm: v.harm,
      harmSeverity: v['harm-severity'],
      measuresTaken: v['measures-taken'],
      measuresProposed: v['measures-proposed'] ?? v.measures,
      unintelligible: v.unintelligible,
      crossBorder: v['cross-border'] === undefined ? undefined : v['cross-border'] === 'yes',
      leadAuthority: v['lead-authority'],
      otherAuthorities: v['other-authorities'],
      otherParty,
      complete: v.complete,
      unknownReason: v['unknown-reason'],
      reason: v.reason,
      confirmStatedTime: v['confirm-stated-time'] === true,
    };
  },
  run: (deps: FgDeps, input) => recordFacts(deps, input),
  current: (incident) => {
    const f = incident.facts;
    if (!f) return {};
    const text = (s: string | null | undefined) => s ?? undefined;
    return {
      summary: text(f.summary),
      cause: text(f.cause),
      type: f.breachType ?? undefined,
      nature: f.nature,
      'started-at': text(f.startedAt),
      'started-reason': text(f.startedReason),
      'ended-at': text(f.endedAt),
      categories: f.categories,
      special: f.specialStated ? (f.specialCategories.length ? f.specialCategories : ['none']) : [],
      'subject-groups': f.subjectGroups,
      subjects: f.subjectsMin !== null && f.subjectsMax !== null ? { min: f.subjectsMin, max: f.subjectsMax } : undefined,
      records: f.records ?? undefined,
      consequences: text(f.consequences),
      'measures-taken': text(f.measuresTaken),
      'measures-proposed': text(f.measuresProposed),
      unintelligible: f.unintelligible ?? undefined,
      'cross-border': f.crossBorder === null ? undefined : f.crossBorder ? ('yes' as const) : ('no' as const),
      'lead-authority': text(f.leadAuthority),
      'other-authorities': text(f.otherAuthorities),
      complete: f.complete || undefined,
    };
  },
  onlyChanged: true,
  // The consequences of one kind of breach come with their harm; an organisation with its role.
  together: [
    ['consequences', 'for', 'harm', 'harm-severity'],
    ['other-party', 'role'],
    ['started-at', 'started-reason'],
  ],
});

/** Every kind of report, to any recipient; the core says which kinds belong to which recipient. */
export const REPORT_KINDS = [...new Set(Object.values(KINDS_BY_RECIPIENT).flat())];
const RECIPIENTS = ['ap', 'csirt', 'authority', 'controller'] as const;

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
      label: { nl: 'Ingediend op', en: 'Submitted at' },
      hint: { nl: 'Standaard: nu.', en: 'Default: now.' },
    },
    {
      name: 'delay-reason',
      kind: 'longtext',
      label: { nl: 'Reden voor de vertraging', en: 'Reasons for the delay' },
      hint: {
        nl: 'Bij een eerste melding na de termijn van 72 uur, of bij een vervolgmelding of correctie die de redenen voor een te late melding alsnog geeft (art. 33(1)); onder de Telecommunicatiewet ook bij de melding die de melding compleet maakt na de drie dagen na de eerste (Verordening 611/2013 art. 2(3)).',
        en: 'With an initial report after the 72 hours, or with a follow-up or correction that gives the reasons for a late one afterwards (Art. 33(1)); under the Telecommunications Act also with the report that completes the notification after the three days following the initial one (Regulation 611/2013 art. 2(3)).',
      },
    },
    confirmStatedTime(
      {
        nl: 'Nodig als "Ingediend op" vóór het verstrijken van een termijn ligt (de AP, de NIS2-meldingen, de verwerkingsverantwoordelijke, de Telecommunicatiewet) maar pas daarna wordt vastgelegd; het dossier markeert de melding als ingevoerd na het verstrijken van die termijn. Ook als "Ingediend op" vóór de detectie door GuardDuty ligt, na een eerder vastgelegd bewustwordingsmoment; het dossier markeert het zo.',
        en: 'Needed when "Submitted at" lies before a deadline had passed (the AP, the NIS2 reports, the controller, the Telecommunications Act) but is entered after; the record marks the report as entered after that deadline had passed. Also when "Submitted at" lies before GuardDuty\'s detection, after an awareness recorded before it; the record marks it so.',
      },
      reportBeforeDetection,
    ),
    {
      name: 'recipient',
      kind: 'choice',
      options: RECIPIENTS,
      fallback: 'ap',
      label: { nl: 'Aan', en: 'To' },
      optionLabels: labels(RECIPIENTS, recipientLabel),
    },
    {
      name: 'kind',
      kind: 'choice',
      options: REPORT_KINDS,
      label: { nl: 'Soort melding', en: 'Kind of report' },
      optionLabels: labels(REPORT_KINDS, reportKindLabel),
      hint: { nl: 'Standaard: de eerste melding.', en: 'Default: the initial notification.' },
    },
    reason(
      { nl: 'Reden', en: 'Reason' },
      {
        nl: 'Verplicht bij een intrekking (waarom de AP geen melding meer heeft) en na het sluiten (art. 33(4), (5)).',
        en: 'Required with a withdrawal (why the AP no longer holds a notification) and after closing (Art. 33(4), (5)).',
      },
    ),
    {
      name: 'other-reference',
      kind: 'flag',
      label: { nl: 'Eigen nummer van de AP', en: 'A number of its own from the AP' },
      hint: {
        nl: 'Alleen als de AP deze vervolgmelding, correctie of intrekking een ander nummer gaf dan de eerste melding.',
        en: 'Only when the AP gave this follow-up, correction or withdrawal another number than the initial notification.',
      },
      offered: apReported,
    },
  ] as const,
  input: (v, { incidentId, by }) => ({
    incidentId,
    by,
    otherReference: v['other-reference'] === true,
    reference: v.reference,
    to: v.recipient as (typeof RECIPIENTS)[number],
    kind: v.kind,
    at: v.at,
    delayReason: v['delay-reason'],
    confirmStatedTime: v['confirm-stated-time'],
    reason: v.reason,
  }),
  run: async (deps: FgDeps, input) => (await recordReport(deps, input)).incident,
});

const EXCEPTIONS = ['encrypted', 'measures-taken', 'disproportionate-effort'] as const;

export const subjectsAction = action({
  name: 'subjects',
  title: { nl: 'Betrokkenen informeren (art. 34)', en: 'Inform the data subjects (Art. 34)' },
  fields: [
    {
      name: 'audience',
      kind: 'choice',
      options: ['data-subjects', 'subscribers'],
      fallback: 'data-subjects',
      label: { nl: 'Wie', en: 'Who' },
      optionLabels: {
        'data-subjects': { nl: 'de betrokkenen (art. 34)', en: 'the data subjects (Art. 34)' },
        subscribers: { nl: 'de abonnees (Telecommunicatiewet)', en: 'the subscribers (Telecommunications Act)' },
      },
      offered: telecom,
    },
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
    reason(),
    {
      name: 'exception',
      kind: 'choice',
      options: EXCEPTIONS,
      label: { nl: 'Uitzondering', en: 'Exception' },
      optionLabels: labels(EXCEPTIONS, exceptionLabel),
    },
    {
      name: 'date',
      kind: 'time',
      label: { nl: 'Geïnformeerd op', en: 'Informed at' },
      hint: {
        nl: 'Bij "informeren", en bij een openbare mededeling (onevenredige inspanning).',
        en: 'With "inform", and for a public communication (disproportionate effort).',
      },
    },
    {
      name: 'channel',
      kind: 'text',
      label: { nl: 'Kanaal', en: 'Channel' },
      hint: { nl: 'Bijv. e-mail, brief, website.', en: 'E.g. e-mail, letter, website.' },
    },
    {
      name: 'text',
      kind: 'longtext',
      // The notice datalek drafts repeats the facts' texts: longer than a text field keeps (review7 Y5). The record keeps a longer one as its beginning, length and SHA-256, the timeline the whole text.
      maxChars: MAX_SENT_TEXT_CHARS,
      maxStoredBytes: MAX_SENT_TEXT_BYTES,
      overBound: {
        nl: 'dat is langer dan elke kennisgeving die datalek opstelt; bewaar het bericht in het dossier en geef hier het begin en waar het staat',
        en: 'that is longer than any notice datalek drafts; keep the message in the case file and give its beginning here with where it is kept',
      },
      label: { nl: 'Tekst van het bericht', en: 'Text of the communication' },
      hint: {
        nl: 'Verplicht bij "informeren" (art. 34(2)) en bij een openbare mededeling (art. 34(3)(c)): het bericht zoals het verstuurd is, bijv. de kennisgeving die datalek opstelde.',
        en: 'Required with "inform" (Art. 34(2)) and for a public communication (Art. 34(3)(c)): the message as sent, e.g. the notice datalek drafted.',
      },
    },
    {
      name: 'ap-reference',
      kind: 'text',
      label: { nl: 'Kenmerk van de instemming van de AP', en: 'Reference of the AP’s agreement' },
      hint: {
        nl: 'Alleen bij de uitzondering voor abonnees wegens onbegrijpelijke gegevens: die geldt pas als de aanbieder de AP heeft aangetoond dat de gegevens onbegrijpelijk waren en de AP instemt (Verordening 611/2013 art. 4(1)).',
        en: 'Only with the subscribers’ exception for unintelligible data: it applies only once the provider showed the AP that the data was unintelligible and the AP agreed (Regulation 611/2013 art. 4(1)).',
      },
      offered: telecom,
    },
    {
      name: 'ap-agreed-at',
      kind: 'time',
      label: { nl: 'De AP stemde in op', en: 'The AP agreed at' },
      offered: telecom,
    },
    {
      name: 'other-nature-reason',
      kind: 'text',
      label: { nl: 'Waarom beschikbaarheid of integriteit geen hoog risico meer is', en: 'Why availability or integrity is no longer a high risk' },
      hint: {
        nl: 'Alleen bij de uitzondering "onbegrijpelijk" als de feiten ook een inbreuk op de beschikbaarheid of integriteit noemen: versleuteling neemt alleen het risico voor de vertrouwelijkheid weg (AVG art. 34(3)(a)); bijv. teruggezet uit een back-up.',
        en: 'Only with the exception "encrypted" when the facts also name a breach of availability or integrity: encryption answers only the risk to confidentiality (Art. 34(3)(a)); e.g. restored from a back-up.',
      },
    },
    confirmStatedTime(
      {
        nl: 'Nodig als "Geïnformeerd op" vóór de detectie door GuardDuty ligt, na een eerder vastgelegd bewustwordingsmoment (bijv. een klant belde eerder); het dossier markeert het zo.',
        en: 'Needed when "Informed at" lies before GuardDuty\'s detection, after an awareness recorded before it (e.g. a customer called earlier); the record marks it so.',
      },
      awareBeforeDetection,
    ),
    afterCloseConfirmation,
  ] as const,
  input: (v, { incidentId, by }) => ({
    incidentId,
    by,
    confirmStatedTime: v['confirm-stated-time'] === true,
    apReference: v['ap-reference'],
    apAgreedAt: v['ap-agreed-at'],
    otherNatureReason: v['other-nature-reason'],
    audience: v.audience,
    decision: v.decision,
    reason: v.reason ?? '',
    date: v.date,
    channel: v.channel,
    text: v.text,
    exception: v.exception,
    confirmAfterClose: v['after-close'] === true,
  }),
  run: (deps: FgDeps, input) => decideSubjects(deps, input),
});

export const closeAction = action({
  name: 'close',
  title: { nl: 'Sluiten', en: 'Close' },
  fields: [
    reason(),
    {
      name: 'overdue-reason',
      kind: 'longtext',
      label: { nl: 'Waarom een termijn verlopen is', en: 'Why a clock is overdue' },
      offered: somethingOverdue,
    },
    {
      name: 'containment-reason',
      kind: 'longtext',
      label: { nl: 'Wat er met de niet uitgevoerde inperking gebeurde', en: 'What became of the containment not carried out' },
      offered: ({ incident }) => containmentNotCarriedOut(incident).length > 0,
    },
    {
      name: 'reports-pending-reason',
      kind: 'longtext',
      label: { nl: 'Waarom gesloten vóór een melding', en: 'Why it is closed before a report' },
      offered: ({ incident, policy, now }) => reportsStillDue(incident, policy, now).length > 0,
    },
    {
      name: 'follow-up-reason',
      kind: 'longtext',
      label: { nl: 'Waarom gesloten zonder vervolgmelding aan de AP', en: 'Why it is closed without a follow-up to the AP' },
      offered: ({ incident, policy }) => apFollowUpOwed(incident, policy) !== undefined || riskRaisedAfterReport(incident, policy) !== undefined,
    },
  ] as const,
  input: (v, { incidentId, by }) => ({
    incidentId,
    by,
    reason: v.reason ?? '',
    overdueReason: v['overdue-reason'],
    containmentReason: v['containment-reason'],
    reportsPendingReason: v['reports-pending-reason'],
    followUpReason: v['follow-up-reason'],
  }),
  // The register may count containment another incident carried out for this one (core/breach-facts.ts).
  run: async (deps: FgDeps, input) => {
    const incident = await deps.store.getIncident(input.incidentId);
    return closeIncident(deps, { ...input, measuresElsewhere: incident ? await measuresElsewhere(deps, incident) : [] });
  },
});

/**
 * After closing, "no follow-up to the AP, because…" (Art. 33(4)): for a follow-up owed by an AP
 * notification made after closing with the facts incomplete; `datalek close ID --after-close
 * --follow-up-reason TEXT`, and the closed incident's page form of the same name.
 */
export const noFollowUpAction = action({
  name: 'no-follow-up',
  title: { nl: 'Na het sluiten: geen vervolgmelding aan de AP (art. 33(4))', en: 'After closing: no follow-up to the AP (Art. 33(4))' },
  fields: [
    {
      name: 'follow-up-reason',
      kind: 'longtext',
      label: { nl: 'Waarom er geen vervolgmelding aan de AP komt', en: 'Why no follow-up goes to the AP' },
      hint: {
        nl: 'De AP heeft alleen de eerste fase van de melding, gedaan toen de feiten nog niet compleet waren. Bijv. de AP liet weten geen aanvulling te verlangen.',
        en: 'The AP holds only the first phase of the notification, made while the facts were incomplete. E.g. the AP said it needs no more.',
      },
      required: 'close --after-close needs --follow-up-reason TEXT and --by NAME',
    },
    afterCloseConfirmation,
  ] as const,
  input: (v, { incidentId, by }) => ({ incidentId, by, reason: v['follow-up-reason'] ?? '', confirmAfterClose: v['after-close'] === true }),
  run: (deps: FgDeps, input) => recordNoFollowUp(deps, input),
});

export const releaseAction = action({
  name: 'release',
  title: { nl: 'Inperking opheffen', en: 'Release containment' },
  fields: [
    { ...reason({ nl: 'Waarom', en: 'Why' }), required: 'release needs --by NAME and --reason TEXT' },
    {
      name: 'reactivate-key',
      kind: 'flag',
      label: { nl: 'Ook de gedeactiveerde toegangssleutel weer activeren', en: 'Also reactivate the deactivated access key' },
    },
    {
      name: 'user-deleted',
      kind: 'flag',
      label: {
        nl: 'De IAM-gebruiker is verwijderd (CloudTrail: DeleteUser): wat met hem verdween als opgeheven vastleggen',
        en: 'The IAM user was deleted (CloudTrail: DeleteUser): record what went with it as released',
      },
      hint: {
        nl: 'Alleen waar IAM de gebruiker nu niet vindt (GetUser wordt gelezen). Een hernoemde gebruiker houdt zijn policies: verwijder ze dan met de hand onder de nieuwe naam.',
        en: 'Only where IAM does not find the user now (GetUser is read). A renamed user keeps its policies: remove them by hand under the new name then.',
      },
    },
    {
      name: 'undo-for',
      kind: 'list',
      label: { nl: 'Ook opheffen voor incident(en)', en: 'Also undo for incident(s)' },
      hint: {
        nl: 'Alleen als een ander incident dezelfde inperking vasthoudt (open, of gesloten zonder haar op te heffen): noem het, dan staat daar dat ze is opgeheven.',
        en: 'Only when another incident holds the same containment (open, or closed without releasing it): name it, and its record says it was undone.',
      },
    },
  ] as const,
  input: (v, { incidentId, by }) => ({
    incidentId,
    by,
    reason: v.reason,
    reactivateKey: v['reactivate-key'] === true,
    userDeleted: v['user-deleted'] === true,
    undoFor: v['undo-for'] ?? [],
  }),
  run: (deps, input) => releaseContainment(deps, input),
});

export const containAction = action({
  name: 'contain',
  title: { nl: 'Opnieuw inperken', en: 'Contain again' },
  fields: [
    { ...reason({ nl: 'Waarom', en: 'Why' }), required: 'contain needs --by NAME and --reason TEXT' },
    {
      name: 'enforce',
      kind: 'flag',
      label: { nl: 'Ook uitvoeren wat het beleid alleen plant', en: 'Also carry out what the policy only plans' },
    },
  ] as const,
  input: (v, { incidentId, by }) => ({ incidentId, by, reason: v.reason, enforce: v.enforce === true }),
  run: (deps, input) => containAgain(deps, input),
});

/**
 * A planned containment action carried out by hand (core/by-hand.ts): on the command line
 * `datalek contained`, and the incident page's form of the same name (web/action-forms.ts).
 */
/** Whether the incident holds a key action that failed: the form offers `--owner-key` then (core/by-hand.ts checks which keys). */
const keyActionFailed = (ctx: OfferContext) => ctx.incident.actions.some((a) => a.type === 'deactivate-access-key' && a.status === 'failed');

const userKeysOpen = (ctx: OfferContext) => ctx.incident.actions.some((a) => a.type === 'deactivate-user-keys' && a.status === 'planned');

export const containedAction = action({
  name: 'contained',
  title: { nl: 'Met de hand ingeperkt', en: 'Contained by hand' },
  fields: [
    {
      name: 'action',
      kind: 'text',
      required: 'contained needs --action ID (the planned action as `datalek show ID --json` lists its id, e.g. isolate-instance:i-0abc)',
      label: { nl: 'Actie', en: 'Action' },
    },
    {
      name: 'what',
      kind: 'longtext',
      required: 'contained needs --what TEXT: what was done by hand (the register keeps it as the measure taken, Art. 33(5))',
      label: { nl: 'Wat er met de hand is gedaan', en: 'What was done by hand' },
    },
    { name: 'at', kind: 'time', label: { nl: 'Uitgevoerd op', en: 'Carried out at' }, hint: { nl: 'Standaard: nu.', en: 'Default: now.' } },
    {
      name: 'owner-key',
      kind: 'list',
      label: { nl: 'Sleutel(s) van de eigenaar', en: "The owner's key(s)" },
      hint: {
        nl: 'Alleen als de sleutelactie mislukte op een andere sleutel (OtherKeyActive) en de eigenaar bevestigde dat die van hem is: de sleutel-id(s) die de fout noemde, met komma’s.',
        en: 'Only when the key action failed on another key (OtherKeyActive) and the owner confirmed it is theirs: the key id(s) the failure named, comma-separated.',
      },
      offered: keyActionFailed,
    },
    {
      name: 'interface',
      kind: 'list',
      label: { nl: 'Met de hand geïsoleerde netwerkinterface(s)', en: 'Network interface(s) isolated by hand' },
      hint: {
        nl: 'Alleen na de zoektocht naar taken die geen run las (TasksNeverRead): elke interface die u in de isolatiegroep zette, met haar eigen groepen, als eni-…=sg-…+sg-…, met komma’s. Eerst gelezen op AWS; daarna leest verify haar en zet een vrijgave haar groepen terug.',
        en: 'Only after the search for tasks no run read (TasksNeverRead): each interface you put in the isolation group, with its own groups, as eni-…=sg-…+sg-…, comma-separated. Read on AWS first; verify then reads it and a release puts its groups back.',
      },
      // Read on AWS before it is recorded: the page reads no AWS for it (the command with --target aws does).
      cliOnly: true,
    },
    {
      name: 'key',
      kind: 'list',
      label: { nl: 'Uitgeschakelde vaste sleutel(s)', en: 'Long-term key(s) deactivated' },
      hint: {
        nl: 'Alleen bij deactivate-user-keys: de sleutel-id(s) (AKIA…) die u uitschakelde, met komma’s. verify leest ze na als Inactive.',
        en: 'Only on deactivate-user-keys: the key id(s) (AKIA…) you deactivated, comma-separated. verify reads each back Inactive.',
      },
      offered: userKeysOpen,
    },
  ] as const,
  input: (v, { incidentId, by }) => ({
    incidentId,
    by,
    actionId: v.action,
    what: v.what,
    at: v.at,
    ownerKeys: v['owner-key'],
    interfaces: v.interface,
    keys: v.key,
  }),
  run: (deps: FgDeps & Pick<ContainedDeps, 'containmentReader'>, input) => recordContainedByHand(deps, input),
});

/**
 * A planned containment step that will not be carried out (core/by-hand.ts): on the command line
 * `datalek not-done`, and the incident page's form of the same name.
 */
export const notDoneAction = action({
  name: 'not-done',
  title: { nl: 'Stap wordt niet uitgevoerd', en: 'Step will not be carried out' },
  fields: [
    {
      name: 'action',
      kind: 'text',
      required: 'not-done needs --action ID (the planned action as `datalek show ID --json` lists its id, e.g. isolate-instance:i-0abc)',
      label: { nl: 'Actie', en: 'Action' },
    },
    {
      ...reason({ nl: 'Waarom niet', en: 'Why not' }),
      required: 'not-done needs --reason TEXT: why the step will not be carried out (the register and the AP draft keep it, Art. 33(3)(d), (5))',
      hint: {
        nl: 'Bijvoorbeeld: de server is vervangen, een andere maatregel dekt het risico. Het register en de concept-melding aan de AP tonen deze reden.',
        en: 'For example: the server was replaced, another measure covers the risk. The register and the AP draft show this reason.',
      },
    },
  ] as const,
  input: (v, { incidentId, by }) => ({ incidentId, by, actionId: v.action, reason: v.reason }),
  run: (deps: FgDeps, input) => recordNotToBeDone(deps, input),
});

/**
 * A not-done decision taken back (core/by-hand.ts `withdrawNotToBeDone`): on the command line
 * `datalek not-done --withdraw`, and the incident page's form beside the not-done one. The step is
 * planned again, and carried out when a finding's rule enforces it on a target that contains.
 */
export const withdrawNotDoneAction = action({
  name: 'not-done-withdraw',
  title: { nl: 'Besluit intrekken: stap toch uitvoeren', en: 'Withdraw the decision: carry the step out after all' },
  fields: [
    {
      name: 'action',
      kind: 'text',
      required: 'not-done --withdraw needs --action ID (the step decided not to be carried out, as `datalek show ID --json` lists its id)',
      label: { nl: 'Actie', en: 'Action' },
    },
    {
      ...reason({ nl: 'Waarom het besluit wordt ingetrokken', en: 'Why the decision is withdrawn' }),
      required: 'not-done --withdraw needs --reason TEXT: why the decision is taken back (the register and the AP draft keep it beside the decision)',
      hint: {
        nl: 'Bijvoorbeeld: een nieuwe bevinding toont dat de resource nog actief wordt misbruikt. De stap wordt weer gepland en, als het beleid hem afdwingt, uitgevoerd.',
        en: 'For example: a new finding shows the resource is still being abused. The step is planned again and, where the policy enforces it, carried out.',
      },
    },
  ] as const,
  input: (v, { incidentId, by }) => ({ incidentId, by, actionId: v.action, reason: v.reason }),
  run: (deps: ActionDeps, input) => withdrawNotToBeDone(deps, input),
});

/**
 * The inputs of opening an incident by hand (core/open-by-hand.ts): `datalek open` and the page's
 * form. The finding the policy ignored is handed in as its event file, on the command line only.
 */
export const OPEN_FIELDS = [
  {
    name: 'what',
    kind: 'longtext',
    required: 'open needs --what TEXT: what happened (the register keeps it, Art. 33(5))',
    label: { nl: 'Wat er gebeurde', en: 'What happened' },
  },
  {
    name: 'aware-at',
    kind: 'time',
    required: 'open needs --aware-at ISO: when the organisation became aware (the AP deadline runs from it, Art. 33(1))',
    label: { nl: 'Bewust geworden op', en: 'Became aware at' },
  },
  // The page takes the event itself, pasted (web/app.tsx OPEN_FINDING_FIELD), not a file on the server.
  { name: 'finding', kind: 'text', label: { nl: 'Bevinding (bestand)', en: 'Finding (file)' }, cliOnly: true },
  // Only with a finding: awareness more than a day after it needs a reason (open-by-hand.ts AWARE_GAP_HOURS).
  {
    name: 'aware-reason',
    kind: 'longtext',
    label: { nl: 'Reden bewustwordingsmoment', en: 'Reason for the awareness time' },
    hint: {
      nl: 'Alleen bij een bevinding: verplicht als het bewustwordingsmoment meer dan 24 uur na de bevinding ligt.',
      en: 'Only with a finding: required when the awareness lies more than 24 hours after the finding.',
    },
  },
] as const satisfies readonly FieldSpec[];

/** Every action a person takes on an incident, in the order of the workflow. */
export const ACTIONS = [ackAction, assessAction, factsAction, reportedAction, subjectsAction, closeAction, releaseAction, containAction] as const;

export type ActionName = (typeof ACTIONS)[number]['name'];
