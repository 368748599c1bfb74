/**
 * Which containment a finding calls for, by the policy's rules: a plan of actions, each with one
 * target. Carrying them out is an adapter's job; here only the decision and its reasons live.
 *
 * Every action is either carried out by an adapter (when the rule enforces it, on AWS) or is a
 * person's step: something no API call can do safely (root credentials, a federated user, the
 * Kubernetes side of a cluster, the credentials inside a database). A person's step is always
 * planned, never enforced, and names the runbook to follow.
 */
import { type AccessKeyRef, type AffectedResource, type Finding, lastSeen, namedResourceKey } from './finding.js';
import { arnTail, credentialSourceInstance, type DnsChannel, dnsChannelOf } from './finding-resources.js';
import { sha256 } from './hash.js';
import type { ActionRecord, Incident } from './incident.js';
import type { ContainmentRun } from './messages.js';

/** How long a release's `releasing` mark holds the action from containment runs: as a CLI run's lease. */
export const RELEASE_MARK_MS = 15 * 60_000;

/**
 * Whether a release of the action is under way: marked `releasing` and the mark not run out (a
 * release that crashed left it behind; after `until` it counts as absent and a run takes the action).
 */
export function releaseUnderWay(action: ActionRecord, now: string = new Date().toISOString()): boolean {
  const mark = action.releasing;
  if (!mark) return false;
  const until = mark.until ? Date.parse(mark.until) : Date.parse(mark.at) + RELEASE_MARK_MS;
  return until > Date.parse(now);
}

/**
 * `incident` as it will read once the releases under way have finished: an action being released
 * (`releaseUnderWay`) reads released. For a decision that rests on the containment in effect (an
 * Art. 34(3)(b) "measures taken" exception): a release checks the decisions on record in the commit
 * that marks it, and undoes in AWS before the commit that records it released; a decision recorded in
 * between, on the containment being undone, is refused by reading it so (review11 S5's window, contain15).
 * Another incident's release that undoes it too (`--undo-for`) marks it so as well (contain16). The
 * mark's `until` is the machine's time, so it is judged by the machine's clock where the caller has it
 * (`machineNow`), not by a `--now` stated in the past, under which a mark run out long ago still held
 * (contain16).
 */
export function asReleased(incident: Incident, clocks: { now: () => string; machineNow?: () => string }): Incident {
  const now = clocks.machineNow?.() ?? clocks.now();
  if (!incident.actions.some((a) => releaseUnderWay(a, now))) return incident;
  return {
    ...incident,
    actions: incident.actions.map((a) =>
      a.releasing && releaseUnderWay(a, now) ? { ...a, released: { at: a.releasing.at, by: a.releasing.by, reason: 'being released' } } : a,
    ),
  };
}

import { type ContainmentRule, matchesType, type Policy } from './policy.js';
import { LEFT_FAILED_PREFIX } from './reminder-tracks.js';

export interface PlanOptions {
  /** False on the embedded store: actions are only ever planned. */
  canEnforce: boolean;
  /** `replay --enforce`: enforce this run whatever the rule's mode says. */
  forceEnforce?: boolean;
  now: string;
  /**
   * The incident's account and region: an action on a target elsewhere carries its own (and its id
   * says so). @default the finding's
   */
  home?: { accountId: string; region: string };
  /**
   * What other open incidents, linked to this one and not merged into it, hold contained (see
   * `heldContainment`): containment of the same resource is left to them.
   */
  heldElsewhere?: HeldContainment[];
}

/** A resource an incident holds contained: an action of one state per resource, carried out and not released. */
export interface HeldContainment {
  incidentId: string;
  type: string;
  target: string;
  accountId: string;
  region: string;
}

/**
 * Actions whose undoing is the incident's own: a deny policy named per incident (two incidents'
 * revocations of one role are two policies). Every other action sets a state the resource has
 * once (an interface's groups, a key's status, a bucket's Block Public Access, a function's
 * concurrency, a database's public flag, an object's tags), whichever incident set it.
 */
/**
 * The `denyAll` param of an IAM user's `revoke-user-sessions` planned on a console sign-in: whoever signed in knows the
 * password (and passed its MFA, or there was none), and the deny on older sessions signs that session out while the
 * password signs in anew with every permission the user has, until a person makes it anew (`secure-console-sign-in`).
 * The adapter then puts an explicit deny of everything on the user too (step `deny-all`, an inline policy of the
 * incident's own, as AWS's incident-response samples do), which its release removes (`remove-deny-all`).
 */
export const DENY_ALL_CONSOLE_SIGN_IN = 'console-sign-in';

/**
 * The inline policy of one incident's deny-all on a user whose console password was taken: its own, so a release lifts
 * no other's. Named here for the record's readers too (drift.ts): one whose put was recorded failed has it in the
 * evidence only since release27; before, the name is known from the incident alone.
 */
export function denyAllPolicyName(incidentId: string): string {
  return `datalek-deny-all-${incidentId}`;
}

/**
 * The deny-all policy `action` asked for (a console sign-in's revocation, `DENY_ALL_CONSOLE_SIGN_IN`): under the name its
 * evidence records, else the one a merge carried in its params (`keepDenyAllName`), else the incident's (`incidentId`:
 * the incident whose run puts it). Undefined when it asked for none. A retry puts it under this name too (iam-users.ts),
 * so a moved action's second put does not leave the first, under another name, unread and unreleased (red27 #4).
 */
export function plannedDenyAll(action: ActionRecord, incidentId: string): string | undefined {
  const recorded = action.evidence?.denyAllPolicyName;
  if (typeof recorded === 'string' && recorded) return recorded;
  if (action.type !== 'revoke-user-sessions' || action.params?.denyAll !== DENY_ALL_CONSOLE_SIGN_IN) return undefined;
  return action.params.denyAllPolicyName || denyAllPolicyName(incidentId);
}

/**
 * How the record holds a deny-all's put (`plannedDenyAll`): `done`; `failed` with its error (a put whose answer was lost
 * may have reached IAM); `user-not-found`, failed on NoSuchEntity (the user was not found under its recorded name:
 * nothing was put, under any name); or `none`, no deny-all step recorded (the run stopped before it, after revoking the
 * sessions). Drift and the release say which (rel28 item 2): each said "its put was recorded failed".
 */
export function denyAllPut(action: ActionRecord): { put: 'done' | 'failed' | 'user-not-found' | 'none'; code?: string } {
  const steps = (action.steps ?? []).filter((s) => s.name === 'deny-all');
  if (steps.some((s) => s.status === 'done')) return { put: 'done' };
  const last = steps.at(-1);
  if (!last) return { put: 'none' };
  if (last.code === 'NoSuchEntity') return { put: 'user-not-found', code: last.code };
  return { put: 'failed', ...(last.code ? { code: last.code } : {}) };
}

/**
 * What a session revocation (PER_INCIDENT_ACTIONS) of another incident put on the same principal, kept in the action that
 * holds the principal after a merge (`evidence.mergedPolicies`, rel28 item 3). Each incident's revocation is its own:
 * `datalek-revoke-<id>` and, on a console sign-in, `datalek-deny-all-<id>`. Two incidents' actions on one principal have
 * one id (the principal's pseudonym is the target), and the survivor holds one action of an id: the other's policies were
 * in no open record, so its release left them on the user (locked out, for a deny-all) and drift read them nowhere.
 */
export interface MergedPolicies {
  incidentId: string;
  /** The revocation recorded done there, not released. */
  revocation?: { policyName: string; issuedBefore: string | null };
  /** The deny-all planned there and how its put was recorded (`denyAllPut`): one recorded failed may have reached IAM. */
  denyAll?: { policyName: string; put: 'done' | 'failed' | 'user-not-found' | 'none'; code?: string };
}

/** The policies `action` holds for incidents merged into its own (`keepMergedPolicies`). */
export function mergedPoliciesOf(action: ActionRecord): MergedPolicies[] {
  const list = action.evidence?.mergedPolicies;
  return Array.isArray(list) ? (list as MergedPolicies[]).filter((m) => typeof m?.incidentId === 'string') : [];
}

/** The step of a release that removes what `m` holds (`kind`): named by its incident, so a retry skips what was removed. */
export const mergedRemoveStep = (kind: 'revocation' | 'deny-all', m: MergedPolicies) => `remove-${kind}:${m.incidentId}`;

/**
 * `kept`, the action of an id a merge keeps, holding too what `dropped`, the other incident's (`droppedIncidentId`)
 * action of that id, put on the principal and did not release (and what that one held of earlier merges). Only a
 * session revocation's: every other action sets a state the resource has once, and is held by one incident.
 */
