/**
 * Credentials. A long-term key (AKIA…) is set Inactive, never deleted: deletion destroys evidence
 * and cannot be undone. Temporary credentials (ASIA…, an assumed role) cannot be deactivated; the
 * role's sessions issued before now are denied everything instead (AWS's own "revoke active
 * sessions" policy), in an inline policy of the incident's own. That hits every session of the
 * role: a policy choice, recorded as such.
 */
import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { ALREADY_CONTAINED, mergedPoliciesOf, mergedRemoveStep } from '../../../core/containment.js';
import {
  chainOutlived,
  deletedKeyVerdict,
  foundDeletedKey,
  KEY_SESSION_HOURS,
  KEY_SESSIONS_STEP,
  OTHER_KEY_ACTIVE,
  otherCredentialsVerdict,
  ownerKeysOf,
  ROLE_SESSION_HOURS,
  type Verdict,
} from '../../../core/drift.js';
import { ContainmentStepError } from '../../../core/errors.js';
import type { ActionRecord } from '../../../core/incident.js';
import type { ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClients } from './clients.js';
import { errorCode, FailedWithEvidence, releaseStep, type StepOutcome, step } from './steps.js';

/**
 * The one name every revocation had before each incident's got its own: releasing one incident's
 * revocation deleted the one another open incident relied on (two stolen sessions of one role are
 * two incidents). A record that names it is released under it.
 */
export const LEGACY_REVOKE_POLICY_NAME = 'datalek-revoke-older-sessions';

/**
 * The inline policy of one incident's revocation on a role or user: an incident's own, so that
 * releasing it never lifts another incident's (IAM keeps them side by side, up to the principal's
 * 10,240 characters of inline policy, about 40 revocations). `instance`: the revocation of an
 * isolated instance's role, which release leaves in place.
 */
export function revokePolicyName(incidentId: string, kind: 'sessions' | 'instance' = 'sessions'): string {
  return `datalek-revoke-${incidentId}${kind === 'instance' ? '-instance' : ''}`;
}

/**
 * The policy revoking the sessions of a stolen key's user, put with the key's deactivation: named
 * by the key too, so that one incident's two keys of a user, or its `revoke-user-sessions` of the
 * same user, are policies of their own, each released with its action.
 */
export function keySessionsPolicyName(incidentId: string, keyId: string): string {
  return `datalek-revoke-${incidentId}-${keyId}`;
}

/** The policy a recorded revocation was written under (records from before name the legacy one). */
export function recordedPolicyName(action: ActionRecord): string {
  const name = action.evidence?.policyName;
  return typeof name === 'string' && name ? name : LEGACY_REVOKE_POLICY_NAME;
}

/** Sessions issued before `now` are denied everything: AWS's own "revoke active sessions" policy. */
export function revocationDocument(now: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': now } } }],
  });
}

export async function revokeOlderSessions(c: ContainmentClients, roleName: string, now: string, policyName: string): Promise<void> {
  await c.iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: revocationDocument(now) }));
}

/** Another access key of the key's user, as listed: its id, status and when it was made. */
export interface OtherKey {
  id: string;
  status: string;
  created: string | null;
}

/**
 * The key's status before this containment, when it can be read: `Inactive` means datalek's
 * containment (another incident's, one whose key holder closed) or its owner's is in place, and a
 * release of this incident must not reactivate it (last read's L1). Not readable (a role without
 * `iam:ListAccessKeys` yet, the key not listed): undefined, and the key is deactivated all the same.
 * With it, the user's other keys the same list holds (no further call): a key made with the stolen
 * one is the attacker's way back in (review12 K7).
 */
