/**
 * The forms of the incident page, each a view of one use case (use-cases/actions.ts): most show all
 * of its fields; the assessment is four forms, because awareness, the organisation's role and the
 * NIS2 significance are decisions of their own, each with its own reason in the register. A form
 * posts to `/incidents/:id/:form`; only its own fields are read from what it sends.
 */
import { acknowledgementTakes } from '../core/acknowledge.js';
import { containmentNotCarriedOut } from '../core/breach-facts.js';
import { decidableNotToBeDone, recordableByHand, withdrawableNotDone } from '../core/by-hand.js';
import {
  apClockRunning,
  apFollowUpLeftAtClosing,
  apFollowUpOwed,
  type ClockName,
  clockDecisionsOpen,
  nis2SignificantAfterClosing,
  otherClockRunning,
  overdueClocks,
  reportsStillDue,
  riskFollowUpOwed,
  subjectsDecisionNeeded,
  subscribersDecisionNeeded,
} from '../core/clocks.js';
import { nis2OwedSinceYes, REPORT_KINDS } from '../core/fg-workflow.js';
import { type Decision, findingTypesOfIncident, findingTypesSeen, type Incident } from '../core/incident.js';
import { actionLabel } from '../core/labels.js';
import type { Policy } from '../core/policy.js';
import { releasable } from '../core/release.js';
import { formatLocal } from '../core/time.js';
import {
  type Action,
  type ActionDeps,
  ackAction,
  assessAction,
  assessCheckingTypes,
  closeAction,
  containedAction,
  factsAction,
  noFollowUpAction,
  notDoneAction,
  releaseAction,
  reportedAction,
  subjectsAction,
  withdrawNotDoneAction,
} from '../use-cases/actions.js';
import type { FieldSpec, OfferContext, Text } from '../use-cases/fields.js';

export type AnyAction = Action<readonly FieldSpec[], unknown, unknown, ActionDeps>;

export interface WebForm {
  /** The form's id on the page and in its URL. */
  id: string;
  action: AnyAction;
  title: Text;
  /** The fields of the use case this form shows; all of them when absent. */
  fields?: readonly string[];
  /** Whether the incident page offers it now; the use case still decides whether it is allowed. */
  shown: (ctx: OfferContext & { releasable: boolean }) => boolean;
  /**
   * How the page draws some of its fields for this form (the options that can apply, a field it
   * cannot do without): the drawing only. What is sent is read with the use case's own fields, and
   * the use case judges it, so a value the page does not offer gets the CLI's refusal.
   */
  drawn?: Readonly<Record<string, Drawn>> | ((ctx: OfferContext) => Readonly<Record<string, Drawn>>);
  /**
   * Of a form that records a whole decision or acts on what the page lists: what it acts on, as
   * the page showed it. The form carries it (`_base`), and a post whose page showed something else
   * than the record holds now is refused, never applied to what the person did not see. Only what
   * the form edits counts: a new finding or a reminder does not make its page out of date.
   * `changed` is the refusal, in the page's words. `at`: the policy and the time the page is drawn or
   * the post checked, for what the page shows by the clock (a deadline passed).
   */
  edits?: { shown: (incident: Incident, at: ShownAt) => unknown; changed: Text };
  /**
   * Why the page does not offer the form now though the incident is in its case (a form whose use
   * case would only refuse it): said in its place, or null. Read only while `shown` is false.
   */
  withheld?: (ctx: OfferContext) => Text | null;
}

/** How the page draws a field: a choice of the values that apply now for a text the CLI takes (an action's id), a field it cannot do without, a hint. */
type Drawn = Partial<Pick<FieldSpec, 'kind' | 'options' | 'optionLabels' | 'required' | 'hint'>>;

/** The policy and the moment a form's page is drawn, or its post checked. */
export interface ShownAt {
  policy: Policy;
  now: string;
}

