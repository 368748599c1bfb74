/**
 * The trusted half of the link pages and the pager's webhooks: it checks and applies what the
 * forwarder (web/link-forward.ts) hands it, and answers with the page or the webhook's answer.
 * On AWS it runs in the private link-apply function, which only the public link function may
 * invoke; `datalek serve` runs it in-process behind the same forwarding routes, through the same
 * JSON. It believes nothing the forwarder says about authenticity: each request authorises itself,
 * a link by its signature and expiry (core/ack-link.ts), a webhook by the provider's signature or
 * token and its freshness (core/pager-webhooks.ts), checked here with the key and the secret only
 * this side holds, before the store is read. A payload that is not a request the forwarder makes
 * (web/link-forward.ts `parseLinkRequest`) is refused with 400 and changes nothing.
 *
 * Primary course of a link:
 * 1. GET: the token is checked (form, key, signature, expiry); a refusal is a page saying why.
 * 2. The incident is shown as the page showed it (identifiers only) with one button, and a name
 *    and note to give: opening the link (as a mail scanner or a link preview does) changes nothing.
 * 3. POST (the button): the token is checked again and the incident acknowledged "from the page to
 *    <level>, round <n>", with the name given; the link is used up in the same commit. A second
 *    press, a concurrent one included, finds it used and changes nothing.
 * 4. The messages the acknowledgement queued (the pager's acknowledge) are sent.
 * Readable on a phone, in the policy's language (or `?lang=`), without JavaScript.
 */

