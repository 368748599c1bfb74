/**
 * The incident: one breach candidate, one AP clock. Findings on the same affected resource while
 * the incident is open attach to it. Everything that happens is appended to its timeline; entries
 * are chained by hash so that an edited, removed, inserted or reordered entry shows.
 */
import type { AffectedResource, FindingKey, FindingVersion } from './finding.js';
import { findingKeyString } from './finding.js';
import { canonicalFields, sha256 } from './hash.js';
import { newIncidentPseudonymKey, withOwnPseudonyms } from './incident-pseudonyms.js';
import type { LinkWhy } from './messages.js';
import { randomText } from './random.js';

/**
 * open → acknowledged (on-call took it) → assessed (the FG decided) → reported (to the AP) →
 * closed. Acknowledging never stops the AP clock; only the FG's decision or the report does.
 */
export type IncidentState = 'open' | 'acknowledged' | 'assessed' | 'reported' | 'closed';

/** Whose duty the AP notification and Art. 34 are: the controller's; a processor tells its controller (Art. 33(2)). */
export type Role = 'controller' | 'processor';

/** The FG's assessment (Art. 33(1), 33(5)): the latest one; every one is kept in `decisions`. */
export interface Assessment {
  personalData: 'yes' | 'no' | 'unknown';
  risk: 'none' | 'risk' | 'high';
  reason: string;
  by: string;
  /** When it was recorded. */
  at: string;
  /** Personal data "no" or risk "none": not notifiable, the reasoning kept for the register. */
  notifiable: boolean;
  /**
   * Recorded after the incident was closed (only then present): the order of recording, which a
   * stated `at` from a clock a little behind the closing one cannot tell (core/clocks.ts assessedAfterClosing).
   */
  afterClose?: true;
  /**
   * "No risk" beside special categories of personal data (Art. 9(1); the BSN, UAVG art. 46) not
   * recorded as unintelligible, which EDPB Guidelines 9/2022 hold likely to result in a risk: the
   * FG confirmed it explicitly, with this reason of its own (core/fg-workflow.ts). Only then present.
   */
  confirmedBesideSpecial?: { categories: string[]; unintelligible: BreachFacts['unintelligible']; reason: string };
}

/**
 * A clock other than the AP's that the record held overdue when an entry stopped it (a report met it
 * by its stated time, a decision moved or ended it): the deadline that had passed and the moment
 * from which the record held it overdue; confirmed by the FG (core/clocks.ts).
 */
export interface ClockMark {
  clock: string;
  deadline: string;
  overdueFrom: string;
}

/**
 * One decision in the incident's history, as it was recorded: never overwritten, so the register
 * can show the reasoning of every step before the AP (Art. 33(5)).
 */
export type Decision = (
  | ({ kind: 'assessment' } & Omit<Assessment, 'at'> & {
        recordedAt: string;
        /** The AP deadline that had passed (the record held the notification overdue) when this "not notifiable" was entered (core/ap-verdict.ts). */
        enteredAfterDeadline?: string | null;
      })
  | {
      kind: 'awareness';
      from: string | null;
      to: string;
      reason: string;
      by: string;
      recordedAt: string;
      /** Hours between the detection and the awareness stated (EDPB 9/2022 allows a short investigation only). */
      hoursAfterDetection: number;
      /** Awareness moved later (the deadline with it) after an earlier assessment had confirmed personal data. */
      movedLaterAfterPersonalDataYes: boolean;
      /** Stated more than a day before it was entered, or entered after the AP deadline had passed (core/ap-verdict.ts). */
      enteredLater?: boolean;
      /** The moment from which the record held the AP notification overdue, when this was entered after it. */
      enteredAfterDeadline?: string | null;
      /** The reasons for the delay of an initial AP report this move made late (Art. 33(1)). */
      delayReason?: string | null;
      /** Stated before GuardDuty's first activity or detection (a customer's call), confirmed by the person (core/stated-time.ts). */
      beforeDetection?: boolean;
    }
  | {
      kind: 'role';
      role: Role;
      reason: string;
      by: string;
      recordedAt: string;
      /** The AP deadline that had passed when the organisation was declared processor after it (core/ap-verdict.ts). */
      enteredAfterDeadline?: string | null;
    }
  | { kind: 'nis2-significance'; significant: boolean; reason: string; by: string; recordedAt: string }
  | {
      /** When the entity became aware of the significant incident (NIS2 art. 23(4)(a), (b)), as a person stated it. */
      kind: 'nis2-awareness';
      from: string | null;
      to: string;
      reason: string;
      by: string;
      recordedAt: string;
      /** Stated more than a day before it was entered (core/stated-time.ts). */
      enteredLater?: boolean;
      /** Stated before GuardDuty's first activity or detection, confirmed by the person. */
      beforeDetection?: boolean;
    }
  | { kind: 'nis2-intermediate-request'; dueAt: string; reason: string; by: string; recordedAt: string }
  | ({ kind: 'subjects'; audience?: 'data-subjects' | 'subscribers' } & SubjectsDecision & { recordedAt: string })
) & {
  /** The clocks other than the AP's this decision stopped after the record held them overdue (`ClockMark`). */
  clocksEnteredAfterDeadline?: ClockMark[];
};

/** NIS2 art. 23(3): a person decides whether the incident is significant; only then do its clocks run. */
export interface Nis2Decision {
  significant: boolean;
  reason: string;
  by: string;
  at: string;
  /** The CSIRT or competent authority asked for an intermediate report by this time (art. 23(4)(c)). */
  intermediateDueAt?: string | null;
  /**
   * Decided after the incident was closed (only then present): significant, its early warning and
   * notification run on the closed incident (core/clocks.ts nis2SignificantAfterClosing); not
   * significant, such a "yes" taken back (fg-workflow.ts nis2SignificanceTakenBack).
   */
  afterClose?: true;
}

/** The kinds of breach of the AP's form (section 3), as codes; labels in `labels.ts`. */
export const BREACH_TYPES = [
  'hacking-malware-phishing',
  'device-lost-or-stolen',
  'paper-lost-or-stolen',
  'mail-lost-or-opened',
  'sent-to-wrong-recipient',
  'published-unintentionally',
  'not-deleted',
  'disclosed-verbally',
  'other',
] as const;
export type BreachType = (typeof BREACH_TYPES)[number];

export type Nature = 'confidentiality' | 'integrity' | 'availability';
export type Harm = 'physical' | 'material' | 'immaterial';
export type HarmSeverity = 'low' | 'medium' | 'high' | 'very-high';

/** The likely consequences of one kind of breach (form section 7). */
export interface Consequence {
  text: string;
  harm: Harm[];
  severity: HarmSeverity | null;
}

/** Another organisation involved (form section 1): our processor, the controller we work for, or a joint controller. */
export interface OtherParty {
  name: string;
  role: 'processor' | 'controller' | 'joint';
}

