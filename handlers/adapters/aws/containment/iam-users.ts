/**
 * Temporary credentials of an IAM user (`ASIA…` from GetSessionToken, and console sign-ins) cannot
 * be deactivated like a key: the user gets an inline deny on `aws:TokenIssueTime` older than now
 * (the incident's own policy, see iam.ts `revokePolicyName`),
 * so every session issued before that moment stops working. Requests signed with a long-term key
 * carry no token issue time and are not affected: a leaked long-term key is deactivated separately.
 */
import { DeleteUserPolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { ActionRecord } from '../../../core/incident.js';
import type { ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClients } from './clients.js';
import { recordedPolicyName, revocationDocument, revokePolicyName } from './iam.js';
import { releaseStep, step } from './steps.js';

export async function revokeUserSessions(c: ContainmentClients, action: ActionRecord, ctx: ExecutionContext, now: () => string): Promise<void> {
  await step(ctx, 'revoke-user-sessions', now, async () => {
    const userName = action.params?.userName;
    if (!userName) return { status: 'skipped', detail: 'the IAM user is not known' };
    const issuedBefore = now();
    const policyName = revokePolicyName(ctx.incident.id);
    await c.iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: policyName, PolicyDocument: revocationDocument(issuedBefore) }));
    return {
      status: 'done',
      // The user name is personal data: the record keeps it in evidence, the detail names the principal.
      detail: `sessions of IAM user ${action.target} issued before ${issuedBefore} denied (inline policy ${policyName}); long-term keys are not affected`,
      evidence: { userName, policyName, issuedBefore },
    };
  });
}

export async function releaseUserSessions(c: ContainmentClients, action: ActionRecord, options: ReleaseOptions, now: () => string): Promise<void> {
  const policyName = recordedPolicyName(action);
  await releaseStep(options, now)('remove-revocation', async () => {
    await c.iam.send(new DeleteUserPolicyCommand({ UserName: (action.evidence?.userName ?? action.params?.userName) as string, PolicyName: policyName }));
    return `inline policy ${policyName} removed from IAM user ${action.target}`;
  });
}
