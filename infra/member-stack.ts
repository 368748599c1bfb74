/**
 * For each member account of a GuardDuty delegated administrator setup: the containment role the
 * pipeline assumes there, with exactly the containment permissions the function has at home.
 *
 * Trust: the pipeline's account (by number, so a redeployed contain function role is still
 * trusted), and within it only the contain function's role (`aws:PrincipalArn`); with an
 * organisation id also only from inside the organisation (`aws:PrincipalOrgID`). A role ARN as
 * principal would break when that role is recreated (IAM stores the role's unique id), and the
 * member's own account must never be the trusted one.
 *
 * A read role beside it (`<containment role>-read`): what `datalek show/verify --target aws` read
 * back (containment-read.ts), nothing that writes, trusted by the pipeline account's on-call role
 * only (the same conditions). The containment role's trust is not widened for the CLI's reads.
 *
 * And the member's side of the pipeline watch: a member that leaves its GuardDuty administrator,
 * or deletes or suspends its own detector, is recorded only in its own CloudTrail; its findings
 * then stop reaching the administrator, and so the pipeline, in silence. Two rules here forward
 * those calls (and calls on themselves: each watches the other) to the pipeline account's default
 * bus in the central region, where `datalek-watch-pipeline` pages (constructs/pipeline-watch.ts).
 * A forward that fails (the central bus refusing, throttled past EventBridge's retries, the forward
 * role's permission gone) waits in an encrypted dead-letter queue whose alarm pages on-call through
 * the region's `datalek-on-call-alarms` topic in the member account, as `DatalekMemberIam`'s
 * (forward-path.ts; fgsec16 S3: it was lost unpaged, the member leaving its administrator among
 * them). Only the member's break-glass role (the pipeline's `breakGlassRole` name) may take its
 * messages or disable its key. Where the central region is us-east-1, `DatalekMemberIam-<account>`
 * makes that region's topic, and the alarms here page through it.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { boundaryStatements, mergedStatements } from './boundary.js';
import { ALARM_TOPIC_NAME } from './constructs/alarms.js';
import { ecsPlacementCalls, ecsRegistrationCall } from './constructs/ecs-placement-watch.js';
import { type ForwardPathConfig, forwardPath } from './constructs/forward-path.js';
import { groupTagCalls } from './constructs/group-tag-watch.js';
import { deployCalls, guardDutyCalls, MEMBER_RULE_NAMES, memberRuleArns, ruleCalls } from './constructs/pipeline-watch.js';
import { BOUNDARY_MERGES, containmentStatements, MEMBER_STACK_ROLE_NAMES } from './containment-policy.js';
import { containmentReadStatements } from './containment-read.js';
import { deployRoleArn, notByDeployment } from './deploy-role.js';
import { IAM_EVENTS_REGION } from './iam-forward-stack.js';
import { alarmPathCalls } from './member-iam-stack.js';
import { nameOverflowPolicies } from './overflow-policies.js';
import { CONTAIN_ROLE_NAME } from './response-stack.js';

/** The member's forwarding rules (constructs/pipeline-watch.ts names them for the pipeline's bus policy). */
export const [MEMBER_WATCH_RULE_NAME, MEMBER_GUARD_RULE_NAME] = MEMBER_RULE_NAMES;

/**
 * The calls in a member account that silence its findings, calls on the guard rule, and the member
 * stack deployed or deleted (its containment and read roles' trust, these rules: the pipeline's
 * `datalek-watch-changes` pages on it as on the pipeline's own stacks). contain21: a container instance
 * registered with other credentials than its EC2 instance's own (`ecsRegistrationCall`; the central
 * `datalek-watch-ecs-placement` pages), here for room: the guard rule's pattern is at 2,048 characters.
 */
export function memberWatchPattern(byHandOf: Record<string, unknown>): Record<string, unknown> {
  return {
    'detail-type': ['AWS API Call via CloudTrail'],
    $or: [guardDutyCalls(), ruleCalls([MEMBER_GUARD_RULE_NAME], byHandOf), deployCalls(), { source: ['aws.ecs'], detail: ecsRegistrationCall() }],
  };
}

