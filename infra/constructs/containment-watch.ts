/**
 * Pages on-call when a call is made that can undo containment datalek carried out, by anyone but
 * the datalek roles (review5 A15): someone puts an isolated instance's interfaces back in their own
 * groups, reactivates a deactivated key, lifts a bucket's public access block; the record keeps
 * saying "done", the AP draft lists the measure, and nothing else notices.
 * Each containment step (handlers/adapters/aws/containment/) and the call that undoes it:
 * - an interface moved into the isolation group (instance, ECS task): ModifyNetworkInterfaceAttribute
 *   or ModifyInstanceAttribute with groups;
 * - termination protection, shutdown behaviour stop: ModifyInstanceAttribute turning them back;
 * - the instance profile taken away: AssociateIamInstanceProfile, ReplaceIamInstanceProfileAssociation;
 * - an instance isolated: AttachNetworkInterface (a new interface, in groups of the caller's choice,
 *   puts it back on the network while the isolated one stays in the isolation group; review9 K5).
 *   Any instance's: where something attaches interfaces routinely (EKS's VPC CNI), it pages for those too;
 * - an access key deactivated: UpdateAccessKey to Active;
 * - older sessions revoked by an inline `datalek-revoke-…` policy (role, user): that policy deleted
 *   or overwritten (DeleteRolePolicy, DeleteUserPolicy, PutRolePolicy, PutUserPolicy);
 * - a bucket's public access blocked: DeletePublicAccessBlock, PutPublicAccessBlock with a setting off;
 * - a function stopped (reserved concurrency 0, its URL put behind IAM): DeleteFunctionConcurrency,
 *   PutFunctionConcurrency above 0, UpdateFunctionUrlConfig with auth NONE;
 * - a database made private: ModifyDBInstance with PubliclyAccessible true.
 * What it cannot see: CloudTrail names a security group as the call did, by id but in a default
 * VPC, so rules added to an isolation group are matched only when AuthorizeSecurityGroupIngress
 * names it `datalek-isolation` (or `datalek-all-traffic`), and deleting the group is not watched
 * (it cannot be deleted while an interface is in it, and moving one out pages); no event says
 * which interface, function or key datalek holds, so these calls page for any resource (the
 * message says to check). Not watched:
 * re-registering with target groups or an Auto Scaling group (the interface's groups still cut it),
 * tags. Failed calls (an `errorCode`) undo nothing and do not page. IAM's calls reach EventBridge in
 * us-east-1 only: seen where the central or a forwarder region is us-east-1.
 * The datalek roles make these calls legitimately in the pipeline account (the contain function's
 * role, and the on-call role under which `release` and `contain` run): excluded by their sessions'
 * ARNs in that account only (review7 G7). An assumed role's ARN carries its name but not its path,
 * and a name is free in any other account: exempting `*:assumed-role/<name>/*` let a role anyone
 * created under that name undo containment unpaged. The member accounts' `datalek-containment` role
 * is not exempted: its calls never reach these rules (member accounts forward only GuardDuty's and
 * EventBridge's calls), and in the pipeline account that name belongs to no datalek role, so a
 * session of it there is someone else's. So is CloudFormation on the pipeline's own functions (a
 * deploy sets their concurrency).
 * Each call goes to the alarm topic as a message of its own: the call, the caller's ARN, when,
 * where and the CloudTrail event id; left out: the resource, the request and the source address
 * (CloudTrail has them). A call the rule could not deliver pages through its FailedInvocations.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { onCallAlarm, ruleMetric } from './alarms.js';
import { functionRoleName } from './response-function.js';

/** The rule's fixed name: `datalek-watch-*`, so the pipeline and alarm path watches see calls on it. */
export const CONTAINMENT_WATCH_RULE_NAME = 'datalek-watch-containment';

/** The alarm on calls it matched and could not deliver. */
export const CONTAINMENT_WATCH_UNDELIVERED = 'watch-containment-undelivered';

/** The most characters an EventBridge pattern may have (the default quota). */
const MAX_PATTERN_CHARS = 2048;