export function keepMergedPolicies(kept: ActionRecord, dropped: ActionRecord, droppedIncidentId: string): ActionRecord {
  if (!PER_INCIDENT_ACTIONS.has(kept.type) || kept.type !== dropped.type || dropped.released) return kept;
  const undone = new Set(dropped.partlyReleased?.undone ?? []);
  const done = new Set((dropped.steps ?? []).filter((s) => s.status === 'done').map((s) => s.name));
  const entry: MergedPolicies = { incidentId: droppedIncidentId };
  const policyName = dropped.evidence?.policyName;
  const revokeStep = dropped.type === 'revoke-role-sessions' ? 'revoke-older-sessions' : 'revoke-user-sessions';
  if (done.has(revokeStep) && !undone.has('remove-revocation') && typeof policyName === 'string' && policyName) {
    const issuedBefore = dropped.evidence?.issuedBefore;
    entry.revocation = { policyName, issuedBefore: typeof issuedBefore === 'string' ? issuedBefore : null };
  }
  const denyAll = plannedDenyAll(dropped, droppedIncidentId);
  const put = denyAllPut(dropped);
  // A deny-all the run got to (a step recorded), or may have (the run stopped after the revocation): it may be on the user.
  if (denyAll && (dropped.steps ?? []).length > 0 && !undone.has('remove-deny-all'))
    entry.denyAll = { policyName: denyAll, ...put } as MergedPolicies['denyAll'];
  const earlier = mergedPoliciesOf(dropped);
  const add = [...earlier, ...(entry.revocation || entry.denyAll ? [entry] : [])];
  const mine = mergedPoliciesOf(kept);
  const more = add.filter((m) => !mine.some((x) => x.incidentId === m.incidentId));
  if (more.length === 0) return kept;
  return { ...kept, evidence: { ...kept.evidence, mergedPolicies: [...mine, ...more] } };
}

/**
 * `action` as a merge moves it out of incident `fromId`: a deny-all it asked for keeps the name it has there (put, or
 * to be put, under that incident's id), for the survivor's run, release and read-back, which know only their own id.
 * One merged before this (red27 #4) cannot be told from the survivor's own: its name is the survivor's.
 */
export function keepDenyAllName(action: ActionRecord, fromId: string): ActionRecord {
  const name = plannedDenyAll(action, fromId);
  if (!name || action.params?.denyAllPolicyName) return action;
  return { ...action, params: { ...action.params, denyAllPolicyName: name } };
}

export const PER_INCIDENT_ACTIONS: ReadonlySet<string> = new Set(['revoke-role-sessions', 'revoke-user-sessions']);

/**
 * Steps that cut nothing by themselves (adapters/aws/containment): the resource's state captured,
 * the isolation groups made, and what an isolation does beside the interfaces' swaps (out of the
 * Auto Scaling group and target groups, protected, snapshotted, tagged). Done while every swap
 * failed, the network is open.
 */
const CUTS_NOTHING =
  /^(capture-.*|prepare-isolation-groups|detach-from-asg|deregister-target-groups|protect-instance|snapshot-volumes|snapshot-database|drain-container-instance|tag-instance|tag-task)$/;

/**
 * Network isolations, whose hold is their interfaces' swaps alone: the credentials step
 * (`revoke-instance-credentials`) runs after the swaps whether or not any was cut, and its deny
 * policy is the incident's own (like revoke-role-sessions); done beside failed swaps, the network is open.
 */
const NETWORK_ISOLATIONS: ReadonlySet<string> = new Set(['isolate-instance', 'isolate-ecs-task']);

/**
 * Whether the action holds its resource contained: the action done, or a step that cuts it done
 * (an interface isolated, a key deactivated, a bucket blocked), not only one that prepares or goes
 * beside it. For a network isolation only an interface's swap (`isolate-eni:<id>`) cuts.
 */
function cutResource(action: ActionRecord): boolean {
  if (action.status === 'done') return true;
  const cuts = NETWORK_ISOLATIONS.has(action.type) ? (name: string) => name.startsWith('isolate-eni:') : (name: string) => !CUTS_NOTHING.test(name);
  return (action.steps ?? []).some((s) => s.status === 'done' && cuts(s.name));
}

/**
 * Where a network isolation's groups step keeps the groups it made, each as `{ id, role }` (its
 * progress, which the record keeps when the step fails): the groups datalek's record vouches for
 * include them, in that role, so a retry uses a group an earlier, failed attempt made instead of
 * making another beside it.
 */
export const GROUPS_STEP_PROGRESS = 'progress:prepare-isolation-groups';
export const GROUPS_MADE = 'groupsMade';

/**
 * The code of a capture that found the resource in datalek's isolation group already (another record
 * isolated it, or a release not finished): final until that record releases it, never mended by a retry.
 */
export const ALREADY_ISOLATED = 'AlreadyIsolated';

/**
 * The same for the other resources (last read's L1): a key found inactive, a bucket with all four
 * Block Public Access settings on, a function at reserved concurrency 0, an object tagged
 * malware-detected by datalek. That state is never recorded as the one to restore.
 */
export const ALREADY_CONTAINED = 'AlreadyContained';

/**
 * The code of an instance isolation's task step failed because no run read all the tasks of a container instance ECS no
 * longer has (adapters/aws/containment/ec2.ts): only a person's search by hand, recorded with `datalek contained`, ends it (core/by-hand.ts).
 */
export const TASKS_NEVER_READ = 'TasksNeverRead';

const FOUND_CONTAINED: ReadonlySet<string> = new Set([ALREADY_ISOLATED, ALREADY_CONTAINED]);

/**
 * Where a capture that found every interface isolated already (`ALREADY_ISOLATED`) keeps what it found:
 * in its step's progress (which the record keeps with the failed step), under this key, each
 * interface with the isolation group it is in. The drift check reads them back under this incident.
 */
export const FOUND_ISOLATED = 'foundIsolated';
const CAPTURE_STEPS = ['capture-metadata', 'capture-task'];

/** The interfaces a network isolation's capture found isolated already, each with its group; null when none were recorded. */
export function foundIsolatedInterfaces(action: ActionRecord): { id: string; group: string }[] | null {
  for (const name of CAPTURE_STEPS) {
    const found = (action.evidence?.[`progress:${name}`] as Record<string, unknown> | undefined)?.[FOUND_ISOLATED];
    if (Array.isArray(found) && found.length) return found as { id: string; group: string }[];
  }
  return null;
}

/** Whether the action's run stopped only at finding its resource contained already (`ALREADY_ISOLATED`, `ALREADY_CONTAINED`). */
export function foundIsolatedAlready(action: ActionRecord): boolean {
  const failed = (action.steps ?? []).filter((s) => s.status === 'failed');
  return failed.length > 0 && failed.every((s) => FOUND_CONTAINED.has(s.code ?? ''));
}

/**
 * Whether a run left the action to another incident: skipped because that incident holds its
 * resource (`heldBy`), or because its resource was found contained already (`foundIsolatedAlready`).
 */
export function leftElsewhere(action: ActionRecord): boolean {
  return action.status === 'skipped' && (Boolean(action.heldBy) || foundIsolatedAlready(action));
}

/**
 * What a run tells of the actions whose outcomes it recorded (`containmentUntold`), and the message
 * kind: failed when any failed, done when any was carried out, else left (Y13: never "done" for a run
 * that only left its actions to the incident holding their resources). Null: nothing to tell.
 */
export function toldOutcomes(actions: ActionRecord[]): { kind: 'containment-failed' | 'containment-done' | 'containment-left'; run: ContainmentRun } | null {
  const done = actions.filter((a) => a.status === 'done').length;
  const failed = actions.filter((a) => a.status === 'failed').length;
  const left = actions.filter(leftElsewhere);
  if (done + failed + left.length === 0) return null;
  const heldBy = [...new Set(left.flatMap((a) => (a.heldBy ? [a.heldBy] : [])))].sort();
  const unheld = left.filter((a) => !a.heldBy).length;
  const run: ContainmentRun = { done, failed, ...(left.length ? { left: left.length, heldBy, unheld } : {}) };
  return { kind: failed ? 'containment-failed' : done ? 'containment-done' : 'containment-left', run };
}

/** The one-state-per-resource containment an incident holds: enforced, cut (`cutResource`), not released. */
export function heldContainment(incident: Incident): HeldContainment[] {
  return incident.actions
    .filter((a) => !a.person && !PER_INCIDENT_ACTIONS.has(a.type) && a.mode === 'enforce' && !a.released && cutResource(a))
    .map((a) => ({ incidentId: incident.id, type: a.type, target: a.target, ...actionPlace(a, incident) }));
}

/**
 * What a plan leaves to `incident`, linked to the one planning (core/record-finding.ts): what it holds
 * contained (`heldContainment`), and what its run took up and has not finished (`startedAt`: that
 * run's take holds it, and a second plan would only be left to it when its own run comes). An action
 * so left that is never carried out is handed back: by the holder's release (release.ts undoIn) or
 * its closing (`handBack`). Its notes (`containedBy`) are not read here: one may name an incident that
 * released the resource since, which only a read of that incident tells (the run's take does).
 */
