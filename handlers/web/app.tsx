/**
 * The web application behind `datalek serve`: a Hono app, server-rendered with Hono's JSX, no
 * front-end build. Requests pass the checks of security.ts first (Host, session token, then for a
 * POST the Origin and the CSRF token); the pages read through the use cases' queries and every
 * form runs the same action as the CLI command of the same name, with the same rules and the same
 * error text, shown beside the field it is about.
 *
 * Primary course of a form:
 * 1. the form's text becomes the fields' raw values (a local time gets the policy's zone);
 * 2. the fields are parsed as the CLI parses its flags; each bad one is kept for its field;
 * 3. the use case runs; a refusal goes back to the form, with what was entered, as 400;
 * 4. messages the use case queued are delivered, and the browser is sent back to the incident
 *    (303) with a line saying what was recorded.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { stillPlannedAtClose } from '../core/breach-facts.js';
import { enteredAt } from '../core/change-incident.js';
import { riskFollowUpOwed } from '../core/clocks.js';
import { MAX_SENT_TEXT_BYTES } from '../core/commit-bounds.js';
import { buildDraft } from '../core/draft.js';
import { drillTitle } from '../core/drill.js';
import { ActedNotRecordedError, ConflictError, DatalekError, IncidentNotFoundError, RefusedError, StuckConflictError, UsageError } from '../core/errors.js';
import { MAX_EVENT_BYTES } from '../core/finding.js';
import { sha256 } from '../core/hash.js';
import type { Incident } from '../core/incident.js';
import { toldOutside } from '../core/incident-pseudonyms.js';
import { actionLabel, actorLabel } from '../core/labels.js';
import { buildNotice, elisionsIn, noticeTitle, placeholdersIn, senderNotesIn } from '../core/notice.js';
import { findingOfEvent, openByHand } from '../core/open-by-hand.js';
import type { ReleaseOutcome, UndoneFor } from '../core/release.js';
import { reportHtml } from '../core/report-html.js';
import { oneLine } from '../core/text.js';
import { formatLocal } from '../core/time.js';
import { verifyStore } from '../core/verify-store.js';
import type { AuditSource } from '../ports/audit-source.js';
import type { IncidentStore } from '../ports/incident-store.js';
import { type AckOutcome, type ActionDeps, checkedReads, OPEN_FIELDS } from '../use-cases/actions.js';
import { type FieldSpec, type Lang, oneOf, parseFieldsAll, type Text } from '../use-cases/fields.js';
import { closedIncidents, incidentDetail, measuresElsewhere, openIncidents, registerEntries, registerExport } from '../use-cases/queries.js';
import { changedValues, formBaseOf, formCurrent, formFields, formShownOf, parseFormBase, webForm } from './action-forms.js';
import { APP_CSS, APP_JS } from './assets.js';
import type { Unreadable, View } from './components.js';
import { addError, CONFIRM_TEXT_FIELD, type FormState, fieldOf, formValues, localToIso, pageMessage, rawFromForm, type Submitted } from './forms.js';
import { type TextFound, words } from './i18n.js';
import { registerLinkRoutes } from './links.js';
import { ClosedPage, DraftPage, IncidentPage, MessagePage, NoticePage, OpenPage, OverviewPage, RegisterPage, RunbookPage, VerifyPage } from './pages.js';
import { type SessionSecrets, sameSecret, securityHeaders, sessionCookieName } from './security.js';

export interface WebDeps extends ActionDeps {
  /** Who acts: the name given to `serve` (or the OS user), or on AWS the signed identity. */
  actor: string;
  target: 'local' | 'aws';
  /** Served on AWS as another identity than the FG's role (View `notFg`): the FG's forms are shown read-only. */
  notFg?: { role: string | null; error?: string };
  /**
   * On AWS, asked on each request after the session check: the page's `notFg` then (undefined: served
   * as the FG's role). A failed lookup is said on the page and asked again on the next request.
   */
  fgState?: () => Promise<{ role: string | null; error?: string } | undefined>;
  /** False when the clock is fixed (`--now`): the page then does not count down. */
  live: boolean;
  /** The machine's own clock on a real store (the CLI's person deps carry it): the link routes judge expiry by it too (links.tsx). */
  machineNow?: () => string;
  session: SessionSecrets;
  /** The Host header values this server answers to (`127.83.4.17:8733`). */
  hosts: string[];
  /**
   * Serve only the pages' signed links and the pager's webhooks (and refuse the rest, the session
   * token included): the app `serve` puts on 127.0.0.1, where the links sent from this machine point.
   */
  linksOnly?: boolean;
  /** Names the session cookie, so that two servers on one machine keep apart. */
  port: number;
  /** The runbooks/ folder the containment table links to. */
  runbooksDir: string;
  /** Sends the messages an action queued, as the CLI does after its commands. */
  deliver?: () => Promise<void>;
  /** Where the server reports failures (never a request's content). */
  log?: (line: string) => void;
  /**
   * The acknowledgement link key: with it, the pages behind a page's signed link (and the pager's
   * webhooks) are served too, without the session (links.tsx).
   */
  linkKey?: () => Promise<Buffer>;
  /** The pager's webhook secret, from the secret store. */
  webhookSecret?: () => Promise<string | undefined>;
  /** What `datalek verify` reads: with it, an incident's page checks its record against its ledger. */
  audit?: AuditSource;
  /** Set when the store is a drill copy, which `verify` never takes for the record. */
  drill?: { from: string; at: string } | null;
}

