/**
 * Signed acknowledgement links: every page carries one, so on-call acknowledges from where the page
 * reaches them (a phone, a chat) in two taps: open the link, press the button.
 *
 * A link is `<base>/ack/<token>`. The token holds the incident, the escalation level and round of
 * the page, and when it expires, signed with HMAC-SHA256 under a key kept outside the store (on
 * AWS a secret the CDK app creates; locally a key file beside the store): whoever can read the
 * store, or a message in it, can still not make a link. A link
 * - is valid until the next escalation step, and at most an hour (`ACK_LINK_MAX_MINUTES`); an
 *   exposed interface's page repeated on the on-call topic carries one too, valid until the next
 *   repeat, which takes that repeat (an acknowledgement after the interface was left open);
 * - works once: the page it belongs to (`<level>#<round>`, a repeat's `exposed-repeat@<expiry>`)
 *   is recorded as used in the incident, in the same commit as the acknowledgement;
 * - carries no personal data: identifiers only.
 * Opening it only shows the incident and a button (mail scanners and link previews fetch links);
 * only pressing the button acknowledges.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigurationError } from './errors.js';
import { type AckLinkRef, INCIDENT_ID_PATTERN, type Incident } from './incident.js';
import type { Policy } from './policy.js';
import { EXPOSED_REPEAT_MINUTES, nextPageAfter, openSince } from './schedule.js';
import { addMinutes, MINUTE_MS } from './time.js';

/** A link lives at most this long after its page was queued. */
export const ACK_LINK_MAX_MINUTES = 60;

/** The path of the acknowledgement pages, on `datalek serve` and on the link function URL alike. */
export const ACK_LINK_PATH = '/ack/';

/** A key shorter than this is refused: HMAC-SHA256 wants 256 bits. */
export const MIN_LINK_KEY_BYTES = 32;

/** What a link says: which page of which incident, and until when. */
export interface AckLinkClaims {
  incidentId: string;
  level: string;
  /** 0-based, as the schedule counts (pages show it 1-based). */
  round: number;
  expiresAt: string;
  /**
   * The link of an exposed interface's page repeated on the on-call topic (repeatAckLink), not of
   * an escalation page: it takes that repeat, `round` counting the repeats (0 the first).
   */
  repeat?: true;
}

/** Why a link is refused. */
export type LinkProblem = 'malformed' | 'foreign' | 'altered' | 'expired';

export type LinkCheck = { ok: true; claims: AckLinkClaims } | { ok: false; problem: LinkProblem; claims?: AckLinkClaims };

/** The page a link belongs to: what the incident records of a link once used. */
export type LinkPage = Pick<AckLinkClaims, 'level' | 'round'> & Partial<Pick<AckLinkClaims, 'expiresAt' | 'repeat'>>;

/**
 * The page a link belongs to, as the incident records used links. A repeat's is named by its
 * expiry: its count starts again with every interface left open after a repeat was taken, and
 * each repeat expires later than the one before. (No `#`: never an escalation page's.)
 */
export function linkId(claims: LinkPage): string {
  return claims.repeat ? `exposed-repeat@${claims.expiresAt}` : `${claims.level}#${claims.round}`;
}

/** Until when a page's link is valid: the next escalation page, and at most an hour after `now`. */
export function ackLinkExpiry(incident: Incident, policy: Policy, now: string): string {
  const cap = addMinutes(now, ACK_LINK_MAX_MINUTES);
  const next = nextPageAfter(incident, policy, now);
  return next !== null && next < cap ? next : cap;
}

/**
 * The link of an exposed interface's page repeated on the on-call topic at `now` (schedule.ts
 * `exposedUntaken`: the interfaces still open and not taken): valid until the next repeat, which
 * carries its own, and at most an hour. Named for the first escalation level (the topic's
 * subscribers), the repeat's count as its round.
 */
