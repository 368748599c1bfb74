/**
 * Pages on-call when a call could put a task on an isolated ECS container instance, by anyone but
 * the datalek roles (contain15; infra14's open item). An isolation sets the instance's container
 * instance DRAINING (adapters/aws/containment/ecs.ts), and ECS then places no new task there: a
 * RunTask of an awsvpc task can no longer make ECS attach an interface, in the task's own groups,
 * with its service-linked role (which the containment watch leaves out), and put the instance back
 * on the network. What is left, and pages here:
 * - UpdateContainerInstancesState to ACTIVE: the instance in placement again;
 * - StartTask, which names the container instances itself. The ECS documentation says only that a
 *   DRAINING instance gets no new task from the scheduler, so a StartTask is taken as possible.
 * RunTask does not page: it names a cluster, not an instance (its placement constraints are the
 * caller's words), so a branch for it would page on every task started on EC2 capacity, and the
 * scheduler places none on a DRAINING instance. No event names the instance datalek holds:
 * these calls page for any container instance (the message says to check); both are rare (a
 * maintenance's end, a scheduler of one's own). Failed calls (`errorCode`) change nothing and do
 * not page. A rule of its own, beside `datalek-watch-containment`: that pattern is near EventBridge's
 * 2,048 characters. The same sessions are excused (containment-watch.ts), for what datalek calls
 * only: setting ACTIVE again (`datalek release`, as on-call or the contain function). StartTask,
 * which datalek never calls, pages by anyone, datalek's sessions too (attack16). contain21: RegisterContainerInstance
 * made with credentials no EC2 instance's metadata service delivered (CloudTrail's `ec2RoleDelivery` absent): a
 * drained container instance deregistered and its EC2 instance registered again by a person is a new container
 * instance, ACTIVE, that no record names (ECS places tasks on it). The ECS agent registers with the instance's
 * own role, delivered by the metadata service, at every launch: never paged. An isolated instance's agent cannot
 * reach ECS (its interfaces are cut); its role's credentials used elsewhere are GuardDuty's
 * InstanceCredentialExfiltration findings, not this rule's; another EC2 instance's own credentials (its metadata
 * service's, that instance's role) registering the isolated instance's document are neither (verify reads every cluster of the region, contain22). ECS Anywhere's external instances (credentials from
 * Systems Manager) page at every registration: no documented, attacker-proof mark tells them apart (a role session's name is
 * its caller's choice; contain22, runbooks/containment-undone.md). Its name,
 * `datalek-watch-*`, puts the rule under the pipeline and alarm path watches. infra17: datalek's drain
 * mark put or deleted by anyone but datalek's sessions pages too (a forged mark made a retry take an
 * instance drained by someone else as its own, unpaged; contain17's retry now names it). Member accounts forward these calls, but their
 * containment role's (member-stack.ts `memberGuardPattern`): this rule reads them as the pipeline's.
 * The message names the call, the caller's type and role (page-caller.ts), when, where and the CloudTrail event id; not the
 * cluster, the instance, the request or the source address (CloudTrail has them).
 */
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DRAINED_BY } from '../../handlers/adapters/aws/containment/ecs.js';
import { onCallAlarm, ruleMetric } from './alarms.js';
import { type ExemptRole, notExemptSessions } from './containment-watch.js';
import { type MemberPages, pageOnAlarmTopic } from './member-pages.js';

/** The rule's fixed name: `datalek-watch-*`, so the pipeline and alarm path watches see calls on it. */
export const ECS_PLACEMENT_WATCH_RULE_NAME = 'datalek-watch-ecs-placement';

/**
 * ECS's calls that can put a task on a DRAINING container instance, as branches of one `detail` `$or`:
 * set ACTIVE again, or (infra17) datalek's drain mark (`DRAINED_BY`) put or deleted, which a retry
 * and a release read (a forged mark makes a retry count an instance drained by hand as its own, and
 * release it; contain17 now names such a mark instead), by anyone but `notDatalek` (a `userIdentity` pattern: datalek's sessions); StartTask
 * by anyone. The mark is matched by its name in the call's `attributes` (an array: any element).
 */
