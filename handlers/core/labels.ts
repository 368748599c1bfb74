/**
 * The words people read for the codes the record keeps, in Dutch and English. Codes stay English
 * in the store and the JSON contract; everything a person reads in Dutch output (the draft, the
 * Art. 34 notice, the messages, the HTML report, the Markdown register) goes through here, so an
 * FG can paste it into the AP's form unedited. A test scans the Dutch output of a whole workflow
 * for codes that slipped through.
 */
import { withdrawalAnswered } from './ap-verdict.js';
import { type ClockState, type ClockStatus, SUBSCRIBERS_AP_NOT_RECORDED } from './clocks.js';
import { containCommand } from './containment.js';
import type { AffectedResource, ResourceKind } from './finding-resources.js';
import type {
  Assessment,
  BreachType,
  Harm,
  HarmSeverity,
  IncidentState,
  Nature,
  OpenedByHand,
  OtherParty,
  ReportRecipient,
  ReportRecord,
  Role,
  SubjectsDecision,
} from './incident.js';
import { subscribersWithoutAp } from './incident.js';
import { formatSeverity, type SeverityBand } from './severity.js';

export type Lang = 'nl' | 'en';

type Words<K extends string> = Record<Lang, Record<K, string>>;

function pick<K extends string>(words: Words<K>, lang: Lang, code: K | null | undefined): string {
  if (code === null || code === undefined) return '';
  return words[lang][code] ?? code;
}

const YES_NO_UNKNOWN: Words<'yes' | 'no' | 'unknown' | 'partly'> = {
  nl: { yes: 'ja', no: 'nee', unknown: 'onbekend', partly: 'gedeeltelijk' },
  en: { yes: 'yes', no: 'no', unknown: 'unknown', partly: 'partly' },
};
export const yesNo = (lang: Lang, code: 'yes' | 'no' | 'unknown' | 'partly' | boolean | null | undefined): string =>
  typeof code === 'boolean' ? pick(YES_NO_UNKNOWN, lang, code ? 'yes' : 'no') : pick(YES_NO_UNKNOWN, lang, code);

const RISK: Words<'none' | 'risk' | 'high'> = {
  nl: { none: 'geen risico', risk: 'risico', high: 'hoog risico' },
  en: { none: 'no risk', risk: 'risk', high: 'high risk' },
};
export const riskLabel = (lang: Lang, code: 'none' | 'risk' | 'high' | null | undefined) => pick(RISK, lang, code);

const CLOCK_STATE: Words<ClockState> = {
  nl: { running: 'loopt', met: 'gehaald', late: 'te laat gedaan', overdue: 'verlopen', 'not-needed': 'niet nodig', 'owed-anew': 'opnieuw te melden' },
  en: { running: 'running', met: 'met', late: 'done late', overdue: 'overdue', 'not-needed': 'not needed', 'owed-anew': 'owed anew' },
};
export const clockStateLabel = (lang: Lang, code: ClockState) => pick(CLOCK_STATE, lang, code);

/** The AP clock's state as the register's `apClockStatus` gives it: a follow-up still owed (Art. 33(4)) is not "met". */
export type ApShownState = ClockState | 'follow-up-owed' | 'follow-up-overdue';

const FOLLOW_UP_STATE: Words<'follow-up-owed' | 'follow-up-overdue'> = {
  nl: { 'follow-up-owed': 'vervolgmelding verschuldigd', 'follow-up-overdue': 'vervolgmelding te laat' },
  en: { 'follow-up-owed': 'follow-up owed', 'follow-up-overdue': 'follow-up overdue' },
};

/** A clock's state as shown: the AP's with a follow-up still owed reads that (clocks.ts `apFollowUpState`), every other its state. */
export function shownState(c: Pick<ClockStatus, 'status' | 'followUp'>): ApShownState {
  return c.followUp ? `follow-up-${c.followUp.state}` : c.status;
}

/** The label of `shownState`: what the register, report, page, show and draft call a clock's state. */
export function clockShownLabel(lang: Lang, c: Pick<ClockStatus, 'status' | 'followUp'> | ApShownState): string {
  const state = typeof c === 'string' ? c : shownState(c);
  return state === 'follow-up-owed' || state === 'follow-up-overdue' ? pick(FOLLOW_UP_STATE, lang, state) : clockStateLabel(lang, state);
}

