/**
 * Opsgenie's Alert API (`/v2/alerts`, `Authorization: GenieKey …`): a page creates an alert with
 * `alias` = the incident id (Opsgenie de-duplicates open alerts on it), the priority mapped from
 * GuardDuty's band, a message of identifiers only, details and the links; acknowledging or
 * closing in datalek acknowledges or closes the alert by its alias.
 */
import { runbookUrl } from '../../core/chat-card.js';
import type { MessageCard } from '../../core/incident.js';
import { type Pager, PagerRejectedError } from '../../core/pager.js';
import { OPSGENIE_OWN_USER } from '../../core/pager-webhooks.js';
import type { Policy } from '../../core/policy.js';
import type { DeliveredMessage } from '../../ports/notifier.js';
import { type HttpOptions, postJson } from './http.js';

export const OPSGENIE_API_URL = 'https://api.opsgenie.com';

/** GuardDuty's band as Opsgenie's priority; a test (sample) finding is P5. */
export const OPSGENIE_PRIORITY: Record<MessageCard['band'], 'P1' | 'P2' | 'P3' | 'P4'> = { Critical: 'P1', High: 'P2', Medium: 'P3', Low: 'P4' };

export class OpsgeniePager implements Pager {
  readonly provider = 'opsgenie' as const;

  constructor(
    private readonly apiKey: string,
    private readonly policy: Policy,
    private readonly http: HttpOptions = {},
  ) {
    if (!/^[\w-]{8,128}$/.test(apiKey)) throw new PagerRejectedError('the Opsgenie API key is not a key of an API integration');
  }

  async deliver(message: DeliveredMessage): Promise<void> {
    const alert = message.alert;
    if (!alert) throw new PagerRejectedError(`message ${message.id} is not for the pager`);
    const base = `${(this.policy.onCall.providerUrl ?? OPSGENIE_API_URL).replace(/\/+$/, '')}/v2/alerts`;
    const headers = { Authorization: `GenieKey ${this.apiKey}` };
    if (alert.action === 'trigger') {
      await postJson(base, headers, this.create(message, alert.key), this.http);
      return;
    }
    const verb = alert.action === 'acknowledge' ? 'acknowledge' : 'close';
    await postJson(
      `${base}/${encodeURIComponent(alert.key)}/${verb}?identifierType=alias`,
      headers,
      { user: OPSGENIE_OWN_USER, source: 'datalek', note: message.body.slice(0, 25_000) },
      this.http,
    );
  }

  private create(message: DeliveredMessage, alias: string) {
    const card = message.card;
    const sample = message.attributes.sample === 'true';
    const band = card?.band ?? ((message.attributes.band as MessageCard['band']) || 'High');
    const runbook = card ? (runbookUrl(this.policy, card.runbook) ?? card.runbook) : undefined;
    const lines = card ? [card.ask, '', ...card.facts.map(([k, v]) => `${k}: ${v}`)] : [message.body];
    if (message.ackUrl) lines.push('', message.ackUrl);
    const details: Record<string, string> = { incidentId: message.incidentId, kind: message.kind };
    if (card) Object.assign(details, { findingType: card.findingType, account: card.account, region: card.region, resource: card.resource });
    if (runbook) details.runbook = runbook;
    if (message.ackUrl) details.acknowledge = message.ackUrl;
    return {
      message: (card?.title ?? message.subject).slice(0, 130),
      alias: alias.slice(0, 512),
      description: lines.join('\n').slice(0, 15_000),
      priority: sample ? 'P5' : OPSGENIE_PRIORITY[band],
      source: 'datalek',
      entity: (card?.resource ?? message.incidentId).slice(0, 512),
      tags: ['datalek', band, ...(sample ? ['test'] : [])],
      details,
    };
  }
}