const open = ({ incident }: { incident: Incident }) => incident.state !== 'closed';
const real = ({ incident }: { incident: Incident }) => incident.state !== 'closed' && !incident.sample;
const as = (a: unknown) => a as AnyAction;
// Merged into another (closed as merged, core/record-finding.ts mergeInto): nothing follows here, every
// after-close entry is refused (fg-workflow.ts afterCloseReason); the page says where instead (nis17 item 5).
const closed = ({ incident }: { incident: Incident }) => incident.state === 'closed' && !incident.mergedInto;
/** After closing: what follows the AP notification (Art. 33(4)), never the initial report or marking the facts complete. */
const FOLLOWS_AFTER_CLOSE = REPORT_KINDS.ap.filter((k) => k !== 'initial');
const NOT_AFTER_CLOSE = new Set(['complete', 'unknown-reason']);
/** The decisions of these kinds recorded so far (how many, and when the last one): one recorded since changes it. */
const decided =
  (...kinds: Decision['kind'][]) =>
  (incident: Incident) => {
    const recorded = (incident.decisions ?? []).filter((d) => kinds.includes(d.kind));
    return [recorded.length, recorded.at(-1)?.recordedAt ?? null];
  };
const RECORD_AGAIN: Text = {
  nl: 'Er is niets vastgelegd: het formulier bewaart wat u invulde; bekijk wat nu is vastgelegd, en verstuur het opnieuw als het nog klopt.',
  en: 'Nothing was recorded: the form keeps what you entered; check what is recorded now, and send it again if it still holds.',
};

/** A form that records a whole decision (`what`): one recorded since its page was drawn refuses it. */
function decision(what: Text, ...kinds: Decision['kind'][]): NonNullable<WebForm['edits']> {
  return {
    shown: decided(...kinds),
    changed: {
      nl: `${what.nl} is gewijzigd sinds u deze pagina opende. ${RECORD_AGAIN.nl}`,
      en: `${what.en} changed since you opened this page. ${RECORD_AGAIN.en}`,
    },
  };
}

/**
 * The assessment's page also showed whether a finding that came after it asked for a new one
 * (Art. 33(5)): a page drawn before that finding does not answer it. It showed the finding types
 * too: a type that came while the page was open (exfiltration on the instance assessed as a miner)
 * asks no review of the first assessment, which it precedes, so the page itself must not answer
 * for it (storm11). After closing, the form also takes the moment of awareness: a page drawn before
 * someone moved it does not move it again.
 */
const assessment = (...kinds: Decision['kind'][]): NonNullable<WebForm['edits']> => ({
  // The types past the most an incident lists count too, by the token that covers every type (incident.ts findingTypesSeen).
  shown: (incident) => [
    decided(...kinds)(incident),
    incident.reviewAsked?.at ?? null,
    [...(incident.findingTypes ?? [incident.findingType])].sort(),
    findingTypesSeen(incident),
  ],
  changed: {
    nl: `De beoordeling is gewijzigd, of een nieuwe bevinding vraagt om een nieuwe beoordeling, sinds u deze pagina opende. ${RECORD_AGAIN.nl}`,
    en: `The assessment changed, or a new finding asks for a new one, since you opened this page. ${RECORD_AGAIN.en}`,
  },
});
const ASSESSMENT = assessment('assessment');

/**
 * The assessment forms record with the finding types checked, as the command line does (`assess
 * --finding-types`): where the incident has more than one, each type it covers is ticked by name,
 * those past the 100 its record lists too, and the use case refuses one left out or one none of its
 * findings had (fg-workflow.ts checkTypesSeen).
 */
const ASSESS_NAMING_TYPES = assessGivingToken(assessCheckingTypes());

/**
 * The page's assessment gives the `--seen` token of the incident as the use case reads it: every read it
 * makes is held to what the page drew (`ASSESSMENT`, checkedReads), the token among it, so the token says
 * what the page showed, resources included. Without it, the review a resource new to the incident asked
 * (27d8c96c) was refused on the page for ever, asking for a --seen it has no field for (red26). Given
 * beside the types ticked, or for an incident of one type: with several, the types are still ticked each.
 */
