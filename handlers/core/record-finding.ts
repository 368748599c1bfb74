/**
 * Use case: record one delivered GuardDuty event.
 *
 * Primary course:
 * 1. Parse the event into a finding (a bad event is rejected, nothing stored).
 * 2. Known finding: same version is a duplicate, older is stale, newer updates the incident. On a
 *    closed incident, a newer version showing activity after the closing opens a follow-up incident.
 * 3. New finding: attach it to the open incident on the same resource, or open one when its
 *    severity reaches the policy's threshold (archived findings and lower severities open nothing).
 * 4. Plan containment, queue the FG and on-call messages, append the timeline: one atomic commit.
 *    A concurrent writer that got there first makes the commit fail; we read again and decide again.
 *
 * Deliveries are at least once and may arrive late and out of order; the outcome depends only on
 * what is stored and on the finding, so processing the same event twice changes nothing.
 */

import type { IncidentChange, IncidentStore } from '../ports/incident-store.js';
import { apLegalDeadline, deadlineDetail } from './ap-verdict.js';
import { type ChangeResult, changeIncidents, keepStatedClock, markStatedRun } from './change-incident.js';
import { processorHours, roleOf } from './clocks.js';
import { actionEntries, commitItems, MAX_ACTIONS, MAX_COMMIT_ITEMS, noteActionsNotPlanned, takeActions } from './commit-bounds.js';
import { backoffRetry, type ConflictRetry } from './conflict-retry.js';
import {
  actionPlace,
  type HeldContainment,
  keepDenyAllName,
  keepMergedPolicies,
  notDoneAskedFor,
  type PlanOptions,
  placedIn,
  planContainment,
  takenContainment,
} from './containment.js';
import { CLAIM_LEASE_MINUTES } from './deliver.js';
import { setNextDue } from './due-policy.js';
import { ConflictError, InvalidFindingError, isLostRace, StuckConflictError } from './errors.js';
import {
  compareVersions,
  correlationKeys,
  type Finding,
  type FindingVersion,
  findingKeyString,
  lastSeen,
  type ParsedEvent,
  parseEvent,
  parseEventText,
  resourceKey,
} from './finding.js';
import { type AffectedResource, formerKeys, principalsToPseudonymise, withPseudonyms } from './finding-resources.js';
import { sha256 } from './hash.js';
import {
  type ActionRecord,
  appendEntries,
  exposedInterfaces,
  type FindingRecord,
  type FollowUpOf,
  INCIDENT_ID_HEX,
  type Incident,
  incidentIdFor,
  lawInForce,
  newIncident,
  type OutboxMessage,
  type PendingLink,
  typeNotListedHash,
} from './incident.js';
import { composeMessage, type FindingNews, type LinkWhy, type MessageKind } from './messages.js';
import { laterVersion } from './minimise.js';
import { markOldFormAlertsUpThere, notDoneHeldUntaken, notePagerTrigger, notPlannedUntaken, pagerFollowUps } from './pager.js';
import type { Policy } from './policy.js';
import { releasable } from './release.js';
import { classificationTags } from './resource-tags.js';
import { reviewPending } from './schedule.js';
import { describeSeverity, formatSeverity, SEVERITY_BANDS, severityBand } from './severity.js';
import { copyRecord, findingSalt } from './stored-record.js';
import { storedName } from './text.js';
import { addHours, addMinutes, instantOrNull, toUtc } from './time.js';

export type Outcome = 'opened' | 'attached' | 'updated' | 'duplicate' | 'stale' | 'ignored' | 'rejected';

/** The result of one event, as `datalek replay --json` prints it. */
export interface RecordResult {
  outcome: Outcome;
  findingId: string | null;
  incidentId: string | null;
  severity: number | null;
  /** The AP deadline (ISO UTC) of the incident, the law's (72 hours from awareness, never a shorter internal target), or null. */
  deadline: string | null;
  actions: { type: string; status: ActionRecord['status'] }[];
  /** Why the event was ignored or rejected. */
  reason?: string;
  /** Ids of the messages this event queued. */
  messages: string[];
  /**
   * Those messages (and any of incidents it merged), for sending them at once without reading
   * them back (`deliverMessages`). A message queued already by an earlier event is among them too:
   * claiming it tells.
   */
  queued?: OutboxMessage[];
  /**
   * Those of `queued` the store queued claimed for this process (`RecordDeps.claimQueued`), and
   * until when: `deliverMessages` sends them without claiming them again.
   */
  claimed?: { ids: string[]; until: string };
  /** The incident's revision after this event's change; null when nothing was stored. */
  revision: number | null;
}

export interface RecordDeps {
  store: IncidentStore;
  policy: Policy;
  now: () => string;
  /** False on the embedded store: containment is only planned. */
  canEnforce: boolean;
  /** `replay --target aws --enforce`: enforce every matching action this run. */
  forceEnforce?: boolean;
  /**
   * Set when this process sends what an event queues as soon as it is recorded (`datalek replay`):
   * the messages it will send (those its notifier accepts) are queued claimed for it in the commit
   * (`IncidentChange.claim`), for as long as `deliverMessages` would claim them.
   */
  claimQueued?: (message: OutboxMessage) => boolean;
  /**
   * Set when a person runs the replay on a real store: the machine's clock and who runs it. With a
   * `now` behind that clock, what the commit records is marked as stated (change-incident.ts markStatedRun).
   */
  statedRun?: { machineNow: () => string; by: string };
  /**
   * How a commit that lost the race for its incident waits and tries again (the record function:
   * for as long as its invocation has time). @default MAX_CONFLICT_ATTEMPTS tries, with jittered pauses
   */
  conflictRetry?: ConflictRetry;
}

/**
 * Refuses a finding of an account that is not this pipeline's (review10 K5): an account let onto
 * the pipeline's bus (an EventBridge permission) forwards its own real GuardDuty findings, and the
 * finding rule matches any account's. Taken: the pipeline's own account, its member accounts (the
 * policy's `containment.memberAccounts`), or a finding the pipeline account's own GuardDuty
 * delivered (its envelope's account: an administrator's events name it, each member's finding its
 * own id in the detail; an organisation's accounts arrive so). A policy that does not name the
 * pipeline's account (`containment.pipelineAccount`: the deployment sets it; a local replay of
 * events/ has none) takes every account. The reason names the accounts, never anything else of the event.
 */
export function refuseOtherAccounts(parsed: ParsedEvent, policy: Policy): void {
  const own = policy.containment.pipelineAccount;
  if (parsed.kind !== 'finding' || own === undefined) return;
  const account = parsed.finding.key.accountId;
  if (account === own || policy.containment.memberAccounts.includes(account) || parsed.deliveredBy === own) return;
  const from = parsed.deliveredBy ? `account ${parsed.deliveredBy}'s EventBridge` : 'an event naming no account';
  throw new InvalidFindingError(
    'detail.accountId',
    `a finding of account ${account}, delivered by ${from}: not this pipeline's account (${own}) nor one of its member accounts (containment.memberAccounts), so not recorded (was another account let onto the pipeline's bus?)`,
  );
}

/**
 * Parses the text of one event and records it; a bad event gives a `rejected` result. This is
 * `datalek replay`'s path: a person replaying a file is trusted with the accounts in it (they hold
 * the table's write rights; a finding the record function refused by account is re-driven so, once
 * its account is listed), so the account check that guards the bus (`refuseOtherAccounts`, in the
 * record function and `recordEvent`) is not made here. With `--target aws` the policy's pipeline
 * account is the credentials' own, which the sample events of `events/` are not.
 */
export async function recordEventText(deps: RecordDeps, text: string): Promise<RecordResult> {
  let parsed: ParsedEvent;
  try {
    parsed = parseEventText(text, { now: deps.now() });
  } catch (err) {
    if (err instanceof InvalidFindingError) return rejectedResult(err.message);
    throw err;
  }
  return recordParsedEvent(deps, parsed);
}

/** Records an already-decoded event (as Lambda hands it over); a bad event gives `rejected`. */
export async function recordEvent(deps: RecordDeps, event: unknown): Promise<RecordResult> {
  let parsed: ParsedEvent;
  try {
    parsed = parseEvent(event, { now: deps.now() });
    refuseOtherAccounts(parsed, deps.policy);
  } catch (err) {
    if (err instanceof InvalidFindingError) return rejectedResult(err.message);
    throw err;
  }
  return recordParsedEvent(deps, parsed);
}

export async function recordParsedEvent(deps: RecordDeps, parsed: ParsedEvent): Promise<RecordResult> {
  if (parsed.kind === 'not-a-finding') {
    return ignored(null, `detail-type "${parsed.detailType}" is a GuardDuty event but not a finding`);
  }
  // A principal named by a name its caller chose (a federated user, a role session) is kept by its
  // pseudonym under the store's secret (fed16): read only for a finding that names one.
  const finding = principalsToPseudonymise(parsed.finding).size ? withPseudonyms(parsed.finding, await deps.store.pseudonymKey()) : parsed.finding;
  // What merges made ahead of the finding's own commit queued (see `mergeAhead`).
  const early: OutboxMessage[] = [];
  // The incidents the tries that lost wrote, at the revisions they read (settledRecord).
  const lost: Tried[] = [];
  for (let attempt = 1; ; attempt++) {
    const decision = await decide(deps, finding);
    const { change, result } = decision;
    let committing = false;
    try {
      if (change && decision.deferred?.length) {
        early.push(...(await mergeAhead(deps, finding, change.incident.id, decision.deferred[0])));
        continue;
      }
      if (!change) return withQueued(result, await completeLinks(deps, decision.linksPendingOn));
      const claim = deps.claimQueued ? claimFor(result.queued ?? [], deps.claimQueued, deps.now()) : undefined;
      if (claim) change.claim = claim;
      markRun(deps, change);
      committing = true;
      const receipt = await deps.store.commit(change);
      if (claim && receipt?.claimed.length) result.claimed = { ids: receipt.claimed, until: claim.until };
    } catch (err) {
      if (committing && change && err instanceof ConflictError) lost.push(tried(change));
      if (isLostRace(err) && (await (deps.conflictRetry ?? backoffRetry()).again(attempt))) continue;
      throw await settledRecord(deps, finding, committing ? lost : [], err);
    }
    // The finding is recorded: what follows is no reason to decide it again.
    withQueued(result, await completeLinks(deps, change.incident.linksPending?.length ? change.incident.id : undefined));
    if (early.length) {
      result.messages = [...early.map((m) => m.id), ...result.messages];
      result.queued = [...early, ...(result.queued ?? [])];
    }
    return result;
  }
}

/** The incidents a commit updates, with the revisions it read them at, and how many it opens (a new incident is read at none). */
interface Tried {
  ids: string[];
  revisions: number[];
  opened: number;
}

function tried(change: IncidentChange): Tried {
  const all = [change, ...(change.others ?? [])];
  const updates = all.filter((c) => typeof c.expectedRevision === 'number');
  return { ids: updates.map((c) => c.incident.id), revisions: updates.map((c) => c.expectedRevision as number), opened: all.length - updates.length };
}

/**
 * What the record path ends on after its last try, a commit, failed with `err`: a conflict is no race
 * (StuckConflictError: the store refuses it for good) only when every try that lost wrote the same
 * incidents at the same revisions, and deciding again now would write them too. Each try is
 * compared with the next, the last with a decision made now: an incident pulled in on a later try
 * (and stormed), or one another writer opened on a resource the finding names (its lock taken
 * first), makes it a lost race. One that only opens incidents has nothing to compare and stays one;
 * a merge ahead's conflict is its own race (`lost` empty).
 */
async function settledRecord(deps: RecordDeps, finding: Finding, lost: readonly Tried[], err: unknown): Promise<unknown> {
  const last = lost.at(-1);
  if (!(err instanceof ConflictError) || err instanceof StuckConflictError || !last?.ids.length) return err;
  const same = (a: Tried, b: Tried) => a.opened === b.opened && a.ids.join('\n') === b.ids.join('\n') && a.revisions.join() === b.revisions.join();
  if (lost.some((t) => !same(t, last))) return err;
  const now = await decide(deps, finding).catch(() => null);
  return now?.change && !now.deferred?.length && same(tried(now.change), last) ? new StuckConflictError(last.ids[0], err) : err;
}

