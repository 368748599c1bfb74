/**
 * The pages: the overview of open incidents (and the closed ones a click away), one incident with
 * its actions, the AP draft, the register and the runbooks. Each is drawn from what the use cases
 * read; none of them changes anything.
 */

import type { Child } from 'hono/jsx';
import { describeProblem } from '../core/audit.js';
import { type CarriedOutElsewhere, measuresTaken, stillPlannedAtClose } from '../core/breach-facts.js';
import { apClockRunning, clocksOf } from '../core/clocks.js';
import { type Draft, type MissingFact, missingFactItems } from '../core/draft.js';
import type { Incident } from '../core/incident.js';
import {
  actionLabel,
  callerLabel,
  clockShownLabel,
  closeReasonLabel,
  recipientLabel,
  reportKindShown,
  resourceKindLabel,
  roleLabel,
  stateLabel,
} from '../core/labels.js';
import { inheritedHoldSummary, MINIMISED_HEADING, minimisedSummary, retentionHoldSummary } from '../core/minimise.js';
import type { Notice } from '../core/notice.js';
import type { RegisterRow } from '../core/register.js';
import { listedCounts } from '../core/schedule.js';
import { enteredAtOf } from '../core/stated-time.js';
import { oneLine } from '../core/text.js';
import { formatLocal } from '../core/time.js';
import { type VerifyResult, verifyOk } from '../core/verify-store.js';
import { ackAction } from '../use-cases/actions.js';
import type { FieldSpec } from '../use-cases/fields.js';
import { containmentCounts, type IncidentDetail, openClocks } from '../use-cases/queries.js';
import { drawnFields, formBaseOf, formCurrent, formFields, formShownOf, isFgForm, WEB_FORMS, type WebForm } from './action-forms.js';
import {
  Acknowledged,
  AcknowledgeForm,
  ActionForm,
  ClockLine,
  ClockTable,
  ContainmentState,
  ContainmentTable,
  Decisions,
  IncidentSummary,
  Layout,
  Messages,
  NeedsAttention,
  NotPlanned,
  SeverityBadge,
  Timeline,
  type View,
  When,
} from './components.js';
import { CONFIRM_TEXT_FIELD, type FormState, formValues } from './forms.js';
import { Markdown } from './markdown.js';
import { describeProblemNl } from './verify-nl.js';

