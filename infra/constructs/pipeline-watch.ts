/**
 * Pages on-call when someone makes a call that stops findings from reaching the pipeline, in a
 * region: nothing fails then, no function errs, and "no incident" reads as "no breach" while the
 * register (Art. 33(5)) silently stops being complete. An EventBridge rule on the region's
 * CloudTrail management events ("AWS API Call via CloudTrail", which EventBridge receives where a
 * trail records management events) matches exactly those calls:
 * - a datalek rule disabled (DisableRule, or PutRule with state DISABLED), deleted, or its targets
 *   removed; its pattern or targets changed other than by a CloudFormation deployment;
 * - GuardDuty's detector deleted or suspended (UpdateDetector enable=false), how often it
 *   publishes changed, members disassociated, deleted or no longer monitored, this account leaving
 *   its administrator, a suppression rule (filter with action ARCHIVE: suppressed findings never
 *   reach EventBridge) made, or any filter changed, Malware Protection's plans and scan settings changed;
 * - a datalek function set to reserved concurrency 0, deleted (or its URL, concurrency or invoke
 *   configuration), or a permission removed from it (EventBridge could no longer invoke it) or
 *   added other than by a deployment (another account may invoke it);
 * - what would stop the pages and alarms without stopping findings, before a call that does: a
 *   datalek alarm's actions disabled, the alarm deleted, or changed other than by a deployment; a
 *   datalek topic deleted, a subscription to it removed, its policy or key changed by hand; a
 *   datalek key disabled, scheduled for deletion, or its policy changed by hand; and, in the
 *   central region, a datalek secret (the link key, the pager's key and webhook secret) given
 *   another value, policy or key, or deleted: links and webhooks signed with a value of one's own
 *   acknowledge any incident, and so stop its escalation.
 * The last group is a rule of its own, `datalek-watch-paging` (an EventBridge pattern holds 2,048
 * characters), and so are the calls that leave GuardDuty and CloudTrail on but stop what they
 * report, `datalek-watch-sources`: a protection plan turned off (in the detector, the members' or
 * the organisation's auto-enable), a CloudTrail trail stopped, deleted, changed or reselected. The watch is watched: a third rule, `datalek-watch-guard`, pages on calls that
 * would silence `datalek-watch-pipeline` (which cannot see a call that disables itself), and that
 * one watches the other two (`datalek-*`); a call that the queue can no longer take (its policy or
 * key broken) pages through the rules' own FailedInvocations alarms. In the central region one
 * more rule (`datalek-watch-alarm-path`, in the stateful stack) pages on calls that break this
 * path's own topic, key, alarms or rules through the pages' topic instead
 * (constructs/alarm-path-watch.ts).
 * Each matched call goes to the alarm topic at once as a message of its own (an alarm acts only
 * when its state changes: a call made while it is raised would page no one), and waits in an
 * encrypted queue (the whole CloudTrail event: who, from where; kept 14 days) whose depth alarm
 * pages through the alarm path and stays raised until on-call has read and deleted the messages;
 * a second alarm is raised again by each new call after a quiet minute. A deployment's own changes are not these calls, except deleting a
 * stack, which should page.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_RESOURCE_NAMES } from '../../handlers/adapters/aws/table-schema.js';
import {
  BOOTSTRAP_POLICY_ARNS,
  BOOTSTRAP_POLICY_CHANGES,
  BOOTSTRAP_ROLE_CHANGES,
  BOOTSTRAP_ROLE_PREFIX,
  DATALEK_POLICY_PREFIX,
  DATALEK_ROLE_PREFIX,
  deployRoleArn,
  deployRoleArnIn,
  EXECUTION_ROLE_PREFIX,
  notByDeployment,
  POLICY_VERSION_CHANGES,
  STAGING_BUCKET_CALL_PREFIXES,
  STAGING_BUCKET_PREFIX,
} from '../deploy-role.js';
import { ALARM_NAME_PREFIX, ALARM_PERIOD, onCallAlarm, ruleMetric } from './alarms.js';
import { BACKUP_JOB_WATCH_RULE_NAME } from './backup-job-watch.js';
import { CONTAIN_ROLE_WATCH_RULE_NAME } from './contain-role-watch.js';
import { CONTAINMENT_IAM_WATCH_RULE_NAME, CONTAINMENT_WATCH_RULE_NAME } from './containment-watch.js';
import { ECS_PLACEMENT_WATCH_RULE_NAME } from './ecs-placement-watch.js';
import { GROUP_TAG_WATCH_RULE_NAME } from './group-tag-watch.js';
import { type MemberPages, pageOnAlarmTopic } from './member-pages.js';
import { PROTECTED_TAG_WATCH_RULE_NAME } from './protected-tag-watch.js';
import { eventQueue } from './queue.js';
import { EVENT_ARCHIVE_NAME, queueChanges, type RegisterWatchProps, registerWatchPattern, tablePolicyChanges } from './register-guard.js';
import { functionRoleName } from './response-function.js';

/**
 * What member accounts forward to the pipeline's bus (member-stack.ts); its policy takes these
 * sources only. CloudFormation's: a member stack's deployment pages as the pipeline's stacks' do.
 * EC2's: a security group's `datalek:` tags changed (group-tag-watch.ts). IAM's: from the member's
 * us-east-1 (member-iam-stack.ts, infra14), changes of its datalek roles and policies, containment undone.
 * CloudWatch's and SNS's: from there too (infra16), its dead-letter path's alarms and alarm topic silenced;
 * from the central region too (infra17), the member stack's own. ECS's (infra17): a task put on a drained
 * container instance, datalek's drain mark forged (ecs-placement-watch.ts).
 */
export const MEMBER_FORWARDED_SOURCES = ['aws.guardduty', 'aws.events', 'aws.cloudformation', 'aws.ec2', 'aws.iam', 'aws.monitoring', 'aws.sns', 'aws.ecs'];

/** The statement of the pipeline's default bus policy that lets member accounts forward their calls. */
export const MEMBER_BUS_STATEMENT_ID = 'datalek-member-calls';

/** The statement of the `datalek` bus's policy that refuses its events to all but its publishing functions and break-glass (stateful-stack.ts, sec26). */
export const OWN_EVENTS_STATEMENT_ID = 'datalek-own-events-only';

/** The statement of the `datalek` bus's policy that refuses changes to its rules to all but the deployment and break-glass (stateful-stack.ts, sec26). */
export const OWN_RULES_STATEMENT_ID = 'datalek-own-rules-only';

/** The pipeline's own bus. */
const BUS = DEFAULT_RESOURCE_NAMES.bus;

/** The member stack's forwarding rules (`datalek-*`: the central watch pages on calls on them too); each watches the other. */
export const MEMBER_RULE_NAMES = ['datalek-member-watch', 'datalek-member-guard'] as const;

/** The ARNs of a member's two forwarding rules in each of `regions` (its forwarding role's trust, the pipeline bus's policy). */
export function memberRuleArns(partition: string, account: string, regions: readonly string[]): string[] {
  return regions.flatMap((region) => MEMBER_RULE_NAMES.map((name) => `arn:${partition}:events:${region}:${account}:rule/${name}`));
}

/** The watch rules' names begin so. */
export const WATCH_RULE_PREFIX = 'datalek-watch-';

/** The watch rule's fixed name: `datalek-*`, so that the other watch rules see calls on it. */
export const WATCH_RULE_NAME = 'datalek-watch-pipeline';