/** The result, with the messages written after its commit queued too (`completeLinks`). */
function withQueued(result: RecordResult, later: OutboxMessage[]): RecordResult {
  if (later.length) {
    result.messages = [...result.messages, ...later.map((m) => m.id)];
    result.queued = [...(result.queued ?? []), ...later];
  }
  return result;
}

/** A person's replay at a `--now` behind the machine's clock says so in what it records (review5 A14). */
function markRun(deps: RecordDeps, change: IncidentChange): void {
  if (deps.statedRun) markStatedRun(change, { now: deps.now, machineNow: deps.statedRun.machineNow }, deps.statedRun.by);
}

/** The claim on the messages this process will send at once, for as long as a sender claims them. */
function claimFor(messages: OutboxMessage[], sends: (m: OutboxMessage) => boolean, now: string): IncidentChange['claim'] {
  const ids = messages.filter(sends).map((m) => m.id);
  return ids.length ? { ids, until: addMinutes(now, CLAIM_LEASE_MINUTES) } : undefined;
}

interface Decision {
  result: RecordResult;
  change?: IncidentChange;
  /**
   * Incidents the finding merges into the change's incident that the change's commit has no room
   * for (see `withinCommit`). The change is then not committed: `mergeAhead` merges the first in a
   * commit of its own, and the finding is decided again.
   */
  deferred?: string[];
  /** The incident whose links still to write (`linksPending`) the run writes (`completeLinks`). */
  linksPendingOn?: string;
}

/**
 * The decision of `draft` that one commit can hold (MAX_COMMIT_ITEMS), with as many of the merges
 * the finding makes as fit; the rest are `deferred`. Merging an incident releases or hands over
 * every resource key it holds (up to 61), each an item of the commit: three at once could not be
 * written on DynamoDB, and the finding would be lost.
 */
function withinCommit(draft: (merges: number) => Decision): Decision {
  for (let merges = MAX_MERGED; ; merges--) {
    const decision = draft(merges);
    if (merges === 0 || !decision.change || commitItems(decision.change) <= MAX_COMMIT_ITEMS) return decision;
  }
}

/**
 * Merges `otherId` into `survivorId` for the finding, in a commit of its own, ahead of the
 * finding's commit, and returns what it queued. Each such commit is complete by itself (the
 * incident merged is closed in the transaction that takes it in, as when the finding merges it),
 * and the finding is recorded only after them: an interruption leaves the finding unrecorded, so
 * its redelivery decides again, on what is stored then, and nothing is half written. One decided on
 * by a person meanwhile, merged or closed is left as it is (the finding's decision then links it).
 */
async function mergeAhead(deps: RecordDeps, finding: Finding, survivorId: string, otherId: string): Promise<OutboxMessage[]> {
  const [survivor, other] = await Promise.all([deps.store.getIncident(survivorId), deps.store.getIncident(otherId)]);
  const now = deps.now();
  if (!survivor || survivor.state === 'closed' || !other || notMergeable(other, now, survivor))
    throw new ConflictError(`incident ${otherId} changed before it could be merged`);
  await markMergeable(deps.store, [other]);
  const incident = copyRecord(survivor);
  const entries: TimelineDraft[] = [];
  const { claims, others } = correlate(deps, incident, finding, [other], [], now, entries, 1);
  const messages = announce(survivor, incident, deps.policy, now, entries);
  const { change } = finish(incident, survivor.revision, undefined, entries, messages, 'attached', finding, [], deps.policy, { claims, others });
  markRun(deps, change as IncidentChange);
  await deps.store.commit(change as IncidentChange);
  return [...others.flatMap((o) => o.messages), ...messages];
}

async function decide(deps: RecordDeps, finding: Finding): Promise<Decision> {
  const { store, policy } = deps;
  const now = deps.now();
  const keys = correlationKeys(finding);
  // Everything the decision reads, at once: the finding's record, who holds its resources, and
  // the incident a new one would be (the one a known finding usually belongs to as well). An
  // incident opened before fed16 holds a federated principal by the principal itself: read too.
  const ownId = incidentIdFor(finding.key);
  const former = formerKeys(finding, keys);
  const formerly = former.filter((k): k is string => k !== undefined);
  const reads = await store.readForFinding(finding.key, formerly.length ? [...keys, ...formerly] : keys, ownId);
  if (formerly.length) reads.holders = heldAsBefore(reads.holders, keys.length, former);
  // A sample never joins a real incident, nor a real finding a sample's: their keys differ (finding.ts
  // resourceKeyOf), and one a version flipping the flag made an incident claim before atk29 A11 is passed by.
  reads.holders = reads.holders.map((h) => (h && Boolean(h.sample) !== finding.sample ? undefined : h));
  await markMergeable(store, reads.holders);
  const known = reads.finding;
  if (known) {
    const order = compareVersions(finding.version, known.version);
    if (order === 0) {
      // Its commit noted links still to write, and the process may have stopped before it wrote them.
      const duplicate = result('duplicate', finding, known.incidentId, null, []);
      const differ = differsFromStored(finding, known);
      if (differ.length)
        duplicate.reason = `the same version (updatedAt ${finding.updatedAt}, count ${finding.version.count}) as the stored finding, yet it differs from the stored finding in ${differ.join(', ')}: not recorded again (GuardDuty sends a new version for every change; a damaged or crafted delivery?)`;
      return { result: duplicate, ...(known.linksPending ? { linksPendingOn: known.incidentId } : {}) };
    }
    if (order < 0) {
      return {
        result: {
          ...result('stale', finding, known.incidentId, null, []),
          reason: `older than the stored version (updatedAt ${known.version.updatedAt}, count ${known.version.count})`,
        },
      };
    }
    if (Boolean(known.sample) !== finding.sample) return { result: sampleFlipped(finding, known) };
    const incident = await followMerges(store, known.incidentId, reads.incident);
    if (!incident) throw new ConflictError(`finding ${findingKeyString(finding.key)} points to incident ${known.incidentId}, which is not stored yet`);
    if (incident.state === 'closed' && activeAfterClosing(finding, known, incident) && finding.severity >= policy.thresholds.openIncident) {
      // Whatever GuardDuty's archive flag says: activity goes on (an archived finding still
      // publishes new occurrences). An incident opened on its resources since takes it in; what the
      // finding tells it was detected is the activity after the close (as a follow-up's clock
      // runs), not its creation: that was the closed incident's, and would put the AP deadline
      // of the incident it joins in the past.
      const holders = distinct(reads.holders);
      if (holders.length)
        return withinCommit((merges) => attach(deps, finding, holders, keys, now, merges, known.version, toUtc(finding.updatedAt), known.incidentId));
      return followUp(deps, finding, known, incident, keys, now);
    }
    const holderOf = new Map(keys.map((k, i) => [k, reads.holders[i]]));
    return withinCommit((merges) => update(deps, finding, known, incident, now, holderOf, merges));
  }

  if (finding.severity < policy.thresholds.openIncident) {
    // Below the threshold a finding neither opens nor joins an incident, whatever is open: were it
    // to join an open incident, the record would depend on the order findings happen to arrive in.
    // (The finding's own resource is the first of its correlation keys.)
    const open = reads.holders[0];
    const below = `severity ${describeSeverity(finding.severity)} is below the policy's threshold ${formatSeverity(policy.thresholds.openIncident)} for opening an incident`;
    return {
      result: ignored(finding, open ? `${below}; incident ${open.id} is open on this resource, but a finding below the threshold joins none` : below),
    };
  }
  const holders = distinct(reads.holders);
  // Archiving is someone's act in GuardDuty (triage, or an intruder hiding new activity), not the FG's
  // decision: an archived finding joins the incident open on its resources, marked so (atk29 A5). It
  // opens none: whether it is a breach of its own was judged there.
  if (finding.archived && holders.length === 0)
    return { result: ignored(finding, 'archived in GuardDuty: an archived finding opens no incident, and no incident is open on the resources it names') };
  if (holders.length === 0) return open_(deps, finding, keys, now, await freeIncidentId(store, finding.key, { id: ownId, holder: reads.incident }));
  return withinCommit((merges) => attach(deps, finding, holders, keys, now, merges));
}

/**
 * The fields in which a finding of the stored version differs from the stored record (atk29 A8): named,
 * never their values (the event's content is personal data). A minimised record's resource is not compared.
 */
function differsFromStored(finding: Finding, known: FindingRecord): string[] {
  const out: string[] = [];
  if (finding.type !== known.type) out.push('type');
  if (finding.severity !== known.severity) out.push('severity');
  if (toUtc(finding.createdAt) !== toUtc(known.createdAt)) out.push('createdAt');
  if (finding.archived !== Boolean(known.archived)) out.push('archived');
  if (finding.sample !== Boolean(known.sample)) out.push('sample');
  if (!known.minimised && JSON.stringify(finding.detail.resource) !== JSON.stringify(known.detail?.resource)) out.push('resource');
  return out;
}

/** What the record says of a finding archived in GuardDuty that joins an open incident (atk29 A5). */
export const ARCHIVED_NOTE = 'archived in GuardDuty by someone there: datalek did not decide this, and records it as any finding';

/**
 * The holder of each of the finding's `count` keys (`holders`' first), or else of the key as a record
 * written before fed16 holds it (`former`, whose defined ones `holders` has after those); then the
 * holders of those former keys again, so an incident holding one is among the holders even where
 * another holds the key's new form.
 */
function heldAsBefore(holders: (Incident | undefined)[], count: number, former: (string | undefined)[]): (Incident | undefined)[] {
  const before = holders.slice(count);
  let next = 0;
  const byKey = former.map((k) => (k === undefined ? undefined : before[next++]));
  return [...holders.slice(0, count).map((h, i) => h ?? byKey[i]), ...before];
}

/**
 * The open incidents a finding may merge (close into another): each exposed alert of theirs recorded
 * failed before fd3aa19 kept `upThere` that the timeline shows still up at the pager is marked so
 * (pager.ts `markOldFormAlertsUpThere`, as a person's closing does: b557e8d), so that the merge,
 * which closes them in the finding's own commit, resolves it there (contain19: it stayed acknowledged
 * at the pager for good). A timeline is read only for an incident holding such an alert.
 */
async function markMergeable(store: RecordDeps['store'], incidents: readonly (Incident | undefined)[]): Promise<void> {
  for (const incident of new Set(incidents)) if (incident && incident.state !== 'closed') await markOldFormAlertsUpThere(store, incident);
}

/**
 * The incident a finding record points to, following merges to the incident that now holds it;
 * `read` is that incident when it was read already.
 */
async function followMerges(store: RecordDeps['store'], incidentId: string, read?: Incident): Promise<Incident | undefined> {
  let incident = read?.id === incidentId ? read : await store.getIncident(incidentId);
  for (let hops = 0; incident?.mergedInto && hops < 10; hops++) incident = await store.getIncident(incident.mergedInto);
  return incident;
}

/** The distinct open incidents holding any of the keys, in the keys' order. */
function distinct(holders: (Incident | undefined)[]): Incident[] {
  const found: Incident[] = [];
  for (const incident of holders) if (incident && !found.some((i) => i.id === incident.id)) found.push(incident);
  return found;
}

/**
 * The incident id for a new finding: derived from its key, so a retried delivery opens the same
 * one. Should another finding's incident hold that id already (a hash collision, however unlikely
 * at 128 bits), the next derivation is taken: a collision makes a new id, never a lost finding.
 * `first` is the first derivation and what is stored under it (read with the finding).
 */
