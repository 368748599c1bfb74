/**
 * What keeps the web page to the person who started it, on a machine where other local processes
 * and every web page the browser opens can reach 127.0.0.1:
 *
 * 1. The Host header must name the address the server listens on (a page on another domain that
 *    rebinds its DNS name to 127.0.0.1 sends its own name: refused). Checked first.
 * 2. A random session token, printed once in the URL (as Jupyter does). Opening that URL sets it as
 *    an HttpOnly, SameSite=Strict cookie and redirects to the same page without it; every request
 *    without the token is refused and nothing is served, not even a style sheet. The server listens
 *    on a random loopback address of its own (`randomLoopbackAddress`): cookies ignore ports, and
 *    one set on 127.0.0.1 would go to every other service there.
 * 3. Every form carries a CSRF token, a second random secret only the served pages hold; a POST
 *    without it, or with an Origin other than the page's own, is refused before anything is read.
 * 4. Every response carries a strict Content-Security-Policy (only this server's own style sheet
 *    and script; no inline script or style, no frames, forms only to itself), no caching, and a
 *    Referer only to itself (a link to another site, such as the AP's, carries none).
 *
 * A refusal is 403 with a short page saying what to do, and changes nothing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

export interface SessionSecrets {
  /** In the printed URL, then in the cookie. */
  token: string;
  /** In every form (a hidden field); a POST must return it. */
  csrf: string;
}

export function newSession(): SessionSecrets {
  return { token: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url') };
}

/** Compares two secrets in constant time (also when their lengths differ). */
export function sameSecret(given: string | undefined | null, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/**
 * The Host header values a browser sends for this server. On 127.0.0.1 (or `::1`) the name
 * `localhost` reaches it too; on any other address, a random loopback one included, only that
 * address does: a session cookie set on `localhost` or 127.0.0.1 would go to every other local
 * service the browser opens there.
 */
export function allowedHosts(hostname: string, port: number): string[] {
  const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h);
  const names =
    hostname === '127.0.0.1' || hostname === '::1' || hostname === 'localhost' ? ['127.0.0.1', 'localhost', bracket(hostname)] : [bracket(hostname)];
  return [...new Set(names.map((n) => `${n.toLowerCase()}:${port}`))];
}

/**
 * A loopback address of its own for one `datalek serve`: 127.a.b.c, never 127.0.0.1 (Linux routes
 * all of 127/8 to the machine itself). A browser sends a cookie to every port of the host it was
 * set on, so the session cookie set on 127.0.0.1 would reach any other local service the FG opens
 * on 127.0.0.1 or `localhost` (a development server, a notebook); on an address nothing else uses,
 * it reaches only this server.
 */
export function randomLoopbackAddress(): string {
  const [a, b, c] = randomBytes(3);
  // 127.0.0.x is where other local services listen; .0 and .255 read as network and broadcast.
  return `127.${1 + (a % 254)}.${b}.${1 + (c % 254)}`;
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** The cookie that holds the session token; per port, so two servers on one machine keep apart. */
export function sessionCookieName(port: number): string {
  return `datalek_session_${port}`;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Headers on every response, refusals included. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on the page's own forms.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

/** The middleware that puts `SECURITY_HEADERS` on every response, refusals included. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
};
