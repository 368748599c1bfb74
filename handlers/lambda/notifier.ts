/**
 * How a Lambda function's messages leave, with SNS's client (snsNotifier). The notify function makes
 * it at cold start; the sweep loads this module when its first message goes (lazy-deps.ts). A
 * function that imports it loads SNS's client and the pager at start (infra/bundling.ts), so the
 * functions that send no message never do.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsClients } from '../adapters/aws/clients.js';
import type { AwsConfig } from '../adapters/aws/config.js';
import { PIPELINE_SDK, sdkConfig } from '../adapters/aws/sdk-config.js';
import { secretKey, secretReader, secretsManagerPagerSecrets } from '../adapters/aws/secrets.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { createPager } from '../adapters/pager/index.js';
import { withAckLinks } from '../core/link-delivery.js';
import { pagerRouting, recordPagerFailure } from '../core/pager.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { Notifier } from '../ports/notifier.js';

/** createNotifier with SNS's client of its own, made here. */
export function snsNotifier(config: AwsConfig, store: IncidentStore, logger: Logger, now: () => string): Notifier {
  return createNotifier(config, { sns: new SNSClient(sdkConfig(config.region, PIPELINE_SDK)) }, store, logger, now);
}

/**
 * How messages leave: pages with their signed acknowledgement link, pager alerts to the pager (and
 * to the on-call topic when it cannot take them, recorded in the incident), the rest to the FG and
 * on-call topics. The secrets are read when the first message needs them, not at cold start.
 */
export function createNotifier(config: AwsConfig, clients: Pick<AwsClients, 'sns'>, store: IncidentStore, logger: Logger, now: () => string): Notifier {
  const policy = config.policy;
  const pager = config.pagerSecret ? createPager(policy, secretsManagerPagerSecrets(config.pagerSecret, config.region)) : null;
  const routed = pagerRouting({
    topics: new SnsNotifier(clients.sns, config.topics, policy),
    pager,
    now,
    lang: policy.language,
    onFallback: async (message, reason) => {
      logger.error('a page went to the on-call topic instead of the pager', { incidentId: message.incidentId, messageId: message.id, reason });
      await recordPagerFailure({ store, policy, now }, message.incidentId, reason, message.alert?.key);
    },
  });
  const links =
    config.linkUrl && config.linkKeySecret
      ? {
          baseUrl: config.linkUrl,
          key: secretKey(secretReader(config.linkKeySecret, { region: config.region })),
          // The page goes out without its link; the error is logged so the errors alarm can see it.
          onKeyProblem: (message: { id: string; incidentId: string }, reason: string) =>
            logger.error('a page went out without its acknowledgement link: the link key cannot be used', {
              incidentId: message.incidentId,
              messageId: message.id,
              reason,
            }),
        }
      : null;
  return withAckLinks(routed, links, policy, now);
}
