/**
 * The way back from the pager: its webhooks, checked before anything is read from them.
 *
 * - PagerDuty v3 webhooks sign the raw body with HMAC-SHA256 under the subscription's secret and
 *   send `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]` (several during a secret rotation); one
 *   matching signature, compared in constant time, is enough. The incident is the alert's key,
 *   `data.incident_key` (an Events API alert's `dedup_key`); only when PagerDuty sends no key at
 *   all, the incident id in the title (datalek's summary starts with it). A key that is not one of
 *   datalek's is another incident's, whatever its title says. `incident.acknowledged` and
 *   `incident.resolved` are acted on.
 * - Opsgenie's webhook integration does not sign; it sends the custom header the integration is
 *   given, here `X-Datalek-Webhook-Token` with the webhook secret, compared in constant time. The
 *   incident is the alert's `alias`; actions `Acknowledge` and `Close` are acted on.
 * An unsigned or wrongly signed call is refused before its body is parsed.
 *
 * A signature or token says who sent a body, not when: a body captured once (a proxy log, a
 * misdirected delivery) verifies for ever. So a webhook is taken only within
 * `WEBHOOK_WINDOW_MINUTES` of the time the provider says its event happened, and with the
 * provider's id of the event, and then acts only on the alert it was about, once
 * (recordPagerEvent, core/pager.ts): the id is held, with the event's time, for as long as the
 * window could take a delivery of it again (eventsWith), up to `MAX_REMEMBERED_EVENTS` an
 * incident, past which a new event is refused rather than an id forgotten. An event about an
 * alert the incident had before the present one counts only for an alert datalek raised and the
 * pager resolved since (earlierAlertAt), held while a webhook about it can still be taken. What
 * the providers say:
 * - The event's time. PagerDuty v3: `event.occurred_at`, the ISO 8601 time the event occurred,
 *   and `event.id`, the event's unique id (PagerDuty developer docs, webhooks overview:
 *   github.com/PagerDuty/developer-docs, docs/webhooks/01-Overview.md). Opsgenie sends no event
 *   time of its own: its alert action data carries the alert's `createdAt` (milliseconds) and
 *   `updatedAt`, the alert's last update, which for an Acknowledge or Close is that action; in
 *   nanoseconds in Opsgenie's own samples (19 digits; docs.opsgenie.com "Alert Action Data",
 *   docs/sample-alert-action-data) and described as milliseconds elsewhere, so both are read.
 * - Retries. PagerDuty retries on a timeout (5 seconds), a 5xx, a 429 or no connection, and drops
 *   a webhook without a retry on any other 4xx. Its behaviour page gave the retries as 5 attempts
 *   with exponential backoff over about 20 minutes; the current page says they go on
 *   periodically for up to 48 hours. Three webhooks dropped in a row (a 4xx counts) disable the
 *   subscription for 24 hours (docs/webhooks/02-Behavior.md, same repository). Delivery is at
 *   least once: a duplicate carries the same event. What could be read of Opsgenie's webhook
 *   pages (docs.opsgenie.com webhook-integration; support.atlassian.com,
 *   integrate-opsgenie-with-webhook) says nothing of retries, nor did public issues or pages: the
 *   same hour applies to its webhooks.
 * The window, an hour: it takes PagerDuty's retries of a delivery this side failed briefly (the
 * link function throttled, a cold start past the 5-second timeout, the store unreachable) over
 * the 20 minutes its backoff spanned, with room, and it is as long as a page's own signed link
 * lives at most (core/ack-link.ts), so the pager's way back is no longer open than the link's.
 * Accepting all 48 hours would let a captured body act for two days. A refusal is answered 200
 * with the reason (web/links.tsx): a 4xx would count toward PagerDuty disabling the subscription,
 * a 5xx or 429 would be retried. An acknowledgement refused as late is made with the link or
 * `datalek ack`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { EarlierAlert, PagerEventSeen, PagerState } from './incident.js';
import type { PagerEvent } from './pager.js';
import { storedName } from './text.js';
import { MINUTE_MS, parseInstant } from './time.js';

/** The header Opsgenie's webhook integration is configured to send with the webhook secret. */
export const OPSGENIE_TOKEN_HEADER = 'x-datalek-webhook-token';

