/**
 * A member account's IAM calls, forwarded from us-east-1 (infra14). The member stack
 * (`DatalekMember-<account>`) is deployed in the central region, where a member's IAM calls never
 * reach EventBridge (IAM is global; CloudTrail records its calls in us-east-1): a change of the
 * containment role's trust or policies, of its read role's or forwarding role's, a new version of
 * their boundaries (`datalek-containment-boundary`, …), or a key set `Active` again and a revocation
 * policy deleted after datalek contained them there, went unseen.
 *
 * This stack, `DatalekMemberIam-<account>` in the member account's us-east-1, forwards those calls
 * to the pipeline account's default bus in the central region (a rule may target a bus of another
 * account and region), where `datalek-watch-roles` (the roles, by name, and a `datalek-*` policy's
 * versions: infra16) and `datalek-watch-containment` (containment undone) page on them
 * as on the pipeline's own. Filtered here, by name: the member's other IAM calls stay in the member
 * account. The calls that undo containment are forwarded but for the containment role's own
 * sessions (the contain function revokes and releases through it), which the central containment
 * watch cannot tell from a person's (it excuses the pipeline account's sessions only).
 *
 * Two rules, each forwarding calls on the other (a rule does not see the call that disables it). A
 * forward that fails waits in an encrypted dead-letter queue of the member's us-east-1, whose alarm
 * pages on-call through that region's own alarm topic in the member account (forward-path.ts, as
 * `DatalekIamForward`'s: infra15, a failed forward was lost silently); only the member's break-glass
 * role (the pipeline's `breakGlassRole` name, in the member account) may take its messages or disable
 * the key. What would make every forward fail, its role changed, is itself forwarded first (by name,
 * `MEMBER_IAM_FORWARD_ROLE_NAME`). The calls that would silence that dead-letter path, its alarms
 * deleted or their actions off, its alarm topic's subscriptions cut, filtered or added to (the queue
 * is Denied but to break-glass and the deployment), are forwarded by the guard rule to the central
 * `datalek-watch-paging`, which reads them by name as the pipeline's own (infra16: they were not,
 * and a member's dead-letter alarm deleted was silent).
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { boundaryStatements } from './boundary.js';
import { containmentReadRoleName } from './config.js';
import { ALARM_NAME_PREFIX } from './constructs/alarms.js';
import { containRoleWrites } from './constructs/contain-role-watch.js';
import { containmentPolicyNames } from './constructs/containment-watch.js';
import { type ForwardPathConfig, forwardPath, ruleArnOf } from './constructs/forward-path.js';
import { alarmCalls, deployCalls, deployTrustCalls, iamNames, ruleCalls, topicCalls } from './constructs/pipeline-watch.js';
import { protectedTagCalls } from './constructs/protected-tag-watch.js';
import { notRoleIssuers, roleIssuers } from './constructs/role-issuers.js';
import { MEMBER_IAM_FORWARD_ROLE_NAME, MEMBER_IAM_RULE_NAMES, MEMBER_STACK_ROLE_NAMES } from './containment-policy.js';
import {
  BOOTSTRAP_POLICY_ARNS,
  BOOTSTRAP_ROLE_CHANGES,
  BOOTSTRAP_ROLE_PREFIX,
  DATALEK_POLICY_PREFIX,
  deployRoleArn,
  notByDeployment,
  POLICY_VERSION_CHANGES,
} from './deploy-role.js';
import { IAM_EVENTS_REGION } from './iam-forward-stack.js';

export const [MEMBER_IAM_FORWARD_RULE_NAME, MEMBER_IAM_GUARD_RULE_NAME, MEMBER_IAM_CONTAIN_RULE_NAME] = MEMBER_IAM_RULE_NAMES;

const CLOUDTRAIL_CALLS = 'AWS API Call via CloudTrail';

/**
 * A member account's datalek roles by name: the containment role, its read role, the member stacks' forwarding roles, and
 * the break-glass role (fgsec16 S1: the pipeline's name, made by hand; alone takes this stack's dead letters and may
 * disable its key, so whoever makes it first, or changes its trust, has them).
 */