function assessGivingToken(a: typeof assessAction): typeof assessAction {
  return {
    ...a,
    run: async (deps, input) => {
      const incident = await deps.store.getIncident(input.incidentId);
      const seen = input.seen;
      const gives = incident && seen && (seen.types?.length || findingTypesOfIncident(incident).length === 1);
      return a.run(deps, gives ? { ...input, seen: { types: seen.types, token: findingTypesSeen(incident) } } : input);
    },
  };
}
const TYPES_TICKED: Text = {
  nl: 'De beoordeling geldt voor de soorten die u aanvinkt: vink elke soort aan die u hebt beoordeeld. Alle soorten van het incident horen erbij, ook die voorbij de 100 die het dossier opsomt (gelezen uit de bevindingen); laat u een soort onaangevinkt, dan wordt er niets vastgelegd.',
  en: 'The assessment holds for the types you tick: tick each type you assessed. Every type of the incident belongs to it, also those past the 100 the record lists (read from its findings); nothing is recorded with one left unticked.',
};
const typesDrawn = ({ incident, findingTypes }: OfferContext): Drawn => ({
  kind: 'choices',
  options: [...(findingTypes ?? findingTypesOfIncident(incident))],
  hint: TYPES_TICKED,
});

/** The containment the release form offers to release: the actions its page listed as in effect. */
const toRelease = {
  shown: (incident: Incident) => releasable(incident.actions).map((a) => a.id),
  changed: {
    nl: 'De inperking die van kracht is, is gewijzigd sinds u deze pagina opende. Er is niets opgeheven: de pagina toont nu wat van kracht is en het formulier bewaart wat u invulde; controleer het en hef opnieuw op.',
    en: 'The containment in effect changed since you opened this page. Nothing was released: the page now shows what is in effect, and the form keeps what you entered; check it and release again.',
  },
};

/**
 * What closing decides on, as the close form's page listed it: the containment not carried out
 * (each with its status), the clocks overdue and the reports still running (each asks a reason the
 * FG writes about what she saw), and the assessment. A page drawn before any of them changed is
 * out of date: her reason would be recorded for what she never saw (Art. 33(3)(d), (5)).
 */
const toClose = {
  shown: (incident: Incident, { policy, now }: ShownAt) => [
    containmentNotCarriedOut(incident).map((a) => [a.id, a.status]),
    overdueClocks(incident, policy, now).map((c) => c.name),
    reportsStillDue(incident, policy, now).map((c) => c.name),
    decided('assessment')(incident),
  ],
  changed: {
    nl: `De niet uitgevoerde inperking, een verlopen termijn, een lopende melding of de beoordeling is gewijzigd sinds u deze pagina opende. Het incident is niet gesloten: de pagina toont nu wat is vastgelegd en het formulier bewaart wat u invulde; controleer het en sluit opnieuw.`,
    en: 'The containment not carried out, an overdue clock, a report still running or the assessment changed since you opened this page. The incident was not closed: the page now shows what is recorded, and the form keeps what you entered; check it and close again.',
  },
};

/**
 * What a form that records a person's step on an action acts on, as its page listed it: each action
 * with its state. A page drawn before a run or a person changed one is out of date: her step would
 * be recorded against a state she never saw (a run that carried it out meanwhile, another person).
 */
const byHandChoice = {
  shown: (incident: Incident) => incident.actions.map((a) => [a.id, a.status, a.byHand?.recordedAt ?? null, a.released?.at ?? null]),
  changed: {
    nl: 'De inperking is gewijzigd sinds u deze pagina opende. Er is niets vastgelegd: de pagina toont nu wat is vastgelegd en het formulier bewaart wat u invulde; controleer het en verstuur het opnieuw.',
    en: 'The containment changed since you opened this page. Nothing was recorded: the page now shows what is recorded, and the form keeps what you entered; check it and send it again.',
  },
};

/** The action field drawn as a choice of `actions`, each named in words. */
function actionChoice(incident: Incident, actions: readonly { id: string }[]): Record<string, Drawn> {
  const ids = actions.map((a) => a.id);
  return { action: { kind: 'choice', options: ids, optionLabels: Object.fromEntries(ids.map((id) => [id, actionText(incident, id)])) } };
}

/** An action as the form's choice names it: its kind in words and its target, with its state. */
function actionText(incident: Incident, id: string): Text {
  const a = incident.actions.find((x) => x.id === id);
  if (!a) return { nl: id, en: id };
  const label = (lang: 'nl' | 'en') => `${actionLabel(lang, a.type)} ${a.target}${a.status === 'failed' ? (lang === 'nl' ? ' (mislukt)' : ' (failed)') : ''}`;
  return { nl: label('nl'), en: label('en') };
}