/** The Art. 33(3) facts, filled in over time (Art. 33(4): in phases). Fields added later are optional: old stores lack them. */
export interface BreachFacts {
  nature: Nature[];
  categories: string[];
  specialCategories: string[];
  /** Whether the special categories were stated at all: until then they are "unknown", never "none". */
  specialStated?: boolean;
  subjectGroups: string[];
  subjectsMin: number | null;
  subjectsMax: number | null;
  records: number | null;
  /** Likely consequences in general (Art. 33(3)(c)). */
  consequences: string | null;
  /** Per kind of breach, with the kind of harm and a severity estimate (form section 7). */
  consequencesByNature?: Partial<Record<Nature, Consequence>>;
  /** Measures the FG recorded as taken (Art. 33(3)(d)), besides containment carried out. */
  measuresTaken?: string | null;
  measuresProposed: string | null;
  /** Was the data encrypted or otherwise unintelligible (form section 6; Art. 34(3)(a))? */
  unintelligible: 'yes' | 'no' | 'partly' | null;
  /** Data subjects in other EU member states (form section 8)? */
  crossBorder: boolean | null;
  /** The lead supervisory authority when cross-border (Art. 56). */
  leadAuthority?: string | null;
  /** Other authorities notified (police, CSIRT, sector supervisor), in the FG's words. */
  otherAuthorities?: string | null;
  /** The FG's own summary and cause (form section 3). */
  summary?: string | null;
  cause?: string | null;
  breachType?: BreachType | null;
  /** When the breach ended, as stated (form section 2); null while ongoing or unknown. */
  endedAt?: string | null;
  /** When the breach began, as stated (form section 2), with how it is known; absent: GuardDuty's first activity. */
  startedAt?: string | null;
  startedReason?: string | null;
  otherParties?: OtherParty[];
  /** Whether "no other organisations" was stated. */
  otherPartiesStated?: boolean;
  /** Corrections of the facts (a later `endedAt`) that stopped a clock after the record held it overdue, confirmed by the FG (core/clocks.ts). */
  clockMarks?: { recordedAt: string; by: string; clocksEnteredAfterDeadline: ClockMark[] }[];
  /** The FG marks the facts complete; until then a follow-up reminder comes. */
  complete: boolean;
  /** Facts the FG said, when marking them complete, cannot be given, and why (the draft's keys: `records`, `subjects`, …). */
  unknown?: { facts: string[]; reason: string; by: string; at: string } | null;
  updatedAt: string | null;
  updatedBy: string | null;
}

export type ReportRecipient = 'ap' | 'csirt' | 'authority' | 'controller';

/**
 * One submission: to the AP (initial, follow-up, correction, withdrawal), the CSIRT or the competent
 * authority (NIS2), or a controller. `at` is the time the person states; `recordedAt` the moment
 * it was entered: both are kept, so back-dating shows.
 */
export interface ReportRecord {
  version: number;
  to: ReportRecipient;
  kind: string;
  reference: string;
  at: string;
  delayReason: string | null;
  /**
   * The delay `delayReason` answers when it is not one under Art. 33(1): the telecom complete
   * notification made after its three days (Regulation 611/2013 art. 2(3)). Absent: Art. 33(1)'s (or 33(2)'s).
   */
  delayUnder?: 'telecom-complete';
  by: string;
  recordedAt: string;
  /** Entered more than a day after the time stated, or after the AP deadline had passed (core/ap-verdict.ts). */
  enteredLater?: boolean;
  /** The moment from which the record held the AP notification overdue, when an initial AP report dated before it was entered after it. */
  enteredAfterDeadline?: string | null;
  /** Made before GuardDuty's detection, after an awareness recorded before it (the NIS2 awareness for an NIS2 report); confirmed (core/stated-time.ts). */
  beforeDetection?: boolean;
  /**
   * The other clocks (not the AP's) this report met by its stated time although it was entered
   * after the record held them overdue, each with that deadline and the moment from which the
   * record held it overdue; confirmed by the FG (core/clocks.ts clocksStoppedAfterDeadline).
   */
  clocksEnteredAfterDeadline?: ClockMark[];
  /** Whether the facts were marked complete when this report was recorded (Telecommunicatiewet art. 2(3)). */
  factsComplete?: boolean;
  /** To the AP: which Art. 33(3) facts it carried, each a short hash of its value (draft.ts factsCarried), so a later draft names what the AP has not received (Art. 33(4)). */
  factsSent?: Record<string, string>;
  /**
   * To the AP, entered with a stated time before the facts were last recorded: when they were. The
   * record cannot tell which facts the report carried then, so it keeps no `factsSent` and no
   * `factsComplete: true`; the draft says so (review11 A3).
   */
  factsAfter?: string;
  /** Why it was made: required with a withdrawal of the AP notification, and after closing (Art. 33(5)). */
  reason?: string | null;
  /** Recorded after the incident was closed: information that followed (Art. 33(4)). */
  afterClose?: boolean;
}

/**
 * Art. 34: informing the data subjects when the risk is high, or the exception that applies; for
 * a telecom provider also the subscribers (Regulation 611/2013 art. 3).
 */
export interface SubjectsDecision {
  decision: 'inform' | 'exception' | 'not-required';
  /** When they were informed, or the public communication made (Art. 34(3)(c)); stated by a person. */
  date: string | null;
  channel: string | null;
  exception: 'encrypted' | 'measures-taken' | 'disproportionate-effort' | null;
  /** With the exception "encrypted" for a breach also of availability or integrity: why that part is no longer a high risk (review7 G19). */
  otherNatureReason?: string;
  /** The text of the communication, when recorded (required for a public communication). */
  text?: string | null;
  reason: string;
  by: string;
  /** When it was recorded. */
  at: string;
  /** `date` lies more than a day before the recording. */
  enteredLater?: boolean;
  /** `date` lies before GuardDuty's detection, after an awareness recorded before it; confirmed (core/stated-time.ts). */
  beforeDetection?: boolean;
  /**
   * The subscribers' exception for unintelligible data only: the AP's agreement that the provider
   * showed it the data was unintelligible (Regulation 611/2013 art. 4(1)), with the AP's reference,
   * when it agreed (stated) and who recorded it.
   */
  apAgreed?: { reference: string; at: string; by: string };
}

/**
 * The subscribers' exception for unintelligible data recorded without the AP's agreement (a record
 * from before it was asked): no settled decision, since Regulation 611/2013 art. 4(1) lets a
 * provider skip its subscribers only when the AP agreed. The clock, status, show, the register and
 * the report count it as not done.
 */
export function subscribersWithoutAp(s: SubjectsDecision | null | undefined): boolean {
  return s?.decision === 'exception' && s.exception === 'encrypted' && !s.apAgreed;
}

export function emptyFacts(): BreachFacts {
  return {
    nature: [],
    categories: [],
    specialCategories: [],
    subjectGroups: [],
    subjectsMin: null,
    subjectsMax: null,
    records: null,
    consequences: null,
    measuresProposed: null,
    unintelligible: null,
    crossBorder: null,
    complete: false,
    updatedAt: null,
    updatedBy: null,
  };
}

export type ActionStatus = 'planned' | 'done' | 'skipped' | 'failed';

