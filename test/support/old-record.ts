/**
 * Records as older code stored them. Before fg11 (17507a0): a telecom subscribers' exception without the AP's
 * agreement counted done, closed, nothing due. Its due index misses the reminder it owes, which
 * `datalek sweep --reindex` puts back.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { actionEntries } from '../../handlers/core/commit-bounds.js';
import { actionId } from '../../handlers/core/containment.js';
import { assess, closeIncident, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { FindingKey } from '../../handlers/core/finding.js';
import { namedResourceKey } from '../../handlers/core/finding.js';
import { sha256 } from '../../handlers/core/hash.js';
import { type ActionRecord, appendEntries, type FindingRecord, type Incident, incidentSalt } from '../../handlers/core/incident.js';
import { storedText } from '../../handlers/core/ledger.js';
import { minimiseClosed, minimisedRecord, removedKinds } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { ACCOUNT, findingEvent, iamUserKeyEvent, REGION, s3MalwareUploadEvent } from './events.js';
import { incidentFixture } from './incidents.js';

/** A policy that plans no containment: a record older code planned steps on starts without today's entries for them. */
export const PLANS_NOTHING = parsePolicy({ containment: { rules: [] } });

/**
 * The containment steps today's code plans for `event` with `deps`, on a copy of the embedded store in
 * `dir` (its secret, so its pseudonyms), recorded nowhere else. Older code planned its steps under
 * other targets and wrote its entries so; today's chained entries cannot be rewritten, and a step they
 * plan, retargeted afterwards, is a step taken off the record (verify names it). A test of a record of
 * older code records it with PLANS_NOTHING and adds these steps as that code held them.
 */
export async function stepsTodayPlans(dir: string, deps: Omit<Parameters<typeof recordEvent>[0], 'store'>, event: unknown): Promise<ActionRecord[]> {
  const copy = mkdtempSync(join(tmpdir(), 'datalek-plan-'));
  cpSync(dir, copy, { recursive: true });
  const store = new SqliteIncidentStore(copy);
  try {
    const id = (await recordEvent({ ...deps, store }, event)).incidentId as string;
    return ((await store.getIncident(id)) as Incident).actions;
  } finally {
    await store.close();
    rmSync(copy, { recursive: true, force: true });
  }
}

export async function storeOldTelecomRecord(store: IncidentStore, policy: Policy, now: string, fixture: Partial<Incident> & { id: string }): Promise<void> {
  const id = fixture.id;
  await store.commit({ incident: incidentFixture(fixture), expectedRevision: null, timeline: [], messages: [] });
  await recordFacts({ store, policy, now: () => now }, { incidentId: id, by: 'FG', unintelligible: 'yes', nature: ['confidentiality'] });
  const stored = (await store.getIncident(id)) as Incident;
  const old = {
    ...stored,
    assessment: { risk: 'risk', notifiable: true, reason: 'telecom', by: 'FG', at: now },
    subscribers: { decision: 'exception', exception: 'encrypted', date: null, channel: null, reason: 'versleuteld', by: 'FG', at: now },
    state: 'closed',
    closedAt: now,
    nextDueAt: null,
    revision: stored.revision + 1,
  } as Incident;
  await store.commit({ incident: old, expectedRevision: stored.revision, timeline: [], messages: [] });
}

/**
 * A closed incident recorded from `event` (assessed "no personal data", closed) and minimised as older
 * code left it: the finding record minimised, the personal data still in its actions of `type`
 * (planned, never carried out). Made with today's minimise by having those actions look carried out
 * and in place while it runs (an action in effect keeps its data), then as they were. Returns the id.
 */
