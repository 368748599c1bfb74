/**
 * The synthesized rule patterns, run on moto's EventBridge (its TestEventPattern does not really match, so
 * each pattern gets a real rule with a queue as target, and the events are put on the bus).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateEventBusCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WATCH_RULE_PREFIX } from '../../infra/constructs/pipeline-watch.js';
import { registerWatchPattern } from '../../infra/constructs/register-guard.js';
import { IAM_FORWARD_ROLE_NAME } from '../../infra/deploy-role.js';
import { findingEvent } from '../support/events.js';
import { synthesizedApp } from '../support/infra.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { keyIdOf, resolveValue } from './cfn-resolve.js';
import { type BusEntry, routedByPattern } from './moto-rules.js';

const ACCOUNT = '111122223333';

/** A person's session, as CloudTrail names it: an assumed role's, with the role that issued it. */
const SOMEONE = {
  type: 'AssumedRole',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/someone`,
  accountId: ACCOUNT,
  sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/Admin`, accountId: ACCOUNT, userName: 'Admin' } },
};

const EVENTS = join(import.meta.dirname, '../../events');
/** CloudTrail management events as EventBridge delivers them, one per call (shaped after CloudTrail's record of each API). */
const CLOUDTRAIL = join(import.meta.dirname, 'cloudtrail');

/**
 * Which watch rules match each call, by region and rule: `central/pipeline` is the central
 * region's datalek-watch-pipeline, `central/alarm-path` the central datalek-watch-alarm-path
 * (which pages through the pages' topic), `forwarder/…` a forwarder region's (no datalek
 * functions, DatalekResponse rules or pages' topic there). A rule never sees the call that
 * disables it: another must.
 */