async function freeIncidentId(store: RecordDeps['store'], key: Finding['key'], first: { id: string; holder: Incident | undefined }): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const id = attempt === 0 ? first.id : incidentIdFor(key, attempt);
    const holder = attempt === 0 ? first.holder : await store.getIncident(id);
    if (!holder || findingKeyString(holder.firstFinding) === findingKeyString(key)) return id;
  }
}

/**
 * `followUp`: the incident continues a closed one (see `followUp`): its detection is the version
 * that showed the new activity, and the finding's record moves to it from `expected`.
 */
function open_(
  deps: RecordDeps,
  finding: Finding,
  keys: string[],
  now: string,
  id: string,
  followUp?: { of: FollowUpOf; detectedAt: string; expected: FindingVersion },
): Decision {
  const { policy } = deps;
  // Art. 33(1): 72 hours from awareness. Until a person records when the organisation became aware,
  // the conservative default is detection (the finding's createdAt), never the processing time;
  // and never after the finding reached us (a createdAt ahead of the clock, accepted as skew,
  // would push the deadline later and refuse every act "before the detection").
  const detectedAt = [followUp?.detectedAt ?? toUtc(finding.createdAt), toUtc(now)].sort()[0];
  const awareAt = finding.sample ? null : detectedAt;
  const incident = newIncident({
    id,
    sample: finding.sample,
    accountId: finding.key.accountId,
    region: finding.key.region,
    resource: finding.resource,
    resourceKey: resourceKey(finding),
    firstFinding: finding.key,
    findingType: finding.type,
    severity: finding.severity,
    detectedAt,
    awareAt,
    deadline: awareAt ? addHours(awareAt, policy.apDeadlineHours) : null,
    deadlineHours: awareAt ? policy.apDeadlineHours : null,
    openedAt: now,
  });
  if (finding.sample) incident.firstActivityAt = null;
  else takeFirstActivity(incident, firstActivity(finding), firstSeenSetAside(finding));
  incident.findingTypes = [finding.type];
  // The role and a processor's contract hours in force now are the record's, as the AP deadline's
  // hours are (`deadlineHours`): a later policy never re-judges it (review6 R15).
  if (awareAt) incident.policyRole = roleOf(incident, policy);
  if (awareAt && roleOf(incident, policy) === 'processor') incident.controllerHours = processorHours(policy);
  if (awareAt) incident.clocksInForce = { nis2: policy.clocks.nis2, telecom: policy.clocks.telecom };
  if (followUp) incident.followUpOf = followUp.of;
  const claims = keys.filter((k) => k !== incident.resourceKey);
  if (claims.length) incident.resourceKeys = claims;
  if (finding.related.length > 1) incident.resources = listResources(finding.related, incident);
  countLeftOut(incident, finding);
  // The resource's own labels of what it holds, for the FG (atk29 A3).
  const labels = classificationTags(finding.detail, policy);
  if (labels.tags.length) incident.resourceTags = labels.tags;
  if (labels.leftOut) incident.resourceTagsLeftOut = labels.leftOut;
  const planned = planContainment(finding, policy, [], { canEnforce: deps.canEnforce, forceEnforce: deps.forceEnforce, now });
  const left: TimelineDraft[] = [];
  const { taken: actions } = takeActions(incident, planned, now, left);
  // The law's deadline; a shorter internal target beside it (ap-verdict.ts deadlineDetail, fg15).
  const clock = deadlineDetail(incident);
  const entries: TimelineDraft[] = [
    {
      at: now,
      kind: 'incident-opened',
      // Added to the summary rather than spread from it (keys added after a spread are slow, see
      // incident.ts newIncident); the same keys in the same order.
      detail: Object.assign(findingSummary(finding), {
        detectedAt,
        awareAt,
        deadline: clock.deadline,
        ...(clock.internalTarget ? { internalTarget: clock.internalTarget } : {}),
        awareAtBasis: awareAt ? 'detection (default until a person records awareness)' : 'none: sample finding starts no clock',
        ...(followUp ? { followUpOf: followUp.of } : {}),
        // The begin of the breach the AP draft, the register and the notice give: verify holds the record to it (vpol).
        firstActivityAt: incident.firstActivityAt ?? null,
        // The law in force when its clock began, which the record keeps: verify holds the record to it (tl28a).
        ...lawInForce(incident),
        // The resources it holds beside its own, also none: with each later commit's `claimedKeys`, verify holds an open record to them (tl29).
        resourceKeys: claims,
      }),
    },
    ...actionEntries(actions, now, incident.id),
    ...left,
  ];
  const messages = announce(null, incident, policy, now, entries);
  const record = { record: findingRecord(finding, id), expected: followUp?.expected ?? null };
  return finish(incident, null, record, entries, messages, 'opened', finding, actions, policy, { claims });
}

/**
 * Whether a newer version of a closed incident's finding shows activity its closing did not see:
 * more occurrences than the record held, or activity last seen after the closing. A version that
 * changed otherwise (archived in GuardDuty, severity re-scored) is no new activity.
 */
function activeAfterClosing(finding: Finding, known: FindingRecord, closed: Incident): boolean {
  if (finding.version.count > known.version.count) return true;
  return closed.closedAt !== null && Date.parse(lastSeen(finding)) > Date.parse(closed.closedAt);
}

/**
 * A finding active again after its incident was closed (a backdoor still calling home after the
 * instance was released) opens a follow-up incident rather than reopening the closed one: the
 * closed record is the FG's decision on what was known then (Art. 33(5)) and stays as it was. The
 * follow-up pages, plans containment again (what was released is open again) and runs its own AP
 * clock and assessment from the version that showed the activity; the two name each other. Its id
 * is derived from the finding and the closed incident, so a redelivered event finds it (and is a
 * duplicate), and the registry names each id once; one taken by another incident (a collision)
 * gives the next derivation.
 */
async function followUp(deps: RecordDeps, finding: Finding, known: FindingRecord, closed: Incident, keys: string[], now: string): Promise<Decision> {
  const id = await freeFollowUpId(deps.store, finding.key, closed.id);
  const of: FollowUpOf = {
    incidentId: closed.id,
    closedAt: closed.closedAt ?? now,
    findingId: finding.key.findingId,
    previousCount: known.version.count,
    count: finding.version.count,
    lastSeen: lastSeen(finding),
  };
  const decision = open_(deps, finding, keys, now, id, { of, detectedAt: toUtc(finding.updatedAt), expected: known.version });
  const linked = structuredClone(closed);
  linked.followUps = [...(closed.followUps ?? []), id];
  linked.revision = closed.revision + 1;
  setNextDue(linked, deps.policy);
  const timeline = appendEntries(linked, [
    {
      at: now,
      kind: 'follow-up-opened',
      detail: {
        incidentId: id,
        findingId: of.findingId,
        previousCount: of.previousCount,
        count: of.count,
        lastSeen: of.lastSeen,
        reason: 'the finding was active again after this incident was closed: a follow-up incident takes it; this record and its decisions stay as they were',
      },
    },
  ]);
  if (decision.change) decision.change.others = [{ incident: linked, expectedRevision: closed.revision, timeline, messages: [] }];
  return decision;
}

async function freeFollowUpId(store: RecordDeps['store'], key: Finding['key'], closedId: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const id = `dl-${sha256(`${findingKeyString(key)}@after:${closedId}${attempt ? `#${attempt}` : ''}`).slice(0, INCIDENT_ID_HEX)}`;
    const holder = await store.getIncident(id);
    if (!holder || (holder.followUpOf?.incidentId === closedId && findingKeyString(holder.firstFinding) === findingKeyString(key))) return id;
  }
}

/**
 * Another finding on a resource with an open incident joins it. A finding that names resources of
 * several open incidents (an attack sequence) joins the earliest, and the others are merged into
 * it in the same commit: one breach, one AP clock. An incident with anything recorded on it for the
 * FG (`fgRecorded`) is not merged (its record is the FG's); the two are linked on the timeline instead.
 */
function attach(
  deps: RecordDeps,
  finding: Finding,
  holders: Incident[],
  keys: string[],
  now: string,
  merges: number,
  expected: FindingVersion | null = null,
  detectedAt = toUtc(finding.createdAt),
  from?: string,
): Decision {
  const [before, ...rest] = [...holders].sort((a, b) => a.detectedAt.localeCompare(b.detectedAt) || a.id.localeCompare(b.id));
  const incident = copyRecord(before);
  incident.findings += 1;
  // `from`: the closed incident whose finding this was; a retention hold there keeps it here too (minimise.ts holdsInherited).
  const entries: TimelineDraft[] = [{ at: now, kind: 'finding-attached', detail: { ...findingSummary(finding), ...(from ? { from } : {}) } }];
  const { claims, others, deferred, links, fresh } = correlate(deps, incident, finding, rest, keys, now, entries, merges);
  // A type the list has no room for (see MAX_TYPES) is not news: it could have come before.
  const known = typesOf(incident).includes(finding.type);
  const newType =
    !known && listTypes(incident, [finding.type], takesType(incident, finding.severity, finding.type) ? finding.type : null, now, entries).length > 0;
  // A resource no incident held may hold what the assessment never saw (a grown sequence's bucket); so
  // may one past the keys an incident holds, that only its list of resources takes (`listsNew`, red26).
  const unlisted = !fresh && listsNew(incident, finding);
  if (newType || fresh || unlisted)
    askReview(
      incident,
      { findingId: finding.key.findingId, findingType: finding.type, findingCreatedAt: finding.createdAt, ...(newType ? {} : { newResource: true as const }) },
      now,
      entries,
    );
  absorb(incident, finding, now, entries, detectedAt);
  countLeftOut(incident, finding);
  const options = { canEnforce: deps.canEnforce, forceEnforce: deps.forceEnforce, now, home: incident, heldElsewhere: heldByLinked(incident, rest, others) };
  const planned = planContainment(finding, deps.policy, incident.actions, options);
  entries.push(...notDoneHeldEntries(incident, finding, deps.policy, options));
  const { taken: actions, left } = takeActions(incident, planned, now, entries);
  entries.push(...actionEntries(actions, now, incident.id));
  const news = { newType, finding: newsOf(finding, actions, left, fresh), ...(unlisted ? { unlisted } : {}) };
  const messages = announce(before, incident, deps.policy, now, entries, news);
  return withDeferred(
    finish(incident, before.revision, { record: findingRecord(finding, incident.id), expected }, entries, messages, 'attached', finding, actions, deps.policy, {
      claims,
      others,
      links,
    }),
    deferred,
  );
}

function withDeferred(decision: Decision, deferred: string[]): Decision {
  if (deferred.length) decision.deferred = deferred;
  return decision;
}

/** Most incidents this one may take in at once (a store transaction must hold them all). */
const MAX_MERGED = 3;
/** Most resource keys one incident holds besides its own, and most it takes in one commit. */
const MAX_HELD_KEYS = 60;
const MAX_CLAIMS = 40;

/**
 * Takes the finding's resource keys into the incident: free keys are claimed, incidents holding
 * some are merged into it (when no person decided anything on them yet) or linked. At most
 * `merges` are merged by this change; those beyond, up to MAX_MERGED, are returned as `deferred`
 * (merged ahead, see `mergeAhead`), and linked should the change be committed as it is.
 */