/**
 * The forms that record no FG decision: on-call's own (acknowledging, the facts and measures,
 * containment and its release). Every other form records one (cli/fg-role.ts FG_DECISION_KINDS), and
 * a page served as another role than the FG's does not offer it (fgrole item 5): the store refuses it.
 */
const ON_CALL_FORMS: ReadonlySet<string> = new Set(['ack', 'facts', 'after-close-facts', 'release', 'contained', 'not-done', 'not-done-withdraw']);

/** Whether a form records an FG decision (see ON_CALL_FORMS). */
export function isFgForm(f: Pick<WebForm, 'id'>): boolean {
  return !ON_CALL_FORMS.has(f.id);
}

export const WEB_FORMS: readonly WebForm[] = [
  // Offered again while the pager's alert raised after the acknowledgement, or an exposed page repeated since, still pages: whoever it pages takes it here too.
  {
    id: 'ack',
    action: as(ackAction),
    title: ackAction.title,
    shown: ({ incident, policy }) => acknowledgementTakes(incident, policy),
  },
  {
    id: 'assess',
    action: as(ASSESS_NAMING_TYPES),
    title: { nl: 'Beoordeling (art. 33(1))', en: 'Assessment (Art. 33(1))' },
    fields: ['personal-data', 'risk', 'reason', 'confirm-special-categories', 'special-reason', 'confirm-stated-time', 'finding-types'],
    drawn: (ctx) => ({ 'finding-types': typesDrawn(ctx) }),
    edits: ASSESSMENT,
    shown: open,
  },
  { id: 'facts', action: as(factsAction), title: factsAction.title, shown: open },
  { id: 'reported', action: as(reportedAction), title: reportedAction.title, shown: real },
  {
    id: 'subjects',
    action: as(subjectsAction),
    title: subjectsAction.title,
    edits: decision({ nl: 'Het besluit over het informeren', en: 'The decision on informing' }, 'subjects'),
    shown: ({ incident, policy }) =>
      open({ incident }) &&
      (subjectsDecisionNeeded(incident, policy) || subscribersDecisionNeeded(incident, policy) || Boolean(incident.subjects || incident.subscribers)),
  },
  {
    id: 'aware',
    action: as(assessAction),
    title: { nl: 'Moment van bewustwording', en: 'Moment of awareness' },
    fields: ['aware-at', 'aware-reason', 'confirm-stated-time', 'delay-reason'],
    edits: decision({ nl: 'Het moment van bewustwording', en: 'The moment of awareness' }, 'awareness'),
    shown: real,
  },
  {
    id: 'role',
    action: as(assessAction),
    title: { nl: 'Onze rol (art. 33(2))', en: 'Our role (Art. 33(2))' },
    fields: ['acting-as', 'reason', 'confirm-stated-time'],
    edits: decision({ nl: 'Onze rol', en: 'Our role' }, 'role'),
    shown: real,
  },
  {
    id: 'nis2',
    action: as(assessAction),
    title: { nl: 'NIS2 (art. 23)', en: 'NIS2 (Art. 23)' },
    fields: ['nis2-significant', 'nis2-aware-at', 'nis2-intermediate-due', 'reason', 'confirm-stated-time'],
    edits: decision({ nl: 'Het NIS2-besluit', en: 'The NIS2 decision' }, 'nis2-significance', 'nis2-intermediate-request', 'nis2-awareness'),
    shown: ({ incident, policy }) => real({ incident }) && clockDecisionsOpen(incident, policy, 'nis2'),
  },
  { id: 'close', action: as(closeAction), title: closeAction.title, edits: toClose, shown: open },
  { id: 'release', action: as(releaseAction), title: releaseAction.title, edits: toRelease, shown: ({ releasable }) => releasable },
  // A planned step carried out by hand (`datalek contained`, core/by-hand.ts): the page offers the
  // actions a person may record now; the use case checks the one sent against the record.
  {
    id: 'contained',
    action: as(containedAction),
    title: containedAction.title,
    drawn: ({ incident, policy, now }) => actionChoice(incident, recordableByHand(incident, now, policy.timeZone)),
    edits: byHandChoice,
    shown: ({ incident, policy, now }) => recordableByHand(incident, now, policy.timeZone).length > 0,
  },
  // A planned step that will not be carried out (`datalek not-done`), with who decided and why.
  {
    id: 'not-done',
    action: as(notDoneAction),
    title: notDoneAction.title,
    drawn: ({ incident, policy, now }) => actionChoice(incident, decidableNotToBeDone(incident, now, policy.timeZone)),
    edits: byHandChoice,
    shown: ({ incident, policy, now }) => decidableNotToBeDone(incident, now, policy.timeZone).length > 0,
  },
  // A not-done decision taken back (`datalek not-done --withdraw`): the steps decided, as the page
  // listed them with their decisions; one decided, withdrawn or carried out since makes the page out of date.
  {
    id: 'not-done-withdraw',
    action: as(withdrawNotDoneAction),
    title: withdrawNotDoneAction.title,
    drawn: ({ incident }) => actionChoice(incident, withdrawableNotDone(incident)),
    edits: {
      shown: (incident: Incident) => incident.actions.map((a) => [a.id, a.status, a.notDone?.recordedAt ?? null, a.released?.at ?? null]),
      changed: byHandChoice.changed,
    },
    shown: ({ incident }) => withdrawableNotDone(incident).length > 0,
  },
  // After closing, information can still follow (Art. 33(4)), each with its reason: the same use
  // cases as `reported … --reason` and `facts … --reason`, which say what a closed incident takes.
  // An assessment after closing said notifiable: the initial AP report is owed (Art. 33(1)), its
  // deadline reminds, and it is recorded after closing with its reason (core/clocks.ts `apClockRunning`).
  {
    id: 'after-close-initial',
    action: as(reportedAction),
    title: { nl: 'Na het sluiten: eerste melding aan de AP (art. 33(1))', en: 'After closing: the initial notification to the AP (Art. 33(1))' },
    fields: ['reference', 'at', 'delay-reason', 'confirm-stated-time', 'reason'],
    drawn: { reason: { required: true } },
    shown: ({ incident, policy }) => closed({ incident }) && apClockRunning(incident, policy),
  },
  // A processor's incident assessed notifiable after closing: its report to the controller is owed (Art. 33(2)).
  {
    id: 'after-close-controller',
    action: as(reportedAction),
    title: {
      nl: 'Na het sluiten: melding aan de verwerkingsverantwoordelijke (art. 33(2))',
      en: 'After closing: the report to the controller (Art. 33(2))',
    },
    fields: ['recipient', 'reference', 'at', 'delay-reason', 'confirm-stated-time', 'reason'],
    drawn: {
      recipient: { options: ['controller'], required: true },
      reference: {
        hint: { nl: 'Het kenmerk van de melding aan de verwerkingsverantwoordelijke.', en: 'The reference of the report to the controller.' },
      },
      reason: { required: true },
    },
    shown: ({ incident, policy }) => closed({ incident }) && otherClockRunning(incident, policy, 'processor'),
  },
  {
    id: 'after-close-report',
    action: as(reportedAction),
    title: { nl: 'Na het sluiten: informatie aan de AP (art. 33(4))', en: 'After closing: information to the AP (Art. 33(4))' },
    fields: ['reference', 'kind', 'at', 'delay-reason', 'reason'],
    drawn: { kind: { options: FOLLOWS_AFTER_CLOSE, required: true }, reason: { required: true } },
    shown: ({ incident }) => closed({ incident }) && !incident.sample,
  },
  {
    id: 'after-close-facts',
    action: as(factsAction),
    title: { nl: 'Na het sluiten: feiten corrigeren (art. 33(4))', en: 'After closing: correct the facts (Art. 33(4))' },
    fields: factsAction.fields.map((f) => f.name).filter((n) => !NOT_AFTER_CLOSE.has(n)),
    drawn: { reason: { required: true } },
    shown: closed,
  },
  // A changed assessment (a withdrawal needs "not notifiable" in force) and an Art. 34 decision the
  // AP can require after reading the notification (Art. 34(4)): `assess`/`subjects` on a closed incident.
  {
    id: 'after-close-assess',
    action: as(ASSESS_NAMING_TYPES),
    title: { nl: 'Na het sluiten: beoordeling wijzigen (art. 33(1), (4))', en: 'After closing: change the assessment (Art. 33(1), (4))' },
    fields: [
      'personal-data',
      'risk',
      'reason',
      'confirm-special-categories',
      'special-reason',
      'aware-at',
      'aware-reason',
      'delay-reason',
      'confirm-stated-time',
      'after-close',
      'finding-types',
    ],
    drawn: (ctx) => ({
      'finding-types': typesDrawn(ctx),
      'personal-data': { required: true },
      risk: { required: true },
      reason: { required: true },
      // The AP clock a notifiable assessment reopens runs from when the organisation became aware of that (Art. 33(1)).
      'aware-at': {
        hint: {
          nl: 'Als deze beoordeling het datalek meldplichtig maakt: wanneer de organisatie zich daarvan bewust werd. De termijn voor de AP loopt vanaf dat moment; leeg: vanaf het eerdere bewustwordingsmoment.',
          en: 'When this assessment makes the breach notifiable: when the organisation became aware of that. The AP deadline runs from that moment; empty: from the earlier moment of awareness.',
        },
      },
    }),
    edits: assessment('assessment', 'awareness'),
    shown: ({ incident }) => closed({ incident }) && !incident.sample,
  },
  // Significant under NIS2 after all, learned after closing (art. 23(3)): its early warning and
  // notification then run on the closed incident (`assess --after-close --nis2-significant yes`).
  {
    id: 'after-close-nis2',
    action: as(assessAction),
    title: { nl: 'Na het sluiten: toch een significant incident (NIS2 art. 23(3))', en: 'After closing: a significant incident after all (NIS2 Art. 23(3))' },
    fields: ['nis2-significant', 'nis2-aware-at', 'reason', 'confirm-stated-time', 'after-close'],
    drawn: { 'nis2-significant': { options: ['yes'], required: true }, reason: { required: true } },
    edits: decision({ nl: 'Het NIS2-besluit', en: 'The NIS2 decision' }, 'nis2-significance', 'nis2-awareness'),
    shown: ({ incident, policy }) =>
      closed({ incident }) && !incident.sample && clockDecisionsOpen(incident, policy, 'nis2') && incident.nis2?.significant !== true,
  },
  // That "yes" taken back (a mistake, or the CSIRT reads it otherwise): only a significance itself
  // decided after closing; the clocks it ends are its own, and both decisions stay (fgsec15 S2, attack15 K5).
  {
    id: 'after-close-nis2-back',
    action: as(assessAction),
    title: {
      nl: 'Na het sluiten: toch geen significant incident (NIS2 art. 23(3))',
      en: 'After closing: not a significant incident after all (NIS2 Art. 23(3))',
    },
    fields: ['nis2-significant', 'reason', 'confirm-stated-time', 'after-close'],
    drawn: { 'nis2-significant': { options: ['no'], required: true }, reason: { required: true } },
    edits: decision({ nl: 'Het NIS2-besluit', en: 'The NIS2 decision' }, 'nis2-significance'),
    // Not once a report went to the CSIRT or the authority since, or one was asked (readD15 D1): said why instead.
    shown: ({ incident, policy }) => nis2BackInCase(incident, policy) && !nis2OwedSinceYes(incident, policy.timeZone),
    withheld: ({ incident, policy }) =>
      nis2BackInCase(incident, policy) ? nis2BackWithheld(nis2OwedSinceYes(incident, policy.timeZone), policy.timeZone) : null,
  },
  // The CSIRT's or the authority's request for an intermediate report of a significant closed incident (art. 23(4)(c));
  // a new date for a request the record held overdue is confirmed (clocksStoppedAfterDeadline, readD15 D3).
  {
    id: 'after-close-nis2-intermediate',
    action: as(assessAction),
    title: { nl: 'Na het sluiten: tussentijds verslag gevraagd (NIS2 art. 23(4)(c))', en: 'After closing: intermediate report requested (NIS2 Art. 23(4)(c))' },
    fields: ['nis2-intermediate-due', 'reason', 'confirm-stated-time', 'after-close'],
    drawn: { 'nis2-intermediate-due': { required: true }, reason: { required: true } },
    edits: decision({ nl: 'Het NIS2-besluit', en: 'The NIS2 decision' }, 'nis2-significance', 'nis2-intermediate-request'),
    shown: ({ incident, policy }) =>
      closed({ incident }) && !incident.sample && clockDecisionsOpen(incident, policy, 'nis2') && incident.nis2?.significant === true,
  },
  // The NIS2 reports a closed incident still owes (reopened, left running at closing, decided
  // significant after closing, or the final report): recorded after closing with its reason.
  {
    id: 'after-close-nis2-report',
    action: as(reportedAction),
    title: { nl: 'Na het sluiten: melding onder NIS2 (art. 23(4))', en: 'After closing: a report under NIS2 (Art. 23(4))' },
    fields: ['recipient', 'kind', 'reference', 'at', 'confirm-stated-time', 'reason'],
    drawn: ({ incident, policy }) => ({
      recipient: { options: ['csirt', 'authority'], required: true },
      kind: { options: nis2ReportsOwed(incident, policy), required: true },
      reason: { required: true },
    }),
    shown: ({ incident, policy }) => closed({ incident }) && nis2ReportsOwed(incident, policy).length > 0,
  },
  // A follow-up owed by an AP notification made after closing, or by a high risk assessed after closing, answered with a reason instead (Art. 33(4)).
  {
    id: 'after-close-no-follow-up',
    action: as(noFollowUpAction),
    title: noFollowUpAction.title,
    shown: ({ incident, policy }) =>
      closed({ incident }) &&
      ((apFollowUpLeftAtClosing(incident) && apFollowUpOwed(incident, policy) !== undefined) || riskFollowUpOwed(incident, policy) !== undefined),
  },
  {
    id: 'after-close-subjects',
    action: as(subjectsAction),
    title: { nl: 'Na het sluiten: betrokkenen informeren (art. 34)', en: 'After closing: inform the data subjects (Art. 34)' },
    drawn: { reason: { required: true } },
    edits: decision({ nl: 'Het besluit over het informeren', en: 'The decision on informing' }, 'subjects'),
    shown: ({ incident }) => closed({ incident }) && !incident.sample,
  },
];