/** A clock's note as shown: for a follow-up owed to the AP why (the first phase it holds, or a high risk assessed after its last report) and how the initial report did, then the clock's own note. */
export function clockNote(lang: Lang, c: Pick<ClockStatus, 'status' | 'followUp' | 'note'>): string | null {
  const initial = clockStateLabel(lang, c.status);
  const followUp = c.followUp?.riskRaisedAt
    ? lang === 'nl'
      ? `AVG art. 33(3)(c), (4): het risico is hoog beoordeeld na de laatste melding aan de AP, ${c.followUp.reference}; eerste melding ${initial}`
      : `Art. 33(3)(c), (4): the risk was assessed high after the last report to the AP, ${c.followUp.reference}; initial notification ${initial}`
    : c.followUp
      ? lang === 'nl'
        ? `AVG art. 33(4): de AP heeft alleen de eerste fase, ${c.followUp.reference}; eerste melding ${initial}`
        : `Art. 33(4): the AP holds only the first phase, ${c.followUp.reference}; initial notification ${initial}`
      : null;
  return [followUp, c.note?.[lang]].filter(Boolean).join('; ') || null;
}

/** A clock's state with its note in brackets, as the register and the draft give it in one cell. */
export function clockStateText(lang: Lang, c: Pick<ClockStatus, 'status' | 'followUp' | 'note'>): string {
  const note = clockNote(lang, c);
  return `${clockShownLabel(lang, c)}${note ? ` (${note})` : ''}`;
}

/** The CSS class of a clock as shown: a follow-up owed runs, an overdue one is overdue; a notification owed anew runs (no hours of its own). */
export function clockShownClass(c: Pick<ClockStatus, 'status' | 'followUp'>): ClockState {
  return c.followUp ? (c.followUp.state === 'overdue' ? 'overdue' : 'running') : c.status === 'owed-anew' ? 'running' : c.status;
}

const NATURE: Words<Nature> = {
  nl: { confidentiality: 'vertrouwelijkheid', integrity: 'integriteit', availability: 'beschikbaarheid' },
  en: { confidentiality: 'confidentiality', integrity: 'integrity', availability: 'availability' },
};
export const natureLabel = (lang: Lang, code: Nature) => pick(NATURE, lang, code);

const HARM: Words<Harm> = {
  nl: { physical: 'lichamelijke schade', material: 'materiële schade', immaterial: 'immateriële schade' },
  en: { physical: 'physical damage', material: 'material damage', immaterial: 'non-material damage' },
};
export const harmLabel = (lang: Lang, code: Harm) => pick(HARM, lang, code);

const HARM_SEVERITY: Words<HarmSeverity> = {
  nl: { low: 'beperkt', medium: 'aanzienlijk', high: 'ernstig', 'very-high': 'zeer ernstig' },
  en: { low: 'limited', medium: 'significant', high: 'serious', 'very-high': 'very serious' },
};
export const harmSeverityLabel = (lang: Lang, code: HarmSeverity | null | undefined) => pick(HARM_SEVERITY, lang, code);

/** The AP form's list of what happened (section 3). */
const BREACH_TYPE: Words<BreachType> = {
  nl: {
    'hacking-malware-phishing': 'hacking, malware en/of phishing',
    'device-lost-or-stolen': 'apparaat of gegevensdrager verloren of gestolen',
    'paper-lost-or-stolen': 'papieren verloren of gestolen',
    'mail-lost-or-opened': 'post verloren of geopend',
    'sent-to-wrong-recipient': 'persoonsgegevens naar de verkeerde ontvanger gestuurd',
    'published-unintentionally': 'persoonsgegevens onbedoeld openbaar gemaakt',
    'not-deleted': 'persoonsgegevens niet (goed) verwijderd of vernietigd',
    'disclosed-verbally': 'persoonsgegevens mondeling aan de verkeerde persoon verstrekt',
    other: 'anders',
  },
  en: {
    'hacking-malware-phishing': 'hacking, malware and/or phishing',
    'device-lost-or-stolen': 'device or data carrier lost or stolen',
    'paper-lost-or-stolen': 'paper lost or stolen',
    'mail-lost-or-opened': 'mail lost or opened',
    'sent-to-wrong-recipient': 'personal data sent to the wrong recipient',
    'published-unintentionally': 'personal data published unintentionally',
    'not-deleted': 'personal data not (properly) deleted or destroyed',
    'disclosed-verbally': 'personal data disclosed verbally to the wrong person',
    other: 'other',
  },
};
export const breachTypeLabel = (lang: Lang, code: BreachType | null | undefined) => pick(BREACH_TYPE, lang, code);

