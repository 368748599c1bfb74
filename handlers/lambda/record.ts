/**
 * The record-finding handler: EventBridge hands it one GuardDuty event.
 *
 * 1. Parse the event (a bad one is logged by its reason, never by its content, and thrown so that
 *    it ends up in the function's dead-letter queue, not lost).
 * 2. Record it, idempotently: Powertools idempotency keyed on the finding key and version, around
 *    the business function. A second delivery of the same version returns the first result without
 *    touching the store.
 * 3. Publish "Incident Opened" or "Incident Updated" on the pipeline's bus; the notify and contain
 *    handlers react to it. A crash between the commit and the publish is repaired by the retry:
 *    the store already holds the finding (a duplicate), and the event is published then.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { type ConflictRetry, untilDeadline } from '../core/conflict-retry.js';
import { ConflictError, InvalidFindingError, StoreRefusedError, StuckConflictError } from '../core/errors.js';
import { type Finding, type FindingKey, type FindingVersion, parseEvent } from '../core/finding.js';
import { errorToldOutside } from '../core/incident-pseudonyms.js';
import { type RecordResult, recordParsedEvent, refuseOtherAccounts } from '../core/record-finding.js';
import type { AwsDeps, LambdaContext } from './runtime.js';

export interface RecordHandlerDeps extends AwsDeps {
  persistenceStore: BasePersistenceLayer;
  /**
   * Whether actions of rules in enforce mode are planned as enforced (the contain handler then
   * carries them out). False plans everything as "plan" only. @default false
   */
  canEnforce?: boolean;
}

/** What the handler returns and the idempotency record keeps: identifiers, no personal data. */
export type RecordSummary = Pick<RecordResult, 'outcome' | 'findingId' | 'incidentId' | 'severity' | 'deadline' | 'actions' | 'reason'>;

/**
 * How long a recorded delivery is remembered: longer than anything that can deliver it again
 * (EventBridge retries a target for 24 hours, Lambda an asynchronous event for 6 more). Powertools'
 * default is one hour. A delivery after this is still a duplicate to the store (same version).
 */
export const IDEMPOTENCY_EXPIRY_SECONDS = 48 * 3600;

/**
 * The same finding key and version must carry the same content: a delivery that differs there is
 * refused (IdempotencyValidationError, into the dead-letter queue with an alarm), never answered
 * with the first delivery's result.
 */
export const IDEMPOTENCY_PAYLOAD = 'finding.[type, severity, resource, createdAt, archived, sample]';

