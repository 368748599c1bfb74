/**
 * What Slack or Teams shows through AWS's chat integration: the custom-notification format, with
 * the incident, its clocks, the runbook and the acknowledgement link, identifiers only, and
 * attacker-controlled text unable to format, link or mention. And what each kind of SNS subscriber
 * gets from one publish.
 */
import { describe, expect, it } from 'vitest';
import { smsText, snsMessages } from '../../handlers/adapters/aws/sns-notifier.js';
import { chatNotification } from '../../handlers/core/chat-card.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import type { DeliveredMessage } from '../../handlers/ports/notifier.js';
import { incidentFixture } from '../support/incidents.js';

const ID = `dl-${'0123456789abcdef'.repeat(2)}`;
const NOW = '2026-11-28T03:00:00.000Z';
const POLICY = parsePolicy({ onCall: { runbookBaseUrl: 'https://git.example.nl/sec/datalek/blob/main' } });

function page(over: Parameters<typeof incidentFixture>[0] = {}, policy = POLICY): DeliveredMessage {
  const incident = incidentFixture({ id: ID, paging: { firstPageAt: NOW, lastDueAt: null }, ...over });
  const message = composeMessage({ incident, channel: 'on-call', kind: 'opened', stateKey: 'opened', now: NOW, policy });
  return { ...message, ackUrl: 'https://abc.lambda-url.eu-west-1.on.aws/ack/TOKEN.SIG' };
}

describe('the chat card', () => {
  it('is a custom notification: version, source, client-markdown content, next steps, one thread per incident', () => {
    const card = chatNotification(page(), POLICY);
    expect(card).toMatchObject({
      version: '1.0',
      source: 'custom',
      id: `${ID}/on-call/opened`,
      content: { textType: 'client-markdown', keywords: ['datalek', 'hoog', 'opened'] },
      metadata: { threadId: ID, eventType: 'opened', relatedResources: [ID] },
    });
    expect(card.content.title).toBe(`[datalek hoog] Beveiligingsincident: Backdoor:EC2/C&CActivity.B!DNS ${ID}`);
    expect(card.content.nextSteps).toEqual([
      'Oppakken (link geldig tot 2026-11-28 04:15 CET): https://abc.lambda-url.eu-west-1.on.aws/ack/TOKEN.SIG',
      'Draaiboek: https://git.example.nl/sec/datalek/blob/main/runbooks/triage.md',
    ]);
    const lines = card.content.description.split('\n');
    expect(lines[0]).toBe('GuardDuty meldt een beveiligingsincident. Neem het op en volg het draaiboek.');
    expect(lines).toContain(`Incident: \`${ID}\``);
    expect(lines).toContain(`Getroffen resource: \`EC2-instantie i-${ID}\``);
    expect(lines).toContain('AP-termijn (72 uur na bewustwording): 2026-11-30 22:00 CET (2026-11-30T21:00:00Z), nog 2d 18u');
    expect(lines).toContain('Opgepakt: Nog door niemand opgepakt.');
  });

  it('names the runbook by its path, and acknowledging by the command, when there is no link or base address', () => {
    const { ackUrl: _, ...withoutLink } = page({}, DEFAULT_POLICY);
    const card = chatNotification(withoutLink, DEFAULT_POLICY);
    expect(card.content.nextSteps).toEqual([`Oppakken: \`datalek ack ${ID}\``, 'Draaiboek: `runbooks/triage.md`']);
  });

  it('lets nothing in a finding format, link or mention: no <!channel>, no links, no code breaking out', () => {
    const card = chatNotification(page({ findingType: 'Backdoor:EC2/`x` <!channel> *bold* <https://evil|click> [a](b)' }), POLICY);
    const text = JSON.stringify(card.content);
    expect(text).not.toMatch(/<!channel>|<https|\]\(b\)|\*bold\*/);
    expect(card.content.description).toContain("Bevinding: `Backdoor:EC2/'x' '!channel' 'bold' 'https://evil'click' [a]'(b)`");
  });

  it('turns no typed name into a link or a mention: the name given on the link page is nobody’s check', () => {
    const card = chatNotification(
      page({ state: 'acknowledged', acknowledgedBy: '@channel https://evil.example/ack/x (from the page to on-call, round 1)', acknowledgedAt: NOW }),
      POLICY,
    );
    const line = card.content.description.split('\n').find((l) => l.startsWith('Opgepakt:'));
    expect(line).toContain('＠channel https[:]//evil[.]example/ack/x');
    expect(line).not.toMatch(/@|:\/\/|evil\.example/);
  });

  it('leaves an IAM user’s name out, as the page does', () => {
    const card = chatNotification(
      page({ resource: { kind: 'iam-principal', resourceType: 'AccessKey', id: 'jan.de.vries', personal: true } as never }),
      POLICY,
    );
    expect(JSON.stringify(card)).not.toContain('jan.de.vries');
    expect(card.content.description).toContain('Getroffen resource: `IAM-identiteit (naam weggelaten: persoonsgegevens)`');
  });
});

describe('one publish, a text per kind of subscriber', () => {
  it('e-mail and queues the full text, SMS the subject and the link, HTTP(S) (the chat integration) the card', () => {
    const message = page();
    const out = snsMessages(message, POLICY);
    expect(out.default).toBe(message.body);
    expect(out.email).toBe(message.body);
    // The subject as SNS takes it (under 100 characters, the incident id kept whole), then the link.
    expect(out.sms).toBe(`[datalek hoog] Beveiligingsincident: Backdoor:EC2/C&CActivity.~ ${ID}\n${message.ackUrl}`);
    expect(JSON.parse(out.https)).toEqual(chatNotification(message, POLICY));
    expect(out.http).toBe(out.https);
  });

  it('an SMS without a link is the subject alone, ASCII', () => {
    expect(smsText({ ...page(), ackUrl: undefined, subject: '[datalek kritiek] Mogelijk datalek: é x' })).toBe('[datalek kritiek] Mogelijk datalek: e x');
  });
});
