/**
 * What the on-call engineer and the FG read says things in words, and sends them where the answer
 * is: a resource by its kind, an acknowledgement from a page's link in the reader's language, an
 * "interface exposed" page to the section that says what to do, an FG message to the web page
 * rather than to a command line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResourceKind } from '../../handlers/core/finding-resources.js';
import { actorLabel, closeReasonLabel, resourceKindLabel } from '../../handlers/core/labels.js';
import { composeMessage, EXPOSED_RUNBOOK } from '../../handlers/core/messages.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { ROOT } from '../support/cli.js';
import { incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-28T03:00:00.000Z';
const KINDS: ResourceKind[] = [
  'ec2-instance',
  'access-key',
  'iam-principal',
  's3-bucket',
  'eks-cluster',
  'ecs-cluster',
  'ecs-task',
  'container',
  'lambda-function',
  'rds-instance',
  'rds-cluster',
  'ebs-snapshot',
  'ec2-image',
  'recovery-point',
  'attack-sequence',
];

/** GitHub's anchor of a Markdown heading: lower case, punctuation out, spaces to hyphens. */
function anchors(markdown: string): string[] {
  return [...markdown.matchAll(/^#+ (.+)$/gm)].map((m) =>
    m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N} -]/gu, '')
      .replace(/ /g, '-'),
  );
}

describe('words for what the record keeps as codes', () => {
  it('names every resource kind in Dutch and English, never as GuardDuty’s type code', () => {
    for (const kind of KINDS) {
      for (const lang of ['nl', 'en'] as const) {
        const label = resourceKindLabel(lang, { kind, resourceType: 'CodeOnly' });
        expect(label, `${lang} ${kind}`).not.toBe('CodeOnly');
        if (kind.includes('-')) expect(label).not.toBe(kind);
      }
    }
    expect(resourceKindLabel('nl', { kind: 'ec2-instance', resourceType: 'Instance' })).toBe('EC2-instantie');
    // A kind datalek does not know yet keeps GuardDuty's own type rather than guessing, and says it is unknown (atk29 A9).
    expect(resourceKindLabel('nl', { kind: 'unknown', resourceType: 'BedrockAgent' })).toBe(
      'BedrockAgent (een resourcetype dat deze datalek-versie niet kent)',
    );
  });

  it('says who acknowledged from a page’s link in Dutch, keeping the name as given', () => {
    expect(actorLabel('nl', 'from the page to on-call, round 1')).toBe('via de link in de oproep aan on-call, ronde 1');
    expect(actorLabel('nl', 'Anna (from the page to secondary, round 2)')).toBe('Anna (via de link in de oproep aan secondary, ronde 2)');
    expect(actorLabel('nl', 'system')).toBe('systeem (datalek)');
    expect(actorLabel('nl', 'Anna Jansen (PagerDuty)')).toBe('Anna Jansen (PagerDuty)');
    expect(actorLabel('en', 'Anna (from the page to secondary, round 2)')).toBe('Anna (from the page to secondary, round 2)');
  });

  it('says in Dutch why datalek closed a merged incident, and leaves a person’s reason as written', () => {
    const reason = 'merged into dl-b: AttackSequence:IAM/CompromisedCredentials (f-1) names resources of both: one breach, one AP clock';
    expect(closeReasonLabel('nl', reason)).toBe(
      'samengevoegd met dl-b: AttackSequence:IAM/CompromisedCredentials (f-1) noemt resources van beide; één datalek, één AP-termijn, die daar loopt',
    );
    expect(closeReasonLabel('en', reason)).toBe(reason);
    expect(closeReasonLabel('nl', 'Gemeld en afgehandeld.')).toBe('Gemeld en afgehandeld.');
  });
});

describe('the messages', () => {
  it('send an "interface exposed" page to the section that says what to do, whatever the incident’s first action', () => {
    // An attack sequence whose first action revokes a role's sessions, and whose instance's interface stayed open.
    const incident = incidentFixture({
      actions: [
        { type: 'revoke-role-sessions', target: 'web-role', status: 'done', findingId: 'f-1' },
        { type: 'isolate-instance', target: 'i-1', status: 'failed', findingId: 'f-1' },
      ] as never,
    });
    const message = composeMessage({
      incident,
      channel: 'on-call',
      kind: 'interface-exposed',
      stateKey: 'exposed:eni-1',
      now: NOW,
      policy: DEFAULT_POLICY,
      exposed: 'eni-1',
    });
    expect(message.body).toContain(`Draaiboek: ${EXPOSED_RUNBOOK}`);
    expect(message.card?.runbook).toBe(EXPOSED_RUNBOOK);
    const [file, anchor] = EXPOSED_RUNBOOK.split('#');
    expect(anchors(readFileSync(join(ROOT, file), 'utf8'))).toContain(anchor);
  });

  it('name the runbook by its address when the policy says where runbooks are read', () => {
    const policy = parsePolicy({ onCall: { runbookBaseUrl: 'https://git.example.nl/sec/datalek/blob/main/' } });
    const message = composeMessage({ incident: incidentFixture(), channel: 'on-call', kind: 'opened', stateKey: 'opened', now: NOW, policy });
    expect(message.body).toContain('Draaiboek: https://git.example.nl/sec/datalek/blob/main/runbooks/triage.md');
  });

  it('name the resource by its kind in words, and an acknowledgement from a link in Dutch', () => {
    const incident = incidentFixture({ acknowledgedBy: 'Anna (from the page to on-call, round 1)', acknowledgedAt: NOW, state: 'acknowledged' });
    const message = composeMessage({ incident, channel: 'fg', kind: 'ap-reminder', stateKey: 'reminder:1', now: NOW, policy: DEFAULT_POLICY });
    expect(message.body).toContain('Getroffen resource: EC2-instantie i-dl-test');
    expect(message.body).toContain('Opgepakt door Anna (via de link in de oproep aan on-call, ronde 1)');
    expect(message.body).not.toContain('from the page');
  });

  it('tell the FG where to record, never a command with flags; on-call keeps the command', () => {
    const incident = incidentFixture({ facts: { complete: false } as never, reports: [] });
    for (const kind of ['opened', 'ap-reminder', 'ap-overdue', 'follow-up-reminder'] as const) {
      const fg = composeMessage({ incident, channel: 'fg', kind, stateKey: kind, now: NOW, policy: DEFAULT_POLICY });
      expect(fg.body, kind).not.toMatch(/\bdatalek (ack|assess|facts)\b|--\w/);
      expect(fg.body).toContain('Vastleggen: op de webpagina van datalek (datalek serve), bij incident dl-test.');
    }
    const onCall = composeMessage({ incident, channel: 'on-call', kind: 'opened', stateKey: 'opened', now: NOW, policy: DEFAULT_POLICY });
    expect(onCall.body).toContain('Oppakken: datalek ack dl-test --by <naam>');
  });
});
