/**
 * Credentials. A long-term key (AKIA…) is set Inactive, never deleted: deletion destroys evidence
 * and cannot be undone. Temporary credentials (ASIA…, an assumed role) cannot be deactivated; the
 * role's sessions issued before now are denied everything instead (AWS's own "revoke active
 * sessions" policy). That hits every session of the role: a policy choice, recorded as such.
 */
import { DeleteRolePolicyCommand, PutRolePolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import type { ActionRecord } from '../../../core/incident.js';
import type { ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClients } from './clients.js';
import { releaseStep, step } from './steps.js';

export const REVOKE_POLICY_NAME = 'datalek-revoke-older-sessions';

export async function revokeOlderSessions(c: ContainmentClients, roleName: string, now: string): Promise<void> {
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': now } } }],
  };
  await c.iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: JSON.stringify(policy) }));
}

export async function deactivateAccessKey(c: ContainmentClients, action: ActionRecord, ctx: ExecutionContext, now: () => string): Promise<void> {
  await step(ctx, 'deactivate-key', now, async () => {
    const userName = action.params?.userName;
    if (!userName) return { status: 'skipped', detail: 'the IAM user of the key is not known' };
    await c.iam.send(new UpdateAccessKeyCommand({ AccessKeyId: action.target, UserName: userName, Status: 'Inactive' }));
    return { status: 'done', detail: `${action.target} set Inactive (not deleted)`, evidence: { userName } };
  });
}

export async function revokeRoleSessions(c: ContainmentClients, action: ActionRecord, ctx: ExecutionContext, now: () => string): Promise<void> {
  await step(ctx, 'revoke-older-sessions', now, async () => {
    const issuedBefore = now();
    await revokeOlderSessions(c, action.target, issuedBefore);
    return {
      status: 'done',
      detail: `sessions of role ${action.target} issued before ${issuedBefore} denied (inline policy ${REVOKE_POLICY_NAME}); this hits every user of the role`,
      evidence: { roleName: action.target, policyName: REVOKE_POLICY_NAME, issuedBefore },
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
    await attempt('remove-revocation', async () => {
      await c.iam.send(new DeleteRolePolicyCommand({ RoleName: action.target, PolicyName: REVOKE_POLICY_NAME }));
      return `inline policy ${REVOKE_POLICY_NAME} removed from ${action.target}`;
    });
  }
}
