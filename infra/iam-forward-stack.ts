/**
 * IAM's CloudTrail events reach EventBridge in us-east-1 only (IAM is global; CloudTrail records its
 * calls there), so a watch rule on them in any other region never matches: the calls on datalek's
 * bootstrap roles and policies (`datalek-watch-changes`) and the IAM calls that undo containment (a
 * key set `Active`, a `datalek-revoke-…` or `datalek-deny-all-…` policy deleted: `datalek-watch-containment`) paged only where
 * us-east-1 was the central or a `forwardFrom` region (closing note, deploy's "Still left" 3).
 *
 * Where it is neither, this stack (`DatalekIamForward`, in us-east-1) forwards those calls to the
 * central region's default bus, where those rules page on them as on the region's own. Two rules,
 * each forwarding the calls on the other (a rule does not see the call that disables it); the
 * central `datalek-watch-pipeline` and `datalek-watch-by-hand` page on them (`datalek-*` rules). The
 * stack's own deployment, a stack of another name given datalek's execution role here, and an
 * object written to this region's staging bucket are forwarded too (`datalek-watch-changes`).
 *
 * A forward that fails (the central bus refusing, throttled past EventBridge's retries) waits in an
 * encrypted dead-letter queue, as the forwarder stacks' do: only the two rules may send to it, only
 * break-glass may take its messages (review11 K3, read12b B3), and its alarm, which counts what
 * arrives, pages on-call through this region's own alarm topic (an alarm notifies a topic of its own
 * region only; infra14: a failed forward was lost silently). The guard rule forwards the calls that
 * would silence that path (a datalek alarm, topic or queue here) to the central paging and register
 * rules, which read them by name. What would make every forward fail, its role's boundary, policies
 * or trust changed (`IAM_FORWARD_ROLE_NAME`, by name), is forwarded and paged on before it takes
 * effect (read12b B1).
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { applyBoundary } from './boundary.js';
import { ALARM_NAME_PREFIX } from './constructs/alarms.js';
import { type ForwardPathConfig, forwardPath, ruleArnOf } from './constructs/forward-path.js';
import { alarmCalls, deployTrustCalls, ruleCalls, STACK_CALLS, STACK_ROLE_CALLS, stagingBucketCalls, topicCalls } from './constructs/pipeline-watch.js';
import { PROTECTED_TAG_CALLS } from './constructs/protected-tag-watch.js';
import { queueCalls } from './constructs/register-guard.js';
import { BOOTSTRAP_ROLE_CHANGES, deployRoleArn, IAM_FORWARD_ROLE_NAME, notByDeployment, POLICY_VERSION_CHANGES } from './deploy-role.js';

/** Where IAM's calls reach EventBridge. */
export const IAM_EVENTS_REGION = 'us-east-1';

/** The stack's forwarding rules: each forwards the calls on the other (`datalek-*`: the central watch pages on calls on them). */
export const [IAM_FORWARD_RULE_NAME, IAM_GUARD_RULE_NAME] = ['datalek-iam-forward', 'datalek-iam-guard'] as const;

/**
 * The IAM calls forwarded, by name alone (the central rules read their parameters): those on the
 * bootstrap's roles and policies, a managed policy's versions (the bootstrap's, datalek's boundaries:
 * infra14), and those that undo containment (containment-watch.ts: a key set `Active`, a role's or
 * user's inline `datalek-revoke-…` or `datalek-deny-all-…` policy deleted or overwritten, a console
 * password set anew: infra16),
 * and a user or role tagged or untagged (protected-tag-watch.ts: the `datalek:protected` key, sec25).
 */
export const FORWARDED_IAM_CALLS = [
  ...new Set([
    ...BOOTSTRAP_ROLE_CHANGES,
    ...POLICY_VERSION_CHANGES,
    'UpdateAccessKey',
    'DeleteUserPolicy',
    'PutUserPolicy',
    'UpdateLoginProfile',
    ...PROTECTED_TAG_CALLS,
  ]),
];

/**
 * Whether a deployment needs this stack: its central region and `forwardFrom` regions leave out
 * us-east-1 (where one of them is us-east-1, its own watch rules see IAM's calls).
 */
export function needsIamForward(config: { region: string; forwardFrom: string[] }): boolean {
  return ![config.region, ...config.forwardFrom].includes(IAM_EVENTS_REGION);
}

/** CloudFormation's calls forwarded, by name alone (infra15, for room: the central rules read which stack and role). */
export const FORWARDED_STACK_CALLS = [...new Set([...STACK_CALLS, ...STACK_ROLE_CALLS])];

/**
 * The forward rule: IAM's calls, CloudFormation's calls that change a stack or give it a role (this
 * region's `Datalek…` stacks changed, datalek's execution role given to another stack here), Cloud
 * Control's with datalek's execution role, a staging bucket's calls and objects, and calls on the
 * guard rule.
 */
