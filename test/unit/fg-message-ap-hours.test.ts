/**
 * The FG's messages named the AP deadline "AP-termijn (72 uur na bewustwording)" whatever hours the
 * incident's deadline was counted with (`deadlineHours`, the policy's when its clock began: a policy
 * may set 96). The clocks name their hours since 99d8a67; the messages now say the same hours, and
 * the "notify now" nudge no longer calls the limit 72 hours.
 */
import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../handlers/core/messages.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-28T03:00:00.000Z';

describe("the FG's messages name the AP deadline with the incident's hours", () => {
  // aware 2026-11-27T21:00Z, counted with 96 hours: due 2026-12-01T21:00Z
  const incident = incidentFixture({ id: 'dl-h96', deadline: '2026-12-01T21:00:00.000Z', deadlineHours: 96 });

  for (const language of ['nl', 'en'] as const) {
    it(`says 96 hours, never 72 (${language})`, () => {
      // The policy now says 72: the hours kept with the incident are the ones its deadline was counted with.
      const policy = parsePolicy({ language, apDeadlineHours: 72 });
      for (const kind of ['opened', 'ap-reminder', 'ap-overdue', 'notify-nudge'] as const) {
        const body = composeMessage({ incident, channel: 'fg', kind, stateKey: kind, now: NOW, policy }).body;
        expect(body, kind).toContain(language === 'nl' ? 'AP-termijn (96 uur na bewustwording)' : 'AP deadline (96 hours after awareness)');
        expect(body, kind).not.toMatch(/\b72 (uur|hours)\b/);
      }
    });
  }
});