const WATCHED: Record<string, string[]> = {
  '01-disable-finding-rule.json': ['central/pipeline'],
  '02-delete-notify-rule-on-datalek-bus.json': ['central/pipeline'],
  '03-remove-targets-of-forward-rule.json': ['central/pipeline', 'forwarder/pipeline'],
  '04-put-rule-disabled.json': ['central/by-hand', 'central/pipeline'],
  '05-put-rule-enabled-by-a-deploy.json': [],
  '06-disable-another-teams-rule.json': [],
  '07-suspend-guardduty-detector.json': ['central/pipeline', 'forwarder/pipeline'],
  '08-enable-guardduty-detector.json': [],
  '09-delete-guardduty-detector.json': ['central/pipeline', 'forwarder/pipeline'],
  '10-publishing-frequency-six-hours.json': ['central/pipeline', 'forwarder/pipeline'],
  '11-disassociate-member.json': ['central/pipeline', 'forwarder/pipeline'],
  '12-suppression-rule-archives-findings.json': ['central/pipeline', 'forwarder/pipeline'],
  '13-filter-that-only-saves-a-view.json': [],
  '14-read-the-detector.json': [],
  '15-record-function-concurrency-zero-by-arn.json': ['central/by-hand'],
  // A forwarder region has no datalek functions: there it is any function's concurrency put back above 0 (containment-watch.ts).
  // In the central region a datalek function's concurrency changed by hand: fewer findings at once (review7 G6).
  '16-record-function-concurrency-five.json': ['central/by-hand', 'forwarder/containment'],
  '17-another-function-concurrency-zero.json': [],
  '18-delete-record-function.json': ['central/pipeline'],
  '19-remove-eventbridge-permission.json': ['central/pipeline'],
  '20-disable-the-watch-rule.json': ['central/alarm-path', 'central/guard', 'central/pipeline', 'forwarder/guard', 'forwarder/pipeline'],
  '21-disable-the-guard-rule.json': ['central/alarm-path', 'central/pipeline', 'forwarder/pipeline'],
  '22-delete-the-alarm-path-rule.json': ['central/alarm-path', 'central/pipeline', 'forwarder/pipeline'],
  '23-put-targets-on-the-watch-rule-by-hand.json': ['central/alarm-path', 'central/by-hand', 'central/guard', 'forwarder/by-hand', 'forwarder/guard'],
  '24-finding-rule-pattern-changed-by-hand.json': ['central/by-hand'],
  '25-disable-actions-of-a-datalek-alarm.json': ['central/paging', 'forwarder/paging'],
  '26-disable-actions-of-the-watch-alarm.json': ['central/alarm-path', 'central/paging', 'forwarder/paging'],
  '27-delete-datalek-alarms.json': ['central/paging', 'forwarder/paging'],
  '28-alarm-threshold-changed-by-hand.json': ['central/by-hand', 'forwarder/by-hand'],
  // Datalek's deployment, by its execution role in the central region (deploy-role.ts): excused there. The same call in a
  // forwarder region pages, for that region's stacks deploy with its own role (the forwarder's rules see it only there).
  '29-alarm-updated-by-a-deploy.json': ['forwarder/by-hand'],
  '30-another-teams-alarm-actions-disabled.json': [],
  '31-unsubscribe-from-the-alarm-topic.json': ['central/alarm-path', 'central/paging', 'forwarder/paging'],
  '32-pages-topic-policy-changed-by-hand.json': ['central/by-hand', 'forwarder/by-hand'],
  '33-delete-the-fg-topic.json': ['central/paging', 'forwarder/paging'],
  '34-unsubscribe-from-another-teams-topic.json': [],
  '35-topic-policy-set-by-a-deploy.json': ['forwarder/by-hand'],
  '36-disable-the-pipeline-key.json': ['central/paging'],
  '37-schedule-deletion-of-the-alarm-key-by-arn.json': ['central/alarm-path', 'central/paging'],
  '38-signing-key-policy-changed-by-hand.json': ['central/paging'],
  '39-disable-another-teams-key.json': [],
  '40-remove-the-member-bus-permission.json': ['central/pipeline', 'forwarder/pipeline'],
  '41-bus-policy-replaced-by-hand.json': ['central/by-hand', 'forwarder/by-hand'],
  // Every account let onto the default bus is read by every rule on it: its GuardDuty findings become incidents (review10 K5).
  '42-bus-permission-for-another-account.json': ['central/by-hand', 'forwarder/by-hand'],
  '43-protection-plans-off-detector-enabled.json': ['central/sources', 'forwarder/sources'],
  '44-runtime-agent-management-off.json': ['central/sources', 'forwarder/sources'],
  '45-data-sources-s3-logs-off.json': ['central/sources', 'forwarder/sources'],
  '46-protection-plan-turned-on.json': [],
  '47-member-detectors-malware-scan-off.json': ['central/sources', 'forwarder/sources'],
  '48-member-detectors-eks-audit-off.json': ['central/sources', 'forwarder/sources'],
  '49-organization-auto-enable-off.json': ['central/sources', 'forwarder/sources'],
  '50-organization-plan-auto-enable-off.json': ['central/sources', 'forwarder/sources'],
  '51-organization-auto-enable-all.json': [],
  '52-organization-legacy-auto-enable-false.json': ['central/sources', 'forwarder/sources'],
  '53-stop-logging-of-the-trail.json': ['central/sources', 'forwarder/sources'],
  '54-delete-the-trail.json': ['central/sources', 'forwarder/sources'],
  '55-trail-narrowed-to-one-region.json': ['central/sources', 'forwarder/sources'],
  '56-event-selectors-without-management-events.json': ['central/sources', 'forwarder/sources'],
  '57-start-logging-of-the-trail.json': [],
  // The secrets that sign and check acknowledgements and page on-call (review 5, S3): in the central region only.
  '58-put-a-link-key-by-hand.json': ['central/paging'],
  '59-delete-the-pager-secret-policy-by-arn.json': ['central/paging'],
  '60-webhook-secret-policy-set-by-a-deploy.json': [],
  '61-link-key-policy-replaced-by-hand.json': ['central/by-hand'],
  '62-link-key-current-version-moved.json': ['central/paging'],
  '63-read-the-link-key.json': [],
  '64-put-another-teams-secret.json': [],
  '65-pager-secret-deleted.json': ['central/paging'],
  // A datalek function's configuration, code or retries changed other than by a deploy (review7 G6).
  '66-record-function-policy-changed-by-hand.json': ['central/by-hand'],
  '67-contain-function-code-replaced-by-hand.json': ['central/by-hand'],
  '68-record-function-configuration-by-a-deploy.json': [],
  '69-notify-function-retries-off-by-hand.json': ['central/by-hand'],
  '70-record-function-concurrency-removed-by-hand.json': ['central/pipeline', 'forwarder/containment'],
  '71-another-function-configuration-changed.json': [],
  '72-anchor-function-invoke-config-updated-by-hand.json': ['central/by-hand'],
  // A new endpoint on a datalek topic gets every page and its acknowledgement link (review7 G14).
  '73-subscribe-an-endpoint-to-the-pages-topic.json': ['central/paging', 'forwarder/paging'],
  // A deployment's Subscribe pages too: CloudFormation's calls do not name their stack, and a stack of any name may subscribe (review8 B2).
  '74-subscribe-the-fg-by-a-deploy.json': ['central/paging', 'forwarder/paging'],
  '75-subscribe-to-another-teams-topic.json': [],
  // A deletion pages whoever makes it: a stack update that drops a function stops findings too (last read Z5).
  '76-record-function-deleted-by-a-stack-update.json': ['central/pipeline'],
  // A deployment changes what every other rule trusts: each pages, with who deployed (whose stack, by name or ARN).
  '77-deploy-the-response-stack.json': ['central/changes', 'forwarder/changes'],
  '78-delete-the-state-stack-by-arn.json': ['central/changes', 'forwarder/changes'],
  // A change set executed by its ARN alone names no stack: it pages, as a deployment of an unknown stack.
  '79-execute-a-change-set-by-its-arn.json': ['central/changes', 'forwarder/changes'],
  '80-termination-protection-off-the-state-stack.json': ['central/changes', 'forwarder/changes'],
  '81-deploy-another-teams-stack.json': [],
  // `cdk diff` makes change sets: only executing one changes anything.
  '82-change-set-made-by-cdk-diff.json': [],
  '83-describe-the-response-stack.json': [],
  // A subscription filtered to nothing, or a topic's data protection policy, silences it with no failed delivery (review8 F1).
  '84-filter-policy-on-the-pages-subscription.json': ['central/paging', 'forwarder/paging'],
  '85-filter-policy-on-the-alarm-topic-subscription.json': ['central/alarm-path', 'central/paging', 'forwarder/paging'],
  '86-data-protection-policy-on-the-fg-topic.json': ['central/paging', 'forwarder/paging'],
  '87-filter-policy-on-another-teams-subscription.json': [],
  // A trusted list stops the findings at the source (review8 F2).
  '88-trusted-ip-list-made.json': ['central/sources', 'forwarder/sources'],
  '89-trusted-ip-list-changed.json': ['central/sources', 'forwarder/sources'],
  '90-trusted-entity-list-made.json': ['central/sources', 'forwarder/sources'],
  '91-threat-list-read.json': [],
  // The log metric filters two alarms count, in the central region where the contain function logs (review8 F5).
  '92-metric-filter-of-the-exposed-alarm-deleted.json': ['central/changes'],
  '93-metric-filter-rewritten-by-hand.json': ['central/by-hand'],
  '94-metric-filter-put-by-a-deploy.json': [],
  '95-contain-log-group-deleted.json': ['central/changes'],
  '96-another-teams-log-group-deleted.json': [],
  // A datalek alarm's actions turned off pages whoever does it: a stack of another name may put it (review8 B2).
  '97-alarm-actions-off-by-another-stacks-deploy.json': ['central/by-hand', 'central/paging', 'forwarder/by-hand', 'forwarder/paging'],
  // A key's policy put by a deployment pages as well (the pattern has no room to excuse it; the deployment pages anyway).
  '98-pipeline-key-policy-put-by-a-deploy.json': ['central/paging'],
  // A key of someone's own on the contain function's log group, then disabled, stops its events (review8 last read B4).
  '99-key-put-on-the-contain-log-group.json': ['central/changes'],
  // A statement taken out of a datalek topic's policy by its label (its Sid) is the policy replaced by hand (review9 K1):
  // no datalek alarm, no watch rule or no alarm path may publish; a statement added lets anyone named publish fake pages.
  '120-alarms-publish-permission-removed-from-the-alarm-topic.json': ['central/alarm-path', 'central/paging', 'forwarder/paging'],
  '121-watch-rules-publish-permission-removed-from-the-alarm-topic.json': ['central/alarm-path', 'central/paging', 'forwarder/paging'],
  '122-alarm-path-permission-removed-from-the-pages-topic.json': ['central/paging', 'forwarder/paging'],
  '123-another-account-may-publish-to-the-fg-topic.json': ['central/paging', 'forwarder/paging'],
  '124-permission-removed-from-another-teams-topic.json': [],
  // The breach register's tables stripped of what recovers them, or deleted (review9 S1): whoever does it, a deployment too
  // (but its own resource policy put); the table's other changes do not page. In the central region, where they are.
  '130-point-in-time-recovery-of-the-register-off.json': ['central/register'],
  '131-deletion-protection-of-the-register-off.json': ['central/register'],
  '132-register-table-deleted-by-arn.json': ['central/register'],
  '133-register-table-policy-deleted.json': ['central/register'],
  '134-register-table-policy-put-by-a-deploy.json': [],
  '135-idempotency-table-point-in-time-recovery-period-cut.json': ['central/register'],
  '136-register-table-capacity-changed.json': [],
  '137-another-teams-table-deleted.json': [],
  // The register's tag that names the FG's role changed or removed (fgrole, session 27): whose sessions record the FG's
  // decisions; a deployment changing fgRole pages too. Another tag does not page.
  '305-fg-role-tag-of-the-register-changed.json': ['central/register'],
  '306-fg-role-tag-of-the-register-removed.json': ['central/register'],
  '307-register-tagged-for-cost.json': [],
  // The event archive kept with the register, deleted or its retention cut.
  '140-event-archive-deleted.json': ['central/register'],
  '141-event-archive-retention-cut-to-a-day.json': ['central/register'],
  '142-another-teams-archive-deleted.json': [],
  // A datalek queue emptied: a finding route's dead letters (the failed findings' only copy), the watch's own calls
  // (purging them lowers datalek-pipeline-changed); every region has queues. A queue's name begins with its stack's.
  '145-finding-dead-letters-purged.json': ['central/register', 'forwarder/register'],
  '146-watch-queue-purged.json': ['central/register', 'forwarder/register'],
  '147-forwarder-dead-letters-deleted.json': ['central/register', 'forwarder/register'],
  '148-watch-queue-retention-cut-by-hand.json': ['central/by-hand', 'forwarder/by-hand'],
  '149-queue-attributes-set-by-a-deploy.json': ['forwarder/by-hand'],
  '150-another-teams-queue-purged.json': [],
  // The deploy excuse is datalek's own CloudFormation execution role (bootstrap qualifier `datalek`), by the session's
  // issuer: not CloudFormation as such. Another stack's deployment (the account's shared bootstrap), a deployment with
  // the deployer's own credentials (an assumed role or an IAM user) and a session merely named like the role page.
  '151-forward-rule-pattern-put-by-another-stacks-deploy.json': ['central/by-hand', 'forwarder/by-hand'],
  '152-watch-alarm-threshold-put-by-a-deploy-without-a-role.json': ['central/alarm-path', 'central/by-hand', 'forwarder/by-hand'],
  '153-queue-attributes-set-by-an-iam-users-deploy.json': ['central/by-hand', 'forwarder/by-hand'],
  '160-function-code-by-a-session-named-like-the-execution-role.json': ['central/by-hand'],
  // What would make another principal datalek's deployment: the bootstrap roles' trust or policies changed (IAM's calls
  // reach EventBridge in us-east-1 only: datalek-watch-roles, infra15), or datalek's execution role given to a stack of
  // another name (by name or ARN).
  '154-datalek-execution-role-trust-changed.json': ['central/roles', 'forwarder/roles'],
  '155-datalek-deploy-role-policy-put.json': ['central/roles', 'forwarder/roles'],
  '156-datalek-execution-role-passed-to-another-stack.json': ['central/changes', 'forwarder/changes'],
  '157-datalek-execution-role-passed-to-a-stack-by-arn.json': ['central/changes', 'forwarder/changes'],
  // A datalek stack's own change set (cdk diff, or a deploy: its execution pages) and the shared bootstrap's roles do not.
  '158-datalek-stack-change-set-with-its-execution-role.json': [],
  '159-shared-bootstrap-execution-role-trust-changed.json': [],
  // A stack named Datalek… created with datalek's execution role (anyone who may assume the bootstrap's deploy role, or pass
  // the role) makes every call of that stack the deployment's, excused: it pages (read11b B1). `cdk deploy` creates a stack by a
  // change set (82 does not page, its execution 77 does), so a normal deploy pages as it did.
  '161-datalek-named-stack-created-with-its-execution-role.json': ['central/changes', 'forwarder/changes'],
  // A new default version of a managed policy of datalek's bootstrap (the execution policy given to `cdk bootstrap
  // --cloudformation-execution-policies`, named `cdk-datalek-…`; the bootstrap's boundary) grants its roles anything
  // with nothing attached (deploy12); by its ARN with or without a path. Another team's policy does not page.
  '162-execution-policy-new-default-version.json': ['central/roles', 'forwarder/roles'],
  '163-bootstrap-boundary-default-version-set-by-path.json': ['central/roles', 'forwarder/roles'],
  '164-another-teams-policy-new-version.json': [],
  // A stack of another name keeps the role it was given for every later update that names none: no rule can tell
  // that update from another team's (deploy12). datalek's service control policy denies giving it the role at all
  // (pipeline-scp.ts, DatalekExecutionRoleOnlyForDatalekStacks); giving it pages (156, 157).
  '165-update-of-another-stack-naming-no-role.json': [],
  // An object written to a staging bucket of datalek's bootstrap (S3's own event, which datalek's bootstrap template turns
  // on): a zip or template at the key of a release's asset is what the next deploy runs as the execution role (deploy12).
  // By anyone (the event names the account, not the role): a deploy's uploads are in the queue too, by datalek-watch-uploads,
  // which sends no message of its own per object (infra15: a routine deploy paged once per asset); the queue's new-calls
  // alarm pages on them, once for a burst. us-east-1's come forwarded.
  '166-zip-put-in-the-staging-bucket.json': ['central/uploads', 'forwarder/uploads'],
  '167-object-put-in-another-teams-bucket.json': [],
  '168-template-copied-into-the-staging-bucket.json': ['central/uploads', 'forwarder/uploads'],
  // A permission added to a datalek function lets an account outside the organisation invoke it, past every SCP (review10 K4):
  // it pages unless the deployment adds it (the stack's EventBridge and URL permissions), as the functions' other changes.
  '170-outside-account-may-invoke-the-acknowledge-function.json': ['central/by-hand'],
  '171-outside-account-may-invoke-the-record-function-by-arn.json': ['central/by-hand'],
  '172-eventbridge-permission-added-by-a-deploy.json': [],
  '173-permission-added-to-another-teams-function.json': [],
  // The default bus named or not (a call without a bus name is the default's); another team's bus alone (review10 K5).
  '174-outside-account-may-put-events-on-the-default-bus-unnamed.json': ['central/by-hand', 'forwarder/by-hand'],
  '175-outside-account-may-put-events-on-the-default-bus-by-arn.json': ['central/by-hand', 'forwarder/by-hand'],
  '176-permission-on-another-teams-bus.json': [],
  // A new finding archived by hand before its first publication reaches EventBridge opens nothing (fgsec11's "Also seen"): by anyone.
  '177-new-findings-archived-by-hand.json': ['central/sources', 'forwarder/sources'],
  '178-findings-unarchived.json': [],
  // kfix11's follow-up: a security group's datalek: tags changed or deleted, by anyone (datalek tags
  // its groups only as it creates them): datalek would no longer recognise its isolation group.
  '184-datalek-tag-deleted-from-a-security-group.json': ['central/group-tags', 'forwarder/group-tags'],
  '185-datalek-tag-changed-on-a-security-group.json': ['central/group-tags', 'forwarder/group-tags'],
  // DeleteTags without tags deletes them all.
  '186-every-tag-deleted-from-a-security-group.json': ['central/group-tags', 'forwarder/group-tags'],
  // Datalek's own tags are on instances (and snapshots, AMIs), never on groups; other tags on a group change nothing.
  '187-instance-tagged-by-the-contain-function.json': [],
  '188-another-tag-on-a-security-group.json': [],
  // review11 K5: a function made, or another function's configuration changed, with a datalek function's role runs as
  // datalek's (containment undone in every member account, pages forged): by anyone but the deployment, whatever its name.
  '210-function-of-ones-own-given-the-contain-role.json': ['central/by-hand', 'forwarder/by-hand'],
  '211-another-functions-configuration-given-the-notify-role.json': ['central/by-hand', 'forwarder/by-hand'],
  '212-function-named-like-dataleks-given-the-anchor-role.json': ['central/by-hand', 'forwarder/by-hand'],
  '213-contain-function-created-by-a-deploy.json': ['forwarder/by-hand'],
  '214-another-teams-function-created.json': [],
  // fgsec12 S2: every UpdateFilter (a suppression rule's criteria widened or its rank changed names no action), and
  // Malware Protection's own settings: an S3 bucket's plan deleted or narrowed, EC2 scans excluding instances by tag.
  // Reading a plan, or deleting a suppression rule (fewer findings archived), does not page.
  '215-suppression-rule-widened-naming-no-action.json': ['central/pipeline', 'forwarder/pipeline'],
  '216-suppression-rule-ranked-first.json': ['central/pipeline', 'forwarder/pipeline'],
  '217-s3-malware-protection-plan-deleted.json': ['central/pipeline', 'forwarder/pipeline'],
  '218-s3-malware-protection-plan-narrowed.json': ['central/pipeline', 'forwarder/pipeline'],
  '219-ec2-malware-scans-exclude-a-tag.json': ['central/pipeline', 'forwarder/pipeline'],
  '220-s3-malware-protection-plan-read.json': [],
  '221-suppression-rule-deleted.json': [],
  // infra14: a fixed-name datalek-* managed policy (a role's boundary) loosened by a new default version, an older one
  // made default, or a version deleted, by anyone but the deployment (it updates a boundary so). IAM's calls reach
  // EventBridge in us-east-1 alone: forwarded from there (iam-forward-stack.ts). Another team's policy does not page.
  // infra16: in datalek-watch-roles, which excuses the central region's deployment in every region: a central deploy's
  // boundary update paged in a forwarder region (where us-east-1 is one, its rules see IAM's calls).
  '222-contain-boundary-loosened-by-a-new-default-version.json': ['central/roles', 'forwarder/roles'],
  '223-link-boundary-older-version-made-default.json': ['central/roles', 'forwarder/roles'],
  '224-contain-boundary-version-deleted.json': ['central/roles', 'forwarder/roles'],
  '225-contain-boundary-version-put-by-a-deploy.json': [],
  '226-another-teams-policy-version-deleted.json': [],
  // infra14: IAM's names are not distinguished by case (a role named cdk-datalek-… answers to CDK-Datalek-… too), so a
  // call naming a bootstrap role, or DatalekIamForward's, in another case pages as well (EventBridge's equals-ignore-case).
  '227-execution-role-trust-changed-naming-it-in-another-case.json': ['central/roles', 'forwarder/roles'],
  '228-iam-forward-role-boundary-naming-it-in-another-case.json': ['central/roles', 'forwarder/roles'],
  // fgsec14 S1: a datalek function's role given a new trust (a session of the contain role named DatalekResponse-* is
  // excused by the containment watch, and the caller names the session) or policy, by anyone but the deployment that
  // makes the function roles (infra15: the central region's datalek execution role; a routine deploy paged once per
  // role it changed, and pages once per stack, 77). Any role named datalek-…: the member stacks' roles too, whose calls
  // reach the central region as member accounts forward them. Another team's role does not.
  '240-contain-function-role-trust-changed.json': ['central/roles', 'forwarder/roles'],
  '241-notify-function-role-policy-put-by-a-deploy.json': [],
  '242-member-containment-role-boundary-deleted.json': ['central/roles', 'forwarder/roles'],
  '243-another-teams-function-role-trust-changed.json': [],
  // fgsec14 S2: the staging bucket's page rests on its own notification setting, which one call turned off unpaged (S3's
  // Object Created names the bucket, a CloudTrail call does not carry that field): its settings changed page, whoever
  // makes the call (cdk bootstrap's too). Reading them does not, nor another team's bucket.
  '244-staging-bucket-notifications-turned-off.json': ['central/changes', 'forwarder/changes'],
  '245-staging-bucket-policy-deleted.json': ['central/changes', 'forwarder/changes'],
  '246-staging-bucket-lifecycle-put.json': ['central/changes', 'forwarder/changes'],
  '247-staging-bucket-location-read.json': [],
  '248-another-teams-bucket-notifications-turned-off.json': [],
  // An event source mapping from a queue of one's own to a datalek function (review12 attack's note): Lambda hands the
  // function what the queue holds. The stacks make none: by anyone but the deployment, it pages.
  '249-queue-of-ones-own-mapped-to-the-record-function.json': ['central/by-hand'],
  '250-another-teams-queue-mapped-to-its-function.json': [],
  // infra15: the on-call role's trust, policies or boundary changed (its sessions are excused by the containment watch),
  // whatever its name (oncall-engineers here), in any case.
  '251-on-call-role-trust-changed.json': ['central/roles', 'forwarder/roles'],
  '252-on-call-role-policy-attached-naming-it-in-another-case.json': ['central/roles', 'forwarder/roles'],
  '253-on-call-role-boundary-deleted.json': ['central/roles', 'forwarder/roles'],
  // infra15: only the deployment that makes the function roles is excused (the central region's datalek execution role),
  // not the shared bootstrap's, not another region's datalek deployment; and never on the bootstrap's own roles.
  '254-contain-function-role-policy-put-by-the-shared-bootstraps-deploy.json': ['central/roles', 'forwarder/roles'],
  '255-contain-function-role-trust-changed-by-another-regions-datalek-deploy.json': ['central/roles', 'forwarder/roles'],
  '256-contain-function-role-boundary-put-by-the-deploy.json': [],
  '257-execution-role-policy-put-by-the-execution-role-itself.json': ['central/roles', 'forwarder/roles'],
  // contain15: an isolation drains the instance's ECS container instance, so ECS places no task there (a task's own
  // interface, in its own groups, would put the instance back on the network). Setting it ACTIVE again, or a StartTask
  // (which names its instances), pages, for any instance, by anyone but datalek's sessions (a release runs as on-call).
  // Draining, a failed call, and RunTask (it names a cluster; the scheduler skips a draining instance) do not.
  '260-isolated-container-instance-set-active-by-hand.json': ['central/ecs-placement', 'forwarder/ecs-placement'],
  '261-task-started-on-a-named-container-instance.json': ['central/ecs-placement', 'forwarder/ecs-placement'],
  '262-container-instance-set-active-by-a-release-as-on-call.json': [],
  '263-container-instance-drained-for-maintenance.json': [],
  '264-task-run-in-a-cluster.json': [],
  '265-container-instance-set-active-refused.json': [],
  // attack16: datalek's sessions are excused only for what datalek calls (UpdateContainerInstancesState); a StartTask
  // as the contain function (whose sessions K1 showed can be worn) pages like anyone's.
  '266-task-started-on-a-named-container-instance-by-the-contain-function.json': ['central/ecs-placement', 'forwarder/ecs-placement'],
  // infra16: each region's rules excused their own region's deployment for every datalek policy: where us-east-1 is a
  // forwarder region, its deployment rewrote the central boundaries unpaged. Now only the central deployment, for the
  // central policies; a forward role's boundary pages whoever versions it (its own region's deployment too: a pattern
  // cannot pair a deployment with its region's policy, and the forward statement changes seldom).
  '270-contain-boundary-version-put-by-a-forwarder-regions-deploy.json': ['central/roles', 'forwarder/roles'],
  '271-forward-boundary-version-put-by-the-central-deploy.json': ['central/roles', 'forwarder/roles'],
  '272-forward-boundary-version-put-by-its-own-regions-deploy.json': ['central/roles', 'forwarder/roles'],
  // infra16: a console password set anew keeps the login profile's creation date, which is all drift reads: a contained
  // user's password reset was unseen. Any user's (no event says which are contained); a user's own ChangePassword is not.
  '273-console-password-set-anew-for-a-user.json': ['central/containment-iam', 'forwarder/containment-iam'],
  '274-users-own-password-changed.json': [],
  // infra16: the register's locked backup vault (opt-in): its deletion, its lock removed or changed, its access policy
  // (which denies deleting recovery points) replaced, by anyone; in the central region, where it is. Another team's not.
  '275-register-backup-vault-lock-removed.json': ['central/register'],
  '276-register-backup-vault-deleted.json': ['central/register'],
  '277-register-backup-vault-access-policy-replaced.json': ['central/register'],
  '278-another-teams-backup-vault-lock-removed.json': [],
  // readE16 E2: its backups stopped without touching the vault: the plan or its selection deleted, the plan rewritten, the
  // account's DynamoDB opt-in changed. Their calls name only the plan's id: every one, whoever, in the central region.
  '283-register-backup-plan-deleted.json': ['central/register'],
  '284-register-backup-plan-rewritten.json': ['central/register'],
  '285-register-backup-selection-deleted.json': ['central/register'],
  '286-backup-dynamodb-opt-in-changed.json': ['central/register'],
  // infra16: a role's ARN in another case (IAM does not tell role names apart by case): a datalek function's role given to a
  // function, datalek's execution role given to a stack of another name, as 210 and 156 (this account's roles, no path).
  '279-function-given-the-contain-role-naming-it-in-another-case.json': ['central/by-hand', 'forwarder/by-hand'],
  '280-execution-role-passed-to-another-stack-naming-it-in-another-case.json': ['central/changes', 'forwarder/changes'],
  // readE16 E1: members forward their us-east-1 alarms' and alarm topic's calls (infra16) for datalek-watch-paging alone. A
  // member's own deployment of its alarms is not the pipeline's alarm changed by hand, and its alarm topic (named as the
  // central one) cut is not the central alarm path cut: it pages as the member's, by the paging rule.
  '281-member-deploy-puts-its-own-alarm.json': [],
  '282-member-unsubscribes-from-its-own-alarm-topic.json': ['central/paging', 'forwarder/paging'],
  // infra17: datalek's drain mark (datalek.drained-by) on a container instance, which a retry and a release read: put (a forged
  // mark makes a retry take an instance drained by someone else as its own) or deleted by anyone but datalek's sessions. The
  // contain function's own, and another attribute, do not page.
  '287-drain-mark-forged-on-a-container-instance.json': ['central/ecs-placement', 'forwarder/ecs-placement'],
  '288-drain-mark-deleted-by-hand.json': ['central/ecs-placement', 'forwarder/ecs-placement'],
  '289-drain-mark-put-by-the-contain-function.json': [],
  '290-another-attribute-put-on-a-container-instance.json': [],
  // contain21: a drained container instance deregistered and its EC2 instance registered again is a new container instance,
  // ACTIVE, that no record names. The ECS agent registers with the instance's own role credentials, which CloudTrail marks
  // ec2RoleDelivery (delivered by the instance metadata service; no AssumeRole can set it): a registration without it (a
  // person, a role session named as the instance) pages; the agent's, at every launch, does not.
  '291-container-instance-registered-by-a-person.json': ['central/ecs-placement', 'forwarder/ecs-placement'],
  '292-container-instance-registered-by-a-session-named-as-the-instance.json': ['central/ecs-placement', 'forwarder/ecs-placement'],
  '293-container-instance-registered-by-its-ec2-agent.json': [],
  // sec25: a user or role tagged datalek:protected, which containment never writes on (a role that tags itself refuses its own
  // containment), or the tag taken off; in any case of the key, on creation too. Not another key, nor a call IAM refused.
  '294-role-tags-itself-datalek-protected.json': ['central/protected-tag', 'forwarder/protected-tag'],
  '295-datalek-protected-taken-off-a-user.json': ['central/protected-tag', 'forwarder/protected-tag'],
  '296-role-created-tagged-datalek-protected-in-another-case.json': ['central/protected-tag', 'forwarder/protected-tag'],
  '297-user-tagged-datalek-protected.json': ['central/protected-tag', 'forwarder/protected-tag'],
  '298-role-tagged-another-key.json': [],
  '299-role-tagging-datalek-protected-refused.json': [],
  // sec26: the datalek bus's statement that refuses its events to all but its publishing functions removed (as the
  // member statement of the default bus), or the bus's policy put by hand, by its name or ARN: anyone of the account
  // could then drive the notify and contain functions with events of their own.
  '300-own-events-statement-removed-from-the-datalek-bus.json': ['central/pipeline', 'forwarder/pipeline'],
  '301-datalek-bus-policy-replaced-by-hand.json': ['central/by-hand', 'forwarder/by-hand'],
  '302-datalek-bus-policy-replaced-by-hand-by-arn.json': ['central/by-hand', 'forwarder/by-hand'],
  // sec26: the FG's own role writes the register as the on-call role does: its trust changed pages alike, whatever its name.
  '303-fg-role-trust-changed.json': ['central/roles', 'forwarder/roles'],
  // sec26: the datalek bus's statement that refuses changes to its rules to all but the deployment and break-glass, removed.
  '304-own-rules-statement-removed-from-the-datalek-bus.json': ['central/pipeline', 'forwarder/pipeline'],
};

