/**
 * Drift: whether the containment an incident's record says is in effect is what AWS shows. The
 * record keeps "done: network cut" whatever happens to the resource afterwards; someone putting an
 * isolated interface back in its groups by hand, a key set Active again, a Block Public Access
 * removed, leave the record saying what is no longer true (review5 A15). `datalek show` and
 * `datalek verify` with `--target aws` read the resources back and say so.
 *
 * Here only what the record expects (`expectedContainment`) and the judgement of what was read
 * (`judge`) live; the reading is an adapter's (adapters/aws/containment/drift.ts), which reads
 * only what the record names, and changes nothing.
 */
import {
  ALREADY_CONTAINED,
  actionPlace,
  containCommand,
  denyAllPut,
  failedAt,
  failedAtHolder,
  failedInterfaces,
  foundIsolatedAlready,
  foundIsolatedInterfaces,
  heldContainment,
  holderIn,
  leftElsewhere,
  mergedPoliciesOf,
  mergedRemoveStep,
  plannedDenyAll,
  releaseUnderWay,
  sameResource,
  takenContainment,
} from './containment.js';
import type { ActionRecord, Incident } from './incident.js';
import { NAMED_BY_HAND_TASK } from './named-interfaces.js';

/** What on-call follows when containment was undone outside datalek. */
export const DRIFT_RUNBOOK = 'runbooks/containment-undone.md';

/** One thing the record says is so on AWS, and that can be read back cheaply. */
export type Expectation =
  /** A network interface in the isolation group only (`isolate-eni:<id>` done). */
  | {
      kind: 'interface';
      interfaceId: string;
      owner: string;
      isolation: string;
      allTraffic: string | null;
      ownGroups: string[];
      /** Found in the isolation group by this incident's capture (isolated under another incident): its own groups are in that record. */
      found?: true;
      /** Read too whether each own group is a group of the isolation group's VPC (`contained --interface`, named-interfaces.ts). */
      ownGroupsRead?: true;
    }
  /** An isolated instance still there, with no network interface the record does not know. */
  | { kind: 'instance'; instanceId: string; interfaces: string[]; isolation: string }
  /** An isolated instance's termination protection on and shutdown behaviour `stop` (`protect-instance` done). */
  | { kind: 'protection'; instanceId: string }
  /** An isolated instance with no instance profile (`revoke-instance-credentials` took it off). */
  | { kind: 'instance-profile'; instanceId: string }
  /** The VPC's isolation group, with no rule at all. */
  | { kind: 'isolation-group'; groupId: string }
  /**
   * A group tagged as made for the incident that no record vouches for, named in its groups step
   * (network-isolation.ts): `named` with datalek's name (`orphanGroups`: a killed run's, never used,
   * to be deleted once empty), else someone else's group carrying datalek's tags (`taggedGroups`).
   */
  | { kind: 'unvouched-group'; groupId: string; named: boolean; rules?: { inbound: number; outbound: number } }
  /**
   * A long-term access key, Inactive; and no other Active key, console password or MFA device of its
   * user made from `since` (the first activity the record knew when the key was deactivated) up to
   * `containedAt` (then): one is most likely made with the stolen key (review12 K7). Without `since` (a record from before),
   * another Active key is named as a check to make. `found`: the key was found Inactive already at
   * `containedAt` (set so before, when is not known). `sessionsRevokedAt`: when the user's older sessions were
   * revoked with the deactivation (the sessions made with the key end then, not at the deactivation: attack16 K2).
   * `ownerKeys`: other keys a person confirmed as the owner's after the run failed naming them (K5).
   */
  | {
      kind: 'access-key';
      accessKeyId: string;
      userName: string;
      since?: string;
      containedAt?: string;
      found?: true;
      sessionsRevokedAt?: string;
      ownerKeys?: readonly OwnerKeys[];
      userGoneRecorded?: UserGoneRecorded;
    }
  /**
   * The incident's deny of older sessions, as an inline policy on a role or an IAM user; `denyAll`: its deny of
   * everything on an IAM user whose console password was taken (step `deny-all`), no issue time to it.
   */
  | {
      kind: 'revocation';
      principal: 'role' | 'user';
      name: string;
      label: string;
      policyName: string;
      issuedBefore: string | null;
      userGoneRecorded?: UserGoneRecorded;
      denyAll?: true;
      /**
       * A deny-all the plan asked for that the record does not hold in effect, read all the same (release27 #3): its put
       * recorded `failed` (a timeout's put may have reached IAM), or its action `released` (a release before release27
       * removed only a deny-all recorded done). On the user, it locks them out with nothing recording it.
       */
      unrecorded?: 'failed' | 'released';
      /** How the record holds its put, when `unrecorded` (`denyAllPut`): failed (with its error), failed on the user not found, or no step at all. */
      put?: { put: 'failed' | 'user-not-found' | 'none'; code?: string };
    }
  /** All four Block Public Access settings on. */
  | { kind: 'public-access-block'; bucket: string; owner: string }
  /** A function's reserved concurrency 0. */
  | { kind: 'function-concurrency'; functionName: string }
  /** A function URL that needs signed requests (not auth NONE). */
  | { kind: 'function-url'; functionName: string }
  /** A database not publicly accessible. */
  | { kind: 'database'; dbInstanceIdentifier: string }
  /**
   * An isolated instance's ECS container instance, found by its isolation (`drain-container-instance` done),
   * DRAINING: ECS places no new task on it (contain16: set ACTIVE again was unseen by drift), whether the
   * isolation drained it or found it drained (review15 K5).
   */
  | {
      kind: 'container-instance';
      cluster: string;
      arn: string;
      instanceId: string;
      /**
       * Every network interface the isolation's record holds (the instance's, its tasks', those found isolated) and the
       * isolation group: an awsvpc task interface on it that is neither (a task placed after the last run) is open.
       */
      known: string[];
      isolation: string;
      /** Every container instance the isolation found (of any cluster). */
      recorded: string[];
    }
  /**
   * An isolated instance's registrations in ECS, in every cluster of its account and region (contain22): a container
   * instance of it, not INACTIVE, that the isolation's drain did not find (`recorded`) was registered since, in the
   * recorded cluster or another, and ECS may place tasks on it, each task's interface in its own groups. Read for an
   * isolation whose record has the drain step (done, skipped or failed), the instance looked up in ECS then.
   */
  | { kind: 'ecs-registration'; instanceId: string; recorded: string[] }
  /**
   * A long-term key a person deactivated for an IAM user's stolen session (`deactivate-user-keys` recorded done with
   * `datalek contained --key`, cont26): Inactive among its user's keys. `label` names the user by the step's target.
   */
  | { kind: 'user-key'; userName: string; accessKeyId: string; label: string }
  /**
   * The instance that leaked its role's credentials (`contain-credential-source` recorded done, cont26): cut off from
   * handing them out, by any of the states that do (`credentialSourceVerdict`).
   */
  | { kind: 'credential-source'; instanceId: string }
  /**
   * The console password and MFA devices of an IAM user someone else signed in as (`secure-console-sign-in` recorded
   * done, cont26): no password, or one made after `since` (the incident's detection), by then after the sign-in.
   */
  | { kind: 'console-sign-in'; userName: string; label: string; since: string }
  /**
   * A `deactivate-user-keys` step still open: the user's long-term keys as they are (cont26). Another incident's
   * containment, or a person who did not record it, may have deactivated the key: the open step is read, not judged.
   */
  | { kind: 'open-user-keys'; userName: string; label: string };

/** A resource the record holds contained, where it lives, and what to read. */
export interface ContainmentCheck {
  incidentId: string;
  actionId: string;
  /** The incident whose record holds the resource contained, when this incident's action was left to it (`heldBy`). */
  heldBy?: string;
  type: string;
  accountId: string;
  region: string;
  expect: Expectation;
}

/**
 * What the adapter read for one expectation. `missing` says what was not found (an instance, a
 * user, a key, a policy, a bucket's block); `error` a read that failed (AccessDenied, throttled),
 * which is never taken for "in place".
 */
/** An access key's user's console password (null: none) and MFA devices, by when each was made (enabled), nothing else of them. */
export type SignIn = { password: { created: string | null } | null; mfaDevices: { enabled: string | null }[] };

export type Observation =
  | { read: 'error'; code: string; message: string }
  /**
   * Not found. `byName`: read by a name that can change (an IAM user's, an RDS database's
   * identifier), so not found is renamed or deleted, not known which. `others`: an access key's
   * user's other keys, from the list that did not hold the key, and its sign-in (as for a `key` read).
   */
  | {
      read: 'missing';
      what: string;
      byName?: true;
      others?: { id: string; status: string; created: string | null }[];
      signIn?: SignIn;
    }
  /** `ownGroupsElsewhere` (asked with `ownGroupsRead`): each own group not of the isolation group's VPC, with its VPC (null: not found). */
  | { read: 'interface'; groups: string[]; ownGroupsElsewhere?: { id: string; vpc: string | null }[] }
  | { read: 'instance'; state: string; interfaces: { id: string; groups: string[] }[] }
  | { read: 'protection'; terminationProtected: boolean; shutdownBehavior: string }
  /** The instance profiles associated with the instance (or being associated). */
  | { read: 'profiles'; associated: string[] }
  | { read: 'group-rules'; inbound: number; outbound: number }
  /** An unvouched group: its name, its rules, the network interfaces in it, and the incident its `datalek:created-for` tag names now (null: none). */
  | { read: 'unvouched-group'; name: string; inbound: number; outbound: number; interfaces: string[]; createdFor: string | null }
  /**
   * The key's status, and the user's other keys the same list holds (`created` null when not given);
   * with the key Inactive, the user's console password (null: none) and MFA devices, by when each
   * was made (enabled), nothing else of them.
   */
  | {
      read: 'key';
      status: string;
      others?: { id: string; status: string; created: string | null }[];
      signIn?: SignIn;
    }
  /** The policy's deny of sessions issued before this time, or null when it is not that deny; `deniesAll`: it is the deny of everything. */
  | { read: 'revocation'; deniesBefore: string | null; deniesAll?: boolean }
  | { read: 'public-access-block'; settings: Record<string, boolean> }
  | { read: 'concurrency'; reserved: number | null }
  | { read: 'function-url'; authType: string }
  | { read: 'database'; publiclyAccessible: boolean }
  /** A container instance's status (ACTIVE, DRAINING, INACTIVE…). */
  | {
      read: 'container-instance';
      status: string;
      /** The network interfaces of the awsvpc tasks ECS has on it, each with its task and groups. */
      tasks: { id: string; task: string; groups: string[] }[];
      /** More tasks on it than read (the bound of ecs.ts): said, never read as none. */
      tasksUnread?: string;
    }
  /**
   * The container instances of an EC2 instance, not INACTIVE, in the clusters of its account and region read
   * (`clustersUnread`: more clusters than read, said, never read as none).
   */
  | { read: 'ecs-registrations'; found: { cluster: string; arn: string; status: string }[]; clustersUnread?: string }
  /** An IAM user's console password and MFA devices (GetLoginProfile, ListMFADevices). */
  | { read: 'sign-in'; signIn: SignIn }
  /** An IAM user's long-term keys (ListAccessKeys): each with its status and when it was made (null when not given). */
  | { read: 'user-keys'; keys: { id: string; status: string; created: string | null }[] }
  /**
   * What decides whether an instance hands its role's credentials out (DescribeInstances, and DescribeSecurityGroups for
   * its interfaces' groups): its state, its instance profile (null: none), its metadata options, and whether every
   * network interface is in groups with no rule at all (isolated).
   */
  | {
      read: 'credential-source';
      state: string;
      profile: string | null;
      httpTokens: string;
      httpEndpoint: string;
      hopLimit: number | null;
      interfaces: number;
      isolated: boolean;
    };

/** Reads back what the checks name, every one answered (a failed read as an `error`), nothing changed. */
export interface ContainmentStateReader {
  read(checks: readonly ContainmentCheck[]): Promise<Observation[]>;
}

/** `in-place`: as recorded; `drifted`: not what the record says; `gone`: the resource is no more; `unreadable`: not known. */
export type DriftState = 'in-place' | 'drifted' | 'gone' | 'unreadable';

export interface DriftEntry {
  incidentId: string;
  actionId: string;
  /** Read for an action left to this incident, which holds the resource contained. */
  heldBy?: string;
  /** The resource read, e.g. `network interface eni-0a of i-0b`. */
  resource: string;
  accountId: string;
  region: string;
  state: DriftState;
  /** What the record says. */
  recorded: string;
  /** What AWS shows. */
  actual: string;
  /** What the engineer should do; absent when in place (but for a group no record vouches for, which is still to be dealt with). */
  todo?: string;
  runbook?: string;
  /** The provider's error code of a read that failed. */
  code?: string;
}

/** What was read of an incident's containment, and what is held but not read (and why). */
export interface DriftReport {
  checkedAt: string;
  resources: DriftEntry[];
  notChecked: { incidentId: string; actionId: string; what: string }[];
  /**
   * Person's steps the record holds open, read as AWS shows them now (cont26: a later incident's containment may have
   * done it, or the reverse): what AWS shows and what to do. Not a verdict on the record: it says the step is open.
   */
  open?: { incidentId: string; actionId: string; actual: string; todo: string }[];
}

/** Whether the report finds anything the record says that AWS does not show. */
export function drifted(report: DriftReport): boolean {
  return report.resources.some((r) => r.state === 'drifted' || r.state === 'gone');
}

/** Whether some containment could not be read (then "nothing drifted" is not known). */
export function unread(report: DriftReport): boolean {
  return report.resources.some((r) => r.state === 'unreadable');
}

const doneSteps = (a: ActionRecord) => new Set((a.steps ?? []).filter((s) => s.status === 'done').map((s) => s.name));

/** Steps of an action the checks do not read: they are named, not taken for in place. */
const NOT_READ: Record<string, Record<string, string>> = {
  'isolate-instance': {
    'detach-from-asg': 'out of its Auto Scaling group',
    'deregister-target-groups': 'out of its target groups',
    'revoke-instance-credentials': 'its role’s older sessions revoked',
  },
};