import { type Context, type Env, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { type AckLinkClaims, type LinkCheck, linkId, verifyAckLink } from '../core/ack-link.js';
import { acknowledge, acknowledgementTakes, linkAcknowledger } from '../core/acknowledge.js';
import type { ChangeDeps } from '../core/change-incident.js';
import { runbookUrl } from '../core/chat-card.js';
import type { ConflictRetry } from '../core/conflict-retry.js';
import type { DrillMark } from '../core/drill.js';
import { ConflictError, DatalekError, IncidentNotFoundError, RefusedError, StuckConflictError } from '../core/errors.js';
import type { Incident } from '../core/incident.js';
import { errorToldOutside, pseudonymKeyOf, toldOutside } from '../core/incident-pseudonyms.js';
import { actorLabel } from '../core/labels.js';
import { runbookFor } from '../core/messages.js';
import { type PagerEvent, PROVIDER_NAMES, recordPagerEvent } from '../core/pager.js';
import {
  OPSGENIE_TOKEN_HEADER,
  parseOpsgenieEvent,
  parsePagerDutyEvent,
  verifyOpsgenieToken,
  verifyPagerDutySignature,
  webhookIdRefusal,
  webhookTimeRefusal,
} from '../core/pager-webhooks.js';
import type { Policy } from '../core/policy.js';
import { oneLine } from '../core/text.js';
import { formatLocal } from '../core/time.js';
import type { IncidentStore } from '../ports/incident-store.js';
import { ackAction } from '../use-cases/ack-action.js';
import type { FieldSpec, Lang } from '../use-cases/fields.js';
import { ActionForm, IncidentSummary, Layout, type View } from './components.js';
import type { FormState } from './forms.js';
import { words } from './i18n.js';
import {
  createLinkForwarder,
  LINK_CSS_PATH,
  type LinkRequest,
  type LinkResponse,
  MAX_FORM_BYTES,
  MAX_WEBHOOK_BYTES,
  parseLinkRequest,
  registerLinkForwarding,
} from './link-forward.js';

export interface LinkDeps {
  store: IncidentStore;
  policy: Policy;
  now: () => string;
  /**
   * The machine's own clock, given on a real store (absent on a drill copy): a link's expiry and a
   * webhook's age are judged by the later of it and `now`, so a `serve --now <past>` does not
   * revive an expired link, and what the routes record carries it, so a change recorded at a past
   * `--now` says when the machine recorded it (core/change-incident.ts).
   */
  machineNow?: () => string;
  /** The acknowledgement link key, kept outside the store. */
  linkKey: () => Promise<Buffer>;
  /** The pager's webhook secret, from the secret store; without one every webhook is refused. */
  webhookSecret?: () => Promise<string | undefined>;
  /** After an acknowledgement: send what it queued (the pager's acknowledge) and announce it. */
  acknowledged?: (incident: Incident) => Promise<void>;
  target: 'local' | 'aws';
  /** Whether the clock moves (false at a fixed `--now`). */
  live: boolean;
  /** Where failures are reported: identifiers only, never a request's content. */
  log?: (line: string) => void;
  /** A change the store refused for good (StuckConflictError, no race), by incident: the link-apply function counts it for its alarm (infra14). */
  stuckConflict?: (incidentId: string) => void;
  /** Set when a drill copy's `serve` draws the pages: they say so (atk29 A4). */
  drill?: DrillMark | null;
}

/**
 * What one request brings to the trusted side beyond its payload: how a lost race for the incident
 * is tried again within the time its invocation has (the link-apply function's, lambda/link-apply.ts).
 */
export interface LinkInvocation {
  conflictRetry?: ConflictRetry;
}

const MAX_NAME = 100;
const MAX_NOTE = 1000;

/** The name field the link page adds to the acknowledgement's own fields. */
const NAME_FIELD: FieldSpec = {
  name: 'by',
  kind: 'text',
  label: { nl: words('nl').link.name, en: words('en').link.name },
  hint: { nl: words('nl').link.nameHint, en: words('en').link.nameHint },
  maxChars: MAX_NAME,
};
/** The link page's fields: its name, then the acknowledgement's own, each as long as the press takes. */
const LINK_FIELDS: readonly FieldSpec[] = [NAME_FIELD, ...ackAction.fields.map((f) => (f.name === 'note' ? { ...f, maxChars: MAX_NOTE } : f))];

/** The checking and applying routes, on the trusted side's own app (reached only through `createLinkApplier`). */
function registerAppliedRoutes(app: Hono, deps: LinkDeps): void {
  const langOf = (c: Context): Lang => {
    const asked = c.req.query('lang');
    return asked === 'nl' || asked === 'en' ? asked : deps.policy.language;
  };
  const viewOf = (c: Context): View => {
    const lang = langOf(c);
    return {
      lang,
      w: words(lang),
      policy: deps.policy,
      tz: deps.policy.timeZone,
      now: deps.now(),
      csrf: '',
      actor: '',
      target: deps.target,
      live: deps.live,
      path: '',
      ...(deps.drill ? { drill: deps.drill } : {}),
    };
  };
  const local = (iso: string | null | undefined) => (iso ? formatLocal(iso, deps.policy.timeZone) : '');
  const page = (c: Context, title: string, body: unknown, status: 200 | 403 | 404 | 409 | 410 | 400 | 500 | 503 = 200) => {
    const view = viewOf(c);
    const other: Lang = view.lang === 'nl' ? 'en' : 'nl';
    return c.html(
      <Layout view={view} title={title} bare css={LINK_CSS_PATH}>
        <h1>{title}</h1>
        {body as never}
        <p>
          <a href={`${new URL(c.req.url).pathname}?lang=${other}`} lang={other} hreflang={other}>
            {view.w.link.language}
          </a>
        </p>
      </Layout>,
      status,
    );
  };
  const refused = (c: Context, check: Extract<LinkCheck, { ok: false }>) => {
    const w = viewOf(c).w.link;
    const why = check.problem === 'expired' ? w.problem.expired(local(check.claims?.expiresAt)) : w.problem[check.problem];
    return page(
      c,
      w.refused,
      <>
        <p class="problem" role="alert">
          {why} {w.nothingChanged}
        </p>
        {check.claims ? (
          <p>
            Incident <code>{check.claims.incidentId}</code>
          </p>
        ) : null}
        <p>{w.otherWays}</p>
      </>,
      check.problem === 'expired' ? 410 : 403,
    );
  };
  /** Why this link cannot acknowledge (any more), as a page; null when it can. */
  const spent = (c: Context, incident: Incident, claims: AckLinkClaims) => {
    const w = viewOf(c).w.link;
    const summary = <IncidentSummary view={viewOf(c)} incident={incident} brief />;
    if ((incident.ackLinksUsed ?? []).includes(linkId(claims))) {
      return page(
        c,
        w.refused,
        <>
          <p class="problem" role="alert">
            {w.used(local(incident.acknowledgedAt))} {w.nothingChanged}
          </p>
          {summary}
        </>,
        409,
      );
    }
    // Acknowledged already, unless the pager raised its alert again since (a late acknowledgement
    // of the alert before), or an interface left open since repeats its page: then the page this
    // link came with is still someone's to take.
    if (incident.acknowledgedBy && !acknowledgementTakes(incident, deps.policy, claims)) {
      return page(
        c,
        w.title,
        <>
          <p class="flash" role="status">
            {w.already(local(incident.acknowledgedAt))} {w.nothingChanged}
          </p>
          {summary}
        </>,
        409,
      );
    }
    // Merged (one breach, one clock): the incident it continues in still needs someone.
    if (incident.mergedInto) {
      return page(
        c,
        w.refused,
        <>
          <p class="problem" role="alert">
            {w.merged} <code>{incident.mergedInto}</code>. {w.nothingChanged}
          </p>
          {summary}
        </>,
        409,
      );
    }
    if (incident.state === 'closed') {
      return page(
        c,
        w.refused,
        <>
          <p class="problem" role="alert">
            {w.closed} {w.nothingChanged}
          </p>
          {summary}
        </>,
        409,
      );
    }
    return null;
  };
  // A link expires, and a webhook ages, by the machine's clock too: a past `--now` revives neither.
  const checkedAt = () => [deps.now(), deps.machineNow?.() ?? ''].sort().at(-1) as string;
  const changeDeps: ChangeDeps = { store: deps.store, policy: deps.policy, now: deps.now, ...(deps.machineNow ? { machineNow: deps.machineNow } : {}) };
  // This request's: tried again within its invocation's time when it brings one (`LinkInvocation`).
  const changeDepsOf = (c: Context): ChangeDeps => {
    const conflictRetry = (c.env as LinkInvocation | undefined)?.conflictRetry;
    return conflictRetry ? { ...changeDeps, conflictRetry } : changeDeps;
  };
  const check = async (c: Context): Promise<LinkCheck> => verifyAckLink(await deps.linkKey(), c.req.param('token'), checkedAt());
  const unknown = (c: Context, id: string) => {
    const w = viewOf(c).w.link;
    return page(
      c,
      w.refused,
      <p class="problem" role="alert">
        {w.unknown} <code>{id}</code> {w.nothingChanged}
      </p>,
      404,
    );
  };

  /** The link's page with its form; `state` draws it again with what was entered and what was wrong. */
  const ackPage = (c: Context, incident: Incident, claims: AckLinkClaims, state?: FormState) => {
    const view = viewOf(c);
    const w = view.w.link;
    const lang = view.lang;
    return page(
      c,
      w.title,
      <>
        <p>{w.intro(claims.level, claims.round + 1, local(claims.expiresAt))}</p>
        <ActionForm
          view={view}
          name="ack"
          title={`${ackAction.title[lang]}: ${incident.id}`}
          fields={LINK_FIELDS}
          action={`${new URL(c.req.url).pathname}?lang=${lang}`}
          submit={w.button}
          state={state}
        >
          <p>{w.stops}</p>
        </ActionForm>
        <IncidentSummary view={view} incident={incident} brief />
      </>,
      state ? 400 : 200,
    );
  };

  app.get('/ack/:token', async (c) => {
    const result = await check(c);
    if (!result.ok) return refused(c, result);
    const { claims } = result;
    const incident = await deps.store.getIncident(claims.incidentId);
    if (!incident) return unknown(c, claims.incidentId);
    const done = spent(c, incident, claims);
    if (done) return done;
    return ackPage(c, incident, claims);
  });

  app.post('/ack/:token', bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => c.text('Request too large', 413) }), async (c) => {
    const w = viewOf(c).w.link;
    // The token authorises; a form posted from another site is refused all the same.
    const origin = c.req.header('origin');
    if ((origin !== undefined && origin !== new URL(c.req.url).origin) || c.req.header('sec-fetch-site') === 'cross-site') {
      return page(c, w.refused, <p class="problem" role="alert">{`${w.origin} ${w.nothingChanged}`}</p>, 403);
    }
    const result = await check(c);
    if (!result.ok) return refused(c, result);
    const { claims } = result;
    const form = await c.req.parseBody();
    const name = typeof form.by === 'string' ? form.by.trim() : '';
    const note = typeof form.note === 'string' ? form.note.trim() : '';
    if (name.length > MAX_NAME || note.length > MAX_NOTE) {
      // Drawn again with what was typed, the field named beside it, to shorten and press again.
      const incident = await deps.store.getIncident(claims.incidentId);
      if (!incident) return unknown(c, claims.incidentId);
      const field = name.length > MAX_NAME ? 'by' : 'note';
      return ackPage(c, incident, claims, { action: 'ack', values: { by: name, note }, errors: { [field]: [`${w.tooLong} ${w.nothingChanged}`] } });
    }
    let ack: Awaited<ReturnType<typeof acknowledge>>;
    try {
      ack = await acknowledge(changeDepsOf(c), { incidentId: claims.incidentId, by: linkAcknowledger(claims, name), note: note || undefined, link: claims });
    } catch (err) {
      if (err instanceof IncidentNotFoundError) return unknown(c, claims.incidentId);
      // The page leaves the resource out, as the messages that link here do: a refusal names a
      // principal as they do, by the incident's own pseudonym (fg24; the store's words named it by
      // the store-wide one, which with the store's secret finds the incident minimise unlinked).
      if (err instanceof RefusedError) {
        const incident = await deps.store.getIncident(claims.incidentId);
        errorToldOutside(err, incident?.pseudonymKey);
        return (incident && spent(c, incident, claims)) || page(c, w.refused, <p class="problem" role="alert">{`${err.message}. ${w.nothingChanged}`}</p>, 409);
      }
      // No race: the store refuses the acknowledgement for good; said with its words and datalek verify.
      if (err instanceof StuckConflictError) {
        deps.log?.(
          `datalek link: an acknowledgement of ${claims.incidentId} was not recorded: the store refused it at every try while the incident did not change (not a race; datalek verify ${err.incidentId})`,
        );
        deps.stuckConflict?.(err.incidentId);
        const store = oneLine(toldOutside(await pseudonymKeyOf(deps.store, claims.incidentId), err.storeText));
        return page(
          c,
          w.refused,
          <p class="problem" role="alert">
            {w.stuck(err.incidentId, store)}
          </p>,
          500,
        );
      }
      // Other writers kept winning the incident for as long as this request had time: said, not a failure page.
      if (err instanceof ConflictError) {
        deps.log?.(`datalek link: an acknowledgement of ${claims.incidentId} was not recorded: other writers kept changing the incident`);
        return page(c, w.refused, <p class="problem" role="alert">{`${w.busy} ${w.nothingChanged} ${w.pressAgain}`}</p>, 503);
      }
      throw err;
    }
    if (!ack.changed)
      return (
        spent(c, ack.incident, claims) ??
        page(
          c,
          w.refused,
          <p class="problem" role="alert">
            {w.nothingChanged}
          </p>,
          409,
        )
      );
    await quietly(deps, () => deps.acknowledged?.(ack.incident) ?? Promise.resolve(), ack.incident.id);
    const runbook = runbookFor(ack.incident, 'on-call');
    const href = runbookUrl(deps.policy, runbook);
    return page(
      c,
      w.title,
      <>
        <p class="flash" role="status">
          {w.done}
        </p>
        <p>
          {w.recordedAs}: <strong>{actorLabel(viewOf(c).lang, ack.incident.acknowledgedBy)}</strong>, {local(ack.incident.acknowledgedAt)}
        </p>
        {ack.alertAcknowledged ? <p>{w.alertTaken}</p> : null}
        <p>
          {w.next}: {href ? <a href={href}>{runbook}</a> : <code>{runbook}</code>}
        </p>
        <IncidentSummary view={viewOf(c)} incident={ack.incident} brief />
      </>,
    );
  });

  const webhook = async (
    c: Context,
    provider: PagerEvent['provider'],
    authorised: (raw: string, secret: string) => boolean,
    parse: typeof parsePagerDutyEvent,
  ) => {
    if (deps.policy.onCall.provider !== provider) return c.json({ error: `the policy does not page through ${PROVIDER_NAMES[provider]}` }, 404);
    const raw = await c.req.text();
    const secret = await deps.webhookSecret?.();
    // Refused before the body is read: nothing unsigned gets near the store.
    if (!secret) return c.json({ error: 'no webhook secret is configured: every call is refused' }, 401);
    if (!authorised(raw, secret)) {
      deps.log?.(`datalek: refused a ${PROVIDER_NAMES[provider]} webhook: missing or wrong signature`);
      return c.json({ error: 'missing or wrong signature' }, 401);
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return c.json({ error: 'body: not valid JSON' }, 400);
    }
    const event = parse(body);
    if (!event) {
      // Identifiers only: the event's type, never the body (it names people and alerts).
      deps.log?.(`datalek: ignored a ${PROVIDER_NAMES[provider]} webhook: not an acknowledgement or resolution of an alert datalek raised`);
      return c.json({ outcome: 'ignored' }, 200);
    }
    // A body verifies for ever: only a recent event, with an id to take it once by, is taken
    // (core/pager-webhooks.ts). Refused for good and recorded nowhere, answered 200 so the
    // provider neither retries it nor counts it toward disabling the subscription (PagerDuty does
    // both for a 4xx); the log says why.
    const untimely = webhookTimeRefusal(event.occurredAt, checkedAt()) ?? webhookIdRefusal(event, provider);
    if (untimely) {
      deps.log?.(`datalek: refused a ${PROVIDER_NAMES[provider]} webhook (${event.event}, incident ${event.incidentId}): ${untimely}`);
      return c.json({ outcome: 'refused', incidentId: event.incidentId, reason: untimely }, 200);
    }
    try {
      const outcome = await recordPagerEvent(changeDepsOf(c), { provider, ...event });
      if (outcome === 'acknowledged') {
        const incident = await deps.store.getIncident(event.incidentId);
        if (incident) await quietly(deps, () => deps.acknowledged?.(incident) ?? Promise.resolve(), incident.id);
      }
      // Not taken: the log says so, so that an acknowledgement someone made and datalek did not record can be found.
      if (outcome === 'unknown-alert' || outcome === 'earlier-alert' || outcome === 'too-many-events') {
        deps.log?.(`datalek: did not take a ${PROVIDER_NAMES[provider]} webhook (${event.event}, incident ${event.incidentId}): ${outcome}`);
      }
      return c.json({ outcome, incidentId: event.incidentId }, 200);
    } catch (err) {
      // Answered 200: the provider must not retry a call about an incident this store does not hold.
      if (err instanceof IncidentNotFoundError || err instanceof RefusedError) {
        const outcome = err instanceof IncidentNotFoundError ? 'unknown-incident' : `refused: ${err.message}`;
        deps.log?.(`datalek: did not take a ${PROVIDER_NAMES[provider]} webhook (${event.event}, incident ${event.incidentId}): ${outcome}`);
        return c.json(err instanceof IncidentNotFoundError ? { outcome, incidentId: event.incidentId } : { outcome: 'refused', reason: err.message }, 200);
      }
      throw err;
    }
  };
  const hookLimit = bodyLimit({ maxSize: MAX_WEBHOOK_BYTES, onError: (c) => c.text('Request too large', 413) });
  app.post('/hooks/pagerduty', hookLimit, (c) =>
    webhook(c, 'pagerduty', (raw, secret) => verifyPagerDutySignature(raw, c.req.header('x-pagerduty-signature'), secret), parsePagerDutyEvent),
  );
  app.post('/hooks/opsgenie', hookLimit, (c) =>
    webhook(c, 'opsgenie', (_raw, secret) => verifyOpsgenieToken(c.req.header(OPSGENIE_TOKEN_HEADER), secret), parseOpsgenieEvent),
  );
}

