/**
 * Builds the CDK app from context: the stateful and response stacks in the central EU region, a
 * forwarder per other region with GuardDuty (EU or not), a containment role stack per member account,
 * IAM's calls forwarded from us-east-1 where no pipeline region is it; with the cdk-nag
 * AwsSolutions checks, each acknowledgement carrying its reason.
 */
import { App, type CfnElement, Token, Validations } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { acrossRegions } from './boundary.js';
import { containmentReadRoleName, type DeployConfig, loadDeployConfig, protectedRoleNames } from './config.js';
import { DIGEST_PREFIX, digestBucketName } from './constructs/digest-bucket.js';
import { type ContainmentScope, containmentStatements, RESOURCE_CONTAINMENT_REASONS } from './containment-policy.js';
import { CONTAINMENT_READ_REASONS, containmentReadStatements } from './containment-read.js';
import { datalekSynthesizer } from './deploy-role.js';
import { ForwarderStack } from './forwarder-stack.js';
import { IAM_EVENTS_REGION, IamForwardStack, needsIamForward } from './iam-forward-stack.js';
import { MemberIamStack, memberRoleNames } from './member-iam-stack.js';
import { MemberRegionStack, MemberStack } from './member-stack.js';
import { ResponseStack } from './response-stack.js';
import { StatefulStack } from './stateful-stack.js';

/** The response stack's name: CloudFormation names its unnamed rules after it (the register key lets them use it, stateful-stack.ts). */
const RESPONSE_STACK_NAME = 'DatalekResponse';

export interface DatalekApp {
  app: App;
  config: DeployConfig;
  stateful: StatefulStack;
  response: ResponseStack;
  forwarders: ForwarderStack[];
  members: MemberStack[];
  /** Each member account's IAM calls on datalek's roles, forwarded from its us-east-1 (member-iam-stack.ts). */
  memberIam: MemberIamStack[];
  /** Each member account's forwarding in each pipeline region other than the central one (member-stack.ts, contain20). */
  memberRegions: MemberRegionStack[];
  /** IAM's calls forwarded from us-east-1, where no pipeline region is (iam-forward-stack.ts). */
  iamForward?: IamForwardStack;
}