const INCIDENT_ID_IN_TEXT = /\bdl-[0-9a-f]{32}\b/;
/**
 * An alert key: the incident id, or the incident id and `:exposed:<interface>` for an exposed
 * interface's alert, `:not-planned:<finding type>` for containment that did not fit the record, or
 * `:not-done-held:<finding>:<severity>` for a finding asking for a step decided against.
 */
const ALERT_KEY = /^(dl-[0-9a-f]{32})(?::(?:exposed|not-planned|not-done-held):.*)?$/;
const MAX_NAME = 200;
const MAX_EVENT_ID = 200;

/** A webhook is taken up to this long after the event it reports (see above for why an hour). */
export const WEBHOOK_WINDOW_MINUTES = 60;
/** How far ahead of this clock the provider's may be (machines' clock skew). */
export const WEBHOOK_CLOCK_SKEW_MINUTES = 5;

/**
 * Why a webhook is not taken, by the time the provider says its event happened; null when it is
 * recent. `now` is this side's clock (`--now` locally).
 */
export function webhookTimeRefusal(occurredAt: string | undefined, now: string): string | null {
  if (!occurredAt) return 'no time of the event in the webhook (PagerDuty event.occurred_at, Opsgenie alert.updatedAt): its age cannot be told';
  const age = Date.parse(now) - Date.parse(occurredAt);
  if (age > WEBHOOK_WINDOW_MINUTES * MINUTE_MS) {
    return `stale: the event happened at ${occurredAt}, ${Math.floor(age / MINUTE_MS)} minutes before it arrived; a webhook is taken up to ${WEBHOOK_WINDOW_MINUTES} minutes after its event, so that a captured one cannot be sent again later`;
  }
  if (-age > WEBHOOK_CLOCK_SKEW_MINUTES * MINUTE_MS) {
    return `the event is dated ${occurredAt}, ${Math.ceil(-age / MINUTE_MS)} minutes after it arrived: the provider’s clock or this one is wrong`;
  }
  return null;
}

/**
 * Why a webhook is not taken for want of an id of its event; null when it has one. Without an id
 * it could not be taken only once. Both providers always send one: PagerDuty v3 `event.id`, and
 * Opsgenie's alert action data the alert's `alertId` ("a subset of the alert fields (alertId,
 * username, alias, entity, userId)": docs.opsgenie.com webhook-integration; every sample in its
 * "Alert Action Data" carries it). A body without it is not one they document, so it is refused
 * rather than given an id made up here.
 */
export function webhookIdRefusal(event: Pick<PagerEvent, 'eventId'>, provider: PagerEvent['provider']): string | null {
  if (event.eventId) return null;
  const field = provider === 'pagerduty' ? 'event.id' : 'alert.alertId';
  return `no id of the event in the webhook (${field}, which the provider always sends): it could not be taken only once`;
}

/**
 * How long an event's id is held: as long as the webhook's window could take a delivery of it
 * again (its age is read from the same body, so once past the window it is refused as stale),
 * and the clock skew besides, for a clock a little behind the one that took it.
 */
const HOLD_MS = (WEBHOOK_WINDOW_MINUTES + WEBHOOK_CLOCK_SKEW_MINUTES) * MINUTE_MS;

/**
 * The most event ids one incident holds. The ids are those of events taken (signed, recent,
 * about an alert datalek raised): a replay adds none, so only the provider's own traffic about
 * the incident's alerts within one window fills them, a handful in practice. At the bound a new
 * event is refused (and logged) rather than an id forgotten that a replay could still use; the
 * incident's record stays far below DynamoDB's 400 KB an item (about 80 bytes an id).
 */