async function quietly(deps: LinkDeps, fn: () => Promise<void>, incidentId: string): Promise<void> {
  try {
    await fn();
  } catch (err) {
    // What was recorded stays recorded; the outbox keeps the message for the next sweep.
    deps.log?.(`datalek: after acknowledging ${incidentId}, a message could not be sent now (the next sweep retries): ${(err as Error).message}`);
  }
}

/** Marks the applier's answer to a webhook whose record the store refused for good (StuckConflictError); never sent on. */
const STUCK_HEADER = 'x-datalek-stuck-conflict';

/**
 * The trusted side: checks and applies one forwarded request (`payload`, as JSON carried it) and
 * returns the answer to show. A payload that is not a request the forwarder makes is refused with
 * 400, named in the log by field only; a failure is a 500 whose cause is in the log.
 */
export function createLinkApplier(deps: LinkDeps): (payload: unknown, invocation?: LinkInvocation) => Promise<LinkResponse> {
  const app = new Hono();
  registerAppliedRoutes(app, deps);
  app.notFound((c) => c.text('Not found', 404));
  app.onError((err, c) => {
    // A pager's webhook whose record the store refuses for good (no race): marked, so that the applier fails below.
    if (err instanceof StuckConflictError) return c.text('not recorded: no race; see the function log', 500, { [STUCK_HEADER]: err.incidentId });
    // The link-apply function's log (CloudWatch, logRetentionDays): a store's words withhold the store-wide pseudonym (fg24).
    deps.log?.(toldOutside(undefined, `datalek link: ${err instanceof Error ? err.message : String(err)}`));
    return c.text('unexpected failure; see the function log (identifiers only)', 500);
  });
  return async (payload, invocation = {}) => {
    const parsed = parseLinkRequest(payload);
    if (!parsed.ok) {
      deps.log?.(`datalek link: refused a forwarded request: ${parsed.problem}`);
      return { status: 400, contentType: 'text/plain; charset=utf-8', body: `not a link request: ${parsed.problem}\n` };
    }
    let request: Request;
    try {
      request = asWebRequest(parsed.request);
    } catch {
      // A header value no browser or provider sends (a line break): refused like any other forgery.
      deps.log?.('datalek link: refused a forwarded request: headers: not valid header values');
      return { status: 400, contentType: 'text/plain; charset=utf-8', body: 'not a link request: headers: not valid header values\n' };
    }
    const response = await app.fetch(request, invocation);
    const stuck = response.headers.get(STUCK_HEADER);
    // No person reads a webhook's answer: the function fails, so that its errors alarm pages on-call (the pager retries it, refused alike).
    // By id: the store's text may name a resource.
    if (stuck) {
      deps.stuckConflict?.(stuck);
      throw new DatalekError(
        `link-apply: a pager's webhook about incident ${stuck} was not recorded: the store refused it at every try while the incident did not change, which is no race (a row put in behind datalek?); datalek verify ${stuck} names it`,
      );
    }
    return { status: response.status, contentType: response.headers.get('content-type') ?? 'text/plain; charset=utf-8', body: await response.text() };
  };
}

