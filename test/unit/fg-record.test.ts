/**
 * The FG's record, below the CLI: the draft's Markdown cannot be made to say more than its text
 * (finding-derived and person-entered text is escaped), and an incident stored before issue #10's
 * fields existed still drafts, registers, reminds and takes new decisions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { buildDraft, draftMarkdown, escapeMarkdown } from '../../handlers/core/draft.js';
import { assess, closeBlockers } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { buildNotice, noticeMarkdown } from '../../handlers/core/notice.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const NOW = '2026-11-28T10:00:00.000Z';

describe('Markdown in the draft, the notice and the register', () => {
  const hostile =
    'x\n# Kop\n- lijst\n[klik](https://evil.example) ![beeld](https://evil.example/p.png) <img src=x onerror=alert(1)> **vet** `code` | cel | &lt;';

  it('escapes text so that it shows as text: no heading, list, link, image, HTML, emphasis, code or table cell', () => {
    const md = escapeMarkdown(hostile);
    expect(md).not.toContain('\n');
    expect(md).not.toMatch(/(^|[^\\])\[/);
    expect(md).not.toMatch(/(^|[^\\])</);
    expect(md).not.toMatch(/(^|[^\\])\*/);
    expect(md).not.toMatch(/(^|[^\\])`/);
    expect(md).not.toMatch(/(^|[^\\])\|/);
    expect(md).not.toMatch(/(^|[^\\])&/);
    expect(escapeMarkdown('# kop')).toBe('\\# kop');
    expect(escapeMarkdown('1. item')).toBe('1\\. item');
    expect(escapeMarkdown('- item')).toBe('\\- item');
  });

  it('escapes what the finding and the FG wrote wherever it lands', () => {
    const incident = incidentFixture({
      findingType: 'Execution:Runtime/[x](https://evil.example)',
      resource: { kind: 'ec2-instance', resourceType: 'Instance', id: 'i-<script>' },
      assessment: { personalData: 'yes', risk: 'high', reason: hostile, by: 'FG', at: NOW, notifiable: true },
      facts: {
        nature: ['confidentiality'],
        categories: [hostile],
        specialCategories: [],
        subjectGroups: [],
        subjectsMin: null,
        subjectsMax: null,
        records: null,
        consequences: hostile,
        measuresProposed: hostile,
        measuresTaken: hostile,
        unintelligible: null,
        crossBorder: null,
        summary: hostile,
        complete: false,
        updatedAt: NOW,
        updatedBy: 'FG',
      },
    });
    const outputs = [
      draftMarkdown(buildDraft(incident, policy, NOW, 'nl')),
      noticeMarkdown(buildNotice(incident, policy, NOW, 'nl'), policy),
      registerMarkdown([incident], policy, NOW, 'nl'),
    ];
    for (const md of outputs) {
      for (const line of md.split('\n')) {
        expect(line).not.toMatch(/^# Kop|^- lijst/);
        expect(line).not.toMatch(/(^|[^\\])\]\(/);
        expect(line).not.toMatch(/(^|[^\\])<(img|script)/);
      }
    }
    // The JSON draft keeps the text as typed: escaping is the Markdown's business.
    const summary = buildDraft(incident, policy, NOW).sections[3].fields.find((f) => f.key === 'summary');
    expect(summary?.value).toBe(hostile);
  });
});

describe('an incident stored before the decision history, the role and the new facts existed', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  /** What the store held for an assessed incident before issue #10: no decisions, role, first activity, NIS2 or new facts. */
  const legacy = (): Incident =>
    incidentFixture({
      state: 'reported',
      assessment: { personalData: 'yes', risk: 'high', reason: 'the old reasoning', by: 'FG', at: '2026-11-28T09:00:00.000Z', notifiable: true },
      facts: {
        nature: ['confidentiality'],
        categories: ['naam'],
        specialCategories: [],
        subjectGroups: ['klanten'],
        subjectsMin: 1,
        subjectsMax: 5,
        records: 5,
        consequences: 'phishing',
        measuresProposed: 'wachtwoorden resetten',
        unintelligible: 'no',
        crossBorder: false,
        complete: false,
        updatedAt: '2026-11-28T09:00:00.000Z',
        updatedBy: 'FG',
      },
      reports: [
        {
          version: 1,
          to: 'ap',
          kind: 'initial',
          reference: 'M-1',
          at: '2026-11-28T10:00:00.000Z',
          delayReason: null,
          by: 'FG',
          recordedAt: '2026-11-28T10:00:00.000Z',
        },
      ],
      subjects: {
        decision: 'inform',
        date: '2026-11-28T11:00:00.000Z',
        channel: 'brief',
        exception: null,
        reason: 'r',
        by: 'FG',
        at: '2026-11-28T11:00:00.000Z',
      },
    });

  it('drafts, registers, reminds and shows its clocks with what it has, saying "unknown" for what it never stated', () => {
    const incident = legacy();
    const draft = buildDraft(incident, policy, NOW, 'nl');
    const value = (key: string) => draft.sections.flatMap((s) => s.fields).find((f) => f.key === key)?.value;
    expect(value('specialCategories')).toBe('onbekend');
    expect(value('startedAt')).toContain(incident.detectedAt);
    expect(value('role')).toBe('verwerkingsverantwoordelijke');
    expect(value('consequences')).toBe('phishing');
    const row = registerRow(incident, policy, NOW);
    expect(row).toMatchObject({
      firstDecisionReason: 'the old reasoning',
      decisionReason: 'the old reasoning',
      apInitialStatus: 'met',
      apReportEnteredLater: false,
    });
    expect(row.decisions).toEqual([expect.objectContaining({ kind: 'assessment', reason: 'the old reasoning' })]);
    expect(clocksOf(incident, policy, NOW).map((c) => [c.name, c.status])).toEqual([
      ['ap', 'met'],
      ['subjects', 'met'],
    ]);
    // Its facts were never marked complete: the AP holds only the first phase of M-1 (Art. 33(4)).
    expect(closeBlockers(incident, policy, NOW)).toEqual([expect.stringMatching(/only the first phase .*M-1.*Art\. 33\(4\)/)]);
    const message = composeMessage({ incident, channel: 'fg', kind: 'follow-up-reminder', stateKey: 'x', now: NOW, policy });
    expect(message.body).toContain('Melding AP: gedaan op');
  });

  it('starts the decision history from its one assessment when a new decision is recorded', async () => {
    const t = tempSqliteStore();
    cleanup = t.cleanup;
    const stored = legacy();
    await t.store.commit({ incident: stored, expectedRevision: null, timeline: [], messages: [] });
    // After everything the legacy record holds (its Art. 34 decision was recorded at 11:00).
    const after = await assess(
      { store: t.store, policy, now: () => '2026-11-28T12:00:00.000Z' },
      { incidentId: stored.id, personalData: 'yes', risk: 'risk', reason: 'the new reasoning', by: 'FG' },
    );
    expect(after.decisions?.map((d) => (d.kind === 'assessment' ? d.reason : d.kind))).toEqual(['the old reasoning', 'the new reasoning']);
    expect(registerRow(after, policy, NOW)).toMatchObject({ firstDecisionReason: 'the old reasoning', decisionReason: 'the new reasoning' });
  });
});