interface Checks {
  checks: ContainmentCheck[];
  notChecked: DriftReport['notChecked'];
  /** Known from the records alone, with nothing to read: an action left to an incident that does not hold its resource. */
  verdicts: DriftEntry[];
  /** Person's steps still open that AWS can show (`DriftReport.open`). */
  open: ContainmentCheck[];
}

/** The incident a record's `heldBy` names as it is now (merges followed), when the caller has it; undefined when the store does not hold it. */
export type HolderOf = (incidentId: string) => Incident | undefined;

/**
 * The containment the record says is in effect, as checks: each action carried out (a step done),
 * not released, not being released, and each of its steps a release has not undone. A step that
 * failed is not expected (the record says so already); one carried to the survivor of a merge is
 * that incident's to check.
 *
 * An action left elsewhere (`leftElsewhere`) says its resource is contained all the same, so it is
 * read too (`leftChecks`): what this incident's capture found isolated, from its own record; what it
 * left to another incident (`heldBy`), as that incident's record holds it (`holderOf`), or, when that
 * incident does not hold it contained, a verdict: nothing datalek records contains it.
 */
export function expectedContainment(incident: Incident, now: string, holderOf?: HolderOf): Checks {
  const out: Checks = { checks: [], notChecked: [], verdicts: [], open: [] };
  for (const action of incident.actions) {
    if (!incident.mergedInto) unvouchedChecks(incident, action, out);
    if (!incident.mergedInto) unrecordedDenyAllChecks(incident, action, now, out);
    if (action.released) continue;
    if (action.person) {
      if (!incident.mergedInto) personChecks(incident, action, out);
      continue;
    }
    if (leftElsewhere(action)) {
      if (!incident.mergedInto) leftChecks(incident, action, now, holderOf, out);
      continue;
    }
    if (action.heldBy) continue;
    const done = doneSteps(action);
    // The stolen key found Inactive or deleted beside a key made with it (the run failed naming it): read as one set so.
    if (foundNotContainedKey(action)) done.add('deactivate-key');
    // Found deleted, its sessions revoked (contain17): the key read (not found; a key made with it named) beside the deny.
    if (foundDeletedKey(action) && done.has(KEY_SESSIONS_STEP)) done.add('deactivate-key');
    if (done.size === 0) continue;
    // A merge carried its actions to the survivor, whose copy a release marks: the copy here is history.
    if (incident.mergedInto) {
      out.notChecked.push({ incidentId: incident.id, actionId: action.id, what: `merged into ${incident.mergedInto}: read back there` });
      continue;
    }
    if (releaseUnderWay(action, now)) {
      out.notChecked.push({ incidentId: incident.id, actionId: action.id, what: 'a release of it is under way' });
      continue;
    }
    const inEffect = inEffectOf(action, done);
    const place = actionPlace(action, incident);
    const add = (expect: Expectation) => out.checks.push({ incidentId: incident.id, actionId: action.id, type: action.type, ...place, expect });
    const expectations = expectationsOf(action, inEffect, place.accountId);
    if (expectations === null) {
      out.notChecked.push({ incidentId: incident.id, actionId: action.id, what: `${action.type}: nothing of it is read back` });
      continue;
    }
    for (const e of expectations) add(e);
    // Some interfaces isolated: the checks read only those; one it failed to isolate leaves the resource open.
    if (expectations.length) out.verdicts.push(...openInterfaces({ incidentId: incident.id, actionId: action.id, ...place }, action, incident.id));
    const notRead = Object.entries(NOT_READ[action.type] ?? {}).filter(([step]) => done.has(step));
    if (notRead.length) out.notChecked.push({ incidentId: incident.id, actionId: action.id, what: notRead.map(([, what]) => what).join('; ') });
  }
  return out;
}

/**
 * A person's step recorded done (`datalek contained`) whose outcome AWS shows (cont26): until then verify read nothing
 * of it, and a key set Active again, or an instance handed its profile back, left the record saying contained.
 * - `contain-credential-source`: the instance cut off from handing its role's credentials out, by whichever state does
 *   (`credentialSourceVerdict`): the person chose one, and any of them holds.
 * - `deactivate-user-keys`: each key the person named (`--key`) Inactive among its user's keys, the user named by the
 *   revocation beside it (the step's own params hold no name). Recorded without a key (before `--key`): nothing to read
 *   it by, said as not read, never taken for in place.
 */
function personChecks(incident: Incident, action: ActionRecord, out: Checks): void {
  const at = { incidentId: incident.id, actionId: action.id, type: action.type, ...actionPlace(action, incident) };
  if (action.status === 'planned' && action.type === 'deactivate-user-keys' && incident.state !== 'closed') {
    const userName = revokedUser(incident, action);
    if (userName) out.open.push({ ...at, expect: { kind: 'open-user-keys', userName, label: `IAM user ${action.target}` } });
    return;
  }
  // The instance that leaked its role's credentials, its step open: whether it still hands them out (an isolation may cut it already).
  if (action.status === 'planned' && action.type === 'contain-credential-source' && incident.state !== 'closed') {
    out.open.push({ ...at, expect: { kind: 'credential-source', instanceId: action.target } });
    return;
  }
  if (action.status !== 'done' || !action.byHand) return;
  if (action.type === 'contain-credential-source') {
    out.checks.push({ ...at, expect: { kind: 'credential-source', instanceId: action.target } });
    return;
  }
  if (action.type === 'secure-console-sign-in') {
    const userName = revokedUser(incident, action);
    if (userName) out.checks.push({ ...at, expect: { kind: 'console-sign-in', userName, label: `IAM user ${action.target}`, since: incident.detectedAt } });
    else out.notChecked.push({ incidentId: incident.id, actionId: action.id, what: `${NO_USER}: the console password not read back` });
    return;
  }
  if (action.type !== 'deactivate-user-keys') return;
  const keys = action.byHand.keys ?? [];
  if (keys.length === 0) {
    out.notChecked.push({
      incidentId: incident.id,
      actionId: action.id,
      what: `recorded by hand without naming the key(s) deactivated (datalek contained --key): not read back; check that the key that made the sessions is Inactive (aws iam list-access-keys --user-name <the user>)`,
    });
    return;
  }
  const checks = userKeyChecks(incident, action, keys);
  if (typeof checks === 'string') out.notChecked.push({ incidentId: incident.id, actionId: action.id, what: `${checks}: ${keys.join(', ')} not read back` });
  else out.checks.push(...checks);
}

/** The IAM user a person's step on a user acts on: named by the revocation beside it (the step's own params hold no name). */
function revokedUser(incident: Incident, action: ActionRecord): string | undefined {
  const revocation = incident.actions.find((a) => a.type === 'revoke-user-sessions' && a.target === action.target && a.accountId === action.accountId);
  return revocation ? userNameOf(revocation) : undefined;
}

const NO_USER = 'the record does not name the user (minimised, or no revocation beside the step)';

/**
 * The checks of the keys `keys` a person deactivated for a `deactivate-user-keys` step: each Inactive among the keys of
 * the user the revocation beside it acts on (the step's own params hold no name). Why none can be made, when the record
 * no longer names the user.
 */
export function userKeyChecks(incident: Incident, action: ActionRecord, keys: readonly string[]): ContainmentCheck[] | string {
  const userName = revokedUser(incident, action);
  if (!userName) return NO_USER;
  const at = { incidentId: incident.id, actionId: action.id, type: action.type, ...actionPlace(action, incident) };
  return keys.map((accessKeyId) => ({ ...at, expect: { kind: 'user-key', userName, accessKeyId, label: `IAM user ${action.target}` } }));
}

/**
 * The checks of an action left elsewhere (see `expectedContainment`). Its resource is contained
 * by another incident's record, or by one no open record names (a closed incident's); either way this
 * incident's record relies on it, and nothing is left unread: found isolated, the interfaces its
 * capture found are read under this incident; left to a holder, that holder's containment of the
 * resource is read under this incident too (the same reads `verify` makes under the holder, made once).
 */
function leftChecks(incident: Incident, action: ActionRecord, now: string, holderOf: HolderOf | undefined, out: Checks): void {
  const place = actionPlace(action, incident);
  const at = { incidentId: incident.id, actionId: action.id };
  const found = foundIsolatedInterfaces(action);
  if (found) {
    for (const expect of foundExpectations(action, found)) out.checks.push({ ...at, type: action.type, ...place, expect });
    return;
  }
  const holderId = action.heldBy;
  // Found contained (a key inactive, a bucket blocked, a function stopped) with no holder: that state is what it relies on.
  const contained = holderId ? [] : foundContainedExpectations(action, place.accountId);
  if (contained.length) {
    for (const expect of contained) out.checks.push({ ...at, type: action.type, ...place, expect });
    return;
  }
  if (!holderId && nameMinimised(action)) {
    out.notChecked.push({ ...at, what: 'found contained already; its user name was minimised (datalek minimise) since: not read back' });
    return;
  }
  if (!holderId) {
    out.notChecked.push({
      ...at,
      what: `found contained already when its containment ran; what was found is not read back (a record from before it was kept, or a kind the check does not read): ${containCommand(incident.id)} takes it up once the containment found is released`,
    });
    return;
  }
  if (!holderOf) {
    out.notChecked.push({ ...at, what: `left to incident ${holderId}, which holds it: read back under that incident` });
    return;
  }
  const holder = holderOf(holderId);
  if (!holder) {
    out.notChecked.push({ ...at, what: `left to incident ${holderId}, which the store does not hold: not known to be contained` });
    return;
  }
  const resource = { type: action.type, target: action.target, ...place };
  const held = holderIn(heldContainment(holder), resource)
    ? holder.actions.find((b) => !b.released && !b.heldBy && sameResource(action, incident, b, holder))
    : undefined;
  if (held) {
    const theirs = expectedContainment(holder, now);
    // The holder's resource, not the groups its own groups step found unvouched (read under the holder).
    for (const c of theirs.checks.filter((c) => c.actionId === held.id && c.expect.kind !== 'unvouched-group'))
      out.checks.push({ ...c, ...at, heldBy: holder.id });
    for (const n of theirs.notChecked.filter((n) => n.actionId === held.id))
      out.notChecked.push({ ...n, ...at, what: `left to incident ${holder.id}: ${n.what}` });
    // Its checks read only the interfaces it isolated: one it failed to isolate leaves the resource open (read12c C2).
    const partly = failedAtHolder(holder, action, incident, now);
    if (partly) out.verdicts.push(...openInterfaces({ ...at, ...place }, partly, holder.id, `left to incident ${holderId}, which holds it contained`));
    return;
  }
  // Taken up by the holder and failed, with no run of it under way: failed there, not "under way" (nothing hands it back while the holder is open).
  const failed = failedAtHolder(holder, action, incident, now);
  if (holderIn(takenContainment(holder), resource) && !failed) {
    out.notChecked.push({ ...at, what: `left to incident ${holder.id}, whose containment of it is under way` });
    return;
  }
  // Released after this incident was closed: the containment held while it was open, and is history here.
  const released = holder.actions.find((b) => b.released && sameResource(action, incident, b, holder))?.released;
  if (incident.state === 'closed' && released && incident.closedAt && released.at > incident.closedAt) return;
  const why = released
    ? `it released it at ${released.at}`
    : holder.state === 'closed'
      ? 'it was closed without containing it'
      : failed
        ? `its containment of it failed at ${failedAt(failed)}${failed.reason ? ` (${failed.reason})` : ''}`
        : 'its containment of it was not carried out';
  const openHolderFailed = failed && !released;
  out.verdicts.push({
    ...at,
    resource: `${action.type} ${action.target}`,
    ...place,
    state: 'drifted',
    recorded: `left to incident ${holderId}, which holds it contained`,
    actual: `incident ${holder.id} does not hold it contained (${why}): NOT CONTAINED, nothing datalek records contains it`,
    todo:
      incident.state === 'closed'
        ? `contain it by hand now if it is still needed (${DRIFT_RUNBOOK}); ${TELL}`
        : openHolderFailed
          ? `datalek contain ${holder.id} --by NAME --reason TEXT carries it out again under the incident holding it (see why it failed: datalek show ${holder.id}); if it fails again, contain it by hand (${DRIFT_RUNBOOK}); ${TELL}`
          : `datalek contain ${incident.id} --by NAME --reason TEXT takes it up now (the sweep hands it back, and the next containment run carries it out); ${TELL}`,
    runbook: DRIFT_RUNBOOK,
  });
}

/**
 * A DRIFTED verdict per network interface the network isolation `failed` (of incident `failedUnder`)
 * failed to isolate (`failedInterfaces`), for the record at `at`: the checks read only the interfaces
 * it cut, so without these the report read the instance as isolated while it is reachable through
 * one (read12c C2 for the incident that left it; the holder's own since). Nothing is read for them:
 * the record says the swap failed. `recorded`: what the record at `at` says of the resource.
 */
function openInterfaces(
  at: Pick<DriftEntry, 'incidentId' | 'actionId' | 'accountId' | 'region'>,
  failed: ActionRecord,
  failedUnder: string,
  recorded?: string,
): DriftEntry[] {
  const own = at.incidentId === failedUnder;
  return failedInterfaces(failed).map((eni) => ({
    ...at,
    resource: `network interface ${eni} of ${failed.target}`,
    state: 'drifted',
    recorded: recorded ?? `isolated, but the isolation of this interface failed at ${failedAt(failed)}`,
    actual: `${own ? 'this incident' : `incident ${failedUnder}`} failed to isolate this interface at ${failedAt(failed)} (not read back: the record says the swap failed): NOT CONTAINED, ${failed.target} is reachable through it`,
    todo: `datalek contain ${failedUnder} --by NAME --reason TEXT carries it out again${own ? '' : ' under the incident holding it'} (see why it failed: datalek show ${failedUnder}); if it fails again, contain it by hand (${DRIFT_RUNBOOK}); ${TELL}`,
    runbook: DRIFT_RUNBOOK,
  }));
}

