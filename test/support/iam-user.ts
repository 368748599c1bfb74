/** An IAM user's console sign-in recorded, and what every such incident must show of the user's pseudonym. */
import { expect } from 'vitest';
import { namedResourceKey } from '../../handlers/core/finding.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { ACCOUNT, REGION } from './events.js';

/**
 * Records `event` (an IAM user's console sign-in, `userName`'s) at `at` and checks what fgpseud17 and
 * fg19 ask: the resource, its key and the revoke-user-sessions step named by an `iam-user:<16 hex>`
 * pseudonym, marked personal, the step acting on the user in its params. Returns the incident's id,
 * the pseudonym and the deps it was recorded with.
 */
export async function recordedByPseudonym(store: IncidentStore, event: unknown, userName: string, at: string) {
  const deps = { store, policy: DEFAULT_POLICY, now: () => at, canEnforce: false };
  const id = (await recordEvent(deps, event)).incidentId as string;
  const incident = (await store.getIncident(id)) as Incident;
  const pseudonym = incident.resource.id;
  expect(pseudonym).toMatch(/^iam-user:[0-9a-f]{16}$/);
  expect(incident.resource.personal).toBe(true);
  expect(incident.resourceKey).toBe(namedResourceKey('iam-principal', pseudonym, ACCOUNT, REGION));
  const step = incident.actions.find((a) => a.type === 'revoke-user-sessions') as ActionRecord;
  expect([step.target, step.params?.userName]).toEqual([pseudonym, userName]);
  return { id, pseudonym, deps, step };
}
