/**
 * The public half of the link pages and the pager's webhooks: it forwards, it decides nothing.
 *
 * On AWS the public link function (no IAM on its URL) runs this alone. It holds no link key, no
 * webhook secret, no table and no bus: code running in it (a dependency's bug, code execution)
 * could otherwise sign a link for every incident, or put any item in any incident's partition. It
 * turns each request into a `LinkRequest`, the little of the request the checks need, and hands it
 * to the trusted side (web/links.tsx `createLinkApplier`: on AWS the private link-apply function,
 * invoked synchronously; under `datalek serve` the same applier in-process), which checks
 * everything itself and answers with the page or the webhook's answer, already made.
 *
 * The trusted side believes nothing this side says about authenticity: a forged `LinkRequest`
 * acknowledges only what a valid signed link or a validly signed, recent webhook in it allows, so
 * the contract holds what a request carries (the token in its path, the form, the raw body, the
 * signature headers) and never a verdict. It carries no cookie, no other header and no caller's
 * address (none is used). The style sheet of the pages is served here: it is public and fixed.
 */
import type { Context, Env, Hono as HonoApp } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { OPSGENIE_TOKEN_HEADER } from '../core/pager-webhooks.js';
import * as z from '../core/zod.js';
import { APP_CSS } from './assets.js';
import { securityHeaders } from './security.js';

/** The style sheet of the link pages, served without the session. */
export const LINK_CSS_PATH = '/ack/app.css';

export const MAX_FORM_BYTES = 8 * 1024;
export const MAX_WEBHOOK_BYTES = 256 * 1024;
const MAX_HEADER = 8 * 1024;
const MAX_PATH = 4 * 1024;
/** A page is tens of kilobytes; Lambda answers a synchronous invocation with up to 6 MB. */
const MAX_ANSWER = 1024 * 1024;

/** The headers the checks read: a press's browser origin, and a webhook's signature (PagerDuty) or token (Opsgenie). */
export const FORWARDED_HEADERS = ['origin', 'sec-fetch-site', 'x-pagerduty-signature', OPSGENIE_TOKEN_HEADER] as const;

const text = (max: number) => z.string().check(z.maxLength(max));