/**
 * Calls on the member's watch rule (it cannot see the call that disables it), and a security
 * group's `datalek:` tags changed (containment's isolation groups are found by them: the pipeline's
 * `datalek-watch-group-tags` pages; group-tag-watch.ts), here for room: the watch rule's pattern is
 * near EventBridge's 2,048 characters. infra17: the member's ECS calls that can put a task on a
 * drained container instance or forge datalek's drain mark, by anyone but `containmentRole`'s sessions
 * (the contain function drains and releases through it; the central `datalek-watch-ecs-placement`
 * excuses the pipeline account's sessions only); and, where `alarmPath` (the central region is not
 * us-east-1, whose `DatalekMemberIam` forwards them already), the calls that silence this stack's own
 * dead-letter path (its `datalek-*` alarms deleted or their actions off, its `datalek-on-call-alarms`
 * topic's subscriptions cut, filtered or added to: the central `datalek-watch-paging` reads which, by
 * name, `alarmPathCalls`). The member stack is deployed in the central region; the same rules forward
 * the member's calls in each other pipeline region (MemberRegionStack, contain20).
 */
export function memberGuardPattern(byHandOf: Record<string, unknown>, containmentRole: string, alarmPath: boolean): Record<string, unknown> {
  const ecs = { source: ['aws.ecs'], detail: { $or: ecsPlacementCalls(notByDeployment(containmentRole)) } };
  return {
    'detail-type': ['AWS API Call via CloudTrail'],
    $or: [ruleCalls([MEMBER_WATCH_RULE_NAME], byHandOf), groupTagCalls(), ecs, ...(alarmPath ? [alarmPathCalls()] : [])],
  };
}

export interface MemberStackProps extends StackProps {
  pipelineAccount: string;
  roleName: string;
  /** The regions whose findings the pipeline answers. */
  regions: string[];
  /** @default no organisation condition */
  organizationId?: string;
  /** Roles containment must never write to (configured names). */
  protectedRoles: string[];
  /** The pipeline's central region: its default bus takes the forwarded calls. */
  centralRegion: string;
  /** The read role's name (config.ts `containmentReadRoleName`). */
  readRoleName: string;
  /** The pipeline account's roles whose sessions read containment back (the on-call role, the FG's). */
  readerRoles: string[];
  /** The break-glass role (of the member account, by the pipeline's name: alone takes the dead letters), on-call's e-mail and the pager. */
  config: ForwardPathConfig;
}