export function buildApp(context: Record<string, unknown>, options: { outdir?: string } = {}): DatalekApp {
  // The only cross-stack reference is the key's ARN, which never changes: keep it strong, explicitly.
  const app = new App({ outdir: options.outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...context } });
  const ctx = Object.fromEntries(
    [
      'region',
      'account',
      'organizationId',
      'breakGlassRole',
      'onCallRole',
      'fgRole',
      'containConcurrency',
      'fgEmail',
      'onCallEmail',
      'policyFile',
      'allowNonEuRegion',
      'sharedBootstrapUpgrade',
      'retentionYears',
      'backupVaultLock',
      'backupRetentionDays',
      'logRetentionDays',
      'forwardFrom',
      'memberAccounts',
      'ackPrincipals',
      'containmentRoleName',
      'linkConcurrency',
      'recordConcurrency',
      'notifyConcurrency',
      'detectorFrequency',
      'detectorFeatures',
      'alarmPagerUrl',
    ].flatMap((k) => {
      const v = app.node.tryGetContext(k);
      return v === undefined ? [] : [[k, String(v)]];
    }),
  );
  const config = loadDeployConfig(ctx);
  const env = { region: config.region, account: config.account };
  const stateful = new StatefulStack(app, 'DatalekState', {
    env,
    synthesizer: datalekSynthesizer(config),
    description: 'datalek: breach register, topics, bus and key (retained)',

    terminationProtection: true,
    fgEmail: config.fgEmail,
    onCallEmail: config.onCallEmail,
    alarmPagerUrl: config.alarmPagerUrl,
    pager: config.policy.onCall.provider !== 'sns',
    retentionYears: config.retentionYears,
    backupRetentionDays: config.backupRetentionDays,
    breakGlassRole: config.breakGlassRole,
    onCallRole: config.onCallRole,
    fgRole: config.fgRole,
    responseStackName: RESPONSE_STACK_NAME,
  });
  const response = new ResponseStack(app, RESPONSE_STACK_NAME, {
    env,
    synthesizer: datalekSynthesizer(config),
    description: 'datalek: GuardDuty findings to incidents, messages, containment and deadlines',

    state: stateful,
    config,
    logRetention: retentionDays(config.logRetentionDays),
  });
  const forwarders = config.forwardFrom.map(
    (region) =>
      new ForwarderStack(app, `DatalekForwarder-${region}`, {
        env: { region, account: config.account },
        synthesizer: datalekSynthesizer(config),

        description: `datalek: forwards GuardDuty findings of ${region} to ${config.region}`,
        config,
        centralRegion: config.region,
        responseStackName: response.stackName,
      }),
  );
  const members = config.memberAccounts.map(
    (account) =>
      new MemberStack(app, `DatalekMember-${account}`, {
        env: { account, region: config.region },
        synthesizer: datalekSynthesizer(config),

        description: 'datalek: the containment role the pipeline assumes in this account, and the forwarding of calls that silence its findings',
        // Required with member accounts (checked in config): never the member's own account.
        pipelineAccount: config.account as string,
        roleName: config.containmentRoleName,
        regions: [config.region, ...config.forwardFrom],
        organizationId: config.organizationId,
        protectedRoles: protectedRoleNames(config),
        centralRegion: config.region,
        readRoleName: containmentReadRoleName(config.containmentRoleName),
        // sec26: the FG runs show/verify --target aws as its own role.
        readerRoles: [config.onCallRole, config.fgRole],
        config,
      }),
  );
  // A member's IAM calls reach EventBridge in its us-east-1 alone (infra14): forwarded from there, by name.
  const memberIam = config.memberAccounts.map(
    (account) =>
      new MemberIamStack(app, `DatalekMemberIam-${account}`, {
        env: { account, region: IAM_EVENTS_REGION },
        // New: through datalek's bootstrap even in the upgrade's deploy (as DatalekIamForward, read12b B4).
        synthesizer: datalekSynthesizer({ sharedBootstrapUpgrade: false }),
        description: `datalek: forwards this account's IAM calls on datalek's roles and policies (seen in ${IAM_EVENTS_REGION} only) to the pipeline's watch in ${config.region}`,
        pipelineAccount: config.account as string,
        centralRegion: config.region,
        roleNames: memberRoleNames(config),
        containmentRoleName: config.containmentRoleName,
        config,
      }),
  );
  // Where the central region is us-east-1, the member stack's alarms page through DatalekMemberIam's topic there: deployed after it.
  if (config.region === IAM_EVENTS_REGION)
    for (const [i, m] of members.entries()) m.addStackDependency(memberIam[i], "its alarms page through DatalekMemberIam's datalek-on-call-alarms topic");
  // A member's calls reach EventBridge in their own region: forwarded from each other pipeline region too (contain20).
  const memberRegions = config.memberAccounts.flatMap((account, i) =>
    config.forwardFrom.map((region) => {
      const stack = new MemberRegionStack(app, `DatalekMember-${account}-${region}`, {
        env: { account, region },
        // New: through datalek's bootstrap even in the upgrade's deploy (as DatalekMemberIam).
        synthesizer: datalekSynthesizer({ sharedBootstrapUpgrade: false }),
        description: `datalek: forwards this account's calls in ${region} that silence its findings, undo a drain or change an isolation group's tags to the pipeline's watch in ${config.region}`,
        pipelineAccount: config.account as string,
        roleName: config.containmentRoleName,
        centralRegion: config.region,
        member: members[i] as MemberStack,
        config,
      });
      // In us-east-1 its alarms page through DatalekMemberIam's datalek-on-call-alarms topic.
      if (region === IAM_EVENTS_REGION)
        stack.addDependency(memberIam[i] as MemberIamStack, "its alarms page through DatalekMemberIam's datalek-on-call-alarms topic");
      return stack;
    }),
  );
  // IAM's calls reach EventBridge in us-east-1 alone: where no pipeline region is us-east-1, forward them.
  const iamForward = needsIamForward(config)
    ? new IamForwardStack(app, 'DatalekIamForward', {
        env: { region: IAM_EVENTS_REGION, account: config.account },
        // Through datalek's bootstrap even in the upgrade's deploy: the stack is new (no deployment made it
        // through the shared one, which need not exist in us-east-1), and step 1 bootstraps datalek's there (read12b B4).
        synthesizer: datalekSynthesizer({ sharedBootstrapUpgrade: false }),
        description: `datalek: forwards IAM's calls (seen in ${IAM_EVENTS_REGION} only) to the pipeline's watch in ${config.region}`,
        centralRegion: config.region,
        config,
      })
    : undefined;
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledge({ config, stateful, response, forwarders, members, memberIam, memberRegions, iamForward });
  return { app, config, stateful, response, forwarders, members, memberIam, memberRegions, iamForward };
}

function retentionDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((v): v is number => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  return (allowed.find((d) => d >= days) ?? allowed[allowed.length - 1]) as logs.RetentionDays;
}

/** How cdk-nag prints a token in a finding id: `<AWS::Region>`, or the value when it is known. */
function label(value: string, pseudo: string): string {
  return Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;
}

const CONTAINMENT_REASONS: Record<string, string> = {
  Describe: 'EC2, Auto Scaling and ELB Describe calls do not support resource-level permissions; limited to the pipeline regions',
  ProtectAndIsolateInstances:
    "containment must act on whichever instance is compromised; scoped to the instance, interface and group types of this account's pipeline regions",
  CreateIsolationGroupsInVpcs: 'the isolation groups are created in the VPC of whichever instance is compromised',
  CreateIsolationGroups: 'only groups tagged datalek:role at creation (tag-on-create), in the pipeline regions',
  TagOnCreateOnly: 'tags only while creating the isolation groups and evidence snapshots (ec2:CreateAction condition)',
  TagInstances: 'only the datalek:incident and datalek:state tags, on whichever instance is compromised',
  RulesOfOwnGroupsOnly: "limited by condition to groups tagged datalek:role (the pipeline's own isolation groups)",
  EvidenceSnapshotsOfVolumes: 'evidence snapshots of the volumes of whichever instance is compromised',
  EvidenceSnapshots: 'the snapshots must carry the datalek:incident tag from creation',
  LeaveAutoScalingGroups: 'detaches the compromised instance from whichever Auto Scaling group holds it',
  LeaveTargetGroups: 'deregisters the compromised instance from whichever target groups hold it',
  DeactivateKeys: 'deactivates whichever IAM user key the finding names (never deletes it)',
  RevokeRoleSessions:
    "writes the session-revocation deny policy on whichever role the finding names; IAM has no condition on the inline policy name, so an explicit Deny keeps it off the pipeline's own and AWS's roles",
  BlockPublicBuckets: 'blocks public access on whichever bucket of this account (s3:ResourceAccount) the finding shows as public',
};

/** Acknowledges the wildcard resources of `statements`' Allows, each with its statement's reason, on `scopes`. */
function acknowledgeWildcards(scopes: IConstruct[], statements: PolicyStatement[], reasons: Record<string, string>): void {
  for (const statement of statements) {
    const json = statement.toStatementJson() as { Sid: string; Effect: string; Resource: string | string[] };
    if (json.Effect !== 'Allow') continue;
    // The boundary lists an ARN of several regions once, with region `*` (boundary.ts).
    for (const resource of new Set([...[json.Resource].flat(), ...acrossRegions([json.Resource].flat())])) {
      if (!resource.includes('*')) continue;
      for (const s of scopes) Validations.of(s).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason: reasons[json.Sid] });
    }
  }
}

/** The containment statements' wildcards (their reasons: CONTAINMENT_REASONS, RESOURCE_CONTAINMENT_REASONS). */
function acknowledgeContainment(scopes: IConstruct[], scope: ContainmentScope): void {
  acknowledgeWildcards(scopes, containmentStatements(scope), { ...CONTAINMENT_REASONS, ...RESOURCE_CONTAINMENT_REASONS });
}

/** The containment read statements' wildcards. */
function acknowledgeContainmentRead(scopes: IConstruct[], scope: Pick<ContainmentScope, 'partition' | 'account' | 'regions'>): void {
  acknowledgeWildcards(scopes, containmentReadStatements(scope), CONTAINMENT_READ_REASONS);
}