/** The security groups containment creates (network-isolation.ts), by the names a call may give. */
const CONTAINMENT_GROUPS = ['datalek-isolation', 'datalek-all-traffic'];

/**
 * The roles that undo containment legitimately in the pipeline account, whose calls these rules
 * see: the contain function's (it also swaps groups while isolating) and on-call's, under which
 * `datalek release` and `datalek contain` run. Not the containment role: it exists in member
 * accounts only, whose calls do not reach these rules (see above).
 */
export function datalekContainmentRoles(config: { onCallRole: string }): string[] {
  return [functionRoleName('contain'), config.onCallRole];
}

/**
 * The sessions of these roles in the pipeline account, in any partition (a session's ARN names its
 * account and role; only an STS session's ARN holds `:assumed-role/`). A role's name is unique in
 * its account, path or not, so the account makes the name datalek's. Written without the
 * `arn:<partition>:sts` before the account: `::<account>:assumed-role/<name>/` is found in no other
 * caller's ARN (no role or session name holds a `:` or a `/`), and the pattern is near
 * EventBridge's 2,048 characters (review9 K5's call took the room).
 */
export function roleSessionWildcards(roleNames: string[], account: string): string[] {
  return roleNames.map((name) => `*::${account}:assumed-role/${name}/*`);
}

function ec2Calls(): Record<string, unknown> {
  return {
    source: ['aws.ec2'],
    detail: {
      $or: [
        // `exists` works on leaves only: a group id in the new set (an array of objects, matched in any element).
        {
          eventName: ['ModifyNetworkInterfaceAttribute', 'ModifyInstanceAttribute'],
          requestParameters: { groupSet: { items: { groupId: [{ exists: true }] } } },
        },
        {
          eventName: ['ModifyInstanceAttribute'],
          requestParameters: { $or: [{ disableApiTermination: { value: [false] } }, { instanceInitiatedShutdownBehavior: { value: ['terminate'] } }] },
        },
        // A profile back; or (review9 K5) a new interface attached beside the isolated one: most
        // images bring it up with DHCP and a route, and the instance talks again.
        { eventName: ['AssociateIamInstanceProfile', 'ReplaceIamInstanceProfileAssociation', 'AttachNetworkInterface'] },
        // By name only in a default VPC (egress rules and other VPCs take the id): see above.
        { eventName: ['AuthorizeSecurityGroupIngress'], requestParameters: { groupName: CONTAINMENT_GROUPS } },
      ],
    },
  };
}

function iamCalls(): Record<string, unknown> {
  return {
    source: ['aws.iam'],
    detail: {
      $or: [
        { eventName: ['UpdateAccessKey'], requestParameters: { status: ['Active'] } },
        {
          eventName: ['DeleteRolePolicy', 'DeleteUserPolicy', 'PutRolePolicy', 'PutUserPolicy'],
          requestParameters: { policyName: [{ prefix: 'datalek-revoke' }] },
        },
      ],
    },
  };
}

function s3Calls(): Record<string, unknown> {
  const off = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'].map((k) => ({ [k]: [false] }));
  return {
    source: ['aws.s3'],
    detail: {
      $or: [
        { eventName: ['DeletePublicAccessBlock'] },
        { eventName: ['PutPublicAccessBlock'], requestParameters: { PublicAccessBlockConfiguration: { $or: off } } },
      ],
    },
  };
}

function lambdaCalls(functionWildcards: string[]): Record<string, unknown> {
  // Lambda's CloudTrail event names carry the API version: PutFunctionConcurrency20171031.
  const notOurs = functionWildcards.length ? { functionName: [{ 'anything-but': { wildcard: functionWildcards } }] } : { functionName: [{ exists: true }] };
  return {
    source: ['aws.lambda'],
    detail: {
      $or: [
        // Deleted (no concurrency in the request), or put above 0.
        {
          eventName: [{ prefix: 'DeleteFunctionConcurrency' }, { prefix: 'PutFunctionConcurrency' }],
          requestParameters: {
            ...notOurs,
            $or: [{ reservedConcurrentExecutions: [{ numeric: ['>', 0] }] }, { reservedConcurrentExecutions: [{ exists: false }] }],
          },
        },
        { eventName: [{ prefix: 'UpdateFunctionUrlConfig' }], requestParameters: { authType: ['NONE'] } },
      ],
    },
  };
}