/** One containment action, as the incident and the CLI's JSON show it. */
export interface ActionRecord {
  /**
   * `isolate-instance:i-0abc…`: one action per kind and target, never run twice; a target in another
   * account or region says where (`revoke-role-sessions:AppRole@444455556666`, core/containment.ts
   * `actionId`).
   */
  id: string;
  type: string;
  target: string;
  /**
   * The account the target lives in, when not the incident's (a remote caller's or an attack
   * sequence actor's credentials): the action acts there, never on a namesake in the incident's
   * account. Absent: the incident's account.
   */
  accountId?: string;
  /** The region the target lives in, when not the incident's. Absent: the incident's region. */
  region?: string;
  status: ActionStatus;
  /** Why it was skipped or failed, or what "planned" means here. */
  reason?: string;
  mode: 'plan' | 'enforce';
  findingId: string;
  /**
   * The account its finding was recorded under, when not the incident's (a finding raised in a
   * member account about a resource of the incident's): the contain function reads it there.
   */
  findingAccountId?: string;
  /** The region its finding was recorded under, when not the incident's (a key used from another region). */
  findingRegion?: string;
  /**
   * Set when the contain function refused to carry it out (the finding it names does not call for
   * it under the contain function's policy): no run takes it up again, but a later finding the
   * policy enforces it for plans it anew, keeping any steps already done.
   */
  refused?: { at: string; reason: string };
  at: string;
  /** A step only a person can take (root credentials, the Kubernetes side): never enforced; `params.runbook` says how. */
  person?: boolean;
  /** What carrying it out needs beyond the target (e.g. the IAM user of a key). Never put in messages. */
  params?: Record<string, string>;
  /**
   * When a containment run took it up, before its first step (core/contain.ts): from then this
   * incident holds the resource, and another incident's run leaves the resource to it (`heldBy`).
   */
  startedAt?: string;
  /** The steps carried out, in order; a retry continues after the last one done. */
  steps?: StepRecord[];
  /** What was recorded to undo it: original groups per network interface, Auto Scaling group, … */
  evidence?: Record<string, unknown>;
  /**
   * Set when a person carried the planned action out by hand and recorded it (`datalek contained`,
   * core/by-hand.ts): then `done`, though datalek touched nothing and holds no evidence to undo it
   * by (a release leaves it to a person). `at` as stated, `recordedAt` when entered. `ownerKeys`: on a
   * key action that failed naming other keys of its user (OtherKeyActive), those the person
   * confirmed as the owner's (`--owner-key`): drift reads them as such (attack16 K5). `keys`: on a
   * `deactivate-user-keys` step, the long-term keys the person deactivated (`--key`): drift reads each
   * Inactive (cont26). `keysNotRead`: given on the embedded store, which reads no AWS, so taken as
   * given, not read Inactive among the user's keys as `--target aws` reads them first.
   */
  byHand?: { at: string; by: string; what: string; recordedAt: string; enteredLater?: true; ownerKeys?: string[]; keys?: string[]; keysNotRead?: true };
  /**
   * On a key action datalek carried out: other keys of its user a person confirmed as the owner's
   * after drift named them (made within the sessions' hours after the revocation: readC16 C1), each
   * confirmation with who, when (as stated) and when entered. The action stays datalek's.
   */
  ownerKeys?: { ids: string[]; by: string; at: string; recordedAt: string }[];
  /**
   * On a key action datalek carried out whose user was read gone from its recorded name (deleted or
   * renamed, IAM cannot tell which): what a person found out and recorded (`datalek contained
   * --target aws`, read gone first), who, when (as stated) and when entered (contain20). Drift shows
   * it beside what AWS shows. The action stays datalek's.
   */
  userGone?: { by: string; at: string; what: string; recordedAt: string };
  /**
   * Set when a person decided that the planned action will not be carried out (`datalek not-done`,
   * core/by-hand.ts): then `skipped`, neither planned nor done, with who decided and why. No run takes
   * it up; a later finding the policy enforces it for plans it anew, as for any step only planned.
   */
  notDone?: { by: string; reason: string; recordedAt: string };
  /**
   * The not-done decisions a person took back (`datalek not-done --withdraw`, core/by-hand.ts), oldest
   * first: each the decision as it was, and who withdrew it, why and when. The step was planned
   * again; the register and the AP draft keep both decisions (Art. 33(5)).
   */
  notDoneWithdrawn?: { decision: { by: string; reason: string; recordedAt: string }; by: string; reason: string; recordedAt: string }[];
  /**
   * Set when a person undid the action (`datalek release`). `userDeleted`: its IAM user was not found
   * (GetUser: NoSuchEntity) and the person releasing stated it deleted (`--user-deleted`): what the
   * release could not remove went with the user (rel28), as the release steps on the timeline say.
   */
  released?: { at: string; by: string; reason: string; userDeleted?: true };
  /**
   * Set while a release of it runs (core/release.ts), before it is released or its release failed:
   * no containment run takes it up meanwhile, until `until` (the machine's time; a mark without it
   * lasts `RELEASE_MARK_MS` from `at`). Left by a release that crashed, it counts as absent after that
   * (core/containment.ts releaseUnderWay); the next release clears it. `for`: set by the release of
   * that other incident, which undoes this action's containment too (`--undo-for`), so an Art. 34(3)(b)
   * decision here meanwhile reads it released (contain16); that release takes it off.
   */
  releasing?: { at: string; by: string; until?: string; for?: string };
  /**
   * Set when a release undid part of it and failed to undo the rest (one interface of several
   * restored): the release steps done (`undone`) and failed (`stillInEffect`), e.g.
   * `restore-eni:eni-0a`. The action stays held and releasable; every measure's words say which part is
   * back (core/breach-facts.ts). Kept as history once the action is released.
   */
  partlyReleased?: { at: string; by: string; reason: string; undone: string[]; stillInEffect: string[] };
  /**
   * Release steps done after the undoing (attach to the Auto Scaling group, associate the profile,
   * ...) by a release of it that failed: a release tried again does not send them again.
   */
  releaseStepsDone?: string[];
  /**
   * Set on an action left to another incident, not closed, that already holds this resource
   * contained or took it up first (a linked incident the FG decided on, an incident planning the
   * same instance): that incident's id, as it was then (it may have been merged into another since). The action is skipped
   * here, so only one record holds the containment, and its release tells this one.
   */
  heldBy?: string;
}

/** One step of a containment action, as the timeline and the FG message report it. */
export interface StepRecord {
  name: string;
  status: 'done' | 'skipped' | 'failed';
  at: string;
  /** What was done, why it was skipped, or what failed. */
  detail?: string;
  /** The provider's error code when it failed (e.g. UnauthorizedOperation). */
  code?: string;
  /**
   * The failure left a resource open: a network interface in the all-traffic group that could be
   * neither isolated nor restored. On-call gets a Critical page of its own; a retry starts here.
   */
  exposed?: boolean;
}

/** Who did something: the pipeline itself, or a person by name. */
export const SYSTEM_ACTOR = 'system';

/** A message that will never be sent as it is, and why (`Incident.undeliverable`). */
export interface UndeliverableRecord {
  messageId: string;
  channel: Channel;
  kind: string;
  at: string;
  reason: string;
}