export function memberRoleNames(config: { containmentRoleName: string; breakGlassRole: string }): string[] {
  return [config.containmentRoleName, containmentReadRoleName(config.containmentRoleName), ...MEMBER_STACK_ROLE_NAMES, config.breakGlassRole];
}

/**
 * The member's IAM calls on datalek's roles and policies: a datalek role of the member (`roleNames`,
 * and its bootstrap's `cdk-datalek-…`) created, deleted, or its trust, policies or boundary changed,
 * in any case of its name; a version of a `datalek-*` or `cdk-datalek-*` managed policy.
 */
export function memberRoleCalls(roleNames: string[]): Record<string, unknown> {
  return {
    source: ['aws.iam'],
    detail: {
      $or: [
        { eventName: BOOTSTRAP_ROLE_CHANGES, requestParameters: { roleName: iamNames([BOOTSTRAP_ROLE_PREFIX], roleNames) } },
        {
          eventName: POLICY_VERSION_CHANGES,
          requestParameters: {
            policyArn: [...BOOTSTRAP_POLICY_ARNS, `*:policy/${DATALEK_POLICY_PREFIX}*`, `*:policy/*/${DATALEK_POLICY_PREFIX}*`].map((wildcard) => ({
              wildcard,
            })),
          },
        },
      ],
    },
  };
}

/**
 * The member's IAM calls that undo containment (containment-watch.ts): a key set `Active`, a
 * `datalek-revoke-…` or `datalek-deny-all-…` policy deleted or overwritten (`containmentPolicyNames`), a console password set anew, by anyone but the
 * sessions of the containment role (named `containmentRoleName`, in any case: deploy19).
 */
export function memberUndoCalls(containmentRoleName: string): Record<string, unknown> {
  return {
    source: ['aws.iam'],
    detail: {
      userIdentity: notRoleIssuers([containmentRoleName]),
      $or: [
        { eventName: ['UpdateAccessKey'], requestParameters: { status: ['Active'] } },
        // infra16: a console password set anew (drift cannot see it: the login profile keeps its creation date), any user's.
        { eventName: ['UpdateLoginProfile'] },
        {
          eventName: ['DeleteRolePolicy', 'DeleteUserPolicy', 'PutRolePolicy', 'PutUserPolicy'],
          requestParameters: { policyName: containmentPolicyNames() },
        },
      ],
    },
  };
}

/**
 * The third rule (fgsec17 Sc; moved here from the guard for room: a pattern holds 2,048 characters):
 * the member's IAM calls that undo containment, by anyone but the containment role (`memberUndoCalls`,
 * for the central `datalek-watch-containment`), and the containment role's own calls that page, an
 * inline policy that is not exactly the session revocation or deny-all, or a key set `Active`, by the role's name
 * in any case (contain-role-watch.ts, for the central `datalek-watch-contain-role`; deploy19: by its
 * exact ARN before, which a role created in another case does not carry). Those are filtered here,
 * not centrally: `datalek-watch-containment` would page on every revocation forwarded. And (sec25) a
 * user or role tagged `datalek:protected`, or untagged (protected-tag-watch.ts, for the central
 * `datalek-watch-protected-tag`): a principal that tags itself refuses its own containment.
 */
export function memberContainPattern(containmentRoleName: string): Record<string, unknown> {
  return {
    'detail-type': [CLOUDTRAIL_CALLS],
    $or: [
      memberUndoCalls(containmentRoleName),
      { source: ['aws.iam'], detail: { userIdentity: { sessionContext: { sessionIssuer: roleIssuers([containmentRoleName]) } }, $or: containRoleWrites() } },
      // sec25: a user or role tagged datalek:protected (or untagged), which containment never writes on: for the central datalek-watch-protected-tag.
      protectedTagCalls(),
    ],
  };
}