export function takenContainment(incident: Incident): HeldContainment[] {
  const held = heldContainment(incident);
  const taken = incident.actions
    .filter((a) => a.startedAt && !a.person && !PER_INCIDENT_ACTIONS.has(a.type) && a.mode === 'enforce' && !a.released && !a.heldBy)
    .map((a) => ({ incidentId: incident.id, type: a.type, target: a.target, ...actionPlace(a, incident) }));
  return [...held, ...taken.filter((a) => !holderIn(held, a))];
}

/**
 * The action of `holder`, an incident `incident`'s `action` was left to, whose containment of that
 * resource failed (or was refused since), with no run of `holder` under way (its lease run out or given back) and nothing of
 * it holding the resource: nothing contains it, and nothing hands it back while `holder` is open (its
 * take of the resource holds until its release or closing). Undefined otherwise (held, under way,
 * released, or never taken up).
 */
export function failedAtHolder(holder: Incident, action: ActionRecord, incident: Incident, now: string): ActionRecord | undefined {
  if (holder.state === 'closed' || (holder.containmentLease && Date.parse(holder.containmentLease.until) > Date.parse(now))) return undefined;
  const failed = holder.actions.find(
    // Refused on a later run (refuseAction sets plan mode when nothing of it was done): it failed
    // and carries out nothing either (read14c C5).
    (b) => b.status === 'failed' && !b.released && !b.heldBy && (b.mode === 'enforce' || b.refused) && sameResource(action, incident, b, holder),
  );
  if (!failed) return undefined;
  // A network isolation that cut one interface holds the resource, yet one refused leaves it open (read12c C2).
  if (failedInterfaces(failed).length) return failed;
  return holderIn(heldContainment(holder), { type: action.type, target: action.target, ...actionPlace(action, incident) }) ? undefined : failed;
}

/**
 * The interfaces a network isolation's run failed to isolate (its last `isolate-eni:<id>` step for
 * each failed): the resource is reachable through them whatever other interface it cut.
 */
export function failedInterfaces(action: ActionRecord): string[] {
  if (!NETWORK_ISOLATIONS.has(action.type)) return [];
  const last = new Map<string, string>();
  for (const s of action.steps ?? []) if (s.name.startsWith('isolate-eni:')) last.set(s.name.slice('isolate-eni:'.length), s.status);
  return [...last].filter(([, status]) => status === 'failed').map(([id]) => id);
}

/** The track (`reminders.byClock`) under which an incident keeps when the failure of the holder of its action `actionId` was told. */
export const leftFailedTrack = (actionId: string) => `${LEFT_FAILED_PREFIX}${actionId}`;

/**
 * Drops, in `draft`, the marks of holders' failures told (`leftFailedTrack`) of actions no longer left
 * to another incident: handed back (a closing, a release, the sweep), taken up, released. Every commit
 * does (change-incident.ts), so no hand-back leaves one behind (read12c C4). Whether any went.
 */
export function dropUntoldLeftMarks(draft: Incident): boolean {
  const byClock = draft.reminders.byClock;
  if (!byClock) return false;
  const left = new Set(draft.actions.filter((a) => a.status === 'skipped' && a.heldBy && !a.released && !a.person).map((a) => leftFailedTrack(a.id)));
  const stale = Object.keys(byClock).filter((k) => k.startsWith(LEFT_FAILED_PREFIX) && !left.has(k));
  if (stale.length === 0) return false;
  draft.reminders.byClock = Object.fromEntries(Object.entries(byClock).filter(([k]) => !stale.includes(k)));
  return true;
}

/** When a holder's failed action failed (its last failed step's time, else when it was planned): a failure is told once. */
export function failedAt(action: ActionRecord): string {
  return (action.steps ?? []).filter((s) => s.status === 'failed').at(-1)?.at ?? action.at;
}

/**
 * Why an action is left to the incident holding its resource: a second containment would record the
 * first's contained state as the one to restore, and two records would each claim it (a release of
 * either then undoes it for both). `labels.ts` may read this wording back.
 */
export function heldByReason(incidentId: string): string {
  return `contained by incident ${incidentId}, which holds this resource: left to it, so that one record holds the containment; its release is told here`;
}

/**
 * Why an action is left to a holder whose containment of the resource failed (contain.ts
 * `tellFailedAtHolders`): NOT CONTAINED, reachable through the interfaces it failed to isolate when
 * it cut others (`failedInterfaces`), and the command that carries it out again there. `labels.ts`
 * reads this wording back.
 */
export function failedAtHolderReason(holderId: string, when: string, open: readonly string[]): string {
  const uncontained = open.length ? `reachable through ${open.join(', ')}, which it failed to isolate` : 'nothing datalek records contains it';
  return `left to incident ${holderId}, which took this resource up and whose containment of it failed at ${when}: NOT CONTAINED, ${uncontained}; ${containCommand(holderId)} carries it out again there (datalek show ${holderId} says why it failed)`;
}

/**
 * The command that carries out an incident's containment again (`datalek contain`), with every flag it
 * needs (it refuses to run without --by, --reason and --target aws): a text that names it gives one that
 * runs as given (rel28 item 4). `enforce`: what the policy only planned too. `nl`: the values in Dutch.
 */
export function containCommand(incidentId: string, options: { enforce?: boolean; lang?: 'nl' | 'en' } = {}): string {
  const [name, text] = options.lang === 'nl' ? ['NAAM', 'TEKST'] : ['NAME', 'TEXT'];
  return `datalek contain ${incidentId}${options.enforce ? ' --enforce' : ''} --by ${name} --reason ${text} --target aws`;
}

/** The runbook of each action type a rule can resolve to (a person's step from a rule names its own). */
export const ACTION_RUNBOOKS: Record<string, string> = {
  'isolate-instance': 'runbooks/isolate-ec2-instance.md',
  'isolate-ecs-task': 'runbooks/isolate-ecs-task.md',
  'contain-lambda-function': 'runbooks/lambda-function.md',
  'deactivate-access-key': 'runbooks/compromised-access-key.md',
  'revoke-role-sessions': 'runbooks/revoke-role-sessions.md',
  'contain-credential-source': 'runbooks/revoke-role-sessions.md#the-instance-that-leaked-them',
  'revoke-user-sessions': 'runbooks/revoke-user-sessions.md',
  'deactivate-user-keys': 'runbooks/revoke-user-sessions.md#the-long-term-key-that-made-them',
  'secure-console-sign-in': 'runbooks/revoke-user-sessions.md#the-password-and-mfa-of-a-console-sign-in',
  'restrict-root-credentials': 'runbooks/compromised-access-key.md',
  'contain-federated-user': 'runbooks/federated-user.md',
  'review-principal': 'runbooks/compromised-access-key.md',
  'block-public-access': 'runbooks/public-s3-bucket.md',
  'tag-s3-object': 'runbooks/malware-in-data.md',
  'tag-snapshot': 'runbooks/malware-in-data.md',
  'tag-image': 'runbooks/malware-in-data.md',
  'tag-recovery-point': 'runbooks/malware-in-data.md',
  'restrict-rds-instance': 'runbooks/rds-database.md',
  'review-database-access': 'runbooks/rds-database.md',
  'contain-kubernetes-workload': 'runbooks/eks-cluster.md',
  'contain-container': 'runbooks/isolate-ecs-task.md',
  'block-dns-channel': 'runbooks/block-dns-channel.md',
  'contain-in-other-account': 'runbooks/other-account.md',
};

/**
 * What an isolation that was carried out leaves open, for the record (the action's reason once it
 * is done, so the timeline, `show`, the on-call page and the FG's message all say it): security
 * groups and network ACLs do not filter the Amazon-provided DNS resolver, the metadata service or
 * Amazon Time Sync (AWS VPC documentation), so an isolated instance or task can still send data
 * out in DNS queries. `labels.ts` reads this wording back for the Dutch text.
 */
export const ISOLATION_LEAVES_OPEN =
  'network cut, except what no security group filters: the Amazon DNS resolver, the metadata service and Amazon Time Sync stay reachable (runbooks/block-dns-channel.md)';

/** The reason a done action keeps: an isolation says what it left open; others need none. */
export function doneReason(type: string): string | undefined {
  return type === 'isolate-instance' || type === 'isolate-ecs-task' ? ISOLATION_LEAVES_OPEN : undefined;
}

/** Rules that match a finding: type, severity, role, involvement and public-bucket conditions. */
export function matchingRules(finding: Finding, policy: Policy, fallback = false): ContainmentRule[] {
  return policy.containment.rules.filter(
    (rule) =>
      rule.fallback === fallback &&
      finding.severity >= rule.minSeverity &&
      ruleTakesType(rule, finding.type) &&
      (!rule.resourceRole || rule.resourceRole === finding.resourceRole) &&
      (!rule.involvement || rule.involvement === finding.involvement.role) &&
      (!rule.onlyPublicBuckets || finding.publicBuckets.length > 0),
  );
}