async function keyStatus(c: ContainmentClients, userName: string, keyId: string): Promise<KeyList> {
  const others: OtherKey[] = [];
  let status: string | undefined;
  let listed = false;
  let code: string | undefined;
  try {
    let marker: string | undefined;
    do {
      const page = await c.iam.send(new ListAccessKeysCommand({ UserName: userName, Marker: marker }));
      for (const k of page.AccessKeyMetadata ?? []) {
        if (k.AccessKeyId === keyId) status = k.Status;
        else if (k.AccessKeyId) others.push({ id: k.AccessKeyId, status: k.Status ?? 'unknown', created: k.CreateDate?.toISOString() ?? null });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    listed = true;
  } catch (err) {
    code = errorCode(err);
    if (code === 'NoSuchEntity') throw err;
  }
  return { status, others, listed, ...(code ? { code } : {}) };
}

/** What one ListAccessKeys of the key's user read: the key's status (not listed: undefined), the user's other keys; `code`: why not listed. */
interface KeyList {
  status?: string;
  others: OtherKey[];
  listed: boolean;
  code?: string;
}

const DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/** The step's words for the user's other Active keys: none, or each with when it was made. */
function otherActiveKeys(others: readonly OtherKey[]): string {
  const active = others.filter((k) => k.status === 'Active');
  if (active.length === 0) return '';
  const keys = active.map((k) => `${k.id} (made ${k.created ?? 'at a time not known'})`).join(', ');
  return `; the key's user has another Active key: ${keys}: not touched (datalek show / verify --target aws says whether it was made since the first activity)`;
}

export { OTHER_KEY_ACTIVE };

/**
 * A key step's failure for a key made since the first activity still Active (`v` drifted): the
 * verdict, and what to do. `deleted`: the stolen key is not listed any more.
 */
function notContained(step: string, action: ActionRecord, v: Verdict, deleted: boolean, evidence?: Record<string, unknown>): ContainmentStepError {
  const who = deleted ? 'find out who deleted the key (CloudTrail: DeleteAccessKey); ' : '';
  const message = `${action.target} ${v.actual}; ${who}deactivate it unless it is the owner's (datalek show ID --target aws says how), then datalek contain ID --target aws --by NAME --reason TEXT reads the keys again; the owner's: record it with datalek contained ID --action ${action.id} --owner-key KEY --what TEXT (how it was confirmed)`;
  return evidence ? new FailedWithEvidence(step, OTHER_KEY_ACTIVE, message, evidence) : new ContainmentStepError(step, OTHER_KEY_ACTIVE, message);
}

/**
 * The key's user's other keys judged as drift judges them, the stolen key as read (`status`; not
 * listed: deleted): one made after `containedAt` cleared only once the key's sessions, and the role
 * sessions it assumed, had ended (12 hours after `sessionsRevokedAt`; 36 after `containedAt` without it).
 */
function keysVerdict(
  action: ActionRecord,
  userName: string,
  since: string,
  containedAt: string | undefined,
  status: string | undefined,
  others: OtherKey[],
  sessionsRevokedAt?: string,
) {
  const owners = ownerKeysOf(action);
  const expected = {
    kind: 'access-key' as const,
    accessKeyId: action.target,
    userName,
    since,
    ...(containedAt ? { containedAt } : {}),
    ...(sessionsRevokedAt ? { sessionsRevokedAt } : {}),
    ...(owners ? { ownerKeys: owners } : {}),
  };
  return status === undefined ? deletedKeyVerdict(expected, { others }) : otherCredentialsVerdict(expected, { others }, status);
}

export async function deactivateAccessKey(c: ContainmentClients, action: ActionRecord, ctx: ExecutionContext, now: () => string): Promise<void> {
  const userName = action.params?.userName;
  // The list this run read before deactivating, judged by the next step without a further call.
  let read: KeyList | undefined;
  // A later run, the key deactivated by an earlier one: the key read again first, in the list the
  // other-keys step reads anyway. Set Active again since (by hand, or by the attacker with a key made
  // with it), it is deactivated again, as the record says it is: the step is not taken as done
  // (contain16; until then only the IAM forward's page said so, and the run read done).
  let later: KeyList | undefined;
  let run = ctx;
  // Found Inactive already (by its owner, or an incident from before K2), or deleted (by its owner, or by
  // the attacker to hide it): its sessions are revoked all the same (contain17: a deleted key's too).
  let foundInactive = false;
  let foundDeleted = false;
  const earlier = ctx.steps?.find((s) => s.name === 'deactivate-key' && s.status === 'done')?.at;
  if (userName && ctx.done.has('deactivate-key') && (!ctx.done.has('other-keys') || ctx.recheck)) {
    try {
      later = await keyStatus(c, userName, action.target);
    } catch (err) {
      if (errorCode(err) !== 'NoSuchEntity') throw err;
      // The user not found since an earlier run deactivated the key: said plainly, the keys not read (contain19).
      await step({ ...ctx, done: new Set([...ctx.done].filter((n) => n !== 'other-keys')) }, 'other-keys', now, async () => {
        throw userGoneSince(action);
      });
      return;
    }
    // Active again: its sessions revoked again too (the key may have made new ones since).
    const again = later.status === 'Active' ? ['deactivate-key', KEY_SESSIONS_STEP, 'other-keys'] : ['other-keys'];
    run = { ...ctx, done: new Set([...ctx.done].filter((n) => !again.includes(n))) };
  }
  const deactivated = await step(run, 'deactivate-key', now, async () => {
    if (!userName) return { status: 'skipped', detail: 'the IAM user of the key is not known' };
    try {
      read = later ?? (await keyStatus(c, userName, action.target));
    } catch (err) {
      if (errorCode(err) !== 'NoSuchEntity') throw err;
      // The user deleted, its keys with it: nothing to deactivate, nothing to put a deny on (contain17).
      foundDeleted = true;
      throw userGone('deactivate-key', action.target);
    }
    const { status, others } = read;
    // The user's other keys, and from when a key made may be the attacker's: the first activity
    // known now (GuardDuty's eventFirstSeen), else the detection. Drift judges a key made since;
    // for a key found Inactive already too (the stolen key may have made one before it was set so).
    const since = ctx.incident.firstActivityAt ?? ctx.incident.detectedAt;
    const evidence = { otherKeys: others, otherKeysSince: since };
    // Found Inactive, a key made since the first activity Active beside it: not contained (readA15 A1).
    if (status === 'Inactive') {
      foundInactive = true;
      const v = otherCredentialsVerdict({ kind: 'access-key', accessKeyId: action.target, userName, since, containedAt: now(), found: true }, { others });
      if (v.state === 'drifted') throw notContained('deactivate-key', action, v, false, evidence);
      throw new FailedWithEvidence(
        'deactivate-key',
        ALREADY_CONTAINED,
        `${action.target} is inactive already; not deactivated again under this incident, so a release of it never reactivates the key (the record that deactivated it, or its owner, holds it)${otherActiveKeys(others)}`,
        evidence,
      );
    }
    try {
      await c.iam.send(new UpdateAccessKeyCommand({ AccessKeyId: action.target, UserName: userName, Status: 'Inactive' }));
    } catch (err) {
      // Deleted before the run reached it (not in the list it read): the list is kept, a key made with it judged (readA15 A3).
      if (errorCode(err) !== 'NoSuchEntity' || status !== undefined || !read.listed) throw err;
      foundDeleted = true;
      const v = keysVerdict(action, userName, since, now(), undefined, others);
      const deleted = { ...evidence, keyDeleted: true };
      if (v.state === 'drifted') throw notContained('deactivate-key', action, v, true, deleted);
      throw new FailedWithEvidence(
        'deactivate-key',
        'NoSuchEntity',
        `${action.target} not found: deleted before this run reached it; find out who deleted it (CloudTrail: DeleteAccessKey)${otherActiveKeys(others)}`,
        deleted,
      );
    }
    const again = later ? `found Active again (deactivated at ${earlier ?? 'an earlier run'}; find out who set it Active: CloudTrail: UpdateAccessKey), ` : '';
    return {
      status: 'done',
      detail: `${action.target} ${again}set Inactive (not deleted)${otherActiveKeys(others)}`,
      evidence: { userName, ...evidence },
    };
  });
  if (!userName) return;
  // Whoever set the key Inactive, a session made with it (up to 36 hours) still works: the run that
  // finds it so revokes them as after its own deactivation (lfc16). Its release keeps the deny, as it
  // keeps the key Inactive (releaseCredentials). The verdict stays the deactivate-key step's.
  // A key deleted has those sessions too (contain17): its user still there, the deny goes on it; the user
  // deleted too, the step says so (revokeKeySessions). The release of a deleted key has nothing to reactivate.
  if (!deactivated) {
    if (foundInactive || foundDeleted) await revokeKeySessions(c, action, run, now, userName);
    return;
  }
  // Deactivated by this run after an earlier one revoked the sessions on finding it Inactive (handed
  // back, set Active since): the sessions it may have made while Active are revoked now too.
  if (!run.done.has('deactivate-key') && run.done.has(KEY_SESSIONS_STEP)) run = { ...run, done: new Set([...run.done].filter((n) => n !== KEY_SESSIONS_STEP)) };
  const revokedAt = await revokeKeySessions(c, action, run, now, userName);
  await judgeOtherKeys(c, action, run, now, userName, read, later, revokedAt);
}

/**
 * What is known when the key's user is not found (NoSuchEntity on its ListAccessKeys or PutUserPolicy):
 * deleted, its keys and inline policies with it. A session made with the key had only the user's
 * permissions, gone with it; a user made again under the name is another principal (a new id).
 */
function userGoneWords(keyId: string): string {
  return `the IAM user of ${keyId} not found: the user was deleted, and its keys and policies with it (find out who deleted it: CloudTrail: DeleteUser)`;
}

/**
 * A later run's failure when the key's user, there when an earlier run deactivated the key, is not
 * found under its recorded name (contain19; AWS's words name the user). Deleted, nothing of it can be
 * used: its keys (the stolen one, any made with it), its console password, its sessions (they had the
 * user's permissions only). But IAM answers so for a user renamed too (UpdateUser), whose keys live on
 * under the new name, a key made with the stolen one still Active among them: not read, so not
 * contained until a person knows which (drift reads it so too: "renamed or deleted").
 */
function userGoneSince(action: ActionRecord): ContainmentStepError {
  return new ContainmentStepError(
    'other-keys',
    'NoSuchEntity',
    `the IAM user of ${action.target} not found under its recorded name since an earlier run deactivated the key: its keys are not read, so NOT CONTAINED until it is known which: deleted (CloudTrail: DeleteUser), nothing of it can be used any more (its keys, the stolen one and any made with it, its password, its sessions): record that with datalek contained ID --action ${action.id} --what TEXT (the DeleteUser event); or renamed (CloudTrail: UpdateUser), its keys live on under the new name: deactivate there every Active key made since the first activity unless it is the owner's (aws iam list-access-keys, update-access-key), then record it the same way`,
  );
}

/** The deactivation's failure when the key's user is not found: said plainly, not as AWS's words (which name the user). */
function userGone(step: string, keyId: string): ContainmentStepError {
  return new ContainmentStepError(
    step,
    'NoSuchEntity',
    `${userGoneWords(keyId)}; nothing to deactivate and no user to put a deny of the key's sessions on: a session made with the key had the user's permissions only, gone with it; check in CloudTrail that no user, key or role was made with the key before (CreateUser, CreateAccessKey, CreateRole)`,
  );
}

/**
 * The key's user's sessions issued before now denied, beside the deactivation (attack16 K2): a
 * session made with the key (GetSessionToken, up to 36 hours; a console sign-in the key's password
 * gave, 12) outlives the key's deactivation and could make the user a new key or password. The
 * deny `revoke-user-sessions` puts (aws:TokenIssueTime), in a policy of this incident and key; it
 * hits the owner's own sessions too (they sign in again). Requests signed with a long-term key carry
 * no token issue time: the user's other keys are the other-keys step's. Returns when the sessions
 * were revoked (done by an earlier run: its time), or undefined when not.
 */
async function revokeKeySessions(c: ContainmentClients, action: ActionRecord, ctx: ExecutionContext, now: () => string, userName: string) {
  let revokedAt = ctx.done.has(KEY_SESSIONS_STEP) && typeof ctx.evidence.issuedBefore === 'string' ? ctx.evidence.issuedBefore : undefined;
  await step(ctx, KEY_SESSIONS_STEP, now, async () => {
    const issuedBefore = now();
    const policyName = keySessionsPolicyName(ctx.incident.id, action.target);
    try {
      await c.iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: policyName, PolicyDocument: revocationDocument(issuedBefore) }));
    } catch (err) {
      if (errorCode(err) !== 'NoSuchEntity') throw err;
      return { status: 'skipped', detail: `${userGoneWords(action.target)}: no deny put, there is no user to put it on` };
    }
    revokedAt = issuedBefore;
    return {
      status: 'done',
      // The user name is personal data: the detail names the key.
      detail: `sessions of the IAM user of ${action.target} issued before ${issuedBefore} denied (inline policy ${policyName}): a session made with the key outlives its deactivation (up to ${KEY_SESSION_HOURS} hours); the owner's sessions end too; a role session the key assumed before is not the user's and is not ended (up to ${ROLE_SESSION_HOURS} hours): a credential made within them is judged so`,
      evidence: { policyName, issuedBefore },
    };
  });
  return revokedAt;
}