/**
 * The calls that would silence this region's dead-letter path, by name alone (infra16; room: a pattern
 * holds 2,048 characters): the central `datalek-watch-paging` reads which alarm or topic (`alarmCalls`,
 * `topicCalls`: a `datalek-*` one) and pages on those alone.
 */
export function alarmPathCalls(): Record<string, unknown> {
  const eventNames = (node: unknown): string[] =>
    Array.isArray(node)
      ? node.flatMap(eventNames)
      : node && typeof node === 'object'
        ? Object.entries(node).flatMap(([k, v]) => (k === 'eventName' ? (v as string[]) : eventNames(v)))
        : [];
  const calls = [alarmCalls([{ prefix: ALARM_NAME_PREFIX }]), topicCalls(`${ALARM_NAME_PREFIX}*`)];
  return { source: calls.flatMap((c) => c.source as string[]), detail: { eventName: [...new Set(eventNames(calls))] } };
}

/**
 * The forward rule: the member's IAM calls on datalek's roles and policies, calls on the guard rule,
 * and (infra16) datalek's execution role of this region given to a stack not named `Datalek…`: that
 * stack's later updates are this region's deployment, which `byHandOf` excuses (the central
 * `datalek-watch-changes` pages on it, as on the pipeline account's own: `deployTrustCalls`).
 */
export function memberIamForwardPattern(roleNames: string[], byHandOf: Record<string, unknown>): Record<string, unknown> {
  const [stackGivenTheRole] = deployTrustCalls();
  return {
    'detail-type': [CLOUDTRAIL_CALLS],
    $or: [memberRoleCalls(roleNames), ruleCalls([MEMBER_IAM_GUARD_RULE_NAME], byHandOf), stackGivenTheRole],
  };
}

/**
 * The guard rule: calls on the forward and third rules (the third forwards the member's IAM calls that
 * undo containment: `memberContainPattern`), the calls that silence this region's dead-letter path (its
 * `datalek-*` alarms and alarm topic: infra16), and (attack15 K2) this region's `Datalek…` stacks deployed,
 * changed or deleted: `DatalekMemberIam-<account>` itself, whose update (a pattern that matches
 * nothing, its `PutRule` then the deployment's, which `byHandOf` excuses) or deletion silenced every
 * forward here unpaged. CloudTrail records a us-east-1 stack's calls in us-east-1, which the member
 * stack's watch of the central region never sees; where the central region is us-east-1 it does.
 */
export function memberIamGuardPattern(byHandOf: Record<string, unknown>, centralRegion: string): Record<string, unknown> {
  const stacks = centralRegion === IAM_EVENTS_REGION ? [] : [deployCalls()];
  return {
    'detail-type': [CLOUDTRAIL_CALLS],
    $or: [ruleCalls([MEMBER_IAM_FORWARD_RULE_NAME, MEMBER_IAM_CONTAIN_RULE_NAME], byHandOf), alarmPathCalls(), ...stacks],
  };
}

export interface MemberIamStackProps extends StackProps {
  pipelineAccount: string;
  /** The pipeline's central region: its default bus takes the forwarded calls. */
  centralRegion: string;
  /** The member's datalek roles by name (`memberRoleNames`). */
  roleNames: string[];
  /** The containment role's name: its sessions revoke and release (not forwarded). */
  containmentRoleName: string;
  /** The break-glass role (of the member account, by the pipeline's name: alone takes the dead letters), on-call's e-mail and the pager. */
  config: ForwardPathConfig;
}