async function storeMinimisedKeepingIn(store: SqliteIncidentStore, event: unknown, type: ActionRecord['type']): Promise<string> {
  const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T09:00:00.000Z', canEnforce: false };
  const incidentId = (await recordEvent(deps, event)).incidentId as string;
  await assess(deps, { incidentId, personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens', by: 'FG' });
  await closeIncident(deps, { incidentId, reason: 'afgehandeld', by: 'FG' });
  // Each such action's status set as `status` says, in a commit of its own (as a write of the time would).
  const setStatus = async (status: (a: ActionRecord) => ActionRecord['status']) => {
    const incident = (await store.getIncident(incidentId)) as Incident;
    const draft = structuredClone(incident);
    draft.revision += 1;
    for (const a of draft.actions) if (a.type === type) a.status = status(a);
    await store.commit({ incident: draft, expectedRevision: incident.revision, timeline: [], messages: [] });
  };
  const before = new Map(((await store.getIncident(incidentId)) as Incident).actions.map((a) => [a.id, a.status]));
  await setStatus(() => 'done');
  const at = () => '2026-11-29T09:00:00.000Z';
  await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 0 });
  await setStatus((a) => before.get(a.id) ?? a.status);
  return incidentId;
}

/**
 * A closed malware incident (Malware Protection for S3, the infected object named `objectKey`) as
 * `minimise` wrote it from f787210 to 3784915 (review11 S4, before read A's A1): the object's key
 * still in the incident's tag-s3-object action, as `params.key`.
 */
export async function storeMinimisedKeepingObjectKey(store: SqliteIncidentStore, objectKey: string): Promise<string> {
  return storeMinimisedKeepingIn(store, s3MalwareUploadEvent(objectKey), 'tag-s3-object');
}

/**
 * A closed incident of an IAM user's long-term key (`userName`'s) as `minimise` wrote it before
 * review12 S5: the user's name still in its planned deactivate-access-key action, as `params.userName`.
 */
export async function storeMinimisedKeepingIamUser(store: SqliteIncidentStore, userName: string): Promise<string> {
  return storeMinimisedKeepingIn(store, iamUserKeyEvent(userName), 'deactivate-access-key');
}

/**
 * An IAM user's incident as code before its pseudonym kept it (fgpseud17 for a user named by its user
 * name alone, fg19 for one named by its principal id `AIDA…`): `asBefore` (the name or the id) as its
 * resource id, key, related resource, and its revoke-user-sessions step's target and id.
 */
export async function storeIamUserAsBefore(store: IncidentStore, id: string, asBefore: string, plannedThen?: ActionRecord): Promise<void> {
  const stored = (await store.getIncident(id)) as Incident;
  const old = structuredClone(stored);
  // `plannedThen`: a step today's code did not plan on this record (its policy planned none), which
  // that code planned: added under `asBefore`, with only the entry that code wrote. A step today's code
  // planned has its own entry under today's target, which no command takes back (verify names such a
  // step taken off the record), so a test that verifies a record older code planned starts without it.
  if (plannedThen) old.actions.push(structuredClone(plannedThen));
  old.resource = { ...old.resource, id: asBefore };
  old.resourceKey = namedResourceKey('iam-principal', asBefore, ACCOUNT, REGION);
  if (old.resourceKeys) old.resourceKeys = [old.resourceKey];
  old.resources = old.resources?.map((r) => (r.kind === 'iam-principal' ? { ...r, id: asBefore } : r));
  for (const a of old.actions)
    if (a.type === 'revoke-user-sessions') {
      a.target = asBefore;
      a.id = actionId(a, { accountId: ACCOUNT, region: REGION });
    }
  old.revision = stored.revision + 1;
  // That code named the step in its 'containment-planned' entry by the target it gave it (`asBefore`);
  // today's chained entry cannot be rewritten, so the entry that code wrote is appended with the change.
  const at = (await store.getTimeline(id)).at(-1)?.at ?? stored.openedAt;
  const planned = actionEntries(
    old.actions.filter((a) => a.type === 'revoke-user-sessions'),
    at,
    id,
  );
  await store.commit({ incident: old, expectedRevision: stored.revision, timeline: appendEntries(old, planned), messages: [] });
}

/**
 * The finding record `key` of the closed incident minimised as older code left it, in a commit as
 * minimise makes one (the record with its ledger entry, the incident's `minimised` note, its kinds
 * those of the paths `asBefore` leaves): today's
 * minimised record, which `asBefore` then puts back as that code wrote it (the values it kept, its
 * `removed` paths). Returns the record as it was before and as written.
 */