/** The watch rules by their short name (`datalek-watch-<short>`). */
const short = (ruleName: string) => ruleName.replace(WATCH_RULE_PREFIX, '');

/** Which events/ inputs the GuardDuty rule routes: `detail-type` GuardDuty Finding and severity >= 4 as a number. */
const ROUTED_BY_FINDING_RULE: Record<string, boolean> = {
  '01-ec2-backdoor-command-and-control-high.json#0': true,
  '02-ec2-backdoor-command-and-control-update-count-3.json#0': true,
  '03-ec2-backdoor-command-and-control-duplicate-delivery.json#0': true,
  '04-ec2-backdoor-command-and-control-late-older-version.json#0': true,
  '05-ec2-same-instance-bitcoin-tool-attached.json#0': true,
  '06-iam-instance-credentials-used-outside-aws-assumed-role.json#0': true,
  '07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json#0': true,
  '08-s3-bucket-made-public-anonymous-access.json#0': true,
  '09-s3-anomalous-reads-medium-notify-only.json#0': true,
  '10-eks-cluster-anonymous-access-granted.json#0': true,
  '11-rds-successful-brute-force-login-delegated-admin.json#0': true,
  '12-lambda-bitcoin-mining-envelope-without-account.json#0': true,
  '13-runtime-reverse-shell-on-instance-without-profile.json#0': true,
  '14-attack-sequence-s3-compromised-data-critical-9.5.json#0': true,
  '15-malware-protection-ebs-scan-malicious-file.json#0': true,
  '16-ec2-ssh-brute-force-target-low-severity.json#0': false, // severity 2
  '17-archived-port-probe-finding.json#0': true, // routed; the handler ignores it as archived
  '18-sample-finding-from-generate-sample-findings.json#0': true,
  '19-unknown-future-finding-type-and-resource.json#0': true,
  '20-not-a-finding-malware-object-scan-result.json#0': false, // another detail-type
  '21-malformed-severity-is-a-string.json#0': false, // "8" is a string: numeric matching refuses it
  '25-batch-of-two-ecs-and-container-runtime-findings.json#0': true,
  '25-batch-of-two-ecs-and-container-runtime-findings.json#1': true,
  '26-iam-user-temporary-credentials-anomalous-high.json#0': true,
  '27-federated-user-anomalous-exfiltration.json#0': true,
  '28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents.json#0': true,
  '29-ec2-tor-client-outbound-reported-as-target.json#0': true,
  '30-ec2-emr-port-probe-high-instance-only-probed.json#0': true,
  '31-ecs-fargate-task-crypto-miner-runtime.json#0': true,
  '32-eks-worker-node-runtime-reverse-shell.json#0': true,
  '33-lambda-function-tor-client.json#0': true,
  '34-s3-exfiltration-through-long-term-key-private-bucket.json#0': true,
  '35-s3-object-malware-upload.json#0': true,
  '36-backup-ebs-snapshot-malware.json#0': true,
  '37-backup-ami-malware.json#0': true,
  '38-backup-s3-recovery-point-malware.json#0': true,
  '39-critical-sequence-with-empty-strings-in-unused-blocks.json#0': true,
  '40-low-port-probe-on-instance-with-open-incident.json#0': false, // severity 2
};

