/**
 * The FG's record as a reviewer tried to make it lie: decisions taken in an unexpected order, times
 * that contradict one another, and what the page and the register then say. Each case failed on
 * the code before the review; the rule it checks is named with its article.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { planContainment } from '../../handlers/core/containment.js';
import { buildDraft, draftMarkdown } from '../../handlers/core/draft.js';
import { RefusedError } from '../../handlers/core/errors.js';
import { assess, closeBlockers, closeIncident, decideSubjects, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import { parseEvent } from '../../handlers/core/finding.js';
import type { Incident, TimelineEntry } from '../../handlers/core/incident.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { buildNotice, noticeMarkdown } from '../../handlers/core/notice.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { describeEntry } from '../../handlers/core/report-html.js';
import { factsAction } from '../../handlers/use-cases/actions.js';
import { parseFields } from '../../handlers/use-cases/fields.js';
import { changedValues, formBaseOf, webForm } from '../../handlers/web/action-forms.js';
import { rawFromForm } from '../../handlers/web/forms.js';
import { findingEvent } from '../support/events.js';
import { REGISTER_FACTS as FACTS, incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

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
      await decideSubjects(deps, {
        incidentId: id,
        decision: 'inform',
        text: 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
        date: now,
        channel: 'brief',
        reason: 'r',
        by: 'FG',
      });
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

  describe('special categories: only what the FG said', () => {
    /** The facts form as the page submits it, read as the web app reads it: only what changed is given. */
    const submitFacts = async (form: Record<string, string>) => {
      const incident = (await t.store.getIncident(id)) as Incident;
      const web = webForm('facts');
      if (!web) throw new Error('no facts form');
      const { raw } = rawFromForm(factsAction.fields, form, policy.timeZone);
      // The page was drawn from the record as it is now.
      const { values } = changedValues(web.action, parseFields(factsAction.fields, raw), incident, JSON.parse(formBaseOf(web.action, incident)));
      return recordFacts(deps, factsAction.input(values as never, { incidentId: id, by: 'FG' }));
    };

    it('an emptied box (the page: "Leeg: onbekend") is not recorded as "none"', async () => {
      await submitFacts({ special: 'strafrechtelijke gegevens' });
      await expect(submitFacts({ special: '' })).rejects.toThrow(/--special/);
      const facts = (await t.store.getIncident(id))?.facts;
      expect(facts?.specialCategories).toEqual(['strafrechtelijke gegevens']);
    });

    it('an empty --special on the command line states nothing either; "none" does', () => {
      expect(() => factsAction.input({ special: [] } as never, { incidentId: id, by: 'FG' })).toThrow(/--special/);
      expect(factsAction.input({ special: ['none'] } as never, { incidentId: id, by: 'FG' }).specialCategories).toEqual([]);
    });
  });

  describe('facts that would pull the ground from under an Art. 34(3) exception', () => {
    it('the measures of the exception "measures taken" cannot be emptied (Art. 34(3)(b))', async () => {
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'r', by: 'FG' });
      await recordFacts(deps, { incidentId: id, by: 'FG', measuresTaken: 'alle sessies ingetrokken, wachtwoorden gereset' });
      await decideSubjects(deps, { incidentId: id, decision: 'exception', exception: 'measures-taken', reason: 'risico weggenomen', by: 'FG' });
      await expect(recordFacts(deps, { incidentId: id, by: 'FG', measuresTaken: '' })).rejects.toThrow(/Art\. 34\(3\)\(b\)/);
      expect((await t.store.getIncident(id))?.facts?.measuresTaken).toBe('alle sessies ingetrokken, wachtwoorden gereset');
    });

    it('the subscribers\' exception "encrypted" holds the data unintelligible too (Regulation 611/2013 art. 4)', async () => {
      const telecom = parsePolicy({ clocks: { telecom: true } });
      const tdeps = { ...deps, policy: telecom };
      await assess(tdeps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'r', by: 'FG' });
      await recordFacts(tdeps, { incidentId: id, by: 'FG', nature: ['confidentiality'], unintelligible: 'yes' });
      await decideSubjects(tdeps, {
        incidentId: id,
        audience: 'subscribers',
        decision: 'exception',
        exception: 'encrypted',
        reason: 'AES',
        by: 'FG',
        // The AP agreed that the data was unintelligible (Regulation 611/2013 art. 4(1)).
        apReference: 'AP-1',
        apAgreedAt: now,
      });
      // Review 7 Y4: the fact is recorded; the exception it takes away is set aside.
      expect((await recordFacts(tdeps, { incidentId: id, by: 'FG', unintelligible: 'no' })).subscribers).toBeNull();
    });
  });

  describe('the register for people holds what Art. 33(5) asks: facts, effects, remedial action, reasoning, history', () => {
    it('shows the summary, the awareness and its reason, the reasons for a delay, every report and how the incident was closed', async () => {
      at('2026-11-28T09:00:00.000Z');
      await assess(deps, {
        incidentId: id,
        awareAt: '2026-11-28T08:30:00+01:00',
        awareReason: 'pas na het lezen van de logs',
        personalData: 'yes',
        risk: 'risk',
        reason: 'klantadressen gelezen',
        by: 'FG',
      });
      await recordFacts(deps, { incidentId: id, by: 'FG', ...FACTS, summary: 'Een aanvaller las klantadressen via de webwinkel.' });
      at('2026-12-02T09:00:00.000Z');
      await recordReport(deps, { incidentId: id, reference: 'M-7', by: 'FG', delayReason: 'de hoster leverde de logs pas op dag 4' });
      await recordReport(deps, { incidentId: id, reference: 'M-7', kind: 'follow-up', by: 'FG' });
      at('2026-12-05T09:00:00.000Z');
      const closed = await closeIncident(deps, {
        incidentId: id,
        reason: 'afgehandeld, maatregelen genomen',
        by: 'FG',
        followUpReason: 'de aanvulling ging per brief naar de AP',
      });
      const md = registerMarkdown([closed], policy, now, 'nl');
      for (const text of [
        'Een aanvaller las klantadressen via de webwinkel.',
        '2026-11-28 08:30 CET',
        'pas na het lezen van de logs',
        'de hoster leverde de logs pas op dag 4',
        'vervolgmelding M-7',
        'afgehandeld, maatregelen genomen',
      ])
        expect(md).toContain(text);
    });

    it('marks an Art. 34 communication entered more than a day after its stated date, in the register and the draft', async () => {
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'r', by: 'FG' });
      at('2026-12-10T09:00:00.000Z');
      const decided = await decideSubjects(deps, {
        incidentId: id,
        decision: 'inform',
        text: 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
        date: '2026-11-28T10:00:00.000Z',
        channel: 'brief',
        reason: 'identiteitsfraude mogelijk',
        by: 'FG',
      });
      expect(decided.subjects?.enteredLater).toBe(true);
      expect(registerMarkdown([decided], policy, now, 'nl')).toContain('later ingevoerd');
      expect(registerRow(decided, policy, now).enteredLater).toMatch(/subjects/);
      expect(buildDraft(decided, policy, now, 'nl').warnings.join(' ')).toMatch(/later ingevoerd/);
    });
  });

  describe('times in the Dutch documents are Amsterdam times', () => {
    it('shows when containment was carried out, and when the draft and the notice were made, in the policy’s zone', () => {
      const incident = incidentFixture({
        id: 'dl-times',
        actions: [
          {
            id: 'isolate-instance:i-1',
            type: 'isolate-instance',
            target: 'i-1',
            status: 'done',
            mode: 'enforce',
            findingId: 'f-1',
            at: '2026-11-27T21:05:00.000Z',
            steps: [{ name: 'isolate', status: 'done', at: '2026-11-27T21:06:00.000Z' }],
          },
        ],
      });
      const when = '2026-11-28T10:00:00.000Z';
      const draft = draftMarkdown(buildDraft(incident, policy, when, 'nl'), policy.timeZone);
      expect(draft).toContain('EC2-instantie isoleren i-1 (2026-11-27 22:06 CET)');
      expect(draft).toContain('2026-11-28 11:00 CET');
      expect(noticeMarkdown(buildNotice(incident, policy, when, 'nl'), policy)).toContain('2026-11-28 11:00 CET');
      expect(registerMarkdown([incident], policy, when, 'nl')).toContain('(2026-11-27 22:06 CET)');
      // Tools keep the instant: the CSV and JSON register.
      expect(registerRow(incident, policy, when).measuresTaken).toContain('2026-11-27T21:06:00.000Z');
    });
  });

  describe('messages carry no user names', () => {
    it('names a federated user’s session by its access key, not by the caller-chosen name in its principal id (account:name)', () => {
      const event = findingEvent({
        type: 'Exfiltration:IAMUser/AnomalousBehavior',
        resource: {
          resourceType: 'AccessKey',
          accessKeyDetails: { accessKeyId: 'ASIAFEDERATED000001', principalId: '111122223333:j.jansen', userType: 'FederatedUser', userName: 'j.jansen' },
        },
      });
      const parsed = parseEvent(event);
      if (parsed.kind !== 'finding') throw new Error('not a finding');
      const actions = planContainment(parsed.finding, policy, [], { canEnforce: false, forceEnforce: false, now: '2026-11-28T03:00:00.000Z' });
      const step = actions.find((a) => a.type === 'contain-federated-user');
      expect(step?.target).toBe('ASIAFEDERATED000001');
      // What the person needs to act stays in the record, where messages never look.
      expect(step?.params?.principalId).toBe('111122223333:j.jansen');
      const incident = incidentFixture({ actions });
      for (const channel of ['fg', 'on-call'] as const) {
        const m = composeMessage({ incident, channel, kind: 'opened', stateKey: 'opened', now: '2026-11-28T03:00:00.000Z', policy });
        expect(`${m.subject}\n${m.body}`).not.toContain('j.jansen');
      }
    });
  });

  describe('the recording moment cannot be set back before what the record already holds', () => {
    it('refuses a report recorded (--now) before a decision already recorded: the record is kept in the order it happened (Art. 33(5))', async () => {
      at('2026-12-02T09:00:00.000Z');
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'r', by: 'FG' });
      // Five days after the deadline, a run with a past clock tries to record the report as made, and recorded, in time.
      at('2026-11-28T09:00:00.000Z');
      await expect(recordReport(deps, { incidentId: id, reference: 'M-1', by: 'FG' })).rejects.toThrow(/before .*already recorded/);
      expect((await t.store.getIncident(id))?.reports ?? []).toHaveLength(0);
    });

    it('allows a few minutes of clock skew between two people’s machines', async () => {
      at('2026-12-02T09:00:00.000Z');
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'r', by: 'FG' });
      at('2026-12-02T08:58:00.000Z');
      await expect(recordFacts(deps, { incidentId: id, by: 'FG 2', summary: 's' })).resolves.toBeTruthy();
    });
  });
});
