/**
 * Builds the CDK app from context: the stateful and response stacks in the central EU region, a
 * forwarder per other EU region, a containment role stack per member account; with the cdk-nag
 * AwsSolutions checks, each acknowledgement carrying its reason.
 */
import { App, type CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type DeployConfig, loadDeployConfig } from './config.js';
import { containmentStatements, RESOURCE_CONTAINMENT_REASONS } from './containment-policy.js';
import { ForwarderStack } from './forwarder-stack.js';
import { MemberStack } from './member-stack.js';
import { ResponseStack } from './response-stack.js';
import { StatefulStack } from './stateful-stack.js';

export interface DatalekApp {
  app: App;
  config: DeployConfig;
  stateful: StatefulStack;
  response: ResponseStack;
  forwarders: ForwarderStack[];
  members: MemberStack[];
}

export function buildApp(context: Record<string, unknown>, options: { outdir?: string } = {}): DatalekApp {
  // The only cross-stack reference is the key's ARN, which never changes: keep it strong, explicitly.
  const app = new App({ outdir: options.outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...context } });
  const ctx = Object.fromEntries(
    [
      'region',
      'account',
      'fgEmail',
      'onCallEmail',
      'policyFile',
      'allowNonEuRegion',
      'retentionYears',
      'logRetentionDays',
      'forwardFrom',
      'memberAccounts',
      'ackPrincipals',
      'containmentRoleName',
    ].flatMap((k) => {
      const v = app.node.tryGetContext(k);
      return v === undefined ? [] : [[k, String(v)]];
    }),
  );
  const config = loadDeployConfig(ctx);
  const env = { region: config.region, account: config.account };
  const stateful = new StatefulStack(app, 'DatalekState', {
    env,
    description: 'datalek: breach register, topics, bus and key (retained)',
    terminationProtection: true,
    fgEmail: config.fgEmail,
    onCallEmail: config.onCallEmail,
    retentionYears: config.retentionYears,
  });
  const response = new ResponseStack(app, 'DatalekResponse', {
    env,
    description: 'datalek: GuardDuty findings to incidents, messages, containment and deadlines',
    state: stateful,
    config,
    logRetention: retentionDays(config.logRetentionDays),
  });
  const forwarders = config.forwardFrom.map(
    (region) =>
      new ForwarderStack(app, `DatalekForwarder-${region}`, {
        env: { region, account: config.account },
        description: `datalek: forwards GuardDuty findings of ${region} to ${config.region}`,
        config,
        centralRegion: config.region,
      }),
  );
  const members = config.memberAccounts.map(
    (account) =>
      new MemberStack(app, `DatalekMember-${account}`, {
        env: { account, region: config.region },
        description: 'datalek: the containment role the pipeline assumes in this account',
        pipelineAccount: config.account ?? Stack.of(stateful).account,
        roleName: config.containmentRoleName,
      }),
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledge({ response, forwarders, members });
  return { app, config, stateful, response, forwarders, members };
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
  Describe: 'EC2, Auto Scaling and ELB Describe calls do not support resource-level permissions',
  ProtectAndIsolateInstances: 'containment must act on whichever instance is compromised; scoped to the instance, interface and group types',
  CreateIsolationGroups: 'the isolation groups are created in the VPC of whichever instance is compromised',
  RulesOfOwnGroupsOnly: "limited by condition to groups tagged datalek:role (the pipeline's own isolation groups)",
  EvidenceSnapshots: 'evidence snapshots of the volumes of whichever instance is compromised',
  TagInstancesSnapshotsAndGroups: 'tags the isolated instance, its evidence snapshots and the isolation groups',
  LeaveAutoScalingGroups: 'detaches the compromised instance from whichever Auto Scaling group holds it',
  LeaveTargetGroups: 'deregisters the compromised instance from whichever target groups hold it',
  DeactivateKeys: 'deactivates whichever IAM user key the finding names (never deletes it)',
  RevokeRoleSessions:
    'writes the session-revocation deny policy on whichever role the finding names; IAM has no condition on the inline policy name, so this cannot be narrowed further',
  BlockPublicBuckets: 'blocks public access on whichever bucket the finding shows as public',
};

/** Every cdk-nag finding we accept, each with its reason. Anything else fails the checks. */
function acknowledge(stacks: { response: ResponseStack; forwarders: ForwarderStack[]; members: MemberStack[] }): void {
  const { response, forwarders, members } = stacks;
  const region = label(response.region, 'Region');
  const account = label(response.account, 'AccountId');
  for (const f of Object.values(response.functions)) {
    const logs = response.getLogicalId(f.logGroup.node.defaultChild as CfnElement);
    Validations.of(f).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason: 'Node.js 22 is the runtime this project targets and tests (Node 20 is deprecated on Lambda; 24 comes with the project)',
      },
      { id: `AwsSolutions-IAM5[Resource::<${logs}.Arn>:*]`, reason: "the log streams of the function's own log group" },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:dynamodb:${region}:${account}:table/datalek-incidents/index/*]`,
        reason: "the incidents table's own two indexes (due, byDetection)",
      },
      { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason: "CDK's standard grant on the pipeline's one customer-managed key, nothing else" },
      { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason: "CDK's standard grant on the pipeline's one customer-managed key, nothing else" },
    );
  }
  const containmentScopes = [response.functions.contain, ...members.map((m) => m.role)];
  for (const statement of containmentStatements('<AWS::Partition>')) {
    const json = statement.toStatementJson() as { Sid: string; Resource: string | string[] };
    for (const resource of [json.Resource].flat()) {
      if (!resource.includes('*')) continue;
      for (const scope of containmentScopes) {
        Validations.of(scope).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${resource}]`,
          reason: CONTAINMENT_REASONS[json.Sid] ?? RESOURCE_CONTAINMENT_REASONS[json.Sid],
        });
      }
    }
  }
  Validations.of(response.functions.contain).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${response.containmentRoleName}]`,
    reason: 'the containment role of whichever member account the finding names (GuardDuty delegated administrator)',
  });
  for (const queue of [...response.routes.map((r) => r.deadLetterQueue), ...forwarders.map((f) => f.deadLetterQueue)]) {
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'this queue is the dead-letter queue of an EventBridge target (cdk-nag only sees queue-to-queue redrives)',
    });
  }
}