export const MAX_REMEMBERED_EVENTS = 200;

/** The most earlier alerts one incident holds (each needs the pager to resolve one and datalek to raise another). */
export const MAX_EARLIER_ALERTS = 20;

const eventIdOf = (e: PagerEventSeen | string) => (typeof e === 'string' ? e : e.id);

/** Whether the incident's pager state holds this event as taken. */
export function eventTaken(pager: PagerState, eventId: string): boolean {
  return (pager.events ?? []).some((e) => eventIdOf(e) === eventId);
}

/**
 * The ids held once this event is taken at `now`: those a delivery could still bring (an id of
 * a record from before ids had a time is held as if taken now), and this one with its time
 * there. Null when the bound is reached: the event is then not taken.
 */
export function eventsWith(pager: PagerState, eventId: string, occurredAt: string, now: string): PagerEventSeen[] | null {
  const since = Date.parse(now) - HOLD_MS;
  const held = (pager.events ?? []).map((e) => (typeof e === 'string' ? { id: e, at: now } : e)).filter((e) => Date.parse(e.at) >= since);
  return held.length >= MAX_REMEMBERED_EVENTS ? null : [...held, { id: eventId, at: occurredAt }];
}

/**
 * The earlier alert of the incident an event happening at `occurredAt` (by the pager's clock) was
 * about: one datalek raised before it and the pager resolved after it. Undefined when it was about
 * none datalek still holds (one it never raised, or resolved longer ago than a webhook is taken).
 */
export function earlierAlertAt(pager: PagerState, occurredAt: string): EarlierAlert | undefined {
  const t = Date.parse(occurredAt);
  return (pager.earlier ?? []).find((a) => Date.parse(a.raisedAt) <= t && t <= Date.parse(a.resolvedAt));
}

/**
 * The earlier alerts held once the incident's own alert, raised at `raisedAt`, is resolved there
 * at `resolvedAt`: those an event could still be taken about (resolved within the hold) and this
 * one, at most `MAX_EARLIER_ALERTS`, the oldest dropped first (an event about it is then refused).
 */
export function earlierWith(pager: PagerState, raisedAt: string, resolvedAt: string, now: string): EarlierAlert[] {
  const since = Date.parse(now) - HOLD_MS;
  const held = (pager.earlier ?? []).filter((a) => Date.parse(a.resolvedAt) >= since);
  return [...held, { raisedAt, resolvedAt }].slice(-MAX_EARLIER_ALERTS);
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether one of the header's `v1=` signatures is the HMAC-SHA256 of the raw body under `secret`. */
export function verifyPagerDutySignature(rawBody: string, header: string | undefined, secret: string): boolean {
  if (!header || !secret) return false;
  const expected = createHmac('sha256', secret).update(rawBody, 'utf8').digest();
  return header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1=') && /^[0-9a-fA-F]{64}$/.test(s.slice(3)))
    .some((s) => sameBytes(Buffer.from(s.slice(3), 'hex'), expected));
}

/** Whether the header holds the webhook secret (compared through SHA-256: constant time whatever its length). */
export function verifyOpsgenieToken(header: string | undefined, secret: string): boolean {
  if (!header || !secret) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return sameBytes(digest(header), digest(secret)) && header.length === secret.length;
}

const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const name = (v: string) => storedName(v, MAX_NAME);

function instant(v: unknown): string | undefined {
  try {
    return parseInstant(v);
  } catch {
    return undefined;
  }
}

/**
 * Opsgenie's `updatedAt`: nanoseconds since the epoch in its samples (19 digits), milliseconds
 * (13 digits) elsewhere; as ISO UTC, or undefined when it is neither.
 */
function epochInstant(v: unknown): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return undefined;
  const ms = v >= 1e17 ? v / 1e6 : v >= 1e11 && v < 1e14 ? v : Number.NaN;
  return Number.isFinite(ms) ? new Date(Math.round(ms)).toISOString() : undefined;
}

