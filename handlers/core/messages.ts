/**
 * The FG and on-call messages, Dutch by default and English by policy.
 *
 * What a message leaves out, on purpose: IP addresses, user names, geolocation, command lines and
 * file paths from the finding. They are personal data (or attacker-controlled text) and e-mail is no
 * place for them; the message gives identifiers (incident, finding, account, resource id) with
 * which the reader looks them up in the store or the GuardDuty console.
 */
import { type ClockName, clocksOf } from './clocks.js';
import { ACTION_RUNBOOKS } from './containment.js';
import type { Channel, Incident, OutboxMessage } from './incident.js';
import type { Policy } from './policy.js';
import { describeSeverity, severityBand } from './severity.js';
import { formatLocal, timeLeft } from './time.js';

export type MessageKind =
  | 'opened'
  | 'severity-raised'
  | 'ap-reminder'
  | 'ap-overdue'
  | 'page'
  | 'containment-done'
  | 'containment-failed'
  | 'released'
  | 'clock-reminder'
  | 'clock-overdue'
  | 'follow-up-reminder'
  | 'subjects-reminder';

type Lang = 'nl' | 'en';

const T = {
  nl: {
    test: '[TEST] ',
    subject: {
      opened: { fg: 'Mogelijk datalek', 'on-call': 'Beveiligingsincident' },
      'severity-raised': { fg: 'Ernst verhoogd', 'on-call': 'Ernst verhoogd' },
      'ap-reminder': { fg: 'Herinnering AP-termijn', 'on-call': 'Herinnering AP-termijn' },
      'ap-overdue': { fg: 'AP-termijn verstreken', 'on-call': 'AP-termijn verstreken' },
      page: { fg: 'Escalatie: nog niet opgepakt', 'on-call': 'Escalatie: nog niet opgepakt' },
      'containment-done': { fg: 'Inperking uitgevoerd', 'on-call': 'Inperking uitgevoerd' },
      'containment-failed': { fg: 'Inperking MISLUKT', 'on-call': 'Inperking MISLUKT' },
      released: { fg: 'Inperking opgeheven', 'on-call': 'Inperking opgeheven' },
      'clock-reminder': { fg: 'Herinnering termijn', 'on-call': 'Herinnering termijn' },
      'clock-overdue': { fg: 'Termijn verstreken', 'on-call': 'Termijn verstreken' },
      'follow-up-reminder': { fg: 'Vervolgmelding AP: feiten nog onvolledig', 'on-call': 'Vervolgmelding AP' },
      'subjects-reminder': { fg: 'Hoog risico: besluit over informeren betrokkenen (art. 34) ontbreekt', 'on-call': 'Besluit art. 34 ontbreekt' },
    },
    sampleNote: 'Dit is een TESTMELDING: GuardDuty-voorbeeldbevinding. Er loopt geen termijn en er wordt niets ingeperkt.',
    intro: {
      fg: 'GuardDuty meldt een beveiligingsincident. Beoordeel of persoonsgegevens zijn getroffen (AVG art. 33).',
      'on-call': 'GuardDuty meldt een beveiligingsincident. Neem het op en volg het draaiboek.',
    },
    incident: 'Incident',
    finding: 'Bevinding',
    severity: 'Ernst',
    resource: 'Getroffen resource',
    named: 'Ook genoemd',
    account: 'Account / regio',
    detected: 'Gedetecteerd',
    deadline: 'AP-termijn (72 uur na bewustwording)',
    noDeadline: 'geen (testmelding)',
    awareDefault: 'bewustwording = detectie tot de FG anders vastlegt',
    containment: 'Inperking',
    noContainment: 'geen (alleen melding)',
    runbook: 'Draaiboek',
    ack: 'Oppakken',
    left: 'Weggelaten: IP-adressen, gebruikersnamen en andere persoonsgegevens uit de bevinding; zie `datalek show` of de GuardDuty-console.',
    acknowledged: (by: string, at: string) => `Opgepakt door ${by} om ${at}.`,
    notAcknowledged: 'Nog door niemand opgepakt.',
    findings: 'Bevindingen',
    status: { planned: 'gepland', done: 'uitgevoerd', skipped: 'overgeslagen', failed: 'MISLUKT' },
  },
  en: {
    test: '[TEST] ',
    subject: {
      opened: { fg: 'Possible personal data breach', 'on-call': 'Security incident' },
      'severity-raised': { fg: 'Severity raised', 'on-call': 'Severity raised' },
      'ap-reminder': { fg: 'AP deadline reminder', 'on-call': 'AP deadline reminder' },
      'ap-overdue': { fg: 'AP deadline passed', 'on-call': 'AP deadline passed' },
      page: { fg: 'Escalation: not yet acknowledged', 'on-call': 'Escalation: not yet acknowledged' },
      'containment-done': { fg: 'Containment done', 'on-call': 'Containment done' },
      'containment-failed': { fg: 'Containment FAILED', 'on-call': 'Containment FAILED' },
      released: { fg: 'Containment released', 'on-call': 'Containment released' },
      'clock-reminder': { fg: 'Deadline reminder', 'on-call': 'Deadline reminder' },
      'clock-overdue': { fg: 'Deadline passed', 'on-call': 'Deadline passed' },
      'follow-up-reminder': { fg: 'AP follow-up: facts still incomplete', 'on-call': 'AP follow-up' },
      'subjects-reminder': { fg: 'High risk: no decision on informing data subjects (Art. 34)', 'on-call': 'Art. 34 decision missing' },
    },
    sampleNote: 'This is a TEST: a GuardDuty sample finding. No deadline runs and nothing is contained.',
    intro: {
      fg: 'GuardDuty reports a security incident. Assess whether personal data is affected (GDPR Art. 33).',
      'on-call': 'GuardDuty reports a security incident. Acknowledge it and follow the runbook.',
    },
    incident: 'Incident',
    finding: 'Finding',
    severity: 'Severity',
    resource: 'Affected resource',
    named: 'Also named',
    account: 'Account / region',
    detected: 'Detected',
    deadline: 'AP deadline (72 hours after awareness)',
    noDeadline: 'none (test)',
    awareDefault: 'awareness = detection until the FG records otherwise',
    containment: 'Containment',
    noContainment: 'none (notify only)',
    runbook: 'Runbook',
    ack: 'Acknowledge',
    left: 'Left out: IP addresses, user names and other personal data from the finding; see `datalek show` or the GuardDuty console.',
    acknowledged: (by: string, at: string) => `Acknowledged by ${by} at ${at}.`,
    notAcknowledged: 'Not yet acknowledged by anyone.',
    findings: 'Findings',
    status: { planned: 'planned', done: 'done', skipped: 'skipped', failed: 'FAILED' },
  },
} as const;