const ROLE: Words<Role | OtherParty['role']> = {
  nl: { controller: 'verwerkingsverantwoordelijke', processor: 'verwerker', joint: 'gezamenlijk verwerkingsverantwoordelijke' },
  en: { controller: 'controller', processor: 'processor', joint: 'joint controller' },
};
export const roleLabel = (lang: Lang, code: Role | OtherParty['role']) => pick(ROLE, lang, code);

const RECIPIENT: Words<ReportRecipient> = {
  nl: { ap: 'AP', csirt: 'CSIRT', authority: 'bevoegde autoriteit', controller: 'verwerkingsverantwoordelijke' },
  en: { ap: 'AP', csirt: 'CSIRT', authority: 'competent authority', controller: 'controller' },
};
export const recipientLabel = (lang: Lang, code: ReportRecipient) => pick(RECIPIENT, lang, code);

const REPORT_KIND: Words<string> = {
  nl: {
    initial: 'eerste melding',
    'follow-up': 'vervolgmelding',
    correction: 'correctie',
    withdrawal: 'intrekking',
    'early-warning': 'vroegtijdige waarschuwing',
    notification: 'incidentmelding',
    intermediate: 'tussentijds verslag',
    progress: 'voortgangsverslag',
    final: 'eindverslag',
  },
  en: {
    initial: 'initial notification',
    'follow-up': 'follow-up',
    correction: 'correction',
    withdrawal: 'withdrawal',
    'early-warning': 'early warning',
    notification: 'incident notification',
    intermediate: 'intermediate report',
    progress: 'progress report',
    final: 'final report',
  },
};
export const reportKindLabel = (lang: Lang, code: string) => REPORT_KIND[lang][code] ?? code;

/**
 * A report's kind as a list of the incident's reports names it: an AP notification made anew after a
 * withdrawal (recorded as `initial`) is named so, with the one withdrawn, never "the first
 * notification": the AP's first notification of the breach was that one, which the verdict rests on (law28 s28).
 */
export function reportKindShown(lang: Lang, report: ReportRecord, reports: readonly ReportRecord[]): string {
  const withdrawn = withdrawalAnswered(reports, report);
  if (!withdrawn) return reportKindLabel(lang, report.kind);
  return lang === 'nl' ? `nieuwe melding na intrekking van ${withdrawn.reference}` : `notification anew after the withdrawal of ${withdrawn.reference}`;
}

const DECISION: Words<SubjectsDecision['decision']> = {
  nl: { inform: 'informeren', exception: 'uitzondering', 'not-required': 'niet vereist' },
  en: { inform: 'inform', exception: 'exception', 'not-required': 'not required' },
};
const INFORMED: Record<Lang, string> = { nl: 'geïnformeerd', en: 'informed' };
const EXCEPTION: Words<NonNullable<SubjectsDecision['exception']>> = {
  nl: {
    encrypted: 'gegevens onbegrijpelijk, bijvoorbeeld versleuteld (art. 34(3)(a))',
    'measures-taken': 'latere maatregelen nemen het hoge risico weg (art. 34(3)(b))',
    'disproportionate-effort': 'onevenredige inspanning; openbare mededeling gedaan (art. 34(3)(c))',
  },
  en: {
    encrypted: 'data unintelligible, e.g. encrypted (Art. 34(3)(a))',
    'measures-taken': 'later measures removed the high risk (Art. 34(3)(b))',
    'disproportionate-effort': 'disproportionate effort; public communication made (Art. 34(3)(c))',
  },
};
export const exceptionLabel = (lang: Lang, code: SubjectsDecision['exception']) => pick(EXCEPTION, lang, code);

/** "informeren op 2026-11-29 via brief: reden" / "uitzondering: … : reden". */
export function subjectsLabel(lang: Lang, s: SubjectsDecision, when: (iso: string) => string, entered: string = s.at): string {
  // Informed on a date is done, not a plan: "geïnformeerd op", never "informeren op".
  const parts = [s.decision === 'inform' && s.date ? INFORMED[lang] : pick(DECISION, lang, s.decision)];
  if (s.exception) parts.push(`(${exceptionLabel(lang, s.exception)})`);
  if (s.date) parts.push(lang === 'nl' ? `op ${when(s.date)}` : `on ${when(s.date)}`);
  if (s.channel) parts.push(lang === 'nl' ? `via ${s.channel}` : `by ${s.channel}`);
  // A date stated more than a day before it was entered: the moment it was entered beside it, the machine's
  // (`entered`: enteredAtOf), never a stated --now (finB F9).
  if (s.enteredLater) parts.push(lang === 'nl' ? `(later ingevoerd: vastgelegd ${when(entered)})` : `(entered later: recorded ${when(entered)})`);
  return `${parts.join(' ')}; ${s.reason}`;
}