const linkRequestSchema = z.strictObject({
  method: z.enum(['GET', 'POST']),
  /** The scheme and host the request came to: the page's own links, and a press's same-origin check. */
  origin: z
    .string()
    .check(
      z.maxLength(300),
      z.regex(/^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, { error: 'expected the scheme and host the request came to' }),
    ),
  path: z
    .string()
    .check(
      z.maxLength(MAX_PATH),
      z.regex(/^\/(ack\/[^/?#\s]+|hooks\/(pagerduty|opsgenie))$/, { error: 'expected /ack/<token>, /hooks/pagerduty or /hooks/opsgenie' }),
    ),
  /** `?lang=`, when it names a language of the pages (any other value reads as none). */
  lang: z.optional(z.enum(['nl', 'en'])),
  headers: z.strictObject(
    Object.fromEntries(FORWARDED_HEADERS.map((h) => [h, z.optional(text(MAX_HEADER))])) as Record<
      (typeof FORWARDED_HEADERS)[number],
      z.ZodMiniOptional<z.ZodMiniString>
    >,
  ),
  /** A press of the link page's button: the fields a person typed, as given. */
  form: z.optional(z.strictObject({ by: z.optional(text(MAX_FORM_BYTES)), note: z.optional(text(MAX_FORM_BYTES)) })),
  /** A webhook's body, as signed. */
  body: z.optional(text(MAX_WEBHOOK_BYTES)),
});

/** One forwarded request: all the trusted side reads of it. */
export type LinkRequest = z.infer<typeof linkRequestSchema>;

const linkResponseSchema = z.strictObject({
  status: z.int().check(z.gte(200), z.lte(599)),
  contentType: text(200),
  body: text(MAX_ANSWER),
});

/** The trusted side's answer: what the page (or the pager) is shown, nothing else. */
export type LinkResponse = z.infer<typeof linkResponseSchema>;

/**
 * A forwarded request as the trusted side takes it, or the first thing wrong with it (a field and
 * what was expected, never a value: the payload may hold a person's name). Beyond the schema: a
 * page is a GET with neither form nor body, a press a POST to a link with its form, a webhook a
 * POST with its body.
 */
export function parseLinkRequest(payload: unknown): { ok: true; request: LinkRequest } | { ok: false; problem: string } {
  const parsed = linkRequestSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `${issue.path.join('.') || 'the payload'}: ${issue.message}`.slice(0, 300) };
  }
  const r = parsed.data;
  const isLink = r.path.startsWith('/ack/');
  if (r.method === 'GET' && (!isLink || r.form || r.body !== undefined)) return { ok: false, problem: 'a GET opens a link, with neither form nor body' };
  if (r.method === 'POST' && isLink && (!r.form || r.body !== undefined)) return { ok: false, problem: 'a press of a link carries its form, and no body' };
  if (r.method === 'POST' && !isLink && (r.form || r.body === undefined)) return { ok: false, problem: 'a webhook carries its body, and no form' };
  return { ok: true, request: r };
}

/** The trusted side's answer as the forwarder takes it: checked, so a broken answer is a failure, never a page. */
export function parseLinkResponse(value: unknown): LinkResponse | null {
  const parsed = linkResponseSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** How the forwarder reaches the trusted side, and where it reports failures (identifiers only). */
export interface LinkForwarding {
  /** Hands one request to the trusted side and returns its answer; throws when it could not be had. */
  apply: (request: LinkRequest) => Promise<unknown>;
  log?: (line: string) => void;
}

const FAILURE = 'unexpected failure; see the link functions’ logs (identifiers only)';

/** Adds the forwarding routes to `app` (before any session check): the link pages, the webhooks and their style sheet. */
export function registerLinkForwarding<E extends Env>(app: HonoApp<E>, forwarding: LinkForwarding): void {
  const forward = async (c: Context, what: Pick<LinkRequest, 'method' | 'form' | 'body'>) => {
    const url = new URL(c.req.url);
    const lang = c.req.query('lang');
    const headers: LinkRequest['headers'] = {};
    for (const name of FORWARDED_HEADERS) {
      const value = c.req.header(name);
      if (value !== undefined) headers[name] = value;
    }
    const request: LinkRequest = { ...what, origin: url.origin, path: url.pathname, ...(lang === 'nl' || lang === 'en' ? { lang } : {}), headers };
    let answer: LinkResponse | null;
    try {
      answer = parseLinkResponse(await forwarding.apply(request));
    } catch (err) {
      forwarding.log?.(
        `datalek link: the trusted side did not answer ${what.method} ${routeOf(url.pathname)}: ${(err as Error).name}: ${(err as Error).message}`,
      );
      return c.text(FAILURE, 500);
    }
    if (!answer) {
      forwarding.log?.(`datalek link: the trusted side's answer to ${what.method} ${routeOf(url.pathname)} is not a link response`);
      return c.text(FAILURE, 500);
    }
    return c.body(answer.body, answer.status as ContentfulStatusCode, { 'Content-Type': answer.contentType });
  };

  app.get(LINK_CSS_PATH, (c) => c.body(APP_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' }));
  app.get('/ack/:token', (c) => forward(c, { method: 'GET' }));
  app.post('/ack/:token', bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => c.text('Request too large', 413) }), async (c) => {
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === 'string' ? { [name]: form[name] as string } : {});
    return forward(c, { method: 'POST', form: { ...field('by'), ...field('note') } });
  });
  const hookLimit = bodyLimit({ maxSize: MAX_WEBHOOK_BYTES, onError: (c) => c.text('Request too large', 413) });
  for (const provider of ['pagerduty', 'opsgenie']) {
    app.post(`/hooks/${provider}`, hookLimit, async (c) => forward(c, { method: 'POST', body: await c.req.text() }));
  }
}

/** The route of a path, for the log: a link's token is a credential until it expires, so it stays out. */
function routeOf(path: string): string {
  return path.startsWith('/ack/') ? '/ack/<token>' : path;
}

/** The forwarder on its own (the public link function), with the same security headers as `serve`. */
export function createLinkForwarder(forwarding: LinkForwarding): Hono {
  const app = new Hono();
  app.use('*', securityHeaders);
  registerLinkForwarding(app, forwarding);
  app.notFound((c) => c.text('Not found', 404));
  app.onError((err, c) => {
    forwarding.log?.(`datalek link: ${err.name}: ${err.message}`);
    return c.text(FAILURE, 500);
  });
  return app;
}
