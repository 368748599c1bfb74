/**
 * Review 7, G17: the policy's `apDeadlineHours` takes any value from 1 to 720; the AP clock, the
 * show output, the page and the register still called it "AP notification (72 hours, GDPR Art.
 * 33)", and the register's CSV/JSON carried the deadline but not the hours it was counted with.
 * With 720, a notification 18 days after awareness read "met (72 hours)". Now the clock is named
 * with the incident's own hours, and the register carries them (and a processor's hours to its
 * controller). The policy now refuses more than 72 (ap-deadline-hours-limit.test.ts); a record
 * counted with more before keeps its hours, and says so.
 */
import { describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerCsv, registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-28T09:00:00.000Z';

describe('G17: the AP clock names the hours it counted', () => {
  // aware 2026-11-27T21:00Z, counted with 720 hours (a record from before the policy refused more than 72): due 2026-12-27T21:00Z
  const policy = parsePolicy({ apDeadlineHours: 48 });
  const incident = incidentFixture({ id: 'dl-g17', deadline: '2026-12-27T21:00:00.000Z', deadlineHours: 720 });

  it('names the hours the deadline was counted with', () => {
    const ap = clocksOf(incident, policy, NOW).find((c) => c.name === 'ap');
    expect(ap?.label).toEqual({ nl: 'Melding AP (720 uur, AVG art. 33)', en: 'AP notification (720 hours, GDPR Art. 33)' });
  });

  it('names the hours kept with the incident, not those of a later policy', () => {
    const ap = clocksOf({ ...incident, deadlineHours: 72 }, policy, NOW).find((c) => c.name === 'ap');
    expect(ap?.label.en).toBe('AP notification (72 hours, GDPR Art. 33)');
  });

  it('puts the hours in the register: CSV, JSON and Markdown', () => {
    const row = registerRow(incident, policy, NOW);
    expect(row.apDeadlineHours).toBe(720);
    expect(row.controllerHours).toBeNull();
    // The AP's hours and none to a controller, then (G12) openedByHand and (G11) findingsMinimised, empty for a finding's incident never minimised, then the AP's agreement to the subscribers' exception (Regulation 611/2013 art. 4(1)), then a retention hold (review9 S5), then why it closed without a follow-up to the AP (review10 S2), then whether the awareness lies before GuardDuty's detection (review7 G4), then the NIS2 awareness of the significant incident (review7 Y15), then the initial AP notification's own verdict (Art. 33(1), beside apClockStatus's follow-up states), then the begin of the breach as stated, its reason and whether it lies before the detection (review11 S3), then whether the end stated lies before the detection (fg14a), then an internal AP target shorter than 72 hours (review12 S3), then the notification the reason for no follow-up answers for (read14a A5), then the containment still planned (fg26 item 1).
    const [header, line] = registerCsv([row]).split('\n');
    expect(header).toMatch(
      /,"?apDeadlineHours"?,"?controllerHours"?,"?openedByHand"?,"?findingsMinimised"?,"?subscribersApAgreement"?,"?retentionHold"?,"?apFollowUpReason"?,"?awareBeforeDetection"?,"?nis2AwareAt"?,"?apInitialStatus"?,"?startedAt"?,"?startedReason"?,"?startedBeforeDetection"?,"?endedBeforeDetection"?,"?apInternalTarget"?,"?apInternalTargetHours"?,"?apInternalTargetMissed"?,"?apFollowUpReasonFor"?,"?stillPlanned"?,"?fgDecisionsRecordedAs"?$/,
    );
    expect(line).toMatch(
      /,"?720"?,"?"?,"?"?,"?"?,"?"?,"?"?,"?"?,"?false"?,"?"?,"?running"?,"?"?,"?"?,"?false"?,"?false"?,"?"?,"?"?,"?"?,"?"?,"(?:[^"]|"")*","?"?$/,
    );
    expect(registerMarkdown([incident], policy, NOW, 'nl')).toMatch(/termijn 720 uur/);
  });

  it('names a processor’s hours to its controller', () => {
    const processor = parsePolicy({ organisation: { processor: true }, clocks: { processorToControllerHours: 36 } });
    const told = clocksOf(incidentFixture({ id: 'dl-g17p' }), processor, NOW).find((c) => c.name === 'processor');
    expect(told?.label.en).toBe('Processor informs the controller (36 hours, Art. 33(2))');
    expect(registerRow(incidentFixture({ id: 'dl-g17p' }), processor, NOW).controllerHours).toBe(36);
  });
});
