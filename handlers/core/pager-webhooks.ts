/**
 * The way back from the pager: its webhooks, checked before anything is read from them.
 *
 * - PagerDuty v3 webhooks sign the raw body with HMAC-SHA256 under the subscription's secret and
 *   send `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]` (several during a secret rotation); one
 *   matching signature, compared in constant time, is enough. The incident is the alert's key:
 *   `data.incident_key` when PagerDuty sends it, else the incident id in the title (datalek's
 *   summary starts with it). `incident.acknowledged` and `incident.resolved` are acted on.
 * - Opsgenie's webhook integration does not sign; it sends the custom header the integration is
 *   given, here `X-Datalek-Webhook-Token` with the webhook secret, compared in constant time. The
 *   incident is the alert's `alias`; actions `Acknowledge` and `Close` are acted on.
 * An unsigned or wrongly signed call is refused before its body is parsed.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { PagerEvent } from './pager.js';
import { oneLine } from './text.js';

/** The header Opsgenie's webhook integration is configured to send with the webhook secret. */
export const OPSGENIE_TOKEN_HEADER = 'x-datalek-webhook-token';

const INCIDENT_ID_IN_TEXT = /\bdl-[0-9a-f]{32}\b/;
/** An alert key: the incident id, or the incident id and `:exposed:<interface>` for an exposed interface's alert. */
const ALERT_KEY = /^(dl-[0-9a-f]{32})(?::exposed:.*)?$/;
const MAX_NAME = 200;

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
const name = (v: string) => oneLine(v).slice(0, MAX_NAME);

/** What a PagerDuty v3 webhook asks of datalek, or null when it is about something else. */
export function parsePagerDutyEvent(body: unknown): Omit<PagerEvent, 'provider'> | null {
  const event = obj(obj(body)?.event);
  const type = str(event?.event_type);
  if (type !== 'incident.acknowledged' && type !== 'incident.resolved') return null;
  const data = obj(event?.data);
  const incidentId = ALERT_KEY.exec(str(data?.incident_key) ?? '')?.[1] ?? INCIDENT_ID_IN_TEXT.exec(str(data?.title) ?? '')?.[0];
  if (!incidentId) return null;
  const key = ALERT_KEY.test(str(data?.incident_key) ?? '') ? (str(data?.incident_key) as string) : incidentId;
  const agent = obj(event?.agent);
  const by = str(agent?.type) === 'user_reference' ? str(agent?.summary) : undefined;
  return {
    incidentId,
    event: type === 'incident.acknowledged' ? 'acknowledged' : 'resolved',
    by: name(by ?? 'PagerDuty'),
    // No user behind it: PagerDuty itself (an auto-resolve), a service or an integration.
    ...(by ? {} : { person: false }),
    ...(key !== incidentId ? { alertKey: key } : {}),
  };
}

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
  // Opsgenie names its own actions (an auto-close policy) "System".
  const person = by !== undefined && by.toLowerCase() !== 'system';
  return {
    incidentId,
    event: action === 'Acknowledge' ? 'acknowledged' : 'resolved',
    by: name(by ?? 'Opsgenie'),
    ...(person ? {} : { person: false }),
    ...(alias !== incidentId ? { alertKey: alias } : {}),
  };
}
