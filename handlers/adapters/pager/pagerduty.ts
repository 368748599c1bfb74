/**
 * PagerDuty's Events API v2 (`POST /v2/enqueue`): a page triggers an alert with `dedup_key` = the
 * incident id (so a repeated trigger joins the same alert), the severity mapped from GuardDuty's
 * band, a summary of identifiers only, custom details, and links to the acknowledgement page and
 * the runbook; acknowledging or closing in datalek sends `acknowledge` or `resolve` for that key.
 */
import { runbookUrl } from '../../core/chat-card.js';
import type { MessageCard } from '../../core/incident.js';
import { type Pager, PagerRejectedError } from '../../core/pager.js';
import type { Policy } from '../../core/policy.js';
import { formatLocal } from '../../core/time.js';
import type { DeliveredMessage } from '../../ports/notifier.js';
import { type HttpOptions, postJson } from './http.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com';

/** GuardDuty's band as PagerDuty's severity; a test (sample) finding is `info`. */
export const PAGERDUTY_SEVERITY: Record<MessageCard['band'], 'critical' | 'error' | 'warning' | 'info'> = {
  Critical: 'critical',
  High: 'error',
  Medium: 'warning',
  Low: 'info',
};

const LINK_TEXT = {
  nl: { ack: (until: string) => `Oppakken in datalek (link geldig tot ${until})`, runbook: 'Draaiboek' },
  en: { ack: (until: string) => `Acknowledge in datalek (link valid until ${until})`, runbook: 'Runbook' },
} as const;

export class PagerDutyPager implements Pager {
  readonly provider = 'pagerduty' as const;

  constructor(
    private readonly routingKey: string,
    private readonly policy: Policy,
    private readonly http: HttpOptions = {},
  ) {
    if (!/^[A-Za-z0-9]{32}$/.test(routingKey)) {
      throw new PagerRejectedError('the PagerDuty routing key must be the 32-character integration key of an Events API v2 integration');
    }
  }

  async deliver(message: DeliveredMessage): Promise<void> {
    const alert = message.alert;
    if (!alert) throw new PagerRejectedError(`message ${message.id} is not for the pager`);
    const base = (this.policy.onCall.providerUrl ?? PAGERDUTY_EVENTS_URL).replace(/\/+$/, '');
    const event =
      alert.action === 'trigger' ? this.trigger(message, alert.key) : { routing_key: this.routingKey, event_action: alert.action, dedup_key: alert.key };
    await postJson(`${base}/v2/enqueue`, {}, event, this.http);
  }

  private trigger(message: DeliveredMessage, key: string) {
    const card = message.card;
    const sample = message.attributes.sample === 'true';
    const band = card?.band ?? ((message.attributes.band as MessageCard['band']) || 'High');
    const words = LINK_TEXT[this.policy.language];
    const links: { href: string; text: string }[] = [];
    if (message.ackUrl && message.ackLink) {
      links.push({ href: message.ackUrl, text: words.ack(formatLocal(message.ackLink.expiresAt, this.policy.timeZone)) });
    }
    const runbook = card ? runbookUrl(this.policy, card.runbook) : null;
    if (runbook) links.push({ href: runbook, text: words.runbook });
    return {
      routing_key: this.routingKey,
      event_action: 'trigger',
      dedup_key: key,
      payload: {
        summary: (card?.title ?? message.subject).slice(0, 1024),
        source: card ? `aws:${card.account}:${card.region}` : 'datalek',
        severity: sample ? 'info' : PAGERDUTY_SEVERITY[band],
        timestamp: message.createdAt,
        component: card?.resource ?? undefined,
        group: 'datalek',
        class: card?.findingType ?? undefined,
        custom_details: {
          ...Object.fromEntries(card?.facts ?? []),
          ...(card ? { runbook: runbook ?? card.runbook } : {}),
          ...(sample ? { test: 'GuardDuty sample finding: no deadline, nothing contained' } : {}),
        },
      },
      links,
      client: 'datalek',
    };
  }
}