/**
 * Whether one of the rule's type patterns matches the type. Remembered per pattern list and type:
 * every finding is matched against every rule of the policy (some forty patterns), and a replay
 * sees the same few types again and again. A bounded number per list (a finding's type is any
 * text), forgotten all at once when full.
 */
function ruleTakesType(rule: ContainmentRule, type: string): boolean {
  let known = typesTaken.get(rule.findingTypes);
  if (!known) {
    known = new Map();
    typesTaken.set(rule.findingTypes, known);
  }
  let takes = known.get(type);
  if (takes === undefined) {
    takes = rule.findingTypes.some((p) => matchesType(p, type));
    if (known.size >= 1024) known.clear();
    known.set(type, takes);
  }
  return takes;
}
const typesTaken = new WeakMap<readonly string[], Map<string, boolean>>();

/**
 * The steps the finding calls for; a fallback rule's only when no other rule has a step that can
 * be taken (none matched, or each found nothing to act on: an anonymous caller has no key to disable).
 */
function stepsFor(finding: Finding, policy: Policy): { rule: ContainmentRule; step: Step }[] {
  const steps = rulesSteps(matchingRules(finding, policy), finding, policy);
  if (steps.some(({ step }) => !step.skip)) return withDnsChannel(steps, finding);
  return withDnsChannel([...steps, ...rulesSteps(matchingRules(finding, policy, true), finding, policy)], finding);
}

/**
 * A finding whose channel is DNS: after the isolation of its own instance or task, a step to block
 * that channel, which the isolation leaves open (the VPC's resolver answers an isolated instance).
 * It comes from the rule that isolates, so it follows that rule's mode.
 */
function withDnsChannel(steps: { rule: ContainmentRule; step: Step }[], finding: Finding): { rule: ContainmentRule; step: Step }[] {
  const channel = dnsChannelOf(finding.type, finding.detail);
  if (!channel) return steps;
  const own = new Set([finding.instance?.instanceId, finding.ecs?.taskArn].filter((id): id is string => Boolean(id)));
  const out: { rule: ContainmentRule; step: Step }[] = [];
  for (const entry of steps) {
    out.push(entry);
    const { type, target, skip } = entry.step;
    if (!skip && (type === 'isolate-instance' || type === 'isolate-ecs-task') && own.has(target)) {
      out.push({ rule: entry.rule, step: dnsChannelStep(target, type === 'isolate-instance' ? 'instanceId' : 'taskArn', channel) });
    }
  }
  return out;
}

/** Most domains one DNS channel step lists; further ones are counted (`params.domainsNotListed`). */
export const MAX_DNS_DOMAINS = 20;

/**
 * The step that blocks a DNS channel: a person's, with its runbook, one per workload (instance or
 * task). Its target is the workload; the domains the findings name are attacker-chosen text, so
 * they neither make steps of their own (a pod querying a hundred names it picks would fill the
 * incident's record with a hundred steps) nor go into messages: the step lists them in params, at
 * most MAX_DNS_DOMAINS, and counts the rest. A later finding naming another domain adds it to the
 * step (`withDnsDomains`).
 */
function dnsChannelStep(workload: string, key: 'instanceId' | 'taskArn', channel: DnsChannel): Step {
  const domains = channel.domain ? [channel.domain] : [];
  const step = personStep('block-dns-channel', workload, dnsParams({ [key]: workload }, domains, 0));
  const note = dnsNote(domains);
  return note ? { ...step, note } : step;
}

function dnsParams(base: Record<string, string>, domains: string[], notListed: number): Record<string, string> {
  return {
    ...base,
    ...(domains.length ? { domains: JSON.stringify(domains) } : {}),
    ...(notListed ? { domainsNotListed: String(notListed) } : {}),
  };
}

/** The domains a DNS channel step lists (a record from before the list held one, as `domain`). */
export function dnsDomains(params: Record<string, string> | undefined): string[] {
  if (params?.domains) {
    try {
      const list: unknown = JSON.parse(params.domains);
      if (Array.isArray(list)) return list.filter((d): d is string => typeof d === 'string');
    } catch {
      // Not a list: said as it is below.
    }
    return [params.domains];
  }
  return params?.domain ? [params.domain] : [];
}

/** What a DNS channel step must say before its runbook, or nothing; never a domain itself (it goes into messages). */
function dnsNote(domains: string[]): string | undefined {
  if (domains.length === 0) return 'the finding names no domain';
  const refused = domains.map(dnsBlockRefusal).filter((r): r is string => r !== null);
  if (refused.length === 0) return undefined;
  if (domains.length === 1) return `not to be blocked VPC-wide: ${refused[0]}`;
  return `${refused.length} of the ${domains.length} domains not to be blocked VPC-wide (datalek show names them and why)`;
}

/**
 * The workload's DNS channel step with the domains a later finding names added: the same step (its
 * id), its list grown to MAX_DNS_DOMAINS and the rest counted; null when the finding adds no domain
 * it does not list. A step a sample planned (skipped) becomes a real finding's; a step a person
 * decided will not be done (`notDone`, also skipped) is no sample's: it keeps that decision, and
 * a new domain is listed beside it (the timeline records the step with it), never reopening it.
 */
function withDnsDomains(before: ActionRecord, action: ActionRecord): ActionRecord | null {
  const listed = dnsDomains(before.params);
  const added = dnsDomains(action.params).filter((d) => !listed.includes(d));
  const real = before.status === 'skipped' && !before.notDone && action.status === 'planned';
  // A sample finding (skipped) adds nothing to a real finding's step: test data is never blocked.
  if ((added.length === 0 || action.status === 'skipped') && !real) return null;
  const room = Math.max(0, MAX_DNS_DOMAINS - listed.length);
  const domains = [...listed, ...added.slice(0, room)];
  const notListed = Number(before.params?.domainsNotListed ?? 0) + Math.max(0, added.length - room);
  const { domain: _old, domains: _list, domainsNotListed: _count, ...base } = before.params ?? {};
  const merged: ActionRecord = { ...(real ? action : before), id: before.id, findingId: action.findingId, params: dnsParams(base, domains, notListed) };
  if (merged.status === 'planned') {
    const note = dnsNote(domains);
    merged.reason = `${note ? `${note}; ` : ''}a person acts: ${ACTION_RUNBOOKS['block-dns-channel']}`;
  }
  return merged;
}

/** Second-level names under which anyone registers (`co.uk`, `com.au`): a block of one blocks them all. */
const SHARED_SECOND_LEVEL = /^(?:co|com|net|org|gov|ac|edu|ne|or|go|gob|gv|nic|mil)\.[a-z]{2}$/;
/** AWS's own domains: a VPC-wide block of one of them (or a name under it) cuts AWS services for every instance. */
const AWS_DOMAINS = [
  'amazonaws.com',
  'amazonaws.com.cn',
  'amazon.com',
  'aws',
  'api.aws',
  'awsstatic.com',
  'amazontrust.com',
  'cloudfront.net',
  'aws.dev',
  'internal',
];

/**
 * Why a domain must not be blocked VPC-wide (the domain and every name under it), or null when it
 * may. The reason never repeats the domain (it goes into messages).
 */
export function dnsBlockRefusal(domain: string): string | null {
  if (domain.includes('*')) return 'the domain holds a wildcard, and only the names the finding gives are blocked';
  const labels = domain.split('.');
  if (domain.length > 253 || !labels.every((l) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l))) return 'it is not a valid domain name';
  if (labels.length < 2) return 'it is a top-level domain: blocking it would block every domain under it';
  if (SHARED_SECOND_LEVEL.test(domain)) return 'it is a shared second-level domain (like co.uk): blocking it would block every domain under it';
  const aws = AWS_DOMAINS.find((d) => domain === d || domain.endsWith(`.${d}`));
  if (aws) return `it is under ${aws}, AWS's own: blocking it would cut AWS services for every instance in the VPC`;
  return null;
}

/** Each rule's steps, in order (a loop: flatMap costs about a microsecond a call in Node 20). */
function rulesSteps(rules: ContainmentRule[], finding: Finding, policy: Policy): { rule: ContainmentRule; step: Step }[] {
  const out: { rule: ContainmentRule; step: Step }[] = [];
  for (const rule of rules) for (const step of resolve(rule, finding)) out.push({ rule, step: sparingPipeline(step, finding, policy) });
  return out;
}