/** The events/ inputs that can be put on a bus at all (envelopes), by `<file>#<index>`. */
function busEvents(): Map<string, { source: string; 'detail-type': string; detail: unknown }> {
  const out = new Map();
  for (const file of readdirSync(EVENTS).filter((f) => f.endsWith('.json'))) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(join(EVENTS, file), 'utf8'));
    } catch {
      continue; // not JSON: nothing to put
    }
    [value].flat().forEach((e, i) => {
      const ev = e as Record<string, unknown>;
      if (typeof ev.source === 'string' && typeof ev['detail-type'] === 'string' && ev.detail) out.set(`${file}#${i}`, ev);
    });
  }
  return out;
}

describe.skipIf(!MOTO_AVAILABLE)('the synthesized rule patterns on moto', () => {
  let moto: Moto;
  const patterns: Record<string, unknown> = {};
  /** The watch rules' patterns as deployed, by `<where>/<short name>`. */
  const watchPatterns: Record<string, unknown> = {};
  /** The watch rules' messages to the alarm topic (their InputTransformer), by `<where>/<short name>`. */
  const watchMessages: Record<string, { InputPathsMap: Record<string, string>; InputTemplate: string }> = {};
  /** The rules of the stack forwarding IAM's calls from us-east-1 (iam-forward-stack.ts), by name. */
  const iamPatterns: Record<string, unknown> = {};
  /** That stack's roles' names (`RoleName`). */
  const iamForwardRoleNames: unknown[] = [];
  /** The values the CloudTrail files name the stack's keys by. */
  const placeholders: Record<string, string> = {};

  beforeAll(async () => {
    moto = await startMoto();
    const { stateful, response, forwarders, iamForward } = synthesizedApp({
      region: 'eu-west-1',
      forwardFrom: 'eu-north-1',
      breakGlassRole: 'datalek-break-glass',
      // Not named datalek-…: its role's changes page by its name (infra15).
      onCallRole: 'oncall-engineers',
      // Nor the FG's (sec26).
      fgRole: 'privacy-office-fg',
      // The locked backup vault (opt-in), whose plan's calls page only where it is deployed.
      backupVaultLock: 'true',
    });
    const state = Template.fromStack(stateful);
    for (const [where, stack, region] of [
      ['central', stateful, 'eu-west-1'],
      ['central', response, 'eu-west-1'],
      ['forwarder', forwarders[0], 'eu-north-1'],
    ] as const) {
      const t = Template.fromStack(stack);
      for (const [id, rule] of Object.entries(t.findResources('AWS::Events::Rule'))) {
        if (!rule.Properties.EventPattern) continue;
        // As CloudFormation deploys it: the keys' ids and the account in place of their tokens.
        const pattern = resolveValue(rule.Properties.EventPattern, t, { account: ACCOUNT, region, exporters: [state] });
        const name = String(rule.Properties.Name ?? '');
        if (name.startsWith(WATCH_RULE_PREFIX)) {
          watchPatterns[`${where}/${short(name)}`] = pattern;
          const message = (rule.Properties.Targets as { InputTransformer?: unknown }[]).find((target) => target.InputTransformer);
          if (message) watchMessages[`${where}/${short(name)}`] = message.InputTransformer as (typeof watchMessages)[string];
        } else patterns[id] = pattern;
      }
    }
    const iam = Template.fromStack(iamForward as NonNullable<typeof iamForward>);
    for (const rule of Object.values(iam.findResources('AWS::Events::Rule')))
      iamPatterns[rule.Properties.Name] = resolveValue(rule.Properties.EventPattern, iam, { account: ACCOUNT, region: 'us-east-1', exporters: [] });
    for (const role of Object.values(iam.findResources('AWS::IAM::Role'))) iamForwardRoleNames.push(role.Properties.RoleName);
    const keyId = (key: IConstruct) => keyIdOf(stateful.getLogicalId(key.node.defaultChild as CfnElement), 'eu-west-1');
    placeholders.pipelineKeyId = keyId(stateful.key);
    placeholders.alarmKeyArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${keyId(stateful.alarmKey)}`;
    placeholders.signingKeyId = keyId(stateful.digests.signingKey);
    // Moto and three stacks synthesized: over a minute on a loaded machine.
  }, 300_000);
  afterAll(async () => moto?.stop());

  /** Each pattern's rule on one bus, every entry put once: the ids each rule's queue got, by the patterns' keys. */
  const routed = (name: string, byKey: Record<string, unknown>, entries: BusEntry[], arrays = false) => routedByPattern(moto, name, byKey, entries, arrays);
  const only = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, patterns[id]]));

  const findingRuleIds = () => Object.keys(patterns).filter((id) => JSON.stringify(patterns[id]).includes('GuardDuty Finding'));

  it('has the GuardDuty rule in the central region and in the forwarder', () => {
    expect(findingRuleIds()).toHaveLength(2);
  });

  it('routes exactly the documented events/ files, in both rules', async () => {
    const entries = [...busEvents()].map(([id, e]) => ({ id, source: e.source, detailType: e['detail-type'], detail: e.detail }));
    expect(entries.map((e) => e.id).sort()).toEqual(Object.keys(ROUTED_BY_FINDING_RULE).sort());
    const expected = Object.entries(ROUTED_BY_FINDING_RULE)
      .filter(([, r]) => r)
      .map(([id]) => id)
      .sort();
    const byRule = await routed('events', only(findingRuleIds()), entries);
    expect(Object.keys(byRule)).toHaveLength(2);
    for (const ids of Object.values(byRule)) expect(ids).toEqual(expected);
  });

  it('routes 7.2 and 9.5 and not 3.0', async () => {
    const entries = [7.2, 9.5, 3.0, 8.9, 4].map((severity) => {
      const e = findingEvent({ id: `sev-${severity}`, severity });
      return { id: `severity-${severity}`, source: e.source, detailType: e['detail-type'], detail: e.detail };
    });
    const byRule = await routed('severity', only(findingRuleIds()), entries);
    expect(Object.keys(byRule)).toHaveLength(2);
    for (const ids of Object.values(byRule)) expect(ids).toEqual(['severity-4', 'severity-7.2', 'severity-8.9', 'severity-9.5']);
  });

  it('routes the pipeline events each handler reacts to, and only those', async () => {
    const types = [
      'Incident Opened',
      'Incident Updated',
      'Incident Acknowledged',
      'Containment Done',
      'Containment Failed',
      'Containment Left',
      'Reminder Due',
    ];
    const entries = types.map((t) => ({ id: t.replace(/ /g, '-'), source: 'datalek', detailType: t, detail: { incidentId: 'dl-0123456789', revision: 1 } }));
    const domain = await routed('domain', only(Object.keys(patterns).filter((id) => JSON.stringify(patterns[id]).includes('"datalek"'))), entries);
    const byRule = Object.fromEntries(Object.entries(domain).map(([id, ids]) => [id.replace(/Rule.*$/, ''), ids]));
    expect(byRule).toEqual({
      NotifyRoute: [
        'Containment-Done',
        'Containment-Failed',
        'Containment-Left',
        'Incident-Acknowledged',
        'Incident-Opened',
        'Incident-Updated',
        'Reminder-Due',
      ],
      ContainRoute: ['Incident-Opened', 'Incident-Updated'],
    });
  });
  /** The CloudTrail files, with the stack's key ids in place of their placeholders. */
  const cloudTrailEvents = () =>
    readdirSync(CLOUDTRAIL)
      .filter((f) => f.endsWith('.json'))
      .map((file) => {
        const text = readFileSync(join(CLOUDTRAIL, file), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, name: string) => placeholders[name]);
        const e = JSON.parse(text);
        return { id: file, source: e.source, detailType: e['detail-type'], detail: e.detail };
      });

  it('has the watch rules in each region: pipeline, paging, sources, guard, changes, containment, the containment roles writes (fgsec17), ECS placement and group tags, and the alarm path in the central region', () => {
    expect(Object.keys(watchPatterns).sort()).toEqual([
      'central/alarm-delivery',
      'central/alarm-path',
      'central/backup-jobs',
      'central/by-hand',
      'central/changes',
      'central/contain-role',
      'central/containment',
      'central/containment-iam',
      'central/ecs-placement',
      'central/group-tags',
      'central/guard',
      'central/paging',
      'central/pipeline',
      'central/protected-tag',
      'central/register',
      'central/roles',
      'central/sources',
      'central/uploads',
      'forwarder/by-hand',
      'forwarder/changes',
      'forwarder/contain-role',
      'forwarder/containment',
      'forwarder/containment-iam',
      'forwarder/ecs-placement',
      'forwarder/group-tags',
      'forwarder/guard',
      'forwarder/paging',
      'forwarder/pipeline',
      'forwarder/protected-tag',
      'forwarder/register',
      'forwarder/roles',
      'forwarder/sources',
      'forwarder/uploads',
    ]);
    // A deploy's uploads wait in the queue with no message of their own (infra15); every other watch rule sends one per call.
    expect(Object.keys(watchMessages).sort()).toEqual(
      Object.keys(watchPatterns)
        .filter((id) => !id.endsWith('/uploads'))
        .sort(),
    );
  });

  it("pages on the backup plan's calls only where the locked vault is deployed: they name a plan by id alone, so without the vault another team's plan would page (lead, after lfe16 E2)", () => {
    const planCalls = (pattern: Record<string, unknown>) => JSON.stringify(pattern).includes('DeleteBackupPlan');
    const central = { tablePrefix: 'datalek-', archiveName: 'datalek-events' };
    expect(planCalls(registerWatchPattern(central))).toBe(false);
    expect(planCalls(registerWatchPattern({ ...central, backupVault: true }))).toBe(true);
    // The vault's own calls name a datalek-* vault: watched either way.
    expect(JSON.stringify(registerWatchPattern(central))).toContain('DeleteBackupVault');
  });

  it("pages on a backup job into the register's locked vault that FAILED, was ABORTED or EXPIRED, or COMPLETED with issues, and on nothing else (infra17: a failed backup job paged nowhere; deploy19: one completed with issues neither)", async () => {
    // AWS Backup's own events (not CloudTrail's), shaped after AWS Backup's documented examples of each state.
    const dir = join(import.meta.dirname, 'backup-jobs');
    const entries = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((file) => {
        const e = JSON.parse(readFileSync(join(dir, file), 'utf8'));
        return { id: file, source: e.source, detailType: e['detail-type'], detail: e.detail };
      });
    expect(entries).toHaveLength(7);
    const matched: Record<string, string[]> = {};
    for (const [rule, ids] of Object.entries(await routed('backup-jobs', watchPatterns, entries, true))) if (ids.length) matched[rule] = [...ids].sort();
    // deploy19: and a COMPLETED job with a status message, AWS Backup's console's "Completed with issues".
    expect(matched).toEqual({
      'central/backup-jobs': [
        '01-register-backup-job-failed.json',
        '02-register-backup-job-aborted.json',
        '03-register-backup-job-expired.json',
        '07-register-backup-job-completed-with-issues.json',
      ],
    });
    // Its message names the state, the job and the resource, not AWS Backup's status message.
    const paths = Object.values(watchMessages['central/backup-jobs'].InputPathsMap).sort();
    expect(paths).toEqual(['$.account', '$.detail.backupJobId', '$.detail.resourceArn', '$.detail.state', '$.region', '$.time']);
  });

  it('fits each pattern, as deployed, in the 2,048 characters EventBridge takes by default', () => {
    for (const [id, pattern] of Object.entries({ ...patterns, ...watchPatterns, ...iamPatterns }))
      expect(JSON.stringify(pattern).length, id).toBeLessThanOrEqual(2048);
  });

  it('fits every pattern of every stack in 2,048 characters with the longest names and regions a deployer may give, in the longest partition (infra15)', () => {
    // IAM's longest role names (the containment role's 59: its read role adds -read), none named datalek-… (each is then
    // named in the patterns), the longest region names, two member accounts.
    const longest = synthesizedApp({
      region: 'ap-southeast-2',
      allowNonEuRegion: 'true',
      account: ACCOUNT,
      forwardFrom: 'ap-northeast-3,eu-central-1',
      memberAccounts: '444455556666,777788889999',
      breakGlassRole: 'b'.repeat(64),
      // deploy20: with member accounts the containment watch's own pattern names the pipeline account
      // (its member twin takes the others'): an on-call role name of 62 characters is the most that fits
      // (the synth refuses a longer one, naming it: test/infra/containment-watch.test.ts).
      onCallRole: 'o'.repeat(62),
      containmentRoleName: 'c'.repeat(59),
    });
    const state = Template.fromStack(longest.stateful);
    const stacks = [longest.stateful, longest.response, ...longest.forwarders, ...longest.members, ...longest.memberIam, longest.iamForward];
    const sizes: Record<string, number> = {};
    for (const stack of stacks) {
      if (!stack) continue;
      const t = Template.fromStack(stack);
      for (const rule of Object.values(t.findResources('AWS::Events::Rule'))) {
        if (!rule.Properties.EventPattern) continue;
        const pattern = resolveValue(rule.Properties.EventPattern, t, { account: stack.account, region: stack.region, exporters: [state] });
        sizes[`${stack.stackName}/${rule.Properties.Name}`] = JSON.stringify(pattern).replaceAll('arn:aws:', 'arn:aws-us-gov:').length;
      }
    }
    expect(Object.keys(sizes).length).toBeGreaterThan(20);
    expect(Object.entries(sizes).filter(([, size]) => size > 2048)).toEqual([]);
  });

  it('has no $or of fewer than two branches, which EventBridge refuses though moto takes it (review8 last read B1: a forwarder could not be deployed)', () => {
    const short: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          if (k === '$or' && (!Array.isArray(v) || v.length < 2)) short.push(`${path}.$or`);
          walk(v, `${path}.${k}`);
        }
      }
    };
    for (const [id, pattern] of Object.entries({ ...patterns, ...watchPatterns, ...iamPatterns })) walk(pattern, id);
    expect(short).toEqual([]);
  });

  it('pages on exactly the calls that silence the pipeline: its rules, functions, GuardDuty, and its alarms, topics and keys', async () => {
    const entries = cloudTrailEvents();
    expect(entries.map((e) => e.id).sort()).toEqual(Object.keys(WATCHED).sort());
    const matched: Record<string, string[]> = Object.fromEntries(entries.map((e) => [e.id, []]));
    for (const [rule, ids] of Object.entries(await routed('watch', watchPatterns, entries, true))) for (const id of ids) matched[id].push(rule);
    for (const id of Object.keys(matched)) matched[id].sort();
    expect(matched).toEqual(WATCHED);
  });

  it("forwards from us-east-1 the IAM calls the central rules page on (IAM's reach EventBridge there alone), its own stack's deployment, and the calls on each other (deploy12)", async () => {
    const containment = join(import.meta.dirname, 'cloudtrail-containment');
    const entries = [
      ...cloudTrailEvents(),
      ...readdirSync(containment)
        .filter((f) => f.endsWith('.json'))
        .map((file) => {
          const e = JSON.parse(readFileSync(join(containment, file), 'utf8'));
          return { id: `containment/${file}`, source: e.source, detailType: e['detail-type'], detail: e.detail };
        }),
    ];
    const execRole = `arn:aws:iam::${ACCOUNT}:role/cdk-datalek-cfn-exec-role-${ACCOUNT}-us-east-1`;
    const byDeploy = {
      ...SOMEONE,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/cdk-datalek-cfn-exec-role-${ACCOUNT}-us-east-1/x`,
      sessionContext: { sessionIssuer: { type: 'Role', arn: execRole } },
    };
    for (const [name, other] of [
      ['datalek-iam-forward', 'guard'],
      ['datalek-iam-guard', 'forward'],
    ]) {
      const call = (eventName: string, requestParameters: unknown, userIdentity: unknown = SOMEONE) => ({
        source: 'aws.events',
        detailType: 'AWS API Call via CloudTrail',
        detail: { eventSource: 'events.amazonaws.com', eventName, requestParameters, userIdentity },
      });
      entries.push(
        { id: `${name}#disabled:${other}`, ...call('DisableRule', { name }) },
        { id: `${name}#targets-by-hand:${other}`, ...call('PutTargets', { rule: name, targets: [{ id: 'Target0', arn: 'arn:aws:sqs:us-east-1:1:x' }] }) },
        { id: `${name}#pattern-by-its-deploy:none`, ...call('PutRule', { name, eventPattern: '{}', state: 'ENABLED' }, byDeploy) },
      );
    }
    const byRule = await routed('iam-forward', iamPatterns, entries);
    const forwarded = (rule: string) => [...(byRule[rule] ?? [])].sort();
    // And the calls that would silence us-east-1's dead-letter path (infra14): its alarms, alarm topic and queue, by name, as the
    // central paging and register rules read them (these files name eu-west-1's; the rules match any region's).
    const byCentral = await routed(
      'iam-guard-central',
      { paging: watchPatterns['central/paging'], register: watchPatterns['central/register'] },
      entries,
      true,
    );
    const silencing = entries
      .filter((e) => ['aws.monitoring', 'aws.sns'].includes(e.source) && byCentral.paging.includes(e.id))
      .concat(entries.filter((e) => e.source === 'aws.sqs' && byCentral.register.includes(e.id)))
      .map((e) => e.id);
    expect(silencing.length).toBeGreaterThan(10);
    expect(forwarded('datalek-iam-guard')).toEqual(['datalek-iam-forward#disabled:guard', 'datalek-iam-forward#targets-by-hand:guard', ...silencing].sort());
    expect(forwarded('datalek-iam-forward')).toEqual(
      [
        // IAM's calls by name: the bootstrap's roles and policies (the central datalek-watch-changes reads which), containment's.
        '154-datalek-execution-role-trust-changed.json',
        '155-datalek-deploy-role-policy-put.json',
        '159-shared-bootstrap-execution-role-trust-changed.json',
        '162-execution-policy-new-default-version.json',
        '163-bootstrap-boundary-default-version-set-by-path.json',
        '164-another-teams-policy-new-version.json',
        // A managed policy's versions, by name (the central datalek-watch-roles reads which policy, and who): infra14, infra16.
        '222-contain-boundary-loosened-by-a-new-default-version.json',
        '223-link-boundary-older-version-made-default.json',
        '224-contain-boundary-version-deleted.json',
        '225-contain-boundary-version-put-by-a-deploy.json',
        '226-another-teams-policy-version-deleted.json',
        '227-execution-role-trust-changed-naming-it-in-another-case.json',
        '228-iam-forward-role-boundary-naming-it-in-another-case.json',
        '240-contain-function-role-trust-changed.json',
        '241-notify-function-role-policy-put-by-a-deploy.json',
        '242-member-containment-role-boundary-deleted.json',
        '243-another-teams-function-role-trust-changed.json',
        '251-on-call-role-trust-changed.json',
        '252-on-call-role-policy-attached-naming-it-in-another-case.json',
        '253-on-call-role-boundary-deleted.json',
        '303-fg-role-trust-changed.json',
        '254-contain-function-role-policy-put-by-the-shared-bootstraps-deploy.json',
        '255-contain-function-role-trust-changed-by-another-regions-datalek-deploy.json',
        '256-contain-function-role-boundary-put-by-the-deploy.json',
        '257-execution-role-policy-put-by-the-execution-role-itself.json',
        '270-contain-boundary-version-put-by-a-forwarder-regions-deploy.json',
        '271-forward-boundary-version-put-by-the-central-deploy.json',
        '272-forward-boundary-version-put-by-its-own-regions-deploy.json',
        '273-console-password-set-anew-for-a-user.json',
        // sec25: users' and roles' tags set or taken off, by name (the central datalek-watch-protected-tag reads the key).
        '294-role-tags-itself-datalek-protected.json',
        '295-datalek-protected-taken-off-a-user.json',
        '296-role-created-tagged-datalek-protected-in-another-case.json',
        '297-user-tagged-datalek-protected.json',
        '298-role-tagged-another-key.json',
        '299-role-tagging-datalek-protected-refused.json',
        'containment/15-access-key-active-again.json',
        'containment/16-access-key-deactivated.json',
        'containment/17-revocation-policy-deleted.json',
        'containment/18-another-inline-policy-deleted.json',
        'containment/37-revocation-policy-deleted-naming-it-in-another-case.json',
        // CloudFormation's calls that change a stack or give it a role, by name alone (infra15, for room: the central
        // datalek-watch-changes reads which stack and role): a Datalek… stack changed (this region's: DatalekIamForward,
        // DatalekToolkit), datalek's execution role given to another stack; and another team's, which pages nowhere.
        '156-datalek-execution-role-passed-to-another-stack.json',
        '280-execution-role-passed-to-another-stack-naming-it-in-another-case.json',
        '158-datalek-stack-change-set-with-its-execution-role.json',
        '165-update-of-another-stack-naming-no-role.json',
        '81-deploy-another-teams-stack.json',
        '82-change-set-made-by-cdk-diff.json',
        '157-datalek-execution-role-passed-to-a-stack-by-arn.json',
        '161-datalek-named-stack-created-with-its-execution-role.json',
        '77-deploy-the-response-stack.json',
        '78-delete-the-state-stack-by-arn.json',
        '79-execute-a-change-set-by-its-arn.json',
        '80-termination-protection-off-the-state-stack.json',
        // An object written to a staging bucket (us-east-1's, where this stack is).
        '166-zip-put-in-the-staging-bucket.json',
        '168-template-copied-into-the-staging-bucket.json',
        // Every call naming it (fgsec14 S2; room: the central rule reads which).
        '244-staging-bucket-notifications-turned-off.json',
        '245-staging-bucket-policy-deleted.json',
        '246-staging-bucket-lifecycle-put.json',
        '247-staging-bucket-location-read.json',
        'datalek-iam-guard#disabled:forward',
        'datalek-iam-guard#targets-by-hand:forward',
      ].sort(),
    );
  });

  it("pages centrally on a call that would stop DatalekIamForward's role putting events: its boundary, policies or trust (read12b B1)", async () => {
    // The role by its fixed name: a role CloudFormation names (`DatalekIamForward-ForwardRole…`) no central rule reads.
    const roleName = IAM_FORWARD_ROLE_NAME;
    const call = (eventName: string, requestParameters: Record<string, unknown>): BusEntry => ({
      id: eventName,
      source: 'aws.iam',
      detailType: 'AWS API Call via CloudTrail',
      detail: { eventSource: 'iam.amazonaws.com', eventName, awsRegion: 'us-east-1', userIdentity: SOMEONE, requestParameters },
    });
    const entries = [
      call('PutRolePermissionsBoundary', { roleName, permissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/deny-all` }),
      call('DeleteRolePolicy', { roleName, policyName: 'ForwardRoleDefaultPolicy' }),
      call('PutRolePolicy', { roleName, policyName: 'x', policyDocument: '{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}' }),
      call('UpdateAssumeRolePolicy', { roleName, policyDocument: '{}' }),
    ];
    const all = entries.map((e) => e.id).sort();
    expect(iamForwardRoleNames).toEqual([roleName]);
    // The forward rule carries each to the central bus, by name ...
    expect([...((await routed('b1-forward', iamPatterns, entries))['datalek-iam-forward'] ?? [])].sort()).toEqual(all);
    // ... where datalek-watch-roles pages on each: after it no IAM call would reach the central rules, and nothing would say so.
    const paged = await routed('b1-central', watchPatterns, entries);
    expect([...(paged['central/roles'] ?? [])].sort()).toEqual(all);
  });

  it('sends each watched call as a message of its own naming the call, the caller, when and where, two calls two messages (review 3, S3)', async () => {
    // moto's EventBridge delivers to no SNS topic: the rule's message goes to a queue instead, as the topic would get it.
    const bus = 'watch-messages';
    await moto.clients.eventbridge.send(new CreateEventBusCommand({ Name: bus }));
    const { QueueUrl } = await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: bus }));
    const arn = (await moto.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    await moto.clients.eventbridge.send(new PutRuleCommand({ Name: bus, EventBusName: bus, EventPattern: JSON.stringify(watchPatterns['central/pipeline']) }));
    await moto.clients.eventbridge.send(
      new PutTargetsCommand({ Rule: bus, EventBusName: bus, Targets: [{ Id: 'topic', Arn: arn, InputTransformer: watchMessages['central/pipeline'] }] }),
    );
    // A harmless watched call first, then the one that silences: both must reach on-call.
    const calls = cloudTrailEvents().filter((e) => ['10-publishing-frequency-six-hours.json', '01-disable-finding-rule.json'].includes(e.id));
    for (const e of calls) {
      await moto.clients.eventbridge.send(
        new PutEventsCommand({ Entries: [{ EventBusName: bus, Source: e.source, DetailType: e.detailType, Detail: JSON.stringify(e.detail) }] }),
      );
    }
    const out = await moto.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    const bodies = (out.Messages ?? []).map((m) => m.Body as string).sort();
    expect(bodies).toHaveLength(2);
    // The caller by type and role, not the session (fgsec17 Sd), and the event id.
    expect(bodies[0]).toMatch(
      /^"?datalek WATCH: DisableRule by a caller of type AssumedRole \(role: [^;]*; [^)]*\), CloudTrail event \S+ at \S+ in eu-west-1 /,
    );
    expect(bodies[1]).toMatch(/^"?datalek WATCH: UpdateDetector by a caller of type AssumedRole \(role: [^;]*; [^)]*\), CloudTrail event \S+ at /);
    for (const b of bodies) expect(b).not.toContain('someone');
    for (const b of bodies) expect(b).toContain('seen by datalek-watch-pipeline');
  });

  it('sees every watch rule being disabled, deleted, emptied or redirected by another watch rule: none can be silenced by one call', async () => {
    const calls = (name: string) => [
      { eventName: 'DisableRule', requestParameters: { name } },
      { eventName: 'DeleteRule', requestParameters: { name } },
      { eventName: 'PutRule', requestParameters: { name, state: 'DISABLED' } },
      { eventName: 'PutRule', requestParameters: { name, eventPattern: '{"source":["nothing"]}', state: 'ENABLED' } },
      { eventName: 'RemoveTargets', requestParameters: { rule: name, ids: ['Target0'] } },
      { eventName: 'PutTargets', requestParameters: { rule: name, targets: [{ id: 'Target0', arn: 'arn:aws:sqs:eu-west-1:111122223333:elsewhere' }] } },
    ];
    for (const where of ['central', 'forwarder']) {
      const rules = Object.keys(watchPatterns).filter((r) => r.startsWith(`${where}/`));
      const entries = rules.flatMap((rule) =>
        calls(`${WATCH_RULE_PREFIX}${rule.split('/')[1]}`).map((c, i) => ({
          id: `${rule}#${i}`,
          source: 'aws.events',
          detailType: 'AWS API Call via CloudTrail',
          detail: { eventSource: 'events.amazonaws.com', sourceIPAddress: '198.51.100.7', userIdentity: SOMEONE, recipientAccountId: ACCOUNT, ...c },
        })),
      );
      const seenBy: Record<string, string[]> = Object.fromEntries(entries.map((e) => [e.id, []]));
      const byRule = await routed(`self-${where}`, Object.fromEntries(rules.map((rule) => [rule, watchPatterns[rule]])), entries);
      for (const [rule, ids] of Object.entries(byRule)) for (const id of ids) seenBy[id].push(rule);
      for (const [id, by] of Object.entries(seenBy))
        expect(
          by.filter((r) => r !== id.split('#')[0]),
          id,
        ).not.toEqual([]);
    }
  });
});
