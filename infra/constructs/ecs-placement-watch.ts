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
 * which datalek never calls, pages by anyone, datalek's sessions too (attack16). Its name,
 * `datalek-watch-*`, puts the rule under the pipeline and alarm path watches. Like that rule it
 * sees this account's calls only: member accounts do not forward ECS's calls.
 * The message names the call, the caller's ARN, when, where and the CloudTrail event id; not the
 * cluster, the instance, the request or the source address (CloudTrail has them).
 */
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { onCallAlarm, ruleMetric } from './alarms.js';
import { type ExemptRole, roleSessionWildcards } from './containment-watch.js';

/** The rule's fixed name: `datalek-watch-*`, so the pipeline and alarm path watches see calls on it. */
export const ECS_PLACEMENT_WATCH_RULE_NAME = 'datalek-watch-ecs-placement';

/** The calls that can place a task on a DRAINING container instance: ACTIVE again by anyone but `exemptRoles`' sessions, StartTask by anyone. */
export function ecsPlacementPattern(props: { exemptRoles: ExemptRole[]; account: string; partition: string }): Record<string, unknown> {
  return {
    source: ['aws.ecs'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      errorCode: [{ exists: false }],
      $or: [
        {
          eventName: ['UpdateContainerInstancesState'],
          requestParameters: { status: [{ 'equals-ignore-case': 'ACTIVE' }] },
          userIdentity: { arn: [{ 'anything-but': { wildcard: roleSessionWildcards(props.exemptRoles, props.account, props.partition) } }] },
        },
        // datalek never calls it: by anyone (attack16).
        { eventName: ['StartTask'] },
      ],
    },
  };
}

export interface EcsPlacementWatchProps {
  /** The roles whose sessions set a container instance ACTIVE again legitimately (a release): the contain function's, on-call's. */
  exemptRoles: ExemptRole[];
  alarmTopic: sns.ITopic;
}

export class EcsPlacementWatch extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: EcsPlacementWatchProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: ECS_PLACEMENT_WATCH_RULE_NAME,
      description:
        'datalek: an ECS container instance put back in task placement, or a task started on a named one, outside datalek (runbooks/containment-undone.md)',
      // Set below: CDK's pattern type has no $or.
      eventPattern: { source: ['aws.ecs'] },
    });
    const { account, partition } = Stack.of(this);
    (this.rule.node.defaultChild as events.CfnRule).eventPattern = ecsPlacementPattern({ exemptRoles: props.exemptRoles, account, partition });
    const field = (path: string) => events.EventField.fromPath(path);
    const message = events.RuleTargetInput.fromText(
      `datalek CONTAINMENT UNDONE?: ${field('$.detail.eventName')} by ${field('$.detail.userIdentity.arn')} at ${field('$.time')} in ${field('$.region')} (account ${field('$.account')}), CloudTrail event ${field('$.detail.eventID')}, seen by ${ECS_PLACEMENT_WATCH_RULE_NAME}: an ECS container instance put back in task placement, or a task started on a named one, outside datalek. A task placed on an isolated instance brings its own network interface, in its own groups. Look the event up in CloudTrail (Event history, by its id: the cluster and instance are left out of this message). If the instance is one datalek holds isolated (datalek status; datalek show ID), set it DRAINING again, stop the task, check the instance's interfaces, tell the FG and find out who made the call and why (runbooks/containment-undone.md).`,
    );
    const topicArn = props.alarmTopic.topicArn;
    this.rule.addTarget({ bind: () => ({ arn: topicArn, input: message }) });
    onCallAlarm(this, 'UndeliveredAlarm', {
      name: 'watch-ecs-placement-undelivered',
      description: `datalek: the ${ECS_PLACEMENT_WATCH_RULE_NAME} rule matched a call that can place a task on an isolated container instance, and could NOT publish it to the alarm topic: look the call up in CloudTrail (Event history), check datalek's held containment, then mend the topic`,
      metric: ruleMetric(this.rule, 'FailedInvocations'),
      topic: props.alarmTopic,
    });
  }
}
