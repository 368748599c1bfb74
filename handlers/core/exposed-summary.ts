/**
 * The sweep's summary of the exposed pages it did not repeat one by one (core/sweep.ts): those
 * past the most one sweep sends (MAX_EXPOSED_REPEATS_PER_SWEEP), which follow in the next sweeps,
 * and stale ones (EXPOSED_REPEAT_STALE_MINUTES), named here once. One Critical page to on-call on
 * the topic, queued with one of those incidents (the outbox is per incident); identifiers only.
 */
import type { Incident, OutboxMessage } from './incident.js';
import type { Lang } from './labels.js';
import { MAX_LISTED } from './message-bounds.js';
import type { Policy } from './policy.js';
import { EXPOSED_REPEAT_MINUTES, EXPOSED_REPEAT_STALE_MINUTES, MAX_EXPOSED_REPEATS_PER_SWEEP } from './schedule.js';

export interface RepeatSummary {
  /** Incidents whose repeat this sweep left out (past the most a sweep sends): repeated in the next sweeps. */
  leftOut: string[];
  /** Incidents whose first repeat was stale: named here instead, repeated from the next interval on. */
  stale: string[];
}

const WORDS = {
  nl: {
    subject: (n: number) => `[datalek Kritiek] Netwerkinterfaces nog OPEN bij ${n} incidenten (herhalingen niet één voor één verstuurd)`,
    leftOut: (n: number, max: number, ids: string) =>
      `${n} incidenten hebben een netwerkinterface die volgens het dossier OPEN staat voor al het verkeer van en naar internet, en niemand heeft die sindsdien opgepakt. Een ronde stuurt hoogstens ${max} herhalingen; die van deze incidenten komen in de volgende rondes (elke 5 minuten): ${ids}.`,
    stale: (n: number, minutes: number, ids: string) =>
      `${n} incidenten hebben een interface die al lang volgens het dossier open staat: hun eerste herhaling was meer dan ${minutes} minuten geleden aan de beurt en is nooit verstuurd (een dossier van vóór de herhaling, of rondes die niet liepen). Ze worden hier één keer genoemd en komen vanaf de volgende ${EXPOSED_REPEAT_MINUTES} minuten terug zoals elke herhaling: ${ids}.`,
    todo: 'Per incident: datalek show ID. Staat de interface nog open, zet haar met de hand in de groep datalek-isolation (draaiboek, sectie "An interface exposed page"). Oppakken (datalek ack ID, de webpagina of de link in de herhaling) stopt de herhaling van dat incident.',
    more: (n: number) => `en ${n} meer (datalek status)`,
  },
  en: {
    subject: (n: number) => `[datalek Critical] Network interfaces still OPEN in ${n} incidents (repeats not sent one by one)`,
    leftOut: (n: number, max: number, ids: string) =>
      `${n} incidents have a network interface the record says is OPEN to all traffic to and from the internet, and nobody took it since. A sweep sends at most ${max} repeats; theirs follow in the next sweeps (every 5 minutes): ${ids}.`,
    stale: (n: number, minutes: number, ids: string) =>
      `${n} incidents have an interface the record has said is open for long: their first repeat fell due more than ${minutes} minutes ago and never went out (a record from before the repeat, or sweeps that did not run). They are named here once, and repeat from the next ${EXPOSED_REPEAT_MINUTES} minutes on like any other: ${ids}.`,
    todo: 'For each: datalek show ID. If the interface is still open, put it in the datalek-isolation group by hand (runbook, section "An interface exposed page"). Acknowledging (datalek ack ID, the web page or the link in the repeat) stops that incident\'s repeat.',
    more: (n: number) => `and ${n} more (datalek status)`,
  },
} satisfies Record<Lang, unknown>;

function named(ids: readonly string[], lang: Lang): string {
  const more = ids.length - MAX_LISTED;
  return [...ids.slice(0, MAX_LISTED), ...(more > 0 ? [WORDS[lang].more(more)] : [])].join(', ');
}

/** The summary page's id: one a sweep (its `now`), queued with `carrierId`. */
export function repeatSummaryId(carrierId: string, now: string): string {
  return `${carrierId}/on-call/exposed-summary:${now}`;
}

/** The summary page, queued with `carrier` (one of the incidents it names) at `now`. */
export function composeRepeatSummary(carrier: Incident, summary: RepeatSummary, policy: Policy, now: string): OutboxMessage {
  const lang = policy.language;
  const w = WORDS[lang];
  const n = summary.leftOut.length + summary.stale.length;
  const lines = [
    ...(summary.leftOut.length ? [w.leftOut(summary.leftOut.length, MAX_EXPOSED_REPEATS_PER_SWEEP, named(summary.leftOut, lang))] : []),
    ...(summary.stale.length ? [w.stale(summary.stale.length, EXPOSED_REPEAT_STALE_MINUTES, named(summary.stale, lang))] : []),
    '',
    w.todo,
  ];
  return {
    id: repeatSummaryId(carrier.id, now),
    incidentId: carrier.id,
    channel: 'on-call',
    kind: 'interface-exposed',
    subject: w.subject(n),
    body: lines.join('\n'),
    // As every exposed page: Critical, so a phone that only takes Critical gets it.
    attributes: { incidentId: carrier.id, severity: String(carrier.severity), band: 'Critical', sample: 'false', kind: 'interface-exposed' },
    createdAt: now,
    sentAt: null,
  };
}