export function repeatAckLink(repeat: readonly { at: string }[], policy: Policy, now: string): AckLinkRef {
  const step = EXPOSED_REPEAT_MINUTES * MINUTE_MS;
  const from = Date.parse(openSince(repeat));
  const count = Math.max(0, Math.floor((Date.parse(now) - from) / step) - 1);
  const until = Math.min(from + (count + 2) * step, Date.parse(now) + ACK_LINK_MAX_MINUTES * MINUTE_MS);
  return { level: policy.onCall.escalation.levels[0].name, round: count, expiresAt: new Date(until).toISOString(), repeat: true };
}

/**
 * A key's id, in every token: a link signed by another datalek (another deployment, another
 * store, a rotated key) is told apart from one that was altered, without revealing the key.
 */
export function linkKeyId(key: Buffer): string {
  return createHash('sha256').update('datalek-ack-link-key\n').update(key).digest('hex').slice(0, 12);
}

/**
 * The key a drill copy signs and checks its links with: derived from the store's key and the drill
 * mark, so a link a drill prints is foreign to the real store (and to every other drill), even
 * where one key serves every store on the machine (`DATALEK_ACK_KEY`).
 */
export function drillLinkKey(key: Buffer, drill: { from: string; at: string }): Buffer {
  return createHmac('sha256', key).update(`datalek-drill-link-key\n${drill.from}\n${drill.at}`).digest();
}

function mac(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(`datalek-ack-link.${payload}`).digest();
}

/** The token of a link: base64url of its claims, a dot, base64url of their HMAC-SHA256. */
export function signAckLink(key: Buffer, claims: AckLinkClaims): string {
  checkKey(key);
  const payload = Buffer.from(
    JSON.stringify({
      v: 1,
      k: linkKeyId(key),
      i: claims.incidentId,
      l: claims.level,
      r: claims.round,
      e: Date.parse(claims.expiresAt) / 1000,
      ...(claims.repeat ? { x: 1 } : {}),
    }),
    'utf8',
  ).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

/** The full link: `<base>/ack/<token>`. */
export function ackLinkUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}${ACK_LINK_PATH}${token}`;
}

const MAX_TOKEN_CHARS = 1024;

/**
 * Checks a token: its form, its key, its signature (in constant time), then its expiry. The claims
 * of an expired link are returned with the refusal, to say which incident it was for.
 */
export function verifyAckLink(key: Buffer, token: unknown, now: string): LinkCheck {
  checkKey(key);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    return { ok: false, problem: 'malformed' };
  }
  const [payload, signature] = token.split('.');
  const claims = readClaims(payload);
  if (!claims) return { ok: false, problem: 'malformed' };
  if (claims.keyId !== linkKeyId(key)) return { ok: false, problem: 'foreign' };
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'altered' };
  const { keyId: _, ...rest } = claims;
  if (Date.parse(now) >= Date.parse(rest.expiresAt)) return { ok: false, problem: 'expired', claims: rest };
  return { ok: true, claims: rest };
}

function readClaims(payload: string): (AckLinkClaims & { keyId: string }) | null {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object') return null;
  const { v, k, i, l, r, e, x } = raw as Record<string, unknown>;
  if (v !== 1 || typeof k !== 'string' || typeof i !== 'string' || !INCIDENT_ID_PATTERN.test(i)) return null;
  if (typeof l !== 'string' || l.length === 0 || l.length > 200) return null;
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r > 1_000_000) return null;
  if (typeof e !== 'number' || !Number.isFinite(e) || e < 0 || e > 1e11) return null;
  if (x !== undefined && x !== 1) return null;
  return { keyId: k, incidentId: i, level: l, round: r, expiresAt: new Date(e * 1000).toISOString(), ...(x === 1 ? { repeat: true as const } : {}) };
}

function checkKey(key: Buffer): void {
  if (key.length < MIN_LINK_KEY_BYTES)
    throw new ConfigurationError(`the acknowledgement link key has ${key.length} bytes; it needs at least ${MIN_LINK_KEY_BYTES}`);
}