/**
 * The key's user's other keys, judged as drift judges them (core/drift.ts
 * `otherCredentialsVerdict`): one Active and made since the first activity is most likely the
 * attacker's, made with the stolen key, so the action is not contained: the step fails naming it,
 * and on-call and the FG are told as of any failed step (review13 K1). One made before the first
 * activity stays a check, in the step's detail. Judged from the list the deactivation read (`read`),
 * no further call; a later run, the deactivation done by an earlier one, lists the keys again (the
 * key Inactive by then), so a key deactivated since clears it. The console password and MFA
 * devices are drift's to read (show / verify --target aws), not this step's.
 */
async function judgeOtherKeys(
  c: ContainmentClients,
  action: ActionRecord,
  ctx: ExecutionContext,
  now: () => string,
  userName: string,
  read: KeyList | undefined,
  later: KeyList | undefined,
  sessionsRevokedAt: string | undefined,
): Promise<void> {
  await step(ctx, 'other-keys', now, async () => {
    const seen = read ?? later ?? (await keyStatus(c, userName, action.target));
    if (!seen.listed) return notListed(ctx, seen.code);
    const recorded = ctx.evidence.otherKeysSince;
    const since = typeof recorded === 'string' ? recorded : (ctx.incident.firstActivityAt ?? ctx.incident.detectedAt);
    // A list read before this run's deactivation holds no key made after it; an earlier run's deactivation is its step's time,
    // unless a key made with the stolen one still worked then (the record's list names it): then none is cleared (readA15 A2).
    const earlier = chainOutlived(ctx.evidence, since) ? undefined : ctx.steps?.find((s) => s.name === 'deactivate-key' && s.status === 'done')?.at;
    const containedAt = read ? now() : earlier;
    // This run's list was read before it set the key Inactive; a later run's says what became of it (deleted: not listed).
    const status = read ? 'Inactive' : seen.status;
    // One made after the deactivation is cleared only once the key's sessions, and role sessions it assumed, had ended (attack16 K2, readC16 C1).
    const v = keysVerdict(action, userName, since, containedAt, status, seen.others, sessionsRevokedAt);
    if (v.state === 'drifted') throw notContained('other-keys', action, v, status === undefined);
    return { status: 'done', detail: `${action.target} ${v.actual}${v.todo ? `; ${v.todo}` : ''}` };
  });
}

