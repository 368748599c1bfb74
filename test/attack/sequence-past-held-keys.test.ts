/**
 * red26: an incident holds at most MAX_HELD_KEYS (60) resource keys besides its own. An attack sequence
 * that names more buckets than that, assessed "no personal data", then grows to name the patient-records
 * bucket: the key is not claimed (no room), so it was not `fresh`, and nothing asked the FG again.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import { findingTypesSeen, type Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { ACCOUNT, asVersion, largeSequenceEvent, REGION } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

const bucket = (name: string) => ({
  uid: `arn:aws:s3:::${name}`,
  name,
  accountId: ACCOUNT,
  resourceType: 'S3_BUCKET',
  region: REGION,
  service: 'S3',
  data: { s3Bucket: { effectivePermission: 'NOT_PUBLIC' } },
});

/** Version `n` of a sequence naming 70 buckets of test data; from version 2 on the patient records too. */
const version = (n: number) => {
  const more = Array.from({ length: 70 }, (_, i) => bucket(`testdata-${i}`));
  if (n > 1) more.push(bucket('patientdossiers'));
  return asVersion(largeSequenceEvent({ id: 'seq-wide', type: 'AttackSequence:S3/CompromisedData', createdAt: '2026-11-28T00:00:00.000Z', more }), n);
};

it('asks the FG to assess again when a sequence past the keys an incident holds grows to name another bucket', async () => {
  const clock = { now: '2026-11-28T00:05:00.000Z' };
  const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => clock.now, canEnforce: false };
  const id = (await recordEvent(deps, version(1))).incidentId as string;
  const shown = findingTypesSeen((await t.store.getIncident(id)) as Incident);
  clock.now = '2026-11-28T01:00:00.000Z';
  await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'alleen testdata', by: 'FG' });
  clock.now = '2026-11-28T02:05:00.000Z';
  expect(await recordEvent(deps, version(2))).toMatchObject({ outcome: 'updated', incidentId: id });
  const incident = (await t.store.getIncident(id)) as Incident;
  expect(incident.reviewAsked).toMatchObject({ at: clock.now, newResource: true });
  await expect(closeIncident(deps, { incidentId: id, reason: 'klaar', by: 'FG' })).rejects.toThrow(/cannot be closed yet/);
  // The FG is told once; on-call, whose containment the bucket does not change, is not.
  const added = (await t.store.listMessages(id)).filter((m) => m.kind === 'finding-added').map((m) => m.channel);
  expect(added).toEqual(['fg']);
  // Nor is the review answered with the token show printed before the bucket came: it covers what show lists.
  const again = { incidentId: id, personalData: 'no' as const, risk: 'none' as const, reason: 'nog steeds testdata', by: 'FG' };
  await expect(assess(deps, { ...again, seen: { token: shown } })).rejects.toThrow(/the resources changed since show printed --seen/);
  // Assessed again with what show prints now, a later version naming the same buckets asks nothing more.
  clock.now = '2026-11-28T03:00:00.000Z';
  await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'patientdossiers', by: 'FG', seen: { token: findingTypesSeen(incident) } });
  clock.now = '2026-11-28T03:05:00.000Z';
  const third = version(3);
  expect(await recordEvent(deps, third)).toMatchObject({ outcome: 'updated' });
  expect(((await t.store.getIncident(id)) as Incident).reviewAsked?.at).toBe('2026-11-28T02:05:00.000Z');
  expect((await t.store.listMessages(id)).filter((m) => m.kind === 'finding-added')).toHaveLength(1);
});