/** The rule on calls that keep the pages and alarms from reaching on-call (an EventBridge pattern holds 2,048 characters: one rule would not hold both). */
export const PAGING_RULE_NAME = 'datalek-watch-paging';

/** The rule on calls that keep GuardDuty or CloudTrail enabled but stop what they report: protection plans off, the trail stopped. */
export const SOURCES_RULE_NAME = 'datalek-watch-sources';

/** The rule that watches the watch rule (a rule does not see the call that disables it). */
export const GUARD_RULE_NAME = 'datalek-watch-guard';

/**
 * The rule on changes the other rules trust or cannot see: a datalek stack deployed (its own calls
 * pass every other rule), and the log metric filters two alarms count (review8 F5).
 */
export const CHANGES_RULE_NAME = 'datalek-watch-changes';

/**
 * The app's stacks' names begin so (build-app.ts: DatalekState, DatalekResponse, DatalekForwarder-…;
 * DatalekMember-… too, deployed in its member account, whose rules forward its calls here).
 */
export const STACK_NAME_PREFIX = 'Datalek';

/** The rule on calls that lose the breach register's table, the event archive or a datalek queue's messages (register-guard.ts). */
export const REGISTER_RULE_NAME = 'datalek-watch-register';

/**
 * The rule on changes a deployment also makes, made by anyone but datalek's deployment (its
 * CloudFormation execution role, deploy-role.ts): a rule's pattern or targets, a function's code or
 * configuration, an alarm, a topic's, secret's, table's or queue's policy or settings, a log metric
 * filter, the bus policy. One rule, so the excuse is written once (a pattern holds 2,048 characters).
 */
export const BY_HAND_RULE_NAME = 'datalek-watch-by-hand';

/** The rule on IAM calls on datalek's roles (`roleCalls`): out of `datalek-watch-changes` for room (infra15). */
export const ROLES_RULE_NAME = 'datalek-watch-roles';

/** The rule on objects written to a staging bucket: to the queue alone, no message of its own per object (infra15). */
export const UPLOADS_RULE_NAME = 'datalek-watch-uploads';

/** The alarm that pages on the watched calls. */
export const WATCH_ALARM_NAME = 'pipeline-changed';

/** The alarm that pages on each new watched call, a minute after the last (`datalek-watch-*`: the alarm path watches it). */
export const NEW_CALLS_ALARM_NAME = 'watch-new-calls';

/** The watch rules, each with the alarm on calls it matched and could not deliver (its queue's policy or key broken). */
export const WATCH_RULES = [
  { name: WATCH_RULE_NAME, undelivered: 'watch-pipeline-undelivered' },
  { name: PAGING_RULE_NAME, undelivered: 'watch-paging-undelivered' },
  { name: SOURCES_RULE_NAME, undelivered: 'watch-sources-undelivered' },
  { name: GUARD_RULE_NAME, undelivered: 'watch-guard-undelivered' },
  { name: CHANGES_RULE_NAME, undelivered: 'watch-changes-undelivered' },
  { name: REGISTER_RULE_NAME, undelivered: 'watch-register-undelivered' },
  { name: BY_HAND_RULE_NAME, undelivered: 'watch-by-hand-undelivered' },
  { name: ROLES_RULE_NAME, undelivered: 'watch-roles-undelivered' },
  { name: UPLOADS_RULE_NAME, undelivered: 'watch-uploads-undelivered', message: false },
] as const;

/** Whether a watch rule sends each call it matches to the alarm topic as a message of its own (all but the uploads rule). */
export const sendsMessages = (rule: (typeof WATCH_RULES)[number]): boolean => !('message' in rule && rule.message === false);

// The helpers below match a call's service on `source` alone (its `eventSource` says the same):
// the patterns must fit in 2,048 characters. A `…Changes` helper gives the calls a deployment makes
// too, as a branch of `detail` (no `source`: each call's name is its service's own) for the
// `datalek-watch-by-hand` rule, which excuses datalek's deployment once for all of them.

/** The rule calls name a rule `name`, the target calls `rule`. */
const namedRule = (rules: unknown[]) => ({ $or: [{ name: rules }, { rule: rules }] });

/**
 * EventBridge calls that stop the rules named by `rules` (EventBridge name filters), whoever makes
 * them; and, with `byHandOf` (a `userIdentity` pattern: `notByDeployment`), the calls that change
 * what they match or deliver to by those callers (for rules whose changes no other rule sees).
 */
export function ruleCalls(rules: unknown[], byHandOf?: Record<string, unknown>): Record<string, unknown> {
  return {
    source: ['aws.events'],
    detail: {
      $or: [
        { eventName: ['DisableRule', 'DeleteRule', 'RemoveTargets'], requestParameters: namedRule(rules) },
        { eventName: ['PutRule'], requestParameters: { name: rules, state: ['DISABLED'] } },
        ...(byHandOf ? [{ ...ruleChanges(rules), userIdentity: byHandOf }] : []),
      ],
    },
  };
}

/** A rule's pattern or targets put: a pattern that matches nothing, or a target that is not ours, silences as well. */
export function ruleChanges(rules: unknown[]): Record<string, unknown> {
  return { eventName: ['PutRule', 'PutTargets'], requestParameters: namedRule(rules) };
}

/**
 * EventBridge calls that take the member accounts' right to forward their calls off this region's
 * default bus: the statement removed (or all of them), whoever makes them (a statement put, or the
 * whole policy, other than by the deployment: `busPolicyChanges`).
 */
export function busPolicyCalls(): Record<string, unknown> {
  return {
    source: ['aws.events'],
    detail: {
      eventName: ['RemovePermission'],
      requestParameters: {
        $or: [{ statementId: [MEMBER_BUS_STATEMENT_ID, OWN_EVENTS_STATEMENT_ID, OWN_RULES_STATEMENT_ID] }, { removeAllPermissions: [true] }],
      },
    },
  };
}

/**
 * The default bus's policy changed (`PutPermission`, a statement or the whole policy): every account
 * it lets put events is read by every rule on the bus, the finding rule's among them, so an outside
 * account let on files its own GuardDuty findings (review10 K5; the record function refuses them too,
 * record-finding.ts `refuseOtherAccounts`). A call naming no bus is the default's.
 */
export function busPolicyChanges(): Record<string, unknown> {
  return {
    eventName: ['PutPermission'],
    requestParameters: {
      $or: [{ eventBusName: [{ exists: false }] }, { eventBusName: ['default', BUS, { wildcard: '*:event-bus/default' }, { wildcard: `*:event-bus/${BUS}` }] }],
    },
  };
}

/** CloudWatch calls that keep the alarms named by `alarms` (name filters) from paging, whoever makes them. */
export function alarmCalls(alarms: unknown[]): Record<string, unknown> {
  return {
    source: ['aws.monitoring'],
    detail: {
      $or: [
        { eventName: ['DisableAlarmActions', 'DeleteAlarms'], requestParameters: { alarmNames: alarms } },
        // Its actions off, whoever does it: CloudFormation's calls do not name their stack, so a
        // stack of another name putting a datalek alarm (an upsert by name) is trusted as much (review8 B2).
        { eventName: ['PutMetricAlarm'], requestParameters: { alarmName: alarms, actionsEnabled: [false] } },
      ],
    },
  };
}

/** An alarm's actions, threshold or metric changed: a deployment's own updates keep them paging. */
export function alarmChanges(alarms: unknown[]): Record<string, unknown> {
  return { eventName: ['PutMetricAlarm'], requestParameters: { alarmName: alarms } };
}