function correlate(
  deps: RecordDeps,
  incident: Incident,
  finding: Finding,
  holders: Incident[],
  keys: string[],
  now: string,
  entries: TimelineDraft[],
  merges = MAX_MERGED,
): { claims: string[]; others: IncidentChange[]; deferred: string[]; links: Link[]; fresh: boolean } {
  const others: IncidentChange[] = [];
  const deferred: string[] = [];
  const links: Link[] = [];
  const blocked = new Set<string>();
  const transferred: string[] = [];
  const related: Record<string, unknown>[] = [];
  for (const other of holders) {
    if (other.id === incident.id) continue;
    const held = [other.resourceKey, ...(other.resourceKeys ?? [])];
    const refusal = notMergeable(other, now, incident);
    if (refusal || others.length >= merges) {
      for (const k of held) blocked.add(k);
      if (!refusal && others.length + deferred.length < MAX_MERGED) deferred.push(other.id);
      const why = refusal ?? { why: 'too-many', reason: 'too many incidents to merge in one step: linked, the FG decides' };
      related.push({ incidentId: other.id, state: other.state, findingId: finding.key.findingId, reason: why.reason });
      links.push({ other, ...why, at: now });
      noteLinked(incident, other.id);
      continue;
    }
    others.push(mergeInto(deps, incident, other, finding, now, entries));
    transferred.push(...held);
  }
  // What the merged incidents held passes to this one first, then the finding's own keys.
  const heldNow = new Set([incident.resourceKey, ...(incident.resourceKeys ?? [])]);
  const claims: string[] = [];
  for (const k of [...transferred, ...keys]) {
    if (heldNow.has(k) || blocked.has(k) || claims.includes(k)) continue;
    if (heldNow.size + claims.length > MAX_HELD_KEYS || claims.length >= MAX_CLAIMS) break;
    claims.push(k);
  }
  if (claims.length) {
    incident.resourceKeys = [...(incident.resourceKeys ?? []), ...claims];
    noteClaimed(entries, claims, now);
  }
  entries.push(...relatedEntries(related, now));
  // `fresh`: a key claimed that no incident held (not one a merged incident handed over).
  return { claims, others, deferred, links, fresh: claims.some((k) => !transferred.includes(k)) };
}

/**
 * Says on the commit's first entry (the finding attached or updated, the merge ahead) which resources
 * it claimed (`claimedKeys`): with the opening's `resourceKeys`, the timeline gives every resource an
 * open incident holds, and verify holds its record to them (tl29, atk28 F17: one taken off the record
 * with its claim, the next finding on it opened a second incident).
 */
function noteClaimed(entries: TimelineDraft[], claims: string[], now: string): void {
  const first = entries[0];
  if (!first) {
    entries.push({ at: now, kind: 'resources-claimed', detail: { claimedKeys: claims } });
    return;
  }
  const before = Array.isArray(first.detail?.claimedKeys) ? (first.detail.claimedKeys as string[]) : [];
  first.detail = { ...first.detail, claimedKeys: [...before, ...claims] };
}

/** An incident a finding links to the one it is recorded on rather than merging it, and why (`notMergeable`). */
interface Link extends Refusal {
  other: Incident;
  at: string;
}

/** Most incidents one incident's record lists as linked to it; the timeline names every one. */
const MAX_LINKED = 50;

/** Lists `otherId` among the incidents linked to this one, once; beyond MAX_LINKED it is counted. */
function noteLinked(incident: Incident, otherId: string): void {
  const listed = incident.linked ?? [];
  if (listed.includes(otherId)) return;
  if (listed.length < MAX_LINKED) incident.linked = [...listed, otherId];
  else incident.linkedNotListed = (incident.linkedNotListed ?? 0) + 1;
}

/**
 * What the linked incident records of the link (its draft changed in place): the incident it is
 * linked to, a timeline entry naming the finding, its type, where it was recorded and why the two
 * were not merged, and the FG's message, once per pair of incidents and finding type (the
 * `announced` mark keeps it once through redelivery, updates and a storm). A later version of a
 * finding linked already (`update`) adds nothing; another finding of a type told already is on the
 * timeline, untold. `after`: written in a commit of its own after the finding's (no room in it).
 * Null when there is nothing to write.
 */
function linkOn(
  draft: Incident,
  link: PendingLink,
  recordedOn: string,
  policy: Policy,
  after: boolean,
): { entries: TimelineDraft[]; messages: OutboxMessage[] } | null {
  const stateKey = `linked:${recordedOn}:${link.findingType}`;
  const told = draft.announced.includes(`fg:${stateKey}`);
  if (told && link.update) return null;
  noteLinked(draft, recordedOn);
  const entries: TimelineDraft[] = [
    {
      at: link.at,
      kind: 'linked-to-incident',
      detail: {
        incidentId: recordedOn,
        findingId: link.findingId,
        findingType: link.findingType,
        severity: link.severity,
        reason: link.reason,
        ...(after ? { writtenAfter: "no room in the finding's commit: written in a commit of its own after it" } : {}),
      },
    },
  ];
  if (told) return { entries, messages: [] };
  draft.announced.push(`fg:${stateKey}`);
  const linked = { incidentId: recordedOn, findingId: link.findingId, findingType: link.findingType, why: link.why };
  const message = composeMessage({ incident: draft, channel: 'fg', kind: 'incident-linked', stateKey, now: link.at, policy, linked });
  entries.push({ at: link.at, kind: 'notification-queued', detail: { channel: 'fg', messageKind: message.kind, messageId: message.id } });
  return { entries, messages: [message] };
}

/** What the linked incident `link.other` is to record of the link `finding` made. */
function pendingLink(link: Link, finding: Finding, isUpdate: boolean): PendingLink {
  const { findingId } = finding.key;
  return {
    incidentId: link.other.id,
    at: link.at,
    findingId,
    findingType: finding.type,
    severity: finding.severity,
    why: link.why,
    reason: link.reason,
    update: isUpdate,
  };
}

/** The change that writes the link on the linked incident, under the revision it was read at; null when nothing is new. */
function linkChange(link: Link, recordedOn: string, finding: Finding, isUpdate: boolean, policy: Policy): IncidentChange | null {
  const draft = copyRecord(link.other);
  const told = linkOn(draft, pendingLink(link, finding, isUpdate), recordedOn, policy, false);
  if (!told) return null;
  draft.revision = link.other.revision + 1;
  setNextDue(draft, policy);
  return { incident: draft, expectedRevision: link.other.revision, timeline: appendEntries(draft, told.entries), messages: told.messages };
}

/**
 * Most links one commit of `completeLinks` writes: each linked incident takes its record, ledger
 * entry and anchor mark, two timeline entries and a message (commit-bounds.ts commitItems), and the
 * incident that notes them its own three.
 */
const LINKS_PER_COMMIT = Math.floor((MAX_COMMIT_ITEMS - 3) / 6);

/**
 * Writes the links the incident `recordedOn` notes as still to write (`linksPending`: its finding's
 * commit had no room for them, commit-bounds.ts), on what each linked incident holds now (a
 * containment run may have written it meanwhile), and returns the messages queued. Each commit
 * writes some links and removes their notes in the same transaction: a process stopping at any
 * point leaves each link written or noted, never lost, never written twice.
 */
async function completeLinks(deps: RecordDeps, recordedOn: string | undefined): Promise<OutboxMessage[]> {
  const queued: OutboxMessage[] = [];
  for (let incident = recordedOn ? await deps.store.getIncident(recordedOn) : null; incident?.linksPending?.length; ) {
    const ids = [...new Set(incident.linksPending.slice(0, LINKS_PER_COMMIT).map((l) => l.incidentId))];
    let told: OutboxMessage[] = [];
    const { incidents, changed } = await changeIncidents(deps, [incident.id, ...ids], ([noting, ...linked]) => {
      told = [];
      const writing = (noting.linksPending ?? []).slice(0, LINKS_PER_COMMIT).filter((l) => ids.includes(l.incidentId));
      if (!writing.length) return null;
      const left = (noting.linksPending ?? []).filter((l) => !writing.includes(l));
      if (left.length) noting.linksPending = left;
      else delete noting.linksPending;
      const results = linked.map((draft): ChangeResult => {
        const written = writing.filter((l) => l.incidentId === draft.id).flatMap((l) => linkOn(draft, l, noting.id, deps.policy, true) ?? []);
        if (!written.length) return null;
        const messages = written.flatMap((w) => w.messages);
        told.push(...messages);
        return { entries: written.flatMap((w) => w.entries), messages: () => messages, pagerFollowUps: false };
      });
      return [{ entries: [], pagerFollowUps: false }, ...results];
    });
    if (!changed) break;
    queued.push(...told);
    incident = incidents[0];
  }
  return queued;
}

/** Most related incidents the timeline names in entries of their own; more are listed in one. */
const MAX_RELATED_ENTRIES = 3;

/**
 * The timeline entries of the incidents a finding links to this one: one each, or, for more than
 * MAX_RELATED_ENTRIES (a sequence may name resources of twenty), one `related-incidents` entry
 * listing them all, so that the commit stays within its bound.
 */
function relatedEntries(related: Record<string, unknown>[], now: string): TimelineDraft[] {
  if (related.length <= MAX_RELATED_ENTRIES) return related.map((detail) => ({ at: now, kind: 'related-incident', detail }));
  return [{ at: now, kind: 'related-incidents', detail: { count: related.length, incidents: related } }];
}

/**
 * What the incidents holding the finding's resources, linked to this one rather than merged into
 * it, hold contained: containment of those resources is left to them (core/containment.ts).
 */
function heldByLinked(incident: Incident, holders: (Incident | undefined)[], merged: IncidentChange[]): HeldContainment[] {
  const gone = new Set(merged.map((m) => m.incident.id));
  return holders.flatMap((h) => (h && h.id !== incident.id && !gone.has(h.id) ? takenContainment(h) : []));
}

/**
 * Why `incident` is not merged into `into`, or null when it may be. A merge closes it, and closing
 * resolves every alert it holds at the pager: so, besides one with anything recorded for the FG
 * (`fgRecorded`: its record is the FG's, and the merge would leave it on the closed incident), not while what `close` waits for stands: an interface containment left open to all
 * traffic (its alert keeps paging until the interface is isolated), an alert for containment that
 * did not fit its record, or of a finding asking for a step decided against, that nobody took (it
 * pages until a person takes it, or the decision is withdrawn), or a containment run holding
 * it (the run records its outcome, and any interface it leaves open, on this incident; the
 * survivor would hold a stale copy of the action and carry it out again). Nor when `into` has no
 * room (MAX_ACTIONS) for the containment carried out on it: a carried-out action left out would
 * lose its record, and the evidence `release` needs. Linked instead; a later version of the
 * finding merges it once that is over (`update`).
 */
function notMergeable(incident: Incident, now: string, into: Incident): Refusal | null {
  if ((incident.state !== 'open' && incident.state !== 'acknowledged') || fgRecorded(incident))
    return { why: 'fg-recorded', reason: 'the FG already recorded on it: not merged, the two are linked and the FG decides' };
  const exposed = exposedInterfaces(incident);
  if (exposed.length)
    return {
      why: 'interface-exposed',
      reason: `network interface ${exposed.join(', ')} is open to all traffic and pages on-call from it: not merged until it is isolated, the two are linked`,
    };
  // Its alerts for containment that did not fit, paging with nobody on them: the merge would resolve them.
  const notPlanned = notPlannedUntaken(incident).map((a) => a.key);
  if (notPlanned.length)
    return {
      why: 'not-planned-paging',
      reason: `its alert ${notPlanned.join(', ')} pages on-call for containment that did not fit the record and nobody carried out: not merged (the merge would resolve it), the two are linked`,
    };
  // Its alerts of a finding asking for a step decided against, up until a person takes one or the decision is withdrawn.
  const held = notDoneHeldUntaken(incident).map((a) => a.key);
  if (held.length)
    return {
      why: 'not-done-held-paging',
      reason: `its alert ${held.join(', ')} pages on-call for a finding asking for a step decided against, and nobody took it: not merged (the merge would resolve it), the two are linked`,
    };
  const lease = incident.containmentLease;
  if (lease && lease.until > now)
    return { why: 'containment-running', reason: `its containment is running (held until ${lease.until}): not merged, the two are linked` };
  const carried = incident.actions.filter((a) => carriedOut(a) && !into.actions.some((x) => x.id === a.id)).length;
  if (carried > MAX_ACTIONS - into.actions.length)
    return {
      why: 'no-room',
      reason: `this incident's record holds ${into.actions.length} of ${MAX_ACTIONS} containment actions, no room for the ${carried} carried out on it: not merged, the two are linked`,
    };
  return null;
}