/**
 * The groups an action's groups step found tagged as made for the incident and no record vouches for
 * (`orphanGroups`, `taggedGroups`): datalek never uses nor changes them, so nothing else ever looks
 * at them again. Read whatever became of the action (released, failed, left): someone who puts an
 * interface in a killed run's group, or rules on it, is seen.
 */
function unvouchedChecks(incident: Incident, action: ActionRecord, out: Checks): void {
  const ids = (key: string) => (Array.isArray(action.evidence?.[key]) ? (action.evidence?.[key] as string[]) : []);
  // The rules each had when the step found it (`orphanRules`; none in a record from before they were kept).
  const found = (action.evidence?.orphanRules ?? {}) as Record<string, { inbound: number; outbound: number } | undefined>;
  const groups = [
    ...ids('orphanGroups').map((groupId) => ({ groupId, named: true, ...(found[groupId] ? { rules: found[groupId] } : {}) })),
    ...ids('taggedGroups').map((groupId) => ({ groupId, named: false })),
  ];
  const place = actionPlace(action, incident);
  for (const g of groups)
    out.checks.push({ incidentId: incident.id, actionId: action.id, type: action.type, ...place, expect: { kind: 'unvouched-group', ...g } });
}

/**
 * A console sign-in's deny-all the plan asked for and the record does not hold in effect (its step never done):
 * read whenever the run got to the action (a step recorded), released or not. Its put recorded failed may have
 * reached IAM (a timeout), and the release removed only a deny-all recorded done before release27: on the user, it
 * denies them everything with nothing recording it (`unrecorded`). One recorded done is read as in effect
 * (`expectationsOf`) until its release, which removes it.
 */
function unrecordedDenyAllChecks(incident: Incident, action: ActionRecord, now: string, out: Checks): void {
  const policyName = plannedDenyAll(action, incident.id);
  const name = userNameOf(action);
  const steps = action.steps ?? [];
  if (!name || action.person || releaseUnderWay(action, now)) return;
  const check = (policy: string, put: ReturnType<typeof denyAllPut>) =>
    out.checks.push({
      incidentId: incident.id,
      actionId: action.id,
      type: action.type,
      ...actionPlace(action, incident),
      expect: {
        kind: 'revocation',
        principal: 'user',
        name,
        label: `IAM user ${action.target}`,
        policyName: policy,
        issuedBefore: null,
        denyAll: true,
        unrecorded: action.released ? 'released' : 'failed',
        put: { put: put.put as 'failed' | 'user-not-found' | 'none', ...(put.code ? { code: put.code } : {}) },
      },
    });
  const put = denyAllPut(action);
  if (policyName && steps.length > 0 && put.put !== 'done') check(policyName, put);
  // One an incident merged into this one planned and did not record done (rel28 #3): read as this one's own is.
  for (const m of mergedPoliciesOf(action)) if (m.denyAll && m.denyAll.put !== 'done') check(m.denyAll.policyName, m.denyAll);
}

/**
 * What `datalek minimise` leaves in place of an IAM user's name in an action it does not need it for
 * (minimise.ts MINIMISED, pinned equal by test/unit/found-contained-read-back.test.ts; not imported:
 * minimise's module reaches the store's commit path).
 */
export const MINIMISED_NAME = '(minimised)';

/** The IAM user's name an action names (evidence, else params); none when minimised away. */
function userNameOf(action: ActionRecord): string | undefined {
  const name = action.evidence?.userName ?? action.params?.userName;
  return typeof name === 'string' && name && name !== MINIMISED_NAME ? name : undefined;
}

/** Whether `datalek minimise` took the action's user name out (the record named it until then). */
const nameMinimised = (action: ActionRecord) => action.evidence?.userName === MINIMISED_NAME || action.params?.userName === MINIMISED_NAME;

/** Whether the run found the stolen key Inactive or deleted already, a key made with it Active (readA15 A1, A3). */
const foundNotContainedKey = (action: ActionRecord) =>
  action.type === 'deactivate-access-key' &&
  (action.steps ?? []).some((s) => s.name === 'deactivate-key' && s.status === 'failed' && s.code === OTHER_KEY_ACTIVE);

/**
 * Whether the run found the stolen key deleted (by its owner, or by the attacker to hide it): its
 * deactivation failed so (`keyDeleted` in the evidence; a record from before it, the step's
 * NoSuchEntity with the key's sessions revoked). Its sessions are revoked all the same (contain17);
 * there is no key for a release to reactivate.
 */
export const foundDeletedKey = (action: ActionRecord): boolean => {
  if (action.type !== 'deactivate-access-key') return false;
  const steps = action.steps ?? [];
  if (steps.some((s) => s.name === 'deactivate-key' && s.status === 'done')) return false;
  if (action.evidence?.keyDeleted === true) return true;
  return (
    steps.some((s) => s.name === 'deactivate-key' && s.status === 'failed' && s.code === 'NoSuchEntity') &&
    steps.some((s) => s.name === KEY_SESSIONS_STEP && s.status === 'done')
  );
};

/** The step whose state a run found in place already (ALREADY_CONTAINED), per action type drift reads it for. */
const FOUND_CONTAINED_STEP: Record<string, string> = {
  'deactivate-access-key': 'deactivate-key',
  'block-public-access': 'block-public-access',
  'contain-lambda-function': 'stop-invocations',
};

/**
 * What drift reads of an action found contained already (ALREADY_CONTAINED) with no holder: the state
 * its FOUND_CONTAINED_STEP sets, as the record can name it (a key needs its user's name); none for a
 * kind drift reads nothing of, or a record that cannot name it.
 */
function foundContainedExpectations(action: ActionRecord, owner: string): Expectation[] {
  const step = FOUND_CONTAINED_STEP[action.type];
  // A key found Inactive has its sessions revoked all the same (lfc16): that deny is read back too.
  const done = doneSteps(action);
  return step ? (expectationsOf(action, (s) => s === step || (s === KEY_SESSIONS_STEP && done.has(s)), owner) ?? []) : [];
}

/**
 * Whether the action was found contained already, no record holding it, and the record cannot show
 * what was found: drift reads nothing of it (`leftChecks` lists it as not read): a network isolation
 * whose capture kept no interfaces (a record from before FOUND_ISOLATED), a kind drift reads nothing
 * of, or a key whose record has no user name to read it by. Closing then asks what became of it
 * (breach-facts.ts containmentNotCarriedOut). One definition with what drift reads, so the two
 * cannot disagree on a kind.
 */
export function foundNotRecorded(action: ActionRecord): boolean {
  if (action.status !== 'skipped' || action.heldBy || action.released || action.person || !foundIsolatedAlready(action)) return false;
  // Named until minimise took the name out of a closed incident: it showed what was found when it closed.
  if (nameMinimised(action)) return false;
  return foundIsolatedInterfaces(action) === null && foundContainedExpectations(action, action.accountId ?? '').length === 0;
}

/** What a capture found isolated already (FOUND_ISOLATED): each interface in its group only, the instance with none other open, each group without rules. */
function foundExpectations(action: ActionRecord, found: { id: string; group: string }[]): Expectation[] {
  const instance = action.type === 'isolate-instance';
  const owner = instance ? action.target : `task ${action.target.split('/').pop()}`;
  const groups = [...new Set(found.map((f) => f.group))];
  const out: Expectation[] = found.map((f) => ({
    kind: 'interface',
    interfaceId: f.id,
    owner,
    isolation: f.group,
    allTraffic: null,
    ownGroups: [],
    found: true,
  }));
  if (instance) out.unshift({ kind: 'instance', instanceId: action.target, interfaces: found.map((f) => f.id), isolation: groups[0] });
  for (const groupId of groups) out.push({ kind: 'isolation-group', groupId });
  return out;
}

/** What one action's done steps leave in effect; null for an action of a type nothing is read of. */
/**
 * Whether what a step did is in effect by the record: the step done, and not undone by a partial
 * release (`undo`, a release step) unless a containment run did it again after that release.
 */
function inEffectOf(action: ActionRecord, done: Set<string>) {
  const partly = action.partlyReleased;
  const undone = new Set(partly?.undone ?? []);
  return (step: string, undo?: string): boolean => {
    if (!done.has(step)) return false;
    if (!partly || !undo || !undone.has(undo)) return true;
    return (action.steps ?? []).some((s) => s.name === step && s.status === 'done' && s.at > partly.at);
  };
}

function expectationsOf(action: ActionRecord, inEffect: (step: string, undo?: string) => boolean, owner: string): Expectation[] | null {
  const evidence = action.evidence ?? {};
  switch (action.type) {
    case 'isolate-instance':
    case 'isolate-ecs-task': {
      const groups = evidence.groups as { allTraffic?: string; isolation?: string } | undefined;
      const source =
        action.type === 'isolate-instance'
          ? (evidence.metadata as { instanceId?: string; networkInterfaces?: { id: string; groups: string[] }[] } | undefined)
          : (evidence.task as { taskArn?: string; networkInterfaces?: { id: string; groups: string[] }[] } | undefined);
      if (!groups?.isolation || !source?.networkInterfaces) return [];
      const owner = action.type === 'isolate-instance' ? action.target : `task ${action.target.split('/').pop()}`;
      // An instance's tasks' interfaces it isolated (awsvpc; with ENI trunking never attached to it), each owned by its task.
      const tasks = action.type === 'isolate-instance' ? ((evidence.taskInterfaces as { id: string; groups: string[]; task: string }[] | undefined) ?? []) : [];
      const all = [
        ...source.networkInterfaces.map((n) => ({ ...n, owner })),
        ...tasks.map((n) => ({
          id: n.id,
          groups: n.groups,
          // One a person isolated by hand after the search for tasks no run read (named-interfaces.ts): no task known.
          owner:
            n.task === NAMED_BY_HAND_TASK ? `isolated by hand on ${action.target}, its task not read` : `task ${n.task.split('/').pop()} on ${action.target}`,
        })),
      ];
      const isolated = all.filter((n) => inEffect(`isolate-eni:${n.id}`, `restore-eni:${n.id}`));
      if (isolated.length === 0) return [];
      // Its tasks' interfaces found isolated already and left as found: another incident's release reopens them under this instance.
      const found = action.type === 'isolate-instance' ? ((evidence.taskInterfacesFound as { id: string; task: string }[] | undefined) ?? []) : [];
      const foundOnly = found
        .filter((f) => !all.some((n) => n.id === f.id))
        .map((f) => ({ id: f.id, groups: [] as string[], owner: `task ${f.task.split('/').pop()} on ${action.target} (found isolated already)` }));
      const out: Expectation[] = [...isolated, ...foundOnly].map((n) => ({
        kind: 'interface',
        interfaceId: n.id,
        owner: n.owner,
        isolation: groups.isolation as string,
        allTraffic: groups.allTraffic ?? null,
        ownGroups: n.groups,
      }));
      if (action.type === 'isolate-instance') {
        out.unshift({ kind: 'instance', instanceId: action.target, interfaces: [...all, ...foundOnly].map((n) => n.id), isolation: groups.isolation });
        if (inEffect('protect-instance')) out.push({ kind: 'protection', instanceId: action.target });
        if (inEffect('revoke-instance-credentials', 'associate-instance-profile')) out.push({ kind: 'instance-profile', instanceId: action.target });
        if (inEffect('drain-container-instance', 'activate-container-instance')) {
          const metadata = evidence.metadata as { foundIsolated?: string[] } | undefined;
          const known = [...all, ...foundOnly].map((n) => n.id).concat(metadata?.foundIsolated ?? []);
          out.push(...drainedExpectations(action, known, groups.isolation));
        }
        // Looked up in ECS by its isolation: registered since in any cluster of the region (contain22), tasks may be placed on it.
        if ((action.steps ?? []).some((s) => s.name === 'drain-container-instance')) out.push(registrationExpectation(action));
      }
      out.push({ kind: 'isolation-group', groupId: groups.isolation });
      return out;
    }
    case 'deactivate-access-key': {
      const userName = userNameOf(action);
      if (!inEffect('deactivate-key', 'reactivate-key') || !userName) return [];
      const since = typeof evidence.otherKeysSince === 'string' ? evidence.otherKeysSince : undefined;
      const step = (action.steps ?? []).find((s) => s.name === 'deactivate-key');
      // A key made after the deactivation was not made with the stolen key, unless a key made with it still worked then.
      const containedAt = chainOutlived(evidence, since) ? undefined : step?.at;
      const found = step?.status === 'failed' && (step.code === ALREADY_CONTAINED || step.code === OTHER_KEY_ACTIVE);
      // The key's sessions revoked with it (K2): their deny read back as a revocation's is.
      const revocation = inEffect(KEY_SESSIONS_STEP, 'remove-revocation') ? keySessionsRevocation(action, userName) : undefined;
      const owners = ownerKeysOf(action);
      const userGone = userGoneRecordedOf(action);
      return [
        {
          kind: 'access-key',
          accessKeyId: action.target,
          userName,
          ...(since ? { since } : {}),
          ...(containedAt ? { containedAt } : {}),
          ...(found ? { found: true as const } : {}),
          ...(revocation?.issuedBefore ? { sessionsRevokedAt: revocation.issuedBefore } : {}),
          ...(owners ? { ownerKeys: owners } : {}),
          ...(userGone ? { userGoneRecorded: userGone } : {}),
        },
        ...(revocation ? [userGone ? { ...revocation, userGoneRecorded: userGone } : revocation] : []),
      ];
    }
    case 'revoke-role-sessions':
    case 'revoke-user-sessions': {
      const step = action.type === 'revoke-role-sessions' ? 'revoke-older-sessions' : 'revoke-user-sessions';
      const user = action.type === 'revoke-user-sessions';
      const name = user ? userNameOf(action) : action.target;
      if (!name) return [];
      // A user's name is personal data: the label is the record's target (the principal id).
      const label = user ? `IAM user ${action.target}` : `role ${action.target}`;
      // A console sign-in's deny of everything on the user, put beside the revocation (iam-users.ts), until its release;
      // read on its own where the revocation is not in effect (it failed, or a release removed it and not the deny-all).
      const denyAll = evidence.denyAllPolicyName;
      const denies: Expectation[] =
        user && typeof denyAll === 'string' && denyAll && inEffect('deny-all', 'remove-deny-all')
          ? [{ kind: 'revocation', principal: 'user', name, label, policyName: denyAll, issuedBefore: null, denyAll: true }]
          : [];
      // What incidents merged into this one put on the principal, held by this action (rel28 #3), until a release removed it.
      const undone = new Set(action.partlyReleased?.undone ?? []);
      const merged: Expectation[] = mergedPoliciesOf(action).flatMap((m) => [
        ...(m.revocation && !undone.has(mergedRemoveStep('revocation', m))
          ? [{ kind: 'revocation' as const, principal: user ? ('user' as const) : ('role' as const), name, label, ...m.revocation }]
          : []),
        ...(user && m.denyAll?.put === 'done' && !undone.has(mergedRemoveStep('deny-all', m))
          ? [
              {
                kind: 'revocation' as const,
                principal: 'user' as const,
                name,
                label,
                policyName: m.denyAll.policyName,
                issuedBefore: null,
                denyAll: true as const,
              },
            ]
          : []),
      ]);
      if (!inEffect(step, 'remove-revocation')) return [...denies, ...merged];
      return [
        {
          kind: 'revocation',
          principal: user ? 'user' : 'role',
          name,
          label,
          policyName: typeof evidence.policyName === 'string' && evidence.policyName ? evidence.policyName : 'datalek-revoke-older-sessions',
          issuedBefore: typeof evidence.issuedBefore === 'string' ? evidence.issuedBefore : null,
        },
        ...denies,
        ...merged,
      ];
    }
    case 'block-public-access':
      if (!inEffect('block-public-access', 'restore-public-access-block')) return [];
      return [{ kind: 'public-access-block', bucket: action.target, owner }];
    case 'contain-lambda-function': {
      const name = ((evidence.function as { functionName?: string } | undefined)?.functionName ?? action.params?.functionArn ?? action.target) as string;
      const out: Expectation[] = [];
      if (inEffect('stop-invocations', 'restore-concurrency')) out.push({ kind: 'function-concurrency', functionName: name });
      if (inEffect('restrict-function-url', 'restore-function-url')) out.push({ kind: 'function-url', functionName: name });
      return out;
    }
    case 'restrict-rds-instance':
      if (!inEffect('make-private', 'restore-public-access')) return [];
      return [{ kind: 'database', dbInstanceIdentifier: action.target }];
    default:
      return null;
  }
}