/**
 * The topics named `topicName` as a call names them: a subscription's ARN is its topic's and a
 * suffix, so one filter names the topic however a call names it (short: the alarm path's pattern
 * is near EventBridge's 2,048 characters).
 */
const topicArns = (topicName: string) => [{ wildcard: topicName.endsWith('*') ? `*:${topicName}` : `*:${topicName}*` }];

/**
 * SNS calls that keep messages of the topics named `topicName` (an EventBridge `wildcard` on the
 * name: `datalek-*`) from reaching anyone, or (`subscribe`) send them to someone new. By name: the default bus only carries this account's
 * calls of this region.
 */
export function topicCalls(topicName: string, { subscribe = true } = {}): Record<string, unknown> {
  const arn = topicArns(topicName);
  return {
    source: ['aws.sns'],
    detail:
      // Deleted, a subscription removed, or (review8 F1) silenced while it stays: a filter
      // policy that lets nothing through (SNS counts those messages filtered out, not failed:
      // no delivery alarm sees them; datalek sets no subscription attributes, so a
      // deployment's change pages too), or a data protection policy that denies what is published.
      // And (review7 G14) an endpoint added, by anyone: it gets every page with its
      // acknowledgement link, or every FG message. Not excused for CloudFormation (review8 B2):
      // its calls do not name their stack, and a stack of any name may subscribe; a deployment
      // that subscribes someone pages, and subscribing a pager by hand too: on-call then knows who.
      {
        // And (review9 K1) a statement of its policy removed by its label (its Sid: the alarms', the
        // watch rules' or the alarm path's right to publish) or added (anyone named may publish):
        // the policy changed as surely, and no deployment makes these calls.
        eventName: [
          'DeleteTopic',
          'Unsubscribe',
          'SetSubscriptionAttributes',
          'PutDataProtectionPolicy',
          'RemovePermission',
          'AddPermission',
          ...(subscribe ? ['Subscribe'] : []),
        ],
        requestParameters: { $or: [{ topicArn: arn }, { subscriptionArn: arn }, { resourceArn: arn }] },
      },
  };
}

/** A topic's policy (who may publish) or key changed (a topic's policy belongs to the stack that made the topic). */
export function topicChanges(topicName: string): Record<string, unknown> {
  return { eventName: ['SetTopicAttributes'], requestParameters: { topicArn: topicArns(topicName) } };
}

/** KMS calls that make the keys of the ids `keyIds` unusable (a call may name a key by its id or its ARN, which ends in the id). */
export function keyCalls(keyIds: string[]): Record<string, unknown> {
  const keys = keyIds.map((id) => ({ wildcard: `*${id}` }));
  return {
    source: ['aws.kms'],
    // Its policy too, by anyone: a deployment that changes a key's policy pages as well (the
    // patterns are near 2,048 characters, and a deployment pages anyway: datalek-watch-changes).
    detail: { eventName: ['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy'], requestParameters: { keyId: keys } },
  };
}

/**
 * Every Secrets Manager call that changes a secret: its value or which version is current, its
 * policy, its key or rotation, its deletion, its copies in other regions. The pipeline's secrets
 * deny them to all but the break-glass role and the deployment (response-stack.ts).
 */
export const SECRET_WRITES = [
  'secretsmanager:CancelRotateSecret',
  'secretsmanager:DeleteResourcePolicy',
  'secretsmanager:DeleteSecret',
  'secretsmanager:PutResourcePolicy',
  'secretsmanager:PutSecretValue',
  'secretsmanager:RemoveRegionsFromReplication',
  'secretsmanager:ReplicateSecretToRegions',
  'secretsmanager:RestoreSecret',
  'secretsmanager:RotateSecret',
  'secretsmanager:StopReplicationToReplica',
  'secretsmanager:UpdateSecret',
  'secretsmanager:UpdateSecretVersionStage',
];

/** A deployment changes a secret's policy (PutResourcePolicy) and description or key (UpdateSecret); it never puts a value by these other calls. */
const SECRET_WRITES_BY_DEPLOYS = ['PutResourcePolicy', 'UpdateSecret'];

/**
 * Denied but not watched (the pattern holds 2,048 characters): cancelling a rotation (none is
 * set) or restoring a deleted secret (its deletion paged) changes no value, and stopping a
 * replica is a call in the replica's region (its copy was made by a call that paged).
 */
const SECRET_WRITES_UNWATCHED = ['CancelRotateSecret', 'RestoreSecret', 'StopReplicationToReplica'];

/**
 * Secrets Manager calls that change the secrets whose names begin with `namePrefix` (`datalek/`):
 * the link key, the pager's key, its webhook secret. A replaced value or a lifted policy fails
 * nothing: links and webhooks signed with the new one acknowledge, and stop on-call's escalation.
 * Every such call pages (the break-glass role's too: a put of the pager's key is expected, and on-call
 * sees who made it), but a deployment's own policy and description updates; deleting the stack
 * pages. A call names a secret by its name or its ARN (`…:secret:<name>-<6 characters>`), whole or
 * partial.
 */
export function secretCalls(namePrefix: string): Record<string, unknown> {
  const names = SECRET_WRITES.map((a) => a.replace('secretsmanager:', '')).filter((n) => !SECRET_WRITES_UNWATCHED.includes(n));
  return {
    source: ['aws.secretsmanager'],
    detail: {
      eventName: names.filter((n) => !SECRET_WRITES_BY_DEPLOYS.includes(n)),
      requestParameters: { secretId: secretIds(namePrefix) },
    },
  };
}

/** A datalek secret named as a call may name it: by name or ARN (`…:secret:<name>-<6 characters>`), whole or partial. */
const secretIds = (namePrefix: string) => [{ prefix: namePrefix }, { wildcard: `*:secret:${namePrefix}*` }];

/** A secret's policy or description or key changed (`secretCalls`): a deployment's own updates make these calls. */
export function secretChanges(namePrefix: string): Record<string, unknown> {
  return { eventName: SECRET_WRITES_BY_DEPLOYS, requestParameters: { secretId: secretIds(namePrefix) } };
}

/**
 * Lets the region's watch rules publish each call they match to the alarm topic (in the topic's
 * stack: the central rules are in another stack, whose imported topic takes no policy). Only these
 * rules, by their fixed names (EventBridge's "Cross-service confused deputy prevention"); the
 * topic's key lets this account's EventBridge use it (protected-key.ts `allowEventBridge`).
 */
export function allowWatchRulesToPublish(topic: sns.Topic, { backupJobs = false }: { backupJobs?: boolean } = {}): void {
  const stack = Stack.of(topic);
  // The ECS placement watch's too (infra17: it was left out, so its every message was refused and only its undelivered alarm paged),
  // and, where the locked vault is, the backup job watch's.
  // fgsec17 Sc: and the containment roles' writes (contain-role-watch.ts).
  const others = [
    CONTAINMENT_WATCH_RULE_NAME,
    CONTAINMENT_IAM_WATCH_RULE_NAME,
    GROUP_TAG_WATCH_RULE_NAME,
    // sec25: a user or role tagged datalek:protected (protected-tag-watch.ts).
    PROTECTED_TAG_WATCH_RULE_NAME,
    ECS_PLACEMENT_WATCH_RULE_NAME,
    CONTAIN_ROLE_WATCH_RULE_NAME,
    ...(backupJobs ? [BACKUP_JOB_WATCH_RULE_NAME] : []),
  ];
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'WatchRulesOfThisRegion',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnEquals: {
          // And the rules on calls that undo containment (containment-watch.ts, group-tag-watch.ts).
          'aws:SourceArn': [...WATCH_RULES.filter(sendsMessages).map(({ name }) => name), ...others].map((name) =>
            stack.formatArn({ service: 'events', resource: 'rule', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
          ),
        },
      },
    }),
  );
}