/** Why an incident is linked rather than merged: for the FG's message (`why`) and the timeline (`reason`). */
interface Refusal {
  why: LinkWhy;
  reason: string;
}

/**
 * Whether a person recorded anything on the incident for the FG: an assessment or a report, the
 * facts (Art. 33(3)), or any decision (awareness, role, NIS2, Art. 34). The merge carries none of
 * it, and what the survivor would lack the AP draft and the register would lack.
 */
function fgRecorded(incident: Incident): boolean {
  const { assessment, facts, role, nis2, subjects, subscribers, reports, decisions } = incident;
  return Boolean(assessment || facts || role || nis2 || subjects || subscribers || reports?.length || decisions?.length);
}

/** Whether containment acted on an action (done, failed or refused, or some step taken): its record must be kept. */
function carriedOut(action: ActionRecord): boolean {
  return action.status !== 'planned' || (action.steps ?? []).length > 0;
}

/** Folds `other` into `incident` (the survivor) and returns the change that closes `other` as merged. */
function mergeInto(deps: RecordDeps, incident: Incident, other: Incident, finding: Finding, now: string, entries: TimelineDraft[]): IncidentChange {
  const reason = `${finding.type} (${finding.key.findingId}) names resources of both: one breach, one AP clock`;
  const closed = copyRecord(other);
  closed.state = 'closed';
  closed.closedAt = now;
  closed.closeReason = `merged into ${incident.id}: ${reason}`;
  closed.mergedInto = incident.id;
  closed.revision = other.revision + 1;
  setNextDue(closed, deps.policy);
  const timeline = appendEntries(closed, [{ at: now, kind: 'merged-into', detail: { into: incident.id, findingId: finding.key.findingId, reason } }]);

  const takenOver = takeOverContainment(incident, other);
  // What a person recorded there with a --now behind the machine's clock stays marked here (change-incident.ts).
  const stated = (other.statedClock?.length ?? 0) + (other.statedClockNotListed ?? 0);
  const merged: TimelineDraft = {
    at: now,
    kind: 'incidents-merged',
    detail: {
      merged: other.id,
      findings: other.findings,
      detectedAt: other.detectedAt,
      findingType: other.findingType,
      severity: other.severity,
      reason,
      ...(stated ? { statedClock: stated } : {}),
      ...(takenOver.length ? { containmentTakenOver: takenOver } : {}),
      // Who took the merged incident: said here, not carried over (see below).
      ...(other.acknowledgedAt ? { acknowledgedAt: other.acknowledgedAt, acknowledgedBy: other.acknowledgedBy } : {}),
    },
  };
  entries.push(merged);
  for (const mark of other.statedClock ?? []) keepStatedClock(incident, { ...mark, incidentId: mark.incidentId ?? other.id });
  if (other.statedClockNotListed) incident.statedClockNotListed = (incident.statedClockNotListed ?? 0) + other.statedClockNotListed;
  // Linked before (its containment ran, say), merged now: the register and `show` say merged, not linked.
  if (incident.linked?.includes(other.id)) incident.linked = incident.linked.filter((id) => id !== other.id);
  incident.findings += other.findings;
  const added = listTypes(incident, typesOf(other), takesType(incident, other.severity, other.findingType) ? other.findingType : null, now, entries);
  // A type the assessment did not know of may overturn it, as when a finding of it joins (`attach`); so may
  // a resource the survivor did not hold, as one no incident held does (27d8c96c): a grown sequence's bucket
  // another incident held came here with it, and the survivor's "no personal data" stood for it (red26).
  const held = new Set([incident.resourceKey, ...(incident.resourceKeys ?? [])]);
  const brought = [other.resourceKey, ...(other.resourceKeys ?? [])].some((k) => !held.has(k));
  if (added.length || brought) askReview(incident, mergedCause(other, added, finding), now, entries);
  if (other.findingTypesNotListed) {
    noteTypesNotListed(incident, other.findingTypesNotListed.since, null, now, entries);
    keepTypesNotListed(incident, other.findingTypesNotListed.hashes ?? [], other.findingTypesNotListed.more);
  }
  if (other.firstActivityAt && other.firstActivityAt < (incident.firstActivityAt ?? incident.detectedAt)) {
    firstActivityEarlier(incident, other.firstActivityAt, other.firstSeenSetAside, `incident ${other.id}`, now, entries);
  }
  moveDetectionEarlier(incident, other.detectedAt, `incident ${other.id}`, now, entries);
  takeSeverity(incident, other.severity, other.findingType, now, entries, { incidentId: other.id });
  // An action without an account of its own acted in its incident's account: it keeps saying so here.
  // Those containment acted on first: when room runs out, only actions never started are left out (counted).
  const placed = other.actions.map((a) => placedIn(keepDenyAllName(copyRecord(a), other.id), other, incident));
  // A session revocation of the same principal, each incident's own policies: the survivor's action holds the other's too (rel28 #3).
  incident.actions = incident.actions.map((x) => {
    const theirs = takenOver.includes(x.id) ? undefined : placed.find((m) => m.id === x.id);
    return theirs ? keepMergedPolicies(x, theirs, other.id) : x;
  });
  const moved = placed.filter((m) => !incident.actions.some((x) => x.id === m.id)).sort((x, y) => Number(carriedOut(y)) - Number(carriedOut(x)));
  const { taken } = takeActions(incident, moved, now, entries);
  // The actions the survivor holds from here on with the status each came with, so that verify holds
  // them to this timeline as it holds its own (audit-record.ts): their earlier entries are the other's.
  // Listed also when none came (`[]`): verify reads a merge without the list as one written before it,
  // and names no action no entry names after that (finalA #1); a merge bringing none is the common one.
  const came = [...incident.actions.filter((a) => takenOver.includes(a.id)), ...taken];
  if (merged.detail) merged.detail.actions = came.map((a) => ({ action: a.type, target: a.target, status: a.status }));
  carryNotes(incident, other, takenOver);
  if (other.actionsNotPlanned) noteActionsNotPlanned(incident, other.actionsNotPlanned.count, now, entries);
  for (const r of other.resources ?? [other.resource]) addResource(incident, r);
  if (other.resourcesNotListed) incident.resourcesNotListed = (incident.resourcesNotListed ?? 0) + other.resourcesNotListed;
  // Its acknowledgement stays its own: the person took its page, not the survivor's. A survivor
  // nobody acknowledged keeps paging (its escalation, an interface it left open, its alert at the
  // pager) until someone takes it; the entry above says who took the merged one.
  // Its alert at the pager is resolved: the breach is paged as the incident it joined.
  return { incident: closed, expectedRevision: other.revision, timeline, messages: pagerFollowUps(other, closed, deps.policy, now) };
}

/**
 * Containment `other` holds in effect (carried out, not released) replaces the survivor's action of
 * the same id, whatever that said (left to `other`, planned, failed, released): the survivor now
 * answers for it, with its steps, evidence and the groups to restore, so its release undoes it and
 * the drift check reads it there. (Left on the merged record, no open record held it.) Returns the
 * ids taken over.
 */
function takeOverContainment(incident: Incident, other: Incident): string[] {
  const inEffect = new Map(releasable(other.actions).map((a) => [a.id, a]));
  const taken: string[] = [];
  incident.actions = incident.actions.map((x) => {
    const theirs = inEffect.get(x.id);
    if (!theirs || releasable([x]).length) return x;
    taken.push(x.id);
    // What the survivor's own put there (a deny-all recorded failed may have reached IAM) is held by the one taken over.
    return keepMergedPolicies(placedIn(keepDenyAllName(copyRecord(theirs), other.id), other, incident), x, incident.id);
  });
  return taken;
}

/**
 * The notes that a linked incident took up a resource of `other` (`containedBy`, core/contain.ts
 * takeResource) go with its keys: the survivor now holds them, and a third incident's run reads the
 * note there to leave the resource to the incident holding it. The survivor's own note on a resource
 * wins, except on a resource whose containment it took over (`takenOver`): it holds that itself now.
 */
function carryNotes(incident: Incident, other: Incident, takenOver: string[]): void {
  type Note = NonNullable<Incident['containedBy']>[number];
  const same = (a: Omit<Note, 'incidentId'>, b: Omit<Note, 'incidentId'>) =>
    a.type === b.type && a.target === b.target && a.accountId === b.accountId && a.region === b.region;
  const held = incident.actions.filter((a) => takenOver.includes(a.id)).map((a) => ({ type: a.type, target: a.target, ...actionPlace(a, incident) }));
  const notHeld = (n: Note) => !held.some((h) => same(h, n));
  const before = incident.containedBy ?? [];
  const mine = before.filter(notHeld);
  const carried = (other.containedBy ?? []).filter((n) => n.incidentId !== incident.id && !mine.some((m) => same(m, n)) && notHeld(n));
  if (carried.length || mine.length !== before.length) incident.containedBy = [...mine, ...carried];
}

/** The incident's finding types; a record from before they were kept has its `findingType` alone. */
function typesOf(incident: Incident): string[] {
  return incident.findingTypes ?? [incident.findingType];
}

/** Most finding types one incident lists (GuardDuty has a few hundred; one resource shows far fewer). */
const MAX_TYPES = 100;

/**
 * Adds `more` to the incident's finding types (kept sorted) while fewer than MAX_TYPES are listed;
 * `own`, the type the incident is about to take as its own (see `takeSeverity`), is listed
 * whatever the count, so the list always holds the incident's own type. Types listed stay listed:
 * a storm of types cannot push out those the FG was told of (they would count as new again).
 * Types left out are said on the record (`findingTypesNotListed`). Returns the types added.
 */
function listTypes(incident: Incident, more: string[], own: string | null, now: string, entries: TimelineDraft[]): string[] {
  const types = typesOf(incident);
  const added: string[] = [];
  const left: string[] = [];
  for (const type of more) {
    if (types.includes(type) || added.includes(type)) continue;
    if (types.length + added.length < MAX_TYPES || type === own) added.push(type);
    else left.push(type);
  }
  if (added.length) incident.findingTypes = [...types, ...added].sort();
  if (left.length) {
    noteTypesNotListed(incident, now, left[0], now, entries);
    keepTypesNotListed(incident, left.map(typeNotListedHash));
  }
  return added;
}

/** Most hashes of types past MAX_TYPES an incident keeps (GuardDuty's catalogue has a few hundred types). */
const MAX_TYPES_HASHED = 1000;

/**
 * Keeps the hashes of types past MAX_TYPES (and `more`, arrivals past MAX_TYPES_HASHED) on the
 * record, so the `--seen` token changes when any new type comes (incident.ts findingTypesSeen).
 * A type already kept changes nothing; past MAX_TYPES_HASHED every arrival is counted, a repeat too:
 * the token then changes more often than needed, never less.
 */
function keepTypesNotListed(incident: Incident, hashes: string[], more = 0): void {
  const notListed = incident.findingTypesNotListed;
  if (!notListed) return;
  const kept = new Set(notListed.hashes ?? []);
  let counted = (notListed.more ?? 0) + more;
  for (const hash of hashes) {
    if (kept.has(hash)) continue;
    if (kept.size < MAX_TYPES_HASHED) kept.add(hash);
    else counted += 1;
  }
  incident.findingTypesNotListed = { ...notListed, hashes: [...kept].sort(), ...(counted ? { more: counted } : {}) };
}

/** Whether a finding of `severity` and `type` makes its type the incident's own (as `takeSeverity` does). */
function takesType(incident: Incident, severity: number, type: string): boolean {
  return severity > incident.severity || (severity === incident.severity && type < incident.findingType);
}

/** The record says, once, that finding types beyond MAX_TYPES came and were not listed, and since when. */
function noteTypesNotListed(incident: Incident, since: string, type: string | null, now: string, entries: TimelineDraft[]): void {
  const known = incident.findingTypesNotListed?.since;
  if (known !== undefined && known <= since) return;
  incident.findingTypesNotListed = { ...incident.findingTypesNotListed, since };
  if (known !== undefined) return;
  entries.push({
    at: now,
    kind: 'finding-types-not-listed',
    detail: {
      limit: MAX_TYPES,
      ...(type !== null ? { findingType: type } : {}),
      reason: `the incident lists ${MAX_TYPES} finding types: further types are not listed, and are not told to the FG as new`,
    },
  });
}

