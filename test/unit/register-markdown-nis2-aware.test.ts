/**
 * small11 item 4: an NIS2 awareness of the significant incident (`assess --nis2-aware-at`,
 * 5e5b826) was in the register's CSV and JSON (`nis2AwareAt`), but not in the Markdown register the
 * FG reads: the NIS2 clocks there ran from a moment the register did not show. Its awareness cell
 * now names it, with the reason, in the register's language.
 */
import { expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { registerMarkdown } from '../../handlers/core/register.js';
import { formatLocal } from '../../handlers/core/time.js';
import { incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-30T09:00:00.000Z';
const AWARE = '2026-11-29T14:00:00.000Z';

it('the Markdown register names the NIS2 awareness and its reason', () => {
  const incident = incidentFixture({ nis2AwareAt: AWARE, nis2AwareReason: 'forensisch onderzoek toonde de uitval van de dienst' });
  const at = formatLocal(AWARE, DEFAULT_POLICY.timeZone);
  expect(registerMarkdown([incident], DEFAULT_POLICY, NOW, 'nl')).toContain(
    `NIS2: bewust geworden van het significante incident ${at}: forensisch onderzoek toonde de uitval van de dienst`,
  );
  expect(registerMarkdown([incident], DEFAULT_POLICY, NOW, 'en')).toContain(
    `NIS2: became aware of the significant incident ${at}: forensisch onderzoek toonde de uitval van de dienst`,
  );
  expect(registerMarkdown([incidentFixture()], DEFAULT_POLICY, NOW, 'en')).not.toContain('NIS2: became aware');
  // Stated more than a day before it was entered: marked, as the GDPR awareness is.
  const decision = { kind: 'nis2-awareness' as const, from: null, to: AWARE, reason: 'onderzoek', by: 'FG', recordedAt: NOW, enteredLater: true };
  const late = incidentFixture({ nis2AwareAt: AWARE, nis2AwareReason: 'onderzoek', decisions: [decision] });
  expect(registerMarkdown([late], DEFAULT_POLICY, NOW, 'en')).toContain(`NIS2: became aware of the significant incident ${at} (entered later): onderzoek`);
});
