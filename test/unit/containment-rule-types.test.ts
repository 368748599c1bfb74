/**
 * Which rules take a finding's type is remembered per pattern list and type (containment.ts
 * `ruleTakesType`): the rules matched must be those the patterns say, for every type, whatever was
 * matched before, past the bound on what is remembered, and per policy.
 */
import { describe, expect, it } from 'vitest';
import { matchingRules, planContainment } from '../../handlers/core/containment.js';
import { type Finding, parseEvent } from '../../handlers/core/finding.js';
import { DEFAULT_POLICY, matchesType, type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { findingEvent } from '../support/events.js';

function finding(type: string): Finding {
  const parsed = parseEvent(findingEvent({ type, severity: 8 }));
  if (parsed.kind !== 'finding') throw new Error('not a finding');
  return parsed.finding;
}

const indices = (f: Finding, policy: Policy) => matchingRules(f, policy).map((r) => policy.containment.rules.indexOf(r));

describe('the rules that take a finding type', () => {
  it('are those whose patterns match it, for one type after another and past the bound on what is remembered', () => {
    const types = ['Backdoor:EC2/C&CActivity.B!DNS', 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'Recon:EC2/PortProbeUnprotectedPort'];
    const first = types.map((t) => indices(finding(t), DEFAULT_POLICY));
    expect(first.map((m) => m.length > 0)).toEqual([true, true, true]);
    for (let i = 0; i < 1100; i++) expect(indices(finding(`Custom:Thing/Type${i}`), DEFAULT_POLICY)).toEqual([]);
    expect(types.map((t) => indices(finding(t), DEFAULT_POLICY))).toEqual(first);
    // A copy of the policy has pattern lists of its own, matched afresh.
    for (const t of types) expect(indices(finding(t), DEFAULT_POLICY)).toEqual(indices(finding(t), structuredClone(DEFAULT_POLICY)));
  });

  it('are read from each policy of its own: another policy with other patterns matches by its own', () => {
    const type = 'Backdoor:EC2/C&CActivity.B!DNS';
    expect(indices(finding(type), DEFAULT_POLICY).length).toBeGreaterThan(0);
    const own = parsePolicy({ containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Recon:*'] }] } });
    expect(indices(finding(type), own)).toEqual([]);
    expect(indices(finding('Recon:EC2/Portscan'), own)).toEqual([0]);
  });
});

describe('a finding type holding a line break', () => {
  // The type is text from the event: a crafted or garbled one may hold "\n", "\r" or U+2028. Each is
  // still a finding on the record: the wildcard must match them as any other character, or no rule
  // (not even the fallback "*") takes it and the incident opens with no step at all.
  const NOW = '2026-11-28T03:00:00.000Z';
  const plan = (type: string) => planContainment(finding(type), DEFAULT_POLICY, [], { canEnforce: true, now: NOW }).map((a) => a.type);

  it.each(['\n', '\r', '\u2028', '\u2029'])('is taken by the rules its patterns match (%j)', (brk) => {
    expect(matchesType('*', `Custom:Thing/Type${brk}more`)).toBe(true);
    expect(plan(`Backdoor:EC2/C&CActivity.B!DNS${brk}forged line`)).toContain('isolate-instance');
    expect(plan(`Custom:Thing/Type${brk}more`)).toEqual(['triage']);
  });
});