/** A closed incident whose NIS2 "yes" was itself given after closing: the case of the after-close "no" (fg-workflow.ts nis2SignificanceTakenBack). */
function nis2BackInCase(incident: Incident, policy: Policy): boolean {
  return closed({ incident }) && !incident.sample && clockDecisionsOpen(incident, policy, 'nis2') && nis2SignificantAfterClosing(incident);
}

/** Why the after-close "no" is not offered: what went to the CSIRT or the authority, or was asked, since the "yes" (fg-workflow.ts nis2OwedRefusal). */
function nis2BackWithheld(owed: ReturnType<typeof nis2OwedSinceYes>, timeZone: string): Text | null {
  if (!owed) return null;
  const one = owed.en.length === 1;
  const list = (items: string[], and: string) => (one ? items[0] : `${items.slice(0, -1).join(', ')} ${and} ${items.at(-1)}`);
  return {
    nl: `Dit kunt u niet meer vastleggen: sinds het "ja" van ${formatLocal(owed.since, timeZone)} ${one ? 'is' : 'zijn'} ${list(owed.nl, 'en')} vastgelegd; wat ${one ? 'dat' : 'die'} van de organisatie ${one ? 'vraagt' : 'vragen'}, blijft verschuldigd (NIS2 art. 23(4)(b)-(d)). Legt u die verslagen vast bij "Na het sluiten: melding onder NIS2" en vermeldt u daarin dat het incident toch niet significant is, als dat zo blijkt.`,
    en: `This can no longer be recorded: since the "yes" of ${formatLocal(owed.since, timeZone)}, ${list(owed.en, 'and')} ${one ? 'was' : 'were'} recorded, and what ${one ? 'it holds' : 'they hold'} the organisation to stays owed (NIS2 Art. 23(4)(b)-(d)). Record those reports under "After closing: a report under NIS2", and say there if the incident proves not significant.`,
  };
}