export async function storeMinimisedAsBefore(
  store: IncidentStore,
  incidentId: string,
  key: FindingKey,
  minimised: { at: string; afterDays: number },
  asBefore: (old: FindingRecord) => void,
): Promise<{ record: FindingRecord; old: FindingRecord }> {
  const record = (await store.getFinding(key)) as FindingRecord;
  const from = sha256(storedText.finding(record));
  const old = minimisedRecord(record, { at: minimised.at, by: 'FG', from });
  asBefore(old);
  const incident = (await store.getIncident(incidentId)) as Incident;
  const draft = {
    ...incident,
    revision: incident.revision + 1,
    salt: incidentSalt(),
    minimised: { at: minimised.at, by: 'FG', afterDays: minimised.afterDays, findings: 1, kinds: removedKinds(old.minimised?.removed ?? []) },
  };
  await store.commit({
    incident: draft,
    expectedRevision: incident.revision,
    finding: { record: old, expected: record.version },
    timeline: [],
    messages: [],
    minimised: { from, by: 'FG' },
  });
  return { record, old };
}

/**
 * A closed incident (recorded and closed at `closedAt`, assessed "no personal data") whose finding
 * `f-info` holds an IP address in `service.additionalInfo.value`, minimised at `minimised.at` as a
 * release before 798548b3 left it: the title and description searched, additionalInfo not. Returns
 * the incident's id and the finding's key.
 */
export async function storeAdditionalInfoMinimisedAsBefore(
  store: IncidentStore,
  closedAt: string,
  minimised: { at: string; afterDays: number },
  additionalInfo: string,
): Promise<{ id: string; key: FindingKey }> {
  const deps = { store, policy: DEFAULT_POLICY, now: () => closedAt, canEnforce: false };
  const id = (await recordEvent(deps, findingEvent({ id: 'f-info', createdAt: closedAt, service: { additionalInfo: { value: additionalInfo } } } as never)))
    .incidentId as string;
  await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
  await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
  const key = { accountId: ACCOUNT, region: REGION, findingId: 'f-info' };
  await storeMinimisedAsBefore(store, id, key, minimised, (old) => {
    (old.detail.service as { additionalInfo: { value: string } }).additionalInfo.value = additionalInfo;
    if (old.minimised) old.minimised.removed = old.minimised.removed.filter((p) => !p.startsWith('service.additionalInfo'));
  });
  return { id, key };
}

/**
 * A closed incident as `close` stored it before 61960886 (telecom) and a49957bb (NIS2): closed after
 * a notification's deadline had passed with `--overdue-reason` alone, so without the
 * `reportsPendingReason` today's closing asks for it, and with no due time (nothing was due then).
 * Made with today's close, then written as the old code left it. Returns it.
 */
export async function storeClosedBeforeOwedReports(store: IncidentStore, policy: Policy, now: string, id: string): Promise<Incident> {
  const deps = { store, policy, now: () => now };
  await closeIncident(deps, { incidentId: id, by: 'FG', reason: 'afgehandeld', overdueReason: 'de melding is vergeten', reportsPendingReason: 'volgt' });
  const closed = (await store.getIncident(id)) as Incident;
  const old = structuredClone(closed);
  delete old.reportsPendingReason;
  old.nextDueAt = null;
  old.revision = closed.revision + 1;
  await store.commit({ incident: old, expectedRevision: closed.revision, timeline: [], messages: [] });
  return old;
}

/**
 * Incident `id` written as code before law27 stored it: without the NIS2 and telecom clocks in force
 * when it was recorded (`clocksInForce`), read from the policy of the day. Returns it.
 */
export async function storeBeforeClocksKept(store: IncidentStore, id: string): Promise<Incident> {
  const stored = (await store.getIncident(id)) as Incident;
  const old = structuredClone(stored);
  delete old.clocksInForce;
  old.revision = stored.revision + 1;
  await store.commit({ incident: old, expectedRevision: stored.revision, timeline: [], messages: [] });
  return old;
}