export interface Incident {
  id: string;
  /** Optimistic-concurrency counter: every stored change raises it by one. */
  revision: number;
  state: IncidentState;
  /** Opened by a GuardDuty sample finding: test data, no clock, no containment. */
  sample: boolean;
  accountId: string;
  region: string;
  resource: AffectedResource;
  resourceKey: string;
  /**
   * Further resource keys the incident holds (an attack sequence's resources and credentials, and
   * those of incidents merged into it): a finding on any of them joins this incident.
   */
  resourceKeys?: string[];
  /** Every resource its findings name, the affected one first, when there is more than one. */
  resources?: AffectedResource[];
  /**
   * Resources whose keys this incident holds that a linked incident took up containment of first
   * (core/contain.ts `takeResource`), with that incident's id: a run of this one leaves its action
   * on such a resource to it while it holds it, and another linked incident's run finds it here, so
   * that taking up a resource reads its key's holder only, never every incident.
   */
  containedBy?: { type: string; target: string; accountId: string; region: string; incidentId: string }[];
  /** Set when this incident was merged into another (one breach, one AP clock): its findings now count there. */
  mergedInto?: string | null;
  /** The key of the finding that opened the incident; the timeline's hash chain starts from it. */
  firstFinding: FindingKey;
  /** The type of the most severe finding attached. */
  findingType: string;
  /** Every finding type among its findings, sorted (absent in records from before: `findingType` alone). */
  findingTypes?: string[];
  /**
   * Set when finding types came beyond the most `findingTypes` lists: they were not listed, from
   * `since`. `hashes`: each such type's hash (`typeNotListedHash`, sorted; absent in records from
   * before they were kept), so the `--seen` token covers every type (`findingTypesSeen`); `more`:
   * arrivals of types beyond the most `hashes` holds, each counted (a repeat too).
   */
  findingTypesNotListed?: { since: string; hashes?: string[]; more?: number } | null;
  /**
   * Set when findings asked for containment beyond the most `actions` holds (commit-bounds.ts
   * MAX_ACTIONS): how many actions were left out, as asked (a later version asking again counts
   * again), from `since`. The findings that asked are recorded, each as its own item.
   */
  actionsNotPlanned?: { count: number; since: string };
  /**
   * Resources the findings named beyond the most `resources` lists, counted as named (one named by
   * several findings counts each time); they stay in the findings' records.
   */
  resourcesNotListed?: number;
  /**
   * The affected resource's tags of the keys the policy names as the organisation's labels
   * (`personalDataTags`), as the opening finding gave them, `personal` when the value labels it as holding
   * personal data; `resourceTagsLeftOut` counts its other tags (free text: values never kept here).
   */
  resourceTags?: { key: string; value: string; personal: boolean }[];
  resourceTagsLeftOut?: number;
  /**
   * A finding of a type the incident did not have arrived after the FG's assessment: the FG is
   * asked to assess again, and reminded until an assessment is recorded after `decisions` (the
   * number of decisions recorded when it was asked).
   */
  reviewAsked?: ReviewAsk | null;
  /**
   * What was recorded after closing (Art. 33(4): information in phases): a report to the AP
   * (`ap:correction:M-1`) or corrected facts (`facts records, subjects`), each with who, when and why.
   * The incident stays closed; its containment and clocks are not reopened.
   */
  afterClose?: { at: string; by: string; what: string; reason: string }[];
  /**
   * The FG holds the findings past the retention period (a legal hold, a claim under way; README
   * "Why 180 days"): `datalek minimise` leaves them until the hold is released (retention-hold.ts).
   */
  retentionHold?: { at: string; by: string; reason: string };
  /**
   * Changes a person recorded with a `--now` behind the machine's clock (core/change-incident.ts):
   * the time stated, when the machine recorded it, who, and which entries. At most
   * MAX_STATED_CLOCK are kept; `statedClockNotListed` counts the rest. One carried from an incident
   * merged into this one names it (`incidentId`): its timeline holds the entries.
   */
  statedClock?: { at: string; enteredAt: string; by: string; entries: string[]; incidentId?: string }[];
  statedClockNotListed?: number;
  /**
   * Opened by a person, not by a finding (`datalek open`, core/open-by-hand.ts; Art. 33(5): every
   * breach is documented): what it is, who recorded it and when, the awareness stated, and the
   * finding the policy ignored that it comes from, if any. It has no containment.
   */
  openedByHand?: OpenedByHand;
  /** Opened because a finding of a closed incident was active again after it was closed. */
  followUpOf?: FollowUpOf | null;
  /** The follow-up incidents opened for activity after this one was closed. */
  followUps?: string[];
  /**
   * The open incidents a finding linked to this one rather than merging them (record-finding.ts
   * `notMergeable`): the breach's record is in both. At most MAX_LINKED; `linkedNotListed` counts more.
   */
  linked?: string[];
  linkedNotListed?: number;
  /**
   * Links a finding recorded on this incident made that its commit had no room to write on the
   * linked incidents (core/commit-bounds.ts): written there right after it, each note removed in
   * the commit that writes its link; should the process stop between, the redelivery of the finding
   * or the next finding on this incident writes them (record-finding.ts `completeLinks`).
   */
  linksPending?: PendingLink[];
  /** The highest severity of any attached finding. */
  severity: number;
  /** The first finding's `createdAt`: when GuardDuty detected it. Never changes. */
  detectedAt: string;
  /**
   * When the organisation became aware (Art. 33(1), EDPB 9/2022). Until a person sets it, the
   * conservative default is `detectedAt`, never the moment this software happened to process it.
   * Null for sample incidents: they start no clock.
   */
  awareAt: string | null;
  /** `awareAt` + the policy's AP deadline hours; null when no clock runs. */
  deadline: string | null;
  deadlineHours: number | null;
  findings: number;
  /** When the pipeline recorded the incident (its own clock, not GuardDuty's). */
  openedAt: string;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  /**
   * When a person last took the repeated page of an interface left open after the incident was
   * acknowledged (SNS, or a pager that failed the alert): an acknowledgement after the exposure,
   * which the incident's first acknowledgement cannot be. Stops the repeat for what was open then.
   */
  exposedTakenAt?: string;
  /**
   * When a person last took, with a second acknowledgement, the alerts of containment that did
   * not fit the record raised after the incident's acknowledgement (core/pager.ts notPlannedUntaken):
   * they no longer hold a merge. The alert at the pager is left as it is.
   */
  notPlannedTakenAt?: string;
  closedAt: string | null;
  /**
   * How many decisions were recorded when the incident was closed: an assessment after them was
   * recorded after closing, whatever the times stated for both (core/clocks.ts assessedAfterClosing).
   * Absent on records closed before it was kept, and on a record closed by a merge.
   */
  closedAfterDecisions?: number;
  actions: ActionRecord[];
  /** Notification states already announced (e.g. `fg:opened`, `fg:band:Critical`): never twice. */
  announced: string[];
  /** The last reminder announced: `lastDueAt` for the AP clock, `byClock` for the others. */
  reminders: { lastDueAt: string | null; byClock?: Record<string, string> };
  /** Why `awareAt` is what it is, when a person set it (EDPB 9/2022). */
  awareReason?: string | null;
  /** The earliest `service.eventFirstSeen` of the incident's findings: when the breach began, as far as known. */
  firstActivityAt?: string | null;
  /**
   * The finding whose `service.eventFirstSeen` was set aside, not read as a strict instant (or before
   * GuardDuty existed), when its creation is `firstActivityAt`: the value as it came (on one line,
   * bounded), and that creation (record-finding.ts firstActivity). Absent when the begin rests on no
   * such finding (fg26 item 4, review25 #3).
   */
  firstSeenSetAside?: { findingId: string; value: string; usedInstead: string };
  /** The organisation's role for this incident, as a person set it; absent means `policyRole`. */
  role?: Role;
  /**
   * The role the policy gave (`organisation.processor`) when the incident's clocks began, kept as
   * `deadlineHours` is: a later policy never re-judges the record. Absent on older records and
   * sample incidents: the policy's then.
   */
  policyRole?: Role;
  /**
   * A processor's hours to tell its controller (Art. 33(2), the contract's), kept from the policy in
   * force when its clock began (recorded for a processor, or the role set), as `deadlineHours` is:
   * a later policy never re-judges the record. Absent on older records: the policy's then.
   */
  controllerHours?: number;
  /**
   * The policy's NIS2 and telecom clocks (`clocks.nis2`, `clocks.telecom`) when the incident's clocks
   * began, kept as `policyRole` is: the obligations of an incident are those in force when it was
   * recorded, and a policy switched on or off later never re-judges it (law27). Absent on older
   * records and sample incidents: clocks.ts clocksInForce.
   */
  clocksInForce?: { nis2: boolean; telecom: boolean };
  assessment?: Assessment | null;
  /** Every decision, in the order recorded (assessments, awareness, role, NIS2, Art. 34). */
  decisions?: Decision[];
  nis2?: Nis2Decision | null;
  /**
   * When the entity became aware of the significant incident (NIS2 art. 23(4)(a), (b)), as a person
   * stated it with `nis2AwareReason`; absent: the detection (core/clocks.ts nis2AwareAt). Never the
   * GDPR awareness, which is certainty about personal data and moves on its own.
   */
  nis2AwareAt?: string | null;
  nis2AwareReason?: string | null;
  facts?: BreachFacts;
  reports?: ReportRecord[];
  subjects?: SubjectsDecision | null;
  /** Telecommunicatiewet: informing the subscribers (Regulation 611/2013 art. 3). */
  subscribers?: SubjectsDecision | null;
  closeReason?: string | null;
  /** Why a clock was still overdue when the incident was closed. */
  overdueReason?: string | null;
  /** Why it was closed with enforced containment failed or not carried out: what was done by hand, or why it is left. */
  containmentReason?: string | null;
  /**
   * Why it was closed before a report another law asks for was made, its clock still running (the
   * Telecommunicatiewet's notifications to the AP, a significant incident's NIS2 early warning or
   * notification): those clocks keep running after closing, and status and the sweep keep showing them.
   */
  reportsPendingReason?: string | null;
  /**
   * Why it was closed while the AP held only the first phase of the notification, made with the facts
   * incomplete, and no report with the complete facts followed (Art. 33(4)).
   */
  apFollowUpReason?: string | null;
  /**
   * The notification `apFollowUpReason` answers for (its reference and report version): a reason
   * given for one notification does not end the follow-up of one made anew after a withdrawal
   * (review12 S6, clocks.ts followUpReasonHolds). Absent on a record from before it was kept.
   */
  apFollowUpReasonFor?: { reference: string; version: number } | null;
  paging: { firstPageAt: string | null; lastDueAt: string | null };
  /**
   * Who carries out this incident's containment right now, and until when (a crashed holder's
   * lease runs out): one containment at a time per incident, whichever events arrive.
   */
  containmentLease?: { holder: string; until: string } | null;
  /**
   * The actions whose outcome (done, failed, refused) containment recorded and has not yet told the
   * FG and on-call: a run tells them all in one message per channel when it ends, and a run
   * stopped before that leaves them here for the next.
   */
  containmentUntold?: string[];
  /**
   * This incident's actions whose outcome (failed, or retried after a failure) the incidents that left
   * that resource's containment to it are still to be told (core/contain.ts `tellLeftFailures`):
   * marked in the commit that records the run's outcomes as told here, taken off once the leavers are
   * told. A run stopped before that (killed, a store error, a leaver's write refused) leaves it to the
   * next sweep (read14c C2), not to the leavers' spaced left check.
   */
  leftUntold?: string[];
  /**
   * Messages their channel refused as they are (`UndeliverableError`): never sent, and no longer
   * tried; each was told once, to on-call and its own channel, with why.
   */
  undeliverable?: UndeliverableRecord[];
  /**
   * The pages whose acknowledgement link was used, as `<level>#<round>`: a link works once, and
   * a second press of it (or of a copy of the same page) changes nothing.
   */
  ackLinksUsed?: string[];
  /** The incident's alert at the pager (PagerDuty, Opsgenie), when the policy pages through one. */
  pager?: PagerState | null;
  /** The earliest time something (a reminder, a page) falls due; null when nothing will. */
  nextDueAt: string | null;
  /**
   * The policy `nextDueAt` was set under: the digest of its settings that decide due times
   * (due-policy.ts). Absent on a record stored before records named it (vpol, 3 December 2026).
   */
  dueUnder?: string;
  timelineHead: { seq: number; hash: string };
  /**
   * Random bytes of the record (`incidentSalt`), hashed with it into each of its ledger entries, and
   * replaced by fresh ones whenever personal data leaves the record (core/minimise.ts: a name or an
   * object's key taken out of its actions): the record before held them, so without them no guessed
   * name, put back into the record as it is now, hashes to what the ledger keeps of the record before
   * (fed16). A record written before it existed has none until it is minimised.
   */
  salt?: string;
  /**
   * The incident's own pseudonym secret (core/incident-pseudonyms.ts, pseud21): 32 random bytes,
   * base64. Its chained timeline entries and its messages name a principal by a pseudonym made with
   * it, its record and join index by the store-wide one until it is minimised; minimise deletes it
   * (`unlinkPseudonyms`). Absent in a record written before pseud21, and in one minimised since.
   */
  pseudonymKey?: string;
  /**
   * The personal data of its findings minimised after it was closed for the retention period
   * (`datalek minimise`, core/minimise.ts): the last time a finding record was minimised, by whom,
   * after how many days, and how many finding records so far; `again`, the last time records
   * minimised before were minimised again (what an earlier minimise left), which no retention period
   * governs and which leaves the rest as it was (fg20). The register keeps its facts, effects and measures.
   */
  minimised?: {
    at: string;
    by: string;
    afterDays: number;
    findings: number;
    /** The kinds of data removed from them (core/minimise.ts `removedKinds`); none recorded by a minimisation before November 30, 2026. */
    kinds?: string[];
    /** When and by whom records minimised before were last minimised again; not recorded before December 1, 2026 (fg20), when that run overwrote `at`, `by` and `afterDays`. */
    again?: { at: string; by: string };
  };
}