/**
 * Every container instance the isolation found for the instance (its evidence's `containerInstances`),
 * whoever drained it: while the isolation holds, none may take a task (review15 K5). One found DRAINING
 * already (someone who saw the finding drained it first, or put another incident's mark on it) was left
 * as found, and only read back when found ACTIVE: set ACTIVE once the isolation was done, it was back in
 * task placement while the record read CONTAINED. What the release undoes is another matter: it sets
 * ACTIVE only those the isolation drained itself (`before: 'ACTIVE'`, ecs.ts).
 */
function drainedExpectations(action: ActionRecord, known: string[], isolation: string): Expectation[] {
  const drained = Array.isArray(action.evidence?.containerInstances) ? (action.evidence.containerInstances as { cluster?: unknown; arn?: unknown }[]) : [];
  return drained
    .filter((d) => typeof d.cluster === 'string' && typeof d.arn === 'string')
    .map((d, _, all) => ({
      kind: 'container-instance',
      cluster: d.cluster as string,
      arn: d.arn as string,
      instanceId: action.target,
      known,
      isolation,
      recorded: all.map((x) => x.arn as string),
    }));
}

/** The isolated instance's registrations in ECS, every container instance its drain found (`containerInstances`) being the record's. */
function registrationExpectation(action: ActionRecord): Expectation {
  const drained = Array.isArray(action.evidence?.containerInstances) ? (action.evidence.containerInstances as { arn?: unknown }[]) : [];
  return { kind: 'ecs-registration', instanceId: action.target, recorded: drained.flatMap((d) => (typeof d.arn === 'string' ? [d.arn] : [])) };
}

/** The resource an expectation reads, as the report names it. */
export function resourceOf(e: Expectation): string {
  switch (e.kind) {
    case 'interface':
      return `network interface ${e.interfaceId} of ${e.owner}`;
    case 'instance':
      return `instance ${e.instanceId}`;
    case 'protection':
      return `instance ${e.instanceId} (termination protection, shutdown behaviour)`;
    case 'instance-profile':
      return `instance ${e.instanceId} (instance profile)`;
    case 'isolation-group':
      return `isolation group ${e.groupId}`;
    case 'unvouched-group':
      return `security group ${e.groupId} (tagged as datalek's for the incident, named by no record)`;
    case 'access-key':
      return `access key ${e.accessKeyId}`;
    case 'revocation':
      return `inline policy ${e.policyName} on ${e.label}`;
    case 'public-access-block':
      return `bucket ${e.bucket}`;
    case 'function-concurrency':
      return `function ${shortFunction(e.functionName)} (reserved concurrency)`;
    case 'function-url':
      return `function ${shortFunction(e.functionName)} (function URL)`;
    case 'database':
      return `database ${e.dbInstanceIdentifier}`;
    case 'container-instance':
      return `ECS container instance ${e.arn.split('/').pop()} of ${e.instanceId}`;
    case 'ecs-registration':
      return `instance ${e.instanceId} (ECS registrations, every cluster of the region)`;
    case 'user-key':
      return `access key ${e.accessKeyId} of ${e.label}`;
    case 'credential-source':
      return `instance ${e.instanceId} (its role's credentials)`;
    case 'console-sign-in':
      return `console password and MFA devices of ${e.label}`;
    case 'open-user-keys':
      return `long-term keys of ${e.label}`;
  }
}

const shortFunction = (name: string) => (name.startsWith('arn:') ? name.split(':').slice(6).join(':') : name);

const list = (ids: readonly string[]) => (ids.length ? ids.join(', ') : 'none');

/** The verdict on one check from what was read. */
export function judge(check: ContainmentCheck, seen: Observation): DriftEntry {
  const e = check.expect;
  const base = {
    incidentId: check.incidentId,
    actionId: check.actionId,
    ...(check.heldBy ? { heldBy: check.heldBy } : {}),
    resource: resourceOf(e),
    accountId: check.accountId,
    region: check.region,
  };
  const recorded = recordedOf(e);
  if (seen.read === 'error') {
    return {
      ...base,
      state: 'unreadable',
      recorded,
      actual: `could not be read (${seen.code}): ${seen.message}`,
      todo: `not known whether it is still in place: give the credentials ${readsOf(e)}, or check it by hand`,
      code: seen.code,
    };
  }
  const verdict = judged(e, seen);
  const state = verdict.state;
  return {
    ...base,
    state,
    recorded,
    actual: verdict.actual,
    ...(state === 'in-place'
      ? verdict.todo
        ? { todo: verdict.todo }
        : {}
      : { todo: verdict.todo ?? (state === 'unreadable' ? `check it by hand (${DRIFT_RUNBOOK})` : todoOf(e, state)), runbook: DRIFT_RUNBOOK }),
  };
}

function recordedOf(e: Expectation): string {
  switch (e.kind) {
    case 'interface':
      return e.found
        ? `in the isolation group ${e.isolation} only (found so by this incident's containment: isolated under another incident, whose record holds its own groups)`
        : `in the isolation group ${e.isolation} only (its own groups: ${list(e.ownGroups)})`;
    case 'instance':
      return `isolated, with ${e.interfaces.length} network interface(s): ${list(e.interfaces)}`;
    case 'protection':
      return 'termination protection on, shutdown behaviour stop';
    case 'instance-profile':
      return 'no instance profile (taken off, its role’s older sessions revoked)';
    case 'isolation-group':
      return 'no inbound and no outbound rule';
    case 'unvouched-group':
      return e.named
        ? "found with datalek's name and tags for this incident, made by a run stopped before recording it (most likely): never used nor changed by datalek; to be deleted while no network interface is in it"
        : "found carrying datalek's tags for this incident without datalek's name: not datalek's, never used nor changed by it; the tags to be removed";
    case 'access-key':
      return 'Inactive';
    case 'revocation':
      if (e.unrecorded === 'failed') return `not in effect: ${putRecorded(e.put)}`;
      if (e.unrecorded === 'released') return 'released: not on the user';
      if (e.denyAll) return 'denies every request of the user';
      return `denies every session issued before ${e.issuedBefore ?? '(the time was not recorded)'}`;
    case 'public-access-block':
      return 'all four Block Public Access settings on';
    case 'function-concurrency':
      return 'reserved concurrency 0: no new invocation runs';
    case 'function-url':
      return 'function URL needs signed requests (auth AWS_IAM)';
    case 'database':
      return 'not publicly accessible';
    case 'container-instance':
      return "DRAINING: no new task placed on it; each awsvpc task's network interface on it in the record";
    case 'ecs-registration':
      return e.recorded.length
        ? `registered in ECS only as the container instance(s) its isolation found: ${e.recorded.map((a) => a.split('/').pop()).join(', ')}`
        : 'registered in no ECS cluster (its isolation found it in none)';
    case 'user-key':
      return 'Inactive (deactivated by hand: the long-term key that made the sessions)';
    case 'credential-source':
      return "cut off by hand from handing its role's credentials out";
    case 'console-sign-in':
      return `the console password made anew or deleted by hand, since the incident was detected (${e.since})`;
    case 'open-user-keys':
      return 'the step still open';
  }
}

/** The read permissions a check needs, for the message of an unreadable one. */
function readsOf(e: Expectation): string {
  switch (e.kind) {
    case 'interface':
      return 'ec2:DescribeNetworkInterfaces';
    case 'instance':
      return 'ec2:DescribeInstances';
    case 'protection':
      return 'ec2:DescribeInstanceAttribute';
    case 'instance-profile':
      return 'ec2:DescribeIamInstanceProfileAssociations';
    case 'isolation-group':
      return 'ec2:DescribeSecurityGroups';
    case 'unvouched-group':
      return 'ec2:DescribeSecurityGroups, ec2:DescribeNetworkInterfaces';
    case 'access-key':
      return 'iam:ListAccessKeys, iam:GetLoginProfile, iam:ListMFADevices';
    case 'revocation':
      return e.principal === 'role' ? 'iam:GetRolePolicy' : 'iam:GetUserPolicy';
    case 'public-access-block':
      return 's3:GetBucketPublicAccessBlock';
    case 'function-concurrency':
      return 'lambda:GetFunctionConcurrency';
    case 'function-url':
      return 'lambda:GetFunctionUrlConfig';
    case 'database':
      return 'rds:DescribeDBInstances';
    case 'container-instance':
      return 'ecs:DescribeContainerInstances, ecs:ListTasks, ecs:DescribeTasks, ec2:DescribeNetworkInterfaces';
    case 'ecs-registration':
      return 'ecs:ListClusters, ecs:ListContainerInstances, ecs:DescribeContainerInstances';
    case 'user-key':
      return 'iam:ListAccessKeys';
    case 'credential-source':
      return 'ec2:DescribeInstances, ec2:DescribeSecurityGroups';
    case 'console-sign-in':
      return 'iam:GetLoginProfile, iam:ListMFADevices';
    case 'open-user-keys':
      return 'iam:ListAccessKeys';
  }
}

/** `unreadable` from what was read: AWS answered, but does not show what the record needs (a console password's change). */
export type Verdict = { state: DriftState; actual: string; todo?: string };

/**
 * The most rules a killed run leaves on a group it made (network-isolation.ts): a new group's one
 * all-outbound rule, and on the all-traffic group its one all-traffic rule each way.
 */
const KILLED_RUN_RULES = { allTraffic: { inbound: 1, outbound: 1 }, isolation: { inbound: 0, outbound: 1 } };

/**
 * An unvouched group as read. One with datalek's name is a killed run's (most likely): it should hold
 * no network interface (datalek never put one there) and no more rules than that run left; with
 * either it is DRIFTED, else in place, to be deleted. One without datalek's name is someone else's
 * group: its members and rules are theirs; what is left to do is to remove datalek's tags.
 */
function unvouchedVerdict(e: Extract<Expectation, { kind: 'unvouched-group' }>, seen: Extract<Observation, { read: 'unvouched-group' }>): Verdict {
  const rules = `${seen.inbound} inbound and ${seen.outbound} outbound rule(s)`;
  const del = `aws ec2 delete-security-group --group-id ${e.groupId}`;
  if (!e.named) {
    if (seen.createdFor === null) return { state: 'in-place', actual: `${seen.name}: datalek's tags removed; nothing left to do` };
    return {
      state: 'in-place',
      actual: `${seen.name}: still carries datalek's tags (created-for ${seen.createdFor}); datalek never uses it`,
      todo: `find who tagged it (CloudTrail: CreateTags on ${e.groupId}) and remove the tags (aws ec2 delete-tags --resources ${e.groupId} --tags Key=datalek:created-for Key=datalek:role); do not delete the group: it is not datalek's`,
    };
  }
  if (seen.interfaces.length) {
    return {
      state: 'drifted',
      actual: `${seen.interfaces.length} network interface(s) in it: ${seen.interfaces.join(', ')} (it has ${rules}): datalek never put any there, and the group is not its isolation: they are not isolated by it`,
      todo: `find who put them there (CloudTrail: ModifyNetworkInterfaceAttribute, RunInstances, CreateNetworkInterface with ${e.groupId}); an interface to be isolated is isolated by its incident's containment (${containCommand('ID')}) or by hand; move the others to their own groups, then delete the group (${del})`,
    };
  }
  // As many as the step found, or, in a record from before it kept them, as a killed run may leave.
  const most = e.rules ?? (seen.name.startsWith(ALL_TRAFFIC_NAME) ? KILLED_RUN_RULES.allTraffic : KILLED_RUN_RULES.isolation);
  if (seen.inbound > most.inbound || seen.outbound > most.outbound) {
    return {
      state: 'drifted',
      actual: `${rules}: more than ${e.rules ? `when the groups step found it (${e.rules.inbound} inbound, ${e.rules.outbound} outbound)` : 'the run that made it left'}; no network interface in it yet`,
      todo: `delete it now (${del}): datalek never uses it; find who added the rules (CloudTrail: AuthorizeSecurityGroupIngress, AuthorizeSecurityGroupEgress on ${e.groupId})`,
    };
  }
  return { state: 'in-place', actual: `unused: no network interface in it (${rules})`, todo: `delete it (${del}): datalek never uses it` };
}