/** The subscribers' decision: as `subjectsLabel`, and "niet gedaan" when its exception lacks the AP's agreement (Regulation 611/2013 art. 4(1)). */
export function subscribersLabel(lang: Lang, s: SubjectsDecision, when: (iso: string) => string, entered: string = s.at): string {
  return `${subjectsLabel(lang, s, when, entered)}${subscribersWithoutAp(s) ? ` (${SUBSCRIBERS_AP_NOT_RECORDED[lang]})` : ''}`;
}

/** What the data subjects (or subscribers) were told, as the form names it: people's text follows, escaped where shown. */
export const TOLD_LABEL: Record<Lang, string> = { nl: 'Tekst van het bericht', en: 'Text of the communication' };

/** A decision on informing with what it said was told (`; tekst van het bericht: "…"`), for where it reads as one value. */
export function subjectsToldLabel(lang: Lang, s: SubjectsDecision, when: (iso: string) => string, entered: string = s.at): string {
  // Why a breach also of availability or integrity is no longer a high risk under "encrypted" (review7 G19).
  const other = s.otherNatureReason
    ? `; ${lang === 'nl' ? 'beschikbaarheid of integriteit geen hoog risico meer' : 'availability or integrity no longer a high risk'}: ${s.otherNatureReason}`
    : '';
  return `${subjectsLabel(lang, s, when, entered)}${other}${s.text ? `; ${TOLD_LABEL[lang].toLowerCase()}: "${s.text}"` : ''}`;
}

/**
 * A "no risk" the FG confirmed beside special categories of personal data not recorded as
 * unintelligible (review7 G2): which categories, and the FG's own reason, wherever the assessment is shown.
 */
export function besideSpecialLabel(lang: Lang, c: NonNullable<Assessment['confirmedBesideSpecial']>): string {
  const unintelligible = c.unintelligible ? yesNo(lang, c.unintelligible) : lang === 'nl' ? 'niet vastgelegd' : 'not recorded';
  return lang === 'nl'
    ? `"geen risico" bevestigd naast bijzondere persoonsgegevens (${c.categories.join(', ')}; onbegrijpelijk: ${unintelligible}): ${c.reason}`
    : `"no risk" confirmed beside special categories of personal data (${c.categories.join(', ')}; unintelligible: ${unintelligible}): ${c.reason}`;
}

const BAND: Words<SeverityBand> = {
  nl: { Low: 'laag', Medium: 'gemiddeld', High: 'hoog', Critical: 'kritiek' },
  en: { Low: 'Low', Medium: 'Medium', High: 'High', Critical: 'Critical' },
};
export const bandLabel = (lang: Lang, band: SeverityBand) => pick(BAND, lang, band);