/**
 * The other-keys step when the key's user's keys could not be listed: skipped, the code named (an
 * SCP's AccessDenied, as the ECS drain's: review13 E2). Not when an earlier run failed it naming a key
 * made since the first activity (OtherKeyActive): that key is not known to be Inactive now, and a
 * skip would read the action done, unread (contain16): failed again, the key named, with the code.
 */
function notListed(ctx: ExecutionContext, code: string | undefined): StepOutcome {
  const why = `the key's user's keys could not be listed (${code ?? 'an error'} on ListAccessKeys)`;
  const before = ctx.steps?.find((s) => s.name === 'other-keys' && s.status === 'failed' && s.code === OTHER_KEY_ACTIVE);
  const named = keysNamed(ctx.evidence);
  if (before)
    throw new ContainmentStepError(
      'other-keys',
      code ?? 'Error',
      `${why}: the key made since the first activity an earlier run found Active${named ? ` (${named})` : ''} is not known to be Inactive now: NOT CONTAINED until it is read; ${DENIED.has(code ?? '') ? 'the containment role lacks iam:ListAccessKeys: ' : ''}read it by hand (aws iam list-access-keys), deactivate it unless it is the owner's, then datalek contain ID --target aws --by NAME --reason TEXT`,
    );
  return { status: 'skipped', detail: `${why}: neither the key nor its user's other keys read on this run; datalek show / verify --target aws reads them` };
}

