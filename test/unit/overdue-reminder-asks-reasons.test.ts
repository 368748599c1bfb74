/**
 * law26: a report made after its deadline must give the reasons for the delay where the rule asks
 * them: a telecom provider's complete notification after its three days (Regulation 611/2013 art.
 * 2(3): "a justification for the late notification"), and a processor's report to its controller
 * after the contract's hours (datalek refuses it without them, and closing asks them). The AP's
 * overdue reminder says so (Art. 33(1)); these clocks' overdue reminders only named the report, so
 * the FG learned of the reasons from a refusal when recording it.
 */
import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../handlers/core/messages.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';

const org = { name: 'Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
// Detected 2026-11-27T21:00Z (the fixture).
const report = {
  to: 'ap' as const,
  kind: 'initial' as const,
  reference: 'M-1',
  by: 'FG',
  at: '2026-11-28T09:00:00.000Z',
  recordedAt: '2026-11-28T09:00:00.000Z',
  version: 1,
};

const overdue = (clock: 'telecom-complete' | 'processor', clocks: object, over: object, language: 'nl' | 'en') => {
  const policy = parsePolicy({ organisation: { ...org, processor: clock === 'processor' }, clocks, language });
  return composeMessage({
    incident: incidentFixture(over),
    channel: 'fg',
    kind: 'clock-overdue',
    stateKey: `clock:${clock}`,
    clock,
    now: '2026-12-05T09:00:00.000Z',
    policy,
  }).body;
};

describe('an overdue reminder of a report whose lateness asks reasons', () => {
  it('Regulation 611/2013 art. 2(3): the telecom complete notification asks the reasons for the delay', () => {
    const over = { reports: [report] };
    expect(overdue('telecom-complete', { telecom: true }, over, 'en')).toContain(
      'Give the reasons for the delay with the complete notification (Regulation 611/2013 Art. 2(3)).',
    );
    expect(overdue('telecom-complete', { telecom: true }, over, 'nl')).toContain(
      'Geef bij de volledige melding de redenen voor de vertraging (Verordening 611/2013 art. 2(3)).',
    );
  });

  it('GDPR Art. 33(2): the processor’s report to its controller asks the reasons for the delay', () => {
    expect(overdue('processor', {}, {}, 'en')).toContain('Give the reasons for the delay with the report (Art. 33(2): without undue delay).');
    expect(overdue('processor', {}, {}, 'nl')).toContain('Geef bij de melding de redenen voor de vertraging (AVG art. 33(2): zonder onredelijke vertraging).');
  });
});