const ACTION: Words<string> = {
  nl: {
    'isolate-instance': 'EC2-instantie isoleren',
    'deactivate-access-key': 'toegangssleutel uitschakelen',
    'revoke-role-sessions': 'sessies van de rol intrekken',
    'contain-credential-source': 'instantie afsluiten die de rolsleutels lekte (handmatig)',
    'deactivate-user-keys': 'vaste toegangssleutel uitschakelen die de sessies van de IAM-gebruiker maakte (handmatig)',
    'secure-console-sign-in': 'consolewachtwoord en MFA-apparaten van de IAM-gebruiker nalopen na een aanmelding (handmatig)',
    'restrict-root-credentials': 'root-toegang beperken',
    'block-public-access': 'openbare toegang tot de bucket blokkeren',
    'revoke-user-sessions': 'sessies van de IAM-gebruiker intrekken',
    'contain-federated-user': 'gefedereerde gebruiker inperken (handmatig)',
    'review-principal': 'identiteit beoordelen (handmatig)',
    'isolate-ecs-task': 'ECS-taak isoleren',
    'contain-container': 'container inperken (handmatig)',
    'contain-kubernetes-workload': 'Kubernetes-workload inperken (handmatig)',
    'contain-lambda-function': 'Lambda-functie stilleggen',
    'restrict-rds-instance': 'RDS-database afschermen en snapshot maken',
    'review-database-access': 'databasetoegang nalopen (handmatig)',
    'tag-s3-object': 'besmet S3-object markeren',
    'tag-snapshot': 'besmette snapshot markeren',
    'tag-image': 'besmette AMI markeren',
    'tag-recovery-point': 'besmet herstelpunt markeren',
    'review-exposed-instance': 'blootgestelde instantie afschermen (handmatig)',
    'review-attack-sequence': 'aanvalsreeks nalopen (handmatig)',
    triage: 'beoordelen (handmatig)',
    'block-dns-channel': 'DNS-kanaal afsluiten',
    'contain-in-other-account': 'inperken in een ander account (handmatig)',
  },
  en: {
    'isolate-instance': 'isolate the EC2 instance',
    'deactivate-access-key': 'deactivate the access key',
    'revoke-role-sessions': "revoke the role's sessions",
    'contain-credential-source': "cut off the instance that leaked the role's credentials (a person)",
    'deactivate-user-keys': "deactivate the IAM user's long-term key that made its sessions (a person)",
    'secure-console-sign-in': "make the IAM user's console password anew and check its MFA devices after a sign-in (a person)",
    'restrict-root-credentials': 'restrict root credentials',
    'block-public-access': "block the bucket's public access",
    'revoke-user-sessions': "revoke the IAM user's sessions",
    'contain-federated-user': 'contain the federated user (a person)',
    'review-principal': 'review the principal (a person)',
    'isolate-ecs-task': 'isolate the ECS task',
    'contain-container': 'contain the container (a person)',
    'contain-kubernetes-workload': 'contain the Kubernetes workload (a person)',
    'contain-lambda-function': 'stop the Lambda function',
    'restrict-rds-instance': 'make the RDS database private and snapshot it',
    'review-database-access': 'review database access (a person)',
    'tag-s3-object': 'tag the infected S3 object',
    'tag-snapshot': 'tag the infected snapshot',
    'tag-image': 'tag the infected AMI',
    'tag-recovery-point': 'tag the infected recovery point',
    'review-exposed-instance': 'close the exposed instance (a person)',
    'review-attack-sequence': 'review the attack sequence (a person)',
    triage: 'triage (a person)',
    'block-dns-channel': 'block the DNS channel',
    'contain-in-other-account': 'contain it in the other account (a person)',
  },
};
/** A containment action in words; an action type this list does not know yet is shown as its code. */
export const actionLabel = (lang: Lang, type: string) => ACTION[lang][type] ?? type;

/**
 * ` in account 444455556666` (and `, region eu-central-1`) after the target of an action that acts
 * outside the incident's account or region (core/containment.ts `actionId`): on-call must act
 * there, and a namesake in the incident's own account is another resource. Nothing for the
 * incident's own.
 */
export function placeLabel(lang: Lang, a: { accountId?: string; region?: string }): string {
  if (!a.accountId && !a.region) return '';
  const parts = [a.accountId ? `account ${a.accountId}` : '', a.region ? `${lang === 'nl' ? 'regio' : 'region'} ${a.region}` : ''];
  return ` in ${parts.filter(Boolean).join(', ')}`;
}

/**
 * Actions whose label names a step that can be skipped with the action still done, and what the
 * action did then: an RDS instance that was not publicly accessible was only snapshotted.
 */
const PARTLY_DONE: Record<string, { skipped: string; label: Record<Lang, string> }> = {
  'restrict-rds-instance': {
    skipped: 'make-private',
    label: {
      nl: 'snapshot van de RDS-database maken (die was niet openbaar toegankelijk)',
      en: 'snapshot the RDS database (it was not publicly accessible)',
    },
  },
};

/** What a carried-out action did, in words: only the steps it took (Art. 33(3)(d): a measure taken). */
export function actionDoneLabel(lang: Lang, a: { type: string; steps?: { name: string; status: string }[] }): string {
  const partly = PARTLY_DONE[a.type];
  if (partly && a.steps?.some((s) => s.name === partly.skipped && s.status === 'skipped')) return partly.label[lang];
  return actionLabel(lang, a.type);
}

/**
 * The planner's reasons `actionReasonLabel` knows, each with its Dutch wording: made once (built per
 * call, the ten patterns and their functions were made again for every action of every message).
 */
