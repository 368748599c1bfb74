/**
 * The chat card: the custom-notification format of AWS's chat integration (AWS Chatbot, now
 * Amazon Q Developer in chat applications), so that a team routing the FG or on-call topic into
 * Slack or Microsoft Teams sees a readable card rather than raw text: the incident, its clocks, the
 * containment, the runbook and the acknowledgement link.
 *
 * Format (version 1.0, source "custom"): `content` with `textType` "client-markdown", `title`,
 * `description`, `nextSteps`, `keywords`; `metadata` with `threadId` (one thread per incident),
 * `summary`, `eventType`, `relatedResources`, `additionalContext`. Identifiers only, like every
 * message; attacker-controlled text (a finding type is GuardDuty's, but checked nowhere) is shown
 * as inline code with the characters that could format, link or mention taken out.
 */
import type { DeliveredMessage } from '../ports/notifier.js';
import type { MessageCard } from './incident.js';
import type { Policy } from './policy.js';
import { formatLocal } from './time.js';

export interface ChatNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: { textType: 'client-markdown'; title: string; description: string; nextSteps: string[]; keywords: string[] };
  metadata: { threadId: string; summary: string; eventType: string; relatedResources: string[]; additionalContext: Record<string, string> };
}

const TITLE_MAX = 250;
const DESCRIPTION_MAX = 8000;

const WORDS = {
  nl: {
    ack: (until: string) => `Oppakken (link geldig tot ${until})`,
    ackCli: 'Oppakken',
    runbook: 'Draaiboek',
    band: { Low: 'laag', Medium: 'middel', High: 'hoog', Critical: 'kritiek' },
  },
  en: {
    ack: (until: string) => `Acknowledge (link valid until ${until})`,
    ackCli: 'Acknowledge',
    runbook: 'Runbook',
    band: { Low: 'low', Medium: 'medium', High: 'high', Critical: 'critical' },
  },
} as const;

/**
 * Plain text for a card, one line: without the characters that format (`*`, `_`, `~`, backticks),
 * make links or mentions (`<…>`, `[text](url)`) or escape in Slack's or Teams' markdown.
 */
function chatText(value: string): string {
  return value
    .replace(/[`<>*_~|\\]/g, "'")
    .replace(/\]\(/g, "]'(")
    .replace(/[\r\n\t]+/g, ' ')
    .trim();
}

/**
 * Prose for a card: plain text in which nothing becomes a link or a mention either. Slack and Teams
 * turn a bare address (`https://…`, `evil.example/ack`) into a link and `@channel` into a mention; a
 * name typed on the link page is nobody's check, so such text is shown defanged (`https[:]//`,
 * `evil[.]example`, `＠channel`).
 */
function chatProse(value: string): string {
  return chatText(value)
    .replace(/\b([a-z][a-z0-9+.-]*):\/\//gi, '$1[:]//')
    .replace(/([a-z0-9-])\.(?=[a-z]{2,}\b)/gi, '$1[.]')
    .replace(/@/g, '＠');
}

/** Inline code of plain text (an identifier): a mention or a link inside it is never one. */
export function chatCode(value: string): string {
  const clean = chatText(value);
  return clean ? `\`${clean}\`` : '';
}

/** A runbook as a link when the policy says where runbooks are read, else its path. */
export function runbookUrl(policy: Policy, runbook: string): string | null {
  const base = policy.onCall.runbookBaseUrl;
  return base ? new URL(runbook, base.endsWith('/') ? base : `${base}/`).href : null;
}

/** The card of a message; a message queued before cards existed gets its subject and text. */
export function chatNotification(message: DeliveredMessage, policy: Policy): ChatNotification {
  const lang = policy.language;
  const w = WORDS[lang];
  const card: MessageCard = message.card ?? {
    title: message.subject,
    band: (message.attributes.band as MessageCard['band']) ?? 'High',
    facts: [],
    ask: message.body.split('\n')[0] ?? '',
    runbook: 'runbooks/triage.md',
    account: '',
    region: '',
    findingType: '',
    resource: '',
  };
  // Identifiers (incident, finding type, resource, account) as code; times and states as text.
  const codeFacts = new Set([0, 1, 3, 4]);
  const facts = card.facts.map(([label, value], i) => `${chatText(label)}: ${codeFacts.has(i) ? chatCode(value) : chatProse(value)}`);
  const description = [chatProse(card.ask), '', ...facts].join('\n').slice(0, DESCRIPTION_MAX);
  const runbook = runbookUrl(policy, card.runbook);
  const nextSteps: string[] = [];
  if (message.ackUrl && message.ackLink) nextSteps.push(`${w.ack(formatLocal(message.ackLink.expiresAt, policy.timeZone))}: ${message.ackUrl}`);
  else if (message.ackLink) nextSteps.push(`${w.ackCli}: ${chatCode(`datalek ack ${message.incidentId}`)}`);
  nextSteps.push(`${w.runbook}: ${runbook ?? chatCode(card.runbook)}`);
  const resource = message.attributes.incidentId ? [message.incidentId] : [];
  return {
    version: '1.0',
    source: 'custom',
    id: message.id,
    content: {
      textType: 'client-markdown',
      title: chatText(card.title).slice(0, TITLE_MAX),
      description,
      nextSteps,
      keywords: ['datalek', w.band[card.band], message.kind, ...(message.attributes.sample === 'true' ? ['test'] : [])],
    },
    metadata: {
      // One thread per incident: its pages, reminders and results follow each other.
      threadId: message.incidentId,
      summary: chatText(card.title).slice(0, TITLE_MAX),
      eventType: message.kind,
      relatedResources: resource,
      additionalContext: Object.fromEntries(
        Object.entries({ incidentId: message.incidentId, band: card.band, kind: message.kind, ...message.attributes }).map(([k, v]) => [k, String(v)]),
      ),
    },
  };
}
