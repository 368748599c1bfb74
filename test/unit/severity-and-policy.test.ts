import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidPolicyError } from '../../handlers/core/errors.js';
import { DEFAULT_POLICY, loadPolicy, matchesType, parsePolicy } from '../../handlers/core/policy.js';
import { severityBand } from '../../handlers/core/severity.js';

describe('severity bands', () => {
  it.each([
    [1.0, 'Low'],
    [3.9, 'Low'],
    [4.0, 'Medium'],
    [6.9, 'Medium'],
    [7.0, 'High'],
    [7.2, 'High'],
    [8.5, 'High'],
    [8.9, 'High'],
    [9.0, 'Critical'],
    [9.5, 'Critical'],
    [10, 'Critical'],
  ])('%s is %s', (severity, band) => {
    expect(severityBand(severity)).toBe(band);
  });
});

describe('the policy', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_POLICY.thresholds).toEqual({ openIncident: 4, notifyFg: 7, pageOnCall: 7 });
    expect(DEFAULT_POLICY.apDeadlineHours).toBe(72);
    expect(DEFAULT_POLICY.reminders).toEqual({
      beforeDeadlineHours: [48, 24, 12, 4, 1],
      overdueEveryHours: 12,
      followUpEveryHours: 24,
      subjectsEveryHours: 24,
      notifyNudgeHours: 24,
      nis2To: ['fg'],
      riskFollowUpTo: ['fg'],
    });
    expect(DEFAULT_POLICY.clocks).toEqual({ nis2: false, telecom: false, processorToControllerHours: null });
    expect(DEFAULT_POLICY.timeZone).toBe('Europe/Amsterdam');
    expect(DEFAULT_POLICY.language).toBe('nl');
    expect(new Set(DEFAULT_POLICY.containment.rules.map((r) => r.action))).toEqual(
      new Set(['contain-workload', 'disable-credentials', 'block-public-access', 'tag-malware', 'restrict-database', 'person']),
    );
    // Every default rule only plans: enforcing is the organisation's choice, per rule.
    expect(DEFAULT_POLICY.containment.rules.every((r) => r.mode === 'plan')).toBe(true);
  });

  it('keeps the defaults for every key a file leaves out', () => {
    const policy = parsePolicy({ thresholds: { notifyFg: 5 }, language: 'en' });
    expect(policy.thresholds).toEqual({ openIncident: 4, notifyFg: 5, pageOnCall: 7 });
    expect(policy.language).toBe('en');
    expect(policy.containment.rules).toEqual(DEFAULT_POLICY.containment.rules);
  });

  it('names the path of every bad value', () => {
    const attempt = () =>
      parsePolicy(
        { thresholds: { notifyFG: 5 }, reminders: { beforeDeadlineHours: [24, 'x'] }, containment: { rules: [{ action: 'nuke', findingTypes: ['*'] }] } },
        'p.json',
      );
    expect(attempt).toThrow(InvalidPolicyError);
    const message = (() => {
      try {
        attempt();
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toContain('thresholds: Unrecognized key: "notifyFG"');
    expect(message).toContain('reminders.beforeDeadlineHours[1]: expected number, received string');
    expect(message).toContain('containment.rules[0].action');
  });

  it('rejects an unknown time zone and a file that is not JSON', () => {
    expect(() => parsePolicy({ timeZone: 'Europe/Atlantis' })).toThrow(/timeZone: not a known IANA time zone/);
    const dir = mkdtempSync(join(tmpdir(), 'datalek-policy-'));
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    expect(() => loadPolicy(join(dir, 'bad.json'))).toThrow(/bad.json\): not valid JSON/);
    expect(() => loadPolicy(join(dir, 'missing.json'))).toThrow(/cannot read the file \(ENOENT\)/);
  });

  it('matches finding types with * as a wildcard, case-sensitively', () => {
    expect(matchesType('Backdoor:EC2/*', 'Backdoor:EC2/C&CActivity.B!DNS')).toBe(true);
    expect(matchesType('*:S3/*', 'Exfiltration:S3/AnomalousBehavior')).toBe(true);
    expect(matchesType('Backdoor:EC2/*', 'backdoor:EC2/x')).toBe(false);
    expect(matchesType('Policy:S3/BucketPublicAccessGranted', 'Policy:S3/BucketPublicAccessGranted.Extra')).toBe(false);
  });
});