export interface PipelineWatchProps extends RegisterWatchProps {
  /** Name prefixes of this region's datalek rules (the watch rule's own included by `datalek-`). */
  rulePrefixes: string[];
  /** Name patterns of this region's datalek functions (EventBridge `wildcard`: a call may name a function by name or ARN); none in a forwarder region. */
  functionWildcards: string[];
  /** The ids of this region's datalek KMS keys. */
  keyIds: string[];
  /** How the names of this region's datalek secrets begin (`datalek/`); none in a forwarder region. */
  secretNamePrefix?: string;
  /** How the names of the log groups whose metric filters alarms count begin (the response stack's `DatalekResponse-`); none in a forwarder region. */
  logGroupPrefix?: string;
  /** datalek's roles named other than `datalek-…`, whose trust or policies changed page (`roleCalls`): the on-call role; in the central region, where member accounts forward IAM's calls, the containment role (a prefix: its read role). */
  otherRoleNames: OtherRoleNames;
  /** The region whose datalek deployment makes datalek's roles (the central region): its execution role's calls on them are excused (`roleCalls`). */
  rolesDeployedIn: string;
  /** Encrypts the queue (CloudTrail events name the caller); EventBridge must be allowed to use it. */
  key: kms.IKey;
  alarmTopic: sns.ITopic;
  /** Where member accounts forward their calls (the central region): their pages go through it, bounded (deploy20). @default none: every call pages */
  memberPages?: MemberPages;
}

/** The CloudTrail calls that can silence the pipeline, as one EventBridge pattern. */
/**
 * GuardDuty calls that stop findings: the detector deleted, suspended or publishing less often,
 * members let go, an account leaving its administrator, a suppression rule made (action ARCHIVE) or
 * changed. Every `UpdateFilter` (fgsec12 S2): each of its fields is optional, so a call that widens an
 * archiving rule's criteria (or ranks it first) names no action, and no call tells whether the rule
 * archives. And Malware Protection's own settings (fgsec12 S2), which no detector feature holds: an S3
 * bucket's plan (a plan per bucket: `Object:S3/MaliciousFile`) deleted or changed (its prefixes
 * narrowed), the EC2 malware scans' settings changed (instances excluded by a tag). Rare calls:
 * each pages. Member accounts forward these too (member-stack.ts).
 */
export function guardDutyCalls(): Record<string, unknown> {
  return {
    source: ['aws.guardduty'],
    detail: {
      eventSource: ['guardduty.amazonaws.com'],
      $or: [
        {
          eventName: [
            'DeleteDetector',
            'DisassociateMembers',
            'DeleteMembers',
            'StopMonitoringMembers',
            'DisassociateFromAdministratorAccount',
            'DisassociateFromMasterAccount',
            'UpdateFilter',
            'DeleteMalwareProtectionPlan',
            'UpdateMalwareProtectionPlan',
            'UpdateMalwareScanSettings',
          ],
        },
        { eventName: ['UpdateDetector'], requestParameters: { enable: [false] } },
        { eventName: ['UpdateDetector'], requestParameters: { findingPublishingFrequency: [{ exists: true }] } },
        { eventName: ['CreateFilter'], requestParameters: { action: ['ARCHIVE'] } },
      ],
    },
  };
}

/**
 * GuardDuty calls that leave the detector enabled but stop whole families of findings: a
 * protection plan (feature) or its agent management turned off, in this detector, in members'
 * (`UpdateMemberDetectors`) or for the organisation's accounts (`UpdateOrganizationConfiguration`:
 * auto-enable off, for every account or for one plan); the same in the older `dataSources` form.
 * EventBridge matches a field in an array of objects if any element has it.
 */
export function protectionPlanCalls(): Record<string, unknown> {
  const off = { $or: [{ status: ['DISABLED'] }, { autoEnable: ['NONE'] }] };
  const dataSourceOff = { $or: [{ enable: [false] }, { autoEnable: [false] }] };
  return {
    source: ['aws.guardduty'],
    detail: {
      eventName: ['UpdateDetector', 'UpdateMemberDetectors', 'UpdateOrganizationConfiguration'],
      requestParameters: {
        $or: [
          { features: off },
          { features: { additionalConfiguration: off } },
          { autoEnable: [false] },
          { autoEnableOrganizationMembers: ['NONE'] },
          { dataSources: { $or: [{ s3Logs: dataSourceOff }, { kubernetes: { auditLogs: dataSourceOff } }] } },
          // The EC2 malware scan: `ebsVolumes` is a boolean in a detector, `{autoEnable}` in the organisation's.
          { dataSources: { malwareProtection: { scanEc2InstanceWithFindings: { ebsVolumes: [false] } } } },
          { dataSources: { malwareProtection: { scanEc2InstanceWithFindings: { ebsVolumes: { autoEnable: [false] } } } } },
        ],
      },
    },
  };
}

/**
 * CloudTrail calls on a trail of this account and region: EventBridge receives CloudTrail's
 * management events only while a trail records them, so a trail stopped, deleted, narrowed
 * (`UpdateTrail`: one region only, no global events) or no longer selecting management events
 * (`PutEventSelectors`, `PutAdvancedEventSelectors`) blinds every watch rule. The deployment does
 * not know which trail feeds it: any trail's, by any caller (these calls are rare).
 */