/**
 * The actions a finding calls for, new or changed: merge them into the incident's with
 * `withActions`. Sample findings get every action as skipped: test data never touches a resource.
 * An action the incident already has (same type and target, in the same account and region) is
 * left as it is: finished containment is never run again. Except: one only planned (the policy
 * planned it for an earlier, milder finding, or an exemption tag held it) is enforced when this
 * finding's rule enforces it, recorded with this finding: the order findings come in never
 * decides whether a resource is contained. And one a person released is planned again, as an
 * action of its own (`…#2`), by new evidence: another finding, or activity after the release.
 *
 * A target in another account than the incident's (the caller of an S3 finding, an attack
 * sequence's actor or resource) is acted on there, and only in an account containment may act in:
 * the finding's own and the policy's `containment.memberAccounts`. Elsewhere nothing of ours can
 * act on it, and a namesake in our account must never be hit instead: a person's step says what
 * the other account's owner must do and what can be blocked from our side.
 */
export function planContainment(finding: Finding, policy: Policy, existing: ActionRecord[], opts: PlanOptions): ActionRecord[] {
  const planned: ActionRecord[] = [];
  const home = opts.home ?? { accountId: finding.key.accountId, region: finding.key.region };
  const ours = new Set([home.accountId, finding.key.accountId, ...policy.containment.memberAccounts]);
  // The incident's latest action per kind, target and place, and how many it had.
  const latest = new Map<string, { action: ActionRecord; count: number }>();
  for (const a of existing) {
    const key = actionId(formerPseudonymStep(a, finding), home);
    latest.set(key, { action: a, count: (latest.get(key)?.count ?? 0) + 1 });
  }
  const seen = new Set<string>();
  for (const { rule, step: asked } of stepsFor(finding, policy)) {
    const step = asked.runbook === undefined && asked.accountId && !ours.has(asked.accountId) ? otherAccountStep(asked) : asked;
    const id = actionId(step, home);
    if (seen.has(id)) continue;
    seen.add(id);
    const before = latest.get(id);
    const person = step.runbook !== undefined;
    const wanted = !person && !step.skip && opts.canEnforce && (rule.mode === 'enforce' || opts.forceEnforce === true);
    const exempt = wanted && exemptionOf(finding, step.target, policy);
    const enforce = wanted && !exempt;
    const heldBy =
      person || step.skip
        ? undefined
        : holderIn(opts.heldElsewhere, {
            type: step.type,
            target: step.target,
            accountId: step.accountId ?? home.accountId,
            region: step.region ?? home.region,
          });
    let status: ActionRecord['status'] = 'planned';
    let reason: string | undefined;
    if (finding.sample) {
      status = 'skipped';
      reason = 'sample finding: test data never touches a resource';
    } else if (step.skip) {
      status = 'skipped';
      reason = step.skip;
    } else if (heldBy) {
      status = 'skipped';
      reason = heldByReason(heldBy);
    } else if (person) {
      reason = `${step.note ? `${step.note}; ` : ''}a person acts: ${step.runbook}`;
    } else if (exempt) {
      reason = exemptReason(exempt, step.type);
    } else if (!enforce) {
      reason = planReason(opts.canEnforce);
    }
    const action: ActionRecord = {
      id,
      type: step.type,
      target: step.target,
      ...placeOf(step, home),
      status,
      reason,
      mode: enforce ? 'enforce' : 'plan',
      findingId: finding.key.findingId,
      ...findingPlaceOf(finding, home),
      at: opts.now,
    };
    if (person) action.person = true;
    if (heldBy && !finding.sample) action.heldBy = heldBy;
    const params: Record<string, string> = { ...step.params, ...(person ? { runbook: step.runbook as string } : {}) };
    if (step.type === 'isolate-instance' && policy.containment.revokeInstanceCredentials) params.revokeInstanceCredentials = 'true';
    if (Object.keys(params).length) action.params = params;
    if (before?.action.released) {
      if (!renewed(finding, before.action)) continue;
      action.id = `${id}#${before.count + 1}`;
    } else if (before) {
      if (step.type === 'block-dns-channel') {
        const grown = withDnsDomains(before.action, action);
        if (grown) planned.push(grown);
        continue;
      }
      if (!upgrades(action, before.action)) continue;
      action.id = before.action.id;
      // Refused after some steps were done: what was done stays recorded, and the run resumes there.
      if (before.action.steps?.length) action.steps = before.action.steps;
      if (before.action.evidence) action.evidence = before.action.evidence;
    }
    planned.push(action);
  }
  return planned;
}

/**
 * The target of a federated user's step without a session key: the principal's pseudonym under the
 * store's secret, as the finding names it (finding-resources.ts `withPseudonyms`, fed16). A finding
 * planned without being recorded (coverage's, the contain function's check of an enforced action,
 * which never carries out a person's step) has none: its step is then named so, and never stored.
 */
function federatedUserTarget(principal: string, finding: Finding): string {
  return finding.pseudonyms?.get(principal) ?? 'federated-user:(not recorded)';
}

/**
 * The target of an IAM user's `revoke-user-sessions` when the finding names the user by its name
 * alone (no principal id, no key): the name's pseudonym under the store's secret, as for a
 * federated user (`federatedUserTarget`); the user acted on is the name in the step's params.
 */
function iamUserTarget(userName: string, finding: Finding): string {
  return finding.pseudonyms?.get(userName) ?? 'iam-user:(not recorded)';
}

/**
 * A step as an incident recorded before its principal was pseudonymised holds it, read under the
 * target it is planned by now, so the next finding for that principal finds it held, not a second
 * step (readC15 C2); the old step keeps its target in the record. A federated user's (before fed16):
 * targeted at the principal itself (`account:name`; a session key's id has no colon) before 9d20192,
 * or at its unkeyed SHA-256 (12 hex) with the principal in `params` since. An IAM user's
 * `revoke-user-sessions` (before fgpseud17): targeted at the user name (or, for an attack
 * sequence's actor, the sequence's id), the name in `params`.
 */
export function formerPseudonymStep(a: ActionRecord, finding: Finding): ActionRecord {
  if (!finding.pseudonyms) return a;
  let principal: unknown;
  if (a.type === 'contain-federated-user')
    principal = a.target.startsWith('federated-user:') ? a.params?.principalId : a.target.includes(':') ? a.target : undefined;
  // An IAM user's by its principal id itself (before fg19), or by its user name.
  else if (a.type === 'revoke-user-sessions' && !a.target.startsWith('iam-user:')) principal = finding.pseudonyms.has(a.target) ? a.target : a.params?.userName;
  const target = typeof principal === 'string' ? finding.pseudonyms.get(principal) : undefined;
  return target && target !== a.target ? { ...a, target } : a;
}

/**
 * The steps a person decided not to carry out (`notDone`) that this finding's rule would have
 * enforced had nobody decided: the decision holds (`upgrades`), and the caller records that the
 * finding asked for them, so the FG sees new evidence against the decision.
 */
export function notDoneAskedFor(finding: Finding, policy: Policy, existing: ActionRecord[], opts: PlanOptions): ActionRecord[] {
  const decided = existing.filter((a) => a.notDone && !a.released);
  if (decided.length === 0) return [];
  const undecided = existing.map(({ notDone: _decision, ...a }) => a);
  const wanted = planContainment(finding, policy, undecided, opts).filter((p) => p.mode === 'enforce');
  return decided.filter((a) => wanted.some((p) => p.id === a.id));
}

/** The incident in `held` that holds this action's resource contained, if any (a per-incident revocation is held by none). */
export function holderIn(held: HeldContainment[] | undefined, a: { type: string; target: string; accountId: string; region: string }): string | undefined {
  if (!held?.length || PER_INCIDENT_ACTIONS.has(a.type)) return undefined;
  return held.find((h) => h.type === a.type && h.target === a.target && h.accountId === a.accountId && h.region === a.region)?.incidentId;
}

/**
 * An enforced action in place of one the incident only planned, which touched nothing; or in place
 * of one the contain function refused (its finding did not call for it there), which new evidence
 * the policy enforces asks for again: a refusal never makes the resource uncontainable.
 */
function upgrades(action: ActionRecord, before: ActionRecord): boolean {
  // A person decided it will not be carried out (`datalek not-done`): a later finding's rule never
  // takes that decision back; `notDoneAskedFor` names the finding that asked, for the timeline.
  if (action.mode !== 'enforce' || before.person || before.notDone) return false;
  if (before.refused) return true;
  return before.mode === 'plan' && (before.status === 'planned' || before.status === 'skipped') && !before.steps?.length;
}

/** Where the finding was recorded, when not under the incident's account and region (a record without says: there). */
function findingPlaceOf(finding: Finding, home: { accountId: string; region: string }): { findingAccountId?: string; findingRegion?: string } {
  const out: { findingAccountId?: string; findingRegion?: string } = {};
  if (finding.key.accountId !== home.accountId) out.findingAccountId = finding.key.accountId;
  if (finding.key.region !== home.region) out.findingRegion = finding.key.region;
  return out;
}

