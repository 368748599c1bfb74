/**
 * fgops12 3: withdrawing a not-done decision (`datalek not-done --withdraw`) looked for the finding
 * whose rule enforces the step in the incident's own account and region. A finding stored under
 * another region (IAM is global: GuardDuty in eu-central-1 reports the access key an eu-west-1
 * incident holds) was not found there, so the step stayed planned, though the FG was told that
 * finding asked for it. It is now looked for where it is stored, and the step is carried out with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordNotToBeDone, withdrawNotToBeDone } from '../../handlers/core/by-hand.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
// The anomalous use of the key only plans disabling it; exfiltration through it enforces it.
const POLICY = parsePolicy({
  containment: {
    rules: [
      { action: 'disable-credentials', findingTypes: ['Exfiltration:IAMUser/*'], minSeverity: 1, mode: 'enforce' },
      { action: 'disable-credentials', findingTypes: ['CredentialAccess:IAMUser/*'], minSeverity: 1, mode: 'plan' },
    ],
  },
});
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

/** The sample access-key finding, from `region`, with finding id `id` (and type `type`). */
function keyFinding(region: string, id: string, type?: string) {
  const event = JSON.parse(
    readFileSync(join(import.meta.dirname, '../../events/07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json'), 'utf8').replaceAll(
      'eu-west-1',
      region,
    ),
  );
  event.detail.id = id;
  if (type) event.detail.type = type;
  return event;
}

it('withdrawn, a step asked for by a finding stored under another region is carried out with that finding', async () => {
  const planOnly = { store, policy: POLICY, now: () => NOW, canEnforce: false };
  const incidentId = (await recordEvent(planOnly, keyFinding('eu-west-1', 'a'.repeat(32)))).incidentId as string;
  const step = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'deactivate-access-key') as ActionRecord;
  expect(step).toMatchObject({ status: 'planned', mode: 'plan' });
  await recordNotToBeDone({ store, policy: POLICY, now: () => NOW }, { incidentId, actionId: step.id, by: 'FG', reason: 'de sleutel is al ingetrokken' });
  const elsewhere = 'b'.repeat(32);
  expect(
    (await recordEvent({ ...planOnly, canEnforce: true }, keyFinding('eu-central-1', elsewhere, 'Exfiltration:IAMUser/AnomalousBehavior'))).incidentId,
  ).toBe(incidentId);
  expect((await store.getTimeline(incidentId)).find((e) => e.kind === 'containment-not-done-held')?.detail).toMatchObject({ findingId: elsewhere });

  const executed: string[] = [];
  const containment = { canEnforce: true, execute: async (a: ActionRecord) => void executed.push(a.id), release: async () => {} };
  const result = await withdrawNotToBeDone(
    { store, policy: POLICY, now: () => '2026-11-28T05:00:00.000Z', containment },
    { incidentId, actionId: step.id, by: 'FG', reason: 'de sleutel wordt nog gebruikt in eu-central-1' },
  );
  expect(result.enforcedBy).toBe(elsewhere);
  expect(executed).toEqual([step.id]);
  const after = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.id === step.id);
  expect(after).toMatchObject({ findingId: elsewhere, findingRegion: 'eu-central-1', mode: 'enforce' });
});