export function createRecordHandler(deps: RecordHandlerDeps) {
  const idempotency = new IdempotencyConfig({
    eventKeyJmesPath: '[key.accountId, key.region, key.findingId, version.updatedAt, version.count]',
    expiresAfterSeconds: IDEMPOTENCY_EXPIRY_SECONDS,
    payloadValidationJmesPath: IDEMPOTENCY_PAYLOAD,
  });

  const recordOnce = makeIdempotent(
    async (input: { key: FindingKey; version: FindingVersion; finding: Finding }, conflictRetry: ConflictRetry): Promise<RecordSummary> => {
      const result = await recordParsedEvent(
        { store: deps.store, policy: deps.policy, now: deps.now, canEnforce: deps.canEnforce ?? false, conflictRetry },
        { kind: 'finding', finding: input.finding },
      );
      if (result.incidentId && result.outcome !== 'stale') {
        // A duplicate here means an earlier run stored it and crashed before this publish.
        const revision = result.revision ?? (await deps.store.getIncident(result.incidentId))?.revision ?? 0;
        await deps.publisher.publish([
          {
            type: result.outcome === 'opened' ? 'Incident Opened' : 'Incident Updated',
            incidentId: result.incidentId,
            revision,
            detail: { outcome: result.outcome, findingId: result.findingId, severity: result.severity },
          },
        ]);
      }
      const { outcome, findingId, incidentId, severity, deadline, actions, reason } = result;
      return { outcome, findingId, incidentId, severity, deadline, actions, ...(reason ? { reason } : {}) };
    },
    // The payload is the first argument; the second is how this invocation waits out a conflict.
    { persistenceStore: deps.persistenceStore, config: idempotency, dataIndexArgument: 0 },
  );

  return async (event: unknown, context: LambdaContext): Promise<RecordSummary> => {
    let parsed: ReturnType<typeof parseEvent>;
    try {
      parsed = parseEvent(event, { now: deps.now() });
      // A finding of an account not the pipeline's is refused here, as a bad event (review10 K5).
      refuseOtherAccounts(parsed, deps.policy);
    } catch (err) {
      if (err instanceof InvalidFindingError) {
        // The reason names the field; the event itself holds personal data and is not logged.
        deps.logger.error(
          "rejected a GuardDuty event (the event is left out of this log; after Lambda's retries it waits in the function's dead-letter queue)",
          // The path and a reason built from types and limits only: never a value from the event
          // but an account's id (a finding of another account's, refused by name).
          { path: err.path || '(event)', reason: err.reason },
        );
      }
      throw err;
    }
    if (parsed.kind === 'not-a-finding') {
      deps.logger.info('ignored a GuardDuty event that is not a finding', { detailType: knownDetailType(parsed.detailType) });
      return { outcome: 'ignored', findingId: null, incidentId: null, severity: null, deadline: null, actions: [], reason: `detail-type ${parsed.detailType}` };
    }
    const { key, version } = parsed.finding;
    idempotency.registerLambdaContext(context as never);
    deps.logger.appendKeys({ findingId: key.findingId, accountId: key.accountId, region: key.region });
    try {
      // The idempotency key is the finding key and version; the parsed finding rides along. A lost
      // race is tried again until KEEP_AFTER_COMMIT_MS (the publish, the links, the idempotency
      // record) is left of the invocation, as every function with a deadline does.
      const summary = await recordOnce({ key, version, finding: parsed.finding }, untilDeadline(Date.now() + context.getRemainingTimeInMillis()));
      // A version the record refuses as inconsistent (a flipped sample flag, atk29 A11): said as an error, with the
      // reason, which names the finding, its version and the flag, nothing of its content.
      // A "duplicate" whose content differs from the stored version names the fields (atk29 A8), never their values.
      if (summary.outcome === 'duplicate' && summary.reason)
        deps.logger.warn('a finding of the stored version differs from it: not recorded again', { reason: summary.reason });
      else if (summary.outcome === 'rejected')
        deps.logger.error('refused a finding as inconsistent with its stored record: not recorded', { reason: summary.reason });
      else deps.logger.info('recorded a finding', { outcome: summary.outcome, incidentId: summary.incidentId, severity: summary.severity });
      return summary;
    } catch (err) {
      if (err instanceof StuckConflictError) {
        // No race (the incident did not change): fails the invocation as below, and says so, by id; the
        // store's text is left out (it may name a resource).
        deps.logger.error(
          "gave up recording a finding: the store refused its incident's commit at every try while the incident did not change, which is no race (a row put in behind datalek?); datalek verify names it. Lambda tries the event again, refused alike, then keeps it in the function's dead-letter queue",
          { incidentId: err.incidentId },
        );
      } else if (err instanceof ConflictError) {
        // Fails the invocation: Lambda tries the event again (RETRY_ATTEMPTS), then keeps it in the
        // function's dead-letter queue, whose alarm pages; the errors alarm sees this one.
        deps.logger.error(
          // By the finding's key (the logger's keys); the conflict's text is left out: it may name a resource (a user name).
          "gave up recording a finding: other writers kept changing its incident for as long as the invocation had time; Lambda tries the event again, then keeps it in the function's dead-letter queue",
        );
      }
      if (err instanceof StoreRefusedError) {
        // What on-call finds in the dead-letter queue is told here: by the finding's key (the
        // logger's keys), the incident and the store's reason (limits and names, never a value).
        deps.logger.error(
          "the store refused a finding's commit as it is (the event is left out of this log): Lambda tries it again, refused alike, then keeps it in the function's dead-letter queue",
          { incidentId: err.incidentId ?? null, reason: err.reason ?? null },
        );
      }
      // Lambda logs what the function throws (message and stack) and the dead-letter queue keeps its
      // message, past minimise: a store's words naming the finding's principal by the store-wide
      // pseudonym found the incident minimise unlinked. Withheld: no incident's secret is at hand here.
      throw errorToldOutside(err, undefined);
    } finally {
      deps.logger.removeKeys(['findingId', 'accountId', 'region']);
    }
  };
}

/** GuardDuty's other detail-types, by name; anything else is not repeated in the log. */
const KNOWN_DETAIL_TYPES = new Set([
  'GuardDuty Malware Protection Object Scan Result',
  'GuardDuty Malware Protection Scan Result',
  'GuardDuty Runtime Protection Healthy',
  'GuardDuty Runtime Protection Unhealthy',
]);

function knownDetailType(detailType: string): string {
  return KNOWN_DETAIL_TYPES.has(detailType) ? detailType : `another detail-type (${detailType.length} characters, not logged)`;
}