/** The Active keys of the key's user the record's list names (`otherKeys`), by id. */
function keysNamed(evidence: Record<string, unknown>): string {
  const keys = Array.isArray(evidence.otherKeys) ? (evidence.otherKeys as { id?: unknown; status?: unknown }[]) : [];
  return keys
    .filter((k) => k.status === 'Active' && typeof k.id === 'string')
    .map((k) => k.id)
    .join(', ');
}

export async function revokeRoleSessions(c: ContainmentClients, action: ActionRecord, ctx: ExecutionContext, now: () => string): Promise<void> {
  await step(ctx, 'revoke-older-sessions', now, async () => {
    const issuedBefore = now();
    const policyName = revokePolicyName(ctx.incident.id);
    await revokeOlderSessions(c, action.target, issuedBefore, policyName);
    return {
      status: 'done',
      detail: `sessions of role ${action.target} issued before ${issuedBefore} denied (inline policy ${policyName}); this hits every user of the role`,
      evidence: { roleName: action.target, policyName, issuedBefore },
    };
  });
}

export async function releaseCredentials(
  c: ContainmentClients,
  action: ActionRecord,
  incidentId: string,
  options: ReleaseOptions,
  now: () => string,
): Promise<void> {
  const attempt = releaseStep(options, now);
  if (action.type === 'deactivate-access-key') {
    const revoked = (action.steps ?? []).some((s) => s.name === KEY_SESSIONS_STEP && s.status === 'done');
    const policyName = action.evidence?.policyName;
    const user = userOfAction(action, `IAM user of ${action.target}`, incidentId);
    const removeDeny = async () => {
      if (revoked && typeof policyName === 'string' && policyName) await attempt('remove-revocation', () => deleteUserPolicy(c, user, policyName, options));
    };
    // Found deleted (its sessions revoked only, contain17): no key to reactivate; --reactivate-key hands its sessions back, as it would the key's.
    if (foundDeletedKey(action)) {
      const deny = revoked
        ? `the deny of its sessions (${policyName}) ${options.reactivateKey ? 'is removed' : 'stays: release --reactivate-key removes it'}`
        : '';
      await options.record({
        name: 'reactivate-key',
        status: 'skipped',
        at: now(),
        detail: `${action.target} was found deleted: nothing to reactivate${deny ? `; ${deny}` : ''}`,
      });
      if (options.reactivateKey) await removeDeny();
      return;
    }
    // Found Inactive (its sessions revoked only): not deactivated under this incident, so never reactivated by its release (last read's L1).
    if (!(action.steps ?? []).some((s) => s.name === 'deactivate-key' && s.status === 'done')) {
      await options.record({
        name: 'reactivate-key',
        status: 'skipped',
        at: now(),
        detail: `${action.target} was found Inactive, not deactivated under this incident: it stays so${revoked ? `, and the deny of its sessions (${policyName}) stays with it` : ''}`,
      });
      return;
    }
    if (!options.reactivateKey) {
      const kept = revoked ? `; the deny of its sessions (${policyName}) stays with it: a session made with the key would work again` : '';
      await options.record({
        name: 'reactivate-key',
        status: 'skipped',
        at: now(),
        detail: `the key stays inactive: reactivating needs --reactivate-key${kept}`,
      });
      return;
    }
    await attempt('reactivate-key', async () => {
      try {
        await c.iam.send(new UpdateAccessKeyCommand({ AccessKeyId: action.target, UserName: action.params?.userName, Status: 'Active' }));
      } catch (err) {
        // The key's user stated deleted and not found: its keys went with it (rel28).
        if (errorCode(err) !== 'NoSuchEntity' || !options.userDeleted || !(await userNotFound(c, user.userName))) throw err;
        return releasedAsDeleted(user, options.userDeleted, `its keys, ${action.target} among them: nothing to reactivate`);
      }
      return `${action.target} set Active again`;
    });
    // The key's sessions' deny is released with the key (K2).
    await removeDeny();
  } else if (action.type === 'revoke-role-sessions') {
    const policyName = recordedPolicyName(action);
    await attempt('remove-revocation', () => deleteRolePolicy(c, action.target, policyName));
    // What incidents merged into this one put on the role, each its own (rel28 #3).
    for (const m of mergedPoliciesOf(action)) {
      const revocation = m.revocation?.policyName;
      if (!revocation) continue;
      await attempt(mergedRemoveStep('revocation', m), () => deleteRolePolicy(c, action.target, revocation, m.incidentId));
    }
  }
}