const REASON_LABELS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^local replay only plans/, () => 'alleen gepland: lokaal wordt niets uitgevoerd'],
  [/^policy mode is plan/, () => 'alleen gepland: het beleid voert deze stap niet uit'],
  [/^sample finding/, () => 'testmelding: een voorbeeldbevinding raakt nooit een resource'],
  // The tag is a key=value with colons of its own (`datalek:exempt=true`): matched up to the fixed words after it.
  [
    /^exempt by tag (.*) on the resource \(whoever may tag the resource can set it\): not contained; contain it by hand: (\S+)$/,
    (m) => `uitgezonderd door tag ${m[1]} op de resource (wie de resource mag taggen, kan die zetten): niet ingeperkt; perk handmatig in: ${m[2]}`,
  ],
  // As recorded before the reason said more.
  [/^exempt by tag (.*): planned, not carried out$/, (m) => `uitgezonderd door tag ${m[1]}: gepland, niet uitgevoerd`],
  [/^a person acts: (\S+)$/, (m) => `een persoon handelt: ${m[1]}`],
  // containment.ts heldByReason.
  [
    /^contained by incident (\S+), which holds this resource: left to it, so that one record holds the containment; its release is told here$/,
    (m) =>
      `ingeperkt door incident ${m[1]}, dat deze resource vasthoudt: aan dat incident overgelaten, zodat één dossier de inperking bevat; het opheffen ervan wordt hier gemeld`,
  ],
  // containment.ts failedAtHolderReason: left to a holder whose containment of it failed (read12c C5).
  [
    /^left to incident (\S+), which took this resource up and whose containment of it failed at (\S+): NOT CONTAINED, (?:nothing datalek records contains it|reachable through (.+), which it failed to isolate); datalek contain (\S+) --by NAME --reason TEXT(?: --target aws)? carries it out again there \(datalek show (\S+) says why it failed\)$/,
    (m) =>
      `overgelaten aan incident ${m[1]}, dat deze resource in behandeling nam en waarvan de inperking mislukte op ${m[2]}: NIET INGEPERKT, ${
        m[3] ? `bereikbaar via ${m[3]}, die het niet wist te isoleren` : 'niets wat datalek vastlegt perkt haar in'
      }; ${containCommand(m[4], { lang: 'nl' })} voert het daar opnieuw uit (datalek show ${m[5]} zegt waarom het mislukte)`,
  ],
  // release.ts: handed back by the incident it was left to, closed without containing it (the command in full since rel28 item 4; the
  // Dutch gives it in full for a record written before too).
  [
    /^not carried out: it was left to incident (\S+), which held this resource and was closed without containing it; (?:this incident's next containment run carries it out \(datalek contain (\S+)(?: --by NAME --reason TEXT --target aws)?\)|datalek contain (\S+) --enforce(?: --by NAME --reason TEXT --target aws)? carries it out)$/,
    (m) =>
      `niet uitgevoerd: overgelaten aan incident ${m[1]}, dat deze resource vasthield en gesloten werd zonder haar in te perken; ${
        m[2]
          ? `de volgende inperkingsronde van dit incident voert het uit (${containCommand(m[2], { lang: 'nl' })})`
          : `${containCommand(m[3], { enforce: true, lang: 'nl' })} voert het uit`
      }`,
  ],
  // release.ts undoIn: handed back by the release of the incident that held it, or whose containment this one found.
  [
    /^not contained: incident (\S+), (whose containment this one found in place|which held it), released it \((.*)\); datalek contain (\S+) --enforce(?: --by NAME --reason TEXT --target aws)? carries it out$/,
    (m) =>
      `niet ingeperkt: incident ${m[1]}, ${m[2] === 'which held it' ? 'dat haar vasthield' : 'waarvan dit incident de inperking aantrof'}, heeft haar opgeheven (${m[3]}); ${containCommand(m[4], { enforce: true, lang: 'nl' })} voert haar uit`,
  ],
  [/^(.+); a person acts: (\S+)$/, (m) => `${dnsNoteLabel(m[1])}; een persoon handelt: ${m[2]}`],
  [
    /^network cut, except what no security group filters: the Amazon DNS resolver, the metadata service and Amazon Time Sync stay reachable \((\S+)\)$/,
    (m) =>
      `netwerk afgesloten, behalve wat geen security group tegenhoudt: de DNS-resolver van Amazon, de metadataservice en Amazon Time Sync blijven bereikbaar (${m[1]})`,
  ],
];

/**
 * Why an action is planned, skipped or failed, in Dutch: the containment planner writes its reasons
 * in English; the ones it writes are translated here, others are quoted as they are.
 */
export function actionReasonLabel(lang: Lang, reason: string | undefined): string {
  if (!reason) return '';
  if (lang === 'en') return reason;
  for (const [pattern, say] of REASON_LABELS) {
    const m = pattern.exec(reason);
    if (m) return say(m);
  }
  return `toelichting (Engels): "${reason}"`;
}

