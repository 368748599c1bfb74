/**
 * `datalek ack ID --target aws` with `DATALEK_ACK_URL` set: a POST to the acknowledgement function
 * URL, signed with the caller's AWS credentials (SigV4, service `lambda`). Lambda verifies the
 * signature and the handler records the signed identity as the acknowledger; no name is sent.
 */
import { ConflictError, DatalekError, IncidentNotFoundError, type PageWords, RefusedError, StuckConflictError } from '../core/errors.js';
import { oneLine } from '../core/text.js';
import type { Acknowledger } from '../use-cases/actions.js';
import { UsageError } from './errors.js';

export interface AckResponse {
  status: number;
  body: {
    incidentId?: string;
    changed?: boolean;
    acknowledgedBy?: string;
    acknowledgedAt?: string;
    alertAcknowledged?: boolean;
    error?: string;
    /** With a refusal (409): the same in the page's words (core/errors.ts PageWords). */
    page?: { nl?: unknown; en?: unknown };
    /** With a 500 for a conflict that was no race (StuckConflictError): the store's own words. */
    stuck?: unknown;
  };
}

export async function signedAcknowledge(url: string, region: string, input: { incidentId: string; note?: string }): Promise<AckResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new UsageError(`DATALEK_ACK_URL is not a URL: ${JSON.stringify(url)}`);
  }
  const body = JSON.stringify({ incidentId: input.incidentId, ...(input.note ? { note: input.note } : {}) });
  // The signing libraries load here, for this one request: the CLI does not load them otherwise.
  const signed = await (await import('./aws-signing.js')).signWithCallerCredentials(region, 'lambda', {
    method: 'POST',
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port ? Number(target.port) : undefined,
    path: target.pathname,
    headers: { host: target.host, 'content-type': 'application/json' },
    body,
  });
  // Bounded like every other call to AWS: a hung endpoint ends with an error, not a hung terminal.
  const response = await fetch(target, { method: 'POST', headers: signed.headers as Record<string, string>, body, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let parsed: AckResponse['body'];
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { error: text.slice(0, 200) };
  }
  return { status: response.status, body: parsed };
}

/**
 * Acknowledgements through the URL, for the CLI and the web page alike: the signer is the
 * acknowledger (`by` is never sent). Unknown incident: `IncidentNotFoundError`; refused by the
 * function (403: the caller may not; 409: the incident's state does not allow it, e.g. closed
 * meanwhile): `RefusedError`, with the function's words for the page; a request it cannot take
 * (400): `UsageError`; not recorded for a storm on the incident (503): `ConflictError`; refused by
 * the store at every try while the incident did not change (500 with its words): `StuckConflictError`; anything
 * else it answers: a `DatalekError` with its status. So the page and the CLI answer each as they
 * answer the same on the embedded store, never as a failure of their own (a 500).
 */
export function signedAcknowledger(url: string, region: string): Acknowledger {
  return async ({ incidentId, note }) => {
    const response = await signedAcknowledge(url, region, { incidentId, note });
    if (response.status === 404) throw new IncidentNotFoundError(incidentId);
    if (response.status !== 200) {
      // The answer's text is the endpoint's: one line, control characters visible.
      const reason = oneLine(response.body.error ?? 'no reason given');
      const message = `the acknowledgement was refused (HTTP ${response.status}): ${reason}`;
      // 503: the function could not record it for a storm of changes on the incident (a lost race at
      // every try): nothing recorded, acknowledge again, as a lost race here is answered.
      if (response.status === 503) throw new ConflictError(message);
      // 500 with the store's words: a conflict that was no race (the incident did not change): told as the CLI tells it here, with datalek verify.
      if (response.status === 500 && typeof response.body.stuck === 'string')
        throw new StuckConflictError(response.body.incidentId ?? incidentId, new ConflictError(oneLine(response.body.stuck)));
      if (response.status === 403) throw new RefusedError(message);
      if (response.status === 409) throw new RefusedError(message, { page: pageWords(response.body.page, reason) });
      throw response.status === 400 ? new UsageError(message) : new DatalekError(message);
    }
    const b = response.body;
    return {
      incidentId: b.incidentId ?? incidentId,
      changed: b.changed === true,
      acknowledgedBy: b.acknowledgedBy ?? null,
      acknowledgedAt: b.acknowledgedAt ?? null,
      ...(b.alertAcknowledged === true ? { alertAcknowledged: true } : {}),
    };
  };
}

/** A refusal's words for the page, as the function sent them (one line each, bounded), its reason where it sent none. */
function pageWords(page: NonNullable<AckResponse['body']['page']> | undefined, reason: string): PageWords {
  const words = (text: unknown) => (typeof text === 'string' && text.trim() ? oneLine(text).slice(0, MAX_PAGE_WORDS) : undefined);
  return { nl: words(page?.nl) ?? reason, en: words(page?.en) ?? reason };
}

/** The longest refusal a page shows from the function: its refusals are a sentence or two. */
const MAX_PAGE_WORDS = 1_000;