export function ecsPlacementCalls(notDatalek: Record<string, unknown>): Record<string, unknown>[] {
  return [
    {
      // One branch, `notDatalek` written once (room: the member's guard pattern is near 2,048 characters); neither call has the other's parameter.
      eventName: ['UpdateContainerInstancesState', 'PutAttributes', 'DeleteAttributes'],
      requestParameters: { $or: [{ status: [{ 'equals-ignore-case': 'ACTIVE' }] }, { attributes: { name: [DRAINED_BY] } }] },
      userIdentity: notDatalek,
    },
    // datalek never calls it: by anyone (attack16).
    { eventName: ['StartTask'] },
  ];
}

/**
 * contain21: a container instance registered with credentials no EC2 instance's metadata service delivered
 * (CloudTrail's `ec2RoleDelivery`, which no AssumeRole sets): not the ECS agent of an instance, which registers
 * so at every launch. Apart from `ecsPlacementCalls`: a member forwards it with its watch rule (member-stack.ts
 * `memberWatchPattern`), its guard rule's pattern having no room.
 */
export function ecsRegistrationCall(): Record<string, unknown> {
  return { eventName: ['RegisterContainerInstance'], userIdentity: { sessionContext: { ec2RoleDelivery: [{ exists: false }] } } };
}

/** The calls that can place a task on a DRAINING container instance (`ecsPlacementCalls`), datalek's being `exemptRoles`' sessions, as one EventBridge pattern. */
export function ecsPlacementPattern(props: { exemptRoles: ExemptRole[]; account: string; partition: string }): Record<string, unknown> {
  const notDatalek = notExemptSessions(props.exemptRoles, props.account, props.partition);
  return {
    source: ['aws.ecs'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: { errorCode: [{ exists: false }], $or: [...ecsPlacementCalls(notDatalek), ecsRegistrationCall()] },
  };
}

export interface EcsPlacementWatchProps {
  /** The roles whose sessions set a container instance ACTIVE again legitimately (a release): the contain function's, on-call's. */
  exemptRoles: ExemptRole[];
  alarmTopic: sns.ITopic;
  /** Where member accounts forward their calls (the central region): their pages go through it, bounded (deploy20). @default none: every call pages */
  memberPages?: MemberPages;
}

export class EcsPlacementWatch extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: EcsPlacementWatchProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: ECS_PLACEMENT_WATCH_RULE_NAME,
      description:
        "datalek: an ECS container instance put back in task placement, a task started on a named one, or datalek's drain mark put or deleted, outside datalek (runbooks/containment-undone.md)",
      // Set below: CDK's pattern type has no $or.
      eventPattern: { source: ['aws.ecs'] },
    });
    const { account, partition } = Stack.of(this);
    (this.rule.node.defaultChild as events.CfnRule).eventPattern = ecsPlacementPattern({ exemptRoles: props.exemptRoles, account, partition });
    const field = (path: string) => events.EventField.fromPath(path);
    const page = (caller: string) =>
      `datalek CONTAINMENT UNDONE?: ${field('$.detail.eventName')} by ${caller} at ${field('$.time')} in ${field('$.region')} (account ${field('$.account')}), seen by ${ECS_PLACEMENT_WATCH_RULE_NAME}: an ECS container instance put back in task placement, a task started on a named one, a container instance registered by other credentials than its EC2 instance's own, or datalek's drain mark (${DRAINED_BY}) put or deleted, outside datalek (in the pipeline account or, forwarded, a member account). A task placed on an isolated instance brings its own network interface, in its own groups; a forged mark claims for datalek an instance someone else drained (since contain17 a retry names such a mark and leaves the instance as found). Look the event up in CloudTrail (Event history of that account, by its id: the cluster and instance are left out of this message). If the instance is one datalek holds isolated (datalek status; datalek show ID; a registration names the EC2 instance in its identity document), set it DRAINING again (a registered one: deregister it), stop the task, check the instance's interfaces and its ${DRAINED_BY} attribute (the incident's id, or none), tell the FG and find out who made the call and why (runbooks/containment-undone.md).`;
    pageOnAlarmTopic(this.rule, ECS_PLACEMENT_WATCH_RULE_NAME, page, props.alarmTopic, props.memberPages);
    onCallAlarm(this, 'UndeliveredAlarm', {
      name: 'watch-ecs-placement-undelivered',
      description: `datalek: the ${ECS_PLACEMENT_WATCH_RULE_NAME} rule matched a call that can place a task on an isolated container instance, and could NOT publish it to the alarm topic: look the call up in CloudTrail (Event history), check datalek's held containment, then mend the topic`,
      metric: ruleMetric(this.rule, 'FailedInvocations'),
      topic: props.alarmTopic,
    });
  }
}