/** The DNS channel step's notes `dnsNoteLabel` knows, with their Dutch wording (made once). */
const DNS_NOTE_LABELS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^the finding names no domain$/, () => 'de bevinding noemt geen domein'],
  [/^not to be blocked VPC-wide: (.+)$/, (m) => `niet VPC-breed te blokkeren: ${dnsNoteLabel(m[1])}`],
  [
    /^(\d+) of the (\d+) domains not to be blocked VPC-wide \(datalek show names them and why\)$/,
    (m) => `${m[1]} van de ${m[2]} domeinen niet VPC-breed te blokkeren (datalek show noemt ze en waarom)`,
  ],
  [/^the domain holds a wildcard/, () => 'het domein bevat een wildcard, en alleen de namen die de bevinding geeft worden geblokkeerd'],
  [/^it is not a valid domain name$/, () => 'het is geen geldige domeinnaam'],
  [/^it is a top-level domain/, () => 'het is een topleveldomein: blokkeren zou elk domein eronder blokkeren'],
  [/^it is a shared second-level domain/, () => 'het is een gedeeld domein van het tweede niveau (zoals co.uk): blokkeren zou elk domein eronder blokkeren'],
  [/^it is under (\S+), AWS's own/, (m) => `het valt onder ${m[1]}, van AWS zelf: blokkeren zou AWS-diensten afsluiten voor elke instantie in de VPC`],
];

/** A DNS channel step's note (core/containment.ts), in Dutch; one it does not know is quoted. */
function dnsNoteLabel(note: string): string {
  for (const [pattern, say] of DNS_NOTE_LABELS) {
    const m = pattern.exec(note);
    if (m) return say(m);
  }
  return `"${note}"`;
}

const STATE: Words<IncidentState> = {
  nl: { open: 'open', acknowledged: 'opgepakt', assessed: 'beoordeeld', reported: 'gemeld', closed: 'gesloten' },
  en: { open: 'open', acknowledged: 'acknowledged', assessed: 'assessed', reported: 'reported', closed: 'closed' },
};
export const stateLabel = (lang: Lang, code: IncidentState) => pick(STATE, lang, code);

/** What kind of resource GuardDuty named, in words; a kind this list does not know keeps GuardDuty's own type. */
const RESOURCE_KIND: Record<Lang, Partial<Record<ResourceKind, string>>> = {
  nl: {
    'ec2-instance': 'EC2-instantie',
    'access-key': 'toegangssleutel',
    'iam-principal': 'IAM-identiteit',
    's3-bucket': 'S3-bucket',
    'eks-cluster': 'EKS-cluster',
    'ecs-cluster': 'ECS-cluster',
    'ecs-task': 'ECS-taak',
    container: 'container',
    'lambda-function': 'Lambda-functie',
    'rds-instance': 'RDS-database',
    'rds-cluster': 'RDS-databasecluster',
    'ebs-snapshot': 'EBS-snapshot',
    'ec2-image': 'AMI (machine-image)',
    'recovery-point': 'herstelpunt (AWS Backup)',
    'attack-sequence': 'aanvalsreeks',
  },
  en: {
    'ec2-instance': 'EC2 instance',
    'access-key': 'access key',
    'iam-principal': 'IAM principal',
    's3-bucket': 'S3 bucket',
    'eks-cluster': 'EKS cluster',
    'ecs-cluster': 'ECS cluster',
    'ecs-task': 'ECS task',
    container: 'container',
    'lambda-function': 'Lambda function',
    'rds-instance': 'RDS database',
    'rds-cluster': 'RDS database cluster',
    'ebs-snapshot': 'EBS snapshot',
    'ec2-image': 'AMI (machine image)',
    'recovery-point': 'recovery point (AWS Backup)',
    'attack-sequence': 'attack sequence',
  },
};
export const resourceKindLabel = (lang: Lang, r: Pick<AffectedResource, 'kind' | 'resourceType'> & { id?: string }) =>
  r.kind === 'unknown' ? unknownKindLabel(lang, r) : (RESOURCE_KIND[lang][r.kind] ?? r.resourceType);

/**
 * A resource type this version does not know (atk29 A9): said so, and when it is named by the finding's
 * own id (its block carries no ARN, finding-resources.ts `affected`), that the id is the finding's.
 */
function unknownKindLabel(lang: Lang, r: { resourceType: string; id?: string }): string {
  const byFinding = r.id !== undefined && !r.id.startsWith('arn:');
  const type = r.resourceType || 'resource';
  if (lang === 'nl')
    return `${type} (een resourcetype dat deze datalek-versie niet kent${byFinding ? '; het id hierna is dat van de bevinding, niet van de resource: zie de bevinding in GuardDuty' : ''})`;
  return `${type} (a resource type unknown to this datalek version${byFinding ? "; the id that follows is the finding's id, not the resource's: see the finding in GuardDuty" : ''})`;
}