/** A link still to write on the incident it names (`Incident.linksPending`): what its entry and the FG's message say. */
export interface PendingLink {
  incidentId: string;
  at: string;
  findingId: string;
  findingType: string;
  severity: number;
  /** Why the two were not merged: for the FG's message (`why`) and the timeline (`reason`). */
  why: LinkWhy;
  reason: string;
  /** A later version of a finding linked already: adds nothing where the link was told. */
  update: boolean;
}

/** Why the FG is asked to review an assessment: the finding that came after it. */
export interface ReviewAsk {
  at: string;
  findingId: string;
  findingType: string;
  /** The assessment it came after: when it was recorded and by whom. */
  assessedAt: string;
  assessedBy: string;
  /** How many decisions were recorded when it was asked: an assessment after them answers it. */
  decisions: number;
  /** Asked because the finding named a resource the incident did not hold, not a new type (a grown attack sequence). */
  newResource?: true;
}

/** How a person opened an incident by hand (`Incident.openedByHand`). */
export interface OpenedByHand {
  by: string;
  /** When it was entered. */
  recordedAt: string;
  /** What it is, in the person's words. */
  what: string;
  /** When the organisation became aware, as stated. */
  awareAt: string;
  /** The finding it comes from, which the policy ignored (recorded by no incident), and why it was ignored. */
  finding?: { findingId: string; accountId: string; region: string; type: string; severity: number; createdAt: string; ignored: string };
}