/** The kinds of NIS2 report whose clock still runs on a closed incident (core/clocks.ts runningOtherClocks), for its after-close form. */
const NIS2_REPORT_OF: Partial<Record<ClockName, string>> = {
  'nis2-early-warning': 'early-warning',
  'nis2-notification': 'notification',
  'nis2-intermediate': 'intermediate',
  'nis2-final': 'final',
};

const NIS2_REPORT_NAMES = Object.keys(NIS2_REPORT_OF) as ClockName[];

function nis2ReportsOwed(incident: Incident, policy: Policy): string[] {
  if (incident.sample) return [];
  return NIS2_REPORT_NAMES.filter((name) => otherClockRunning(incident, policy, name)).map((name) => NIS2_REPORT_OF[name] as string);
}

export function webForm(id: string): WebForm | undefined {
  return WEB_FORMS.find((f) => f.id === id);
}

/** The fields a form shows and reads: its own, never a command-line-only one, and only those offered now. */
export function formFields(form: WebForm, ctx: OfferContext): FieldSpec[] {
  const names = form.fields ? new Set(form.fields) : null;
  return (form.action.fields as readonly FieldSpec[]).filter((f) => (!names || names.has(f.name)) && !f.cliOnly && (f.offered?.(ctx) ?? true));
}