export function OverviewPage({ view, incidents }: { view: View; incidents: Incident[] }) {
  const { w } = view;
  // Listed too, and counted as status counts them: closed incidents with a duty an assessment after
  // closing reopened (use-cases/queries.ts openIncidents).
  const counts = listedCounts(incidents);
  return (
    <Layout view={view} title={w.overview}>
      <h1>{w.overview}</h1>
      {incidents.length === 0 ? (
        <p>{w.noOpen}</p>
      ) : (
        <>
          <p>{w.openCount(counts)}</p>
          <table class="overview">
            <caption>{w.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{w.col.incident}</th>
                <th scope="col">{w.col.severity}</th>
                <th scope="col">{w.col.resource}</th>
                <th scope="col">{w.col.state}</th>
                <th scope="col">{w.col.clocks}</th>
                <th scope="col">{w.col.ack}</th>
                <th scope="col">{w.col.containment}</th>
              </tr>
            </thead>
            <tbody>
              {incidents.map((i) => (
                <tr data-incident={i.id}>
                  <th scope="row">
                    <a href={`/incidents/${i.id}`}>{i.id}</a>
                    <br />
                    <code>{oneLine(i.findingType)}</code>
                  </th>
                  <td>
                    <SeverityBadge view={view} severity={i.severity} />
                  </td>
                  <td>
                    {resourceKindLabel(view.lang, i.resource)} <code>{i.resource.id}</code>
                  </td>
                  <td>{stateLabel(view.lang, i.state)}</td>
                  <td>
                    <IncidentClocks view={view} incident={i} />
                  </td>
                  <td>
                    <Acknowledged view={view} incident={i} />
                  </td>
                  <td>
                    <ContainmentState view={view} counts={containmentCounts(i)} />
                    {i.actionsNotPlanned ? <span class="failed">, {w.notPlannedShort(i.actionsNotPlanned.count)}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <p>
        <a href="/closed">{w.closed}</a>
      </p>
      <p>
        <a href="/open">{w.openByHand}</a>
      </p>
    </Layout>
  );
}

/** Opening an incident by hand (`datalek open`, core/open-by-hand.ts): what happened and when the organisation became aware. */
export function OpenPage({ view, fields, state }: { view: View; fields: readonly FieldSpec[]; state?: FormState }) {
  const { w } = view;
  return (
    <Layout view={view} title={w.openByHand}>
      <h1>{w.openByHand}</h1>
      {state && Object.keys(state.errors).length ? (
        <p class="problem" role="alert">
          <a href="#f-open-problem">{w.problem}</a>: {Object.values(state.errors).flat()[0]}
        </p>
      ) : null}
      <p>{w.openByHandIntro}</p>
      <ActionForm view={view} name="open" title={w.openByHand} fields={fields} action="/open" state={state} />
    </Layout>
  );
}

/** The clocks still running, each with its time left; otherwise how the AP clock ended. */
function IncidentClocks({ view, incident }: { view: View; incident: Incident }) {
  const running = openClocks(incident, view.policy, view.now);
  const shown = running.length ? running : clocksOf(incident, view.policy, view.now).filter((c) => c.name === 'ap');
  if (shown.length === 0) return <span class="muted">{incident.sample ? view.w.sample : view.w.noClock}</span>;
  return (
    <ul class="clocks">
      {shown.map((c) => (
        <li>
          <ClockLine view={view} clock={c} short />
        </li>
      ))}
    </ul>
  );
}

export function ClosedPage({ view, incidents }: { view: View; incidents: Incident[] }) {
  const { w } = view;
  return (
    <Layout view={view} title={w.closed}>
      <h1>{w.closed}</h1>
      {incidents.length === 0 ? (
        <p>{w.noClosed}</p>
      ) : (
        <table>
          <caption>{w.closedCaption}</caption>
          <thead>
            <tr>
              <th scope="col">{w.col.incident}</th>
              <th scope="col">{w.col.severity}</th>
              <th scope="col">{w.col.resource}</th>
              <th scope="col">{w.col.closedAt}</th>
              <th scope="col">{w.col.reason}</th>
            </tr>
          </thead>
          <tbody>
            {incidents.map((i) => (
              <tr>
                <th scope="row">
                  <a href={`/incidents/${i.id}`}>{i.id}</a>
                  <br />
                  <code>{oneLine(i.findingType)}</code>
                </th>
                <td>
                  <SeverityBadge view={view} severity={i.severity} />
                </td>
                <td>
                  {resourceKindLabel(view.lang, i.resource)} <code>{i.resource.id}</code>
                </td>
                <td>
                  <When view={view} at={i.closedAt} />
                </td>
                <td>{closeReasonLabel(view.lang, i.closeReason)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

/**
 * The forms the incident page offers now, and the one that was just refused (its errors belong
 * beside its fields); each use case still decides whether what is asked is allowed.
 */
function offered(view: View, detail: IncidentDetail, refused?: string): WebForm[] {
  const ctx = { incident: detail.incident, policy: view.policy, now: view.now, releasable: detail.releasable.length > 0 };
  // Served as another role than the FG's: the FG's forms are not offered (their decisions stand above, read-only).
  return WEB_FORMS.filter((f) => f.id === refused || (f.shown(ctx) && !(view.notFg && isFgForm(f))));
}

export function IncidentPage({
  view,
  detail,
  flash,
  form,
  verifiable = false,
}: {
  view: View;
  detail: IncidentDetail;
  flash?: string;
  form?: FormState;
  /** The page can check the record against its ledger (`datalek verify ID`). */
  verifiable?: boolean;
}) {
  const { w, lang } = view;
  const i = detail.incident;
  const base = `/incidents/${i.id}`;
  const forms = offered(view, detail, form?.action);
  const offer = {
    incident: i,
    policy: view.policy,
    now: view.now,
    ...(view.enteredAt ? { enteredAt: view.enteredAt } : {}),
    findingTypes: detail.findingTypes,
  };
  // A form in its case that its use case would refuse now: not offered, and why said in its place.
  const withheld = WEB_FORMS.filter((f) => !forms.includes(f) && !(view.notFg && isFgForm(f))).flatMap((f) => {
    const why = f.withheld?.(offer);
    return why ? [{ f, why }] : [];
  });
  const stateOf = (f: WebForm): FormState | undefined => {
    if (form?.action === f.id) return form;
    const fields = formFields(f, offer);
    return { action: f.id, values: formValues(fields, formCurrent(f, i), view.tz), errors: {} };
  };
  return (
    <Layout view={view} title={`${i.id} ${oneLine(i.findingType)}`}>
      <h1>
        {w.col.incident} {i.id}
      </h1>
      {flash ? (
        <p class="flash" role="status">
          {flash}
        </p>
      ) : null}
      {form && Object.keys(form.errors).length ? (
        <p class="problem" role="alert">
          <a href={`#f-${form.action}-problem`}>{w.problem}</a>: {Object.values(form.errors).flat()[0]}
        </p>
      ) : null}
      <div class="layout">
        <div>
          <h2>{w.summary}</h2>
          <IncidentSummary view={view} incident={i} />
          <h2>{w.clocks}</h2>
          <ClockTable view={view} clocks={detail.clocks} />
          <NeedsAttention view={view} incident={i} />
          <h2>{w.documents}</h2>
          <ul class="links">
            <li>
              <a href={`${base}/draft?lang=nl`} hreflang="nl">
                {w.draftNl}
              </a>
            </li>
            <li>
              <a href={`${base}/draft?lang=en`} hreflang="en">
                {w.draftEn}
              </a>
            </li>
            <li>
              <a href={`${base}/notice?lang=nl`} hreflang="nl">
                {w.noticeNl}
              </a>
            </li>
            <li>
              <a href={`${base}/notice?lang=en`} hreflang="en">
                {w.noticeEn}
              </a>
            </li>
            <li>
              <a href={`${base}/report.html`} download={`${i.id}.html`}>
                {w.reportHtml}
              </a>
            </li>
            {verifiable ? (
              <li>
                <a href={`${base}/verify`}>{w.verify.link}</a>
              </li>
            ) : null}
          </ul>
          {detail.missing.length ? (
            <>
              <h3>{w.missing}</h3>
              {/* Closing did not need these (review10): said, so the list does not read as if it was closed too early. */}
              {i.state === 'closed' ? <p class="muted">{w.missingClosed}</p> : null}
              <ul id="missing">
                {detail.missing.map((m) => (
                  <li>
                    <MissingItem base={base} item={m} closed={closedAs(i)} />
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <h2>{w.decisions}</h2>
          <Decisions view={view} incident={i} />
          <h2>{w.containment}</h2>
          <ContainmentTable view={view} incident={i} />
          <NotPlanned view={view} incident={i} />
          {/* The personal data removed from its findings after the retention period (fgmin10; core/minimise.ts). */}
          {/* And a hold that keeps them past the retention period (core/retention-hold.ts), with who and why. */}
          {/* A hold on an incident merged into this one, or on the one it was merged into or follows up, holds findings of it too. */}
          {i.minimised || i.retentionHold || detail.holdsInherited.length ? (
            <>
              <h2>{MINIMISED_HEADING[lang]}</h2>
              {i.minimised ? <p id="minimised">{minimisedSummary(i, detail.timeline, lang, (iso) => formatLocal(iso, view.tz))}</p> : null}
              {i.retentionHold ? <p id="retention-hold">{retentionHoldSummary(i, lang, (iso) => formatLocal(iso, view.tz))}</p> : null}
              {detail.holdsInherited.map((h) => (
                <p class="retention-hold-inherited">{inheritedHoldSummary(h, lang, (iso) => formatLocal(iso, view.tz))}</p>
              ))}
            </>
          ) : null}
        </div>
        <section aria-labelledby="actions-title">
          <h2 id="actions-title">{w.actions}</h2>
          {/* Merged: where the breach goes on, and no form (each would be refused there, nis17 item 5). */}
          {i.mergedInto ? (
            <p id="merged-into">
              {w.mergedInto.lead} <a href={`/incidents/${i.mergedInto}`}>{i.mergedInto}</a>
              {w.mergedInto.rest}
            </p>
          ) : forms.length ? (
            <p class="muted">{i.state === 'closed' ? w.afterCloseIntro : w.actionsIntro}</p>
          ) : (
            <p class="muted">{stateLabel(lang, i.state)}</p>
          )}
          {view.notFg && !i.mergedInto ? (
            <p id="fg-read-only" class="muted">
              {w.fgReadOnly(view.notFg.role, callerLabel(lang, view.actor), view.notFg.error)}
            </p>
          ) : null}
          {forms.map((f) =>
            f.id === 'ack' ? (
              <AcknowledgeForm view={view} spec={ackAction} incident={i} action={`${base}/ack`} state={stateOf(f)} />
            ) : (
              <ActionForm
                view={view}
                name={f.id}
                title={f.title[lang]}
                fields={drawnFields(f, offer)}
                action={`${base}/${f.id}`}
                state={stateOf(f)}
                after={(f.id === 'subjects' || f.id === 'after-close-subjects') && form?.action === f.id ? <ConfirmTextAsSent view={view} form={form} /> : null}
                hidden={
                  f.action.onlyChanged
                    ? { _base: (form?.action === f.id && form.base) || formBaseOf(f.action, i) }
                    : f.edits
                      ? { _base: formShownOf(f, i, offer) as string }
                      : {}
                }
              >
                {f.id === 'facts' && i.facts?.complete ? <p class="muted">{w.factsComplete}</p> : null}
                {f.id === 'facts' && i.facts?.otherParties?.length ? (
                  <p class="muted">
                    {w.otherParties}: {i.facts.otherParties.map((p) => `${p.name} (${roleLabel(lang, p.role)})`).join(', ')}
                  </p>
                ) : null}
                {f.id === 'subjects' ? (
                  <>
                    <p>
                      <a href={`${base}/notice?lang=${lang}`}>{w.notice}</a>
                    </p>
                    {/* Said before sending (fg28 item 5): the text is known only then, so what it must not hold is told here. */}
                    <p class="muted">{w.subjectsTextAsSent}</p>
                  </>
                ) : null}
                {/* Named before closing, where the record holds it (fg28 item 5); after closing it can no longer be recorded as carried out. */}
                {f.id === 'close' && stillPlannedAtClose(i).length ? (
                  <p class="blockers">
                    {w.closingStillPlanned(
                      stillPlannedAtClose(i)
                        .map((a) => `${actionLabel(lang, a.type)} ${a.target}`)
                        .join(', '),
                    )}
                  </p>
                ) : null}
                {f.id === 'close' && detail.closeBlockers.length ? (
                  <div class="blockers">
                    <p>{w.closeBlocked}</p>
                    <ul>
                      {detail.closeBlockers.map((b) => (
                        <li>{b.field ? <a href={`${base}#${b.field}`}>{b[lang]}</a> : b[lang]}</li>
                      ))}
                    </ul>
                  </div>
                ) : null}
              </ActionForm>
            ),
          )}
          {withheld.map(({ f, why }) => (
            <div class="action withheld" id={`withheld-${f.id}`}>
              <h3>{f.title[lang]}</h3>
              <p class="muted">{why[lang]}</p>
            </div>
          ))}
        </section>
      </div>
      <h2>{w.messages}</h2>
      <Messages view={view} messages={detail.messages} refused={i.undeliverable} damaged={detail.damagedMessages} incidentId={i.id} />
      <h2>{w.timeline}</h2>
      <Timeline view={view} incident={i} timeline={detail.timeline} />
    </Layout>
  );
}

/**
 * The text sent held what the record warns about: not recorded until confirmed for that text (law27
 * item 6). After the text it confirms, before the button; the problem is named on the box, which is
 * marked invalid and described by it, so its link focuses the box (law28 s28 #3).
 */
function ConfirmTextAsSent({ view, form }: { view: View; form: FormState }) {
  if (!form.confirmText) return null;
  const id = `f-${form.action}-${CONFIRM_TEXT_FIELD}`;
  const errors = form.errors[CONFIRM_TEXT_FIELD] ?? [];
  return (
    <div class={`field${errors.length ? ' invalid' : ''}`}>
      {errors.length ? (
        <p class="error" id={`${id}-error`}>
          {errors.join(' ')}
        </p>
      ) : null}
      <input
        type="checkbox"
        id={id}
        name="_confirm-text"
        value={form.confirmText}
        aria-invalid={errors.length ? 'true' : undefined}
        aria-describedby={errors.length ? `${id}-error` : undefined}
      />{' '}
      <label for={id}>{view.w.confirmTextAsSent}</label>
    </div>
  );
}

/** A text to copy into another place (the AP's form, a letter): read-only, with a copy button the script shows. */
function CopyField({ view, id, label, value }: { view: View; id: string; label: string; value: string | null }) {
  const { w } = view;
  if (value === null) {
    return (
      <div class="draft-field">
        <strong>{label}</strong>
        <span class="empty">{w.notRecorded}</span>
        <span />
      </div>
    );
  }
  return (
    <div class="draft-field">
      <label for={id}>{label}</label>
      <textarea id={id} readonly rows={Math.min(8, Math.max(1, Math.ceil(value.length / 80) + (value.match(/\n/g)?.length ?? 0)))}>
        {value}
      </textarea>
      <button type="button" class="secondary" data-copy={id} data-label={w.copy} data-copied={w.copied} aria-label={`${w.copy}: ${label}`} hidden>
        {w.copy}
      </button>
    </div>
  );
}

/** Closed, and how: merged into another has no form to link to (nis17 item 5). */
function closedAs(incident: Incident): boolean | 'merged' {
  return incident.mergedInto ? 'merged' : incident.state === 'closed';
}

/**
 * Where a missing fact's field is on the page: on a closed incident in the forms of what may still
 * follow (corrected facts, information to the AP); none for what a closed incident no longer takes.
 */
function anchorOf(field: string, closed: boolean | 'merged'): string | null {
  if (closed === 'merged') return null;
  if (!closed) return field;
  for (const [open, after] of [
    ['f-facts-', 'f-after-close-facts-'],
    ['f-reported-', 'f-after-close-report-'],
  ] as const)
    if (field.startsWith(open)) return `${after}${field.slice(open.length)}`;
  return null;
}

/** A fact still missing, linked to the field of the incident page that records it: never a command or a flag. */
function MissingItem({ base, item, closed = false }: { base: string; item: MissingFact; closed?: boolean | 'merged' }) {
  const field = item.field && anchorOf(item.field, closed);
  if (field) return <a href={`${base}#${field}`}>{item.text}</a>;
  return (
    <>
      {item.text}
      {item.page ? ` (${item.page})` : ''}
    </>
  );
}

function Missing({ view, missing, base, closed }: { view: View; missing: MissingFact[]; base: string; closed: boolean | 'merged' }) {
  const { w } = view;
  if (missing.length === 0) return <p class="flash">{w.allPresent}</p>;
  return (
    <section class="blockers" aria-labelledby="missing-title">
      <h2 id="missing-title">{w.missing}</h2>
      <ul>
        {missing.map((m) => (
          <li>
            <MissingItem base={base} item={m} closed={closed} />
          </li>
        ))}
      </ul>
      {closed === 'merged' ? null : (
        <p>
          <a href={`${base}#${closed ? 'after-close-facts' : 'facts'}`}>{w.addFacts}</a>
        </p>
      )}
    </section>
  );
}

export function DraftPage({ view, incident, draft }: { view: View; incident: Incident; draft: Draft }) {
  const { w } = view;
  const base = `/incidents/${incident.id}`;
  const other = draft.language === 'nl' ? 'en' : 'nl';
  return (
    <Layout view={view} title={`${w.draft} ${incident.id}`}>
      <h1>
        {draft.language === 'nl' ? w.draftNl : w.draftEn}: {incident.id}
      </h1>
      <p>{w.draftIntro}</p>
      <ul class="links">
        <li>
          <a href={base}>{w.backToIncident}</a>
        </li>
        <li>
          <a href={`${base}/draft?lang=${other}`} hreflang={other}>
            {other === 'nl' ? w.draftNl : w.draftEn}
          </a>
        </li>
        <li>
          {/* After closing, what follows to the AP is recorded in its own form; the initial report in its own when still owed. */}
          <a
            href={
              incident.mergedInto
                ? `/incidents/${incident.mergedInto}`
                : `${base}#${incident.state !== 'closed' ? 'reported' : apClockRunning(incident, view.policy) ? 'after-close-initial' : 'after-close-report'}`
            }
          >
            {w.recordReportLink}
          </a>
        </li>
      </ul>
      <div lang={draft.language}>
        <Missing view={view} missing={missingFactItems(incident, view.policy, draft.generatedAt, draft.language)} base={base} closed={closedAs(incident)} />
        {draft.warnings.length ? (
          <section class="blockers" aria-labelledby="warnings-title">
            <h2 id="warnings-title">{w.warnings}</h2>
            <ul>
              {draft.warnings.map((m) => (
                <li>{m}</li>
              ))}
            </ul>
          </section>
        ) : null}
        {draft.sections.map((s) => (
          <section aria-labelledby={`s-${s.key}`} data-section={s.key}>
            <h2 id={`s-${s.key}`}>
              {s.number}. {s.title}
            </h2>
            {s.fields.map((f) => (
              <CopyField view={view} id={`d-${s.key}-${f.key.replace(/[^\w-]/g, '-')}`} label={f.label} value={f.value} />
            ))}
          </section>
        ))}
      </div>
    </Layout>
  );
}

export function NoticePage({ view, incident, notice, title }: { view: View; incident: Incident; notice: Notice; title: string }) {
  const { w } = view;
  const base = `/incidents/${incident.id}`;
  const other = notice.language === 'nl' ? 'en' : 'nl';
  const whole = [title, ...notice.sections.map((s) => `${s.title}\n${s.text ?? '…'}`)].join('\n\n');
  return (
    <Layout view={view} title={`${w.notice} ${incident.id}`}>
      <h1>
        {notice.language === 'nl' ? w.noticeNl : w.noticeEn}: {incident.id}
      </h1>
      <p>{w.noticeIntro}</p>
      <ul class="links">
        <li>
          <a href={base}>{w.backToIncident}</a>
        </li>
        <li>
          <a href={`${base}/notice?lang=${other}`} hreflang={other}>
            {other === 'nl' ? w.noticeNl : w.noticeEn}
          </a>
        </li>
        {/* A closed incident takes no Art. 34 decision. */}
        {incident.state === 'closed' ? null : (
          <li>
            <a href={`${base}#subjects`}>{w.recordDecision}</a>
          </li>
        )}
      </ul>
      <div lang={notice.language}>
        <p class="blockers">{notice.note}</p>
        {notice.warnings.map((w) => (
          <p class="blockers">{w}</p>
        ))}
        <Missing view={view} missing={notice.missingItems} base={base} closed={closedAs(incident)} />
        <h2 id="notice-title">{title}</h2>
        {notice.sections.map((s) => (
          <section data-section={s.key}>
            <CopyField view={view} id={`n-${s.key}`} label={s.title} value={s.text} />
          </section>
        ))}
        <CopyField view={view} id="n-whole" label={w.wholeNotice} value={whole} />
      </div>
    </Layout>
  );
}

export function RegisterPage({
  view,
  entries,
  from,
  to,
  query,
}: {
  view: View;
  entries: { incident: Incident; row: RegisterRow; elsewhere: CarriedOutElsewhere[] }[];
  from: string;
  to: string;
  query: string;
}) {
  const { w, lang } = view;
  const rows = entries.map((e) => e.row);
  const c = w.registerCols;
  return (
    <Layout view={view} title={w.register}>
      <h1>{w.register}</h1>
      <p>{w.registerIntro}</p>
      <form method="get" action="/register" class="inline" aria-label={w.period}>
        <div class="field">
          <label for="from">{w.from}</label>
          <input type="date" id="from" name="from" value={from} />
        </div>
        <div class="field">
          <label for="to">{w.until}</label>
          <input type="date" id="to" name="to" value={to} />
        </div>
        <button type="submit">{w.show}</button>
      </form>
      <p>
        {view.unreadable?.length ? <>{w.unreadableDownloads} </> : null}
        {w.export}:{' '}
        {(['csv', 'json', 'md'] as const).map((format, n) => (
          <>
            {n > 0 ? ' · ' : ''}
            <a href={`/register/export?format=${format}${query ? `&${query}` : ''}`} download>
              {format === 'md' ? 'Markdown' : format.toUpperCase()}
            </a>
          </>
        ))}
      </p>
      {rows.length === 0 ? (
        <p>{w.registerEmpty}</p>
      ) : (
        <table>
          <caption>
            {w.register} ({rows.length})
          </caption>
          <thead>
            <tr>
              <th scope="col">{c.incident}</th>
              <th scope="col">{c.detected}</th>
              <th scope="col">{c.type}</th>
              <th scope="col">{c.decision}</th>
              <th scope="col">{c.reasoning}</th>
              <th scope="col">{c.apClock}</th>
              <th scope="col">{c.references}</th>
              <th scope="col">{c.measures}</th>
              <th scope="col">{c.state}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(({ incident: i, row: r, elsewhere }) => (
              <tr>
                <th scope="row">
                  <a href={`/incidents/${r.incidentId}`}>{r.incidentId}</a>
                </th>
                <td>
                  <When view={view} at={r.detectedAt} />
                </td>
                <td>
                  <code>{oneLine(r.findingType)}</code>
                </td>
                <td>{r.notifiable === null ? <span class="muted">{w.notYet}</span> : r.notifiable ? w.notifiable : w.notNotifiable}</td>
                <td>{r.decisionReason ?? ''}</td>
                <td>
                  {r.apClockStatus ? clockShownLabel(lang, r.apClockStatus) : i.sample ? w.sample : ''}
                  {r.enteredAfterDeadline ? <span class="muted"> ({w.enteredAfterDeadline})</span> : null}
                </td>
                <td>
                  {(i.reports ?? []).map((rep) => (
                    <div>
                      {`${recipientLabel(lang, rep.to)} · ${reportKindShown(lang, rep, i.reports ?? [])} · ${rep.reference} · `}
                      <When view={view} at={rep.at} />
                      {rep.enteredLater ? (
                        <span class="muted">
                          {' '}
                          ({rep.enteredAfterDeadline ? w.enteredAfterDeadline : w.enteredLater}:{' '}
                          <When view={view} at={enteredAtOf(i, rep.recordedAt, rep.by, 'reported')} />)
                        </span>
                      ) : null}
                    </div>
                  ))}
                </td>
                <td>{measuresTaken(i, lang, view.tz, elsewhere).join('; ')}</td>
                <td>{stateLabel(lang, i.state)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

export function RunbookPage({ view, name, source }: { view: View; name: string; source: string }) {
  const title = /^#\s+(.*)$/m.exec(source)?.[1] ?? name;
  return (
    <Layout view={view} title={`${view.w.runbook}: ${title}`}>
      <h1>{title}</h1>
      <Markdown source={source.replace(/^#\s+.*$/m, '')} />
    </Layout>
  );
}

/**
 * The record of one incident checked against its ledger (core/verify-store.ts, as `datalek verify
 * ID`): intact, or each entry that was edited, removed, inserted or reordered, as the CLI names it.
 */
export function VerifyPage({
  view,
  incident,
  result,
  drill,
}: {
  view: View;
  incident: Incident;
  result: VerifyResult;
  drill: { from: string; at: string } | null;
}) {
  const { w } = view;
  const ok = verifyOk(result) && drill === null;
  return (
    <Layout view={view} title={`${w.verify.title}: ${incident.id}`}>
      <h1>
        {w.verify.title}: {incident.id}
      </h1>
      <p>
        <a href={`/incidents/${incident.id}`}>{w.verify.back}</a>
      </p>
      {ok ? (
        <p class="flash" role="status">
          {w.verify.ok(incident.id)}
        </p>
      ) : (
        <div class="problem" role="alert">
          <h2>{w.verify.broken(incident.id)}</h2>
          <ul>
            {drill ? <li>{w.verify.drill(drill.from, formatLocal(drill.at, view.tz))}</li> : null}
            {result.store.map((line) => (
              <li>
                {w.verify.store}: {line}
              </li>
            ))}
            {result.problems.map((p) => (
              <li>{view.lang === 'nl' ? describeProblemNl(p) : describeProblem(p)}</li>
            ))}
          </ul>
          <p>{w.verify.brokenNext}</p>
        </div>
      )}
      {(result.duePolicy?.changed ?? []).map((c) => (
        <p role="status">{w.verify.duePolicyChanged(formatLocal(c.due, view.tz), c.judged)}</p>
      ))}
      <p class="muted">{w.verify.what}</p>
      <p class="muted">{w.verify.digests}</p>
    </Layout>
  );
}

export function MessagePage({ view, title, children }: { view: View; title: string; children: Child }) {
  return (
    <Layout view={view} title={title}>
      <h1>{title}</h1>
      {children}
    </Layout>
  );
}
