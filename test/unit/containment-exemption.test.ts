import { describe, expect, it } from 'vitest';
import { planContainment } from '../../handlers/core/containment.js';
import { parseEvent } from '../../handlers/core/finding.js';
import { actionReasonLabel } from '../../handlers/core/labels.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-28T03:00:00.000Z';

/** The plan for an instance carrying the exemption tag, on AWS in enforce mode. */
function exemptPlan() {
  const resource = instanceResource('i-0e0e0e0e0e0e0e0e0');
  resource.instanceDetails.tags.push({ key: 'datalek:exempt', value: 'true' });
  const parsed = parseEvent(findingEvent({ id: 'exempt-1', resource }));
  if (parsed.kind !== 'finding') throw new Error('not a finding');
  return planContainment(parsed.finding, DEFAULT_POLICY, [], { canEnforce: true, forceEnforce: true, now: NOW });
}

describe('an instance exempted by its tag', () => {
  it('the Dutch exemption reason names the whole tag', () => {
    const nl = actionReasonLabel('nl', 'exempt by tag datalek:exempt=true: planned, not carried out');
    expect(nl).toContain('datalek:exempt=true');
  });

  it('is recorded as not contained, by a tag on the resource, to be contained by hand with its runbook', () => {
    const [isolate] = exemptPlan();
    expect(isolate).toMatchObject({ type: 'isolate-instance', status: 'planned', mode: 'plan' });
    expect(isolate.reason).toContain('datalek:exempt=true');
    expect(isolate.reason).toMatch(/by tag datalek:exempt=true on the resource/);
    expect(isolate.reason).toMatch(/not contained/);
    expect(isolate.reason).toMatch(/by hand/);
    expect(isolate.reason).toContain('runbooks/isolate-ec2-instance.md');
  });

  it('tells on-call and the FG so, in Dutch and in English', () => {
    const incident = incidentFixture({ actions: exemptPlan() });
    for (const channel of ['on-call', 'fg'] as const) {
      const nl = composeMessage({ incident, channel, kind: 'opened', stateKey: 'opened', now: NOW, policy: DEFAULT_POLICY }).body;
      expect(nl).toContain('datalek:exempt=true');
      expect(nl).toMatch(/door tag datalek:exempt=true op de resource/);
      expect(nl).toMatch(/niet ingeperkt/);
      expect(nl).toMatch(/handmatig/);
      expect(nl).toContain('runbooks/isolate-ec2-instance.md');
      const en = composeMessage({ incident, channel, kind: 'opened', stateKey: 'opened', now: NOW, policy: parsePolicy({ language: 'en' }) }).body;
      expect(en).toMatch(/exempt by tag datalek:exempt=true on the resource/);
      expect(en).toMatch(/not contained/);
    }
  });

  it('keeps reading the reason recorded before this wording', () => {
    expect(actionReasonLabel('nl', 'exempt by tag team:no-touch: planned, not carried out')).toBe(
      'uitgezonderd door tag team:no-touch: gepland, niet uitgevoerd',
    );
  });
});