/**
 * A finding of a new type after the FG's assessment may overturn it (a miner assessed "no personal
 * data", then exfiltration on the same instance): the FG is asked to assess again, on the record,
 * after the assessment it questions. Asked once until an assessment answers it.
 */
function askReview(incident: Incident, cause: ReviewCause, now: string, entries: TimelineDraft[]): void {
  const a = incident.assessment;
  if (!a || incident.sample || reviewPending(incident)) return;
  const { findingId, findingType } = cause;
  incident.reviewAsked = {
    at: now,
    findingId,
    findingType,
    assessedAt: a.at,
    assessedBy: a.by,
    decisions: (incident.decisions ?? []).length,
    ...(cause.newResource ? { newResource: true as const } : {}),
  };
  entries.push({
    at: now,
    kind: 'assessment-review-asked',
    detail: {
      ...cause,
      assessedAt: a.at,
      assessedBy: a.by,
      personalData: a.personalData,
      risk: a.risk,
      notifiable: a.notifiable,
      reason: cause.mergedIncidentId
        ? `incident ${cause.mergedIncidentId}, merged into this one after the assessment, brings ${cause.newResource ? 'a resource the incident did not hold' : 'a finding type the incident did not have'}: the FG assesses again`
        : cause.newResource
          ? 'a finding naming a resource the incident did not hold came after the assessment: the FG assesses again'
          : 'a finding of a type the incident did not have came after the assessment: the FG assesses again',
    },
  });
}

/**
 * Why the FG is asked to assess again: a finding of a type the incident did not have (its id,
 * type, creation), or an incident merged in (`mergedIncidentId`, by the finding `mergedBy`) that
 * brings one: then `severity` is told to the FG with it (`reviewByMergeMessage`).
 */
interface ReviewCause {
  findingId: string;
  findingType: string;
  findingCreatedAt?: string;
  mergedIncidentId?: string;
  mergedBy?: string;
  severity?: number;
  /** The finding named a resource no incident held (see `ReviewAsk.newResource`). */
  newResource?: true;
}

/**
 * The review a merge asks names a type it brought (the merged incident's own when new) and a
 * finding of it: the merged incident's first when that incident had that type alone, else the
 * finding that merged it (which brought the type here).
 */
function mergedCause(other: Incident, added: string[], finding: Finding): ReviewCause {
  // No type new: the resources it brought ask it (`newResource`), named by its own type.
  const findingType = added.length === 0 || added.includes(other.findingType) ? other.findingType : added[0];
  const alone = typesOf(other).length === 1;
  return {
    findingId: alone ? other.firstFinding.findingId : finding.key.findingId,
    findingType,
    mergedIncidentId: other.id,
    mergedBy: finding.key.findingId,
    severity: alone ? other.severity : finding.severity,
    ...(added.length ? {} : { newResource: true as const }),
  };
}

function newsOf(finding: Finding, actions: ActionRecord[], left: ActionRecord[] = [], claimsResource = false): FindingNews {
  const named = (a: ActionRecord) => ({
    type: a.type,
    target: a.target,
    ...(a.accountId ? { accountId: a.accountId } : {}),
    ...(a.region ? { region: a.region } : {}),
  });
  const lost = left.filter((a) => a.status !== 'skipped');
  return {
    findingId: finding.key.findingId,
    findingType: finding.type,
    severity: finding.severity,
    // What on-call must do anew: containment planned, or failed, by this finding (not what was skipped).
    actions: actions.filter((a) => a.status !== 'skipped').map(named),
    // What it called for and the record had no room for: a person's to carry out (commit-bounds.ts).
    ...(lost.length ? { notPlanned: lost.map(named), wouldEnforce: lost.some((a) => a.mode === 'enforce') } : {}),
    ...(claimsResource ? { claimsResource } : {}),
    ...(finding.archived ? { archived: true as const } : {}),
  };
}

/**
 * What a joining finding changes: severity and type, an earlier detection, the resources it names.
 * `detectedAt`: when the finding tells this incident its activity was detected (its creation,
 * unless it comes back after its own incident was closed).
 */
function absorb(incident: Incident, finding: Finding, now: string, entries: TimelineDraft[], detectedAt = toUtc(finding.createdAt)): void {
  noteFirstActivity(incident, finding, now, entries);
  takeSeverity(incident, finding.severity, finding.type, now, entries, { findingId: finding.key.findingId });
  moveDetectionEarlier(incident, detectedAt, `finding ${finding.key.findingId}`, now, entries);
  if (finding.related.length > 1) for (const r of finding.related) addResource(incident, r);
}

const MAX_RESOURCES = 100;

/**
 * Whether the finding names a resource its incident's list does not, with room to list it: a sequence past
 * the keys an incident holds (MAX_HELD_KEYS) claims no key for it, so it is not `fresh`, yet `show` lists it
 * (`absorb`) and the assessment never saw it (red26). Past MAX_RESOURCES listed, only counted.
 */
function listsNew(incident: Incident, finding: Finding): boolean {
  const list = incident.resources ?? [incident.resource];
  if (finding.related.length <= 1 || list.length >= MAX_RESOURCES) return false;
  return finding.related.some((r) => !list.some((x) => x.kind === r.kind && x.id === r.id && x.accountId === r.accountId));
}

function addResource(incident: Incident, r: AffectedResource): void {
  const list = incident.resources ?? [incident.resource];
  if (list.some((x) => x.kind === r.kind && x.id === r.id && x.accountId === r.accountId)) return;
  if (list.length >= MAX_RESOURCES) incident.resourcesNotListed = (incident.resourcesNotListed ?? 0) + 1;
  else incident.resources = [...list, r];
}

/**
 * An attack sequence's resources too long for a key (finding-resources.ts `notListed`) are counted
 * as not listed, once for each finding that names them (when it opens or joins the incident).
 */
function countLeftOut(incident: Incident, finding: Finding): void {
  const n = finding.sequence?.notListed;
  if (n) incident.resourcesNotListed = (incident.resourcesNotListed ?? 0) + n;
}

/** The first MAX_RESOURCES a new incident's finding names; how many more is counted on the incident. */
function listResources(related: AffectedResource[], incident: Incident): AffectedResource[] {
  if (related.length > MAX_RESOURCES) incident.resourcesNotListed = related.length - MAX_RESOURCES;
  return related.slice(0, MAX_RESOURCES);
}

/**
 * The AP clock runs from the earliest detection among the incident's findings, whatever order they
 * arrived in: a finding detected earlier moves `detectedAt` back, and with it the default awareness
 * and the deadline. An awareness a person acted on stays: one they recorded, and the default once
 * the FG assessed personal data affected (or possibly so) or a report was made on it, or when it
 * would move before the begin of the breach a person stated (checked against it when recorded:
 * nobody is aware of a breach before it began, S6). Nobody was aware of a finding before it arrived
 * (Art. 33(1) counts from awareness): the earlier detection is recorded beside it and the FG told
 * (`announce`), who may move the awareness, or correct the begin, with a reason.
 */
function moveDetectionEarlier(incident: Incident, detectedAt: string, source: string, now: string, entries: TimelineDraft[]): void {
  if (detectedAt >= incident.detectedAt) return;
  const kept = awarenessActedOn(incident, detectedAt);
  const defaultAwareness = incident.awareAt !== null && incident.awareAt === incident.detectedAt && !incident.awareReason && !kept;
  const from = incident.detectedAt;
  incident.detectedAt = detectedAt;
  if (defaultAwareness && incident.deadlineHours !== null) {
    incident.awareAt = detectedAt;
    incident.deadline = addHours(detectedAt, incident.deadlineHours);
  }
  entries.push({
    at: now,
    kind: 'detection-moved-earlier',
    detail: {
      from,
      to: detectedAt,
      source,
      awareAt: incident.awareAt,
      ...deadlineDetail(incident),
      awarenessMoved: defaultAwareness,
      ...(kept && !incident.awareReason ? { awarenessKept: kept } : {}),
      ...(kept === 'begin' && !incident.awareReason ? { startedAt: incident.facts?.startedAt } : {}),
    },
  });
}

/**
 * Whether the FG acted on the default awareness: a report made, personal data assessed affected or
 * possibly so, or a begin of the breach stated that the new detection (`detectedAt`) lies before.
 */
export function awarenessActedOn(incident: Incident, detectedAt: string): 'reported' | 'assessed' | 'begin' | null {
  if (incident.reports?.length) return 'reported';
  const assessed = (incident.decisions ?? []).some((d) => d.kind === 'assessment' && d.personalData !== 'no');
  if (assessed || (incident.assessment && incident.assessment.personalData !== 'no')) return 'assessed';
  const began = incident.facts?.startedAt;
  return began && detectedAt < began ? 'begin' : null;
}

/** `holderOf`: the open incident holding each of the finding's correlation keys, as read with it. */
function update(
  deps: RecordDeps,
  finding: Finding,
  known: FindingRecord,
  current: Incident,
  now: string,
  holderOf: Map<string, Incident | undefined>,
  merges: number,
): Decision {
  const incident = copyRecord(current);
  const entries: TimelineDraft[] = [
    {
      at: now,
      kind: 'finding-updated',
      detail: {
        findingId: finding.key.findingId,
        updatedAt: finding.updatedAt,
        count: finding.version.count,
        previousCount: known.version.count,
        severity: finding.severity,
        archived: finding.archived,
      },
    },
  ];
  let actions: ActionRecord[] = [];
  let messages: OutboxMessage[] = [];
  let claims: string[] = [];
  let others: IncidentChange[] = [];
  let deferred: string[] = [];
  let links: Link[] = [];
  let fresh = false;
  // A closed incident keeps the record of later versions that show no new activity (those that do
  // open a follow-up, see `decide`); it is never reopened or re-notified. An incident opened by hand
  // holds the finding the policy ignored (open-by-hand.ts): a version the policy still ignores is
  // recorded and acts on nothing, as it would open nothing; one it opens joins with its containment.
  const ignoredStill = current.openedByHand !== undefined && (finding.archived || finding.severity < deps.policy.thresholds.openIncident);
  if (incident.state !== 'closed' && !ignoredStill) {
    // A later version may name resources the incident does not hold: a sequence's more of them, and
    // any finding's another resource than before (a replayed or crafted event). They join this
    // incident as a new finding's would: free keys claimed, incidents holding them merged or linked.
    const keys = correlationKeys(finding);
    const held = new Set([incident.resourceKey, ...(incident.resourceKeys ?? [])]);
    // One opened before fed16 holds its federated principal by the principal itself: the same resource.
    const heldBefore = formerKeys(finding, keys)[0];
    if (heldBefore !== undefined && held.has(heldBefore)) held.add(keys[0]);
    const unheld = keys.filter((k) => !held.has(k));
    if (unheld.length)
      ({ claims, others, deferred, links, fresh } = correlate(
        deps,
        incident,
        finding,
        distinct(unheld.map((k) => holderOf.get(k))),
        keys,
        now,
        entries,
        merges,
      ));
    const unlisted = !fresh && listsNew(incident, finding);
    if (fresh || unlisted)
      askReview(
        incident,
        { findingId: finding.key.findingId, findingType: finding.type, findingCreatedAt: finding.createdAt, newResource: true },
        now,
        entries,
      );
    if (!finding.sequence && !held.has(keys[0])) {
      entries.push({
        at: now,
        kind: 'finding-resource-changed',
        detail: {
          findingId: finding.key.findingId,
          resourceType: finding.resource.resourceType,
          resourceId: finding.resource.id,
          claimed: claims.includes(keys[0]),
        },
      });
      addResource(incident, finding.resource);
    }
    // A follow-up's findings were created before the incident it follows was closed: that creation
    // is the closed incident's detection, not this one's (its activity after the close is).
    const createdBeforeClose = incident.followUpOf && toUtc(finding.createdAt) < incident.followUpOf.closedAt;
    absorb(incident, finding, now, entries, createdBeforeClose ? incident.detectedAt : undefined);
    const options = {
      canEnforce: deps.canEnforce,
      forceEnforce: deps.forceEnforce,
      now,
      home: incident,
      heldElsewhere: heldByLinked(incident, distinct([...holderOf.values()]), others),
    };
    const planned = planContainment(finding, deps.policy, incident.actions, options);
    // Said once per finding: when it joined, and again only when a re-score may bring another rule
    // (GuardDuty republishes a finding every 6 hours; the timeline says it asked already).
    if (known.severity !== finding.severity) entries.push(...notDoneHeldEntries(incident, finding, deps.policy, options));
    const taken = takeActions(incident, planned, now, entries);
    actions = taken.taken;
    entries.push(...actionEntries(actions, now, incident.id));
    // Containment this version plans anew, or could not plan, is on-call's to know, as a joining finding's is;
    // a resource it claims, the FG's when it asked for a new assessment.
    const news = newsOf(finding, actions, taken.left, fresh);
    const told = news.actions.length || news.notPlanned || news.claimsResource || unlisted;
    messages = announce(
      current,
      incident,
      deps.policy,
      now,
      entries,
      told ? { newType: false, finding: news, laterVersion: true, ...(unlisted ? { unlisted } : {}) } : undefined,
    );
  }
  return withDeferred(
    finish(
      incident,
      current.revision,
      { record: laterVersion(findingRecord(finding, incident.id), known, now, current), expected: known.version },
      entries,
      messages,
      'updated',
      finding,
      actions,
      deps.policy,
      { claims, others, links },
    ),
    deferred,
  );
}