/**
 * New evidence after a person released an action: another finding than the one it was planned
 * for, or this one's activity last seen after the release (a later occurrence). A version that
 * shows none (archived in GuardDuty, as a false positive is, or re-scored) is not, nor is a
 * redelivery of what the person saw when releasing.
 */
function renewed(finding: Finding, released: ActionRecord): boolean {
  if (finding.archived) return false;
  return finding.key.findingId !== released.findingId || Date.parse(lastSeen(finding)) > Date.parse(released.released?.at ?? '');
}

/** The incident's actions with a plan's merged in: a changed action in its place, a new one at the end. */
export function withActions(existing: ActionRecord[], planned: ActionRecord[]): ActionRecord[] {
  if (planned.length === 0) return existing;
  const changed = new Map(planned.map((a) => [a.id, a]));
  const out = existing.map((a) => {
    const now = changed.get(a.id);
    if (now) changed.delete(a.id);
    return now ?? a;
  });
  out.push(...changed.values());
  return out;
}

/**
 * Why an exempted resource was not contained, for on-call and for the record: the exemption is a
 * tag on the resource itself, which whoever may tag it (its own role, an attacker holding it) could
 * have set, so the reason says where it came from and that a person must contain it by hand.
 * `labels.ts` reads this wording back for the Dutch text.
 */
export function exemptReason(tag: string, type: string): string {
  return `exempt by tag ${tag} on the resource (whoever may tag the resource can set it): not contained; contain it by hand: ${ACTION_RUNBOOKS[type] ?? 'runbooks/triage.md'}`;
}

/** Where a target lives, when not in the incident's account and region (a record without says: there). */
function placeOf(where: { accountId?: string; region?: string }, home: { accountId: string; region: string }): { accountId?: string; region?: string } {
  const out: { accountId?: string; region?: string } = {};
  if (where.accountId && where.accountId !== home.accountId) out.accountId = where.accountId;
  if (where.region && where.region !== home.region) out.region = where.region;
  return out;
}

/**
 * One action per kind, target and place: `revoke-role-sessions:AppRole` in the incident's account,
 * `revoke-role-sessions:AppRole@444455556666` for the role of that name in another account (a
 * namesake is another role), `…@444455556666/eu-central-1` in another region too.
 */
export function actionId(a: { type: string; target: string; accountId?: string; region?: string }, home: { accountId: string; region: string }): string {
  const place = placeOf(a, home);
  if (!place.accountId && !place.region) return `${a.type}:${a.target}`;
  return `${a.type}:${a.target}@${place.accountId ?? home.accountId}${place.region ? `/${place.region}` : ''}`;
}

/** The account and region an action acts in: its own when recorded, else the incident's. */
export function actionPlace(a: ActionRecord, incident: { accountId: string; region: string }): { accountId: string; region: string } {
  return { accountId: a.accountId ?? incident.accountId, region: a.region ?? incident.region };
}

/** Whether two incidents' actions act on one resource: the same type and target, in the same account and region. */
export function sameResource(a: ActionRecord, of: Incident, b: ActionRecord, bOf: Incident): boolean {
  if (a.type !== b.type || a.target !== b.target) return false;
  const x = actionPlace(a, of);
  const y = actionPlace(b, bOf);
  return x.accountId === y.accountId && x.region === y.region;
}

/** The kind of resource a one-state-per-resource action acts on, for the action types whose target is a resource an incident is keyed on. */
const KEYED_KIND: Record<string, string> = {
  'isolate-instance': 'ec2-instance',
  'deactivate-access-key': 'access-key',
  'block-public-access': 's3-bucket',
  'contain-lambda-function': 'lambda-function',
  'restrict-rds-instance': 'rds-instance',
};

/**
 * The correlation key of the resource `a` acts on (core/finding.ts `resourceKeyOf`): the key an open
 * incident holding that resource holds, so one point read finds it. The incident's own record of
 * the resource is preferred (a function is named by its ARN there, by its name in the action).
 * Undefined for an action on no keyed resource (a snapshot's tags, a person's step).
 */
export function resourceKeyOfAction(a: ActionRecord, incident: Incident): string | undefined {
  const kind = KEYED_KIND[a.type];
  if (!kind || a.person || incident.sample) return undefined;
  const place = actionPlace(a, incident);
  const named = [incident.resource, ...(incident.resources ?? [])].find(
    (r) => r.kind === kind && (r.id === a.target || r.id.endsWith(`:${a.target}`)) && (r.accountId ?? incident.accountId) === place.accountId,
  );
  return namedResourceKey(kind, named?.id ?? a.target, place.accountId, place.region);
}

/** An action of incident `from` as incident `to` records it: its account and region said outright where they differ. */
export function placedIn(a: ActionRecord, from: { accountId: string; region: string }, to: { accountId: string; region: string }): ActionRecord {
  const place = actionPlace(a, from);
  // Where its finding is stored moves with it too (the contain function looks the finding up there).
  const findingAt = { accountId: a.findingAccountId ?? from.accountId, region: a.findingRegion ?? from.region };
  const findingMoves = findingAt.accountId !== to.accountId || findingAt.region !== to.region;
  if (place.accountId === to.accountId && place.region === to.region && !a.accountId && !a.region && !findingMoves) return a;
  const { accountId: _a, region: _r, findingAccountId: _fa, findingRegion: _fr, ...rest } = a;
  const moved: ActionRecord = {
    ...rest,
    ...placeOf(place, to),
    ...(findingAt.accountId !== to.accountId ? { findingAccountId: findingAt.accountId } : {}),
    ...(findingAt.region !== to.region ? { findingRegion: findingAt.region } : {}),
  };
  moved.id = `${actionId(moved, to)}${a.id.slice(actionId(a, from).length)}`;
  return moved;
}

/**
 * A target in an account containment cannot act in (outside the organisation, or not among the
 * policy's member accounts): a person asks that account's owner to contain it, and blocks it from
 * our side meanwhile. What the step would have been is kept in params.
 */
function otherAccountStep(step: Step): Step {
  return {
    type: 'contain-in-other-account',
    target: step.target,
    accountId: step.accountId,
    ...(step.region ? { region: step.region } : {}),
    runbook: ACTION_RUNBOOKS['contain-in-other-account'],
    params: { ...(step.params ?? {}), action: step.type, accountId: step.accountId as string },
  };
}

function planReason(canEnforce: boolean): string {
  return canEnforce ? 'policy mode is plan: recorded, not carried out' : 'local replay only plans: nothing is touched';
}

interface Step {
  type: string;
  target: string;
  /** Set when the target lives in an account or region of its own (an attack sequence's, a remote caller's). */
  accountId?: string;
  region?: string;
  skip?: string;
  params?: Record<string, string>;
  /** Set for a person's step: the runbook they follow. */
  runbook?: string;
  /** What a person's step must know before the runbook (its reason starts with it). */
  note?: string;
}

const personStep = (type: string, target: string, params?: Record<string, string>): Step => ({
  type,
  target,
  runbook: ACTION_RUNBOOKS[type],
  ...(params ? { params } : {}),
});

function resolve(rule: ContainmentRule, finding: Finding): Step[] {
  switch (rule.action) {
    case 'contain-workload':
      return workloadSteps(finding);
    case 'isolate-instance': {
      const instances = instancesOf(finding);
      if (instances.length === 0) {
        return [
          { type: 'isolate-instance', target: finding.resource.id, skip: `the finding names no EC2 instance (resource type ${finding.resource.resourceType})` },
        ];
      }
      return instances.map((id) => ({ type: 'isolate-instance', target: id }));
    }
    case 'disable-credentials':
      return credentialSteps(finding);
    case 'block-public-access': {
      const buckets = finding.publicBuckets.length > 0 ? finding.publicBuckets : bucketNames(finding);
      if (buckets.length === 0) {
        return [{ type: 'block-public-access', target: finding.resource.id, skip: 'the finding names no S3 bucket' }];
      }
      return buckets.map((b) => ({ type: 'block-public-access', target: b }));
    }
    case 'tag-malware':
      return malwareSteps(finding);
    case 'restrict-database':
      return databaseSteps(finding);
    case 'person':
      return [{ type: rule.step as string, target: finding.resource.id, runbook: rule.runbook as string }];
  }
}

/** The EC2 instances the finding names: its own, an EKS worker node, an attack sequence's. */
function instancesOf(finding: Finding): string[] {
  const ids = finding.instance ? [finding.instance.instanceId] : [];
  for (const r of finding.sequence ? finding.related : []) if (r.kind === 'ec2-instance' && !ids.includes(r.id)) ids.push(r.id);
  return ids;
}

/**
 * The compute that ran it. An EKS cluster itself is left running: its worker nodes named in the
 * finding are isolated like any instance, and a person handles the Kubernetes side.
 */
