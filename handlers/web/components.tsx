/**
 * The parts the pages are made of. `IncidentSummary` and `AcknowledgeForm` stand on their own, so a
 * page reached from a signed acknowledgement link can show the same incident and the same button.
 * Every value passes through JSX, which escapes it: findings carry attacker-controlled text.
 */

import { raw } from 'hono/html';
import type { Child, PropsWithChildren } from 'hono/jsx';
import { apLegalDeadline } from '../core/ap-verdict.js';
import { byHandText, notDoneText, notDoneWithdrawnText, partlyText } from '../core/breach-facts.js';
import { apClockRunning, type ClockStatus, earlierNotificationText, nis2AwarenessText, roleOf } from '../core/clocks.js';
import { type DrillMark, drillLine, drillTitle } from '../core/drill.js';
import { type Decision, type Incident, initialReport, type OutboxMessage, type TimelineEntry } from '../core/incident.js';
import {
  actionLabel,
  actionReasonLabel,
  actorLabel,
  bandLabel,
  besideSpecialLabel,
  clockNote,
  clockShownClass,
  clockShownLabel,
  closeReasonLabel,
  placeLabel,
  recipientLabel,
  reportKindShown,
  resourceKindLabel,
  riskLabel,
  roleLabel,
  stateLabel,
  subjectsLabel,
  subscribersLabel,
  TOLD_LABEL,
  userDeletedText,
  yesNo,
} from '../core/labels.js';
import { minimisedAgainEntries } from '../core/minimise.js';
import type { Policy } from '../core/policy.js';
import { describeEntry, timelineMarks, timelineSvg } from '../core/report-html.js';
import { resourceTagsText } from '../core/resource-tags.js';
import { reviewPending } from '../core/schedule.js';
import { formatSeverity, severityBand } from '../core/severity.js';
import { enteredAtOf, firstSeenSetAsideText } from '../core/stated-time.js';
import type { UnreadableHandler } from '../core/stored-record.js';
import { oneLine } from '../core/text.js';
import { formatLocal, timeLeft } from '../core/time.js';
import type { ackAction } from '../use-cases/ack-action.js';
import type { FieldSpec, Lang } from '../use-cases/fields.js';
import { type ContainmentCounts, runbookOf } from '../use-cases/queries.js';
import type { FormState } from './forms.js';
import type { Words } from './i18n.js';

/** What every page is drawn with: the language, the zone, the clock and the form secret. */
export interface View {
  lang: Lang;
  w: Words;
  policy: Policy;
  tz: string;
  now: string;
  /** When what a form records is entered: the machine's clock behind a stated `serve --now` (fields.ts OfferContext). */
  enteredAt?: string;
  /** The CSRF token every form carries. */
  csrf: string;
  /** Who acts, as the timeline will name them. */
  actor: string;
  target: 'local' | 'aws';
  /**
   * Set when the page is served on AWS as another identity than a session of the FG's role: the FG's
   * forms are not offered (the store would refuse them) and a line says why. `role`: the FG's role the
   * deployment names, null when it names none.
   */
  notFg?: { role: string | null; error?: string };
  /** Whether the clock moves (false when the server runs at a fixed `--now`). */
  live: boolean;
  /** The current path, for the language switch to come back to. */
  path: string;
  /** Set when the store is a drill copy: every page says so at its top and in its title (atk29 A4). */
  drill?: DrillMark | null;
  /**
   * The incidents a list page left out, their records unreadable (atk29 A7): named above the list,
   * as `status` names them on stderr, so that one damaged record never hides the others.
   */
  unreadable?: readonly Unreadable[];
}

/** An incident a list left out: its record cannot be read, or the item indexed as one is none. */
export type Unreadable = Parameters<UnreadableHandler>[0];

/** Which incidents the list leaves out and why, each with the command that checks it. */
function UnreadableNotice({ view }: { view: View }) {
  const found = view.unreadable ?? [];
  if (!found.length) return null;
  return (
    <ul class="problem" role="alert">
      {found.map((p) => (
        <li>{p.notAnIncident ? view.w.notAnIncident(p.incidentId, oneLine(p.reason)) : view.w.unreadable(p.incidentId, oneLine(p.reason))}</li>
      ))}
    </ul>
  );
}

/**
 * Every page's frame. `bare` is the frame of a page reached without the session (a signed
 * acknowledgement link on a phone): no menu, no "acting as", no script, and the style sheet from
 * `css` (a path served without the session).
 */
