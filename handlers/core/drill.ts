/**
 * Drills: practice on a marked copy of a store (`datalek drill`). A drill may run at any time, past
 * or future, and nothing it sends may be mistaken for the real thing: every message it delivers
 * carries the mark in its subject, its first line and its attributes (subscribers can filter on
 * `drill`).
 */
import type { Notifier } from '../ports/notifier.js';
import type { OutboxMessage } from './incident.js';

export const DRILL_PREFIX = '[DRILL] ';

const DRILL_NOTE =
  'OEFENING / DRILL: dit bericht komt uit een oefenkopie van de incidentenopslag; niets hierin is echt. This message comes from a drill copy of the store; nothing in it is real.';

/** The message as a drill sends it: marked in the subject, the body and the attributes. */
export function drillMessage(message: OutboxMessage): OutboxMessage {
  if (message.attributes.drill === 'true') return message;
  return {
    ...message,
    subject: `${DRILL_PREFIX}${message.subject}`,
    body: `${DRILL_NOTE}\n\n${message.body}`,
    attributes: { ...message.attributes, drill: 'true' },
  };
}

/** Wraps a notifier so that everything it delivers is marked as a drill. */
export function drillNotifier(inner: Notifier): Notifier {
  return { deliver: (message) => inner.deliver(drillMessage(message)) };
}
