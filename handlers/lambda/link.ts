/**
 * The link function, behind a function URL without IAM authorisation: each request authorises
 * itself. It serves the pages behind the signed acknowledgement link every page carries, and the
 * pager's webhooks (web/links.tsx); its reserved concurrency bounds what a flood of requests can
 * cost. An acknowledgement is announced on the bus ("Incident Acknowledged"), so the notify
 * function acknowledges the alert at the pager too.
 */
import { createLinkApp } from '../web/links.js';
import { functionUrlHandler } from './function-url.js';
import type { AwsDeps } from './runtime.js';

export interface LinkFunctionDeps extends Pick<AwsDeps, 'store' | 'publisher' | 'policy' | 'logger' | 'now'> {
  linkKey: () => Promise<Buffer>;
  webhookSecret?: () => Promise<string | undefined>;
}

export function createLinkHandler(deps: LinkFunctionDeps) {
  const app = createLinkApp({
    store: deps.store,
    policy: deps.policy,
    now: deps.now,
    linkKey: deps.linkKey,
    webhookSecret: deps.webhookSecret,
    target: 'aws',
    live: true,
    log: (line) => deps.logger.warn(line),
    acknowledged: async (incident) => {
      deps.logger.info('acknowledged from a link or the pager', { incidentId: incident.id });
      // Identifiers only: the name a person typed stays in the record, out of the bus.
      await deps.publisher.publish([{ type: 'Incident Acknowledged', incidentId: incident.id, revision: incident.revision, detail: { via: 'link' } }]);
    },
  });
  return functionUrlHandler((request) => app.fetch(request));
}