export function iamForwardPattern(byHandOf: Record<string, unknown>): Record<string, unknown> {
  const [, cloudControl] = deployTrustCalls();
  // No detail-type, for room (a pattern holds 2,048 characters): each branch names its source and
  // fields only CloudTrail's calls (or S3's object events) carry; the central rules read the type.
  return {
    $or: [
      { source: ['aws.iam'], detail: { eventName: FORWARDED_IAM_CALLS } },
      // By name alone (infra15: the pattern was 2,024 of 2,048 characters): every stack's, read centrally by name and role.
      { source: ['aws.cloudformation'], detail: { eventName: FORWARDED_STACK_CALLS } },
      cloudControl,
      // An object written to this region's staging bucket (its templates: the next deploy's, run as the execution role here), its settings.
      stagingBucketCalls(),
      ruleCalls([IAM_GUARD_RULE_NAME], byHandOf),
    ],
  };
}

/**
 * The guard rule: calls that would silence the forward rule (it does not see the call that disables
 * it), and those that would silence this region's dead-letter path: a datalek alarm's actions off or
 * the alarm deleted, a datalek topic cut, a datalek queue purged or deleted (the central
 * `datalek-watch-paging` and `datalek-watch-register` read them by name, whatever the region).
 */
export function iamGuardPattern(byHandOf: Record<string, unknown>): Record<string, unknown> {
  return {
    'detail-type': ['AWS API Call via CloudTrail'],
    $or: [ruleCalls([IAM_FORWARD_RULE_NAME], byHandOf), alarmCalls([{ prefix: ALARM_NAME_PREFIX }]), topicCalls(`${ALARM_NAME_PREFIX}*`), queueCalls()],
  };
}

export interface IamForwardStackProps extends StackProps {
  /** The pipeline's central region: its default bus takes the forwarded calls. */
  centralRegion: string;
  /** The break-glass role (alone takes the dead letters), on-call's e-mail and the pager (the alarm topic's subscribers). */
  config: ForwardPathConfig;
}

export class IamForwardStack extends Stack {
  /** The forward and guard rules. */
  public readonly rules: events.Rule[];
  /** EventBridge's role for them: put events on the central default bus, nothing else. */
  public readonly role: iam.Role;
  /** The forwards that failed: their only copy. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Encrypts the queue and the alarm topic. */
  public readonly key: kms.Key;
  /** On-call's alarm topic in us-east-1 (an alarm notifies a topic of its own region only). */
  public readonly alarmTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: IamForwardStackProps) {
    super(scope, id, props);
    const centralBus = `arn:${this.partition}:events:${props.centralRegion}:${this.account}:event-bus/default`;
    const forward = new iam.PolicyStatement({ sid: 'ForwardToCentralBus', actions: ['events:PutEvents'], resources: [centralBus] });
    this.role = new iam.Role(this, 'ForwardRole', {
      // By name: the central datalek-watch-changes pages on a change of its boundary, policies or trust.
      roleName: IAM_FORWARD_ROLE_NAME,
      description: `datalek: EventBridge puts IAM's calls (seen in ${IAM_EVENTS_REGION} only) on the default bus of ${props.centralRegion}, for the ${IAM_FORWARD_RULE_NAME} and ${IAM_GUARD_RULE_NAME} rules only`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnEquals: { 'aws:SourceArn': [ruleArnOf(this, IAM_FORWARD_RULE_NAME), ruleArnOf(this, IAM_GUARD_RULE_NAME)] },
        },
      }),
    });
    this.role.addToPolicy(forward);
    // A change of a rule's pattern or targets by this stack's own deployment is not forwarded; anyone else's is.
    const byHandOf = notByDeployment(deployRoleArn(this));
    applyBoundary(this, 'datalek-iam-forward-boundary', [forward]);
    const path = forwardPath(this, {
      config: props.config,
      keyDescription: `datalek: the IAM forward's dead-letter queue and alarm topic in ${IAM_EVENTS_REGION}`,
      centralBus,
      role: this.role,
      rules: [
        {
          name: IAM_FORWARD_RULE_NAME,
          id: 'Forward',
          what: `IAM calls on datalek's bootstrap roles and policies or that undo containment, and calls on ${IAM_GUARD_RULE_NAME}`,
          pattern: iamForwardPattern(byHandOf),
        },
        { name: IAM_GUARD_RULE_NAME, id: 'Guard', what: `calls that would silence the ${IAM_FORWARD_RULE_NAME} rule`, pattern: iamGuardPattern(byHandOf) },
      ],
      forwardedTo: `forwarded to the pipeline in ${props.centralRegion}`,
      lostDescription: (name) =>
        `datalek: calls forwarded by the ${name} rule (${IAM_EVENTS_REGION}) to the pipeline in ${props.centralRegion} could be neither delivered nor put in the dead-letter queue: they are LOST, and a watch rule may not have paged on them. Look up IAM's and CloudFormation's calls of the period in CloudTrail (Event history, ${IAM_EVENTS_REGION}), then mend the queue's policy or key`,
      deadLetters: {
        name: 'iam-forward-dead-letters',
        description: `datalek: IAM's calls (or a datalek stack's changes) of ${IAM_EVENTS_REGION} could not be forwarded to the pipeline in ${props.centralRegion}, so no watch rule paged on them; they wait in, or arrived in, the dead-letter queue (an empty queue after this alarm means someone received or deleted them). As break-glass, read them (each a CloudTrail event: the call, who, from where), treat each as a page of datalek-watch-changes or datalek-watch-containment-iam, then redrive or delete them (runbooks)`,
      },
    });
    this.rules = path.rules;
    this.deadLetterQueue = path.deadLetterQueue;
    this.key = path.key;
    this.alarmTopic = path.alarmTopic;
  }
}
