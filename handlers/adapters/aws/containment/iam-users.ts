/**
 * Temporary credentials of an IAM user (`ASIA…` from GetSessionToken, and console sign-ins) cannot
 * be deactivated like a key: the user gets an inline deny on `aws:TokenIssueTime` older than now
 * (the incident's own policy, see iam.ts `revokePolicyName`),
 * so every session issued before that moment stops working. Requests signed with a long-term key
 * carry no token issue time and are not affected: a leaked long-term key is deactivated separately.
 */
import { DeleteUserPolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { DENY_ALL_CONSOLE_SIGN_IN, denyAllPolicyName, denyAllPut, mergedPoliciesOf, mergedRemoveStep, plannedDenyAll } from '../../../core/containment.js';
import type { ActionRecord } from '../../../core/incident.js';
import type { ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClients } from './clients.js';
import { deleteUserPolicy, recordedPolicyName, revocationDocument, revokePolicyName, type UserOfAction, userOfAction } from './iam.js';
import { errorCode, FailedWithEvidence, releaseStep, step } from './steps.js';

export { denyAllPolicyName };

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
  if (action.params?.denyAll === DENY_ALL_CONSOLE_SIGN_IN) await denyAll(c, action, ctx, now);
}

/** Everything denied, whatever the session or key: an explicit deny no allow overrides (AWSDenyAll's effect, inline). */
export const DENY_ALL_DOCUMENT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'DatalekDenyAll', Effect: 'Deny', Action: '*', Resource: '*' }],
});

/**
 * A console sign-in's password signs in anew after the deny on older sessions, and a key the session made signs with
 * no token issue time: until a person makes the password anew and checks the MFA devices (`secure-console-sign-in`),
 * every request of the user is denied (AWS's incident-response samples do the same). The owner is locked out too, and
 * told so in the step; an administrator's own principal is not the user's, so the runbook's steps still work.
 */
async function denyAll(c: ContainmentClients, action: ActionRecord, ctx: ExecutionContext, now: () => string): Promise<void> {
  await step(ctx, 'deny-all', now, async () => {
    const userName = action.params?.userName;
    if (!userName) return { status: 'skipped', detail: 'the IAM user is not known' };
    const policyName = plannedDenyAll(action, ctx.incident.id) ?? denyAllPolicyName(ctx.incident.id);
    try {
      await c.iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: policyName, PolicyDocument: DENY_ALL_DOCUMENT }));
    } catch (err) {
      // A put whose answer was lost (a timeout) may have reached IAM: the record keeps the name, for the release to
      // remove it and drift to read it (release27 #3).
      throw new FailedWithEvidence('deny-all', errorCode(err), (err as Error).message, { denyAllPolicyName: policyName });
    }
    return {
      status: 'done',
      // The user name is personal data: the detail names the principal.
      detail: `every request of IAM user ${action.target} denied (inline policy ${policyName}): a console sign-in's password signs in anew after the deny on older sessions; the owner is locked out too until the release removes it`,
      evidence: { denyAllPolicyName: policyName },
    };
  });
}

export async function releaseUserSessions(
  c: ContainmentClients,
  action: ActionRecord,
  incidentId: string,
  options: ReleaseOptions,
  now: () => string,
): Promise<void> {
  const user = userOfAction(action, `IAM user ${action.target}`, incidentId);
  const attempt = releaseStep(options, now);
  const policyName = recordedPolicyName(action);
  await attempt('remove-revocation', () => deleteUserPolicy(c, user, policyName, options));
  // The deny-all the plan asked for, under its recorded name (else this incident's), and nothing else of the user's:
  // whether or not its put was recorded done. A put recorded failed may have reached IAM (a timeout), and left there
  // it keeps the user locked out after the release with nothing recording it (release27 #3).
  const denied = plannedDenyAll(action, incidentId);
  if (denied) await removeDenyAll(c, attempt, user, options, 'remove-deny-all', denied, denyAllPut(action).put);
  // What incidents merged into this one put on the user, each its own (rel28 #3).
  for (const m of mergedPoliciesOf(action)) {
    const revocation = m.revocation?.policyName;
    if (revocation) await attempt(mergedRemoveStep('revocation', m), () => deleteUserPolicy(c, user, revocation, options, m.incidentId));
    if (m.denyAll) await removeDenyAll(c, attempt, user, options, mergedRemoveStep('deny-all', m), m.denyAll.policyName, m.denyAll.put, m.incidentId);
  }
}

/**
 * Removes a deny-all from the user: one recorded done must be there; one whose put was not recorded done (failed, or no
 * step: rel28 item 2) is removed when it is there and said not to be otherwise. `mergedFrom`: the incident merged into
 * this one that put it.
 */
async function removeDenyAll(
  c: ContainmentClients,
  attempt: ReturnType<typeof releaseStep>,
  user: UserOfAction,
  options: ReleaseOptions,
  stepName: string,
  denied: string,
  put: ReturnType<typeof denyAllPut>['put'],
  mergedFrom?: string,
): Promise<void> {
  // How the record holds a put not done: no step at all (the run stopped before it), or failed (rel28 item 2).
  const recorded = put === 'none' ? 'no put of it was recorded' : 'its put was recorded failed';
  const by = mergedFrom ? `put by incident ${mergedFrom}, merged into this one` : '';
  await attempt(stepName, async () => {
    // Recorded done: it must be there (`deleteUserPolicy` says what is gone when it is not).
    if (put === 'done') return deleteUserPolicy(c, user, denied, options, mergedFrom);
    try {
      await c.iam.send(new DeleteUserPolicyCommand({ UserName: user.userName, PolicyName: denied }));
    } catch (err) {
      if (errorCode(err) !== 'NoSuchEntity') throw err;
      return { skipped: `inline policy ${denied} is not on ${user.label}: nothing to remove (${[by, recorded].filter(Boolean).join('; ')})` };
    }
    const why = [by, `${recorded}, yet it was on the user`].filter(Boolean).join('; ');
    return `inline policy ${denied} removed from ${user.label}${why ? ` (${why})` : ''}`;
  });
}