function workloadSteps(finding: Finding): Step[] {
  if (finding.sequence) return finding.related.flatMap((r) => workloadOf(r));
  const r = finding.resource;
  switch (r.kind) {
    case 'ec2-instance':
      return [{ type: 'isolate-instance', target: r.id }];
    case 'eks-cluster':
      return [...instancesOf(finding).map((id) => ({ type: 'isolate-instance', target: id })), personStep('contain-kubernetes-workload', r.id)];
    case 'ecs-cluster':
      if (finding.ecs?.taskArn) return [ecsTaskStep(finding.ecs.taskArn, finding.ecs.clusterArn ?? finding.ecs.clusterName)];
      if (finding.instance) return [{ type: 'isolate-instance', target: finding.instance.instanceId }];
      return [personStep('contain-container', r.id)];
    case 'container':
      if (finding.instance) return [{ type: 'isolate-instance', target: finding.instance.instanceId }];
      return [personStep('contain-container', r.id)];
    case 'lambda-function':
      return [lambdaStep(finding.lambda?.functionName ?? arnTail(r.id), finding.lambda?.functionArn ?? null)];
    default:
      return [{ type: 'contain-workload', target: r.id, skip: `the finding names no workload to contain (resource type ${r.resourceType})` }];
  }
}

/** A workload an attack sequence names, where it lives. */
function workloadOf(r: AffectedResource): Step[] {
  const place = { ...(r.accountId ? { accountId: r.accountId } : {}), ...(r.region ? { region: r.region } : {}) };
  return workloadStepsOf(r).map((step) => ({ ...step, ...place }));
}

function workloadStepsOf(r: AffectedResource): Step[] {
  switch (r.kind) {
    case 'ec2-instance':
      return [{ type: 'isolate-instance', target: r.id }];
    case 'ecs-task':
      return [ecsTaskStep(r.id, clusterOfTask(r.id))];
    case 'lambda-function':
      return [lambdaStep(arnTail(r.id), r.id.startsWith('arn:') ? r.id : null)];
    case 'eks-cluster':
      return [personStep('contain-kubernetes-workload', r.id)];
    case 'container':
      return [personStep('contain-container', r.id)];
    default:
      return [];
  }
}

function ecsTaskStep(taskArn: string, cluster: string | null): Step {
  if (!cluster) return { type: 'isolate-ecs-task', target: taskArn, skip: 'the finding does not name the task’s cluster' };
  return { type: 'isolate-ecs-task', target: taskArn, params: { cluster } };
}

/** `arn:aws:ecs:region:account:task/cluster/id` names its cluster; the old format (`task/id`) does not. */
function clusterOfTask(taskArn: string): string | null {
  const parts = taskArn.split(':').slice(5).join(':').split('/');
  return parts.length === 3 ? parts[1] : null;
}

/**
 * The names of the pipeline's own functions: `datalek-<handler>-function`, and `Datalek…` for the
 * ones CDK names after the stacks. Containment never stops them (infra denies it too): reserved
 * concurrency 0 on record-finding or notify would silence every later finding and page.
 */
export const PIPELINE_FUNCTION_PREFIXES = ['datalek-', 'Datalek'] as const;

function lambdaStep(functionName: string, functionArn: string | null): Step {
  const params = functionArn ? { params: { functionArn } } : {};
  return { type: 'contain-lambda-function', target: functionName, ...params };
}

/**
 * A function step on one of the pipeline's own functions, skipped. They are known by name and
 * account: a name alone anyone who may create a function can choose, in any account, so a
 * `datalek-…` function outside the pipeline's account (`containment.pipelineAccount`) is contained
 * like any other, and with no pipeline account known none is taken for the pipeline's own.
 */
function sparingPipeline(step: Step, finding: Finding, policy: Policy): Step {
  const pipeline = policy.containment.pipelineAccount;
  if (step.type !== 'contain-lambda-function' || step.skip || pipeline === undefined) return step;
  // arn:aws:lambda:eu-west-1:111122223333:function:name: the account it lives in; else where the step acts.
  const account = step.params?.functionArn?.split(':')[4] || step.accountId || finding.key.accountId;
  const name = step.target.replace(/^function:/, '');
  if (account !== pipeline || !PIPELINE_FUNCTION_PREFIXES.some((p) => name.startsWith(p))) return step;
  return {
    ...step,
    skip: `the pipeline's own function: containment never stops it (that would silence the pipeline); contain it by hand: ${ACTION_RUNBOOKS['contain-lambda-function']}`,
  };
}

/** The credentials the finding names: its own, or every actor's of an attack sequence. */
function credentialSteps(finding: Finding): Step[] {
  if (finding.sequence) {
    // Each actor's credentials belong to the actor's account (`user.account.uid`), not the sequence's.
    const actors = finding.sequence.actors;
    return actors.flatMap((a) => {
      if (!a.accessKeyId && !a.principalId && !a.userName) return [];
      const key = { accessKeyId: a.accessKeyId, userType: a.userType, principalId: a.principalId, userName: a.userName };
      // A user whose long-term key the sequence names too has that key deactivated: no person's step for it.
      const keyDeactivated = actors.some(
        (o) => o.userType === 'IAMUser' && o.accessKeyId?.startsWith('AKIA') && o.userName === a.userName && o.accountId === a.accountId,
      );
      return [credentialStep(key, finding), ...(keyDeactivated ? [] : userKeySource(key, finding))].map((s) => inAccount(s, a.accountId));
    });
  }
  const key = finding.accessKey;
  // An S3 finding by an anonymous caller names no credentials: nothing to disable, and nothing to record.
  if (!key && finding.resource.kind === 's3-bucket') return [];
  if (!key) return [{ type: 'deactivate-access-key', target: finding.resource.id, skip: 'the finding names no credentials' }];
  const source = credentialSource(key, finding);
  const account = callerAccount(finding);
  return [inAccount(credentialStep(key, finding), account), ...(source ? [source] : []), ...userKeySource(key, finding).map((s) => inAccount(s, account))];
}

/**
 * The long-term key behind an IAM user's temporary credentials (`ASIA…`, made with `GetSessionToken` by one of the
 * user's `AKIA…` keys), as a person's step beside the revocation (cont25). The deny on older sessions ends the sessions
 * issued before it; a request signed with the long-term key carries no token issue time and works, so whoever holds
 * that key makes new sessions after the deny. GuardDuty names the session's key, not the one that made it: a person
 * finds it (CloudTrail `GetSessionToken`) and deactivates it. Named by the revocation's target (the user's pseudonym):
 * the user's name stays in that step's params alone.
 */
function userKeySource(key: AccessKeyRef, finding: Finding): Step[] {
  if (key.userType !== 'IAMUser' || !key.userName) return [];
  // A console sign-in (no key: cont26): whoever made it knows the user's password and passed its MFA, or there was none.
  const kind = key.accessKeyId?.startsWith('ASIA') ? 'deactivate-user-keys' : !key.accessKeyId && consoleSignIn(finding) ? 'secure-console-sign-in' : null;
  if (!kind) return [];
  const revocation = credentialStep(key, finding);
  if (revocation.type !== 'revoke-user-sessions' || revocation.skip) return [];
  return [personStep(kind, revocation.target)];
}

/**
 * Whether the finding is about a console sign-in (`…/ConsoleLoginSuccess.B`, or an API call `ConsoleLogin`): the deny on
 * older sessions signs that session out, but the password (and an MFA device the intruder enrolled) signs in anew after
 * it, so a person resets the password and checks the MFA devices (`secure-console-sign-in`, cont26).
 */
function consoleSignIn(finding: Finding): boolean {
  if (/\/ConsoleLogin/.test(finding.type)) return true;
  const service = (finding.detail.service ?? {}) as { action?: { awsApiCallAction?: { api?: unknown } } };
  return service.action?.awsApiCallAction?.api === 'ConsoleLogin';
}

/**
 * The instance whose role credentials GuardDuty saw used elsewhere (`InstanceCredentialExfiltration.*`: the session
 * is the instance's, named by its id), as a person's step beside the revocation (cont24). The deny ends the sessions
 * issued before it, but the instance gets new ones of the role from its metadata service every hour, and whoever took
 * them once (an SSRF, a foothold on it) takes them again: the revocation alone left the record "done" while the source
 * stayed open. Only on that finding type: elsewhere a session's name is its caller's choice.
 */
function credentialSource(key: AccessKeyRef, finding: Finding): Step | null {
  const instance = credentialSourceInstance(finding.type, key);
  return instance ? personStep('contain-credential-source', instance) : null;
}

function inAccount(step: Step, accountId: string | null): Step {
  return accountId ? { ...step, accountId } : step;
}

/**
 * The credentials of a resource of the finding's own account (an instance's role, another resource's)
 * used from another AWS account: there `remoteAccountDetails` names the account that used them, not
 * theirs (cont24: read as theirs, the role's sessions were never revoked here).
 */
