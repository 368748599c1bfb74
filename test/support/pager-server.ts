/**
 * PagerDuty's Events API v2 and Opsgenie's Alert API as a local HTTP server, for the adapters'
 * tests: every request is checked against the provider's documented request format and answered
 * as the provider answers (202 with its body; 400 or 422 naming what is wrong; 401 without a valid
 * key; 429 and 5xx when a test asks for them), and what was accepted is kept, with the alert's state.
 *
 * Sources: PagerDuty developer docs, "Send an Alert Event" (events-API-v2) and its response codes;
 * Opsgenie Alert API (create, acknowledge, close by alias). Nothing here talks to the providers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface PagerServer {
  url: string;
  /** Requests the provider accepted (202), in order. */
  accepted: Recorded[];
  /** Every request, the refused ones included. */
  received: Recorded[];
  /** Answers for the next requests, before any check: e.g. [429, 500]; `retryAfter` adds that header. */
  failNext: (...answers: { status: number; retryAfter?: string }[]) => void;
  /** The alert's state by its key (PagerDuty dedup_key, Opsgenie alias). */
  alerts: Map<string, 'triggered' | 'acknowledged' | 'resolved'>;
  stop: () => Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function serve(
  handle: (req: IncomingMessage, text: string, server: PagerServer) => { status: number; body: unknown; record?: Recorded },
): Promise<PagerServer> {
  const pending: { status: number; retryAfter?: string }[] = [];
  let server: Server;
  const state: PagerServer = {
    url: '',
    accepted: [],
    received: [],
    alerts: new Map(),
    failNext: (...answers) => pending.push(...answers),
    stop: () => new Promise((r) => server.close(() => r())),
  };
  server = createServer(async (req, res) => {
    const text = await readBody(req);
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      // checked by the handler
    }
    state.received.push({ path: req.url ?? '', headers: req.headers, body: parsed });
    const forced = pending.shift();
    if (forced) {
      const headers: Record<string, string> = forced.retryAfter ? { 'Retry-After': forced.retryAfter } : {};
      return send(res, forced.status, forced.status === 429 ? { status: 'throttled', message: 'Too many requests' } : { message: 'Internal error' }, headers);
    }
    const out = handle(req, text, state);
    if (out.status === 202 && out.record) state.accepted.push(out.record);
    send(res, out.status, out.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** PagerDuty's Events API v2: `POST /v2/enqueue`. */
export function startPagerDuty(): Promise<PagerServer> {
  return serve((req, text, state) => {
    const invalid = (...errors: string[]) => ({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } });
    if (req.method !== 'POST' || req.url !== '/v2/enqueue') return { status: 404, body: { status: 'not found' } };
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return invalid('Content-Type must be application/json');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { status: 400, body: { status: 'invalid request', message: 'Event object is invalid', errors: ['Malformed JSON'] } };
    }
    if (!isObject(body)) return invalid('Event object must be an object');
    const errors: string[] = [];
    const allowed = ['routing_key', 'event_action', 'dedup_key', 'payload', 'images', 'links', 'client', 'client_url'];
    for (const k of Object.keys(body)) if (!allowed.includes(k)) errors.push(`Unknown field '${k}'`);
    if (typeof body.routing_key !== 'string' || body.routing_key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
    const action = body.event_action;
    if (action !== 'trigger' && action !== 'acknowledge' && action !== 'resolve') errors.push("'event_action' must be one of trigger, acknowledge, resolve");
    const key = body.dedup_key;
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 255))
      errors.push("'dedup_key' must be a string of at most 255 characters");
    if (action !== 'trigger' && typeof key !== 'string') errors.push("'dedup_key' is required for acknowledge and resolve");
    if (action === 'trigger') {
      const p = body.payload;
      if (!isObject(p)) errors.push("'payload' is required");
      else {
        if (typeof p.summary !== 'string' || !p.summary || p.summary.length > 1024) errors.push("'payload.summary' is required, at most 1024 characters");
        if (typeof p.source !== 'string' || !p.source) errors.push("'payload.source' is required");
        if (!['critical', 'error', 'warning', 'info'].includes(p.severity as string))
          errors.push("'payload.severity' must be critical, error, warning or info");
        if (p.timestamp !== undefined && (typeof p.timestamp !== 'string' || !Number.isFinite(Date.parse(p.timestamp))))
          errors.push("'payload.timestamp' must be ISO 8601");
        if (p.custom_details !== undefined && !isObject(p.custom_details)) errors.push("'payload.custom_details' must be an object");
        for (const f of ['component', 'group', 'class']) if (p[f] !== undefined && typeof p[f] !== 'string') errors.push(`'payload.${f}' must be a string`);
      }
      if (body.links !== undefined) {
        if (
          !Array.isArray(body.links) ||
          body.links.some((l) => !isObject(l) || typeof l.href !== 'string' || (l.text !== undefined && typeof l.text !== 'string'))
        ) {
          errors.push("'links' must be a list of {href, text}");
        }
      }
    }
    if (errors.length) return invalid(...errors);
    const dedup = (key as string | undefined) ?? `generated-${state.accepted.length}`;
    const current = state.alerts.get(dedup);
    // As PagerDuty: a trigger opens an alert or joins the open one; acknowledge and resolve apply to an open one or are dropped.
    if (action === 'trigger' && (current === undefined || current === 'resolved')) state.alerts.set(dedup, 'triggered');
    if (action === 'acknowledge' && current === 'triggered') state.alerts.set(dedup, 'acknowledged');
    if (action === 'resolve' && (current === 'triggered' || current === 'acknowledged')) state.alerts.set(dedup, 'resolved');
    return {
      status: 202,
      body: { status: 'success', message: 'Event processed', dedup_key: dedup },
      record: { path: req.url ?? '', headers: req.headers, body },
    };
  });
}