/** A forwarded request as the web request the routes above read: only what it carries. */
function asWebRequest(r: LinkRequest): Request {
  const headers = new Headers(Object.entries(r.headers).filter((e): e is [string, string] => e[1] !== undefined));
  let body: string | undefined;
  if (r.form) {
    headers.set('content-type', 'application/x-www-form-urlencoded');
    body = new URLSearchParams(Object.entries(r.form).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  } else if (r.body !== undefined) {
    headers.set('content-type', 'application/json');
    body = r.body;
  }
  return new Request(`${r.origin}${r.path}${r.lang ? `?lang=${r.lang}` : ''}`, { method: r.method, headers, body });
}

/** The trusted side in this process, through JSON as Lambda would carry it: the forwarder's contract, kept without Lambda. */
export function inProcess(applier: (payload: unknown) => Promise<LinkResponse>): (request: LinkRequest) => Promise<LinkResponse> {
  return async (request) => applier(JSON.parse(JSON.stringify(request)));
}

/** Adds the link pages and the webhooks to `app` (before any session check): forwarded, and applied in this process. */
export function registerLinkRoutes<E extends Env>(app: Hono<E>, deps: LinkDeps): void {
  registerLinkForwarding(app, { apply: inProcess(createLinkApplier(deps)), log: deps.log });
}

/** The link pages and webhooks on their own, forwarded and applied in this process, with the same security headers as `serve`. */
export function createLinkApp(deps: LinkDeps): Hono {
  return createLinkForwarder({ apply: inProcess(createLinkApplier(deps)), log: deps.log });
}