/**
 * Who recorded something, as a person reads it: the record keeps the actor as written (`system`,
 * `Anna (from the page to on-call, round 1)`); a Dutch reader gets Dutch words for the parts datalek
 * wrote itself, and the name as given.
 */
/**
 * The AWS identity that wrote an entry (TimelineEntry.caller, an ARN) as the register and the HTML
 * report name it: an assumed role by its role and account, the session's own name (often a person's
 * e-mail address) left out, as the actor names the person; an IAM user or root by its kind and account.
 */
export function callerLabel(lang: Lang, arn: string): string {
  const nl = lang === 'nl';
  const account = /^arn:[^:]+:[^:]+::(\d{12}):/.exec(arn)?.[1] ?? '?';
  const role = /^arn:[^:]+:sts::\d{12}:assumed-role\/([^/]+)\//.exec(arn)?.[1];
  if (role) return nl ? `rol ${role} van account ${account}` : `role ${role} of account ${account}`;
  if (/:iam::\d{12}:user\//.test(arn)) return nl ? `een IAM-gebruiker van account ${account}` : `an IAM user of account ${account}`;
  if (/:iam::\d{12}:root$/.test(arn)) return nl ? `de root-gebruiker van account ${account}` : `the root user of account ${account}`;
  return nl ? `een andere identiteit van account ${account}` : `another identity of account ${account}`;
}

export function actorLabel(lang: Lang, actor: string | null | undefined): string {
  if (!actor) return '';
  if (lang === 'en') return actor;
  if (actor === 'system') return 'systeem (datalek)';
  const page = (level: string, round: string) => `via de link in de oproep aan ${level}, ronde ${round}`;
  const bare = /^from the page to (.+), round (\d+)$/.exec(actor);
  if (bare) return page(bare[1], bare[2]);
  const named = /^(.*) \(from the page to (.+), round (\d+)\)$/.exec(actor);
  if (named) return `${named[1]} (${page(named[2], named[3])})`;
  return actor;
}

/**
 * Why an incident was closed, as a person reads it: a person's own reason as written; the reason
 * datalek wrote itself when it merged an incident into another (one breach, one AP clock) in words.
 */
export function closeReasonLabel(lang: Lang, reason: string | null | undefined): string {
  if (!reason) return '';
  if (lang === 'en') return reason;
  const merged = /^merged into (\S+): (.*) \((\S+)\) names resources of both: one breach, one AP clock$/.exec(reason);
  if (merged) return `samengevoegd met ${merged[1]}: ${merged[2]} (${merged[3]}) noemt resources van beide; één datalek, één AP-termijn, die daar loopt`;
  return reason;
}

/**
 * The awareness reason an incident opened by hand keeps when the person gave none (open-by-hand.ts):
 * a code, shown in the reader's words (review9 S6). Records opened before it keep the English
 * sentence, shown the same way.
 */
export const OPENED_BY_HAND_REASON = 'opened-by-hand';
const OPENED_BY_HAND_REASON_BEFORE = 'stated when the incident was opened by hand';

/** The reason the awareness time has, in the reader's words: a person's own reason as given. */
export function awareReasonLabel(lang: Lang, reason: string): string {
  if (reason !== OPENED_BY_HAND_REASON && reason !== OPENED_BY_HAND_REASON_BEFORE) return reason;
  return lang === 'nl' ? 'opgegeven bij het met de hand openen van het incident' : OPENED_BY_HAND_REASON_BEFORE;
}

/**
 * Why the policy ignored the finding an incident opened by hand comes from, in the reader's words.
 * The record keeps `datalek replay`'s English reason (which starts with "archived" for an archived
 * finding; below the threshold otherwise).
 */
export function ignoredLabel(lang: Lang, f: NonNullable<OpenedByHand['finding']>): string {
  if (lang === 'en') return f.ignored;
  return f.ignored.startsWith('archived')
    ? 'gearchiveerd in GuardDuty (een gearchiveerde bevinding opent geen incident)'
    : `ernst ${formatSeverity(f.severity)} lag onder de drempel van het beleid voor het openen van een incident`;
}

/** What a release as of an IAM user stated deleted rests on (`released.userDeleted`, `release --user-deleted`, rel28). */
export function userDeletedText(by: string, lang: 'nl' | 'en'): string {
  return lang === 'nl'
    ? `de IAM-gebruiker niet gevonden en door ${by} als verwijderd opgegeven (--user-deleted): wat het opheffen niet kon verwijderen, verdween met de gebruiker`
    : `its IAM user not found and stated deleted by ${by} (--user-deleted): what the release could not remove went with it`;
}