export class MemberStack extends Stack {
  public readonly role: iam.Role;
  public readonly boundary: iam.ManagedPolicy;
  /** Reads containment back for `show`/`verify --target aws`: reads only, assumed by the on-call role. */
  public readonly readRole: iam.Role;
  public readonly readBoundary: iam.ManagedPolicy;
  /** Forward this account's silencing calls to the pipeline; each watches the other. */
  public readonly watchRules: events.Rule[];
  /** EventBridge's role for them: put events on the pipeline account's central bus, nothing else. */
  public readonly forwardRole: iam.Role;
  /** The forwards that failed: their only copy. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, props);
    const conditions: Record<string, Record<string, string>> = {
      ArnEquals: { 'aws:PrincipalArn': `arn:${this.partition}:iam::${props.pipelineAccount}:role/${CONTAIN_ROLE_NAME}` },
    };
    if (props.organizationId) conditions.StringEquals = { 'aws:PrincipalOrgID': props.organizationId };
    this.role = new iam.Role(this, 'ContainmentRole', {
      roleName: props.roleName,
      description: 'datalek: containment in this account, assumed by the pipeline in the GuardDuty administrator account',
      assumedBy: new iam.AccountPrincipal(props.pipelineAccount).withConditions(conditions),
    });
    const statements = containmentStatements({
      partition: this.partition,
      account: this.account,
      regions: props.regions,
      // The read role too: containment here never writes a policy on it.
      protectedRoles: [...props.protectedRoles, props.readRoleName],
      pipelineAccount: props.pipelineAccount,
    });
    for (const statement of statements) this.role.addToPolicy(statement);
    // Named whatever the role's name: the central watch pages on a new version of a datalek-* policy (fgsec15 S1).
    nameOverflowPolicies(this.role, 'datalek-containment');
    // The boundary allows no more than containment, whatever policy is later put on the role.
    this.boundary = new iam.ManagedPolicy(this, 'PermissionsBoundary', {
      managedPolicyName: 'datalek-containment-boundary',
      description: 'datalek: the most the containment role may ever do (permissions boundary)',
      statements: boundaryStatements(mergedStatements(statements, BOUNDARY_MERGES)),
    });
    iam.PermissionsBoundary.of(this.role).apply(this.boundary);

    // A role of its own, not the containment role's trust widened: the on-call and FG roles' sessions
    // (where `datalek show/verify --target aws` run) may read what containment left in effect, and
    // never write it.
    const readerConditions: Record<string, Record<string, string | string[]>> = {
      ArnEquals: { 'aws:PrincipalArn': props.readerRoles.map((r) => `arn:${this.partition}:iam::${props.pipelineAccount}:role/${r}`) },
    };
    if (props.organizationId) readerConditions.StringEquals = { 'aws:PrincipalOrgID': props.organizationId };
    this.readRole = new iam.Role(this, 'ContainmentReadRole', {
      roleName: props.readRoleName,
      description:
        'datalek: reads back the containment in this account (show/verify --target aws), assumed by the pipeline account on-call and FG roles; reads only',
      assumedBy: new iam.AccountPrincipal(props.pipelineAccount).withConditions(readerConditions),
    });
    const reads = containmentReadStatements({ partition: this.partition, account: this.account, regions: props.regions });
    for (const statement of reads) this.readRole.addToPolicy(statement);
    this.readBoundary = new iam.ManagedPolicy(this, 'ReadBoundary', {
      managedPolicyName: 'datalek-containment-read-boundary',
      description: 'datalek: the most the containment read role may ever do (permissions boundary)',
      statements: boundaryStatements(reads.filter((st) => st.effect === iam.Effect.ALLOW)),
    });
    iam.PermissionsBoundary.of(this.readRole).apply(this.readBoundary);

    const centralBus = `arn:${this.partition}:events:${props.centralRegion}:${props.pipelineAccount}:event-bus/default`;
    const forward = new iam.PolicyStatement({ sid: 'ForwardToPipeline', actions: ['events:PutEvents'], resources: [centralBus] });
    this.forwardRole = new iam.Role(this, 'ForwardCallsRole', {
      roleName: MEMBER_STACK_ROLE_NAMES[0],
      description: `datalek: EventBridge puts this account's silencing calls on the pipeline's bus (${props.pipelineAccount}, ${props.centralRegion}), for the ${MEMBER_WATCH_RULE_NAME} and ${MEMBER_GUARD_RULE_NAME} rules of the pipeline regions only`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          // The two rules here, and their twins in each other pipeline region (MemberRegionStack, contain20).
          ArnEquals: { 'aws:SourceArn': memberRuleArns(this.partition, this.account, props.regions) },
        },
      }),
    });
    this.forwardRole.addToPolicy(forward);
    iam.PermissionsBoundary.of(this.forwardRole).apply(
      new iam.ManagedPolicy(this, 'ForwardBoundary', {
        managedPolicyName: 'datalek-member-forward-boundary',
        description: 'datalek: the most the member forwarding role may ever do (permissions boundary)',
        statements: boundaryStatements([forward]),
      }),
    );
    const path = memberForwardPath(this, { ...props, centralBus, role: this.forwardRole });
    this.watchRules = path.rules;
    this.deadLetterQueue = path.deadLetterQueue;
  }
}

/**
 * The member's two forwarding rules in the stack's region, their dead-letter queue, key and alarms (forward-path.ts):
 * the central region's (MemberStack) and each other pipeline region's (MemberRegionStack) alike.
 */
function memberForwardPath(
  scope: Stack,
  props: Pick<MemberStackProps, 'config' | 'pipelineAccount' | 'roleName'> & { centralBus: string; role: iam.IRole },
): ReturnType<typeof forwardPath> {
  // A change of a rule's pattern or targets by the member stack's own deployment (its account's
  // datalek execution role, deploy-role.ts) is not forwarded; anyone else's is.
  const byHandOf = notByDeployment(deployRoleArn(scope));
  const region = scope.region;
  const central = props.centralBus.split(':')[3];
  return forwardPath(scope, {
    config: props.config,
    keyDescription: `datalek: the member forward's dead-letter queue${region === IAM_EVENTS_REGION ? '' : ' and alarm topic'} in ${region}`,
    centralBus: props.centralBus,
    role: props.role,
    rules: [
      {
        name: MEMBER_WATCH_RULE_NAME,
        id: 'Watch',
        what: 'GuardDuty calls that stop this account’s findings from reaching the administrator',
        pattern: memberWatchPattern(byHandOf),
      },
      {
        name: MEMBER_GUARD_RULE_NAME,
        id: 'Guard',
        what: `calls that would silence the ${MEMBER_WATCH_RULE_NAME} rule or this stack's alarms and alarm topic, security groups' datalek: tags changed, and ECS calls that can put a task on a drained container instance`,
        pattern: memberGuardPattern(byHandOf, `arn:${scope.partition}:iam::${scope.account}:role/${props.roleName}`, region !== IAM_EVENTS_REGION),
      },
    ],
    forwardedTo: 'forwarded to the pipeline',
    lostDescription: (name) =>
      `datalek: this member account's calls forwarded by the ${name} rule (${region}) to the pipeline (${props.pipelineAccount}, ${central}) could be neither delivered nor put in the dead-letter queue: they are LOST, and no watch rule paged on them (among them: the account leaving its GuardDuty administrator, its detector deleted or suspended, an archiving filter, its datalek stack or rules changed, a drained ECS container instance set ACTIVE). Look up this account's calls of the period in CloudTrail (Event history, ${region}), check in the administrator's GuardDuty (Accounts) that it is still an Enabled member, then mend the queue's policy or key`,
    deadLetters: {
      name: 'member-forward-dead-letters',
      description: `datalek: this member account's calls that stop its findings from reaching the pipeline (leaving its GuardDuty administrator, its detector deleted or suspended, an archiving filter, its datalek stack or rules changed), change a security group's datalek: tags or can put a task on a drained ECS container instance (${region}) could not be forwarded to the pipeline (${props.pipelineAccount}, ${central}), so no watch rule paged on them; they wait in, or arrived in, the dead-letter queue (an empty queue after this alarm means someone received or deleted them). As this account's break-glass role, read them (each a CloudTrail event: the call, who, from where), treat each as a page of datalek-watch-pipeline, datalek-watch-changes, datalek-watch-group-tags or datalek-watch-ecs-placement, then redrive or delete them (runbooks)`,
    },
    // One topic of that name per account and region: DatalekMemberIam-<account> makes us-east-1's (build-app.ts deploys it first).
    alarmTopic:
      region === IAM_EVENTS_REGION
        ? sns.Topic.fromTopicArn(scope, 'OnCallAlarms', scope.formatArn({ service: 'sns', region, resource: ALARM_TOPIC_NAME }))
        : undefined,
  });
}

export interface MemberRegionStackProps extends StackProps {
  pipelineAccount: string;
  /** The containment role's name (its sessions' ECS calls are datalek's, not forwarded). */
  roleName: string;
  /** The pipeline's central region: its default bus takes the forwarded calls. */
  centralRegion: string;
  /** The member stack of the account, in the central region: its forwarding role (IAM is global) puts the events. */
  member: MemberStack;
  config: ForwardPathConfig;
}

/**
 * A member account's forwarding in a pipeline region other than the central one (contain20). The
 * member's calls reach EventBridge in their own region only, and the member stack is deployed in the
 * central region: a drained container instance of a finding in another region set ACTIVE again, a
 * StartTask on it, datalek's drain mark forged, an isolation group's tags changed, the member's
 * detector there deleted or its administrator left: none was forwarded, and nothing paged (the
 * pipeline account's own calls there are watched by that region's forwarder stack). The same two
 * rules as the central region's, each watching the other, forwarding to the central bus with the
 * member stack's forwarding role (whose trust names these rules too), their own dead-letter queue,
 * key and the region's alarm topic.
 */
export class MemberRegionStack extends Stack {
  public readonly watchRules: events.Rule[];
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: MemberRegionStackProps) {
    super(scope, id, props);
    this.addDependency(props.member, 'its rules put events with the member stack’s forwarding role, whose trust names them');
    const centralBus = `arn:${this.partition}:events:${props.centralRegion}:${props.pipelineAccount}:event-bus/default`;
    // Deployed after the member stack, which makes the role.
    const role = iam.Role.fromRoleName(this, 'ForwardCallsRole', MEMBER_STACK_ROLE_NAMES[0], { mutable: false });
    const path = memberForwardPath(this, { ...props, centralBus, role });
    this.watchRules = path.rules;
    this.deadLetterQueue = path.deadLetterQueue;
  }
}