/** `form`: the form sent, its CSRF token checked; `formTooLarge`: it is over MAX_BODY_BYTES (only the open form is read so far). */
type Env = { Variables: { form: Submitted; formTooLarge?: boolean } };

const LANG_COOKIE = 'datalek_lang';
const MAX_BODY_BYTES = 64 * 1024;
/**
 * How much of an open form over MAX_BODY_BYTES is still read, to give back what was typed beside a
 * paste the form cannot take: a pasted event as large as an event may be, URL-encoded (up to three
 * bytes a character). Past it the page answers with nothing kept.
 */
const MAX_OPEN_READ_BYTES = 4 * MAX_EVENT_BYTES;
/**
 * How much an Art. 34 form takes: the text of a communication as sent up to MAX_SENT_TEXT_BYTES,
 * URL-encoded (up to three bytes for each of its bytes), beside the other fields' MAX_BODY_BYTES. A
 * notice datalek drafts runs past 64 KB encoded, and the text field takes it (review11 A4).
 */
const MAX_SENT_FORM_BYTES = 3 * MAX_SENT_TEXT_BYTES + MAX_BODY_BYTES;
/** The forms that carry the text of a communication (web/action-forms.ts, subjectsAction). */
const SENT_TEXT_FORM = /^\/incidents\/[^/]+\/(after-close-)?subjects$/;

