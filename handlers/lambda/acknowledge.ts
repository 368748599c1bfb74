/**
 * On-call acknowledges through a Lambda function URL with IAM authorisation (AWS_IAM): the caller
 * signed the request with SigV4, and Lambda puts the verified identity in the request context. The
 * acknowledger is that identity, never a name from the request body. A request without an IAM
 * identity, or from a principal the configuration does not allow, gets 403 and changes nothing.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { LOG_METRICS } from '../adapters/aws/table-schema.js';
import { lostRaceText } from '../cli/lost-race.js';
import { acknowledge } from '../core/acknowledge.js';
import type { ChangeDeps } from '../core/change-incident.js';
import { untilDeadline } from '../core/conflict-retry.js';
import { redactErrorMessage } from '../core/error-text.js';
import { ConfigurationError, ConflictError, IncidentNotFoundError, RefusedError, StuckConflictError } from '../core/errors.js';
import { INCIDENT_ID_PATTERN } from '../core/incident.js';
import { errorToldOutside, pseudonymKeyOf } from '../core/incident-pseudonyms.js';
import { matchesType } from '../core/policy.js';
import * as z from '../core/zod.js';
import type { AwsDeps, LambdaContext } from './runtime.js';

export interface AcknowledgeDeps extends AwsDeps {
  /** ARN patterns (with `*`) of the principals allowed to acknowledge, e.g. the on-call role's sessions. */
  allowedPrincipals: string[];
}

/** The function URL event, as much of it as this handler reads. */
export interface AckRequest {
  requestContext?: { http?: { method?: string }; authorizer?: { iam?: { userArn?: string | null } | null } | null };
  body?: string | null;
  isBase64Encoded?: boolean;
}

const bodySchema = z.strictObject({
  incidentId: z.string().check(z.regex(INCIDENT_ID_PATTERN, { error: 'expected an incident id such as dl-0123456789abcdef0123456789abcdef' })),
  note: z.optional(z.string().check(z.maxLength(1000))),
});

/** Reads DATALEK_ACK_PRINCIPALS (comma-separated ARN patterns); required, never "anyone". */
export function loadAllowedPrincipals(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = (env.DATALEK_ACK_PRINCIPALS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0 || list.some((p) => !p.startsWith('arn:'))) {
    throw new ConfigurationError(
      'DATALEK_ACK_PRINCIPALS: required, a comma-separated list of principal ARN patterns such as arn:aws:sts::111122223333:assumed-role/datalek-on-call/*',
    );
  }
  return list;
}