/** The closed incident a follow-up continues, and the activity that opened it. */
export interface FollowUpOf {
  incidentId: string;
  closedAt: string;
  findingId: string;
  /** The finding's count when the incident was closed, and now. */
  previousCount: number;
  count: number;
  /** The finding's `service.eventLastSeen` (else `updatedAt`) that showed the activity. */
  lastSeen: string;
}

export interface TimelineEntry {
  incidentId: string;
  seq: number;
  at: string;
  kind: string;
  actor: string;
  /**
   * The AWS identity whose credentials wrote the entry (the ARN sts:GetCallerIdentity gives, e.g.
   * `arn:aws:sts::ACCOUNT:assumed-role/datalek-fg/alice`), on every entry a person's `--target aws`
   * run records: `actor` is the name the person gave (`--by`), this is who AWS says wrote it.
   * Covered by `hash` when present; entries of the pipeline's functions, and of the embedded
   * store, have none.
   */
  caller?: string;
  detail: Record<string, unknown>;
  /**
   * Set on reading only, never stored nor hashed: what is wrong with a stored detail that is no JSON
   * object (core/entry-detail.ts), whose `detail` then reads empty. Readers show the entry as damaged.
   */
  damaged?: string;
  prevHash: string;
  hash: string;
}

/** What the store keeps of one finding: its key, its version and where it went. */
export interface FindingRecord {
  key: FindingKey;
  version: FindingVersion;
  incidentId: string;
  type: string;
  severity: number;
  createdAt: string;
  sample: boolean;
  archived: boolean;
  /** The finding's detail as delivered: evidence, kept in the store, never logged. */
  detail: Record<string, unknown>;
  /**
   * Random bytes of this version of the record (stored-record.ts `findingSalt`), hashed with it into
   * its ledger entry and removed when it is minimised: without them no guess at what minimising
   * removed (one IPv4 address: 2^32 guesses) hashes to what the ledger keeps of the record before.
   * A record written before it existed has none.
   */
  salt?: string;
  /**
   * Its commit noted links still to write on other incidents (`Incident.linksPending`): a
   * redelivery of the finding writes those a stopped process left (record-finding.ts `completeLinks`).
   */
  linksPending?: true;
  /**
   * Set when its personal data was minimised after the incident was closed for the retention period
   * (core/minimise.ts): when, by whom, the hash of the bytes before (its ledger's) and where values
   * were removed; of a role session's finding, whether its session name was looked for (minimise.ts
   * `FindingMinimised.sessionNames`).
   */
  minimised?: { at: string; by: string; from: string; removed: string[]; sessionNames?: 'looked-for' | 'not-known' };
}

export type Channel = 'fg' | 'on-call';

/** Where an alert at the pager stands. */
export type AlertState = 'triggered' | 'acknowledged' | 'resolved' | 'failed';

/**
 * The incident's alerts at the policy's pager. `state` and `at` are the incident's own alert's
 * (key: the incident id), once it is among `keys`: while it is `triggered` or `acknowledged` the
 * pager's own escalation runs and datalek's levels do not (no double paging); `failed` means the
 * alert could not be delivered there and datalek paged through its own topic and levels instead.
 * Each other alert (an exposed interface's, containment that did not fit) has a state of its own
 * (`alerts`): none changes another.
 */
export interface PagerState {
  provider: 'pagerduty' | 'opsgenie';
  /**
   * The alerts' keys there (PagerDuty `dedup_key`, Opsgenie `alias`): the incident id, one per
   * exposed interface, and one per finding type whose containment did not fit the record.
   */
  keys: string[];
  state: AlertState;
  /** When the state was reached. */
  at: string;
  /**
   * The state of each alert other than the incident's own, by key: an exposed interface's, or
   * containment that did not fit the record's. A key among `keys` without an entry here
   * (recorded before alerts had states of their own) is taken as triggered.
   */
  alerts?: OtherAlertState[];
  /**
   * When the incident's own alert there was last raised (first, or again after it was resolved
   * there): a webhook about something that happened before it is about an alert gone since.
   */
  triggeredAt?: string;
  /**
   * The provider's ids of the webhook events taken, each with its time there, held while the
   * webhook's window could still take a delivery of it again (core/pager-webhooks.ts). A record
   * written before the ids carried their time holds them alone.
   */
  events?: (PagerEventSeen | string)[];
  /**
   * The incident's own alerts raised before the present one and resolved there since, while a
   * webhook about them could still be taken: a person's acknowledgement of one, delivered late,
   * is recorded as theirs (core/pager.ts recordPagerEvent).
   */
  earlier?: EarlierAlert[];
  /**
   * Exposed interfaces' alerts the pager resolved on its own (no person: e.g. the service's
   * auto-resolve) while the interface was still open to all traffic: the sweep raises each again
   * (schedule.ts `exposedAgain`), once per resolve. One per alert.
   */
  exposedAgain?: ExposedAgain[];
  /**
   * Exposed interfaces' alerts a person acknowledged or resolved there since they were last
   * raised: that person took it, and the pager resolving it on its own later does not raise it again.
   */
  exposedTaken?: string[];
  /**
   * When the incident's own alert was acknowledged there by no person (PagerDuty's Events API with
   * the routing key, an automation, Opsgenie's "System"), while nobody had taken the incident:
   * nobody is on the page, and the pager's escalation stopped. datalek's own levels page through
   * the on-call topic until a person acknowledges (schedule.ts pagerEscalates, messages.ts).
   * Gone once the alert's state there moves again, or a person acknowledges it there.
   */
  acknowledgedByNoPersonAt?: string;
}

/**
 * When the incident's own alert, acknowledged there, was acknowledged by no person
 * (`PagerState.acknowledgedByNoPersonAt`); null otherwise.
 */
export function pagerAckByNoPerson(incident: Incident): string | null {
  const pager = incident.pager;
  return pager?.state === 'acknowledged' && pager.acknowledgedByNoPersonAt ? pager.acknowledgedByNoPersonAt : null;
}

/** An alert of the incident at the pager other than its own: its key there, where it stands, since when. */
export interface OtherAlertState {
  key: string;
  state: AlertState;
  at: string;
  /**
   * Failed here, but up at the pager all the same: an exposed interface's alert acknowledged there
   * by no person (core/pager.ts), whose pages go to the on-call topic. Closing resolves it there,
   * unlike an alert the pager refused.
   */
  upThere?: true;
}

/** An exposed interface's alert to raise again: its key there, the interface, when the pager resolved it. */
export interface ExposedAgain {
  key: string;
  resource: string;
  at: string;
}

/**
 * For a refusal on a closed incident: the follow-up incident its finding opened since, if any,
 * which is where the breach goes on (what to acknowledge or assess instead).
 */
/** The incident's finding types, sorted: what `show` showed and `assess --finding-types` names. */
export function findingTypesOfIncident(incident: Incident): string[] {
  return [...(incident.findingTypes ?? [incident.findingType])].sort();
}

/**
 * What `show` showed an assessment is about, as a short token (`assess --seen`): its finding types
 * and the resources it holds. A finding of a new type that came after it, or one naming a resource
 * the incident did not hold (a grown attack sequence's bucket, 27d8c96c), changes the token, so the
 * CLI's assessment never answers for facts the person was not shown (the page's forms carry the
 * types themselves, web/action-forms.ts, and this token). Every type: those past the most the
 * incident lists by their hashes (`findingTypesNotListed`). The types' part, a "-", the resources' part,
 * which names the incident too (`resourcesSeen`).
 */
