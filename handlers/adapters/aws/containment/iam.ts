/**
 * Credentials. A long-term key (AKIA…) is set Inactive, never deleted: deletion destroys evidence
 * and cannot be undone. Temporary credentials (ASIA…, an assumed role) cannot be deactivated; the
 * role's sessions issued before now are denied everything instead (AWS's own "revoke active
 * sessions" policy), in an inline policy of the incident's own. That hits every session of the
 * role: a policy choice, recorded as such.
 */
import { DeleteRolePolicyCommand, ListAccessKeysCommand, PutRolePolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { ALREADY_CONTAINED } from '../../../core/containment.js';
import type { ActionRecord } from '../../../core/incident.js';
import type { ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClients } from './clients.js';
import { errorCode, FailedWithEvidence, releaseStep, step } from './steps.js';

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
async function keyStatus(c: ContainmentClients, userName: string, keyId: string): Promise<{ status?: string; others: OtherKey[] }> {
  const others: OtherKey[] = [];
  let status: string | undefined;
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
  } catch (err) {
    if (errorCode(err) === 'NoSuchEntity') throw err;
  }
  return { status, others };
}

/** The step's words for the user's other Active keys: none, or each with when it was made. */
function otherActiveKeys(others: readonly OtherKey[]): string {
  const active = others.filter((k) => k.status === 'Active');
  if (active.length === 0) return '';
  const keys = active.map((k) => `${k.id} (made ${k.created ?? 'at a time not known'})`).join(', ');
  return `; the key's user has another Active key: ${keys}: not touched (datalek show / verify --target aws says whether it was made since the first activity)`;
}

export async function deactivateAccessKey(c: ContainmentClients, action: ActionRecord, ctx: ExecutionContext, now: () => string): Promise<void> {
  await step(ctx, 'deactivate-key', now, async () => {
    const userName = action.params?.userName;
    if (!userName) return { status: 'skipped', detail: 'the IAM user of the key is not known' };
    const { status, others } = await keyStatus(c, userName, action.target);
    // The user's other keys, and from when a key made may be the attacker's: the first activity
    // known now (GuardDuty's eventFirstSeen), else the detection. Drift judges a key made since;
    // for a key found Inactive already too (the stolen key may have made one before it was set so).
    const since = ctx.incident.firstActivityAt ?? ctx.incident.detectedAt;
    if (status === 'Inactive')
      throw new FailedWithEvidence(
        'deactivate-key',
        ALREADY_CONTAINED,
        `${action.target} is inactive already; not deactivated again under this incident, so a release of it never reactivates the key (the record that deactivated it, or its owner, holds it)${otherActiveKeys(others)}`,
        { otherKeys: others, otherKeysSince: since },
      );
    await c.iam.send(new UpdateAccessKeyCommand({ AccessKeyId: action.target, UserName: userName, Status: 'Inactive' }));
    return {
      status: 'done',
      detail: `${action.target} set Inactive (not deleted)${otherActiveKeys(others)}`,
      evidence: { userName, otherKeys: others, otherKeysSince: since },
    };
  });
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

export async function releaseCredentials(c: ContainmentClients, action: ActionRecord, options: ReleaseOptions, now: () => string): Promise<void> {
  const attempt = releaseStep(options, now);
  if (action.type === 'deactivate-access-key') {
    if (!options.reactivateKey) {
      await options.record({ name: 'reactivate-key', status: 'skipped', at: now(), detail: 'the key stays inactive: reactivating needs --reactivate-key' });
      return;
    }
    await attempt('reactivate-key', async () => {
      await c.iam.send(new UpdateAccessKeyCommand({ AccessKeyId: action.target, UserName: action.params?.userName, Status: 'Active' }));
      return `${action.target} set Active again`;
    });
  } else if (action.type === 'revoke-role-sessions') {
    const policyName = recordedPolicyName(action);
    await attempt('remove-revocation', async () => {
      await c.iam.send(new DeleteRolePolicyCommand({ RoleName: action.target, PolicyName: policyName }));
      return `inline policy ${policyName} removed from ${action.target}`;
    });
  }
}