/** The runbook a person follows for this incident: the first containment's, else triage. */
export function runbookFor(incident: Incident, channel: Channel): string {
  if (channel === 'fg') return 'runbooks/fg-assessment.md';
  const first = incident.actions[0];
  return first?.params?.runbook ?? RUNBOOKS[first?.type ?? ''] ?? 'runbooks/triage.md';
}

/** The runbook of each containment action type; a test checks each file exists. */
export const RUNBOOKS: Record<string, string> = ACTION_RUNBOOKS;

export interface ComposeInput {
  incident: Incident;
  channel: Channel;
  kind: MessageKind;
  /** Unique per state change: `opened`, `band:Critical`, `reminder:2026-11-29T…`. */
  stateKey: string;
  now: string;
  policy: Policy;
  /** For escalation pages: the level and round (0-based). */
  level?: string;
  round?: number;
  /** For another clock's reminder: which clock. */
  clock?: ClockName;
}

export function composeMessage({ incident, channel, kind, stateKey, now, policy, level, round, clock }: ComposeInput): OutboxMessage {
  const lang: Lang = policy.language;
  const t = T[lang];
  const tz = policy.timeZone;
  const band = severityBand(incident.severity);
  const prefix = incident.sample ? t.test : '';
  const when = (iso: string) => `${formatLocal(iso, tz)} (${iso.replace(/\.\d+Z$/, 'Z')})`;
  const escalated = level !== undefined ? ` (${level}, ${lang === 'nl' ? 'ronde' : 'round'} ${(round ?? 0) + 1})` : '';
  const subject = `${prefix}[datalek ${band}] ${t.subject[kind][channel]}${escalated}: ${incident.findingType} ${incident.id}`;

  const lines: string[] = [];
  if (incident.sample) lines.push(t.sampleNote, '');
  lines.push(t.intro[channel], '');
  if (clock) {
    const c = clocksOf(incident, policy, now).find((x) => x.name === clock);
    if (c?.dueAt) lines.push(`${c.label[lang]}: ${when(c.dueAt)}, ${timeLeft(c.dueAt, now, lang)}`, '');
  }
  lines.push(`${t.incident}: ${incident.id}`);
  lines.push(`${t.finding}: ${incident.findingType} (${t.findings}: ${incident.findings})`);
  lines.push(`${t.severity}: ${describeSeverity(incident.severity)}`);
  lines.push(`${t.resource}: ${incident.resource.resourceType} ${incident.resource.id}`);
  // Every resource an attack sequence (or a merged incident) names; user names stay out.
  const named = (incident.resources ?? []).filter((r, i) => i > 0 && !r.personal && r.kind !== 'other');
  if (named.length) lines.push(`${t.named}: ${named.map((r) => `${r.kind} ${r.id}`).join(', ')}`);
  lines.push(`${t.account}: ${incident.accountId} / ${incident.region}`);
  lines.push(`${t.detected}: ${when(incident.detectedAt)}`);
  if (incident.deadline) {
    lines.push(`${t.deadline}: ${when(incident.deadline)}, ${timeLeft(incident.deadline, now, lang)}`);
    if (incident.awareAt === incident.detectedAt) lines.push(`  (${t.awareDefault})`);
  } else {
    lines.push(`${t.deadline}: ${t.noDeadline}`);
  }
  if (incident.actions.length === 0) {
    lines.push(`${t.containment}: ${t.noContainment}`);
  } else {
    lines.push(`${t.containment}:`);
    for (const a of incident.actions) {
      lines.push(`  - ${a.type} ${a.target}: ${t.status[a.status]}${a.reason ? ` (${a.reason})` : ''}${a.released ? ` [released by ${a.released.by}]` : ''}`);
      // Each step as it went: a failed step is named with its error code, never summarised away.
      for (const s of a.steps ?? []) lines.push(`      ${s.name}: ${s.status === 'failed' ? `${t.status.failed} (${s.code ?? 'error'})` : t.status[s.status]}`);
    }
  }
  lines.push(
    incident.acknowledgedBy && incident.acknowledgedAt ? t.acknowledged(incident.acknowledgedBy, formatLocal(incident.acknowledgedAt, tz)) : t.notAcknowledged,
  );
  lines.push(`${t.runbook}: ${runbookFor(incident, channel)}`);
  lines.push(`${t.ack}: datalek ack ${incident.id} --by <name>   (AWS: datalek ack ${incident.id} --target aws)`);
  lines.push('', t.left);

  return {
    id: `${incident.id}/${channel}/${stateKey}`,
    incidentId: incident.id,
    channel,
    kind,
    subject,
    body: lines.join('\n'),
    // SNS message attributes, so subscribers can filter (e.g. only Critical, or no tests).
    attributes: {
      incidentId: incident.id,
      severity: String(incident.severity),
      band,
      sample: String(incident.sample),
      kind,
      // Subscribers filter on the level, e.g. the secondary's phone only takes `secondary`.
      ...(level !== undefined ? { level, round: String(round ?? 0) } : {}),
    },
    createdAt: now,
    sentAt: null,
  };
}