/** Every cdk-nag finding we accept, each with its reason. Anything else fails the checks. */
function acknowledge(stacks: {
  config: DeployConfig;
  stateful: StatefulStack;
  response: ResponseStack;
  forwarders: ForwarderStack[];
  members: MemberStack[];
  memberIam: MemberIamStack[];
  memberRegions: MemberRegionStack[];
  iamForward?: IamForwardStack;
}): void {
  const { config, stateful, response, forwarders, members, memberIam, memberRegions, iamForward } = stacks;
  const region = label(response.region, 'Region');
  const account = label(response.account, 'AccountId');
  const partition = '<AWS::Partition>';
  const regions = [config.region, ...config.forwardFrom];
  const protectedRoles = protectedRoleNames(config);
  const keyActions = {
    'AwsSolutions-IAM5[Action::kms:ReEncrypt*]': "CDK's standard grant on the pipeline's one customer-managed key, nothing else",
    'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]': "CDK's standard grant on the pipeline's one customer-managed key, nothing else",
  };
  for (const f of Object.values(response.functions)) {
    const logs = response.getLogicalId(f.logGroup.node.defaultChild as CfnElement);
    Validations.of(f).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason: 'Node.js 22 is the runtime this project targets and tests (Node 20 is deprecated on Lambda; 24 comes with the project)',
      },
      { id: `AwsSolutions-IAM5[Resource::<${logs}.Arn>:*]`, reason: "the log streams of the function's own log group" },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:dynamodb:${region}:${account}:table/datalek-incidents/index/*]`,
        reason: "the incidents table's own two indexes (due, byDetection), read by the sweep",
      },
      ...Object.entries(keyActions).map(([id, reason]) => ({ id, reason })),
    );
  }
  acknowledgeContainment([response.functions.contain, response.containBoundary], { partition, account, regions, protectedRoles });
  for (const m of members) {
    acknowledgeContainment([m.role, m.boundary], { partition, account: label(m.account, 'AccountId'), regions, protectedRoles });
    acknowledgeContainmentRead([m.readRole, m.readBoundary], { partition, account: label(m.account, 'AccountId'), regions });
  }
  acknowledgeContainmentRead([response.onCallReadPolicy], { partition, account, regions });
  if (config.organizationId) {
    Validations.of(response.onCallReadPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${partition}:iam::*:role/${containmentReadRoleName(config.containmentRoleName)}]`,
      reason: 'the containment read role of whichever account of the organisation an incident names (aws:ResourceOrgID condition)',
    });
  }
  if (config.organizationId) {
    for (const s of [response.functions.contain, response.containBoundary]) {
      Validations.of(s).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:iam::*:role/${config.containmentRoleName}]`,
        reason: 'the containment role of whichever account of the organisation the finding names (aws:ResourceOrgID condition)',
      });
    }
  }
  for (const boundary of [response.boundary, response.containBoundary, response.anchorBoundary]) {
    Validations.of(boundary).acknowledge(
      ...Object.entries(keyActions).map(([id, reason]) => ({ id, reason })),
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${region}:${account}:log-group:*]`,
        reason: "the boundary caps logging at this account's log groups; each function's own policy names its log group",
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:dynamodb:${region}:${account}:table/datalek-incidents/index/*]`,
        reason: 'the boundary caps table access at the incidents table and its indexes',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:sqs:${region}:${account}:${response.stackName}-*]`,
        reason: "the boundary caps queue writes at this stack's dead-letter queues (their names are generated)",
      },
    );
  }
  // The detector check's reads: ListDetectors has no resource type, GetDetector and ListMembers name GuardDuty's own ids.
  const detectors = regions.map((r) => `arn:${partition}:guardduty:${r}:${account}:detector/*`);
  for (const s of [response.functions.detectorCheck, response.detectorCheckBoundary]) {
    Validations.of(s).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'guardduty:ListDetectors has no resource type (Service Authorization Reference); the role limits it to the pipeline regions (aws:RequestedRegion)',
      },
      ...[...new Set([...detectors, ...acrossRegions(detectors)])].map((resource) => ({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason:
          "GetDetector (and, with member accounts, ListMembers) of whichever detector ListDetectors names (GuardDuty's id, unknown at deploy), in this account and the pipeline regions",
      })),
    );
  }
  Validations.of(response.detectorCheckBoundary).acknowledge(
    {
      id: `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${region}:${account}:log-group:*]`,
      reason: "the boundary caps logging at this account's log groups; the function's own policy names its log group",
    },
    {
      id: `AwsSolutions-IAM5[Resource::arn:${partition}:sqs:${region}:${account}:${response.stackName}-*]`,
      reason: "the boundary caps queue writes at this stack's dead-letter queues (their names are generated)",
    },
    ...Object.entries(keyActions)
      .filter(([id]) => id.includes('GenerateDataKey'))
      .map(([id, reason]) => ({ id, reason })),
  );
  if (response.memberPages && response.memberPagesBoundary) {
    const f = response.memberPages.function;
    const logs = response.getLogicalId(f.logGroup.node.defaultChild as CfnElement);
    Validations.of(f).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason: 'Node.js 22 is the runtime this project targets and tests (Node 20 is deprecated on Lambda; 24 comes with the project)',
      },
      { id: `AwsSolutions-IAM5[Resource::<${logs}.Arn>:*]`, reason: "the log streams of the function's own log group" },
      ...Object.entries(keyActions)
        .filter(([id]) => id.includes('GenerateDataKey'))
        .map(([id, reason]) => ({ id, reason })),
    );
    Validations.of(response.memberPagesBoundary).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${region}:${account}:log-group:*]`,
        reason: "the boundary caps logging at this account's log groups; the function's own policy names its log group",
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:sqs:${region}:${account}:${response.stackName}-*]`,
        reason: "the boundary caps queue writes at this stack's dead-letter queues (their names are generated)",
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: "CDK's standard grant on the pipeline's key (its record and dead-letter queue) and the alarm topic's key (it publishes there), nothing else",
      },
    );
  }
  Validations.of(response.linkBoundary).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${region}:${account}:log-group:*]`,
    reason: "the boundary caps logging at this account's log groups; the link function's own policy names its log group",
  });
  // The digests: write-once objects under one prefix of the pipeline's own bucket.
  const digestObjects = `AwsSolutions-IAM5[Resource::arn:${partition}:s3:::${digestBucketName(account, region)}/${DIGEST_PREFIX}*]`;
  for (const s of [response.functions.anchor, response.anchorBoundary]) {
    Validations.of(s).acknowledge({
      id: digestObjects,
      reason: "the anchor writes each new digest (its name has the digest's number) under the bucket's digests/ prefix",
    });
  }
  if (stateful.backup) {
    Validations.of(stateful.backup.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        "AWS Backup's own service role policy for taking backups, which AWS keeps current with the services it backs up; the role serves the register's one plan",
    });
  }
  Validations.of(stateful.digests.bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'every digest is write-once under Object Lock (compliance mode) and signed; an access-log bucket would itself need the same lock to be evidence, and CloudTrail records the API calls',
  });
  Validations.of(response.linkKeySecret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'the acknowledgement link key is replaced by hand (put-secret-value with 64 new random characters): a rotation only ends the links already sent, which live an hour at most, and a rotation function would be one more public-facing part',
  });
  if (response.pagerSecret) {
    Validations.of(response.pagerSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: "the pager's routing or API key is issued by PagerDuty or Opsgenie and rotated there; the organisation puts the new value here (README, Deploy)",
    });
  }
  if (response.pagerWebhookSecret) {
    Validations.of(response.pagerWebhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "the pager's webhook secret is PagerDuty's (issued with the webhook subscription) or the token Opsgenie's webhook is configured to send: rotated there and here together by hand (README, Deploy)",
    });
  }
  for (const watch of [response.watch, ...forwarders.map((f) => f.watch)]) {
    Validations.of(watch.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'this queue is where the watched CloudTrail calls wait for on-call to read them; its depth is the page, and nothing consumes it',
    });
  }
  for (const queue of [
    ...response.routes.map((r) => r.deadLetterQueue),
    ...(response.memberPages ? [response.memberPages.undelivered] : []),
    ...forwarders.map((f) => f.deadLetterQueue),
    ...memberIam.map((m) => m.deadLetterQueue),
    ...members.map((m) => m.deadLetterQueue),
    ...memberRegions.map((m) => m.deadLetterQueue),
    ...(iamForward ? [iamForward.deadLetterQueue] : []),
  ]) {
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'this queue is the dead-letter queue of an EventBridge target (cdk-nag only sees queue-to-queue redrives)',
    });
  }
}