type TimelineDraft = { at: string; kind: string; actor?: string; detail?: Record<string, unknown> };

/**
 * A step a person decided not to carry out (`datalek not-done`) that this finding's rule enforces:
 * the decision holds (containment.ts `upgrades`), and the timeline says which finding asked for it,
 * beside who decided and why, so the FG sees the new evidence and can act on it (`datalek contained`
 * for what is done by hand, or a new incident's containment).
 */
function notDoneHeldEntries(incident: Incident, finding: Finding, policy: Policy, options: PlanOptions): TimelineDraft[] {
  // Once per finding and severity, through republication and a re-score back (`notDoneHeldMessages` marks it).
  if (incident.announced.includes(`fg:${notDoneHeldKey(finding.key.findingId, finding.severity)}`)) return [];
  return notDoneAskedFor(finding, policy, incident.actions, options).map((a) => {
    const decision = a.notDone as NonNullable<ActionRecord['notDone']>;
    return {
      at: options.now,
      kind: 'containment-not-done-held',
      detail: {
        action: a.type,
        target: a.target,
        actionId: a.id,
        findingId: finding.key.findingId,
        // Where it is stored: a finding of another account or region enforces the step on withdrawal too (by-hand.ts enforcingFinding).
        findingAccountId: finding.key.accountId,
        findingRegion: finding.key.region,
        findingType: finding.type,
        severity: finding.severity,
        decidedBy: decision.by,
        decidedAt: decision.recordedAt,
        reason: decision.reason,
      },
    };
  });
}

/**
 * When the activity behind a finding began: `service.eventFirstSeen`, which can be days before
 * GuardDuty created the finding. The start of the breach on the AP's form (section 2), and the
 * earliest time a person can state for anything about the incident.
 */
function firstActivity(finding: Finding): string {
  const service = finding.detail.service as { eventFirstSeen?: unknown } | undefined;
  // The one strict parser: Date.parse read "0" as the year 2000 and a time without a zone in the
  // machine's. One it cannot read, or from before GuardDuty, is left aside: the finding still counts.
  const seen = instantOrNull(service?.eventFirstSeen);
  const created = toUtc(finding.createdAt);
  return seen !== null && seen < created ? seen : created;
}

/**
 * The finding whose `eventFirstSeen` was there and set aside, when its creation is the begin of the
 * breach on the AP form: the FG is told so (show, the draft). Absent, empty or read, there is none
 * (fg26 item 4). Only the finding that sets `firstActivityAt` sets or clears it (review25 #3).
 */
function firstSeenSetAside(finding: Finding): Incident['firstSeenSetAside'] {
  const raw = (finding.detail.service as { eventFirstSeen?: unknown } | undefined)?.eventFirstSeen;
  if (raw === undefined || raw === null || raw === '' || instantOrNull(raw) !== null) return undefined;
  return {
    findingId: finding.key.findingId,
    value: storedName(typeof raw === 'string' ? raw : JSON.stringify(raw), 64),
    usedInstead: toUtc(finding.createdAt),
  };
}

/** The begin of the breach and the note on it go together: a new begin brings its own note, or none. */
function takeFirstActivity(incident: Incident, at: string, setAside: Incident['firstSeenSetAside']): void {
  incident.firstActivityAt = at;
  if (setAside) incident.firstSeenSetAside = setAside;
  else delete incident.firstSeenSetAside;
}

function noteFirstActivity(incident: Incident, finding: Finding, now: string, entries: TimelineDraft[]): void {
  if (incident.sample || finding.sample) return;
  const seen = firstActivity(finding);
  const known = incident.firstActivityAt ?? incident.detectedAt;
  if (seen < known) firstActivityEarlier(incident, seen, firstSeenSetAside(finding), `finding ${finding.key.findingId}`, now, entries);
}

/**
 * An earlier begin of the breach, from a joining finding or a merged incident, with the entry that
 * says so: the AP draft, the register and the notice give it, and verify holds the record to the
 * entries that give it (audit-record.ts checkFirstActivityAgainstTimeline, vpol).
 */
function firstActivityEarlier(
  incident: Incident,
  at: string,
  setAside: Incident['firstSeenSetAside'],
  source: string,
  now: string,
  entries: TimelineDraft[],
): void {
  const from = incident.firstActivityAt ?? null;
  takeFirstActivity(incident, at, setAside);
  entries.push({ at: now, kind: 'first-activity-earlier', detail: { from, firstActivityAt: at, source } });
}

function finish(
  incident: Incident,
  expectedRevision: number | null,
  finding: IncidentChange['finding'],
  drafts: TimelineDraft[],
  messages: OutboxMessage[],
  outcome: Outcome,
  f: Finding,
  actions: ActionRecord[],
  policy: Policy,
  correlation: { claims?: string[]; others?: IncidentChange[]; links?: Link[] } = {},
): Decision {
  incident.revision = (expectedRevision ?? 0) + 1;
  setNextDue(incident, policy);
  const timeline = appendEntries(incident, drafts);
  const change: IncidentChange = { incident, expectedRevision, finding, timeline, messages };
  if (correlation.claims?.length) change.claims = correlation.claims;
  if (correlation.others?.length) change.others = [...correlation.others];
  // Each linked incident is told in the finding's commit while it has room; the rest right after
  // it, noted in it so that a process stopping between loses none (`completeLinks`).
  const isUpdate = outcome === 'updated';
  for (const link of correlation.links ?? []) {
    const told = linkChange(link, incident.id, f, isUpdate, policy);
    if (!told) continue;
    change.others = [...(change.others ?? []), told];
    if (commitItems(change) <= MAX_COMMIT_ITEMS) continue;
    change.others = change.others.slice(0, -1);
    if (!change.others.length) delete change.others;
    incident.linksPending = [...(incident.linksPending ?? []), pendingLink(link, f, isUpdate)];
  }
  // A redelivery of the finding writes them too, should the process stop before (`decide`).
  if (incident.linksPending?.length && finding) finding.record.linksPending = true;
  return {
    change,
    // Set on the fresh result rather than spread from it (keys added after a spread are slow, see
    // incident.ts newIncident); the same keys in the same order.
    // The law's AP deadline, not an internal target the record counts its reminders to (review12 S3).
    result: Object.assign(result(outcome, f, incident.id, apLegalDeadline(incident), actions), {
      messages: messages.map((m) => m.id),
      queued: change.others?.length ? [...change.others.flatMap((o) => o.messages), ...messages] : [...messages],
      revision: incident.revision,
    }),
  };
}

/**
 * The incident takes the highest severity of its findings, and that finding's type; between equal
 * severities the type that sorts first, so the record does not depend on arrival order.
 */
function takeSeverity(incident: Incident, severity: number, type: string, now: string, entries: TimelineDraft[], source: Record<string, string>): void {
  if (severity > incident.severity) {
    entries.push({
      at: now,
      kind: 'severity-raised',
      detail: { from: incident.severity, to: severity, band: severityBand(severity), ...source, findingType: type },
    });
    incident.severity = severity;
    incident.findingType = type;
  } else if (severity === incident.severity && type < incident.findingType) {
    incident.findingType = type;
  }
}

/**
 * The messages a change calls for, each once per incident state: the first time the incident
 * reaches a channel's threshold it is announced; a later rise to a higher band is announced again.
 * A finding that joins it (`news`) tells the FG when its type is new to the incident, and on-call
 * when it plans containment the incident did not have: each once per finding type, so a storm
 * of findings of a type told already, or a finding's own updates, tell nobody again. The same state never
 * pages twice, however often its findings are delivered.
 */
function announce(
  before: Incident | null,
  after: Incident,
  policy: Policy,
  now: string,
  entries: TimelineDraft[],
  news?: { newType: boolean; finding: FindingNews; unlisted?: boolean; laterVersion?: boolean },
): OutboxMessage[] {
  const out: OutboxMessage[] = [];
  const channels = [
    { channel: 'fg' as const, threshold: policy.thresholds.notifyFg },
    { channel: 'on-call' as const, threshold: policy.thresholds.pageOnCall },
  ];
  const band = severityBand(after.severity);
  const bandRose = before !== null && bandRank(band) > bandRank(severityBand(before.severity));
  // Containment a finding called for and the record had no room for (commit-bounds.ts) is on-call's
  // to carry out by hand: it pages once per finding type (a fleet storm past the bound is one page
  // per type, the rest counted), and when the pipeline would have contained it, whatever the
  // incident's severity. Reaching the bound never silences on-call.
  const listedType = news ? typesOf(after).includes(news.finding.findingType) : false;
  const lostKey = news?.finding.notPlanned ? `not-planned:${listedType ? news.finding.findingType : 'types-not-listed'}` : null;
  for (const { channel, threshold } of channels) {
    // An FG who assessed the incident hears of what may overturn it, whatever its severity. On-call
    // hears of containment a finding plans once per (listed) finding type, as the FG does: a storm
    // of one type on a fleet is one message, not one per node.
    const lost = channel === 'on-call' && lostKey !== null && !after.announced.includes(`on-call:${lostKey}`);
    // The FG hears of a resource no incident held only when it asks for a new assessment (`askReview`).
    const askedNow = reviewPending(after) && after.reviewAsked?.at === now;
    // A resource past the keys the incident holds (`unlisted`) is the FG's alone: it asks a review, claims nothing.
    const newResource = news?.finding.claimsResource === true || (channel === 'fg' && news?.unlisted === true);
    const concerned = news && (channel === 'fg' ? news.newType || (newResource && askedNow) : lost || (news.finding.actions.length > 0 && listedType));
    const reviewing = channel === 'fg' && concerned && askedNow;
    if (after.severity < threshold && !reviewing && !(lost && news?.finding.wouldEnforce)) continue;
    let kind: MessageKind | null = null;
    let stateKey = '';
    if (!after.announced.includes(`${channel}:opened`) && after.severity >= threshold) {
      kind = 'opened';
      stateKey = 'opened';
    } else if (bandRose && after.severity >= threshold && !after.announced.includes(`${channel}:band:${band}`)) {
      kind = 'severity-raised';
      stateKey = `band:${band}`;
    } else if (concerned && news) {
      kind = 'finding-added';
      stateKey = lost && lostKey ? lostKey : `type:${news.finding.findingType}`;
      if (after.announced.includes(`${channel}:${stateKey}`)) kind = null;
      // A resource no incident held, claimed with containment planned on it (a grown attack sequence,
      // a finding moved to another resource), is never left to `show`: on-call hears of it though its
      // type was told. Bounded by the keys an incident can hold (MAX_HELD_KEYS): one claim each at least.
      // A later version of one finding that plans containment the incident did not have is told too, though it
      // claims no key (a sequence past the keys an incident holds, red26): bounded by the actions a record holds.
      const plansAnew = channel === 'on-call' && news.laterVersion === true && news.finding.actions.length > 0;
      if (!kind && ((newResource && (channel === 'on-call' || reviewing)) || plansAnew)) {
        kind = 'finding-added';
        stateKey = `resources:${after.announced.filter((a) => a.startsWith(`${channel}:resources:`)).length + 1}`;
      }
    }
    if (!kind) continue;
    after.announced.push(`${channel}:${stateKey}`);
    // The opening page of an incident that already could not plan all says so (its containment lines): told.
    if (lost && lostKey && stateKey !== lostKey) after.announced.push(`${channel}:${lostKey}`);
    if (channel === 'on-call' && !after.paging.firstPageAt) after.paging.firstPageAt = now;
    const message = composeMessage({ incident: after, channel, kind, stateKey, now, policy, news: concerned && news ? news.finding : undefined });
    notePagerTrigger(after, message, policy, now);
    out.push(message);
    entries.push({ at: now, kind: 'notification-queued', detail: { channel, messageKind: kind, messageId: message.id } });
  }
  const toFg = [
    before === null ? clockRunningMessage(after, policy, now) : null,
    detectionEarlierMessage(after, policy, now, entries),
    reviewByMergeMessage(after, policy, now, entries),
    typesNotListedMessage(after, policy, now, news),
  ];
  for (const message of toFg) {
    if (!message) continue;
    out.push(message);
    entries.push({ at: now, kind: 'notification-queued', detail: { channel: 'fg', messageKind: message.kind, messageId: message.id } });
  }
  for (const message of notDoneHeldMessages(after, policy, now, entries)) {
    notePagerTrigger(after, message, policy, now);
    out.push(message);
    entries.push({ at: now, kind: 'notification-queued', detail: { channel: message.channel, messageKind: message.kind, messageId: message.id } });
  }
  return out;
}