const OWN_CREDENTIALS_USED_ELSEWHERE = /\/(Instance|Resource)CredentialExfiltration\.InsideAWS$/;

/**
 * The account of the credentials an API call was made with, when GuardDuty says it was another
 * account's (`awsApiCallAction.remoteAccountDetails`): a bucket owner's finding about a caller
 * from elsewhere. Not on a finding that this account's own credentials were used from another
 * account (OWN_CREDENTIALS_USED_ELSEWHERE): those are revoked here.
 */
function callerAccount(finding: Finding): string | null {
  if (OWN_CREDENTIALS_USED_ELSEWHERE.test(finding.type)) return null;
  const service = (finding.detail.service ?? {}) as { action?: { awsApiCallAction?: { remoteAccountDetails?: { accountId?: unknown } } } };
  const id = service.action?.awsApiCallAction?.remoteAccountDetails?.accountId;
  return typeof id === 'string' && /^\d{12}$/.test(id) ? id : null;
}

/**
 * A long-term key (AKIA…) is deactivated, not deleted: deletion destroys evidence and cannot be
 * undone. Temporary credentials (ASIA…) cannot be deactivated: an assumed role's older sessions are
 * revoked on the role; an IAM user's (GetSessionToken, console sign-in) on the user, by a deny on
 * `aws:TokenIssueTime`. A federated user's sessions have no IAM identity to attach a deny to, and
 * root credentials cannot be restricted by any policy: a person acts.
 */
function credentialStep(key: AccessKeyRef, finding: Finding): Step {
  const keyId = key.accessKeyId;
  const who = key.principalId ?? keyId ?? finding.resource.id;
  switch (key.userType) {
    case 'Root':
      return personStep('restrict-root-credentials', keyId ?? who);
    case 'FederatedUser':
      // A federated principal id is `account:name`, the name its caller chose (often a person's):
      // the step is named by the session's key, the principal kept in params, never in a message.
      // Without a key (a console sign-in) by a pseudonym of the principal, as an S3 object is by
      // its key's (fg15): in params a person reads it in the record, and minimise takes it out.
      if (keyId) return personStep('contain-federated-user', keyId, key.principalId ? { principalId: key.principalId } : undefined);
      // The principal as the finding names it (the affected resource's id is its pseudonym by now).
      return personStep('contain-federated-user', federatedUserTarget(key.principalId ?? key.userName ?? who, finding), {
        principalId: key.principalId ?? key.userName ?? who,
      });
    case 'AssumedRole':
      // For an assumed role GuardDuty's userName is the role's name: the role whose sessions are revoked.
      if (!key.userName) return { type: 'revoke-role-sessions', target: who, skip: 'the finding does not name the role' };
      return { type: 'revoke-role-sessions', target: key.userName };
    case 'IAMUser': {
      // The user's principal id (AIDA…) identifies the person's account as the name does (fg19): its pseudonym.
      const user = key.principalId ? iamUserTarget(key.principalId, finding) : null;
      if (!key.userName)
        return {
          type: keyId?.startsWith('AKIA') ? 'deactivate-access-key' : 'revoke-user-sessions',
          target: keyId?.startsWith('AKIA') ? keyId : (user ?? keyId ?? finding.resource.id),
          skip: 'the finding does not name the IAM user',
        };
      // The user name is personal data: it goes in params, the target is the key, or the pseudonym of
      // the principal id or (a console sign-in named by the user name alone) of the name.
      if (keyId?.startsWith('AKIA')) return { type: 'deactivate-access-key', target: keyId, params: { userName: key.userName } };
      // A console sign-in's password signs in anew after the deny on older sessions: a deny-all goes on the user beside it.
      const denyAll: Record<string, string> = consoleSignIn(finding) ? { denyAll: DENY_ALL_CONSOLE_SIGN_IN } : {};
      return { type: 'revoke-user-sessions', target: user ?? keyId ?? iamUserTarget(key.userName, finding), params: { userName: key.userName, ...denyAll } };
    }
    default:
      if (keyId?.startsWith('AKIA') && key.userName) return { type: 'deactivate-access-key', target: keyId, params: { userName: key.userName } };
      return personStep('review-principal', who);
  }
}

/** Malware in data: the infected object, snapshot, AMI or recovery point is tagged and recorded, never deleted. */
function malwareSteps(finding: Finding): Step[] {
  if (finding.s3Objects.length > 0) {
    return finding.s3Objects.map((o) => ({
      type: 'tag-s3-object',
      // The object key may hold personal data (a file name): the target shows a digest, the key is in params.
      target: `${o.bucket}/object-${sha256(`${o.key}\n${o.versionId ?? ''}`).slice(0, 12)}`,
      params: { bucket: o.bucket, key: o.key, ...(o.versionId ? { versionId: o.versionId } : {}) },
    }));
  }
  const b = finding.backup;
  if (b?.kind === 'ebs-snapshot') return [{ type: 'tag-snapshot', target: arnTail(b.arn), params: { arn: b.arn } }];
  if (b?.kind === 'ec2-image') return [{ type: 'tag-image', target: arnTail(b.arn), params: { arn: b.arn } }];
  if (b?.kind === 'recovery-point') {
    return [{ type: 'tag-recovery-point', target: b.arn, params: { arn: b.arn, ...(b.backupVaultName ? { backupVaultName: b.backupVaultName } : {}) } }];
  }
  return [{ type: 'tag-s3-object', target: finding.resource.id, skip: 'the finding names no infected object, snapshot, AMI or recovery point' }];
}

/**
 * An RDS instance is made private if it is publicly accessible and snapshotted (the adapter reads
 * which); what happened inside the database (a login that succeeded) needs a person either way.
 */
function databaseSteps(finding: Finding): Step[] {
  const rds = finding.rds;
  const person = personStep('review-database-access', finding.resource.id);
  if (finding.resource.kind === 'rds-instance' && rds?.dbInstanceIdentifier)
    return [{ type: 'restrict-rds-instance', target: rds.dbInstanceIdentifier }, person];
  return [person];
}

/**
 * The exemption tag on the resource, as the finding shows its tags (instance, bucket, function,
 * database and task tags are in the finding; keys and roles carry none there). Returns
 * "key=value" when exempt, else null.
 */
function exemptionOf(finding: Finding, target: string, policy: Policy): string | null {
  const { key, value } = policy.containment.exemptionTag;
  const label = value === undefined ? key : `${key}=${value}`;
  const tags = tagsOf(finding, target);
  return tags !== undefined && key in tags && (value === undefined || tags[key] === value) ? label : null;
}

function tagsOf(finding: Finding, target: string): Record<string, string> | undefined {
  if (finding.instance?.instanceId === target) return finding.instance.tags;
  const resource = (finding.detail.resource ?? {}) as Record<string, unknown>;
  const list = (v: unknown) => Object.fromEntries(((Array.isArray(v) ? v : []) as { key?: string; value?: string }[]).map((t) => [t.key ?? '', t.value ?? '']));
  const buckets = (resource.s3BucketDetails ?? []) as { name?: string; tags?: unknown }[];
  const bucket = Array.isArray(buckets) ? buckets.find((b) => b.name === target || target.startsWith(`${b.name}/`)) : undefined;
  if (bucket) return list(bucket.tags);
  const lambda = resource.lambdaDetails as { functionName?: string; tags?: unknown } | undefined;
  if (lambda && lambda.functionName === target) return list(lambda.tags);
  const rds = resource.rdsDbInstanceDetails as { dbInstanceIdentifier?: string; tags?: unknown } | undefined;
  if (rds && rds.dbInstanceIdentifier === target) return list(rds.tags);
  const task = (resource.ecsClusterDetails as { taskDetails?: { arn?: string; tags?: unknown } } | undefined)?.taskDetails;
  if (task && task.arn === target) return list(task.tags);
  return undefined;
}

function bucketNames(finding: Finding): string[] {
  const details = (finding.detail.resource as { s3BucketDetails?: { name?: string }[] } | undefined)?.s3BucketDetails ?? [];
  return Array.isArray(details) ? details.flatMap((b) => (typeof b.name === 'string' && b.name ? [b.name] : [])) : [];
}

/**
 * Marks, in the commit that tells the outcomes not yet told, those the incidents that left the
 * resource to this one are owed (`leftUntold`): failed, or failed before and run again (`retried`).
 * Taken off once they are told (contain.ts `tellLeftFailures`: those of a resource it shares); the sweep tells what a stopped run left owed.
 */
export function oweLeavers(draft: Incident, retried: ReadonlySet<string> = new Set()): void {
  const untold = new Set(draft.containmentUntold ?? []);
  const owed = draft.actions.filter((a) => untold.has(a.id) && !a.heldBy && (a.status === 'failed' || retried.has(a.id))).map((a) => a.id);
  const all = [...new Set([...(draft.leftUntold ?? []), ...owed])];
  if (all.length) draft.leftUntold = all;
}
