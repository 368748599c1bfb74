/**
 * Review 7, G17 (the rest): the policy's `apDeadlineHours` took any value from 1 to 720, so a typo
 * (720 for 72), or a policy changed on purpose, made every AP verdict "met" against a deadline the
 * law does not give. Art. 33(1) sets at most 72 hours after awareness: more is refused, naming the
 * article; a shorter internal target stays allowed. A record counted with other hours before keeps
 * them (ap-deadline-hours-label.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { InvalidPolicyError } from '../../handlers/core/errors.js';
import { parsePolicy } from '../../handlers/core/policy.js';

describe('G17: the AP deadline is at most the 72 hours of Art. 33(1)', () => {
  it('refuses more than 72 hours, saying why', () => {
    for (const hours of [73, 96, 720]) {
      expect(() => parsePolicy({ apDeadlineHours: hours })).toThrow(InvalidPolicyError);
      expect(() => parsePolicy({ apDeadlineHours: hours })).toThrow(
        /apDeadlineHours: must be 1 to 72: GDPR Art\. 33\(1\) gives at most 72 hours after awareness/,
      );
    }
  });

  it('keeps 72 and a shorter internal target', () => {
    expect(parsePolicy({ apDeadlineHours: 72 }).apDeadlineHours).toBe(72);
    expect(parsePolicy({ apDeadlineHours: 48 }).apDeadlineHours).toBe(48);
    expect(() => parsePolicy({ apDeadlineHours: 0 })).toThrow(/apDeadlineHours/);
  });
});