export function trailCalls(): Record<string, unknown> {
  return {
    source: ['aws.cloudtrail'],
    detail: { eventName: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutAdvancedEventSelectors'] },
  };
}

/**
 * Findings archived by hand (fgsec11, review 10): a new finding reaches EventBridge up to about five
 * minutes after `ListFindings` shows it, and one whose first publication is archived opens nothing
 * (record-finding.ts), so a script polling `ListFindings` silences new findings without a
 * suppression rule (`CreateFilter`/`UpdateFilter` with action ARCHIVE: guardDutyCalls). datalek
 * archives nothing: each call pages, whoever makes it. In trustedListCalls' branch (one list of
 * GuardDuty calls by anyone).
 */
const ARCHIVE_CALLS = ['ArchiveFindings'];

/**
 * GuardDuty's trusted lists: it makes no finding for an address (or, in a trusted entity set, a
 * domain) they list, in every member account the administrator's list covers. One listing every
 * address stops the findings that rest on a remote address at the source, with the detector
 * enabled and every plan on (review8 F2). Rare calls: each pages.
 */
export function trustedListCalls(): Record<string, unknown> {
  return {
    source: ['aws.guardduty'],
    detail: { eventName: ['CreateIPSet', 'UpdateIPSet', 'CreateTrustedEntitySet', 'UpdateTrustedEntitySet', ...ARCHIVE_CALLS] },
  };
}

/** The calls that keep GuardDuty and CloudTrail on but stop what they report (findings archived by hand among them), as one EventBridge pattern. */
export function sourcesWatchPattern(): Record<string, unknown> {
  return { 'detail-type': ['AWS API Call via CloudTrail'], $or: [protectionPlanCalls(), trustedListCalls(), trailCalls()] };
}

export function pipelineWatchPattern(props: Pick<PipelineWatchProps, 'rulePrefixes' | 'functionWildcards'>): Record<string, unknown> {
  const rules = props.rulePrefixes.map((prefix) => ({ prefix }));
  const functions = props.functionWildcards.map((wildcard) => ({ wildcard }));
  const calls: Record<string, unknown>[] = [ruleCalls(rules), busPolicyCalls(), guardDutyCalls()];
  if (functions.length) {
    // Lambda's CloudTrail event names carry the API version: PutFunctionConcurrency20171031, so
    // prefixes. Stopped (concurrency 0), deleted (or its URL, concurrency, invoke configuration) or
    // a permission removed; and changed by hand (review7 G6): the functions take their policy,
    // table and topics from their environment, so one configuration change (a threshold of 10)
    // ignores every finding without an error; new code does anything; fewer retries or less
    // concurrency drop or delay findings (UpdateFunction…, PutFunction…). A deploy makes these
    // calls as CloudFormation; a deletion pages whoever makes it, a deploy too (last read Z5: a
    // stack update that drops a function stops findings as surely). Short: the pattern is near
    // EventBridge's 2,048 characters.
    calls.push({
      source: ['aws.lambda'],
      detail: { eventName: prefixes(['DeleteFunction', 'RemovePermission']), requestParameters: { functionName: functions } },
    });
  }
  return { 'detail-type': ['AWS API Call via CloudTrail'], $or: calls };
}

/** EventBridge `prefix` filters. */
const prefixes = (names: string[]) => names.map((prefix) => ({ prefix }));

/**
 * Functions matching `functionWildcards` changed by `UpdateFunction…`/`PutFunction…` (pipelineWatchPattern: code, configuration,
 * concurrency, invoke configuration), or given a permission (review10 K4: `AddPermission…` may let an account outside the
 * organisation invoke the function, which no SCP reaches; the deployment adds the stack's own), or given an event source
 * (review12 attack: `CreateEventSourceMapping…` from a queue of one's own, or a mapping pointed at it: Lambda then hands
 * the function what that queue holds; no handler takes SQS records, and the stacks make no mapping).
 */
export function functionChanges(functionWildcards: string[]): Record<string, unknown> {
  return {
    eventName: prefixes(['UpdateFunction', 'PutFunction', 'AddPermission', 'CreateEventSourceMapping', 'UpdateEventSourceMapping']),
    requestParameters: { functionName: functionWildcards.map((wildcard) => ({ wildcard })) },
  };
}

/**
 * A function made, or a function's configuration changed, with a datalek function's role (review11 K5):
 * a function of anyone's, named anything, then runs as datalek's (the contain function's role in
 * every member account, notify's past the topics' Publish Deny, anchor's signing digests). By anyone
 * but datalek's deployment (`datalek-watch-by-hand`), whatever the function's name (a name is free),
 * in every region with a watch. A function made in another region is seen by none: the SCP's PassRole
 * Deny covers every region but excuses the deployment, whose execution role (global) CloudFormation
 * wears in any region; so the SCP also refuses that role to a stack outside the pipeline's regions
 * (attack16 K1, `DatalekExecutionRoleOnlyForDatalekStacksInItsRegions`). Without the SCP, a
 * `Datalek…` stack made there with it passes the role unseen. A role's ARN may carry a path.
 */
export function functionRoleGiven(roleArns?: string): Record<string, unknown> {
  return {
    eventName: prefixes(['CreateFunction', 'UpdateFunctionConfiguration']),
    requestParameters: { role: [{ wildcard: `*/${functionRoleName('*')}` }, ...roleArnsInAnyCase(roleArns, DATALEK_ROLE_PREFIX)] },
  };
}

/**
 * infra16: a role's ARN as a call may spell it in another case (IAM does not tell role names apart by
 * case; whether a service takes an ARN so spelled is unconfirmed), for the roles of `roleArns`
 * (`arn:<partition>:iam::<account>:role/`: this account's, without a path, as datalek makes them)
 * whose names begin with `name`. `wildcard` has no case-insensitive form; `prefix` has.
 */
const roleArnsInAnyCase = (roleArns: string | undefined, name: string) => (roleArns ? [{ prefix: { 'equals-ignore-case': `${roleArns}${name}` } }] : []);

/**
 * A version of one of datalek's fixed-name managed policies made, made default or deleted (infra14):
 * a role's boundary loosened so lets any policy put on the role since do more, unseen (the roles'
 * own policies are watched by name nowhere else). By ARN, with or without a path (a call names a
 * policy by its ARN), as branches of `roleCalls`: by anyone but `byHandOf` (the central region's
 * deployment, which makes the central policies), and a forward role's boundary (a forwarder region's
 * `datalek-forward-boundary-<region>`, us-east-1's `datalek-iam-forward-boundary`) by anyone. infra16:
 * each region's rules excused their own region's deployment for every datalek policy, so where
 * us-east-1 was a forwarder region its deployment rewrote the central boundaries unpaged, and a
 * central deploy's boundary update paged there. A pattern cannot pair a deployment with its own
 * region's policy: a forwarder region's deployment that changes its boundary pages (rarely: the
 * boundary changes with a release's forward statement). IAM's calls reach EventBridge in us-east-1
 * only: seen where a pipeline region is it, or forwarded from there (iam-forward-stack.ts); member
 * accounts' too (member-iam-stack.ts).
 */
export function policyVersionChanges(byHandOf: Record<string, unknown>): Record<string, unknown>[] {
  const policies = (name: string) => ['', '*/'].map((path) => ({ wildcard: `*:policy/${path}${DATALEK_POLICY_PREFIX}${name}` }));
  return [
    { eventName: POLICY_VERSION_CHANGES, requestParameters: { policyArn: policies('*') }, userIdentity: byHandOf },
    { eventName: POLICY_VERSION_CHANGES, requestParameters: { policyArn: policies('*forward-boundary*') } },
  ];
}

/** The CloudTrail calls that keep the region's pages and alarms from reaching on-call, as one EventBridge pattern. */
export function pagingWatchPattern(props: Pick<PipelineWatchProps, 'keyIds' | 'secretNamePrefix'>): Record<string, unknown> {
  const calls = [alarmCalls([{ prefix: ALARM_NAME_PREFIX }]), topicCalls(`${ALARM_NAME_PREFIX}*`), keyCalls(props.keyIds)];
  if (props.secretNamePrefix) calls.push(secretCalls(props.secretNamePrefix));
  return { 'detail-type': ['AWS API Call via CloudTrail'], $or: calls };
}

/** CloudFormation's calls that change a stack (`deployCalls`). */
export const STACK_CALLS = [
  'ExecuteChangeSet',
  'CreateStack',
  'UpdateStack',
  'DeleteStack',
  'SetStackPolicy',
  'UpdateTerminationProtection',
  'RollbackStack',
  'ContinueUpdateRollback',
];

/** CloudFormation's calls that give a stack a role (`deployTrustCalls`). */
export const STACK_ROLE_CALLS = ['CreateStack', 'UpdateStack', 'CreateChangeSet'];

/**
 * A datalek stack changed, deleted or unprotected: every other rule lets a deployment's own calls
 * through (`datalek-watch-by-hand` excuses datalek's deployment), so whoever may deploy may change any function, rule, alarm or
 * policy unseen. A deployment pages on-call once per stack (announce deployments; one nobody
 * announced is the attack). `CreateStack` too: a `Datalek…` stack created with datalek's execution
 * role makes all its calls the deployment's (read11b B1); `cdk deploy` creates stacks by a change set,
 * so it adds no page. Not `CreateChangeSet`: `cdk diff` makes change sets too. A change set
 * executed by its ARN alone names no stack: it pages, as a deployment of an unknown stack.
 */
export function deployCalls(): Record<string, unknown> {
  const stackName = [{ prefix: STACK_NAME_PREFIX }, { wildcard: `*:stack/${STACK_NAME_PREFIX}*` }];
  return {
    source: ['aws.cloudformation'],
    // No eventSource (room: this is in the us-east-1 forward's pattern): only CloudTrail's calls carry an eventName.
    detail: {
      $or: [
        { eventName: STACK_CALLS, requestParameters: { stackName } },
        { eventName: ['ExecuteChangeSet'], requestParameters: { stackName: [{ exists: false }] } },
      ],
    },
  };
}

/**
 * CloudWatch Logs calls that silence the alarms counted from a function's log (the interfaces left
 * exposed, containment refused: response-stack.ts): their metric filter deleted or rewritten other
 * than by a deployment, the log group deleted or given a key of someone's own. The log groups
 * are named after their stack (`DatalekResponse-…`).
 */
export function logMetricCalls(logGroupPrefix: string): Record<string, unknown> {
  return {
    source: ['aws.logs'],
    // A key of someone's own put on the log group, then disabled, stops its events being
    // stored as surely (review8 last read B4).
    detail: { eventName: ['DeleteMetricFilter', 'DeleteLogGroup', 'AssociateKmsKey'], requestParameters: { logGroupName: [{ prefix: logGroupPrefix }] } },
  };
}

/** A metric filter of those log groups rewritten (`logMetricCalls`): a deployment's own puts make this call. */
export function metricFilterChanges(logGroupPrefix: string): Record<string, unknown> {
  return { eventName: ['PutMetricFilter'], requestParameters: { logGroupName: [{ prefix: logGroupPrefix }] } };
}

/**
 * What would make someone else datalek's deployment, and so excused by every watch rule
 * (deploy-role.ts), whoever does it: the execution role handed to a stack not named `Datalek…`
 * (CreateStack, UpdateStack, CreateChangeSet with its ARN; by a stack's name or its ARN), or to Cloud
 * Control API (which takes a role for CloudFormation's resource handlers): by whoever may pass it,
 * administrators with `iam:PassRole` on `*` included. Not seen: a later update of such a stack that
 * names no role (it keeps the role it was created with, for anyone who may update it; its creation
 * paged): no call tells it from another team's update, so datalek's service control policy denies
 * giving the role to such a stack at all (pipeline-scp.ts). The bootstrap's roles changed: `roleCalls`.
 */
export function deployTrustCalls(roleArns?: string): Record<string, unknown>[] {
  // Its ARN, with or without a path (short); this account's in any case (infra16), where `roleArns` is given.
  const executionRole = [{ wildcard: `*/${EXECUTION_ROLE_PREFIX}*` }, ...roleArnsInAnyCase(roleArns, EXECUTION_ROLE_PREFIX)];
  return [
    {
      source: ['aws.cloudformation'],
      detail: {
        eventName: STACK_ROLE_CALLS,
        requestParameters: { roleARN: executionRole, stackName: [{ 'anything-but': { prefix: STACK_NAME_PREFIX } }] },
      },
    },
    {
      source: ['aws.cloudcontrolapi'],
      detail: { eventName: ['CreateResource', 'UpdateResource', 'DeleteResource'], requestParameters: { roleArn: executionRole } },
    },
  ];
}

/** The roles of datalek's named other than `datalek-…`: each name matched as a prefix (`prefixes`: the member containment role, whose read role adds `-read`) or exactly. */
export interface OtherRoleNames {
  prefixes: string[];
  exactly: string[];
}

/**
 * IAM calls on datalek's roles, as the branches of one `detail` `$or` (`datalek-watch-roles`, infra15:
 * out of `datalek-watch-changes`, whose pattern neared 2,048 characters with a long role name):
 * - whoever makes them, those on the roles of datalek's CDK bootstrap (`cdk-datalek-…`): the
 *   execution role's trust (who may assume it: CloudFormation alone), its or the deploy role's
 *   policies (the deploy role may pass the execution role; its trust says who may deploy), a role
 *   deleted or made again; and a new default version of the bootstrap's managed policies
 *   (`cdk-datalek-…`: the execution policy, the bootstrap's boundary), which grants their roles
 *   anything with nothing attached (deploy12). Re-running `cdk bootstrap` makes them (announce it);
 *   the execution role itself may not change them unpaged either (257).
 * - by anyone but `byHandOf` (the deployment that makes datalek's roles: the central region's
 *   execution role), the same calls on a role named `datalek-…`: a function's (`datalek-*-function`,
 *   fgsec14 S1: a new trust makes its sessions anyone's, and the containment watch excuses a session of
 *   the contain function's role by its name, which the caller chooses; its policies or boundary are
 *   what the function may do), `DatalekIamForward`'s (`IAM_FORWARD_ROLE_NAME`: changed, it would stop
 *   forwarding anything, read12b B1; deployed from us-east-1, its own deployment pages too), the member
 *   stacks' (the containment role the contain function assumes there, its read role, the forwarding
 *   roles: their calls reach this bus as the member forwards IAM's calls; a member's deployment pages
 *   too); and on `others`, datalek's roles named otherwise: the on-call role (infra15: its sessions are
 *   excused by the containment watch, whatever its name), a member containment role so named. In any
 *   case (EventBridge's `equals-ignore-case`; IAM's names have none). A deployment that changes a
 *   function's grants no longer pages once for each role (infra15): it pages once per stack
 *   (`deployCalls`), and the service control policy denies these calls on `datalek-*-function` and the
 *   on-call role to all but the deployment and break-glass (pipeline-scp.ts), in the pipeline account.
 * IAM's calls reach EventBridge in us-east-1 only: seen where a pipeline region is us-east-1, or
 * forwarded from there (iam-forward-stack.ts).
 */
export function roleCalls(others: OtherRoleNames, byHandOf: Record<string, unknown>): Record<string, unknown>[] {
  const notDatalek = (name: string) => !name.toLowerCase().startsWith(DATALEK_ROLE_PREFIX);
  return [
    { eventName: BOOTSTRAP_ROLE_CHANGES, requestParameters: { roleName: iamNames([BOOTSTRAP_ROLE_PREFIX]) } },
    { eventName: BOOTSTRAP_POLICY_CHANGES, requestParameters: { policyArn: BOOTSTRAP_POLICY_ARNS.map((wildcard) => ({ wildcard })) } },
    {
      eventName: BOOTSTRAP_ROLE_CHANGES,
      requestParameters: {
        roleName: iamNames([DATALEK_ROLE_PREFIX, ...others.prefixes.filter(notDatalek)], [...new Set(others.exactly)].filter(notDatalek)),
      },
      userIdentity: byHandOf,
    },
    ...policyVersionChanges(byHandOf),
  ];
}

/** `roleCalls` as one EventBridge pattern. */
export function rolesWatchPattern(others: OtherRoleNames, byHandOf: Record<string, unknown>): Record<string, unknown> {
  return { source: ['aws.iam'], 'detail-type': ['AWS API Call via CloudTrail'], detail: { $or: roleCalls(others, byHandOf) } };
}

/**
 * IAM names as a call may spell them: IAM does not tell names apart by case (a role `cdk-datalek-…`
 * answers to `CDK-Datalek-…` as well; infra14), so EventBridge's `equals-ignore-case`, for the names
 * beginning with `prefixes` and those `exactly` so. Not for ARNs (`wildcard` has no such form):
 * whether IAM takes an ARN in another case is unconfirmed.
 */
export function iamNames(prefixes: string[], exactly: string[] = []): Record<string, unknown>[] {
  return [...prefixes.map((prefix) => ({ prefix: { 'equals-ignore-case': prefix } })), ...exactly.map((name) => ({ 'equals-ignore-case': name }))];
}

/**
 * An object written to a staging bucket of datalek's CDK bootstrap (`cdk-datalek-assets-…`: this
 * region's, or us-east-1's forwarded, iam-forward-stack.ts), by anyone: S3's `Object Created` event,
 * which datalek's bootstrap template turns on (bootstrap-template.ts). A zip or template put at the
 * key of a release's asset is what the next deploy hands to the execution role. The event names no
 * role, only the account (`requester`), so a deploy's own uploads match too: `datalek-watch-uploads`
 * puts each in the watch's queue with no message of its own (infra15: a routine deploy paged once per
 * asset), where the queue's depth and new-calls alarms page on them, once for a burst. Only this
 * account's buckets send events to its bus.
 */
export function stagingBucketObjects(): Record<string, unknown> {
  return { source: ['aws.s3'], detail: { bucket: { name: [{ prefix: STAGING_BUCKET_PREFIX }] } } };
}

/** `stagingBucketObjects` as one EventBridge pattern. */
export function uploadsWatchPattern(): Record<string, unknown> {
  return { 'detail-type': ['Object Created'], ...stagingBucketObjects() };
}

/**
 * The CloudTrail calls named `calls` on a staging bucket (fgsec14 S2): its settings changed
 * (`STAGING_BUCKET_CALL_PREFIXES`: one `PutBucketNotification` turns off every upload's page, and S3's
 * event is no call), by anyone (`cdk bootstrap`'s own too: announce it). Without `calls`, every call
 * naming the bucket, and its objects (`stagingBucketObjects`): the us-east-1 forward carries them all
 * (a pattern holds 2,048 characters) and the central rules read which.
 */
export function stagingBucketCalls(calls?: unknown[]): Record<string, unknown> {
  const named = { requestParameters: { bucketName: [{ prefix: STAGING_BUCKET_PREFIX }] } };
  if (calls) return { source: ['aws.s3'], detail: { eventName: calls, ...named } };
  const objects = stagingBucketObjects() as { detail: Record<string, unknown> };
  return { source: ['aws.s3'], detail: { $or: [objects.detail, named] } };
}

/**
 * A datalek stack changed, datalek's deployment given to someone else, a staging bucket's settings
 * changed; and, where alarms count a log (`logGroupPrefix`), their filters changed: one EventBridge
 * pattern.
 */
export function changesWatchPattern(props: Pick<PipelineWatchProps, 'logGroupPrefix'> & { roleArns?: string }): Record<string, unknown> {
  const calls = [
    deployCalls(),
    ...deployTrustCalls(props.roleArns),
    stagingBucketCalls(prefixes(STAGING_BUCKET_CALL_PREFIXES)),
    ...(props.logGroupPrefix ? [logMetricCalls(props.logGroupPrefix)] : []),
  ];
  return { 'detail-type': ['AWS API Call via CloudTrail'], $or: calls };
}

/**
 * The calls that would silence the watch rule and the by-hand rule: each sees the calls on the
 * other rules, and a rule does not see the call that disables it; a change of either rule's
 * pattern or targets by anyone but the deployment (`byHandOf`) as well.
 */
export function guardPattern(byHandOf: Record<string, unknown>): Record<string, unknown> {
  return { 'detail-type': ['AWS API Call via CloudTrail'], ...ruleCalls([WATCH_RULE_NAME, BY_HAND_RULE_NAME], byHandOf) };
}

/**
 * The calls a deployment makes too, made by anyone but datalek's deployment (`byHandOf`:
 * `notByDeployment`), as one EventBridge pattern: a datalek rule's pattern or targets, the bus
 * policy replaced, a datalek alarm put, a datalek topic's attributes, and, where they are, a
 * function's code or configuration, a secret's policy, a log metric filter, a table's policy; a
 * datalek queue's attributes (its retention, policy, key). Any AWS source (no account can put
 * one), with a call's fields: CloudTrail's.
 */
export function byHandPattern(
  props: Pick<PipelineWatchProps, 'rulePrefixes' | 'functionWildcards' | 'secretNamePrefix' | 'logGroupPrefix' | 'tablePrefix'> & {
    byHandOf: Record<string, unknown>;
    /** This account's role ARNs begin so (`arn:<partition>:iam::<account>:role/`): matched in any case too. */
    roleArns?: string;
    /** The pipeline's account: only its calls (`pipelineCallsOnly`). */
    account?: string;
  },
): Record<string, unknown> {
  const changes = [
    ruleChanges(props.rulePrefixes.map((prefix) => ({ prefix }))),
    busPolicyChanges(),
    alarmChanges([{ prefix: ALARM_NAME_PREFIX }]),
    topicChanges(`${ALARM_NAME_PREFIX}*`),
    queueChanges(),
    functionRoleGiven(props.roleArns),
  ];
  if (props.functionWildcards.length) changes.push(functionChanges(props.functionWildcards));
  if (props.secretNamePrefix) changes.push(secretChanges(props.secretNamePrefix));
  if (props.logGroupPrefix) changes.push(metricFilterChanges(props.logGroupPrefix));
  if (props.tablePrefix) changes.push(tablePolicyChanges(props.tablePrefix));
  return {
    source: [{ prefix: 'aws.' }],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: { ...pipelineCallsOnly(props.account), userIdentity: props.byHandOf, $or: changes },
  };
}

/**
 * Only the calls on the pipeline account's own resources (`recipientAccountId`, CloudTrail's
 * account of the call), where `account` is given. Member accounts forward their alarms' and
 * alarm topic's calls to the central bus (infra16), for `datalek-watch-paging` alone: their own
 * deployment puts `datalek-…` alarms by a role that is not the pipeline's deployment, and their
 * alarm topic has the central one's name, so a rule meant for the pipeline's own would page a
 * member's deploy "by hand" and a member's topic as the central alarm path cut (readE16 E1).
 */
export const pipelineCallsOnly = (account: string | undefined): Record<string, unknown> => (account ? { recipientAccountId: [account] } : {});

export class PipelineWatch extends Construct {
  public readonly rule: events.Rule;
  /** Watches the calls that keep pages and alarms from reaching on-call. */
  public readonly paging: events.Rule;
  /** Watches GuardDuty's protection plans and the CloudTrail trail. */
  public readonly sources: events.Rule;
  /** Watches `rule`: a rule does not see the call that disables it. */
  public readonly guard: events.Rule;
  /** Watches the datalek stacks (a deployment changes what the other rules trust) and the alarms' log metric filters. */
  public readonly changes: events.Rule;
  /** The matched calls, for on-call to read; its depth is the page. */
  public readonly queue: sqs.Queue;
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PipelineWatchProps) {
    super(scope, id);
    this.queue = eventQueue(this, 'Calls', props.key);
    // Datalek's deployment: its calls are excused where a deployment makes them (deploy-role.ts).
    const byHandOf = notByDeployment(deployRoleArn(this));
    // This account's roles by ARN, as a call may spell them in another case (infra16).
    const roleArns = `arn:${Stack.of(this).partition}:iam::${Stack.of(this).account}:role/`;
    // The watch rule watches the others (their names are `datalek-*`), and the guard the watch
    // rule: silencing them takes one call per rule, and the first pages.
    const rules = [
      ['Rule', 'calls that stop GuardDuty findings from reaching the pipeline', pipelineWatchPattern(props)],
      [
        'Paging',
        "calls that keep the pipeline's pages and alarms from reaching on-call, or change the secrets that sign its links and page",
        pagingWatchPattern(props),
      ],
      [
        'Sources',
        'calls that turn GuardDuty protection plans off, make or change a GuardDuty trusted IP or entity list (no findings for what it lists), archive GuardDuty findings by hand (a new one archived opens no incident), or stop or narrow a CloudTrail trail (the watch reads the trail)',
        sourcesWatchPattern(),
      ],
      ['Guard', `calls that would silence the ${WATCH_RULE_NAME} or ${BY_HAND_RULE_NAME} rule`, guardPattern(byHandOf)],
      [
        'Changes',
        "calls that change, delete or unprotect a datalek stack (a deployment: the other watch rules let its changes through; expect one for each stack of each deployment you announced), change who may deploy it (its execution role given to another stack, its staging bucket's settings), or delete the log metric filters (or log group) the contain function's alarms count",
        changesWatchPattern({ ...props, roleArns }),
      ],
      [
        'Register',
        `calls that lose the breach register's table or what recovers it (deleted, deletion protection or point-in-time recovery off, its policy removed, its tag naming the FG's role changed; its locked backup vault's lock, policy or recovery points), the ${EVENT_ARCHIVE_NAME} event archive (deleted or changed), or the messages of a datalek queue (a finding route's dead letters, this watch's own calls: purged, deleted or changed by hand)`,
        registerWatchPattern(props),
      ],
      [
        'ByHand',
        "calls that change a datalek rule, function (or its event sources), alarm, topic, secret, table or queue policy, log metric filter or the bus policy, or give a datalek function's role to a function, made by anyone but datalek's deployment (its CloudFormation execution role)",
        byHandPattern({ ...props, byHandOf, roleArns, account: Stack.of(this).account }),
      ],
      [
        'Roles',
        "calls that change the trust, policies or boundary of datalek's roles: its CDK bootstrap's (or their managed policies' versions), by anyone; a datalek function's, the member stacks', the IAM forward's or the on-call role's, by anyone but the deployment that makes them; a datalek managed policy's versions (a boundary), by anyone but the central deployment (a forward role's boundary, by anyone)",
        rolesWatchPattern(props.otherRoleNames, notByDeployment(deployRoleArnIn(this, props.rolesDeployedIn))),
      ],
      [
        'Uploads',
        "objects written to datalek's CDK staging bucket (a deploy's uploads: the next deploy runs what is there as its execution role); each waits in the queue, with no message of its own",
        uploadsWatchPattern(),
      ],
    ] as const;
    const whats = rules.map(([, what]) => what.replace(/^calls that/, 'a call that can'));
    const watchRules = rules.map(([id, what, pattern], i) => {
      const r = new events.Rule(this, id, {
        ruleName: WATCH_RULES[i].name,
        description: `datalek: ${what} (README, Deploy)`,
        // Set below: CDK's pattern type has no top-level $or.
        eventPattern: { source: ['aws.events'] },
      });
      (r.node.defaultChild as events.CfnRule).eventPattern = pattern;
      return r;
    });
    const [rule, paging, sources, guard, changes] = watchRules;
    this.rule = rule;
    this.paging = paging;
    this.sources = sources;
    this.guard = guard;
    this.changes = changes;
    // Not targets.SqsQueue: for an encrypted queue it lets EventBridge send for any rule. These
    // rules' only (EventBridge's "Cross-service confused deputy prevention": the rule's ARN).
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'WatchRulesOnly',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': watchRules.map((r) => r.ruleArn) } },
      }),
    );
    const queue = this.queue;
    const field = (path: string) => events.EventField.fromPath(path);
    watchRules.forEach((r, i) => {
      r.addTarget({ bind: () => ({ arn: queue.queueArn }) });
      // A call it matched but could not put in the queue (its policy or key broken) is no
      // message, and the depth alarm stays quiet: the rule's failed invocations page instead.
      onCallAlarm(this, `${r.node.id}UndeliveredAlarm`, {
        name: WATCH_RULES[i].undelivered,
        description: `datalek: the ${WATCH_RULES[i].name} rule matched a call that can silence the pipeline, and could NOT put it in its queue (the queue's policy or key changed?): look the call up in CloudTrail (Event history), put it right, then mend the queue`,
        metric: ruleMetric(r, 'FailedInvocations'),
        topic: props.alarmTopic,
      });
      // A deploy's uploads: no message each (infra15); the queue's new-calls alarm pages on them, once for a burst.
      if (!sendsMessages(WATCH_RULES[i])) return;
      // Each call also goes to the alarm topic at once, as a message of its own: an alarm acts
      // only when its state changes, so while one is raised a second call would page no one.
      // A deployment's names its stack (infra15: a routine deploy pages once per stack).
      const stack = WATCH_RULES[i].name === CHANGES_RULE_NAME ? ` (stack ${field('$.detail.requestParameters.stackName')})` : '';
      const page = (caller: string) =>
        `datalek WATCH: ${field('$.detail.eventName')}${stack} by ${caller} at ${field('$.time')} in ${field('$.region')} (account ${field('$.account')}), seen by ${WATCH_RULES[i].name}: ${whats[i]}. Look the event up in CloudTrail (Event history, by its id: who, from where, what exactly) or in the queue the datalek-${WATCH_ALARM_NAME} alarm names, put it right, and check GuardDuty for findings since (README, Deploy: When findings stop arriving).`;
      // A member account's calls: to the member-pages function, within its bound (member-pages.ts, deploy20).
      pageOnAlarmTopic(r, WATCH_RULES[i].name, page, props.alarmTopic, props.memberPages);
    });
    this.alarm = onCallAlarm(this, 'ChangedAlarm', {
      name: WATCH_ALARM_NAME,
      description:
        'datalek: a call was made that can stop GuardDuty findings from reaching the pipeline (a datalek rule disabled, deleted, emptied or changed by hand; the GuardDuty detector deleted, suspended or its publishing changed; members disassociated or leaving their administrator; a GuardDuty suppression rule, trusted IP or entity list, protection plan turned off or findings archived by hand; a CloudTrail trail stopped, deleted or narrowed; a datalek function stopped, deleted or changed by hand; a datalek stack deployed or deleted; the register table, archive or a queue emptied), or its pages and alarms from reaching you (a datalek alarm, topic, subscription, its filter or key; a new subscriber to a datalek topic; a datalek secret given another value or policy; the metric filters of the contain function). Read the messages of the queue this alarm names (each a CloudTrail event: the call, who, from where), put it right, check GuardDuty for findings since, then delete the messages: the alarm stays raised until then',
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      topic: props.alarmTopic,
    });
    // The pager reads CloudWatch's alarms: a new call after a quiet minute raises this one again,
    // whatever state the depth alarm is in.
    onCallAlarm(this, 'NewCallsAlarm', {
      name: NEW_CALLS_ALARM_NAME,
      description: `datalek: a new call was made that can stop GuardDuty findings from reaching the pipeline, or its pages and alarms from reaching you (each call also comes as its own "datalek WATCH" message on this topic). It raises again for every call after a quiet minute, while datalek-${WATCH_ALARM_NAME} stays raised until the queue is read. Read the messages of that queue (each a CloudTrail event: the call, who, from where), put it right, check GuardDuty for findings since, then delete the messages`,
      metric: this.queue.metricNumberOfMessagesSent({ period: Duration.minutes(1), statistic: 'Sum' }),
      topic: props.alarmTopic,
    });
  }
}