export function createAcknowledgeHandler(deps: AcknowledgeDeps) {
  const respond = (statusCode: number, body: Record<string, unknown>): APIGatewayProxyResultV2 => ({
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  return async (request: AckRequest, context?: LambdaContext): Promise<APIGatewayProxyResultV2> => {
    const caller = request.requestContext?.authorizer?.iam?.userArn;
    if (!caller) {
      deps.logger.warn('refused an acknowledgement without an IAM identity');
      return respond(403, { error: 'an acknowledgement must be signed with AWS credentials (SigV4)' });
    }
    if (!deps.allowedPrincipals.some((pattern) => matchesType(pattern, caller))) {
      // The role is kept, the session or user name (often the person's e-mail address) left out.
      deps.logger.warn('refused an acknowledgement from a principal that may not acknowledge (its session or user name left out)', {
        caller: redactErrorMessage(caller),
      });
      return respond(403, { error: `${caller} may not acknowledge incidents` });
    }
    if (request.requestContext?.http?.method && request.requestContext.http.method !== 'POST') {
      return respond(405, { error: 'use POST with {"incidentId": "dl-…"}' });
    }
    let input: z.infer<typeof bodySchema>;
    try {
      const text = request.isBase64Encoded ? Buffer.from(request.body ?? '', 'base64').toString('utf8') : (request.body ?? '');
      const raw = JSON.parse(text || '{}') as Record<string, unknown>;
      if (raw && typeof raw === 'object' && 'by' in raw) {
        return respond(400, { error: 'by: not accepted: the acknowledger is the identity that signed the request' });
      }
      const parsed = bodySchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return respond(400, { error: `${issue.path.join('.') || 'body'}: ${issue.message}` });
      }
      input = parsed.data;
    } catch {
      return respond(400, { error: 'body: not valid JSON' });
    }
    // A lost race is tried again while the invocation has time (the one rule of every function
    // with a deadline, core/conflict-retry.ts), then answered: never cut off by the timeout.
    const changeDeps: ChangeDeps = {
      store: deps.store,
      policy: deps.policy,
      now: deps.now,
      ...(context ? { conflictRetry: untilDeadline(Date.now() + context.getRemainingTimeInMillis()) } : {}),
    };
    try {
      const result = await acknowledge(changeDeps, { incidentId: input.incidentId, by: caller, note: input.note });
      const i = result.incident;
      if (result.changed) {
        // A second acknowledgement takes only the alert raised since; the incident's acknowledger stays the first.
        const detail: Record<string, string> = result.alertAcknowledged ? { alertAcknowledgedBy: caller } : { acknowledgedBy: caller };
        await deps.publisher.publish([{ type: 'Incident Acknowledged', incidentId: i.id, revision: i.revision, detail }]);
      }
      deps.logger.info('acknowledgement', { incidentId: i.id, changed: result.changed });
      return respond(200, {
        incidentId: i.id,
        changed: result.changed,
        acknowledgedBy: i.acknowledgedBy,
        acknowledgedAt: i.acknowledgedAt,
        ...(result.alertAcknowledged ? { alertAcknowledged: true } : {}),
      });
    } catch (err) {
      if (err instanceof IncidentNotFoundError) return respond(404, { error: err.message });
      // What the caller is answered names a principal by the incident's own pseudonym, as the messages
      // and the signed link's page do (fg24): the store's words name it by the store-wide one.
      if (err instanceof RefusedError || err instanceof StuckConflictError) errorToldOutside(err, await pseudonymKeyOf(deps.store, input.incidentId));
      // The refusal in the page's words too (`page`): `datalek serve --target aws` shows it as the page shows it on the embedded store.
      if (err instanceof RefusedError) return respond(409, { error: err.message, ...(err.page ? { page: err.page } : {}) });
      if (err instanceof StuckConflictError) {
        // No race: the store refuses the change for good. The log says so, by id (the store's text may name a resource),
        // with the count datalek-stuck-conflict pages on (the person's answer is no failure of the function: infra14);
        // the caller, a person signed in, gets the store's text and the check, as the CLI says it on the embedded store.
        deps.logger.error(
          'an acknowledgement was not recorded: the store refused it at every try while the incident did not change, which is no race (a row put in behind datalek?); datalek verify names it',
          { incidentId: err.incidentId, [LOG_METRICS.stuckConflicts]: 1 },
        );
        return respond(500, { error: lostRaceText('ack', err.incidentId, err), incidentId: err.incidentId, stuck: err.storeText });
      }
      if (err instanceof ConflictError) {
        // The conflict's text is left out: it may name a resource (a user name).
        deps.logger.warn('an acknowledgement was not recorded: other writers kept changing the incident for as long as the invocation had time', {
          incidentId: input.incidentId,
        });
        return respond(503, {
          error: `not recorded: other changes to incident ${input.incidentId} kept coming for as long as this request had time (a storm of findings on it?); nothing was recorded: acknowledge again`,
          incidentId: input.incidentId,
        });
      }
      // Lambda logs what it throws, message and stack: a store's words by the incident's own pseudonym, as the record and contain functions throw theirs.
      throw errorToldOutside(err, await pseudonymKeyOf(deps.store, input.incidentId));
    }
  };
}
