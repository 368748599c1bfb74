/**
 * For every other region with GuardDuty, EU or not: its findings (by the same pattern) go to the central
 * region's default bus, where the finding route picks them up. GuardDuty is regional; without this
 * the findings of other regions are never seen.
 *
 * What cannot be forwarded waits in an encrypted dead-letter queue; a full queue, throttled rule
 * invocations and events that could not even reach the queue page on-call. CloudWatch alarms can
 * only notify a topic in their own region, so the stack has its own on-call alarm topic, with its
 * own key (KMS keys are regional too).
 *
 * EventBridge puts the findings on the central bus with a role of this stack, which trusts
 * events.amazonaws.com only on behalf of this stack's rule in this account (`aws:SourceArn`,
 * `aws:SourceAccount`): EventBridge's "Cross-service confused deputy prevention" gives the rule's
 * ARN as the source for event bus rule targets. No other account's rule uses the role (a rule's
 * role is in the rule's own account), so the condition names exactly the one rule that does.
 */
import { ArnFormat, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { findingRulePattern } from '../handlers/core/rules.js';
import { applyBoundary } from './boundary.js';
import type { DeployConfig } from './config.js';
import { ALARMS_UNDELIVERED_ALARM, alarmTopic, deadLettersMetric, deliveryFailedAlarm, lostEventsAlarm, onCallAlarm, ruleMetric } from './constructs/alarms.js';
import { ContainRoleWatch, containmentRoleNames, containmentRolesByAccount } from './constructs/contain-role-watch.js';
import { ContainmentWatch, datalekContainmentRoles } from './constructs/containment-watch.js';
import { EcsPlacementWatch } from './constructs/ecs-placement-watch.js';
import { toCdkPattern } from './constructs/event-route.js';
import { GroupTagWatch } from './constructs/group-tag-watch.js';
import { allowWatchRulesToPublish, PipelineWatch } from './constructs/pipeline-watch.js';
import { allowEventBridge, protectedKey } from './constructs/protected-key.js';
import { ProtectedTagWatch } from './constructs/protected-tag-watch.js';
import { deadLetterQueue } from './constructs/queue.js';
import { protectDeadLetters, protectQueues } from './constructs/register-guard.js';
import { guardTopic } from './constructs/topic-guard.js';
import { forwardRoleName } from './deploy-role.js';

/** A fixed name: the role's trust names the rule by its ARN, which the rule's own (generated) name would make circular. */
export const FORWARD_RULE_NAME = 'datalek-forward-findings';

export interface ForwarderStackProps extends StackProps {
  config: DeployConfig;
  centralRegion: string;
  /** The response stack's name: its functions' begin so, the contain function's session among them (containment-watch.ts). */
  responseStackName: string;
}

export class ForwarderStack extends Stack {
  public readonly rule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly key: kms.Key;
  /** On-call's alarm topic in this region. */
  public readonly alarmTopic: sns.Topic;
  /** Pages on calls that stop this region's findings from being forwarded. */
  public readonly watch: PipelineWatch;

  constructor(scope: Construct, id: string, props: ForwarderStackProps) {
    super(scope, id, props);
    const central = events.EventBus.fromEventBusArn(
      this,
      'CentralBus',
      `arn:${this.partition}:events:${props.centralRegion}:${this.account}:event-bus/default`,
    );
    this.key = protectedKey(this, 'Key', {
      description: `datalek: the forwarder's dead-letter queue and alarm topic in ${this.region}`,
      breakGlassRole: props.config.breakGlassRole,
    });
    allowEventBridge(this.key, { ruleNames: ['datalek-*'], buses: [] });
    this.alarmTopic = alarmTopic(this, 'OnCallAlarms', {
      key: this.key,
      onCallEmail: props.config.onCallEmail,
      alarmPagerUrl: props.config.alarmPagerUrl,
      pager: props.config.policy.onCall.provider !== 'sns',
    });
    allowWatchRulesToPublish(this.alarmTopic);
    // Alarms and rules publish here (services); nobody of the account subscribes but the stack.
    guardTopic(this.alarmTopic, { breakGlassRole: props.config.breakGlassRole, publishers: [] });
    // No pages' topic here: the alarm topic's failures reach its other subscribers only.
    deliveryFailedAlarm(this, 'AlarmsUndeliveredAlarm', {
      name: ALARMS_UNDELIVERED_ALARM,
      watched: this.alarmTopic,
      what: `alarms to on-call (the datalek-on-call-alarms topic of ${this.region})`,
      topic: this.alarmTopic,
    });

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters', this.key);
    const ruleArn = this.formatArn({ service: 'events', resource: 'rule', resourceName: FORWARD_RULE_NAME, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const role = new iam.Role(this, 'ForwardRole', {
      roleName: forwardRoleName(this.region),
      description: `datalek: EventBridge puts the GuardDuty findings of ${this.region} on the default bus of ${props.centralRegion}, for the rule ${FORWARD_RULE_NAME} only`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account }, ArnEquals: { 'aws:SourceArn': ruleArn } },
      }),
    });
    this.rule = new events.Rule(this, 'ForwardFindings', {
      ruleName: FORWARD_RULE_NAME,
      description: `GuardDuty findings of ${this.region} to the datalek pipeline in ${props.centralRegion}`,
      eventPattern: toCdkPattern(findingRulePattern(props.config.policy)),
    });
    this.rule.addTarget(new targets.EventBus(central, { deadLetterQueue: this.deadLetterQueue, role }));

    onCallAlarm(this, 'DeadLettersAlarm', {
      name: 'forwarder-dead-letters',
      description: `datalek: GuardDuty findings of ${this.region} could not be forwarded to ${props.centralRegion}; they wait in, or arrived in, the dead-letter queue (an empty queue after this alarm means someone received or deleted them)`,
      metric: deadLettersMetric(this.deadLetterQueue),
      topic: this.alarmTopic,
    });
    onCallAlarm(this, 'ThrottledAlarm', {
      name: 'forwarder-throttled',
      description: `datalek: forwarding GuardDuty findings of ${this.region} was throttled; findings reach the pipeline late`,
      metric: ruleMetric(this.rule, 'ThrottledRules'),
      topic: this.alarmTopic,
    });
    lostEventsAlarm(this, 'LostAlarm', {
      name: 'forwarder',
      rule: this.rule,
      what: `GuardDuty findings of ${this.region} bound for ${props.centralRegion}`,
      topic: this.alarmTopic,
    });
    this.watch = new PipelineWatch(this, 'Watch', {
      rulePrefixes: ['datalek-'],
      functionWildcards: [],
      keyIds: [this.key.keyId],
      key: this.key,
      alarmTopic: this.alarmTopic,
      // Where this region is us-east-1 its rules see IAM's calls: the on-call role's, and the central deployment's on datalek's roles (excused).
      otherRoleNames: { prefixes: [], exactly: [props.config.onCallRole, props.config.fgRole, props.config.breakGlassRole] },
      rolesDeployedIn: props.centralRegion,
    });
    // Calls that undo containment in this region outside datalek (review5 A15).
    new ContainmentWatch(this, 'ContainmentWatch', {
      exemptRoles: datalekContainmentRoles(props.config, props.responseStackName),
      functionWildcards: [],
      containmentRoles: containmentRolesByAccount(props.config),
      alarmTopic: this.alarmTopic,
    });
    new EcsPlacementWatch(this, 'EcsPlacementWatch', {
      exemptRoles: datalekContainmentRoles(props.config, props.responseStackName),
      alarmTopic: this.alarmTopic,
    });
    // A security group's datalek: tags changed, which makes datalek lose its isolation group (kfix11).
    new GroupTagWatch(this, 'GroupTagWatch', { alarmTopic: this.alarmTopic });
    // Where this region is us-east-1: a user or role tagged datalek:protected, which containment never writes on (sec25).
    new ProtectedTagWatch(this, 'ProtectedTagWatch', { alarmTopic: this.alarmTopic });
    // Where this region is us-east-1: an inline policy other than the revocation, or a key set Active, by a containment role (fgsec17 Sc).
    new ContainRoleWatch(this, 'ContainRoleWatch', { roleNames: containmentRoleNames(props.config), alarmTopic: this.alarmTopic });
    // EventBridge's role to put events on the central bus: the boundary allows exactly that.
    applyBoundary(this, `datalek-forward-boundary-${this.region}`, [
      new iam.PolicyStatement({ sid: 'ForwardToCentralBus', actions: ['events:PutEvents'], resources: [central.eventBusArn] }),
    ]);
    // The dead letters and the watch's calls: emptied by nobody but the break-glass role and the deployment.
    protectQueues(this, props.config.breakGlassRole);
    // Their messages, taken one by one: by nobody but break-glass, which redrives them (review11 K3, read12b B3).
    protectDeadLetters(this, { breakGlassRole: props.config.breakGlassRole });
  }
}