/**
 * Deletes an inline policy datalek recorded on a principal (`remove`); what is missing when IAM answers NoSuchEntity,
 * which it does both when the policy and when the principal is missing (rel28 item 2): `removed`, or `policy` (not on a
 * principal that is there: `read` found it), or `principal` (not found by its name). A failure to read is the
 * NoSuchEntity as IAM gave it.
 */
export async function deletePolicyOf(remove: () => Promise<unknown>, read: () => Promise<unknown>): Promise<'removed' | 'policy' | 'principal'> {
  try {
    await remove();
    return 'removed';
  } catch (err) {
    if (errorCode(err) !== 'NoSuchEntity') throw err;
    try {
      await read();
      return 'policy';
    } catch (again) {
      if (errorCode(again) !== 'NoSuchEntity') throw err;
      return 'principal';
    }
  }
}

/** An IAM user a release removes a policy from: its name (personal data: never in a step's words), how the steps name it, its incident. */
export interface UserOfAction {
  userName: string;
  /** `IAM user iam-user:…` (the record's pseudonym), or `IAM user of AKIA…`. */
  label: string;
  incidentId: string;
}

/** The IAM user of `action` as its release names it (`label`). */
export function userOfAction(action: ActionRecord, label: string, incidentId: string): UserOfAction {
  return { userName: (action.evidence?.userName ?? action.params?.userName) as string, label, incidentId };
}

