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
 * account and region), where `datalek-watch-changes` (the roles, by name), `datalek-watch-by-hand`
 * (a `datalek-*` policy's versions) and `datalek-watch-containment` (containment undone) page on them
 * as on the pipeline's own. Filtered here, by name: the member's other IAM calls stay in the member
 * account. The calls that undo containment are forwarded but for the containment role's own
 * sessions (the contain function revokes and releases through it), which the central containment
 * watch cannot tell from a person's (it excuses the pipeline account's sessions only).
 *
 * Two rules, each forwarding calls on the other (a rule does not see the call that disables it). As
 * the member stack's rules, no dead-letter queue: a forward that fails is not seen (no alarm topic in
 * the member account); what would make every forward fail, its role changed, is itself forwarded
 * first (by name, `MEMBER_IAM_FORWARD_ROLE_NAME`).
 */
import { ArnFormat, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { boundaryStatements } from './boundary.js';
import { containmentReadRoleName } from './config.js';
import { deployCalls, iamNames, ruleCalls } from './constructs/pipeline-watch.js';
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

export const [MEMBER_IAM_FORWARD_RULE_NAME, MEMBER_IAM_GUARD_RULE_NAME] = MEMBER_IAM_RULE_NAMES;

/** A member account's datalek roles by name: the containment role, its read role, the member stacks' forwarding roles. */
export function memberRoleNames(config: { containmentRoleName: string }): string[] {
  return [config.containmentRoleName, containmentReadRoleName(config.containmentRoleName), ...MEMBER_STACK_ROLE_NAMES];
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
 * `datalek-revoke-…` policy deleted or overwritten, by anyone but `containmentRole`'s sessions.
 */
export function memberUndoCalls(containmentRole: string): Record<string, unknown> {
  const notContainment = notByDeployment(containmentRole);
  return {
    source: ['aws.iam'],
    detail: {
      userIdentity: notContainment,
      $or: [
        { eventName: ['UpdateAccessKey'], requestParameters: { status: ['Active'] } },
        {
          eventName: ['DeleteRolePolicy', 'DeleteUserPolicy', 'PutRolePolicy', 'PutUserPolicy'],
          requestParameters: { policyName: [{ prefix: { 'equals-ignore-case': 'datalek-revoke' } }] },
        },
      ],
    },
  };
}

const CLOUDTRAIL_CALLS = 'AWS API Call via CloudTrail';

/** The forward rule: the member's IAM calls on datalek's roles and policies, and calls on the guard rule. */
export function memberIamForwardPattern(roleNames: string[], byHandOf: Record<string, unknown>): Record<string, unknown> {
  return { 'detail-type': [CLOUDTRAIL_CALLS], $or: [memberRoleCalls(roleNames), ruleCalls([MEMBER_IAM_GUARD_RULE_NAME], byHandOf)] };
}

/**
 * The guard rule: calls on the forward rule, the member's IAM calls that undo containment (here, for
 * room: a pattern holds 2,048 characters), and (attack15 K2) this region's `Datalek…` stacks deployed,
 * changed or deleted: `DatalekMemberIam-<account>` itself, whose update (a pattern that matches
 * nothing, its `PutRule` then the deployment's, which `byHandOf` excuses) or deletion silenced every
 * forward here unpaged. CloudTrail records a us-east-1 stack's calls in us-east-1, which the member
 * stack's watch of the central region never sees; where the central region is us-east-1 it does.
 */
export function memberIamGuardPattern(containmentRole: string, byHandOf: Record<string, unknown>, centralRegion: string): Record<string, unknown> {
  const stacks = centralRegion === IAM_EVENTS_REGION ? [] : [deployCalls()];
  return { 'detail-type': [CLOUDTRAIL_CALLS], $or: [ruleCalls([MEMBER_IAM_FORWARD_RULE_NAME], byHandOf), memberUndoCalls(containmentRole), ...stacks] };
}

export interface MemberIamStackProps extends StackProps {
  pipelineAccount: string;
  /** The pipeline's central region: its default bus takes the forwarded calls. */
  centralRegion: string;
  /** The member's datalek roles by name (`memberRoleNames`). */
  roleNames: string[];
  /** The containment role's name: its sessions revoke and release (not forwarded). */
  containmentRoleName: string;
}

export class MemberIamStack extends Stack {
  public readonly rules: events.Rule[];
  /** EventBridge's role for them: put events on the pipeline's central bus, nothing else. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberIamStackProps) {
    super(scope, id, props);
    const centralBus = `arn:${this.partition}:events:${props.centralRegion}:${props.pipelineAccount}:event-bus/default`;
    const ruleArn = (name: string) => this.formatArn({ service: 'events', resource: 'rule', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const forward = new iam.PolicyStatement({ sid: 'ForwardToPipeline', actions: ['events:PutEvents'], resources: [centralBus] });
    this.role = new iam.Role(this, 'ForwardRole', {
      // By name: the central datalek-watch-changes pages on a change of its boundary, policies or trust.
      roleName: MEMBER_IAM_FORWARD_ROLE_NAME,
      description: `datalek: EventBridge puts this account's IAM calls on datalek's roles (seen in ${IAM_EVENTS_REGION} only) on the pipeline's bus (${props.pipelineAccount}, ${props.centralRegion}), for the ${MEMBER_IAM_FORWARD_RULE_NAME} and ${MEMBER_IAM_GUARD_RULE_NAME} rules only`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnEquals: { 'aws:SourceArn': MEMBER_IAM_RULE_NAMES.map(ruleArn) },
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
    const containmentRole = `arn:${this.partition}:iam::${this.account}:role/${props.containmentRoleName}`;
    // A change of a rule's pattern or targets by this stack's own deployment is not forwarded; anyone else's is.
    const byHandOf = notByDeployment(deployRoleArn(this));
    const role = this.role;
    this.rules = (
      [
        [
          MEMBER_IAM_FORWARD_RULE_NAME,
          'Forward',
          `IAM calls on datalek's roles and policies in this account, and calls on ${MEMBER_IAM_GUARD_RULE_NAME}`,
          memberIamForwardPattern(props.roleNames, byHandOf),
        ],
        [
          MEMBER_IAM_GUARD_RULE_NAME,
          'Guard',
          `calls that would silence the ${MEMBER_IAM_FORWARD_RULE_NAME} rule, IAM calls that undo containment in this account, and this region's datalek stacks changed`,
          memberIamGuardPattern(containmentRole, byHandOf, props.centralRegion),
        ],
      ] as const
    ).map(([name, ruleId, what, pattern]) => {
      const rule = new events.Rule(this, `${ruleId}Rule`, {
        ruleName: name,
        description: `datalek: ${what}, forwarded to the pipeline (README, Deploy)`,
        // Set below: CDK's pattern type has no top-level $or.
        eventPattern: { source: ['aws.iam'] },
      });
      (rule.node.defaultChild as events.CfnRule).eventPattern = pattern;
      // Not targets.EventBus: it would add its own grant to the role; the role's is the one above.
      rule.addTarget({ bind: () => ({ arn: centralBus, role }) });
      return rule;
    });
  }
}