export class MemberIamStack extends Stack {
  public readonly rules: events.Rule[];
  /** EventBridge's role for them: put events on the pipeline's central bus, nothing else. */
  public readonly role: iam.Role;
  /** The forwards that failed: their only copy. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: MemberIamStackProps) {
    super(scope, id, props);
    const centralBus = `arn:${this.partition}:events:${props.centralRegion}:${props.pipelineAccount}:event-bus/default`;
    const forward = new iam.PolicyStatement({ sid: 'ForwardToPipeline', actions: ['events:PutEvents'], resources: [centralBus] });
    this.role = new iam.Role(this, 'ForwardRole', {
      // By name: the central datalek-watch-changes pages on a change of its boundary, policies or trust.
      roleName: MEMBER_IAM_FORWARD_ROLE_NAME,
      description: `datalek: EventBridge puts this account's IAM calls on datalek's roles (seen in ${IAM_EVENTS_REGION} only) on the pipeline's bus (${props.pipelineAccount}, ${props.centralRegion}), for the ${MEMBER_IAM_FORWARD_RULE_NAME} and ${MEMBER_IAM_GUARD_RULE_NAME} rules only`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnEquals: { 'aws:SourceArn': MEMBER_IAM_RULE_NAMES.map((name) => ruleArnOf(this, name)) },
        },
      }),
    });
    this.role.addToPolicy(forward);
    iam.PermissionsBoundary.of(this.role).apply(
      new iam.ManagedPolicy(this, 'ForwardBoundary', {
        managedPolicyName: `${MEMBER_IAM_FORWARD_ROLE_NAME}-boundary`,
        description: 'datalek: the most the member IAM forwarding role may ever do (permissions boundary)',
        statements: boundaryStatements([forward]),
      }),
    );
    // A change of a rule's pattern or targets by this stack's own deployment is not forwarded; anyone else's is.
    const byHandOf = notByDeployment(deployRoleArn(this));
    const path = forwardPath(this, {
      config: props.config,
      keyDescription: `datalek: the member IAM forward's dead-letter queue and alarm topic in ${IAM_EVENTS_REGION}`,
      centralBus,
      role: this.role,
      rules: [
        {
          name: MEMBER_IAM_FORWARD_RULE_NAME,
          id: 'Forward',
          what: `IAM calls on datalek's roles and policies in this account, calls on ${MEMBER_IAM_GUARD_RULE_NAME}, and datalek's execution role given to another stack here`,
          pattern: memberIamForwardPattern(props.roleNames, byHandOf),
        },
        {
          name: MEMBER_IAM_GUARD_RULE_NAME,
          id: 'Guard',
          what: `calls that would silence the ${MEMBER_IAM_FORWARD_RULE_NAME} rule or this region's datalek alarms and alarm topic, IAM calls that undo containment in this account, and this region's datalek stacks changed`,
          pattern: memberIamGuardPattern(byHandOf, props.centralRegion),
        },
        {
          name: MEMBER_IAM_CONTAIN_RULE_NAME,
          id: 'Contain',
          what: 'IAM calls that undo containment in this account, and the containment role writing an inline policy that is not its session revocation or setting an access key Active',
          pattern: memberContainPattern(props.containmentRoleName),
        },
      ],
      forwardedTo: 'forwarded to the pipeline',
      lostDescription: (name) =>
        `datalek: this member account's calls forwarded by the ${name} rule (${IAM_EVENTS_REGION}) to the pipeline (${props.pipelineAccount}, ${props.centralRegion}) could be neither delivered nor put in the dead-letter queue: they are LOST, and a watch rule may not have paged on them. Look up this account's IAM calls of the period in CloudTrail (Event history, ${IAM_EVENTS_REGION}), then mend the queue's policy or key`,
      deadLetters: {
        name: 'member-iam-forward-dead-letters',
        description: `datalek: this member account's IAM calls on datalek's roles and policies, that undo containment, or that tag a user or role datalek:protected (${IAM_EVENTS_REGION}), could not be forwarded to the pipeline (${props.pipelineAccount}, ${props.centralRegion}), so no watch rule paged on them; they wait in, or arrived in, the dead-letter queue (an empty queue after this alarm means someone received or deleted them). As this account's break-glass role, read them (each a CloudTrail event: the call, who, from where), treat each as a page of datalek-watch-changes, datalek-watch-containment or datalek-watch-protected-tag, then redrive or delete them (runbooks)`,
      },
    });
    this.rules = path.rules;
    this.deadLetterQueue = path.deadLetterQueue;
  }
}
