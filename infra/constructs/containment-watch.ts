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
 *   Any instance's, by anyone but an AWS service-linked role (read10b B2): ECS's attaches for awsvpc
 *   tasks are left out (and with them an attach a person has ECS make by starting a task on an
 *   isolated container instance: the RunTask is in CloudTrail, but not watched: it names a cluster,
 *   not the instance, so a branch for it would page on every task started on EC2 capacity, and it
 *   does not fit beside the rest in 2,048 characters; README, Deploy). The EKS VPC CNI runs as the
 *   node's or an IRSA role, no service-linked one: where it runs, its attaches still page;
 * - an access key deactivated: UpdateAccessKey to Active; a user's console password (drift reads the
 *   login profile's creation date, which UpdateLoginProfile keeps): UpdateLoginProfile, for any user;
 * - older sessions revoked by an inline `datalek-revoke-…` policy (role, user), and a console
 *   sign-in's user denied everything by an inline `datalek-deny-all-…` policy: that policy deleted
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
 * us-east-1 only: seen where a forwarder region is us-east-1, or forwarded from there to the central
 * region (iam-forward-stack.ts).
 * The datalek roles make these calls legitimately in the pipeline account (the contain function's
 * role, and the on-call role under which `release` and `contain` run): excluded by their sessions'
 * ARNs in that account only (review7 G7), from `arn:<partition>:sts::` on (read10b B1: an IAM
 * user's path may spell a session). An assumed role's ARN carries its name but not its path,
 * and a name is free in any other account: exempting `*:assumed-role/<name>/*` let a role anyone
 * created under that name undo containment unpaged. The member accounts' `datalek-containment` role
 * is not exempted: its calls never reach these rules (member accounts forward only GuardDuty's,
 * EventBridge's and CloudFormation's calls, EC2's on security groups' tags, and from us-east-1 IAM's
 * that undo containment, its own sessions' left out there: member-iam-stack.ts), and
 * in the pipeline account that name belongs to no datalek role, so a session of it there is
 * someone else's. So is CloudFormation on the pipeline's own functions (a
 * deploy sets their concurrency).
 * Each call goes to the alarm topic as a message of its own: the call, the caller's type and role (page-caller.ts), when,
 * where and the CloudTrail event id; left out: the resource, the request and the source address
 * (CloudTrail has them). A call the rule could not deliver pages through its FailedInvocations.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { onCallAlarm, ruleMetric } from './alarms.js';
import { type MemberPages, pageOnAlarmTopic, splitByAccount } from './member-pages.js';
import { functionRoleName } from './response-function.js';
import { notRoleIssuers, notRoleIssuersWhereDatalek } from './role-issuers.js';

/** The rule's fixed name: `datalek-watch-*`, so the pipeline and alarm path watches see calls on it. */
export const CONTAINMENT_WATCH_RULE_NAME = 'datalek-watch-containment';

/** The alarm on calls it matched and could not deliver. */
export const CONTAINMENT_WATCH_UNDELIVERED = 'watch-containment-undelivered';

/** The rule on IAM's calls that undo containment (deploy19: a rule of its own), and its alarm on calls it could not deliver. */
export const CONTAINMENT_IAM_WATCH_RULE_NAME = 'datalek-watch-containment-iam';
export const CONTAINMENT_IAM_WATCH_UNDELIVERED = 'watch-containment-iam-undelivered';

/** The most characters an EventBridge pattern may have (the default quota). */
const MAX_PATTERN_CHARS = 2048;

/** The longest partition name (aws, aws-cn, aws-us-gov, aws-iso-b, …), counted where the stack's is a token. */
const LONGEST_PARTITION = 'aws-us-gov';

/** The security groups containment creates (network-isolation.ts), by the names a call may give. */
const CONTAINMENT_GROUPS = ['datalek-isolation', 'datalek-all-traffic'];

/** A role of the pipeline account whose sessions are excused: every one (`*`, a person's), or those whose name matches `sessions` (a function's). */
export interface ExemptRole {
  name: string;
  sessions: string;
}

/**
 * The roles that undo containment legitimately in the pipeline account, whose calls these rules
 * see: the contain function's (it also swaps groups while isolating) and on-call's, under which
 * `datalek release` and `datalek contain` run. Not the containment role: it exists in member
 * accounts only, whose calls do not reach these rules (see above).
 * The contain function's role only in the sessions of the response stack's functions (review11 K5):
 * Lambda names an execution role's session after the function, and CloudFormation names the
 * stack's functions `<stack>-<id>-<suffix>`. Every session of the role excused a function of
 * anyone's made with it, named anything. (A function of that name made with the role is refused
 * by the SCP, pipeline-scp.ts, and pages, pipeline-watch.ts `functionRoleGiven`.) A session's name
 * is its caller's choice, so the excuse rests on who may assume the role at all (fgsec14 S1): its
 * trust (Lambda alone) and policies may be changed only by the deployment and break-glass (the SCP),
 * and every such change pages (pipeline-watch.ts `deployTrustCalls`); so does the on-call role's,
 * where it is named `datalek-…`.
 */
export function datalekContainmentRoles(config: { onCallRole: string }, responseStackName: string): ExemptRole[] {
  return [
    { name: functionRoleName('contain'), sessions: `${responseStackName}-*` },
    { name: config.onCallRole, sessions: '*' },
  ];
}

/**
 * The sessions of these roles in the pipeline account (read10b B1). Anchored at the start, with
 * the partition spelled out: an IAM user's ARN holds its path, and a path may hold `:` (any
 * printable ASCII), so `*::<account>:assumed-role/<name>/*` (or `arn:*:sts::…`, whose `*` spans
 * `:` as well) matched a user made with the path `/x::<account>:assumed-role/<name>/`. Only an STS
 * session's ARN starts `arn:<partition>:sts::<account>:assumed-role/`, and a role's name is unique in
 * its account, path or not, so the account makes the name datalek's.
 */
export function roleSessionWildcards(roles: ExemptRole[], account: string, partition: string): string[] {
  return roles.map(({ name, sessions }) => `arn:${partition}:sts::${account}:assumed-role/${name}/${sessions}`);
}

/**
 * A caller that is none of `roles`' excused sessions in the pipeline account, as a `userIdentity`
 * pattern (deploy19). A role whose every session is excused (`sessions: '*'`: on-call's, which the
 * deployer makes by hand) by the name of the role the session came from, in any case, in this
 * account: IAM keeps a role's name unique regardless of case and CloudTrail spells the session's
 * ARN as the role was created, so on-call's role made as `Datalek-On-Call` had every release and
 * contain it ran page as containment undone (the case-sensitive ARN `wildcard` below, which has no
 * case-insensitive form). A role whose sessions are told apart by name (the contain function's, by
 * its functions' names; the deployment makes it, in the configured case) keeps its anchored
 * `wildcard` (roleSessionWildcards). An assumed role's session always names its issuer and its
 * account; an event without the issuer's name pages (one without its account is read as this
 * account's: `anything-but` does not match a missing field, and the pattern has no room for the branch).
 */
export function notExemptSessions(roles: ExemptRole[], account: string, partition: string): Record<string, unknown> {
  const byName = roles.filter((r) => r.sessions === '*').map((r) => r.name);
  const bySession = roles.filter((r) => r.sessions !== '*');
  const issuer = (match: Record<string, unknown>) => ({ sessionContext: { sessionIssuer: match } });
  return {
    ...(bySession.length ? { arn: [{ 'anything-but': { wildcard: roleSessionWildcards(bySession, account, partition) } }] } : {}),
    ...(byName.length
      ? {
          $or: [
            { type: [{ 'anything-but': 'AssumedRole' }] },
            issuer({ accountId: [{ 'anything-but': account }] }),
            issuer({ userName: [{ 'anything-but': { 'equals-ignore-case': byName } }] }),
            issuer({ userName: [{ exists: false }] }),
          ],
        }
      : {}),
  };
}

/**
 * The start of an AWS service-linked role's ARN in the account (read10b B2): IAM keeps the path
 * `/aws-service-role/` for them (CreateRole refuses it: "Path prefix '/aws-service-role/' can only
 * be used for AWS Service linked Roles"), and no principal can assume one (its trust policy names
 * the service and cannot be changed). Its sessions attach interfaces routinely: ECS for each awsvpc
 * task on an EC2 container instance (AWSServiceRoleForECS).
 */
export function serviceLinkedRolePrefix(account: string, partition: string): string {
  return `arn:${partition}:iam::${account}:role/aws-service-role/`;
}

/**
 * The calls, as branches of one `$or` in `detail` (read10b: one list, not one per service, left
 * room in the 2,048 characters for B1's anchored sessions and B2's attach branch). No branch names
 * its service: each call's name is its service's own, and the pattern takes only `aws.` sources
 * (events no account can put), so a same-named call of another service could only page, not hide.
 */
function undoCalls(functionWildcards: string[], serviceLinked: string): Record<string, unknown>[] {
  // Lambda's CloudTrail event names carry the API version: PutFunctionConcurrency20171031.
  const notOurs = functionWildcards.length ? { functionName: [{ 'anything-but': { wildcard: functionWildcards } }] } : { functionName: [{ exists: true }] };
  const off = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'].map((k) => ({ [k]: [false] }));
  return [
    // EC2: a group id in the new set (`exists` works on leaves only: an array of objects, matched in
    // any element), or (the instance's call only: the interface's has neither) termination
    // protection off, shutdown terminating.
    {
      eventName: ['ModifyNetworkInterfaceAttribute', 'ModifyInstanceAttribute'],
      requestParameters: {
        $or: [
          { groupSet: { items: { groupId: [{ exists: true }] } } },
          { disableApiTermination: { value: [false] } },
          { instanceInitiatedShutdownBehavior: { value: ['terminate'] } },
        ],
      },
    },
    // A profile back (EC2); S3's public access block deleted.
    { eventName: ['AssociateIamInstanceProfile', 'ReplaceIamInstanceProfileAssociation', 'DeletePublicAccessBlock'] },
    // Review9 K5: a new interface attached beside the isolated one (most images bring it up with
    // DHCP and a route, and the instance talks again), by anyone but an AWS service-linked role
    // (read10b B2: ECS attaches one for each awsvpc task, all day; no person can assume such a role).
    // An assumed role's session names the role it came from; any other caller pages.
    {
      eventName: ['AttachNetworkInterface'],
      userIdentity: {
        $or: [{ type: [{ 'anything-but': 'AssumedRole' }] }, { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': { prefix: serviceLinked } }] } } }],
      },
    },
    // By name only in a default VPC (egress rules and other VPCs take the id): see above.
    { eventName: ['AuthorizeSecurityGroupIngress'], requestParameters: { groupName: CONTAINMENT_GROUPS } },
    // S3.
    { eventName: ['PutPublicAccessBlock'], requestParameters: { PublicAccessBlockConfiguration: { $or: off } } },
    // Lambda: concurrency deleted (none in the request), or put above 0.
    {
      // By as much of the name as tells it from Lambda's other calls (room, infra16: PutFunctionCodeSigningConfig is `PutFunctionCod…`).
      eventName: [{ prefix: 'DeleteFunctionCon' }, { prefix: 'PutFunctionCon' }],
      requestParameters: {
        ...notOurs,
        $or: [{ reservedConcurrentExecutions: [{ numeric: ['>', 0] }] }, { reservedConcurrentExecutions: [{ exists: false }] }],
      },
    },
    { eventName: [{ prefix: 'UpdateFunctionUrlConfig' }], requestParameters: { authType: ['NONE'] } },
    // RDS.
    { eventName: ['ModifyDBInstance'], requestParameters: { publiclyAccessible: [true] } },
  ];
}

export interface ContainmentWatchProps {
  /** Roles of the pipeline account whose sessions make these calls legitimately: the contain function's, on-call's. */
  exemptRoles: ExemptRole[];
  /** Name patterns of the pipeline's own functions (a deploy sets their concurrency); none in a forwarder region. */
  functionWildcards: string[];
  /**
   * The containment roles' names (contain-role-watch.ts `containmentRolesByAccount`): the contain
   * function's (pipeline account) and the containment role (members). Their keys set Active page
   * through `datalek-watch-contain-role` alone, in any account (deploy19); their inline policies
   * named `datalek-revoke…` only where the name is datalek's (readC19: a role of that name elsewhere
   * is anyone's, and contain-role does not page a write in the revocation's shape).
   */
  containmentRoles: { inPipeline: string[]; inMembers: string[] };
  alarmTopic: sns.ITopic;
  /** Where member accounts forward their calls (the central region): their pages go through it, bounded (deploy20). @default none: every call pages */
  memberPages?: MemberPages;
}

/** The calls that can undo containment, by anyone but `exemptRoles`' sessions, as one EventBridge pattern. */
export function containmentUndoPattern(
  props: Pick<ContainmentWatchProps, 'exemptRoles' | 'functionWildcards'> & { account: string; partition: string },
): Record<string, unknown> {
  return {
    // Any AWS event (no account can put one) with a call's fields: CloudTrail's; its detail-type
    // (`AWS API Call via CloudTrail`) is left out for room, which can add a page, never lose one.
    source: [{ prefix: 'aws.' }],
    detail: {
      errorCode: [{ exists: false }],
      userIdentity: notExemptSessions(props.exemptRoles, props.account, props.partition),
      $or: undoCalls(props.functionWildcards, serviceLinkedRolePrefix(props.account, props.partition)),
    },
  };
}

/**
 * The containment watch's pattern for a member account's calls (its member twin, deploy20): the
 * same calls, by any session that has an ARN. The exempt sessions are the pipeline account's (its
 * contain function's, on-call's), which the rule's own pattern names by that account: in a member's
 * call that exemption leaves out only a caller without an ARN (an AWS service itself), and the
 * pipeline account's own sessions acting there, which now page too (bounded). The pattern keeps
 * within 2,048 characters whatever the exempt role names are.
 */
export function memberCallsOf(pattern: Record<string, unknown>): Record<string, unknown> {
  const detail = pattern.detail as Record<string, unknown>;
  return { ...pattern, detail: { ...detail, userIdentity: { arn: [{ exists: true }] } } };
}

/**
 * IAM's calls that undo containment (deploy19: a rule of their own, `datalek-watch-containment-iam`;
 * beside the others they left no room in 2,048 characters for the containment roles' exclusion):
 * a key set `Active`, a user's console password set anew (infra16: it keeps the login profile's
 * creation date, so drift cannot see it; any user's, for no event says which are under containment,
 * and a user's own ChangePassword is another call), a `datalek-revoke…` or `datalek-deny-all…`
 * inline policy (`containmentPolicyNames`) deleted or overwritten (its name in any case: IAM does not
 * tell a policy's names apart by it, infra14).
 * A key set Active by a session of a containment role (`containmentRoles`, in any account, its name
 * in any case) is left to `datalek-watch-contain-role`, which pages every such call and says in the
 * same page that containment may be undone: the same call paged twice before. So is an inline
 * `datalek-revoke…` or `datalek-deny-all…` policy put by one, but only where the role's name is datalek's (the contain
 * function's in the pipeline account, the containment role's in the members: readC19):
 * contain-role pages only a write that is not exactly the revocation or deny-all, so a revocation
 * rewritten with another date by a role merely named so elsewhere (a member's admin makes one) paged nowhere.
 */
export function containmentIamUndoPattern(props: Pick<ContainmentWatchProps, 'exemptRoles' | 'containmentRoles'> & { account: string; partition: string }) {
  const revokePolicy = { policyName: containmentPolicyNames() };
  return {
    source: ['aws.iam'],
    detail: {
      errorCode: [{ exists: false }],
      userIdentity: notExemptSessions(props.exemptRoles, props.account, props.partition),
      $or: [
        {
          eventName: ['UpdateAccessKey'],
          userIdentity: notRoleIssuers([...props.containmentRoles.inPipeline, ...props.containmentRoles.inMembers]),
          requestParameters: { status: ['Active'] },
        },
        {
          eventName: ['PutRolePolicy', 'PutUserPolicy'],
          userIdentity: notRoleIssuersWhereDatalek({ account: props.account, ...props.containmentRoles }),
          requestParameters: revokePolicy,
        },
        { eventName: ['DeleteRolePolicy', 'DeleteUserPolicy'], requestParameters: revokePolicy },
        { eventName: ['UpdateLoginProfile'] },
      ],
    },
  };
}

/**
 * The inline policies containment writes, by name in any case (IAM does not tell a policy's names
 * apart by it, infra14): the revocation (`datalek-revoke…`) and a console sign-in's deny-all
 * (`datalek-deny-all…`, since it was added, cont26: its deletion undid containment and paged nowhere).
 * Deleting or overwriting either undoes containment (this watch; the member IAM forward's filter).
 */
export function containmentPolicyNames(): Record<string, unknown>[] {
  return ['datalek-revoke', 'datalek-deny-all'].map((prefix) => ({ prefix: { 'equals-ignore-case': prefix } }));
}

export class ContainmentWatch extends Construct {
  public readonly rule: events.Rule;
  /** IAM's calls that undo containment (`containmentIamUndoPattern`). */
  public readonly iamRule: events.Rule;
  private readonly memberPages?: MemberPages;

  constructor(scope: Construct, id: string, props: ContainmentWatchProps) {
    super(scope, id);
    this.memberPages = props.memberPages;
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: CONTAINMENT_WATCH_RULE_NAME,
      description: 'datalek: calls that can undo containment, made by anyone but the datalek roles (README, Deploy; runbooks/containment-undone.md)',
      // Set below: CDK's pattern type has no top-level $or.
      eventPattern: { source: ['aws.ec2'] },
    });
    // The stack's account and partition: tokens that CloudFormation fills in (the account where the deployment names none).
    const { account, partition } = Stack.of(this);
    const pattern = containmentUndoPattern({ ...props, account, partition });
    // Long role names would make a pattern EventBridge refuses at deploy: say so at synth, counting
    // an account id's 12 digits and the longest partition's name where they are still tokens.
    const accountId = Token.isUnresolved(account) ? '0'.repeat(12) : account;
    const own = containmentUndoPattern({ ...props, account: accountId, partition: Token.isUnresolved(partition) ? LONGEST_PARTITION : partition });
    // Split by account where member accounts' calls go to the member-pages function (deploy20): the rule takes the pipeline account's.
    const split = splitByAccount(own, accountId, memberCallsOf(own));
    const size = Math.max(...(props.memberPages ? [split.own, split.members] : [own]).map((p) => JSON.stringify(p).length));
    if (size > MAX_PATTERN_CHARS) {
      throw new Error(
        `the ${CONTAINMENT_WATCH_RULE_NAME} pattern is ${size} characters, more than the ${MAX_PATTERN_CHARS} EventBridge takes: shorten the role names it exempts (${props.exemptRoles.map((r) => r.name).join(', ')})`,
      );
    }
    (this.rule.node.defaultChild as events.CfnRule).eventPattern = pattern;
    this.pageOn(this.rule, CONTAINMENT_WATCH_RULE_NAME, CONTAINMENT_WATCH_UNDELIVERED, 'UndeliveredAlarm', props.alarmTopic, memberCallsOf(pattern));
    this.iamRule = new events.Rule(this, 'IamRule', {
      ruleName: CONTAINMENT_IAM_WATCH_RULE_NAME,
      description: "datalek: IAM's calls that can undo containment, made by anyone but the datalek roles (README, Deploy; runbooks/containment-undone.md)",
      eventPattern: { source: ['aws.iam'] },
    });
    (this.iamRule.node.defaultChild as events.CfnRule).eventPattern = containmentIamUndoPattern({ ...props, account, partition });
    this.pageOn(this.iamRule, CONTAINMENT_IAM_WATCH_RULE_NAME, CONTAINMENT_IAM_WATCH_UNDELIVERED, 'IamUndeliveredAlarm', props.alarmTopic);
  }

  /** Each call `rule` matches to the alarm topic as a page of its own; one it could not deliver pages as `undelivered`. */
  private pageOn(rule: events.Rule, ruleName: string, undelivered: string, alarmId: string, topic: sns.ITopic, members?: Record<string, unknown>): void {
    const field = (path: string) => events.EventField.fromPath(path);
    // Not the resource, the request or the source address: CloudTrail keeps them, by the event id.
    const page = (caller: string) =>
      `datalek CONTAINMENT UNDONE?: ${field('$.detail.eventName')} by ${caller} at ${field('$.time')} in ${field('$.region')} (account ${field('$.account')}), seen by ${ruleName}: a call that can undo containment, made outside datalek. Look the event up in CloudTrail (Event history, by its id: the resource and request are left out of this message). If the resource is one datalek holds contained (datalek status; datalek show ID), put it back by hand (datalek contain does not repeat a step recorded done), tell the FG, find out who made the call and why, and treat that principal as possibly compromised (runbooks/containment-undone.md).`;
    pageOnAlarmTopic(rule, ruleName, page, topic, this.memberPages, { members });
    onCallAlarm(this, alarmId, {
      name: undelivered,
      description: `datalek: the ${ruleName} rule matched a call that can undo containment, and could NOT publish it to the alarm topic (its policy or key changed?): look the call up in CloudTrail (Event history), check datalek's held containment, then mend the topic`,
      metric: ruleMetric(rule, 'FailedInvocations'),
      topic,
    });
  }
}
