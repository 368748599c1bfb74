/**
 * IAM's CloudTrail events reach EventBridge in us-east-1 only (IAM is global; CloudTrail records its
 * calls there), so a watch rule on them in any other region never matches: the calls on datalek's
 * bootstrap roles and policies (`datalek-watch-changes`) and the IAM calls that undo containment (a
 * key set `Active`, a `datalek-revoke-…` policy deleted: `datalek-watch-containment`) paged only where
 * us-east-1 was the central or a `forwardFrom` region (closing note, deploy's "Still left" 3).
 *
 * Where it is neither, this stack (`DatalekIamForward`, in us-east-1) forwards those calls to the
 * central region's default bus, where those rules page on them as on the region's own. Two rules,
 * each forwarding the calls on the other (a rule does not see the call that disables it); the
 * central `datalek-watch-pipeline` and `datalek-watch-by-hand` page on them (`datalek-*` rules). The
 * stack's own deployment, a stack of another name given datalek's execution role here, and an
 * object written to this region's staging bucket are forwarded too (`datalek-watch-changes`). As the member stack's rules, it has no dead-letter queue:
 * a forward that fails is not seen (no alarm topic in this region); what would make every forward
 * fail, its role's boundary, policies or trust changed (`IAM_FORWARD_ROLE_NAME`, by name), is
 * forwarded and paged on before it takes effect (read12b B1).
 */
import { ArnFormat, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { applyBoundary } from './boundary.js';
import { deployCalls, deployTrustCalls, ruleCalls, stagingBucketCalls } from './constructs/pipeline-watch.js';
import { BOOTSTRAP_POLICY_CHANGES, BOOTSTRAP_ROLE_CHANGES, deployRoleArn, IAM_FORWARD_ROLE_NAME, notByDeployment } from './deploy-role.js';

/** Where IAM's calls reach EventBridge. */
export const IAM_EVENTS_REGION = 'us-east-1';

/** The stack's forwarding rules: each forwards the calls on the other (`datalek-*`: the central watch pages on calls on them). */
export const [IAM_FORWARD_RULE_NAME, IAM_GUARD_RULE_NAME] = ['datalek-iam-forward', 'datalek-iam-guard'] as const;

/**
 * The IAM calls forwarded, by name alone (the central rules read their parameters): those on the
 * bootstrap's roles and policies, and those that undo containment (containment-watch.ts: a key set
 * `Active`, a role's or user's inline `datalek-revoke-…` policy deleted or overwritten).
 */
export const FORWARDED_IAM_CALLS = [
  ...new Set([...BOOTSTRAP_ROLE_CHANGES, ...BOOTSTRAP_POLICY_CHANGES, 'UpdateAccessKey', 'DeleteUserPolicy', 'PutUserPolicy']),
];

/**
 * Whether a deployment needs this stack: its central region and `forwardFrom` regions leave out
 * us-east-1 (where one of them is us-east-1, its own watch rules see IAM's calls).
 */
export function needsIamForward(config: { region: string; forwardFrom: string[] }): boolean {
  return ![config.region, ...config.forwardFrom].includes(IAM_EVENTS_REGION);
}

/**
 * The forward rule: IAM's calls, datalek's execution role given to another stack here, this region's
 * `Datalek…` stacks changed or an object written to its staging bucket, and calls on the guard rule.
 */
export function iamForwardPattern(byHandOf: Record<string, unknown>): Record<string, unknown> {
  const [, stacks, cloudControl] = deployTrustCalls();
  // No detail-type, for room (a pattern holds 2,048 characters): each branch names its source and
  // fields only CloudTrail's calls (or S3's object events) carry; the central rules read the type.
  return {
    $or: [
      { source: ['aws.iam'], detail: { eventName: FORWARDED_IAM_CALLS } },
      stacks,
      cloudControl,
      deployCalls(),
      // An object written to this region's staging bucket (its templates: the next deploy's, run as the execution role here).
      stagingBucketCalls(),
      ruleCalls([IAM_GUARD_RULE_NAME], byHandOf),
    ],
  };
}

/** The guard rule: calls that would silence the forward rule (it does not see the call that disables it). */
export function iamGuardPattern(byHandOf: Record<string, unknown>): Record<string, unknown> {
  return { 'detail-type': ['AWS API Call via CloudTrail'], ...ruleCalls([IAM_FORWARD_RULE_NAME], byHandOf) };
}

export interface IamForwardStackProps extends StackProps {
  /** The pipeline's central region: its default bus takes the forwarded calls. */
  centralRegion: string;
}

export class IamForwardStack extends Stack {
  /** The forward and guard rules. */
  public readonly rules: events.Rule[];
  /** EventBridge's role for them: put events on the central default bus, nothing else. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: IamForwardStackProps) {
    super(scope, id, props);
    const centralBus = `arn:${this.partition}:events:${props.centralRegion}:${this.account}:event-bus/default`;
    const ruleArn = (name: string) => this.formatArn({ service: 'events', resource: 'rule', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const forward = new iam.PolicyStatement({ sid: 'ForwardToCentralBus', actions: ['events:PutEvents'], resources: [centralBus] });
    this.role = new iam.Role(this, 'ForwardRole', {
      // By name: the central datalek-watch-changes pages on a change of its boundary, policies or trust.
      roleName: IAM_FORWARD_ROLE_NAME,
      description: `datalek: EventBridge puts IAM's calls (seen in ${IAM_EVENTS_REGION} only) on the default bus of ${props.centralRegion}, for the ${IAM_FORWARD_RULE_NAME} and ${IAM_GUARD_RULE_NAME} rules only`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnEquals: { 'aws:SourceArn': [ruleArn(IAM_FORWARD_RULE_NAME), ruleArn(IAM_GUARD_RULE_NAME)] },
        },
      }),
    });
    this.role.addToPolicy(forward);
    // A change of a rule's pattern or targets by this stack's own deployment is not forwarded; anyone else's is.
    const byHandOf = notByDeployment(deployRoleArn(this));
    const role = this.role;
    this.rules = [
      [
        IAM_FORWARD_RULE_NAME,
        'Forward',
        `IAM calls on datalek's bootstrap roles and policies or that undo containment, and calls on ${IAM_GUARD_RULE_NAME}`,
        iamForwardPattern(byHandOf),
      ],
      [IAM_GUARD_RULE_NAME, 'Guard', `calls that would silence the ${IAM_FORWARD_RULE_NAME} rule`, iamGuardPattern(byHandOf)],
    ].map(([name, id, what, pattern]) => {
      const rule = new events.Rule(this, `${id}Rule`, {
        ruleName: name as string,
        description: `datalek: ${what}, forwarded to the pipeline in ${props.centralRegion} (README, Deploy)`,
        // Set below: CDK's pattern type has no top-level $or.
        eventPattern: { source: ['aws.iam'] },
      });
      (rule.node.defaultChild as events.CfnRule).eventPattern = pattern;
      // Not targets.EventBus: it would add its own grant to the role; the role's is the one above.
      rule.addTarget({ bind: () => ({ arn: centralBus, role }) });
      return rule;
    });
    applyBoundary(this, undefined, [forward]);
  }
}