export function Layout({
  view,
  title,
  children,
  bare = false,
  css = '/assets/app.css',
}: PropsWithChildren<{ view: View; title: string; bare?: boolean; css?: string }>) {
  const { w } = view;
  const back = encodeURIComponent(view.path);
  return (
    <html lang={view.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{view.drill ? `${drillTitle(view.lang)} · ${title} · datalek` : `${title} · datalek`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={css} />
        {bare ? null : <script src="/assets/app.js" defer></script>}
      </head>
      <body data-now={view.now} data-live={view.live ? 'on' : 'off'}>
        <a class="skip" href="#main">
          {w.skip}
        </a>
        <header class="top">
          {/* A drill's page is never the record: with both pages open, the FG must not record practice in the real store. */}
          {view.drill ? (
            <p class="drill" role="note">
              {drillLine(view.drill, view.lang)}
            </p>
          ) : null}
          <p class="brand">{bare ? 'datalek' : <a href="/">datalek</a>}</p>
          {bare ? null : (
            <>
              <nav aria-label={w.nav}>
                <ul>
                  <li>
                    <a href="/">{w.overview}</a>
                  </li>
                  <li>
                    <a href="/closed">{w.closed}</a>
                  </li>
                  <li>
                    <a href="/register">{w.register}</a>
                  </li>
                  <li>
                    <a href={`/lang/${w.otherLanguageCode}?back=${back}`} lang={w.otherLanguageCode} hreflang={w.otherLanguageCode}>
                      {w.otherLanguage}
                    </a>
                  </li>
                </ul>
              </nav>
              <p class="who">
                {w.actingAs} <strong>{view.actor}</strong> ({view.target === 'aws' ? w.signedIdentity : w.localUser}) · {w.target[view.target]}
              </p>
            </>
          )}
        </header>
        <main id="main">
          <UnreadableNotice view={view} />
          {children}
        </main>
        <footer>
          {w.timesIn(view.tz)} {w.now}: {formatLocal(view.now, view.tz)}.
        </footer>
      </body>
    </html>
  );
}

export function SeverityBadge({ view, severity }: { view: View; severity: number }) {
  const band = severityBand(severity);
  return (
    <span class={`badge ${band}`}>
      {formatSeverity(severity)} {bandLabel(view.lang, band)}
    </span>
  );
}

/** "nog 6u 31m", counting down on the page when the clock moves. */
export function TimeLeft({ view, due }: { view: View; due: string }) {
  const overdue = due < view.now;
  return (
    <span class={overdue ? 'overdue' : 'running'} data-due={due}>
      {timeLeft(due, view.now, view.lang)}
    </span>
  );
}

export function When({ view, at }: { view: View; at: string | null | undefined }) {
  if (!at) return <span class="muted">{view.w.notYet}</span>;
  return <time datetime={at}>{formatLocal(at, view.tz)}</time>;
}

/** One clock in a line: its name, its state, when it is due and the time left while it runs. */
export function ClockLine({ view, clock, short = false }: { view: View; clock: ClockStatus; short?: boolean }) {
  const { w } = view;
  const runs = clock.status === 'running' || clock.status === 'overdue';
  return (
    <span>
      {short ? <abbr title={clock.label[view.lang]}>{w.clockShort[clock.name]}</abbr> : clock.label[view.lang]}:{' '}
      <span class={clockShownClass(clock)}>{clockShownLabel(view.lang, clock)}</span>
      {clock.dueAt ? (
        <>
          {', '}
          {clock.status === 'owed-anew' ? w.dueOwedAnew : w.due} <When view={view} at={clock.dueAt} />
        </>
      ) : null}
      {clock.doneAt ? (
        <>
          {', '}
          {w.done} <When view={view} at={clock.doneAt} />
        </>
      ) : null}
      {runs && clock.dueAt ? (
        <>
          {' ('}
          <TimeLeft view={view} due={clock.dueAt} />
          {')'}
        </>
      ) : null}
      {clock.note ? <span class="muted"> ({clock.note[view.lang]})</span> : null}
    </span>
  );
}

export function ContainmentState({ view, counts }: { view: View; counts: ContainmentCounts }) {
  const parts = (Object.entries(counts) as [keyof ContainmentCounts, number][]).filter(([, n]) => n > 0);
  if (parts.length === 0) return <span class="muted">{view.w.noContainment}</span>;
  return (
    <span>
      {parts.map(([status, n], i) => (
        <>
          {i > 0 ? ', ' : ''}
          <span class={status}>
            {n} {view.w.actionStatus[status]}
          </span>
        </>
      ))}
    </span>
  );
}

/**
 * Who acknowledged and when, or the loud "not acknowledged" that on-call looks for. `anonymous`
 * (a page without the session) gives when only: the name is a person's.
 */
export function Acknowledged({ view, incident, anonymous = false }: { view: View; incident: Incident; anonymous?: boolean }) {
  if (incident.acknowledgedBy) {
    return anonymous ? (
      <When view={view} at={incident.acknowledgedAt} />
    ) : (
      <span>
        {actorLabel(view.lang, incident.acknowledgedBy)}, <When view={view} at={incident.acknowledgedAt} />
      </span>
    );
  }
  if (incident.sample) return <span class="muted">{view.w.sample}</span>;
  return <span class="notacked">{view.w.notAcked}</span>;
}

/**
 * The incident in a few lines: what, where, when, how severe, who took it, the decisions so far.
 * Reusable on any page that shows one incident. `brief` is for a page reached without the session
 * (a signed acknowledgement link, which a mail scanner may fetch too): identifiers and clocks
 * only, as in the page itself; no decisions, reasoning or user names.
 */
export function IncidentSummary({ view, incident, brief = false }: { view: View; incident: Incident; brief?: boolean }) {
  const { w, lang } = view;
  const a = incident.assessment;
  const initial = initialReport(incident);
  const legalDeadline = apLegalDeadline(incident);
  const earlier = earlierNotificationText(incident, view.policy, view.tz);
  // Which awareness the NIS2 deadlines run from, while significant (fgsec16 S4).
  const nis2Aware = nis2AwarenessText(incident, view.policy.timeZone);
  const local = (iso: string) => formatLocal(iso, view.tz);
  const role = roleOf(incident, view.policy);
  return (
    <dl class="summary">
      <dt>{w.field.state}</dt>
      <dd>
        {stateLabel(lang, incident.state)}
        {incident.sample ? <span class="badge test"> {w.sample}</span> : null}
        {/* Opened by a person, not by a finding (core/open-by-hand.ts): who, when, and what. */}
        {incident.openedByHand ? (
          <span>
            {' '}
            ({w.openedByHand(incident.openedByHand.by, local(incident.openedByHand.recordedAt))}: {incident.openedByHand.what})
          </span>
        ) : null}
      </dd>
      <dt>{w.field.severity}</dt>
      <dd>
        <SeverityBadge view={view} severity={incident.severity} />
      </dd>
      <dt>{w.field.findingType}</dt>
      <dd>
        <code>{oneLine(incident.findingType)}</code> ({w.field.findings(incident.findings)})
      </dd>
      <dt>{w.field.resource}</dt>
      <dd>
        {brief && incident.resource.personal ? (
          <>
            {resourceKindLabel(lang, incident.resource)} <span class="muted">({w.nameLeftOut})</span>
          </>
        ) : (
          <>
            {resourceKindLabel(lang, incident.resource)} <code>{incident.resource.id}</code>
          </>
        )}
        {(incident.resources ?? []).slice(1).filter((r) => !brief || !r.personal).length > 0 ? (
          <span class="muted">
            {' '}
            (+{' '}
            {(incident.resources ?? [])
              .slice(1)
              .filter((r) => !brief || !r.personal)
              .map((r) => `${resourceKindLabel(lang, r)} ${r.id}`)
              .join(', ')}
            )
          </span>
        ) : null}
      </dd>
      {resourceTagsText(incident, lang) ? (
        <>
          <dt>{w.field.tags}</dt>
          <dd>{resourceTagsText(incident, lang)}</dd>
        </>
      ) : null}
      <dt>{w.field.account}</dt>
      <dd>
        {incident.accountId}, {incident.region}
      </dd>
      {incident.firstActivityAt && incident.firstActivityAt !== incident.detectedAt ? (
        <>
          <dt>{w.field.firstActivity}</dt>
          <dd>
            <When view={view} at={incident.firstActivityAt} />
          </dd>
        </>
      ) : null}
      {/* A finding's first activity set aside, not a strict instant: which, and the time used instead (fg26 item 4). */}
      {incident.firstSeenSetAside ? (
        <>
          <dt>{w.field.firstSeenSetAside}</dt>
          <dd>{firstSeenSetAsideText(incident, lang, local)}</dd>
        </>
      ) : null}
      <dt>{w.field.detected}</dt>
      <dd>
        <When view={view} at={incident.detectedAt} />
      </dd>
      <dt>{w.field.aware}</dt>
      <dd>
        <When view={view} at={incident.awareAt} />
        {incident.awareAt && !incident.awareReason ? <span class="muted"> ({w.field.awareDefault})</span> : null}
        {incident.awareReason && !brief ? <span> ({incident.awareReason})</span> : null}
      </dd>
      <dt>{w.field.deadline}</dt>
      <dd>
        {/* The law's deadline (Art. 33(1)); an internal target is in the AP clock's note (review12 S3). */}
        {legalDeadline ? (
          <>
            <When view={view} at={legalDeadline} />
            {!initial && !earlier && apClockRunning(incident, view.policy) ? (
              <>
                {' ('}
                <TimeLeft view={view} due={legalDeadline} />
                {')'}
              </>
            ) : null}
            {/* Notified before and withdrawn: judged by the first notification, as status and the register are (law28). */}
            {earlier ? <span> ({earlier[lang]})</span> : null}
          </>
        ) : (
          <span class="muted">{w.noClock}</span>
        )}
      </dd>
      <dt>{w.field.role}</dt>
      <dd>{roleLabel(lang, role)}</dd>
      <dt>{w.field.acknowledged}</dt>
      <dd>
        <Acknowledged view={view} incident={incident} anonymous={brief} />
      </dd>
      {brief ? null : (
        <>
          <dt>{w.field.assessment}</dt>
          <dd>
            {a ? (
              <>
                <strong>{a.notifiable ? w.notifiable : w.notNotifiable}</strong>
                {` (${w.personalData} ${yesNo(lang, a.personalData)}, ${riskLabel(lang, a.risk)}): ${a.reason} — ${a.by}, `}
                <When view={view} at={a.at} />
                {a.confirmedBesideSpecial ? (
                  <>
                    <br />
                    <strong>{besideSpecialLabel(lang, a.confirmedBesideSpecial)}</strong>
                  </>
                ) : null}
              </>
            ) : (
              <span class="muted">{w.notYet}</span>
            )}
          </dd>
          {incident.nis2 ? (
            <>
              <dt>NIS2</dt>
              <dd>
                {`${w.nis2Significant}: ${yesNo(lang, incident.nis2.significant)}; ${incident.nis2.reason} — ${incident.nis2.by}`}
                {nis2Aware ? (
                  <>
                    <br />
                    {nis2Aware[lang]}
                  </>
                ) : null}
              </dd>
            </>
          ) : null}
          <dt>{w.field.reports}</dt>
          <dd>
            {incident.reports?.length ? (
              <ul class="clocks">
                {incident.reports.map((r) => (
                  <li>
                    {`${recipientLabel(lang, r.to)} · ${reportKindShown(lang, r, incident.reports ?? [])} · ${r.reference} · `}
                    <When view={view} at={r.at} />
                    {` · ${r.by}`}
                    {r.enteredLater ? (
                      <span class="muted">
                        {' '}
                        ({r.enteredAfterDeadline ? w.enteredAfterDeadline : w.enteredLater}:{' '}
                        <When view={view} at={enteredAtOf(incident, r.recordedAt, r.by, 'reported')} />)
                      </span>
                    ) : null}
                    {r.delayReason ? ` (${r.delayReason})` : ''}
                  </li>
                ))}
              </ul>
            ) : (
              <span class="muted">{w.none}</span>
            )}
          </dd>
          {incident.subjects ? (
            <>
              <dt>{w.field.subjects}</dt>
              <dd>{`${subjectsLabel(lang, incident.subjects, local, enteredAtOf(incident, incident.subjects.at, incident.subjects.by, 'subjects-decided'))} — ${incident.subjects.by}`}</dd>
              {incident.subjects.text ? (
                <>
                  <dt>{TOLD_LABEL[lang]}</dt>
                  <dd class="told">{incident.subjects.text}</dd>
                </>
              ) : null}
            </>
          ) : null}
          {incident.subscribers ? (
            <>
              <dt>{w.field.subscribers}</dt>
              <dd>{`${subscribersLabel(lang, incident.subscribers, local, enteredAtOf(incident, incident.subscribers.at, incident.subscribers.by, 'subscribers-decided'))} — ${incident.subscribers.by}`}</dd>
              {incident.subscribers.text ? (
                <>
                  <dt>{TOLD_LABEL[lang]}</dt>
                  <dd class="told">{incident.subscribers.text}</dd>
                </>
              ) : null}
            </>
          ) : null}
          {incident.closedAt ? (
            <>
              <dt>{w.field.closed}</dt>
              <dd>
                <When view={view} at={incident.closedAt} />
                {incident.closeReason ? `: ${closeReasonLabel(view.lang, incident.closeReason)}` : ''}
                {incident.overdueReason ? ` (${incident.overdueReason})` : ''}
              </dd>
            </>
          ) : null}
        </>
      )}
    </dl>
  );
}

/**
 * What the FG must act on or know before reading further, shown with the clocks: a review the FG
 * was asked for (a finding of a new type came after the assessment) and not yet given, the
 * closed incident this one follows up, or the follow-ups opened for activity after it was closed,
 * and the incidents linked to it rather than merged (the same attack, recorded separately).
 */
export function NeedsAttention({ view, incident }: { view: View; incident: Incident }) {
  const { w } = view;
  const local = (iso: string) => formatLocal(iso, view.tz);
  const ask = reviewPending(incident) ? incident.reviewAsked : null;
  const of = incident.followUpOf;
  const ups = incident.followUps ?? [];
  const linked = incident.linked ?? [];
  if (!ask && !of && ups.length === 0 && linked.length === 0) return null;
  const link = (id: string) => <a href={`/incidents/${id}`}>{id}</a>;
  const links = (ids: string[]) =>
    ids.map((id, n) => (
      <>
        {n ? ', ' : ''}
        {link(id)}
      </>
    ));
  return (
    <ul class="attention" aria-label={w.attention}>
      {ask ? (
        <li>
          <strong>
            {w.reviewAskedSince} <When view={view} at={ask.at} />
          </strong>
          , <a href="#assess">{w.assessAgain}</a>: {w.reviewCause(oneLine(ask.findingType), local(ask.assessedAt), actorLabel(view.lang, ask.assessedBy))}
        </li>
      ) : null}
      {of ? (
        <li>
          {w.followUpOf} {link(of.incidentId)} ({w.followUpOfWhy(local(of.closedAt))})
        </li>
      ) : null}
      {ups.length ? (
        <li>
          {w.followUps}: {links(ups)} ({w.followUpsWhy})
        </li>
      ) : null}
      {linked.length ? (
        <li>
          {w.linkedTo} {links(linked)}
          {incident.linkedNotListed ? ` ${w.linkedMore(incident.linkedNotListed)}` : ''} ({w.linkedWhy})
        </li>
      ) : null}
    </ul>
  );
}

/** Every decision in the order recorded: the register's history, never overwritten (Art. 33(5)). */
export function Decisions({ view, incident }: { view: View; incident: Incident }) {
  const { w, lang } = view;
  const decisions = incident.decisions ?? [];
  if (decisions.length === 0) return <p class="muted">{w.noDecisions}</p>;
  const local = (iso: string) => formatLocal(iso, view.tz);
  const what = (d: Decision): string => {
    switch (d.kind) {
      case 'assessment':
        return `${w.field.assessment}: ${d.notifiable ? w.notifiable : w.notNotifiable} (${w.personalData} ${yesNo(lang, d.personalData)}, ${riskLabel(lang, d.risk)}); ${d.reason}`;
      case 'awareness':
        return `${w.field.aware}: ${local(d.to)}${d.from ? ` (${w.was} ${local(d.from)})` : ''}; ${d.reason}${d.movedLaterAfterPersonalDataYes ? ` — ${w.movedLater}` : ''}${d.beforeDetection ? ` — ${w.beforeDetection}` : ''}${
          d.enteredLater
            ? ` — ${d.enteredAfterDeadline ? w.enteredAfterDeadline : w.enteredLater} (${local(enteredAtOf(incident, d.recordedAt, d.by, 'awareness-set'))})`
            : ''
        }${d.delayReason ? ` — ${w.delayReason}: ${d.delayReason}` : ''}`;
      case 'role':
        return `${w.field.role}: ${roleLabel(lang, d.role)}; ${d.reason}`;
      case 'nis2-significance':
        return `${w.nis2Significant}: ${yesNo(lang, d.significant)}; ${d.reason}`;
      case 'nis2-intermediate-request':
        return `${w.nis2Intermediate}: ${local(d.dueAt)}; ${d.reason}`;
      case 'nis2-awareness':
        return `${w.nis2Aware}: ${local(d.to)}${d.from ? ` (${w.was} ${local(d.from)})` : ''}; ${d.reason}${d.beforeDetection ? ` — ${w.beforeDetection}` : ''}${
          d.enteredLater ? ` — ${w.enteredLater} (${local(enteredAtOf(incident, d.recordedAt, d.by, 'awareness-set'))})` : ''
        }`;
      case 'subjects':
        return `${d.audience === 'subscribers' ? w.field.subscribers : w.field.subjects}: ${subjectsLabel(lang, d, local)}`;
    }
  };
  return (
    <ol class="decisions">
      {decisions.map((d) => (
        <li>
          {what(d)}{' '}
          <span class="muted">
            — {d.by}, {local(d.recordedAt)}
          </span>
        </li>
      ))}
    </ol>
  );
}

export function ClockTable({ view, clocks }: { view: View; clocks: ClockStatus[] }) {
  const { w } = view;
  if (clocks.length === 0) return <p class="muted">{w.noClock}</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{w.clock}</th>
          <th scope="col">{w.status}</th>
          <th scope="col">{w.due}</th>
          <th scope="col">{w.timeLeft}</th>
        </tr>
      </thead>
      <tbody>
        {clocks.map((c) => (
          <tr>
            <th scope="row">{c.label[view.lang]}</th>
            <td>
              <span class={clockShownClass(c)}>{clockShownLabel(view.lang, c)}</span>
              {c.doneAt ? (
                <>
                  {', '}
                  {w.done} <When view={view} at={c.doneAt} />
                </>
              ) : null}
              {clockNote(view.lang, c) ? <span class="muted"> ({clockNote(view.lang, c)})</span> : null}
            </td>
            {/* Owed anew, nothing is due by a time: the deadline the first notification met or missed is in the note and the summary (law28 s28). */}
            <td>{c.dueAt && c.status !== 'owed-anew' ? <When view={view} at={c.dueAt} /> : '—'}</td>
            <td>{(c.status === 'running' || c.status === 'overdue') && c.dueAt ? <TimeLeft view={view} due={c.dueAt} /> : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The problems of a refused form, above it, each linking to its field. */
function Problems({ view, state, idPrefix }: { view: View; state: FormState; idPrefix: string }) {
  const entries = Object.entries(state.errors).flatMap(([field, messages]) => messages.map((m) => ({ field, m })));
  if (entries.length === 0) return null;
  return (
    <div class="problem" role="alert" id={`${idPrefix}-problem`}>
      <h2>{view.w.problem}</h2>
      <ul>
        {entries.map(({ field, m }) => (
          <li>{field ? <a href={`#${idPrefix}-${field}`}>{m}</a> : m}</li>
        ))}
      </ul>
      {state.acted ? null : <p>{view.w.notSaved}</p>}
    </div>
  );
}

/** One input, from its field spec: its label, hint, the error beside it, and the value kept. */
export function Field({ view, field, idPrefix, state }: { view: View; field: FieldSpec; idPrefix: string; state?: FormState }) {
  const id = `${idPrefix}-${field.name}`;
  const errors = state?.errors[field.name] ?? [];
  const value = state?.values[field.name];
  const text = typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : '';
  const describedBy = [field.hint ? `${id}-hint` : '', errors.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const required = Boolean(field.required) && field.fallback === undefined;
  const label = (
    <>
      {field.label[view.lang]}
      {required ? <span class="muted"> ({view.w.required})</span> : null}
      {field.kind === 'time' ? <span class="muted"> ({view.w.localTime(view.tz)})</span> : null}
    </>
  );
  const hint = field.hint ? (
    <p class="hint" id={`${id}-hint`}>
      {field.hint[view.lang]}
    </p>
  ) : null;
  const error = errors.length ? (
    <p class="error" id={`${id}-error`}>
      {errors.join(' ')}
    </p>
  ) : null;
  const invalid = errors.length ? 'true' : undefined;
  const option = (o: string) => field.optionLabels?.[o]?.[view.lang] ?? o;

  if (field.kind === 'choices') {
    const chosen = new Set(Array.isArray(value) ? value : text.split(',').map((x) => x.trim()));
    return (
      <div class={`field${errors.length ? ' invalid' : ''}`}>
        <fieldset aria-describedby={describedBy} id={id}>
          <legend>{label}</legend>
          {hint}
          {error}
          <div class="choices">
            {(field.options ?? []).map((o) => (
              <label>
                <input type="checkbox" name={field.name} value={o} checked={chosen.has(o)} aria-describedby={describedBy} aria-invalid={invalid} />{' '}
                {/* A finding type from the finding: its invisible characters shown escaped, the value sent as it is. */}
                {oneLine(option(o))}
              </label>
            ))}
          </div>
        </fieldset>
      </div>
    );
  }
  if (field.kind === 'flag') {
    return (
      <div class={`field${errors.length ? ' invalid' : ''}`}>
        {hint}
        {error}
        <label>
          <input type="checkbox" id={id} name={field.name} checked={value === true} aria-describedby={describedBy} aria-invalid={invalid} />{' '}
          {field.label[view.lang]}
        </label>
      </div>
    );
  }
  let control: Child;
  if (field.kind === 'choice') {
    control = (
      <select id={id} name={field.name} required={required} aria-describedby={describedBy} aria-invalid={invalid}>
        {field.fallback === undefined ? (
          <option value="" selected={!text}>
            {required ? view.w.choose : view.w.notStated}
          </option>
        ) : null}
        {(field.options ?? []).map((o) => (
          <option value={o} selected={text ? text === o : field.fallback === o}>
            {option(o)}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'longtext') {
    control = (
      <textarea id={id} name={field.name} rows={3} maxlength={field.maxChars ?? 4000} required={required} aria-describedby={describedBy} aria-invalid={invalid}>
        {text}
      </textarea>
    );
  } else if (field.kind === 'time') {
    control = <input type="datetime-local" id={id} name={field.name} value={text} required={required} aria-describedby={describedBy} aria-invalid={invalid} />;
  } else {
    control = (
      <input
        type="text"
        id={id}
        name={field.name}
        value={text}
        maxlength={field.maxChars ?? 4000}
        inputmode={field.kind === 'count' ? 'numeric' : undefined}
        required={required}
        aria-describedby={describedBy}
        aria-invalid={invalid}
      />
    );
  }
  return (
    <div class={`field${errors.length ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {hint}
      {error}
      {control}
    </div>
  );
}

/**
 * A form for one of the use cases, drawn from its fields. `state` brings back what was entered and
 * the errors after a refusal; `values` fills it from the incident otherwise.
 */
export function ActionForm({
  view,
  name,
  title,
  fields,
  action,
  state,
  submit,
  hidden = {},
  after,
  children,
}: PropsWithChildren<{
  view: View;
  name: string;
  title: string;
  fields: readonly FieldSpec[];
  action: string;
  state?: FormState;
  submit?: string;
  hidden?: Record<string, string>;
  /** What follows the fields, just before the button: a confirmation of what they hold is read after them. */
  after?: Child;
}>) {
  const idPrefix = `f-${name}`;
  return (
    <form class="action" method="post" action={action} id={name} aria-labelledby={`${idPrefix}-title`}>
      <h3 id={`${idPrefix}-title`}>{title}</h3>
      {state ? <Problems view={view} state={state} idPrefix={idPrefix} /> : null}
      {children}
      <input type="hidden" name="_csrf" value={view.csrf} />
      {Object.entries(hidden).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      {fields.map((field) => (
        <>
          {field.group ? <h4>{field.group[view.lang]}</h4> : null}
          <Field view={view} field={field} idPrefix={idPrefix} state={state} />
        </>
      ))}
      {after ?? null}
      <button type="submit">{submit ?? view.w.save}</button>
    </form>
  );
}

/**
 * The acknowledge button with its optional note: on the incident page, and reusable where an
 * acknowledgement arrives another way (a signed link from a page), with its own `action` and
 * hidden fields.
 */
export function AcknowledgeForm({
  view,
  spec,
  incident,
  action,
  state,
  hidden,
}: {
  view: View;
  spec: typeof ackAction;
  incident: Incident;
  action: string;
  state?: FormState;
  hidden?: Record<string, string>;
}) {
  const raisedAt = incident.acknowledgedBy ? incident.pager?.triggeredAt : undefined;
  return (
    <ActionForm
      view={view}
      name="ack"
      title={spec.title[view.lang]}
      fields={spec.fields}
      action={action}
      state={state}
      hidden={hidden}
      submit={`${spec.title[view.lang]}: ${incident.id}`}
    >
      {/* Acknowledged already: offered for the alert the pager raised again after that (core/acknowledge.ts). */}
      {incident.acknowledgedBy && raisedAt ? <p>{view.w.alertAgain(actorLabel(view.lang, incident.acknowledgedBy), formatLocal(raisedAt, view.tz))}</p> : null}
    </ActionForm>
  );
}

/** What the record had no room for (core/commit-bounds.ts): counted, never carried out, a person's to contain. */
export function NotPlanned({ view, incident }: { view: View; incident: Incident }) {
  const left = incident.actionsNotPlanned;
  return (
    <>
      {left ? (
        <p class="failed">
          {view.w.notPlanned(left.count)} <When view={view} at={left.since} />.
        </p>
      ) : null}
      {incident.resourcesNotListed ? <p>{view.w.resourcesNotListed(incident.resourcesNotListed)}</p> : null}
    </>
  );
}

export function ContainmentTable({ view, incident }: { view: View; incident: Incident }) {
  const { w } = view;
  if (incident.actions.length === 0) return <p class="muted">{w.containmentNone}</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{w.containmentCols.action}</th>
          <th scope="col">{w.containmentCols.target}</th>
          <th scope="col">{w.containmentCols.status}</th>
          <th scope="col">{w.containmentCols.steps}</th>
          <th scope="col">{w.containmentCols.runbook}</th>
        </tr>
      </thead>
      <tbody>
        {incident.actions.map((a) => {
          // `revoke-user-sessions.md#the-long-term-key-that-made-them` → the page and its section.
          const runbook = runbookOf(a)
            .replace(/^runbooks\//, '')
            .replace(/\.md(#|$)/, '$1');
          const status = a.released ? 'released' : a.status;
          return (
            <tr>
              <th scope="row">
                {actionLabel(view.lang, a.type)}
                {a.person ? <span class="muted"> ({w.personStep})</span> : null}
              </th>
              <td>
                <code>{a.target}</code>
                {placeLabel(view.lang, a)}
              </td>
              <td>
                <span class={status}>{w.actionStatus[status]}</span>
                {/* Carried out by hand (core/by-hand.ts): who, when and what, not the reason it was only planned. */}
                {a.byHand ? (
                  <span>: {byHandText(a.byHand, view.lang, formatLocal(a.byHand.at, view.tz))}</span>
                ) : a.notDone ? (
                  <span>: {notDoneText(a.notDone, view.lang, formatLocal(a.notDone.recordedAt, view.tz))}</span>
                ) : a.reason ? (
                  <span class="muted">: {actionReasonLabel(view.lang, a.reason)}</span>
                ) : null}
                {a.released ? (
                  <span>
                    {' '}
                    ({a.released.by}, <When view={view} at={a.released.at} />: {a.released.reason}
                    {a.released.userDeleted ? `; ${userDeletedText(a.released.by, view.lang)}` : ''})
                  </span>
                ) : null}
                {/* A not-done decision taken back stays beside the step planned again, as in the draft and the register. */}
                {(a.notDoneWithdrawn ?? []).map((d) => (
                  <span>; {notDoneWithdrawnText(d, view.lang, (iso) => formatLocal(iso, view.tz))}</span>
                ))}
                {/* One interface of several restored, another not: which are back, which still isolated. */}
                {a.partlyReleased && !a.released ? <span>{partlyText(a, view.lang, view.tz)}</span> : null}
              </td>
              <td>
                {a.steps?.length ? (
                  <ol>
                    {a.steps.map((s) => (
                      <li>
                        <span class={s.status}>{w.actionStatus[s.status]}</span> {s.name}
                        {s.detail ? `: ${s.detail}` : ''}
                        {s.code ? ` (${s.code})` : ''}
                      </li>
                    ))}
                  </ol>
                ) : (
                  '—'
                )}
              </td>
              <td>
                <a href={`/runbooks/${runbook}`}>{runbook}</a>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The incident's messages; `refused`: those their channel refused for good (`Incident.undeliverable`), never sent. */
export function Messages({
  view,
  messages,
  refused = [],
  damaged = [],
  incidentId = '',
}: {
  view: View;
  messages: OutboxMessage[];
  refused?: Incident['undeliverable'];
  /** Messages whose stored rows cannot be read: named, never left out in silence (atk29 A13). */
  damaged?: readonly { id: string; reason: string }[];
  incidentId?: string;
}) {
  const { w } = view;
  if (messages.length === 0 && damaged.length === 0) return <p class="muted">{w.noMessages}</p>;
  const never = new Map(refused.map((u) => [u.messageId, u.reason]));
  return (
    <>
      {damaged.length ? (
        <ul class="problem" role="alert">
          {damaged.map((d) => (
            <li>{w.damagedMessage(oneLine(d.id), oneLine(d.reason), incidentId)}</li>
          ))}
        </ul>
      ) : null}
      {messages.map((m) => (
        <details>
          <summary>
            {`${w.to[m.channel]} · `}
            {m.sentAt ? (
              <>
                {w.sent} <When view={view} at={m.sentAt} />
              </>
            ) : never.has(m.id) ? (
              <span class="failed">
                {w.neverSent}: {never.get(m.id)}
              </span>
            ) : (
              <span class="running">{w.pending}</span>
            )}
            {` · ${m.subject}`}
          </summary>
          <pre class="message">{m.body}</pre>
        </details>
      ))}
    </>
  );
}

export function Timeline({ view, incident, timeline }: { view: View; incident: Incident; timeline: TimelineEntry[] }) {
  const { w } = view;
  // The picture the HTML report draws; its labels are escaped there.
  const svg = timelineSvg(timelineMarks(incident, timeline, view.lang), view.tz);
  const again = minimisedAgainEntries(timeline);
  return (
    <>
      <figure class="timeline-picture">
        {raw(svg)}
        <figcaption class="muted">{w.timeline}</figcaption>
      </figure>
      <table>
        <caption>{w.timelineAll}</caption>
        <thead>
          <tr>
            <th scope="col">{w.timelineCols.seq}</th>
            <th scope="col">{w.timelineCols.at}</th>
            <th scope="col">{w.timelineCols.actor}</th>
            <th scope="col">{w.timelineCols.kind}</th>
            <th scope="col">{w.timelineCols.detail}</th>
          </tr>
        </thead>
        <tbody>
          {timeline.map((e) => (
            <tr>
              <td>{e.seq}</td>
              <td>
                <When view={view} at={e.at} />
              </td>
              <td>{actorLabel(view.lang, e.actor)}</td>
              <td>{describeEntry(e, view.lang, view.tz, again.has(e.seq), incident.reports)}</td>
              <td>
                <code>{summarise(e.detail)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The entry's detail on one line, its control and invisible characters shown escaped (a finding's type holds what it likes). */
function summarise(detail: Record<string, unknown>): string {
  return oneLine(
    Object.entries(detail)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' '),
  );
}