export function findingTypesSeen(incident: Incident): string {
  return `${typesSeen(incident)}-${resourcesSeen(incident)}`;
}

/** The types' part of the `--seen` token (`findingTypesSeen`). */
export function typesSeen(incident: Incident): string {
  const listed = findingTypesOfIncident(incident);
  const past = incident.findingTypesNotListed;
  const every = past?.hashes?.length || past?.more ? [listed, past.hashes ?? [], past.more ?? 0] : listed;
  return sha256(JSON.stringify(every)).slice(0, 8);
}

/**
 * The resources' part of the `--seen` token: the incident's id, the keys it holds, sorted, and the resources
 * `show` lists beyond them. A sequence past the keys an incident holds (MAX_HELD_KEYS) lists a bucket it holds
 * no key for: with the keys alone, a token printed before that bucket came still held (red26). The id: the
 * token of an incident of the same types and one resource, another instance's, answered for this one, the FG
 * having seen the other alone (red27); a token printed before is refused once (fg-workflow.ts checkResourcesSeen).
 */
export function resourcesSeen(incident: Incident): string {
  const keys = [...new Set([incident.resourceKey, ...(incident.resourceKeys ?? [])])].sort();
  const listed = incident.resources ?? [];
  const shown = listed.length > keys.length ? listed.map((r) => `${r.kind}:${r.accountId ?? ''}:${r.id}`).sort() : [];
  return sha256(JSON.stringify([incident.id, keys, shown])).slice(0, 8);
}

/** How many resources and credentials the incident holds (its own and `resourceKeys`), as the `--seen` token covers them (at least two). */
export function resourcesHeld(incident: Incident): number {
  return new Set([incident.resourceKey, ...(incident.resourceKeys ?? [])]).size;
}

/** A finding type past the most an incident lists, as `findingTypesNotListed.hashes` keeps it. */
export function typeNotListedHash(type: string): string {
  return sha256(type).slice(0, 16);
}

export function followUpHint(incident: Incident): { en: string; nl: string } {
  const latest = incident.followUps?.at(-1);
  if (!latest) return { en: '', nl: '' };
  return {
    en: `; its finding was active again after the close and opened follow-up incident ${latest}: act on that one`,
    nl: `; de bevinding was na het sluiten opnieuw actief en opende vervolgincident ${latest}: handel dat af`,
  };
}

/** A webhook event taken: the provider's id, and when it happened there. */
export interface PagerEventSeen {
  id: string;
  at: string;
}

/** An alert datalek raised for the incident (by its clock) and the pager resolved (by the pager's). */
export interface EarlierAlert {
  raisedAt: string;
  resolvedAt: string;
}

/** The signed acknowledgement link a page carries: one per page (incident, escalation level and round). */
export interface AckLinkRef {
  level: string;
  /** 0-based, as the schedule counts. */
  round: number;
  /** Until the next escalation step, and at most an hour after the page was queued. */
  expiresAt: string;
  /** The link of an exposed interface's repeated page (core/ack-link.ts repeatAckLink): it takes that page. */
  repeat?: true;
}

/** What a chat card or a pager alert shows of a message: identifiers only, in the message's language. */
export interface MessageCard {
  /** One line: the alert's summary and the card's title. */
  title: string;
  band: 'Low' | 'Medium' | 'High' | 'Critical';
  /** Label and value, in order: incident, finding, severity, resource, account, clocks, containment, acknowledged. */
  facts: [string, string][];
  /** What the reader is asked to do, in one line. */
  ask: string;
  /** `runbooks/<name>.md`. */
  runbook: string;
  /** For the pager's fields: the account and region, the finding type, the resource (an IAM user's name left out). */
  account: string;
  region: string;
  findingType: string;
  resource: string;
}

/** What a message does to the incident's alert at the pager; the pager delivers it instead of the topic. */
export interface PagerAlert {
  action: 'trigger' | 'acknowledge' | 'resolve';
  /** PagerDuty `dedup_key`, Opsgenie `alias`. */
  key: string;
}

/** A message waiting in (or sent from) the outbox. Its id is deterministic: one per state change. */
export interface OutboxMessage {
  id: string;
  incidentId: string;
  channel: Channel;
  kind: string;
  subject: string;
  body: string;
  attributes: Record<string, string>;
  createdAt: string;
  sentAt: string | null;
  /**
   * A page carries a signed acknowledgement link. Only what it is for is stored: the notifier signs
   * it when it sends, with a key kept outside the store, so reading the store gives no valid link.
   */
  ackLink?: AckLinkRef;
  /** The message as a chat card or a pager alert shows it (absent in messages queued before cards existed). */
  card?: MessageCard;
  /** Set when the pager (PagerDuty, Opsgenie) delivers this message instead of the on-call topic. */
  alert?: PagerAlert;
}

/** What identifies a new incident and its first finding; everything else starts empty. */
export type NewIncident = Pick<
  Incident,
  | 'id'
  | 'sample'
  | 'accountId'
  | 'region'
  | 'resource'
  | 'resourceKey'
  | 'firstFinding'
  | 'findingType'
  | 'severity'
  | 'detectedAt'
  | 'awareAt'
  | 'deadline'
  | 'deadlineHours'
  | 'openedAt'
>;

/**
 * The law in force when the incident's clock began, as the record keeps it (`policyRole`,
 * `controllerHours`, `clocksInForce`; none on a sample): the opening entry says it, and verify holds
 * the record to it (core/audit-law-fields.ts, tl28a).
 */
export function lawInForce(incident: Incident): {
  policyRole: Role | null;
  controllerHours: number | null;
  clocksInForce: { nis2: boolean; telecom: boolean } | null;
} {
  return { policyRole: incident.policyRole ?? null, controllerHours: incident.controllerHours ?? null, clocksInForce: incident.clocksInForce ?? null };
}

/** A new, open incident at revision 1, with one finding and an empty timeline chained from its key. */
export function newIncident(fields: NewIncident): Incident {
  // Object.assign, not a spread: in Node 20's V8 every key added after a spread (`{ ...fields,
  // revision: 1, … }`) costs about a microsecond (the copy gets a map of its own, without
  // transitions), some 20 µs here and more for every key set on the incident later. The keys come
  // out in the same order: `fields`' own, then these.
  return Object.assign({}, fields, {
    revision: 1,
    state: 'open' as const,
    findings: 1,
    acknowledgedBy: null,
    acknowledgedAt: null,
    closedAt: null,
    actions: [],
    announced: [],
    reminders: { lastDueAt: null },
    paging: { firstPageAt: null, lastDueAt: null },
    nextDueAt: null,
    timelineHead: { seq: 0, hash: genesisHash(fields.id, fields.firstFinding) },
    salt: incidentSalt(),
    pseudonymKey: newIncidentPseudonymKey(),
  });
}

/**
 * An incident record's salt (`Incident.salt`): 128 random bits, derived from nothing the store or
 * the ledger keeps, as a finding record's (stored-record.ts `findingSalt`).
 */
export function incidentSalt(): string {
  return randomText(16, 'base64url');
}