function rdsCalls(): Record<string, unknown> {
  return { source: ['aws.rds'], detail: { eventName: ['ModifyDBInstance'], requestParameters: { publiclyAccessible: [true] } } };
}

export interface ContainmentWatchProps {
  /** Roles of the pipeline account whose sessions make these calls legitimately: the contain function's, on-call's. */
  exemptRoles: string[];
  /** Name patterns of the pipeline's own functions (a deploy sets their concurrency); none in a forwarder region. */
  functionWildcards: string[];
  alarmTopic: sns.ITopic;
}

/** The calls that can undo containment, by anyone but `exemptRoles`' sessions, as one EventBridge pattern. */
export function containmentUndoPattern(props: Pick<ContainmentWatchProps, 'exemptRoles' | 'functionWildcards'> & { account: string }): Record<string, unknown> {
  return {
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      errorCode: [{ exists: false }],
      userIdentity: { arn: [{ 'anything-but': { wildcard: roleSessionWildcards(props.exemptRoles, props.account) } }] },
    },
    $or: [ec2Calls(), iamCalls(), s3Calls(), lambdaCalls(props.functionWildcards), rdsCalls()],
  };
}

export class ContainmentWatch extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ContainmentWatchProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: CONTAINMENT_WATCH_RULE_NAME,
      description: 'datalek: calls that can undo containment, made by anyone but the datalek roles (README, Deploy; runbooks/containment-undone.md)',
      // Set below: CDK's pattern type has no top-level $or.
      eventPattern: { source: ['aws.ec2'] },
    });
    // The stack's account: a token that CloudFormation fills in when the deployment names none.
    const account = Stack.of(this).account;
    const pattern = containmentUndoPattern({ ...props, account });
    // Long role names would make a pattern EventBridge refuses at deploy: say so at synth, counting
    // an account id's 12 digits where the account is still a token.
    const size = JSON.stringify(containmentUndoPattern({ ...props, account: Token.isUnresolved(account) ? '0'.repeat(12) : account })).length;
    if (size > MAX_PATTERN_CHARS) {
      throw new Error(
        `the ${CONTAINMENT_WATCH_RULE_NAME} pattern is ${size} characters, more than the ${MAX_PATTERN_CHARS} EventBridge takes: shorten the role names it exempts (${props.exemptRoles.join(', ')})`,
      );
    }
    (this.rule.node.defaultChild as events.CfnRule).eventPattern = pattern;
    const field = (path: string) => events.EventField.fromPath(path);
    // Not the resource, the request or the source address: CloudTrail keeps them, by the event id.
    const message = events.RuleTargetInput.fromText(
      `datalek CONTAINMENT UNDONE?: ${field('$.detail.eventName')} by ${field('$.detail.userIdentity.arn')} at ${field('$.time')} in ${field('$.region')} (account ${field('$.account')}), CloudTrail event ${field('$.detail.eventID')}, seen by ${CONTAINMENT_WATCH_RULE_NAME}: a call that can undo containment, made outside datalek. Look the event up in CloudTrail (Event history, by its id: the resource and request are left out of this message). If the resource is one datalek holds contained (datalek status; datalek show ID), put it back by hand (datalek contain does not repeat a step recorded done), tell the FG, find out who made the call and why, and treat that principal as possibly compromised (runbooks/containment-undone.md).`,
    );
    const topicArn = props.alarmTopic.topicArn;
    this.rule.addTarget({ bind: () => ({ arn: topicArn, input: message }) });
    onCallAlarm(this, 'UndeliveredAlarm', {
      name: CONTAINMENT_WATCH_UNDELIVERED,
      description: `datalek: the ${CONTAINMENT_WATCH_RULE_NAME} rule matched a call that can undo containment, and could NOT publish it to the alarm topic (its policy or key changed?): look the call up in CloudTrail (Event history), check datalek's held containment, then mend the topic`,
      metric: ruleMetric(this.rule, 'FailedInvocations'),
      topic: props.alarmTopic,
    });
  }
}