/** Opsgenie's Alert API: create `POST /v2/alerts`, `POST /v2/alerts/{alias}/acknowledge|close?identifierType=alias`. */
export function startOpsgenie(apiKey: string): Promise<PagerServer> {
  return serve((req, text, state) => {
    const meta = { took: 0.01, requestId: `req-${state.received.length}` };
    if (req.headers.authorization !== `GenieKey ${apiKey}`) return { status: 401, body: { message: 'Could not authenticate', ...meta } };
    let body: unknown;
    try {
      body = JSON.parse(text || '{}');
    } catch {
      return { status: 400, body: { message: 'Request body is not valid JSON', ...meta } };
    }
    const unprocessable = (errors: Record<string, string>) => ({
      status: 422,
      body: { message: 'Request body is not processable. Please check the errors.', errors, ...meta },
    });
    if (!isObject(body)) return unprocessable({ body: 'must be an object' });
    const url = new URL(req.url ?? '/', 'http://x');
    const length = (field: string, max: number, errors: Record<string, string>) => {
      const v = (body as Record<string, unknown>)[field];
      if (v !== undefined && (typeof v !== 'string' || v.length > max)) errors[field] = `${field} must be a string of at most ${max} characters`;
    };
    if (req.method === 'POST' && url.pathname === '/v2/alerts') {
      const errors: Record<string, string> = {};
      if (typeof body.message !== 'string' || !body.message.trim()) errors.message = 'Message can not be empty.';
      length('message', 130, errors);
      length('alias', 512, errors);
      length('description', 15000, errors);
      length('entity', 512, errors);
      length('source', 100, errors);
      length('user', 100, errors);
      length('note', 25000, errors);
      if (body.priority !== undefined && !['P1', 'P2', 'P3', 'P4', 'P5'].includes(body.priority as string))
        errors.priority = 'Priority should be one of [P1, P2, P3, P4, P5]';
      if (body.tags !== undefined && (!Array.isArray(body.tags) || body.tags.length > 20 || body.tags.some((t) => typeof t !== 'string' || t.length > 50))) {
        errors.tags = 'at most 20 tags of at most 50 characters';
      }
      if (body.details !== undefined && (!isObject(body.details) || Object.values(body.details).some((v) => typeof v !== 'string'))) {
        errors.details = 'details must be a map of strings';
      }
      if (Object.keys(errors).length) return unprocessable(errors);
      // As Opsgenie: an open alert with the same alias is de-duplicated (its count grows), not doubled.
      const alias = (body.alias as string | undefined) ?? `generated-${state.accepted.length}`;
      if (state.alerts.get(alias) !== 'triggered' && state.alerts.get(alias) !== 'acknowledged') state.alerts.set(alias, 'triggered');
      return { status: 202, body: { result: 'Request will be processed', ...meta }, record: { path: req.url ?? '', headers: req.headers, body } };
    }
    const m = /^\/v2\/alerts\/([^/]+)\/(acknowledge|close)$/.exec(url.pathname);
    if (req.method === 'POST' && m) {
      const type = url.searchParams.get('identifierType') ?? 'id';
      if (!['id', 'alias', 'tiny'].includes(type)) return unprocessable({ identifierType: 'must be id, alias or tiny' });
      const errors: Record<string, string> = {};
      length('user', 100, errors);
      length('source', 100, errors);
      length('note', 25000, errors);
      if (Object.keys(errors).length) return unprocessable(errors);
      const alias = decodeURIComponent(m[1]);
      if (type === 'alias') {
        const current = state.alerts.get(alias);
        if (m[2] === 'acknowledge' && current === 'triggered') state.alerts.set(alias, 'acknowledged');
        if (m[2] === 'close' && current && current !== 'resolved') state.alerts.set(alias, 'resolved');
      }
      return { status: 202, body: { result: 'Request will be processed', ...meta }, record: { path: req.url ?? '', headers: req.headers, body } };
    }
    return { status: 404, body: { message: 'Not found', ...meta } };
  });
}