/** IAM's NoSuchEntity for a user not found under its recorded name, said in words a person acts on. */
class UserNotFoundError extends Error {
  readonly Code = 'NoSuchEntity';
}

/**
 * Removes an inline policy datalek recorded on the user (`mergedFrom`: put by that incident, merged into this one). IAM
 * answers NoSuchEntity both when the policy and when the user is missing (rel28 item 2): the user is read to say which.
 * The policy not on a user that is there is nothing to remove (removed outside a release; drift named it). A user not
 * found may have been renamed, its policies with it: a failure, saying what to do either way, unless the person
 * releasing stated it deleted (`--user-deleted`): then it is released as deleted.
 */
export async function deleteUserPolicy(
  c: ContainmentClients,
  user: UserOfAction,
  policyName: string,
  options: Pick<ReleaseOptions, 'userDeleted'>,
  mergedFrom?: string,
): Promise<string | { skipped: string; code?: string }> {
  const by = mergedBy(mergedFrom);
  const gone = await deletePolicyOf(
    () => c.iam.send(new DeleteUserPolicyCommand({ UserName: user.userName, PolicyName: policyName })),
    () => c.iam.send(new GetUserCommand({ UserName: user.userName })),
  );
  if (gone === 'principal' && options.userDeleted) return releasedAsDeleted(user, options.userDeleted, `inline policy ${policyName}${by}`);
  if (gone === 'principal')
    throw new UserNotFoundError(
      `${user.label} not found under its recorded name: renamed or deleted (CloudTrail: UpdateUser, DeleteUser). Renamed, it keeps inline policy ${policyName}${by}: remove it under the new name by hand (aws iam delete-user-policy). Deleted, its policies went with it and nothing is in effect: ${userDeletedCommand(user.incidentId)} records it so (IAM must still not find the user)`,
    );
  if (gone === 'policy')
    return {
      skipped: `inline policy ${policyName} is not on ${user.label}: nothing to remove (removed since, not by a release: CloudTrail DeleteUserPolicy says who)${by}`,
    };
  return `inline policy ${policyName} removed from ${user.label}${by}`;
}