/** How the record holds a deny-all's put that is not done (`denyAllPut`), in the words of its `recorded`. */
function putRecorded(put: Extract<Expectation, { kind: 'revocation' }>['put']): string {
  switch (put?.put) {
    case 'none':
      return 'no put of it was recorded (the run stopped before the deny-all step; a put it began may have reached IAM)';
    case 'user-not-found':
      return 'its put failed, the IAM user not found under its recorded name (NoSuchEntity): nothing was put';
    default:
      return `its put was recorded failed (${put?.code ? `${put.code}; ` : ''}a put whose answer was lost may have reached IAM)`;
  }
}

/**
 * A deny-all the record does not hold in effect (`unrecorded`), as read, by how its put was recorded (`put`): failed, no
 * step at all, or failed on the user not found. Not on the user: nothing to do. On it while the incident holds it failed:
 * the user is denied everything as the plan asked, the record not saying so; the release removes it. On it after the
 * release: the user is locked out with nothing recording it: DRIFTED. The user not found where the put found it so too:
 * nothing was put, and a user renamed before the run has its console sign-in uncontained.
 */
function unrecordedDenyAllVerdict(e: Extract<Expectation, { kind: 'revocation' }>, seen: Exclude<Observation, { read: 'error' }>): Verdict {
  const how = e.put?.put ?? 'failed';
  if (seen.read === 'missing') {
    if (seen.what === 'policy') return { state: 'in-place', actual: 'not on the user: nothing to remove' };
    const actual = `${seen.what} not found${seen.byName ? ' under its recorded name: renamed or deleted' : ''}`;
    if (how === 'user-not-found')
      return {
        state: 'in-place',
        actual,
        todo: `nothing was put under any name: if the user was renamed (CloudTrail: UpdateUser), its console sign-in is not contained: revoke its sessions and deny it everything under its new name by hand (runbooks/revoke-user-sessions.md), and tell the FG; if it was deleted, nothing is left to contain`,
      };
    return {
      state: 'in-place',
      actual,
      ...(seen.byName ? { todo: `if the user was renamed, look for ${e.policyName} on it under its new name (aws iam list-user-policies)` } : {}),
    };
  }
  const what = seen.read === 'revocation' && seen.deniesAll ? 'denies every request' : 'the policy is there (not the deny of everything)';
  const remove = `aws iam delete-user-policy --user-name <the user> --policy-name ${e.policyName}`;
  const who = 'if the contain function did not put it (CloudTrail: PutUserPolicy), find out who did';
  if (e.unrecorded === 'failed') {
    if (how === 'none')
      return {
        state: 'in-place',
        actual: `${what}, though no put of it was recorded`,
        todo: `the user is denied everything as the plan asked while the record holds no deny-all step: the release of the incident removes it (datalek release ID), as it does one recorded done`,
      };
    if (how === 'user-not-found')
      return {
        state: 'in-place',
        actual: `${what}, though its put failed with the user not found (NoSuchEntity)`,
        todo: `${who} (a user made again under the name since the run?); the release of the incident removes it (datalek release ID)`,
      };
    return {
      state: 'in-place',
      actual: `${what}, though its put was recorded failed`,
      todo: `the user is denied everything as the plan asked while the record says the deny-all failed: the release of the incident removes it (datalek release ID), as it does one recorded done`,
    };
  }
  const put =
    how === 'none'
      ? 'no put of this one was recorded'
      : how === 'user-not-found'
        ? "this one's put failed with the user not found"
        : "this one's put was recorded failed";
  return {
    state: 'drifted',
    actual: `${what}: the user is locked out, while the record says its containment was released`,
    todo: `remove it unless the user is to stay locked out (${remove}): a release before release27 removed only a deny-all recorded done, and ${put}; ${who}; tell the FG`,
  };
}

/**
 * A credential of the key's user besides the key that may have been made with it: another Active
 * key, a console password, an MFA device; `at` when it was made (enabled), null when not given.
 */
interface OtherCredential {
  kind: 'key' | 'password' | 'mfa';
  /** A key's id. */
  id?: string;
  /** As the report names it: a key by its id, a password or device by when alone (a device's serial number carries the name it was given, often the user's). */
  name: string;
  at: string | null;
}

/** Each kind's words: as had by the user, and as made (enabled) at a time. */
const CREDENTIAL_WORDS: Record<OtherCredential['kind'], { noun: string; made: string }> = {
  key: { noun: 'another Active key', made: 'another Active key made' },
  password: { noun: 'a console password', made: 'a console password made' },
  mfa: { noun: 'an MFA device', made: 'an MFA device enabled' },
};

/** What to do about each kind, made by someone else than the owner. */
const CREDENTIAL_CHECKS: Record<OtherCredential['kind'], string> = {
  key: "find who made it (CloudTrail: CreateAccessKey for the key's user) and, unless it is the owner's, deactivate it (aws iam update-access-key --user-name <the key's user> --access-key-id <id> --status Inactive)",
  password:
    "for the console password, find who made it (CloudTrail: CreateLoginProfile) and, unless it is the owner's, delete it (aws iam delete-login-profile --user-name <the key's user>)",
  mfa: "for the MFA device, find who enabled it (CloudTrail: CreateVirtualMFADevice, EnableMFADevice) and, unless it is the owner's, deactivate it (aws iam list-mfa-devices --user-name <the key's user> names its serial number; aws iam deactivate-mfa-device --user-name <the key's user> --serial-number <it>)",
};

/** What drift does not read of the key's user: a check to make with the rest. */
const NOT_READ_CREDENTIALS =
  'not read, check CloudTrail for them since the first activity too: a password changed on a console login the user had (UpdateLoginProfile), service-specific credentials, SSH keys and signing certificates (CreateServiceSpecificCredential, UploadSSHPublicKey, UploadSigningCertificate)';

/** What was read of the key's user besides the key: its other keys, and its sign-in when read. */
type CredentialsRead = Pick<Extract<Observation, { read: 'key' }>, 'others' | 'signIn'>;

/** The user's other credentials as read: its other Active keys, its console password, its MFA devices. */
function otherCredentials(seen: CredentialsRead): OtherCredential[] {
  const when = (at: string | null) => at ?? 'at a time not known';
  return [
    ...(seen.others ?? [])
      .filter((k) => k.status === 'Active')
      .map((k) => ({ kind: 'key' as const, id: k.id, name: `${k.id} (made ${when(k.created)})`, at: k.created })),
    ...(seen.signIn?.password
      ? [{ kind: 'password' as const, name: `console password (made ${when(seen.signIn.password.created)})`, at: seen.signIn.password.created }]
      : []),
    ...(seen.signIn?.mfaDevices ?? []).map((d) => ({ kind: 'mfa' as const, name: `MFA device (enabled ${when(d.enabled)})`, at: d.enabled })),
  ];
}