/** What a PagerDuty v3 webhook asks of datalek, or null when it is about something else. */
export function parsePagerDutyEvent(body: unknown): Omit<PagerEvent, 'provider'> | null {
  const event = obj(obj(body)?.event);
  const type = str(event?.event_type);
  if (type !== 'incident.acknowledged' && type !== 'incident.resolved') return null;
  const data = obj(event?.data);
  const incidentKey = str(data?.incident_key);
  // A key is the alert's: one that is not datalek's is another incident (a manual one, another
  // integration's), even if its title names a datalek incident.
  const incidentId = incidentKey !== undefined ? ALERT_KEY.exec(incidentKey)?.[1] : INCIDENT_ID_IN_TEXT.exec(str(data?.title) ?? '')?.[0];
  if (!incidentId) return null;
  const key = incidentKey ?? incidentId;
  const agent = obj(event?.agent);
  const by = str(agent?.type) === 'user_reference' ? str(agent?.summary) : undefined;
  const occurredAt = instant(event?.occurred_at);
  const eventId = str(event?.id)?.slice(0, MAX_EVENT_ID);
  return {
    incidentId,
    event: type === 'incident.acknowledged' ? 'acknowledged' : 'resolved',
    by: name(by ?? 'PagerDuty'),
    // No user behind it: PagerDuty itself (an auto-resolve), a service or an integration.
    ...(by ? {} : { person: false }),
    ...(key !== incidentId ? { alertKey: key } : {}),
    ...(occurredAt ? { occurredAt } : {}),
    ...(eventId ? { eventId } : {}),
  };
}

/** The `user` datalek sends with its own calls to Opsgenie's Alert API (adapters/pager/opsgenie.ts). */
export const OPSGENIE_OWN_USER = 'datalek';

/** What an Opsgenie webhook asks of datalek, or null when it is about something else. */
export function parseOpsgenieEvent(body: unknown): Omit<PagerEvent, 'provider'> | null {
  const b = obj(body);
  const action = str(b?.action);
  if (action !== 'Acknowledge' && action !== 'Close') return null;
  const alert = obj(b?.alert);
  const alias = str(alert?.alias) ?? '';
  const incidentId = ALERT_KEY.exec(alias)?.[1];
  if (!incidentId) return null;
  const by = str(alert?.username) ?? str(obj(b?.source)?.name);
  // Opsgenie names its own actions (an auto-close policy) "System". An action through the Alert API
  // (source type "API": an integration's GenieKey, the key datalek itself holds) names whatever
  // `user` the caller sent, free text: whoever holds the key can send a person's name, and
  // datalek's own acknowledge/close calls send OPSGENIE_OWN_USER. Neither is a person's act.
  // (A person acting through their own API key is counted as none: escalation goes on, the safe side.)
  const viaApi = str(obj(b?.source)?.type)?.toLowerCase() === 'api';
  const person = by !== undefined && !viaApi && !['system', OPSGENIE_OWN_USER].includes(by.toLowerCase());
  const occurredAt = epochInstant(alert?.updatedAt);
  // Opsgenie gives an event no id: the alert, the action and its time name it. Without alertId
  // (its payload always carries it) there is none, and the webhook is refused (webhookIdRefusal).
  const alertId = str(alert?.alertId);
  const eventId = alertId && occurredAt ? `${alertId}:${action}:${Date.parse(occurredAt)}`.slice(0, MAX_EVENT_ID) : undefined;
  return {
    incidentId,
    event: action === 'Acknowledge' ? 'acknowledged' : 'resolved',
    by: name(by ?? 'Opsgenie'),
    ...(person ? {} : { person: false }),
    ...(alias !== incidentId ? { alertKey: alias } : {}),
    ...(occurredAt ? { occurredAt } : {}),
    ...(eventId ? { eventId } : {}),
  };
}