/** What records a user not found as deleted: a person's word, checked against IAM when it runs (rel28). */
export const userDeletedCommand = (incidentId: string) => `datalek release ${incidentId} --by NAME --reason TEXT --user-deleted --target aws`;

/** A release step of a user IAM does not find, which the person releasing stated deleted: skipped, code NoSuchEntity; `went`: what went with it. */
function releasedAsDeleted(user: UserOfAction, stated: { by: string }, went: string): { skipped: string; code: string } {
  return {
    skipped: `${user.label} not found (GetUser: NoSuchEntity): released as deleted, as ${stated.by} states (--user-deleted): ${went} went with it`,
    code: 'NoSuchEntity',
  };
}

/** Whether IAM answers NoSuchEntity for the user now; found, or not read (another error), is not. */
async function userNotFound(c: ContainmentClients, userName: string): Promise<boolean> {
  try {
    await c.iam.send(new GetUserCommand({ UserName: userName }));
    return false;
  } catch (err) {
    return errorCode(err) === 'NoSuchEntity';
  }
}

/** The words of a release step for a merged incident's policy (`mergedFrom`), after what it removed. */
export const mergedBy = (mergedFrom?: string) => (mergedFrom ? ` (put by incident ${mergedFrom}, merged into this one)` : '');

/**
 * Removes an inline policy datalek recorded on the role (`mergedFrom`: put by that incident, merged into this one). Not
 * found, nothing is left to remove: a role is never renamed, so one not found is deleted, its policies with it.
 */
async function deleteRolePolicy(c: ContainmentClients, roleName: string, policyName: string, mergedFrom?: string): Promise<string | { skipped: string }> {
  const by = mergedBy(mergedFrom);
  const gone = await deletePolicyOf(
    () => c.iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
    () => c.iam.send(new GetRoleCommand({ RoleName: roleName })),
  );
  if (gone === 'principal')
    return { skipped: `role ${roleName} not found: deleted since (a role is never renamed), its inline policies with it: nothing to remove${by}` };
  if (gone === 'policy')
    return {
      skipped: `inline policy ${policyName} is not on ${roleName}: nothing to remove (removed since, not by a release: CloudTrail DeleteRolePolicy says who)${by}`,
    };
  return `inline policy ${policyName} removed from ${roleName}${by}`;
}
