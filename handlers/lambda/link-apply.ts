/**
 * The link-apply function: private, invoked synchronously by the public link function only (its
 * role is the one allowed lambda:InvokeFunction on it). It takes what the link function forwards
 * (web/link-forward.ts `LinkRequest`) and does what the public function did before: checks a link's
 * signature and expiry with the link key, a webhook's signature or token and its freshness with the
 * webhook secret, the typed name's rules, and then acknowledges. It trusts nothing the forwarder
 * says: a payload from a compromised link function acknowledges only what a valid signed link or a
 * valid, recent webhook in it allows (web/links.tsx). An acknowledgement is announced on the bus
 * ("Incident Acknowledged") from here, so the notify function acknowledges the alert at the pager too.
 */
import { LOG_METRICS } from '../adapters/aws/table-schema.js';
import { untilDeadline } from '../core/conflict-retry.js';
import { createLinkApplier } from '../web/links.js';
import type { AwsDeps, LambdaContext } from './runtime.js';

export interface LinkApplyDeps extends Pick<AwsDeps, 'store' | 'publisher' | 'policy' | 'logger' | 'now'> {
  linkKey: () => Promise<Buffer>;
  webhookSecret?: () => Promise<string | undefined>;
}

export function createLinkApplyHandler(deps: LinkApplyDeps) {
  const apply = createLinkApplier({
    store: deps.store,
    policy: deps.policy,
    now: deps.now,
    linkKey: deps.linkKey,
    webhookSecret: deps.webhookSecret,
    target: 'aws',
    live: true,
    log: (line) => deps.logger.warn(line),
    // A link page answers the person (a 500 saying why) and a webhook fails: either way counted, by id, for
    // datalek-stuck-conflict, which says what it is (the function URL's 5xx alarm does not; infra14).
    stuckConflict: (incidentId) =>
      deps.logger.error(
        'an acknowledgement was not recorded: the store refused it at every try while the incident did not change, which is no race; datalek verify names it',
        {
          incidentId,
          [LOG_METRICS.stuckConflicts]: 1,
        },
      ),
    acknowledged: async (incident) => {
      deps.logger.info('acknowledged from a link or the pager', { incidentId: incident.id });
      // Identifiers only: the name a person typed stays in the record, out of the bus.
      await deps.publisher.publish([{ type: 'Incident Acknowledged', incidentId: incident.id, revision: incident.revision, detail: { via: 'link' } }]);
    },
  });
  // A lost race is tried again while the invocation has time (core/conflict-retry.ts), then the
  // press is answered "nothing changed, press again": it ends well before the link function's
  // invocation, so a press is never cut off with its outcome unknown.
  return async (event: unknown, context?: LambdaContext) =>
    apply(event, context ? { conflictRetry: untilDeadline(Date.now() + context.getRemainingTimeInMillis()) } : {});
}