/** The `announced` mark of a finding's not-done-held message, without its channel: one per finding and severity. */
export function notDoneHeldKey(findingId: string, severity: number): string {
  return `not-done-held:${findingId}:${severity}`;
}

/**
 * A finding whose rule enforces steps a person decided not to carry out (`notDoneHeldEntries`) is
 * told to the FG and to on-call, whatever the severity: the decision holds, and only a person can
 * weigh the new evidence against it and take it back (`datalek not-done --withdraw`). Once per
 * finding and severity, as the timeline says it: GuardDuty republishes a finding every 6 hours.
 */
function notDoneHeldMessages(after: Incident, policy: Policy, now: string, entries: TimelineDraft[]): OutboxMessage[] {
  const asked = entries.filter((e) => e.kind === 'containment-not-done-held');
  const first = asked[0]?.detail as { findingId: string; findingType: string; severity: number } | undefined;
  if (!first || after.sample) return [];
  const stateKey = notDoneHeldKey(first.findingId, first.severity);
  if (after.announced.includes(`fg:${stateKey}`)) return [];
  const steps = asked.map((e) => {
    const d = e.detail as Record<string, string>;
    return { actionId: d.actionId, type: d.action, target: d.target, by: d.decidedBy, at: d.decidedAt, reason: d.reason };
  });
  const held = { findingId: first.findingId, findingType: first.findingType, severity: first.severity, steps };
  return (['fg', 'on-call'] as const).map((channel) => {
    after.announced.push(`${channel}:${stateKey}`);
    return composeMessage({ incident: after, channel, kind: 'not-done-held', stateKey, now, policy, held });
  });
}

/**
 * An incident that opens below the FG's threshold (`thresholds.notifyFg`) with the AP's clock running
 * is told to the FG at opening, once: no "possible breach" message and no page, but the clock runs from
 * detection and only the FG can assess it (atk29 A10: a Medium incident was silent until deadline − 48 h).
 * Not for a sample (no clock) and not for one opened by hand (its opener knows). A later rise to the
 * threshold still sends the FG's `opened` message, as before.
 */
function clockRunningMessage(after: Incident, policy: Policy, now: string): OutboxMessage | null {
  const stateKey = 'clock-running';
  if (after.sample || after.openedByHand || !apLegalDeadline(after) || after.severity >= policy.thresholds.notifyFg) return null;
  if (after.announced.includes('fg:opened') || after.announced.includes(`fg:${stateKey}`)) return null;
  after.announced.push(`fg:${stateKey}`);
  return composeMessage({ incident: after, channel: 'fg', kind: 'clock-running', stateKey, now, policy });
}

/**
 * A review a merge asked (`mergeInto`) is told to the FG at once, as one a finding of a new type
 * joining asks is (`news`): the type the merged incident brought and the assessment it questions,
 * whatever the severity; once per type.
 */
function reviewByMergeMessage(after: Incident, policy: Policy, now: string, entries: TimelineDraft[]): OutboxMessage | null {
  const asked = entries.find((e) => e.kind === 'assessment-review-asked' && e.detail?.mergedIncidentId);
  if (!asked || !reviewPending(after)) return null;
  const { findingId, findingType, severity, newResource } = asked.detail as unknown as ReviewCause & { severity: number };
  // Resources it brought, of a type told already: told as a resource no incident held is (`announce`), once per claim.
  const stateKey = newResource ? `resources:${after.announced.filter((a) => a.startsWith('fg:resources:')).length + 1}` : `type:${findingType}`;
  if (after.announced.includes(`fg:${stateKey}`)) return null;
  after.announced.push(`fg:${stateKey}`);
  return composeMessage({
    incident: after,
    channel: 'fg',
    kind: 'finding-added',
    stateKey,
    now,
    policy,
    news: { findingId, findingType, severity, actions: [] },
  });
}

/**
 * A finding detected earlier than the incident (moveDetectionEarlier) is told to an FG who knows
 * the incident (opened to them, or assessed): the deadline it moved, or the awareness that stays
 * and may be moved with a reason. Once per detection time, through redelivery.
 */
function detectionEarlierMessage(after: Incident, policy: Policy, now: string, entries: TimelineDraft[]): OutboxMessage | null {
  const moved = entries.filter((e) => e.kind === 'detection-moved-earlier').at(-1);
  if (!moved || after.sample || (!after.announced.includes('fg:opened') && !after.assessment)) return null;
  const stateKey = `detection-earlier:${after.detectedAt}`;
  if (after.announced.includes(`fg:${stateKey}`)) return null;
  after.announced.push(`fg:${stateKey}`);
  const detail = moved.detail as { from: string; awarenessMoved: boolean; startedAt?: string };
  return composeMessage({ incident: after, channel: 'fg', kind: 'detection-moved-earlier', stateKey, now, policy, earlier: detail });
}

/**
 * Once an incident lists MAX_TYPES finding types, further types are neither listed nor told to the
 * FG as new, nor do they ask for a new assessment (listTypes): the FG is told so, once per
 * incident, when the FG would have heard of new types (the incident reached the FG's threshold, or
 * the FG assessed it). The `announced` mark keeps it once through redelivery and a storm.
 */
function typesNotListedMessage(after: Incident, policy: Policy, now: string, news?: { finding: FindingNews }): OutboxMessage | null {
  const stateKey = 'types-not-listed';
  if (!after.findingTypesNotListed || after.announced.includes(`fg:${stateKey}`)) return null;
  if (after.severity < policy.thresholds.notifyFg && !after.assessment) return null;
  after.announced.push(`fg:${stateKey}`);
  const left = news && !typesOf(after).includes(news.finding.findingType) ? news.finding : null;
  return composeMessage({
    incident: after,
    channel: 'fg',
    kind: 'finding-types-not-listed',
    stateKey,
    now,
    policy,
    ...(left ? { notListed: { findingType: left.findingType, findingId: left.findingId } } : {}),
  });
}

function bandRank(band: string): number {
  return SEVERITY_BANDS.length - SEVERITY_BANDS.findIndex((b) => b.band === band);
}

/** What the timeline says of a finding: identifiers and classification, no personal data. */
function findingSummary(finding: Finding): Record<string, unknown> {
  return {
    findingId: finding.key.findingId,
    findingType: finding.type,
    severity: finding.severity,
    band: finding.band,
    resourceType: finding.resource.resourceType,
    resourceId: finding.resource.id,
    createdAt: finding.createdAt,
    updatedAt: finding.updatedAt,
    count: finding.version.count,
    sample: finding.sample,
    ...(finding.archived ? { archived: ARCHIVED_NOTE } : {}),
    // What else the finding names (an attack sequence), by identifier; user names stay out.
    ...(finding.related.length > 1 ? { named: finding.related.slice(1).flatMap((r) => (r.personal || r.kind === 'other' ? [] : [`${r.kind} ${r.id}`])) } : {}),
    ...(finding.involvement.role !== 'unknown' ? { involvement: `${finding.involvement.role}: ${finding.involvement.basis}` } : {}),
  };
}

export function findingRecord(finding: Finding, incidentId: string): FindingRecord {
  return {
    key: finding.key,
    version: finding.version,
    incidentId,
    type: finding.type,
    severity: finding.severity,
    createdAt: finding.createdAt,
    sample: finding.sample,
    archived: finding.archived,
    detail: finding.detail,
    // Hashed with the record into the ledger, removed when minimised (core/minimise.ts).
    salt: findingSalt(),
  };
}

function result(outcome: Outcome, finding: Finding, incidentId: string | null, deadline: string | null, actions: ActionRecord[]): RecordResult {
  return {
    outcome,
    findingId: finding.key.findingId,
    incidentId,
    severity: finding.severity,
    deadline,
    actions: actions.map((a) => ({ type: a.type, status: a.status })),
    messages: [],
    revision: null,
  };
}

function ignored(finding: Finding | null, reason: string): RecordResult {
  return {
    outcome: 'ignored',
    findingId: finding?.key.findingId ?? null,
    incidentId: null,
    severity: finding?.severity ?? null,
    deadline: null,
    actions: [],
    reason,
    messages: [],
    revision: null,
  };
}

/**
 * A later version of a finding that says the opposite of the stored one about GuardDuty's sample flag
 * (atk29 A11): refused, by name, as inconsistent. GuardDuty makes sample findings with ids of their own;
 * a real finding does not become one, nor one real. Taken, it made a real incident claim the sample's
 * key (or a sample's incident a real resource), and a genuine sample then joined the real incident.
 */
function sampleFlipped(finding: Finding, known: FindingRecord): RecordResult {
  const was = known.sample ? 'a sample finding' : 'a real finding (no sample flag)';
  const now = finding.sample ? 'flagged sample (additionalInfo.sample)' : 'without the sample flag';
  return {
    // The CLI contract gives a rejected line no incident id; the reason names the incident it is stored on.
    ...result('rejected', finding, null, null, []),
    reason: `inconsistent: finding ${finding.key.findingId} is stored on incident ${known.incidentId} as ${was}, and this later version (updatedAt ${finding.updatedAt}, count ${finding.version.count}) comes ${now}; a finding does not change into a sample or back, so it is not recorded (a crafted or damaged event? see the finding in GuardDuty)`,
  };
}

/** The result of an input that is not an event we can process, with why. */
export function rejectedResult(reason: string): RecordResult {
  return { outcome: 'rejected', findingId: null, incidentId: null, severity: null, deadline: null, actions: [], reason, messages: [], revision: null };
}