/** The genesis of an incident's hash chain: a hash of the incident and its first finding's key. */
export function genesisHash(incidentId: string, firstFinding: FindingKey): string {
  return sha256(`datalek-incident:${incidentId}:${findingKeyString(firstFinding)}`);
}

export function entryHash(entry: Omit<TimelineEntry, 'hash'>): string {
  const { incidentId, seq, at, kind, actor, caller, detail, prevHash } = entry;
  // canonicalJson({ incidentId, seq, at, kind, actor, caller, detail }), its keys in their sorted
  // order; an entry without a caller leaves the key out, so entries recorded before it hash as they did.
  return sha256(`${prevHash}\n${canonicalFields(ENTRY_KEYS, [actor, at, caller, detail, incidentId, kind, seq])}`);
}

/** The keys an entry's hash covers, sorted as canonicalJson sorts them. */
const ENTRY_KEYS = ['actor', 'at', 'caller', 'detail', 'incidentId', 'kind', 'seq'] as const;

/** Hex digits of an incident id: 128 bits, so two finding keys with one id cannot be searched for. */
export const INCIDENT_ID_HEX = 32;

/** `dl-` and 32 lower-case hex digits. */
export const INCIDENT_ID_PATTERN = /^dl-[0-9a-f]{32}$/;

/**
 * Incident ids are derived from the first finding's key, so a retried delivery opens the same one.
 * `attempt` derives the next candidate when the first is taken (see record-finding's `freeIncidentId`).
 */
export function incidentIdFor(key: FindingKey, attempt = 0): string {
  const text = attempt === 0 ? findingKeyString(key) : `${findingKeyString(key)}#${attempt}`;
  return `dl-${sha256(text).slice(0, INCIDENT_ID_HEX)}`;
}

/**
 * Appends entries to a draft incident's chain and returns them fully formed. The caller stores
 * them in the same atomic write as the incident whose `timelineHead` this advances.
 */
export function appendEntries(
  incident: Incident,
  entries: { at: string; kind: string; actor?: string; caller?: string; detail?: Record<string, unknown> }[],
): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  let { seq, hash } = incident.timelineHead;
  for (const e of entries) {
    const draft: Omit<TimelineEntry, 'hash'> = {
      incidentId: incident.id,
      seq: seq + 1,
      at: e.at,
      kind: e.kind,
      actor: e.actor ?? SYSTEM_ACTOR,
      // A principal by the incident's own pseudonym: the chain is never rewritten, minimise cannot take the store-wide one out of it.
      detail: withOwnPseudonyms(incident.pseudonymKey, e.detail ?? {}),
      prevHash: hash,
    };
    // Set only where there is one: the pipeline's entries (a replay's thousands) keep their shape.
    if (e.caller !== undefined) draft.caller = e.caller;
    // Written out rather than `{ ...draft, hash }`: a key added after a spread is slow (newIncident).
    const full: TimelineEntry = {
      incidentId: draft.incidentId,
      seq: draft.seq,
      at: draft.at,
      kind: draft.kind,
      actor: draft.actor,
      detail: draft.detail,
      prevHash: draft.prevHash,
      hash: entryHash(draft),
    };
    if (draft.caller !== undefined) full.caller = draft.caller;
    out.push(full);
    seq = full.seq;
    hash = full.hash;
  }
  incident.timelineHead = { seq, hash };
  return out;
}

/** A timeline problem found by `verifyTimeline`, naming the entry. */
export interface ChainBreak {
  incidentId: string;
  seq: number;
  problem: string;
}

/**
 * Checks an incident's timeline against its hash chain and its recorded head. Finds an entry that
 * was edited, removed, inserted or reordered; returns the first break, or null.
 */
export function verifyTimeline(incident: Incident, entries: TimelineEntry[]): ChainBreak | null {
  let prev = genesisHash(incident.id, incident.firstFinding);
  let expectedSeq = 1;
  const head = incident.timelineHead;
  for (const e of entries) {
    if (e.seq > head.seq) {
      return { incidentId: incident.id, seq: e.seq, problem: `the incident records ${head.seq} entries: this one was inserted after them` };
    }
    if (e.seq !== expectedSeq) {
      return {
        incidentId: incident.id,
        seq: e.seq,
        problem: `expected entry ${expectedSeq} here, found entry ${e.seq}: an entry was removed, inserted or reordered`,
      };
    }
    if (e.prevHash !== prev) {
      return { incidentId: incident.id, seq: e.seq, problem: 'does not chain to the entry before it: an entry before it was removed, inserted or changed' };
    }
    if (entryHash(e) !== e.hash) {
      return { incidentId: incident.id, seq: e.seq, problem: 'its content does not match its hash: the entry was edited' };
    }
    prev = e.hash;
    expectedSeq += 1;
  }
  if (head.seq !== expectedSeq - 1 || head.hash !== prev) {
    return {
      incidentId: incident.id,
      seq: expectedSeq,
      problem: `the incident records ${head.seq} entries but the timeline ends at ${expectedSeq - 1}: entries were removed from the end`,
    };
  }
  return null;
}

/** The initial AP report, if one was recorded. */
/**
 * The initial AP report in force: the last one recorded, unless a withdrawal followed it. After a
 * withdrawal the AP holds no notification, so nothing rests on the withdrawn one (Art. 33(1), (5)).
 */
export function initialReport(incident: Incident): ReportRecord | undefined {
  const ap = (incident.reports ?? []).filter((r) => r.to === 'ap');
  const i = ap.findLastIndex((r) => r.kind === 'initial');
  return i >= 0 && !ap.slice(i + 1).some((r) => r.kind === 'withdrawal') ? ap[i] : undefined;
}

/**
 * The AP clock runs for real (non-sample) incidents until the initial report is recorded, the FG
 * decides it is not notifiable, or the incident is closed.
 */
export function clockRunning(incident: Incident): boolean {
  return (
    !incident.sample &&
    incident.deadline !== null &&
    incident.state !== 'closed' &&
    incident.assessment?.notifiable !== false &&
    initialReport(incident) === undefined
  );
}

/**
 * The network interfaces containment left open to all traffic: the last step on each is marked
 * exposed, in an action not released since (a later run that isolated it, or a release, ends it).
 */
export function exposedInterfaces(incident: Incident): string[] {
  return exposedSince(incident).map((e) => e.resource);
}

/** The network interfaces left open (as `exposedInterfaces`), each with when the step that left it so was recorded. */
export function exposedSince(incident: Incident): { resource: string; at: string }[] {
  const out: { resource: string; at: string }[] = [];
  for (const action of incident.actions) {
    // Read on every commit (the schedule): most actions never left anything open, and cost no map.
    if (action.released || !action.steps?.some((s) => s.exposed === true)) continue;
    const last = new Map<string, StepRecord>();
    for (const step of action.steps ?? []) last.set(step.name, step);
    for (const [name, step] of last) if (step.exposed === true) out.push({ resource: name.slice(name.indexOf(':') + 1), at: step.at });
  }
  return out;
}

/** An exposed interface pages on its own: its alert's key at the pager (acknowledging the incident must not silence it). */
export function exposedAlertKey(incidentId: string, resource: string): string {
  return `${incidentId}:exposed:${resource}`.slice(0, 255);
}

/** A finding's own alert at the pager (a finding added, a not-done decision held against it): its key, by the message's state key. */
export function ownAlertKey(incidentId: string, stateKey: string): string {
  return `${incidentId}:${stateKey}`.slice(0, 255);
}
