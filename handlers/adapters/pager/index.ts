/**
 * The pager the policy names, with its keys from the secret store (never from the policy file):
 * on AWS the secret the CDK app creates, locally the environment. The key is read when the pager
 * first sends, not when a module loads, and a missing key is a refusal: the page then goes to the
 * on-call topic (core/pager.ts), never nowhere.
 */
import { type Pager, PagerRejectedError } from '../../core/pager.js';
import type { Policy } from '../../core/policy.js';
import type { DeliveredMessage } from '../../ports/notifier.js';
import type { HttpOptions } from './http.js';
import { OpsgeniePager } from './opsgenie.js';
import { PagerDutyPager } from './pagerduty.js';

/**
 * The pager's keys: PagerDuty's routing key or Opsgenie's API key, and the webhook secret. Locally
 * all from the environment; on AWS the key from the pager's secret and the webhook secret from a
 * secret of its own, which the public link function reads instead (adapters/aws/secrets.ts).
 */
export interface PagerSecrets {
  routingKey?: string;
  apiKey?: string;
  webhookSecret?: string;
}

export type PagerSecretSource = { describe: string; load: () => Promise<PagerSecrets> };

/** Locally: `DATALEK_PAGER_ROUTING_KEY` (PagerDuty), `DATALEK_PAGER_API_KEY` (Opsgenie), `DATALEK_PAGER_WEBHOOK_SECRET`. */
export function pagerSecretsFromEnv(env: NodeJS.ProcessEnv): PagerSecretSource {
  return {
    describe: 'the environment (DATALEK_PAGER_ROUTING_KEY, DATALEK_PAGER_API_KEY, DATALEK_PAGER_WEBHOOK_SECRET)',
    load: async () => ({
      routingKey: env.DATALEK_PAGER_ROUTING_KEY || undefined,
      apiKey: env.DATALEK_PAGER_API_KEY || undefined,
      webhookSecret: env.DATALEK_PAGER_WEBHOOK_SECRET || undefined,
    }),
  };
}

/** Reads a secret's JSON text: `{"routingKey": "…"}` or `{"apiKey": "…"}` (a `webhookSecret` there, from before it had a secret of its own, is read but not used on AWS). */
export function parsePagerSecrets(text: string, where: string): PagerSecrets {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PagerRejectedError(`${where} is not JSON such as {"routingKey": "…"} or {"apiKey": "…"}`);
  }
  if (!value || typeof value !== 'object') throw new PagerRejectedError(`${where} is not a JSON object`);
  const v = value as Record<string, unknown>;
  const str = (k: string) => (typeof v[k] === 'string' && (v[k] as string).trim() ? (v[k] as string).trim() : undefined);
  return { routingKey: str('routingKey'), apiKey: str('apiKey'), webhookSecret: str('webhookSecret') };
}

/**
 * The policy's pager, or null with `provider: "sns"`. The key is read at every delivery (a secret
 * source caches it: Secrets Manager's reader for five minutes), so a key rotated in the secret is
 * used from then on, not only once Lambda replaces the instance; the pager is made again only
 * when the key changed. A read that fails pages with the key last read, if there is one: a page
 * must not wait on Secrets Manager.
 */
export function createPager(policy: Policy, secrets: PagerSecretSource, http: HttpOptions = {}): Pager | null {
  const provider = policy.onCall.provider;
  if (provider === 'sns') return null;
  let built: { key: string; pager: Pager } | null = null;
  const current = async (): Promise<Pager> => {
    let s: PagerSecrets;
    try {
      s = await secrets.load();
    } catch (err) {
      if (built) return built.pager;
      throw err;
    }
    const key = provider === 'pagerduty' ? s.routingKey : s.apiKey;
    if (!key) {
      throw new PagerRejectedError(
        provider === 'pagerduty' ? `no PagerDuty routing key (routingKey) in ${secrets.describe}` : `no Opsgenie API key (apiKey) in ${secrets.describe}`,
      );
    }
    if (built?.key !== key) built = { key, pager: provider === 'pagerduty' ? new PagerDutyPager(key, policy, http) : new OpsgeniePager(key, policy, http) };
    return built.pager;
  };
  return {
    provider,
    async deliver(message: DeliveredMessage) {
      await (await current()).deliver(message);
    },
  };
}
