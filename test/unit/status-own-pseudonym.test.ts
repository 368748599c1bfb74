/**
 * fg25 item 3: `datalek status`'s table (what on-call reads at night and pastes into a chat) named an
 * IAM user by the store-wide pseudonym (`iam-user:<hex>`), which links every incident of that user
 * across the store, while the pages and messages on-call got name it by the incident's own
 * (`iam-user:~<hex>`, pseud21). The table now shows the incident's own; `--json` keeps `resource.id`
 * as the store holds it (the CLI contract), and `show` names both.
 */
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { statusObject, statusTable } from '../../handlers/cli/views.js';
import { ownPseudonyms } from '../../handlers/core/incident-pseudonyms.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-28T09:00:00.000Z';

it("status's table names an IAM user by the incident's own pseudonym; --json keeps the store's", () => {
  const storeWide = 'iam-user:0123456789abcdef';
  const pseudonymKey = randomBytes(32).toString('base64');
  const incident = incidentFixture({
    id: 'dl-own',
    pseudonymKey,
    resource: { kind: 'iam-principal', resourceType: 'AccessKey', id: storeWide },
  });
  const own = ownPseudonyms(pseudonymKey, storeWide);
  expect(own, 'premise: the incident has a pseudonym of its own').toMatch(/^iam-user:~[0-9a-f]{16}$/);
  const table = statusTable([incident], DEFAULT_POLICY, NOW);
  expect(table).not.toContain('0123456789abcdef');
  expect(table).toContain(`AccessKey ${own}`);
  expect(statusObject(incident, DEFAULT_POLICY, NOW).resource).toEqual({ type: 'AccessKey', id: storeWide });
});
