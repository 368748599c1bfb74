/**
 * Adds a page's signed acknowledgement link when the page is sent, not when it is queued: the
 * store holds what the link is for (incident, level, round, expiry), never a valid link.
 */
import type { DeliveredMessage, Notifier } from '../ports/notifier.js';
import { ackLinkUrl, signAckLink } from './ack-link.js';
import { ackLinkLines, ackLinkMissingLine } from './messages.js';
import type { Policy } from './policy.js';

export interface LinkSigning {
  /** Where the acknowledgement pages are served: the link function URL, or `datalek serve`. */
  baseUrl: string;
  /** The signing key, kept outside the store. */
  key(): Promise<Buffer>;
  /** Told when a page went out without its link because the key could not be read (to log it). */
  onKeyProblem?: (message: DeliveredMessage, reason: string) => void;
}

/**
 * Wraps a notifier: a page gets its link at the top of its text (the first thing a phone shows)
 * and as `ackUrl` for the chat card and the pager. A link that expired before the page could be
 * sent is left out rather than sent dead; without `links` (a machine without the key) pages go
 * without one and say how to acknowledge otherwise, as before. A key that cannot be read (a
 * secret store down or denied, a broken key file) never holds a page back: it goes without its
 * link, saying so, and `onKeyProblem` is told.
 */
export function withAckLinks(inner: Notifier, links: LinkSigning | null, policy: Policy, now: () => string): Notifier {
  return {
    ...(inner.accepts ? { accepts: (m) => inner.accepts?.(m) ?? true } : {}),
    async deliver(message: DeliveredMessage) {
      const link = message.ackLink;
      if (!links || !link || now() >= link.expiresAt) return inner.deliver(message);
      let token: string;
      try {
        token = signAckLink(await links.key(), { incidentId: message.incidentId, ...link });
      } catch (err) {
        links.onKeyProblem?.(message, (err as Error).message);
        return inner.deliver({ ...message, body: `${ackLinkMissingLine(policy.language)}\n\n${message.body}` });
      }
      const url = ackLinkUrl(links.baseUrl, token);
      const top = ackLinkLines(policy.language, url, link.expiresAt, policy.timeZone);
      return inner.deliver({ ...message, body: `${top.join('\n')}\n\n${message.body}`, ackUrl: url });
    },
  };
}