/** "a", "a and b", "a, b and c". */
const inWords = (items: readonly string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/**
 * The key deleted: gone, unless its user has another Active key made since the first activity, which
 * is NOT CONTAINED as beside an Inactive key (`otherCredentialsVerdict`); a check it names is kept.
 */
export function deletedKeyVerdict(e: Extract<Expectation, { kind: 'access-key' }>, seen: CredentialsRead): Verdict {
  const v = otherCredentialsVerdict(e, seen, 'access key not found');
  if (v.state === 'drifted') return { ...v, todo: `find out who deleted the key (CloudTrail: DeleteAccessKey); ${v.todo}` };
  return { state: 'gone', actual: v.actual, todo: [todoOf(e, 'gone'), v.todo].filter(Boolean).join('; ') };
}

/**
 * The key Inactive (`key`: what was read of it), judged with its user's other credentials: its other
 * Active keys (review12 K7), its console password and MFA devices. One made from the first activity
 * up to the deactivation (or up to when the key was found Inactive already) is most likely the
 * attacker's, made with the stolen key before containment reached it: NOT CONTAINED. One made before
 * the first activity may be the owner's (a key is often stolen before GuardDuty sees it used): a
 * check to make. One made after the deactivation may still be made with the key's sessions, which
 * outlive it (a GetSessionToken session up to 36 hours, a console sign-in 12: attack16 K2): NOT
 * CONTAINED too. The deny on the user (`sessionsRevokedAt`) ends those, but not a role session the
 * key assumed before (up to 12 hours; readC16 C1): one made within 12 hours of the revocation is
 * NOT CONTAINED as well, naming those, until a person confirms it as the owner's. Only one made
 * after that (or, for a record without the revocation, more than 36 hours after the deactivation)
 * is cleared as not made with it. A key a person confirmed as the owner's (`ownerKeys`, K5) is named
 * so, not judged. The containment run judges the key list it read so too (review13 K1).
 */
export function otherCredentialsVerdict(e: Extract<Expectation, { kind: 'access-key' }>, seen: CredentialsRead, key = 'Inactive'): Verdict {
  const clearedAt = clearedFrom(e);
  // The keys drift names for --owner-key (roleSessionsTodo): made after the revocation, within a role session's hours.
  const namedForOwner = (k: OtherCredential) => ownerKeyRefusal(e, k.at) === null;
  const confirmedIn = (k: OtherCredential) =>
    k.id ? e.ownerKeys?.find((o) => o.ids.includes(k.id as string) && (!o.namedOnly || namedForOwner(k))) : undefined;
  // Confirmed on a done key action, but not a key drift names for that (review15): not taken, and said.
  const notTaken = otherCredentials(seen).filter((k) => k.id && !confirmedIn(k) && e.ownerKeys?.some((o) => o.ids.includes(k.id as string)));
  const isOwners = (k: OtherCredential) => confirmedIn(k) !== undefined;
  const all = otherCredentials(seen).filter((k) => !isOwners(k));
  const owned = otherCredentials(seen).filter(isOwners);
  const cleared = clearedAt;
  const after = all.filter((k) => k.at && cleared && k.at > cleared);
  const revokedAt = e.sessionsRevokedAt;
  const window = all.filter((k) => !after.includes(k) && k.at && e.containedAt && k.at > e.containedAt);
  // Made after the deny on the user: only a role session the key assumed (C1); before it, any session of the key.
  const roles = window.filter((k) => revokedAt && k.at && k.at > revokedAt);
  const sessions = window.filter((k) => !roles.includes(k));
  const before = all.filter((k) => !after.includes(k) && !window.includes(k) && e.since && k.at && k.at < e.since);
  const since = all.filter((k) => !after.includes(k) && !window.includes(k) && !before.includes(k));
  const names = (ks: readonly OtherCredential[]) => ks.map((k) => k.name).join(', ');
  const kinds = (ks: readonly OtherCredential[], words: 'noun' | 'made') => inWords([...new Set(ks.map((k) => CREDENTIAL_WORDS[k.kind][words]))]);
  const contained = e.found ? 'found Inactive' : 'deactivated';
  const why = revokedAt
    ? `more than ${ROLE_SESSION_HOURS} hours after the key's sessions were revoked (${revokedAt}), when no role session it assumed still worked`
    : `more than ${KEY_SESSION_HOURS} hours after it was ${contained}, when no session made with it still worked`;
  const later = after.length ? `; made ${why}, so not with it: ${names(after)}` : '';
  const ownersWords = (e.ownerKeys ?? [])
    .map((o) => ({ o, ks: owned.filter((k) => confirmedIn(k) === o) }))
    .filter(({ ks }) => ks.length)
    .map(({ o, ks }) => `; the owner's, confirmed by ${o.by} at ${o.at}: ${names(ks)}`)
    .join('')
    .concat(
      notTaken.length
        ? `; confirmed as the owner's (--owner-key) but not a key made after the key's sessions were revoked, within a role session's hours, which alone a confirmation on a done key action clears: not taken: ${names(notTaken)}`
        : '',
    );
  const check = (ks: readonly OtherCredential[]) => `${[...new Set(ks.map((k) => CREDENTIAL_CHECKS[k.kind]))].join('; ')}; ${NOT_READ_CREDENTIALS}`;
  const made: string[] = [];
  if (since.length && e.since) {
    const window = e.containedAt ? (e.found ? ' and before the key was found Inactive (when it was set so is not known)' : ' and before the deactivation') : '';
    made.push(`the key's user has ${kinds(since, 'made')} since the first activity (${e.since})${window}, most likely with the stolen key: ${names(since)}`);
  }
  if (sessions.length) {
    const open = e.sessionsRevokedAt ? `before they were revoked (${e.sessionsRevokedAt})` : 'and they were not revoked with it';
    made.push(
      `the key's user has ${kinds(sessions, 'made')} after the key was ${contained} (${e.containedAt}) but within ${KEY_SESSION_HOURS} hours of it, while sessions made with the stolen key still worked (a GetSessionToken session lasts up to ${KEY_SESSION_HOURS} hours, a console sign-in 12; deactivating a key ends neither) ${open}: most likely made with those sessions: ${names(sessions)}`,
    );
  }
  if (roles.length)
    made.push(
      `the key's user has ${kinds(roles, 'made')} after the key's sessions were revoked (${revokedAt}) but within ${ROLE_SESSION_HOURS} hours of it, while a role session the stolen key assumed before its deactivation could still work (sts:AssumeRole, up to ${ROLE_SESSION_HOURS} hours, longer chained; the deny on the user does not reach a role session): possibly made with such a session: ${names(roles)}`,
    );
  if (made.length) {
    const flagged = [...(e.since ? since : []), ...sessions, ...roles];
    const revoke = sessions.length && !e.sessionsRevokedAt ? `; ${REVOKE_KEY_SESSIONS}` : '';
    return {
      state: 'drifted',
      actual: `${key}, but NOT CONTAINED: ${made.join('; and ')}${later}${ownersWords}`,
      todo: `${check(flagged)}${revoke}${roles.length ? `; ${roleSessionsTodo(roles)}` : ''}; ${TELL}`,
    };
  }
  // A record from before the first activity was kept: when one was made says nothing yet.
  const unsure = [...since, ...before];
  if (unsure.length) {
    const when = e.since ? `made before the first activity (${e.since})` : 'the record keeps no first activity to tell whether it was made since';
    return {
      state: 'in-place',
      actual: `${key}; the key's user has ${kinds(unsure, 'noun')}, ${when}: ${names(unsure)}${later}${ownersWords}`,
      todo: `the stolen key may have been used before GuardDuty saw it: ${check(unsure)}`,
    };
  }
  return { state: 'in-place', actual: `${after.length ? `${key}; the key's user has ${kinds(after, 'noun')}${later}` : key}${ownersWords}` };
}

/**
 * Why a key of the stolen key's user made at `made` is no key a confirmation on a key action datalek
 * carried out can clear (`datalek contained --owner-key`, readC16 C1), or null when it is one: drift
 * names for that only a key made after the key's sessions were revoked, within a role session's
 * hours of it (roleSessionsTodo). One made before is most likely the attacker's (review15); one made
 * after those hours is cleared without a confirmation.
 */
export function ownerKeyRefusal(e: Extract<Expectation, { kind: 'access-key' }>, made: string | null): string | null {
  const clearedAt = clearedFrom(e);
  if (!e.sessionsRevokedAt || !e.containedAt)
    return `the record holds no revocation of the key's sessions after its deactivation, from which a key made is told from the attacker's`;
  if (!made) return 'IAM gives no time it was made';
  if (made <= e.sessionsRevokedAt || made <= e.containedAt)
    return `it was made ${made}, before the key's sessions were revoked (${e.sessionsRevokedAt}): most likely the attacker's, with the stolen key or its sessions`;
  if (clearedAt && made > clearedAt)
    return `it was made ${made}, more than ${ROLE_SESSION_HOURS} hours after the key's sessions were revoked: verify clears it without a confirmation`;
  return null;
}

/**
 * From when a credential of the key's user is not made with the key nor its sessions: once the
 * longest of them ended. The sessions revoked (the deny on the user), a role session the key or its
 * sessions assumed before still works up to `ROLE_SESSION_HOURS` after the revocation (readC16 C1;
 * after the deactivation if revoked before it, never by a run); not revoked, a GetSessionToken
 * session up to `KEY_SESSION_HOURS` after the deactivation. None while a key made with it still
 * worked (no `containedAt`).
 */
function clearedFrom(e: Extract<Expectation, { kind: 'access-key' }>): string | undefined {
  if (!e.containedAt) return undefined;
  const hoursAfter = (ms: number, hours: number) => new Date(ms + hours * 3_600_000).toISOString();
  const contained = Date.parse(e.containedAt);
  if (!e.sessionsRevokedAt) return hoursAfter(contained, KEY_SESSION_HOURS);
  return hoursAfter(Math.max(Date.parse(e.sessionsRevokedAt), contained), ROLE_SESSION_HOURS);
}

/**
 * What to do about a credential made after the key's sessions were revoked, within a role
 * session's hours: who made it (CloudTrail), and a key the owner made recorded so.
 */
function roleSessionsTodo(roles: readonly OtherCredential[]): string {
  const keys = roles.flatMap((k) => (k.id ? [k.id] : []));
  const owners = keys.length
    ? `; a key the owner made: datalek contained ID --action <this key action> --owner-key ${keys.join(',')} --what TEXT (how it was confirmed) records it so`
    : '';
  return `the caller CloudTrail names for it (userIdentity.arn) tells: an assumed role whose session the stolen key made (CloudTrail: AssumeRole by the key before its deactivation, and roles assumed from that session) is the attacker's: end that role's sessions too (runbooks/revoke-role-sessions.md)${owners}; unconfirmed, it is cleared ${ROLE_SESSION_HOURS} hours after the revocation`;
}

/** What to do about the key's sessions when they were not revoked with it. */
const REVOKE_KEY_SESSIONS =
  "end the key's sessions now: put the aws:TokenIssueTime deny of runbooks/revoke-user-sessions.md on the key's user (aws iam put-user-policy), then look in CloudTrail for what sessions made with the key did after the deactivation (GetSessionToken, ConsoleLogin by the key's user)";

/**
 * The code of a key step that found a key made since the first activity still Active (review13 K1):
 * `other-keys` after a deactivation, or `deactivate-key` finding the stolen key Inactive or deleted
 * already (readA15 A1, A3). Drift reads the key of the latter as one set Inactive.
 */
export const OTHER_KEY_ACTIVE = 'OtherKeyActive';

/**
 * Whether the key list the record keeps (`otherKeys`, read when the stolen key was deactivated or
 * found so) held an Active key made since the first activity (`since`; or when not known): the
 * attacker's chain outlived the deactivation, so a key made after it may have been made with that
 * one (rotated: readA15 A2), and is not cleared as "made after it".
 */
export function chainOutlived(evidence: Record<string, unknown>, since: string | undefined): boolean {
  const keys = Array.isArray(evidence.otherKeys) ? (evidence.otherKeys as { status?: unknown; created?: unknown }[]) : [];
  return keys.some((k) => k.status === 'Active' && !(since && typeof k.created === 'string' && k.created < since));
}

/**
 * The step of a key's containment that revokes its user's older sessions (adapters/aws/containment/iam.ts):
 * the `aws:TokenIssueTime` deny `revoke-user-sessions` puts, put with the deactivation (attack16 K2).
 * Its evidence: `policyName`, `issuedBefore`.
 */
export const KEY_SESSIONS_STEP = 'revoke-key-sessions';

/**
 * The longest a session made with a long-term key outlives the key's deactivation: GetSessionToken's
 * (and GetFederationToken's) 36 hours; a console sign-in's is 12. Deactivating a key ends none of them.
 */
export const KEY_SESSION_HOURS = 36;

/**
 * The longest a role session lasts (sts:AssumeRole's maximum; chained, it is made again and again).
 * One the stolen key assumed before its deactivation is not ended by the deny on the key's user.
 */
export const ROLE_SESSION_HOURS = 12;

/** The key's sessions' revocation as a read-back check, as the record names it (none without its policy's name). */
function keySessionsRevocation(action: ActionRecord, userName: string): Extract<Expectation, { kind: 'revocation' }> | undefined {
  const { policyName, issuedBefore } = action.evidence ?? {};
  if (typeof policyName !== 'string' || !policyName) return undefined;
  return {
    kind: 'revocation',
    principal: 'user',
    name: userName,
    // A user's name is personal data: the label names the key.
    label: `IAM user of ${action.target}`,
    policyName,
    issuedBefore: typeof issuedBefore === 'string' ? issuedBefore : null,
  };
}

/**
 * A person's record (`datalek contained`) of what became of a key's user a run found gone from its
 * recorded name (step `other-keys` failed NoSuchEntity, before the record): deleted, or renamed and its
 * keys dealt with under the new name. IAM cannot tell the two apart by the name (contain19), so the
 * read stays "not found under its recorded name"; with this record it is shown beside the person's
 * words, in place, not NOT CONTAINED for ever (contain20). A record made before the run found it gone
 * does not cover it (it was about something else). On an action datalek carried out (no later run
 * found it gone), the person's record is its `userGone`, made only once the user was read gone.
 */
export interface UserGoneRecorded {
  by: string;
  at: string;
  what: string;
}

/** The person's record of the key's user gone, when it was made after a run found it so (UserGoneRecorded). */
function userGoneRecordedOf(action: ActionRecord): UserGoneRecorded | undefined {
  // Recorded on an action datalek carried out, after the user was read gone (core/by-hand.ts).
  if (action.userGone) return { by: action.userGone.by, at: action.userGone.at, what: action.userGone.what };
  const hand = action.byHand;
  if (!hand) return undefined;
  const found = (action.steps ?? []).some((s) => s.name === 'other-keys' && s.status === 'failed' && s.code === 'NoSuchEntity' && s.at <= hand.recordedAt);
  return found ? { by: hand.by, at: hand.at, what: hand.what } : undefined;
}

/** Keys of the user a person confirmed as the owner's (`datalek contained --owner-key`), who and when. */
export interface OwnerKeys {
  ids: readonly string[];
  by: string;
  at: string;
  /**
   * Confirmed on a key action datalek carried out (readC16 C1), where no failure named the keys: each
   * taken only where drift names it for --owner-key (made after the key's sessions were revoked, within
   * a role session's hours), never one made before (most likely the attacker's: review15).
   */
  namedOnly?: true;
}

/** The owner's keys the action's by-hand record names (K5), and those confirmed on it since (readC16 C1), if any. */
export function ownerKeysOf(action: ActionRecord): OwnerKeys[] | undefined {
  const hand = action.byHand;
  const all: OwnerKeys[] = [
    ...(hand?.ownerKeys?.length ? [{ ids: hand.ownerKeys, by: hand.by, at: hand.at }] : []),
    ...(action.ownerKeys ?? []).map(({ ids, by, at }) => ({ ids, by, at, namedOnly: true as const })),
  ];
  return all.length ? all : undefined;
}

/** The name datalek gives its all-traffic groups (network-isolation.ts ALL_TRAFFIC_GROUP, or that name and the incident). */
const ALL_TRAFFIC_NAME = 'datalek-all-traffic';

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

function judged(e: Expectation, seen: Exclude<Observation, { read: 'error' }>): Verdict {
  if (e.kind === 'revocation' && e.unrecorded) return unrecordedDenyAllVerdict(e, seen);
  // A person found out which and recorded it (contain20): their record, beside what AWS shows.
  if (seen.read === 'missing' && seen.byName && 'userGoneRecorded' in e && e.userGoneRecorded) {
    const r = e.userGoneRecorded;
    return {
      state: 'in-place',
      actual: `${seen.what} not found under its recorded name (renamed or deleted), as ${r.by} recorded (datalek contained) at ${r.at}: ${r.what}`,
    };
  }
  // The instance that leaked its role's credentials no longer exists: it hands out nothing.
  if (seen.read === 'missing' && e.kind === 'credential-source')
    return { state: 'in-place', actual: 'instance not found (terminated): it hands out no credentials of its role' };
  // Renamed is not gone: the resource may live on under its new name, its containment undone there.
  if (seen.read === 'missing' && seen.byName)
    return { state: 'drifted', actual: `${seen.what} not found under its recorded name: renamed or deleted`, todo: renamedTodo(e) };
  // Deleted is what the record asks of a killed run's group; someone else's is no longer datalek's concern.
  if (seen.read === 'missing' && e.kind === 'unvouched-group') return { state: 'in-place', actual: 'deleted: nothing left to do' };
  // A stolen key deleted (by the attacker, with a key made with it: review13 K4): its user's other keys judged all the same.
  if (seen.read === 'missing' && e.kind === 'access-key' && seen.others) return deletedKeyVerdict(e, seen);
  if (seen.read === 'missing') return { state: e.kind === 'revocation' && seen.what === 'policy' ? 'drifted' : 'gone', actual: `${seen.what} not found` };
  switch (e.kind) {
    case 'interface': {
      if (seen.read !== 'interface') break;
      const g = seen.groups;
      if (g.length === 1 && g[0] === e.isolation) return { state: 'in-place', actual: `in ${e.isolation} only` };
      if (e.allTraffic && g.includes(e.allTraffic)) return { state: 'drifted', actual: `OPEN: in the all-traffic group (${list(g)})` };
      if (e.ownGroups.length && same(g, e.ownGroups)) return { state: 'drifted', actual: `back in its own groups (${list(g)}): not isolated` };
      return { state: 'drifted', actual: `in ${list(g)}: not isolated` };
    }
    case 'instance': {
      if (seen.read !== 'instance') break;
      if (seen.state === 'terminated' || seen.state === 'shutting-down') return { state: 'gone', actual: `instance ${seen.state}` };
      const unknown = seen.interfaces.filter((n) => !e.interfaces.includes(n.id));
      const open = unknown.filter((n) => !(n.groups.length === 1 && n.groups[0] === e.isolation));
      if (open.length) {
        return {
          state: 'drifted',
          actual: `${open.length} network interface(s) the record does not know attached: ${open.map((n) => `${n.id} in ${list(n.groups)}`).join('; ')}`,
          todo: `detach them, or put them in the isolation group ${e.isolation} (first the VPC's datalek-all-traffic group), then tell the FG`,
        };
      }
      return { state: 'in-place', actual: `${seen.state}, no other network interface` };
    }
    case 'protection': {
      if (seen.read !== 'protection') break;
      const off = [
        ...(seen.terminationProtected ? [] : ['termination protection off']),
        ...(seen.shutdownBehavior === 'stop' ? [] : [`shutdown behaviour ${seen.shutdownBehavior}`]),
      ];
      return off.length ? { state: 'drifted', actual: off.join(', ') } : { state: 'in-place', actual: 'termination protection on, shutdown behaviour stop' };
    }
    case 'instance-profile':
      if (seen.read !== 'profiles') break;
      return seen.associated.length === 0
        ? { state: 'in-place', actual: 'no instance profile' }
        : { state: 'drifted', actual: `instance profile ${seen.associated.join(', ')} associated again: the instance has credentials` };
    case 'isolation-group':
      if (seen.read !== 'group-rules') break;
      if (seen.inbound === 0 && seen.outbound === 0) return { state: 'in-place', actual: 'no rules' };
      return { state: 'drifted', actual: `${seen.inbound} inbound and ${seen.outbound} outbound rule(s): every interface in it is open to them` };
    case 'unvouched-group':
      if (seen.read !== 'unvouched-group') break;
      return unvouchedVerdict(e, seen);
    case 'access-key':
      if (seen.read !== 'key') break;
      return seen.status === 'Inactive' ? otherCredentialsVerdict(e, seen) : { state: 'drifted', actual: seen.status };
    case 'revocation':
      if (seen.read !== 'revocation') break;
      if (e.denyAll)
        return seen.deniesAll
          ? { state: 'in-place', actual: 'denies every request' }
          : { state: 'drifted', actual: 'the policy is there but is not the deny of everything' };
      if (seen.deniesBefore !== null && (e.issuedBefore === null || seen.deniesBefore === e.issuedBefore)) {
        return { state: 'in-place', actual: `denies sessions issued before ${seen.deniesBefore}` };
      }
      return {
        state: 'drifted',
        actual:
          seen.deniesBefore === null ? 'the policy is there but is not the deny of older sessions' : `denies sessions issued before ${seen.deniesBefore} only`,
      };
    case 'public-access-block': {
      if (seen.read !== 'public-access-block') break;
      const off = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'].filter((k) => seen.settings[k] !== true);
      return off.length === 0 ? { state: 'in-place', actual: 'all four on' } : { state: 'drifted', actual: `off: ${off.join(', ')}` };
    }
    case 'function-concurrency':
      if (seen.read !== 'concurrency') break;
      return seen.reserved === 0
        ? { state: 'in-place', actual: 'reserved concurrency 0' }
        : {
            state: 'drifted',
            actual: seen.reserved === null ? 'no reserved concurrency: it runs again' : `reserved concurrency ${seen.reserved}: it runs again`,
          };
    case 'function-url':
      if (seen.read !== 'function-url') break;
      return seen.authType === 'NONE'
        ? { state: 'drifted', actual: 'function URL auth NONE: open to anyone' }
        : { state: 'in-place', actual: `auth ${seen.authType}` };
    case 'database':
      if (seen.read !== 'database') break;
      return seen.publiclyAccessible ? { state: 'drifted', actual: 'publicly accessible' } : { state: 'in-place', actual: 'not publicly accessible' };
    case 'container-instance': {
      if (seen.read !== 'container-instance') break;
      // A task placed on it after the last run (its interface in the task's own groups): no run or other read saw it.
      const unknown = seen.tasks.filter((t) => !e.known.includes(t.id) && !(t.groups.length === 1 && t.groups[0] === e.isolation));
      // Registered again, in this cluster or another: the `ecs-registration` check of the same isolation names it.
      if (unknown.length || seen.tasksUnread)
        return {
          state: 'drifted',
          actual: [
            `${seen.status}`,
            unknown.length
              ? `NOT CONTAINED: ${unknown.length} task network interface(s) the record does not know: ${unknown.map((t) => `${t.id} of task ${t.task.split('/').pop()} in ${list(t.groups)}`).join('; ')}`
              : '',
            seen.tasksUnread ? `NOT CONTAINED, maybe: ${seen.tasksUnread}, their interfaces not known` : '',
          ]
            .filter(Boolean)
            .join('; '),
        };
      if (seen.status === 'DRAINING') return { state: 'in-place', actual: 'DRAINING' };
      // Deregistered: ECS places nothing on it; an agent registering again would be a container instance of its own.
      if (seen.status === 'INACTIVE' || seen.status === 'DEREGISTERING')
        return { state: 'in-place', actual: `${seen.status}: deregistered, no task is placed on it` };
      // Found so by the isolation (review15 K5: every one found is read back): never registered, nothing placed on it.
      if (seen.status === 'REGISTRATION_FAILED') return { state: 'in-place', actual: 'REGISTRATION_FAILED: not registered, no task is placed on it' };
      return { state: 'drifted', actual: `${seen.status}: NOT CONTAINED, ECS may place a task on it again, its interface in the task's own groups` };
    }
    case 'user-key':
      if (seen.read !== 'user-keys') break;
      return userKeyVerdict(e, seen);
    case 'credential-source':
      if (seen.read !== 'credential-source') break;
      return credentialSourceVerdict(e, seen);
    case 'console-sign-in':
      if (seen.read !== 'sign-in') break;
      return consoleSignInVerdict(e, seen.signIn);
    case 'open-user-keys':
      // Read for `DriftReport.open` (openStep), never judged as a record's claim.
      break;
    case 'ecs-registration': {
      if (seen.read !== 'ecs-registrations') break;
      // Deregistered and registered again, or registered in a cluster the record does not name (a kept identity document, any instance's credentials): ECS places tasks on it.
      const since = seen.found.filter((f) => !e.recorded.includes(f.arn));
      const named = since.map((f) => `${f.arn.split('/').pop()} in cluster ${f.cluster.split('/').pop()} (${f.status})`).join(', ');
      const unread = seen.clustersUnread ? `NOT CONTAINED, maybe: ${seen.clustersUnread}, not looked in` : '';
      if (since.length)
        return {
          state: 'drifted',
          actual: `NOT CONTAINED: registered in ECS since its isolation, as container instance(s) the record does not name: ${named}; ECS may place tasks on it, their interfaces in their own groups${unread ? `; ${unread}` : ''}`,
          todo: `deregister each (aws ecs deregister-container-instance --cluster CLUSTER --container-instance ARN --force), stop its tasks and isolate their interfaces (aws ecs list-tasks --cluster CLUSTER --container-instance ARN), find out who registered it (CloudTrail: RegisterContainerInstance), then tell the FG`,
        };
      if (unread)
        return {
          state: 'drifted',
          actual: unread,
          todo: `look in each cluster past them (aws ecs list-clusters, then aws ecs list-container-instances --cluster NAME --filter "ec2InstanceId == ${e.instanceId}"); deregister it where found, then tell the FG`,
        };
      return {
        state: 'in-place',
        actual: e.recorded.length ? 'no container instance of it but those its isolation found' : 'no container instance of it in any cluster',
      };
    }
  }
  // A programming error of the adapter, never a verdict of "in place".
  throw new Error(`the ${e.kind} check was answered with a ${seen.read} read`);
}

const TELL = 'then tell the FG (the record and the AP draft still list it as a measure taken)';

/** What to do about a resource not found under the name it was contained by: renamed or deleted. */
function renamedTodo(e: Expectation): string {
  switch (e.kind) {
    case 'database':
      return `find out whether it was renamed or deleted (CloudTrail: ModifyDBInstance with a new identifier, DeleteDBInstance); if renamed, make it private again under its new identifier; ${TELL}`;
    case 'access-key':
      return `find out whether the key's user was renamed or deleted (CloudTrail: UpdateUser, DeleteUser; aws iam get-access-key-last-used --access-key-id ${e.accessKeyId} names its user now); if renamed, check the key is Inactive under the new name; ${TELL}, and record what you found (datalek contained ID --action ACTION --what TEXT --target aws: shown here since, beside what AWS shows)`;
    case 'user-key':
    case 'console-sign-in':
    case 'open-user-keys':
      return `find out whether the user was renamed or deleted (CloudTrail: UpdateUser, DeleteUser); if renamed, check it again under the new name (${e.kind === 'user-key' ? `aws iam get-access-key-last-used --access-key-id ${e.accessKeyId} names its user now; the key Inactive` : 'its console password made anew or deleted'}); ${TELL}`;
    default: {
      // A console sign-in's deny-all is no revocation by date: it denies everything.
      const deny =
        e.kind === 'revocation' && e.denyAll
          ? `check that ${e.policyName} is on the user under its new name and still denies every request (aws iam get-user-policy --user-name <new name> --policy-name ${e.policyName})`
          : 'check the deny is on the user under its new name and put it back with the same aws:TokenIssueTime date';
      // Deleted, the policy went with it: a person's word, checked against IAM, releases it (rel28).
      const deleted =
        e.kind === 'revocation' && e.principal === 'user'
          ? '; if deleted, its policies went with it: datalek release ID --by NAME --reason TEXT --user-deleted --target aws records it released'
          : '';
      return `find out whether the user was renamed or deleted (CloudTrail: UpdateUser, DeleteUser); if renamed, ${deny}${deleted}; ${TELL}`;
    }
  }
}

/**
 * A key a person deactivated for a user's stolen session (`user-key`): Inactive holds; Active, whoever holds it makes
 * new sessions; not among the user's keys, deleted since or never the user's (a mistyped id): GONE, checked by a
 * person. The user's other Active keys are named beside it as a check, never an alarm: the person found the key that
 * made the sessions in CloudTrail, and another key may well be the owner's.
 */
function userKeyVerdict(e: Extract<Expectation, { kind: 'user-key' }>, seen: Extract<Observation, { read: 'user-keys' }>): Verdict {
  const key = seen.keys.find((k) => k.id === e.accessKeyId);
  const others = seen.keys.filter((k) => k.id !== e.accessKeyId && k.status === 'Active');
  const besides = others.length
    ? `; the user has other Active key(s): ${others.map((k) => `${k.id} (made ${k.created ?? 'at a time not known'})`).join(', ')}`
    : '';
  const check = others.length
    ? `if one of the other Active keys made the sessions too (CloudTrail: the user's GetSessionToken events, userIdentity.accessKeyId), deactivate it and tell the FG (${USER_KEYS_RUNBOOK})`
    : undefined;
  if (!key)
    return {
      state: 'gone',
      actual: `not among the user's keys: deleted since, or not the user's key (the id recorded mistyped)${besides}`,
      todo: `aws iam list-access-keys --user-name <the user> shows which; deleted, no session can be made with it (find out who deleted it: CloudTrail DeleteAccessKey); not the user's, the key that made the sessions is still to be found and deactivated (${USER_KEYS_RUNBOOK}); ${TELL}`,
    };
  if (key.status === 'Inactive') return { state: 'in-place', actual: `Inactive${besides}`, ...(check ? { todo: check } : {}) };
  return {
    state: 'drifted',
    actual: `${key.status}: NOT CONTAINED, whoever holds it makes new sessions of the user, which the deny on older sessions does not stop${besides}`,
  };
}

const USER_KEYS_RUNBOOK = 'runbooks/revoke-user-sessions.md#the-long-term-key-that-made-them';
const CONSOLE_RUNBOOK = 'runbooks/revoke-user-sessions.md#the-password-and-mfa-of-a-console-sign-in';

/**
 * An open `deactivate-user-keys` step as AWS shows the user's keys now (cont26). A later incident's containment of the
 * same user's long-term key (deactivate-access-key), or a person who did not record it, may have done what the step
 * asks: the step is not closed by it (that containment may be released, and the key it deactivated need not be the
 * one that made the sessions), but read. No Active key left: no key can make the user's sessions now, and the step can
 * be recorded with the keys read. Else the Active keys are named: one of them may have made the sessions.
 */
function openUserKeysVerdict(seen: Extract<Observation, { read: 'user-keys' }>, record: string): { actual: string; todo: string } {
  const active = seen.keys.filter((k) => k.status === 'Active');
  const inactive = seen.keys.filter((k) => k.status === 'Inactive').map((k) => k.id);
  const made = (k: { id: string; created: string | null }) => `${k.id} (made ${k.created ?? 'at a time not known'})`;
  if (active.length === 0)
    return {
      actual: `open, but the user has no Active long-term key (${inactive.length ? `Inactive: ${inactive.join(', ')}` : 'none at all'}): no key can make its sessions now, whoever deactivated it (another incident's containment, or a person who did not record it)`,
      todo: `confirm in CloudTrail which key made the sessions, then record it: ${record} --key ${inactive.join(',') || 'AKIA…'} --what TEXT --target aws (${USER_KEYS_RUNBOOK})`,
    };
  return {
    actual: `open: the user has ${active.length} Active long-term key(s), one of which may have made the sessions: ${active.map(made).join(', ')}${inactive.length ? `; Inactive: ${inactive.join(', ')}` : ''}`,
    todo: `find the key that made the sessions (CloudTrail: the user's GetSessionToken events, userIdentity.accessKeyId), deactivate it, and record it (${USER_KEYS_RUNBOOK})`,
  };
}

/**
 * The console of an IAM user someone else signed in as (`console-sign-in`): no password, or one made after the
 * incident was detected (after the sign-in), holds. One made before: IAM shows when a password was made, not when it
 * was changed (`update-login-profile`, the user's own change), so whether it was reset is not known: said so (exit 3),
 * never taken for in place, with the runbook's way to make it readable. MFA devices enabled since are named as a check:
 * the owner may have enabled one since, as the runbook asks.
 */
function consoleSignInVerdict(e: Extract<Expectation, { kind: 'console-sign-in' }>, seen: SignIn): Verdict {
  const since = seen.mfaDevices.filter((d) => !d.enabled || d.enabled > e.since);
  const devices = since.length
    ? `; ${since.length} MFA device(s) enabled since the detection or at a time not known (${since.map((d) => d.enabled ?? 'not known').join(', ')})`
    : `; ${seen.mfaDevices.length ? `${seen.mfaDevices.length} MFA device(s), enabled before the detection` : 'no MFA device'}`;
  const check = since.length
    ? {
        todo: `check each MFA device enabled since is the owner's (CloudTrail: EnableMFADevice, by whom); one that is not: aws iam deactivate-mfa-device (${CONSOLE_RUNBOOK})`,
      }
    : {};
  const created = seen.password?.created ?? null;
  if (!seen.password) return { state: 'in-place', actual: `no console password: it cannot sign in to the console${devices}`, ...check };
  if (created && created > e.since) return { state: 'in-place', actual: `console password made anew at ${created}, after the detection${devices}`, ...check };
  return {
    state: 'unreadable',
    actual: `console password made ${created ?? 'at a time IAM does not give'}, before the detection: IAM does not show whether it was changed since (update-login-profile, the user's own change)${devices}`,
    todo: `not known whether the intruder's password still signs in: make it anew (aws iam delete-login-profile, then create-login-profile --password-reset-required) or delete it, and verify reads it (${CONSOLE_RUNBOOK})${since.length ? `; ${check.todo}` : ''}`,
  };
}
const SOURCE_RUNBOOK = 'runbooks/revoke-role-sessions.md#the-instance-that-leaked-them';

/**
 * The instance that leaked its role's credentials, cut off (`contain-credential-source`, runbooks/revoke-role-sessions.md):
 * each of these states stops it handing them to whoever took them, and the person chose one: terminated; stopped (until
 * started); no instance profile; its metadata service off; every interface in groups with no rule (isolated: the
 * metadata service still answers it, but nothing reaches it and it sends nothing out but DNS). IMDSv2 required holds
 * against a request forged through the instance (SSRF, the usual path) and not against a foothold on it: in place, with
 * that said. Revoking the role's sessions is none of them: the instance gets sessions issued after the deny every hour.
 * None of them: NOT CONTAINED.
 */
function credentialSourceVerdict(_e: Extract<Expectation, { kind: 'credential-source' }>, seen: Extract<Observation, { read: 'credential-source' }>): Verdict {
  if (seen.state === 'terminated' || seen.state === 'shutting-down')
    return { state: 'in-place', actual: `${seen.state}: it hands out no credentials of its role` };
  const cut = [
    ...(seen.state === 'stopped' || seen.state === 'stopping' ? [seen.state] : []),
    ...(seen.profile === null ? ['no instance profile'] : []),
    ...(seen.httpEndpoint === 'disabled' ? ['its metadata service off'] : []),
    ...(seen.isolated ? ['every network interface in groups with no rule (isolated)'] : []),
  ];
  const stoppedOnly = cut.length === 1 && (seen.state === 'stopped' || seen.state === 'stopping');
  const isolatedOnly = cut.length === 1 && seen.isolated;
  if (cut.length)
    return {
      state: 'in-place',
      actual: cut.join('; '),
      ...(stoppedOnly
        ? { todo: `started again, it hands its role's credentials out as before: take the profile off or require IMDSv2 first (${SOURCE_RUNBOOK})` }
        : isolatedOnly
          ? {
              todo: `its metadata service still hands it the role's credentials, which it can send out only through DNS (runbooks/block-dns-channel.md); released, it hands them out as before: cut the source first (${SOURCE_RUNBOOK})`,
            }
          : {}),
    };
  const profile = `instance profile ${seen.profile}`;
  if (seen.httpTokens === 'required') {
    const hops =
      seen.hopLimit !== null && seen.hopLimit > 1 ? `; its hop limit ${seen.hopLimit} lets a container on it reach the metadata service: set it to 1` : '';
    return {
      state: 'in-place',
      actual: `IMDSv2 required (hop limit ${seen.hopLimit ?? 'not given'}), ${seen.state}, ${profile}`,
      todo: `this holds against a request forged through the instance (SSRF), not against a foothold on it: if the credentials left through one, isolate it or take the profile off (${SOURCE_RUNBOOK})${hops}`,
    };
  }
  return {
    state: 'drifted',
    actual: `NOT CONTAINED: ${seen.state}, ${profile}, IMDSv1 allowed (HttpTokens ${seen.httpTokens}), not isolated: its metadata service hands the role's credentials out as before the incident (the revocation of the role's sessions does not stop new ones)`,
    todo: `cut it off again (${SOURCE_RUNBOOK}): take the profile off, require IMDSv2, or isolate it; find out who changed it (CloudTrail: AssociateIamInstanceProfile, ReplaceIamInstanceProfileAssociation, ModifyInstanceMetadataOptions, ModifyNetworkInterfaceAttribute, StartInstances); ${TELL}`,
  };
}

/** What to do about a drifted or gone resource (runbooks/containment-undone.md step 3 has the commands). */
function todoOf(e: Expectation, state: 'drifted' | 'gone'): string {
  const tell = TELL;
  if (state === 'gone') {
    switch (e.kind) {
      case 'instance':
      case 'interface':
      case 'protection':
      case 'instance-profile':
        return `find out who ended it (CloudTrail: TerminateInstances, DeleteNetworkInterface, StopTask); the snapshots of its volumes are the evidence left; ${tell}`;
      case 'revocation':
        return `the ${e.principal} is gone: find out who deleted it (CloudTrail); ${tell}`;
      default:
        return `find out who deleted it (CloudTrail); ${tell}`;
    }
  }
  switch (e.kind) {
    case 'interface':
      return `put it back by hand now: first the VPC's datalek-all-traffic group${e.allTraffic ? ` (${e.allTraffic})` : ''}, then ${e.isolation} only; find out who changed it (CloudTrail: ModifyNetworkInterfaceAttribute); ${tell}`;
    case 'instance':
      return `isolate the interfaces by hand; ${tell}`;
    case 'protection':
      return `turn termination protection on and the shutdown behaviour to stop again (runbooks/isolate-ec2-instance.md); find out who changed them (CloudTrail: ModifyInstanceAttribute); ${tell}`;
    case 'instance-profile':
      return `take the profile off again (aws ec2 disassociate-iam-instance-profile); its role's revocation stays; find out who associated it (CloudTrail: AssociateIamInstanceProfile); ${tell}`;
    case 'unvouched-group':
      return `see what is in it (aws ec2 describe-network-interfaces --filters Name=group-id,Values=${e.groupId})`;
    case 'isolation-group':
      return `revoke every rule of ${e.groupId} now (aws ec2 describe-security-groups --group-ids ${e.groupId}); find out who added them (CloudTrail: AuthorizeSecurityGroup*); ${tell}`;
    case 'access-key':
      return `set it Inactive again (aws iam update-access-key --user-name <the key’s user> --access-key-id ${e.accessKeyId} --status Inactive); find out who set it Active (CloudTrail: UpdateAccessKey); ${tell}`;
    case 'revocation':
      if (e.denyAll)
        return `put ${e.policyName} back (Deny of Action * on Resource *, no condition) until the console password is made anew (runbooks/revoke-user-sessions.md); find out who changed it (CloudTrail: DeleteUserPolicy, PutUserPolicy); ${tell}`;
      return `put ${e.policyName} back with the same aws:TokenIssueTime date (${e.issuedBefore ?? 'see the contain function’s Put…Policy event in CloudTrail'}); find out who changed it (CloudTrail); ${tell}`;
    case 'public-access-block':
      return `turn all four Block Public Access settings on again (aws s3api put-public-access-block --bucket ${e.bucket}); find out who changed them (CloudTrail); ${tell}`;
    case 'function-concurrency':
      return `set its reserved concurrency to 0 again (aws lambda put-function-concurrency --reserved-concurrent-executions 0); find out who changed it (CloudTrail); ${tell}`;
    case 'function-url':
      return `set its function URL's auth to AWS_IAM again; find out who changed it (CloudTrail: UpdateFunctionUrlConfig); ${tell}`;
    case 'database':
      return `make it private again (aws rds modify-db-instance --db-instance-identifier ${e.dbInstanceIdentifier} --no-publicly-accessible --apply-immediately); find out who changed it (CloudTrail: ModifyDBInstance); ${tell}`;
    case 'container-instance':
      return `set it DRAINING again (aws ecs update-container-instances-state --cluster ${e.cluster} --container-instances ${e.arn} --status DRAINING); look for a task placed on it since (aws ecs list-tasks --cluster ${e.cluster} --container-instance ${e.arn}) and isolate it; find out who set it ACTIVE (CloudTrail: UpdateContainerInstancesState); ${tell}`;
    case 'user-key':
      return `set it Inactive again (aws iam update-access-key --user-name <the user> --access-key-id ${e.accessKeyId} --status Inactive); find out who set it Active (CloudTrail: UpdateAccessKey); ${tell}`;
    case 'credential-source':
      return `cut it off again (${SOURCE_RUNBOOK}); ${tell}`;
    case 'console-sign-in':
      return `make the console password anew or delete it (${CONSOLE_RUNBOOK}); find out who made it (CloudTrail: CreateLoginProfile); ${tell}`;
    case 'open-user-keys':
      return `see ${USER_KEYS_RUNBOOK}`;
    case 'ecs-registration':
      return `deregister each container instance of ${e.instanceId} the record does not name (aws ecs deregister-container-instance --cluster CLUSTER --container-instance ARN --force), stop its tasks and isolate their interfaces; find out who registered it (CloudTrail: RegisterContainerInstance); ${tell}`;
  }
}

/**
 * Reads back the containment the incidents' records say is in effect and judges it. A reader that
 * fails outright (no credentials) makes every check unreadable, never "in place".
 */
export async function checkContainment(incidents: readonly Incident[], reader: ContainmentStateReader, now: string, holderOf?: HolderOf): Promise<DriftReport> {
  const checks: ContainmentCheck[] = [];
  const notChecked: DriftReport['notChecked'] = [];
  const verdicts: DriftEntry[] = [];
  const open: ContainmentCheck[] = [];
  for (const incident of incidents) {
    const expected = expectedContainment(incident, now, holderOf);
    checks.push(...expected.checks);
    notChecked.push(...expected.notChecked);
    verdicts.push(...expected.verdicts);
    open.push(...expected.open);
  }
  // One read per resource and expectation, however many records rely on it (a holder and those that left it to it).
  const keyOf = (c: ContainmentCheck) => JSON.stringify([c.accountId, c.region, c.expect]);
  const unique = [...new Map([...checks, ...open].map((c) => [keyOf(c), c])).values()];
  let read: Observation[];
  try {
    read = unique.length ? await reader.read(unique) : [];
  } catch (err) {
    const e = err as { name?: string; message?: string };
    const failed: Observation = { read: 'error', code: e.name || 'Error', message: e.message ?? String(err) };
    read = unique.map(() => failed);
  }
  const byKey = new Map(unique.map((c, i) => [keyOf(c), read[i]]));
  const seen = checks.map((c) => byKey.get(keyOf(c)));
  const judged = checks.map((c, i) => judge(c, seen[i] ?? { read: 'error', code: 'NotRead', message: 'no answer for this check' }));
  // An instance that is gone took its interfaces, protection and profile with it: the instance says so, once.
  const goneInstances = new Set(judged.flatMap((r, i) => (r.state === 'gone' && checks[i].expect.kind === 'instance' ? [r.actionId + r.incidentId] : [])));
  const part = new Set(['interface', 'protection', 'instance-profile', 'container-instance', 'ecs-registration']);
  const resources = judged.filter((r, i) => !(part.has(checks[i].expect.kind) && goneInstances.has(r.actionId + r.incidentId)));
  const opened = open.map((c) => openStep(c, byKey.get(keyOf(c))));
  return { checkedAt: now, resources: [...verdicts, ...resources], notChecked, ...(opened.length ? { open: opened } : {}) };
}

/** A person's step the record holds open, as AWS shows it now (`DriftReport.open`). */
function openStep(c: ContainmentCheck, seen: Observation | undefined): NonNullable<DriftReport['open']>[number] {
  const at = { incidentId: c.incidentId, actionId: c.actionId };
  const record = `datalek contained ${c.incidentId} --action ${c.actionId}`;
  if (!seen || seen.read === 'error')
    return {
      ...at,
      actual: `open; ${c.expect.kind === 'credential-source' ? 'the instance' : "the user's keys"} could not be read (${seen?.read === 'error' ? seen.code : 'no answer'})`,
      todo: `give the credentials ${readsOf(c.expect)}, or check it by hand (${c.expect.kind === 'credential-source' ? SOURCE_RUNBOOK : USER_KEYS_RUNBOOK})`,
    };
  if (c.expect.kind === 'credential-source') {
    const v = judged(c.expect, seen);
    if (v.state === 'in-place')
      return {
        ...at,
        actual: `open, but AWS shows it cut off already: ${v.actual}`,
        todo: `if that is what cuts it off (an isolation, a person who did not record it), record it: ${record} --what TEXT${v.todo ? `; ${v.todo}` : ''}`,
      };
    return {
      ...at,
      actual: `open: ${v.actual.replace(/^NOT CONTAINED: /, 'NOT CONTAINED, ')}`,
      todo: `cut it off (${SOURCE_RUNBOOK}), then record it: ${record} --what TEXT`,
    };
  }
  if (seen.read !== 'user-keys')
    return { ...at, actual: `open; the user was not found under its recorded name (renamed or deleted)`, todo: renamedTodo(c.expect) };
  return { ...at, ...openUserKeysVerdict(seen, record) };
}

/** The report as lines for a person: what drifted first, each with what to do. */
export function driftLines(report: DriftReport, withIncident: boolean): string[] {
  if (report.resources.length === 0 && report.notChecked.length === 0 && !report.open?.length) return [];
  const order: DriftState[] = ['drifted', 'gone', 'unreadable', 'in-place'];
  const sorted = [...report.resources].sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
  const who = (r: { incidentId: string }) => (withIncident ? `${r.incidentId}: ` : '');
  const lines = [`Containment read back from AWS at ${report.checkedAt}:`];
  for (const r of sorted) {
    const where = `${r.accountId}/${r.region}`;
    const held = r.heldBy ? `, held by incident ${r.heldBy}` : '';
    if (r.state === 'in-place') {
      lines.push(`  in place    ${who(r)}${r.resource} (${where}${held}): ${r.actual}`);
      if (r.todo) lines.push(`      do:          ${r.todo}`);
      continue;
    }
    const label = r.state === 'drifted' ? 'DRIFTED' : r.state === 'gone' ? 'GONE' : 'UNREADABLE';
    lines.push(`  ${label.padEnd(11)} ${who(r)}${r.resource} (${where}, ${r.actionId}${held})`);
    lines.push(`      record says: ${r.recorded}`);
    lines.push(`      AWS shows:   ${r.actual}`);
    if (r.todo) lines.push(`      do:          ${r.todo}${r.runbook ? ` (${r.runbook})` : ''}`);
  }
  for (const n of report.notChecked) lines.push(`  not read    ${who(n)}${n.actionId}: ${n.what}`);
  for (const o of report.open ?? []) {
    lines.push(`  open step   ${who(o)}${o.actionId}: ${o.actual}`);
    lines.push(`      do:          ${o.todo}`);
  }
  return lines;
}