/** The fields as the page draws them for this form (`drawn`); `formFields` reads what is sent. */
export function drawnFields(form: WebForm, ctx: OfferContext): FieldSpec[] {
  const drawn = typeof form.drawn === 'function' ? form.drawn(ctx) : form.drawn;
  return formFields(form, ctx).map((f) => ({ ...f, ...(f.labelFor ? { label: f.labelFor(ctx) } : {}), ...(drawn?.[f.name] ?? {}) }));
}

/** What a form starts from: the use case's view of the incident, for the fields it shows. */
export function formCurrent(form: WebForm, incident: Incident): Record<string, unknown> {
  return (form.action.current?.(incident) ?? {}) as Record<string, unknown>;
}

/**
 * Of a form that shows what is recorded, only what the person changed on the page: a field is
 * given when its value differs from what the page showed (`base`, the record as it was when the
 * page was drawn), never because the record changed since, so saving an old page does not put back
 * what someone else recorded meanwhile (facts are recorded in phases, often by two people). A
 * field the person changed that someone else changed too since is a conflict: `conflicts` names
 * it, and nothing should be recorded. A field tied to a changed one (`together`) is given with it.
 * An unset list equals an empty one.
 */
export function changedValues(
  action: AnyAction,
  values: Record<string, unknown>,
  incident: Incident,
  base: Record<string, unknown>,
): { values: Record<string, unknown>; conflicts: string[] } {
  const current = (action.current?.(incident) ?? {}) as Record<string, unknown>;
  const kinds = new Map((action.fields as readonly FieldSpec[]).map((f) => [f.name, f.kind]));
  const same = (name: string, v: unknown, record: Record<string, unknown>) => {
    const kind = kinds.get(name);
    const empty = kind === 'list' || kind === 'choices' ? [] : undefined;
    return JSON.stringify(v ?? empty) === JSON.stringify(record[name] ?? empty);
  };
  const changed = new Set(Object.keys(values).filter((name) => !same(name, values[name], base)));
  const conflicts = [...changed].filter((name) => !same(name, base[name], current) && !same(name, values[name], current));
  const given = (v: unknown) => v !== undefined && !(Array.isArray(v) && v.length === 0);
  for (const group of action.together ?? []) if (group.some((n) => changed.has(n))) for (const n of group) if (given(values[n])) changed.add(n);
  return { values: Object.fromEntries(Object.entries(values).filter(([name]) => changed.has(name))), conflicts };
}

/** What a form that records only changes was drawn from, as its hidden `_base` field carries it. */
export function formBaseOf(action: AnyAction, incident: Incident): string {
  return JSON.stringify(action.current?.(incident) ?? {});
}

/** What a form that edits a whole decision showed of it (`edits`), as its hidden `_base` field carries it. */
export function formShownOf(form: WebForm, incident: Incident, at: ShownAt): string | undefined {
  return form.edits ? JSON.stringify(form.edits.shown(incident, at)) : undefined;
}

/** The `_base` a form sent back, or null when it is missing or not what `formBaseOf` wrote. */
export function parseFormBase(sent: unknown): Record<string, unknown> | null {
  if (typeof sent !== 'string') return null;
  try {
    const base = JSON.parse(sent) as unknown;
    return base !== null && typeof base === 'object' && !Array.isArray(base) ? (base as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