export function createWebApp(deps: WebDeps): Hono<Env> {
  const app = new Hono<Env>();
  const cookie = sessionCookieName(deps.port);
  const runbooks = new Set(
    readdirSync(deps.runbooksDir)
      .filter((f) => /^[a-z0-9-]+\.md$/.test(f) && f !== 'README.md')
      .map((f) => f.replace(/\.md$/, '')),
  );

  const langOf = (c: Context<Env>): Lang => {
    const chosen = getCookie(c, LANG_COOKIE);
    return chosen === 'nl' || chosen === 'en' ? chosen : deps.policy.language;
  };
  // The FG's forms: fixed (deps.notFg), or as fgState last said (read before each request's page).
  let fgNow: { role: string | null; error?: string } | undefined = deps.notFg;
  const notFg = () => fgNow;
  const viewOf = (c: Context<Env>, path = new URL(c.req.url).pathname): View => {
    const lang = langOf(c);
    return {
      lang,
      w: words(lang),
      policy: deps.policy,
      tz: deps.policy.timeZone,
      now: deps.now(),
      enteredAt: enteredAt(deps),
      csrf: deps.session.csrf,
      actor: deps.actor,
      target: deps.target,
      ...(notFg() ? { notFg: notFg() } : {}),
      live: deps.live,
      path,
      ...(deps.drill ? { drill: deps.drill } : {}),
    };
  };
  const forbidden = (c: Context<Env>, why: keyof ReturnType<typeof words>['forbidden']) => {
    const w = words(langOf(c));
    return c.html(
      `<!doctype html><html lang="${langOf(c)}"><head><meta charset="utf-8"><title>403 ${w.forbiddenTitle}</title></head><body><main><h1>403 ${w.forbiddenTitle}</h1><p>${w.forbidden[why].replace(/[&<>]/g, '')}</p></main></body></html>`,
      403,
    );
  };

  // Every response, refusals included, carries the security headers.
  app.use('*', securityHeaders);

  // 1. DNS rebinding: a page on another name that resolves to 127.0.0.1 sends that name.
  app.use('*', async (c, next) => {
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!deps.hosts.includes(host)) return forbidden(c, 'host');
    await next();
  });

  // A signed acknowledgement link and the pager's webhooks authorise themselves (links.tsx): they
  // come before the session check, and nothing else does.
  if (deps.linkKey) {
    const deliver = deps.deliver;
    registerLinkRoutes(app, {
      store: deps.store,
      policy: deps.policy,
      now: deps.now,
      ...(deps.machineNow ? { machineNow: deps.machineNow } : {}),
      linkKey: deps.linkKey,
      webhookSecret: deps.webhookSecret,
      acknowledged: deliver ? async () => deliver() : undefined,
      target: deps.target,
      live: deps.live,
      log: deps.log,
      ...(deps.drill ? { drill: deps.drill } : {}),
    });
  }

  // On the address the links point at, nothing else: a session cookie set there would go to other local services.
  if (deps.linksOnly) app.use('*', async (c) => forbidden(c, 'linksOnly'));

  // 2. The session token: from the printed URL once, then from the cookie; otherwise nothing.
  app.use('*', async (c, next) => {
    const url = new URL(c.req.url);
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (!sameSecret(given, deps.session.token)) return forbidden(c, 'token');
      setCookie(c, cookie, deps.session.token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      url.searchParams.delete('token');
      // Out of the address bar and the history at once.
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    if (!sameSecret(getCookie(c, cookie), deps.session.token)) return forbidden(c, 'token');
    await next();
  });

  if (deps.fgState) {
    const fgState = deps.fgState;
    app.use('*', async (_c, next) => {
      fgNow = await fgState();
      await next();
    });
  }

  // 3. A POST must come from this server's own page and carry its CSRF token; nothing else changes state.
  app.use('*', async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    if (method !== 'POST') return c.text('Method not allowed', 405, { Allow: 'GET, HEAD, POST' });
    const origin = c.req.header('origin');
    if (origin !== undefined && !deps.hosts.some((h) => origin === `http://${h}`)) return forbidden(c, 'origin');
    if (c.req.header('sec-fetch-site') === 'cross-site') return forbidden(c, 'origin');
    await next();
  });
  // Opening an incident by hand (`datalek open`): the same fields, checks and refusals; the same
  // statement twice opens one incident (its id is derived from it), so a form sent again is refused.
  const openFields: readonly FieldSpec[] = [
    ...OPEN_FIELDS.filter((f) => f.name === 'what' || f.name === 'aware-at'),
    OPEN_FINDING_FIELD,
    ...OPEN_FIELDS.filter((f) => f.name === 'aware-reason'),
  ];
  const openPage = (c: Context<Env>, state?: FormState, status: 200 | 400 | 413 = 200) =>
    c.html(<OpenPage view={viewOf(c, '/open')} fields={openFields} state={state} />, status);
  /**
   * The open form over MAX_BODY_BYTES: the open page again in its language, nothing recorded, with
   * what was typed (`form`, when it could be read and its CSRF token checked) back in its fields but
   * the paste, which the form cannot take; the command that takes it is named.
   */
  const openTooLarge = (c: Context<Env>, form?: Submitted) => {
    const state: FormState = { action: 'open', values: form ? formState({ ...form, finding: '' }, openFields) : {}, errors: {} };
    addError(state, form ? 'finding' : '', tooLarge(langOf(c), form !== undefined));
    return openPage(c, state, 413);
  };
  const formLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.text('Request too large', 413) });
  const openLimit = bodyLimit({ maxSize: MAX_OPEN_READ_BYTES, onError: (c) => openTooLarge(c) });
  const sentTextLimit = bodyLimit({ maxSize: MAX_SENT_FORM_BYTES, onError: (c) => c.text('Request too large', 413) });
  app.post(
    '*',
    (c, next) => (c.req.path === '/open' ? openLimit(c, next) : SENT_TEXT_FORM.test(c.req.path) ? sentTextLimit(c, next) : formLimit(c, next)),
    async (c, next) => {
      // The open form is read past MAX_BODY_BYTES only to give back what was typed (openTooLarge).
      if (c.req.path === '/open' && (await c.req.arrayBuffer()).byteLength > MAX_BODY_BYTES) c.set('formTooLarge', true);
      const body = await c.req.parseBody({ all: true });
      const form: Submitted = {};
      for (const [k, v] of Object.entries(body)) {
        if (typeof v === 'string') form[k] = v;
        else if (Array.isArray(v)) form[k] = v.filter((x): x is string => typeof x === 'string');
      }
      if (!sameSecret(typeof form._csrf === 'string' ? form._csrf : undefined, deps.session.csrf)) return forbidden(c, 'csrf');
      c.set('form', form);
      await next();
    },
  );

  app.get('/assets/app.css', (c) => c.body(APP_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' }));
  app.get('/assets/app.js', (c) => c.body(APP_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));

  app.get('/lang/:lang', (c) => {
    const lang = c.req.param('lang');
    if (lang === 'nl' || lang === 'en') setCookie(c, LANG_COOKIE, lang, { httpOnly: true, sameSite: 'Strict', path: '/' });
    const back = c.req.query('back') ?? '/';
    // Only a path on this server: never `//elsewhere` or a full URL.
    return c.redirect(/^\/(?![/\\])[^\s]*$/.test(back) ? back : '/', 303);
  });

  /**
   * For a list: an incident whose record cannot be read is left out, named on the page and in serve's
   * log, and the rest listed, as `status` and `register` do (atk29 A7): one damaged record must not hide the others.
   */
  const leftOut = (c: Context<Env>) => {
    const found: Unreadable[] = [];
    const onUnreadable = (p: Unreadable) => {
      if (found.some((f) => f.incidentId === p.incidentId)) return;
      found.push(p);
      deps.log?.(
        oneLine(
          `datalek serve: incident ${p.incidentId} cannot be read from the store (${p.reason}); left out of ${c.req.path}: datalek verify ${p.incidentId}`,
        ),
      );
    };
    return { onUnreadable, view: (path?: string): View => ({ ...viewOf(c, path), ...(found.length ? { unreadable: found } : {}) }) };
  };
  app.get('/', async (c) => {
    const list = leftOut(c);
    const incidents = await openIncidents(deps, list.onUnreadable);
    return c.html(<OverviewPage view={list.view()} incidents={incidents} />);
  });
  app.get('/closed', async (c) => {
    const list = leftOut(c);
    const incidents = await closedIncidents(deps, list.onUnreadable);
    return c.html(<ClosedPage view={list.view()} incidents={incidents} />);
  });

  app.get('/open', (c) => openPage(c));
  app.post('/open', async (c) => {
    const form = c.get('form');
    if (c.get('formTooLarge')) return openTooLarge(c, form);
    const state: FormState = { action: 'open', values: formState(form, openFields), errors: {} };
    const refused = (errors: DatalekError[]) => {
      for (const err of errors) addError(state, fieldOf(err, openFields), pageMessage(err, langOf(c), openFields));
      return openPage(c, state, 400);
    };
    const { raw, errors: timeErrors } = rawFromForm(openFields, form, deps.policy.timeZone);
    const parsed = parseFieldsAll(openFields, raw);
    if (!parsed.values || timeErrors.length) return refused([...timeErrors, ...parsed.errors]);
    const values = parsed.values as Record<string, string | undefined>;
    // A finding the policy ignored, pasted as EventBridge delivered it: read as `open --finding` reads its file.
    const pasted = values.finding?.trim() ? findingOfEvent(values.finding, deps.now()) : undefined;
    if (pasted && 'problem' in pasted) return refused([notAnEvent(pasted.problem)]);
    let incident: Incident;
    try {
      incident = await openByHand(deps, {
        by: deps.actor,
        what: values.what as string,
        awareAt: values['aware-at'] as string,
        finding: pasted?.finding,
        awareReason: values['aware-reason'],
      });
    } catch (err) {
      if (err instanceof UsageError || err instanceof RefusedError) return refused([err]);
      throw err;
    }
    await deliverQuietly(deps);
    return c.redirect(`/incidents/${incident.id}?done=open`, 303);
  });

  const loadIncident = async (c: Context<Env>): Promise<Incident | Response> => {
    const id = c.req.param('id') ?? '';
    const incident = await deps.store.getIncident(id);
    if (incident) return incident;
    const view = viewOf(c);
    return c.html(
      <MessagePage view={view} title={view.w.notFound}>
        <p>{view.w.noIncident(id)}</p>
      </MessagePage>,
      404,
    );
  };

  const incidentPage = async (c: Context<Env>, incident: Incident, extra: { flash?: string; form?: FormState } = {}, status: 200 | 400 | 500 | 503 = 200) => {
    const view = viewOf(c, `/incidents/${incident.id}`);
    const detail = await incidentDetail(deps, incident, view.lang);
    return c.html(<IncidentPage view={view} detail={detail} flash={extra.flash} form={extra.form} verifiable={deps.audit !== undefined} />, status);
  };

  app.get('/incidents/:id', async (c) => {
    const incident = await loadIncident(c);
    if (incident instanceof Response) return incident;
    const lang = langOf(c);
    const w = words(lang);
    const done = c.req.query('done');
    let flash: string | undefined;
    if (done === 'ack') {
      flash =
        c.req.query('changed') === '0'
          ? w.flash.ackAlready(
              actorLabel(lang, incident.acknowledgedBy),
              incident.acknowledgedAt ? formatLocal(incident.acknowledgedAt, deps.policy.timeZone) : '',
            )
          : c.req.query('alert') === '1'
            ? w.link.alertTaken
            : w.flash.ack(actorLabel(lang, incident.acknowledgedBy));
    } else if (done && Object.hasOwn(w.flash, done)) {
      // Its own words only: `in` took what every object inherits (?done=constructor drew an empty box, atk29 A8).
      const text: unknown = w.flash[done as keyof typeof w.flash];
      if (typeof text === 'string') flash = text;
    }
    // A high risk the AP's last report did not carry: the follow-up owed, as `assess` says on the command line (law28).
    const raised = done === 'assess' || done === 'after-close-assess' ? riskFollowUpOwed(incident, deps.policy) : undefined;
    if (raised) flash = `${flash} ${w.riskFollowUpOwed(raised.report.reference, incident.state === 'closed')}`;
    // Closed with a step only planned: named, as `close` warns on the command line (fg26 item 1).
    const planned = done === 'close' && incident.state === 'closed' ? stillPlannedAtClose(incident) : [];
    if (planned.length) flash = `${flash} ${w.closedStillPlanned(planned.map((a) => `${actionLabel(lang, a.type)} ${a.target}`).join(', '))}`;
    // What was recorded as told holds the notice's notes for the sender, as `subjects` warns on the command line (fg26 item 2).
    const told = done === 'subjects' ? [incident.subjects?.text, incident.subscribers?.text] : [];
    if (told.some((t) => t && senderNotesIn(t, incident.id).length)) flash = `${flash} ${w.toldWithSenderNotes}`;
    // An elision ("…") left in it, as `subjects` warns on the command line (fg28 item 6).
    if (told.some((t) => t && elisionsIn(t).length)) flash = `${flash} ${w.toldWithElision}`;
    // A template's placeholders left in it (law27 item 5).
    if (told.some((t) => t && placeholdersIn(t).length)) flash = `${flash} ${w.toldWithPlaceholders}`;
    if (c.req.query('delay') === 'unfinished') flash = `${flash} ${w.delayReasonWithPlaceholders}`;
    // The other incidents a release undid containment for or handed an action back to, as `release` names them (rel28).
    if (done === 'release' || done === 'release-failed')
      for (const [id, now] of await releasedFor(deps.store, incident.id, c.req.query('for'))) flash = `${flash} ${w.releasedFor(id, now)}`;
    return incidentPage(c, incident, { flash });
  });

  app.post('/incidents/:id/:form', async (c) => {
    const web = webForm(c.req.param('form'));
    if (!web) return c.notFound();
    const incident = await loadIncident(c);
    if (incident instanceof Response) return incident;
    const action = web.action;
    const fields = formFields(web, { incident, policy: deps.policy, now: deps.now(), enteredAt: enteredAt(deps) });
    const form = c.get('form');
    const state: FormState = { action: web.id, values: formState(form, fields), errors: {}, ...(typeof form._base === 'string' ? { base: form._base } : {}) };
    const refused = (errors: DatalekError[], shown = incident, status: 400 | 500 | 503 = 400) => {
      for (const err of errors) addError(state, fieldOf(err, fields), pageMessage(err, langOf(c), fields));
      return incidentPage(c, shown, { form: state }, status);
    };
    /**
     * A page drawn before the record changed what the form acts on: the form is drawn again from
     * the record as it is now (`seen`), keeping what the person entered (of a form that records only
     * changes, only the fields she changed), with the notice; sending it again records it.
     */
    const outOfDate = (err: OutOfDateError) => {
      if (action.onlyChanged) {
        const mine = formState(form, fields);
        state.values = { ...formValues(fields, formCurrent(web, err.seen), deps.policy.timeZone), ...pick(mine, err.mine) };
        state.base = formBaseOf(action, err.seen);
      } else delete state.base;
      return refused([err], err.seen);
    };

    // What the page drew from the record: a recorded time it showed is taken back as recorded.
    const drawnFrom = (action.onlyChanged ? parseFormBase(form._base) : null) ?? formCurrent(web, incident);
    const { raw, errors: timeErrors } = rawFromForm(fields, form, deps.policy.timeZone, drawnFrom);
    const parsed = parseFieldsAll(fields, raw);
    // What the page showed of what the form acts on, against a record: the page handler's read
    // first, then every read of the use case until it writes (`checkedReads`), so a change committed
    // in between is caught too.
    const base = action.onlyChanged ? parseFormBase(form._base) : null;
    const changed = base && parsed.values ? changedValues(action, parsed.values, incident, base) : null;
    const check = (seen: Incident) => {
      if (web.edits && form._base !== formShownOf(web, seen, { policy: deps.policy, now: deps.now() })) throw new OutOfDateError(web.edits.changed, seen, []);
      if (changed) {
        const conflicts = changedValues(action, parsed.values as Record<string, unknown>, seen, base as Record<string, unknown>).conflicts;
        if (conflicts.length) throw new OutOfDateError(conflictingChange(conflicts, fields), seen, Object.keys(changed.values));
      }
    };
    try {
      check(incident);
    } catch (err) {
      if (err instanceof OutOfDateError) return outOfDate(err);
      throw err;
    }
    if (!parsed.values || timeErrors.length) return refused([...timeErrors, ...parsed.errors]);
    if (action.onlyChanged && !changed) return refused([staleForm()]);
    const values = changed ? changed.values : parsed.values;
    // The Art. 34 text is recorded as what was sent: what the record would warn about is shown first,
    // and recorded once the person confirms that very text (law27 item 6; `subjects` on the command line warns after).
    const asSent = web.id === 'subjects' || web.id === 'after-close-subjects' ? textFound((values as { text?: unknown }).text, incident.id) : null;
    if (asSent && form['_confirm-text'] !== asSent.digest) {
      state.confirmText = asSent.digest;
      // Named on the box to tick, not on the text: the problem's link focuses the box, and the box is
      // described by it (law28 s28 #3). The text stays as entered, to correct instead.
      addError(state, CONFIRM_TEXT_FIELD, words(langOf(c)).textNotYetRecorded(asSent));
      return refused([]);
    }
    let result: unknown;
    try {
      const checked = web.edits || changed ? checkedReads(deps, incident.id, check) : deps;
      result = await action.run(checked, action.input(values as never, { incidentId: incident.id, by: deps.actor }));
    } catch (err) {
      if (err instanceof OutOfDateError) return outOfDate(err);
      if (err instanceof UsageError || err instanceof RefusedError) return refused([err]);
      if (err instanceof ActedNotRecordedError) {
        // Carried out in AWS, its record lost the race: the page says what was done and that the record lacks it (never "nothing recorded").
        deps.log?.(
          `datalek serve: the ${web.id} form on incident ${incident.id} was carried out in AWS and not all of it recorded: other changes to it kept coming`,
        );
        state.acted = true;
        return refused([err], (await deps.store.getIncident(incident.id)) ?? incident, 503);
      }
      if (err instanceof StuckConflictError) {
        // No race: the store refuses this change for good. The page (the person's own server) says so with the store's words, as the CLI does.
        deps.log?.(
          `datalek serve: the ${web.id} form on incident ${incident.id} was not recorded: the store refused it at every try while the incident did not change (not a race; datalek verify ${err.incidentId})`,
        );
        return refused([stuckConflict(err)], (await deps.store.getIncident(incident.id)) ?? incident, 500);
      }
      if (err instanceof ConflictError) {
        // Lost the race at every try the use case made: nothing recorded; the conflict's text (it may name a resource) stays out of the page.
        deps.log?.(
          `datalek serve: the ${web.id} form on incident ${incident.id} was not recorded: other changes to it kept coming; the person was asked to send it again`,
        );
        return refused([lostRace()], (await deps.store.getIncident(incident.id)) ?? incident, 503);
      }
      throw err;
    }
    await deliverQuietly(deps);
    const ack = web.id === 'ack' ? (result as AckOutcome) : undefined;
    // A second acknowledgement took only the alert the pager raised again: the incident's acknowledger stays the first.
    const taken = ack?.changed === false ? '&changed=0' : ack?.alertAcknowledged ? '&alert=1' : '';
    // A release some step of which failed says so, not "released".
    const done = web.id === 'release' && (result as ReleaseOutcome).failed.length ? 'release-failed' : web.id;
    // Reasons for a delay (a report's, or an assessment's that moved awareness) holding a template's placeholders or "…":
    // the message says so, as `reported` and `assess --delay-reason` warn on the command line (red27 #6).
    const reasons = (values as { 'delay-reason'?: unknown })['delay-reason'];
    const unfinished = typeof reasons === 'string' && (placeholdersIn(reasons).length || elisionsIn(reasons).length) ? '&delay=unfinished' : '';
    const undone = web.id === 'release' ? (result as ReleaseOutcome).undoneFor : [];
    const others = undone.length ? `&for=${encodeURIComponent(undone.map((u) => `${u.incidentId}:${u.now}`).join(','))}` : '';
    return c.redirect(`/incidents/${incident.id}?done=${done}${taken}${unfinished}${others}`, 303);
  });

  // The record against its ledger, as `datalek verify ID` checks it: reading only.
  app.get('/incidents/:id/verify', async (c) => {
    const audit = deps.audit;
    if (!audit) return c.notFound();
    const incident = await loadIncident(c);
    if (incident instanceof Response) return incident;
    // Claims are judged against the real clock, as the CLI does (a fixed past clock would make every lease look long).
    const now = [deps.now(), new Date().toISOString()].sort().at(-1) as string;
    // With the policy the page serves, as `datalek verify` judges the due time with the one it loads (red27 #2).
    const result = await verifyStore(audit, { only: incident.id, now, policy: deps.policy });
    return c.html(<VerifyPage view={viewOf(c)} incident={incident} result={result} drill={deps.drill ?? null} />);
  });

  app.get('/incidents/:id/draft', async (c) => {
    const incident = await loadIncident(c);
    if (incident instanceof Response) return incident;
    const view = viewOf(c);
    let lang: Lang;
    try {
      lang = oneOf('lang', c.req.query('lang'), ['nl', 'en'] as const, view.lang);
    } catch (err) {
      return c.text((err as Error).message, 400);
    }
    const draft = buildDraft(incident, deps.policy, view.now, lang, await measuresElsewhere(deps, incident));
    return c.html(<DraftPage view={{ ...view, path: `/incidents/${incident.id}/draft?lang=${lang}` }} incident={incident} draft={draft} />);
  });

  app.get('/incidents/:id/notice', async (c) => {
    const incident = await loadIncident(c);
    if (incident instanceof Response) return incident;
    const view = viewOf(c);
    let lang: Lang;
    try {
      lang = oneOf('lang', c.req.query('lang'), ['nl', 'en'] as const, view.lang);
    } catch (err) {
      return c.text((err as Error).message, 400);
    }
    const notice = buildNotice(incident, deps.policy, view.now, lang, await measuresElsewhere(deps, incident));
    return c.html(
      <NoticePage
        view={{ ...view, path: `/incidents/${incident.id}/notice?lang=${lang}` }}
        incident={incident}
        notice={notice}
        title={deps.drill ? `${drillTitle(lang)}: ${noticeTitle(notice, deps.policy)}` : noticeTitle(notice, deps.policy)}
      />,
    );
  });

  app.get('/incidents/:id/report.html', async (c) => {
    const incident = await loadIncident(c);
    if (incident instanceof Response) return incident;
    const lang = langOf(c);
    const timeline = await deps.store.getTimeline(incident.id);
    const html = reportHtml(incident, timeline, deps.policy, deps.now(), lang, await measuresElsewhere(deps, incident), deps.drill ?? null);
    return c.body(html, 200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Disposition': `attachment; filename="${incident.id}.html"` });
  });

  /** The register's period from the page's dates: whole days in the policy's zone, `to` included. */
  const period = (c: Context<Env>): { from?: string; to?: string; fromDate: string; toDate: string } | string => {
    const fromDate = c.req.query('from') ?? '';
    const toDate = c.req.query('to') ?? '';
    const day = /^\d{4}-\d{2}-\d{2}$/;
    for (const [flag, value] of [
      ['from', fromDate],
      ['to', toDate],
    ] as const) {
      if (value && (!day.test(value) || !Number.isFinite(Date.parse(value))))
        return `--${flag} must be a date such as 2026-11-01, got ${JSON.stringify(value)}`;
    }
    // A period that ends before it starts is a typing error, not an empty register (atk29 A8).
    if (fromDate && toDate && toDate < fromDate)
      return `--to ${toDate} lies before --from ${fromDate}: the register would be empty for a period that cannot be; give its first day as from and its last as to`;
    const tz = deps.policy.timeZone;
    const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    return {
      fromDate,
      toDate,
      from: fromDate ? new Date(Date.parse(localToIso(`${fromDate}T00:00`, tz, 'from'))).toISOString() : undefined,
      to: toDate ? new Date(Date.parse(localToIso(`${nextDay(toDate)}T00:00`, tz, 'to'))).toISOString() : undefined,
    };
  };

  app.get('/register', async (c) => {
    const p = period(c);
    if (typeof p === 'string') return c.text(p, 400);
    const query = new URLSearchParams({ ...(p.fromDate ? { from: p.fromDate } : {}), ...(p.toDate ? { to: p.toDate } : {}) }).toString();
    const list = leftOut(c);
    const entries = await registerEntries(deps, { ...p, onUnreadable: list.onUnreadable });
    return c.html(<RegisterPage view={list.view(`/register${query ? `?${query}` : ''}`)} entries={entries} from={p.fromDate} to={p.toDate} query={query} />);
  });

  app.get('/register/export', async (c) => {
    const p = period(c);
    if (typeof p === 'string') return c.text(p, 400);
    let format: 'csv' | 'json' | 'md';
    try {
      format = oneOf('format', c.req.query('format'), ['csv', 'json', 'md'] as const);
    } catch (err) {
      return c.text((err as Error).message, 400);
    }
    const name = `datalek-register${p.fromDate ? `-${p.fromDate}` : ''}${p.toDate ? `-${p.toDate}` : ''}.${format}`;
    // The rest, the unreadable named in serve's log; the register page above the links names them.
    const body = await registerExport(deps, { ...p, onUnreadable: leftOut(c).onUnreadable }, format);
    const type = format === 'json' ? 'application/json' : format === 'md' ? 'text/markdown' : 'text/csv';
    return c.body(body, 200, { 'Content-Type': `${type}; charset=utf-8`, 'Content-Disposition': `attachment; filename="${name}"` });
  });

  app.get('/runbooks/:name', (c) => {
    const name = c.req.param('name');
    if (!runbooks.has(name)) return c.notFound();
    const source = readFileSync(join(deps.runbooksDir, `${name}.md`), 'utf8');
    return c.html(<RunbookPage view={viewOf(c)} name={name} source={source} />);
  });

  app.notFound((c) => {
    const view = viewOf(c);
    return c.html(
      <MessagePage view={view} title={view.w.notFound}>
        <p>
          <a href="/">{view.w.overview}</a>
        </p>
      </MessagePage>,
      404,
    );
  });

  app.onError((err, c) => {
    if (err instanceof IncidentNotFoundError) return c.notFound();
    // A failure can quote the store's words, which may name a principal by the store-wide pseudonym
    // (a claim's key): withheld in the log (serve's stderr, kept wherever its service keeps it) and
    // on the page, as the functions' logs withhold it (fg24; core/incident-pseudonyms.ts toldOutside).
    deps.log?.(toldOutside(undefined, `datalek serve: ${err instanceof DatalekError ? err.message : (err.stack ?? String(err))}`));
    const view = viewOf(c);
    return c.html(
      <MessagePage view={view} title="500">
        <p>{err instanceof DatalekError ? toldOutside(undefined, err.message) : 'unexpected failure; see the terminal that runs datalek serve'}</p>
      </MessagePage>,
      500,
    );
  });

  return app;
}

/** A form whose page is out of date: what the record holds now (`seen`), and the fields the person changed (`mine`). */
class OutOfDateError extends RefusedError {
  constructor(
    refusal: RefusedError | Text,
    readonly seen: Incident,
    readonly mine: readonly string[],
  ) {
    const words = refusal instanceof RefusedError ? { en: refusal.message, page: refusal.page } : { en: refusal.en, page: refusal };
    super(words.en, { page: words.page });
  }
}

function pick<T>(values: Record<string, T>, names: readonly string[]): Record<string, T> {
  return Object.fromEntries(Object.entries(values).filter(([name]) => names.includes(name)));
}

/** A form that records only changes, sent without what its page showed: nothing to tell the person's changes by. */
function staleForm(): RefusedError {
  const en = 'This form is out of date or incomplete (it lacks what the page showed). Nothing was recorded: reload the page.';
  return new RefusedError(en, {
    page: { en, nl: 'Dit formulier is verouderd of onvolledig (het mist wat de pagina toonde). Er is niets vastgelegd: laad de pagina opnieuw.' },
  });
}

/**
 * The open form's finding: the event pasted as EventBridge delivered it (the command line reads it
 * from a file, `--finding FILE`). Bounded as an event is (MAX_EVENT_BYTES), not as a reason: a
 * pretty-printed port probe or a runtime finding with its process lineage is over 8000 characters
 * (read11c C4). The textarea allows as much, for a browser cuts a longer paste silently; the form
 * takes 64 KB (MAX_BODY_BYTES), and a larger paste is refused naming the command (`tooLarge`).
 */
const OPEN_FINDING_FIELD: FieldSpec = {
  name: 'finding',
  kind: 'longtext',
  maxChars: MAX_EVENT_BYTES,
  overBound: { nl: 'open het incident met datalek open --finding BESTAND', en: 'open the incident with datalek open --finding FILE' },
  label: { nl: 'Bevinding (de gebeurtenis als JSON)', en: 'Finding (the event as JSON)' },
  hint: {
    nl: 'Alleen voor een bevinding die het beleid negeerde: plak de gebeurtenis zoals EventBridge die afleverde. Latere versies van de bevinding komen dan bij dit incident.',
    en: 'Only for a finding the policy ignored: paste the event as EventBridge delivered it. Later versions of the finding then join this incident.',
  },
};

/**
 * The open form over MAX_BODY_BYTES, in `lang`: a pasted event that large is opened from its file
 * (nothing recorded; no value named); `kept`: what else was typed is back in its fields.
 */
function tooLarge(lang: Lang, kept: boolean): string {
  const kb = MAX_BODY_BYTES / 1024;
  return lang === 'nl'
    ? `Het formulier is groter dan ${kb} KB; er is niets vastgelegd. Open een incident met een zo grote bevinding met datalek open --finding BESTAND.${kept ? ' Wat u verder typte, staat er nog; de geplakte bevinding niet.' : ' Wat u typte, kon niet worden teruggezet: het formulier was te groot om te lezen.'}`
    : `The form is over ${kb} KB; nothing was recorded. Open an incident with a finding this large with datalek open --finding FILE.${kept ? ' What else you typed is still here; the pasted finding is not.' : ' What you typed could not be given back: the form was too large to read.'}`;
}

/** The pasted finding is no GuardDuty finding event: the problem names a field, never a value of it. */
function notAnEvent(problem: string): UsageError {
  return new UsageError(`--finding: not a valid event: ${problem}`, {
    field: 'finding',
    page: {
      nl: `Bevinding (de gebeurtenis als JSON): geen geldige gebeurtenis van GuardDuty zoals EventBridge die aflevert. De controle meldt (in het Engels): ${problem}.`,
      en: `Finding (the event as JSON): not a valid GuardDuty event as EventBridge delivers it: ${problem}.`,
    },
  });
}

/** A form whose commit the store refused at every try while the incident did not change: no race; its words and `datalek verify`. */
function stuckConflict(err: StuckConflictError): RefusedError {
  const store = oneLine(err.storeText);
  return new RefusedError(words('en').link.stuck(err.incidentId, store), {
    page: { en: words('en').link.stuck(err.incidentId, store), nl: words('nl').link.stuck(err.incidentId, store) },
  });
}

/** A form whose commit lost the race for its incident at every try (a storm of changes): nothing recorded, send it again. */
function lostRace(): RefusedError {
  const en =
    'Not recorded: other changes to this incident kept coming in while yours was being recorded (a storm of findings?). Nothing was recorded: the form keeps what you entered; send the form again.';
  return new RefusedError(en, {
    page: {
      en,
      nl: 'Niet vastgelegd: terwijl uw wijziging werd vastgelegd, kwamen er steeds andere wijzigingen van dit incident tussen (een storm van meldingen?). Er is niets vastgelegd: het formulier bewaart wat u invulde; verstuur het formulier opnieuw.',
    },
  });
}

/** Fields the person changed that someone else changed too since her page was drawn. */
function conflictingChange(names: string[], fields: readonly FieldSpec[]): RefusedError {
  const label = (lang: Lang) => names.map((n) => `"${fields.find((f) => f.name === n)?.label[lang] ?? n}"`).join(', ');
  return new RefusedError(
    `changed by someone else since this page was opened: ${names.map((n) => `--${n}`).join(', ')}; nothing was recorded: the form keeps your changes; check what is recorded now, and send it again`,
    {
      page: {
        en: `Changed by someone else since you opened this page: ${label('en')}. Nothing was recorded: the form keeps your changes, the page shows what is recorded now; check it, and send the form again if your change still holds.`,
        nl: `Gewijzigd door iemand anders sinds u deze pagina opende: ${label('nl')}. Er is niets vastgelegd: het formulier bewaart uw wijzigingen en de pagina toont wat nu is vastgelegd; controleer het, en verstuur het formulier opnieuw als uw wijziging nog klopt.`,
      },
    },
  );
}

/** What was entered, to draw the form again after a refusal (never the CSRF token). */
function formState(form: Submitted, fields: readonly FieldSpec[]): FormState['values'] {
  const out: FormState['values'] = {};
  for (const field of fields) {
    const v = form[field.name];
    if (v !== undefined) out[field.name] = field.kind === 'flag' ? v === 'on' : v;
  }
  return out;
}

async function deliverQuietly(deps: WebDeps): Promise<void> {
  try {
    await deps.deliver?.();
  } catch (err) {
    // What was recorded stays recorded; the outbox keeps the message for the next sweep.
    deps.log?.(`datalek serve: a message could not be delivered now (the next sweep retries): ${(err as Error).message}`);
  }
}

/** What a text recorded as sent holds that the record warns about (core/notice.ts), with the text's SHA-256; null when nothing. */
function textFound(text: unknown, incidentId: string): (TextFound & { digest: string }) | null {
  if (typeof text !== 'string' || !text.trim()) return null;
  const found = { senderNotes: senderNotesIn(text, incidentId).length > 0, elisions: elisionsIn(text), placeholders: placeholdersIn(text) };
  return found.senderNotes || found.elisions.length || found.placeholders.length ? { ...found, digest: sha256(text) } : null;
}

const UNDONE_NOW: ReadonlySet<string> = new Set(['released', 'planned', 'reopened']);

/**
 * The incidents a release of `incidentId` undid containment for, handed an action back to, or reopened task interfaces
 * of (`for`: `ID:now,…`, as the release form's answer names them), each only as that incident's timeline records it (a
 * `containment-released` entry of this incident's release saying so): a URL naming another incident, or another word
 * for one, makes the page say nothing of it.
 */
async function releasedFor(store: IncidentStore, incidentId: string, given: string | undefined): Promise<[string, UndoneFor['now']][]> {
  const out: [string, UndoneFor['now']][] = [];
  const named = new Set((given ?? '').split(',').slice(0, 100));
  for (const pair of named) {
    const [id, now] = pair.split(':');
    if (!id || id === incidentId || !UNDONE_NOW.has(now)) continue;
    const timeline = await store.getTimeline(id).catch(() => []);
    if (timeline.some((e) => e.kind === 'containment-released' && e.detail.undoneBy === incidentId && e.detail.now === now))
      out.push([id, now as UndoneFor['now']]);
  }
  return out;
}
