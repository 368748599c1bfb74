/**
 * The FG's record as a reviewer tried to make it lie: decisions taken in an unexpected order, times
 * that contradict one another, and what the page and the register then say. Each case failed on
 * the code before the review; the rule it checks is named with its article.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { RefusedError } from '../../handlers/core/errors.js';
import { assess, closeBlockers, closeIncident, decideSubjects, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident, TimelineEntry } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { describeEntry } from '../../handlers/core/report-html.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

/** Facts enough for the register (Art. 33(5)), so that closing is held up only by what a test is about. */
const FACTS = {
  nature: ['confidentiality' as const],
  categories: ['naam'],
  specialCategories: [],
  subjectsMin: 10,
  subjectsMax: 20,
  records: 20,
  consequences: 'phishing',
  measuresTaken: 'wachtwoorden gereset',
};

describe('the FG record under review', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  let id: string;
  const at = (iso: string) => {
    now = iso;
  };

  beforeEach(async () => {
    t = tempSqliteStore();
    now = '2026-11-28T08:00:00.000Z';
    deps = { store: t.store, policy, now: () => now };
    const incident: Incident = incidentFixture({ id: 'dl-review' });
    id = incident.id;
    await t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  describe('Art. 34: a "not required" decision cannot outlive a high risk', () => {
    it('refuses "not required" before the risk is assessed: it rests on the risk not being high (Art. 34(1))', async () => {
      await expect(decideSubjects(deps, { incidentId: id, decision: 'not-required', reason: 'nog niets bekend', by: 'FG' })).rejects.toThrow(
        /assessment.*Art\. 34\(1\)/,
      );
      expect((await t.store.getIncident(id))?.subjects ?? null).toBeNull();
    });

    it('a later high-risk assessment sets aside an earlier "not required": the Art. 34 clock runs again and closing waits for a decision', async () => {
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'enkele adressen', by: 'FG' });
      await decideSubjects(deps, { incidentId: id, decision: 'not-required', reason: 'risico niet hoog', by: 'FG' });
      await recordFacts(deps, { incidentId: id, by: 'FG', ...FACTS });
      await recordReport(deps, { incidentId: id, reference: 'M-1', by: 'FG' });
      at('2026-11-28T09:00:00.000Z');
      const raised = await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'ook medische dossiers', by: 'FG' });

      expect(raised.subjects ?? null).toBeNull();
      // The earlier decision stays in the history, as it was taken.
      expect(raised.decisions?.filter((d) => d.kind === 'subjects')).toHaveLength(1);
      expect(clocksOf(raised, policy, now).find((c) => c.name === 'subjects')?.status).toBe('running');
      expect(closeBlockers(raised, policy, now).join(' ')).toMatch(/Art\. 34/);
      await expect(closeIncident(deps, { incidentId: id, reason: 'klaar', by: 'FG' })).rejects.toThrow(RefusedError);
      const draft = buildDraft(raised, policy, now, 'nl');
      const informed = draft.sections.flatMap((s) => s.fields).find((f) => f.key === 'subjectsInformed');
      expect(informed?.value ?? '').not.toMatch(/niet vereist/);
      const timeline = await t.store.getTimeline(id);
      expect(timeline.at(-1)?.detail).toMatchObject({ subjectsDecisionSetAside: expect.objectContaining({ decision: 'not-required' }) });
      expect(describeEntry(timeline.at(-1) as TimelineEntry, 'nl', policy.timeZone)).toContain('"niet vereist" vervalt');
    });

    it('keeps an exception or a communication across a new high-risk assessment: those were decided for a high risk', async () => {
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'r', by: 'FG' });
      await decideSubjects(deps, { incidentId: id, decision: 'inform', date: now, channel: 'brief', reason: 'r', by: 'FG' });
      const again = await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'r2', by: 'FG' });
      expect(again.subjects?.decision).toBe('inform');
    });
  });

  describe('Art. 33(4): a report that follows another cannot be dated before it', () => {
    beforeEach(async () => {
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'r', by: 'FG' });
      at('2026-11-29T20:00:00.000Z');
      await recordReport(deps, { incidentId: id, reference: 'M-9', by: 'FG', at: '2026-11-28T20:00:00.000Z' });
    });

    for (const kind of ['follow-up', 'correction', 'withdrawal']) {
      it(`refuses a ${kind} dated before the initial report`, async () => {
        await expect(recordReport(deps, { incidentId: id, reference: 'M-9', kind, by: 'FG', at: '2026-11-28T04:00:00.000Z' })).rejects.toThrow(
          /before the initial report.*Art\. 33\(4\)/,
        );
        expect((await t.store.getIncident(id))?.reports).toHaveLength(1);
      });
    }

    it('takes a follow-up dated at or after the initial report', async () => {
      const { report } = await recordReport(deps, { incidentId: id, reference: 'M-9', kind: 'follow-up', by: 'FG', at: '2026-11-28T20:00:00.000Z' });
      expect(report.kind).toBe('follow-up');
    });
  });
});
