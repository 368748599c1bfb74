/** The acknowledgement function (handlers/lambda/acknowledge.ts) on a test's store, called as on-call's signed URL calls it. */
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { createAcknowledgeHandler } from '../../handlers/lambda/acknowledge.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { capturingLogger } from './logs.js';

/** On-call's role session, allowed to acknowledge (`datalek-on-call/*`). */
export const ON_CALL_ARN = 'arn:aws:sts::111122223333:assumed-role/datalek-on-call/anna';

/**
 * Acknowledges `incidentId` through the function on `store` at `now`, its log lines into `lines`;
 * little time left, so a conflict is tried again without pauses (conflict-retry.ts untilDeadline).
 */
export async function acknowledgeByFunction(store: IncidentStore, lines: string[], now: string, incidentId: string) {
  const handler = createAcknowledgeHandler({
    store,
    notifier: { deliver: async () => {} },
    publisher: { publish: async () => {} },
    policy: DEFAULT_POLICY,
    logger: capturingLogger(lines),
    now: () => now,
    allowedPrincipals: ['arn:aws:sts::111122223333:assumed-role/datalek-on-call/*'],
  });
  return (await handler({ requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: ON_CALL_ARN } } }, body: JSON.stringify({ incidentId }) }, {
    awsRequestId: 'r',
    functionName: 'f',
    getRemainingTimeInMillis: () => 10_000,
  } as never)) as { statusCode: number; body: string };
}
