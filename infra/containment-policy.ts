/**
 * What containment may do, as IAM statements: used by the contain function in the pipeline's own
 * account and by the containment role in member accounts, so the two cannot differ. Every action
 * names its resource type, in the one account the role acts in and the regions the pipeline
 * answers findings from; Describe calls do not support resource-level permissions, so they are on
 * `*`, limited by region. Tags can only be set when a resource is created by containment itself
 * (tag-on-create), so the role cannot tag somebody else's group as one of its own and then open it.
 *
 * An explicit Deny keeps every IAM write away from the pipeline's own roles and policies and from
 * AWS's service and SSO roles: containment writes one inline policy on whichever role a finding
 * names (IAM has no condition on the policy name), and without the Deny whoever controls the
 * contain function could write an allow-everything policy on the pipeline's own roles.
 *
 * Issue #12 adds the permissions of its new actions as statements of their own below the marked
 * line, each with its own `sid`.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { PIPELINE_FUNCTION_PREFIXES } from '../handlers/core/containment.js';

export interface ContainmentScope {
  /** `aws`, or the stack's partition token. */
  partition: string;
  /** The one account the role acts in (its own). */
  account: string;
  /** The regions whose findings the pipeline answers (central plus forwarded). */
  regions: string[];
  /** Names of the pipeline's own roles besides `datalek-*` (configurable names, the break-glass role). */
  protectedRoles: string[];
  /** The account the pipeline's functions run in, when not `account` (a member account's role). */
  pipelineAccount?: string;
  /** Names of the pipeline's own roles that exist in the pipeline account alone (the FG's): protected there only. */
  pipelineRoles?: string[];
}

/** The tag on the pipeline's own isolation groups; set only when containment creates them. */
export const ROLE_TAG = 'datalek:role';
/** Tags containment puts on an instance, and on the snapshots it creates. */
export const INSTANCE_TAG_KEYS = ['datalek:incident', 'datalek:state'];

/** Every IAM action that writes, by verb. */
export const IAM_WRITE_ACTIONS = [
  'iam:Add*',
  'iam:Attach*',
  'iam:Change*',
  'iam:Create*',
  'iam:Deactivate*',
  'iam:Delete*',
  'iam:Detach*',
  'iam:Enable*',
  'iam:PassRole',
  'iam:Put*',
  'iam:Remove*',
  'iam:Reset*',
  'iam:Resync*',
  'iam:Set*',
  'iam:Tag*',
  'iam:Untag*',
  'iam:Update*',
  'iam:Upload*',
];

export function containmentStatements(scope: ContainmentScope): iam.PolicyStatement[] {
  const { partition, account, regions } = scope;
  const ec2 = (type: string) => regions.map((r) => `arn:${partition}:ec2:${r}:${account}:${type}/*`);
  // Snapshot ARNs carry no account in CreateSnapshot's authorization.
  const snapshots = regions.map((r) => `arn:${partition}:ec2:${r}::snapshot/*`);
  const inRegions = { StringEquals: { 'aws:RequestedRegion': regions } };
  return [
    new iam.PolicyStatement({
      sid: 'Describe',
      actions: [
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeIamInstanceProfileAssociations',
        'autoscaling:DescribeAutoScalingInstances',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
        // A snapshot's or AMI's tags, read before tagging it (found tagged malware-detected: contained already).
        'ec2:DescribeTags',
        // The region's ECS clusters, to find an isolated instance's container instance (contain15).
        'ecs:ListClusters',
      ],
      resources: ['*'],
      conditions: inRegions,
    }),
    new iam.PolicyStatement({
      sid: 'ProtectAndIsolateInstances',
      actions: ['ec2:ModifyInstanceAttribute', 'ec2:ModifyNetworkInterfaceAttribute', 'ec2:DisassociateIamInstanceProfile'],
      resources: [...ec2('instance'), ...ec2('network-interface'), ...ec2('security-group')],
    }),
    new iam.PolicyStatement({
      sid: 'CreateIsolationGroupsInVpcs',
      actions: ['ec2:CreateSecurityGroup'],
      resources: ec2('vpc'),
    }),
    new iam.PolicyStatement({
      sid: 'CreateIsolationGroups',
      actions: ['ec2:CreateSecurityGroup'],
      resources: ec2('security-group'),
      conditions: {
        StringLike: { [`aws:RequestTag/${ROLE_TAG}`]: 'datalek-*' },
        'ForAllValues:StringLike': { 'aws:TagKeys': ['datalek:*'] },
      },
    }),
    new iam.PolicyStatement({
      sid: 'TagOnCreateOnly',
      actions: ['ec2:CreateTags'],
      resources: [...ec2('security-group'), ...snapshots],
      conditions: { StringEquals: { 'ec2:CreateAction': ['CreateSecurityGroup', 'CreateSnapshot'] } },
    }),
    new iam.PolicyStatement({
      sid: 'TagInstances',
      actions: ['ec2:CreateTags'],
      resources: ec2('instance'),
      conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': INSTANCE_TAG_KEYS } },
    }),
    new iam.PolicyStatement({
      sid: 'RulesOfOwnGroupsOnly',
      actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
      resources: ec2('security-group'),
      conditions: { StringLike: { [`ec2:ResourceTag/${ROLE_TAG}`]: 'datalek-*' } },
    }),
    new iam.PolicyStatement({
      sid: 'EvidenceSnapshotsOfVolumes',
      actions: ['ec2:CreateSnapshot'],
      resources: ec2('volume'),
    }),
    new iam.PolicyStatement({
      sid: 'EvidenceSnapshots',
      actions: ['ec2:CreateSnapshot'],
      resources: snapshots,
      conditions: { Null: { 'aws:RequestTag/datalek:incident': 'false' } },
    }),
    new iam.PolicyStatement({
      sid: 'LeaveAutoScalingGroups',
      actions: ['autoscaling:DetachInstances'],
      resources: regions.map((r) => `arn:${partition}:autoscaling:${r}:${account}:autoScalingGroup:*:autoScalingGroupName/*`),
    }),
    new iam.PolicyStatement({
      sid: 'LeaveTargetGroups',
      actions: ['elasticloadbalancing:DeregisterTargets'],
      resources: regions.map((r) => `arn:${partition}:elasticloadbalancing:${r}:${account}:targetgroup/*/*`),
    }),
    new iam.PolicyStatement({
      sid: 'DeactivateKeys',
      // The key's status is read first: one inactive already is not recorded as this incident's to reactivate.
      actions: ['iam:UpdateAccessKey', 'iam:ListAccessKeys'],
      resources: [`arn:${partition}:iam::${account}:user/*`],
    }),
    new iam.PolicyStatement({
      sid: 'RevokeRoleSessions',
      // The only inline policy containment writes is the session revocation; IAM has no condition
      // on the policy name, so the Deny below keeps it off the pipeline's own roles.
      actions: ['iam:PutRolePolicy', 'iam:GetInstanceProfile'],
      resources: [`arn:${partition}:iam::${account}:role/*`, `arn:${partition}:iam::${account}:instance-profile/*`],
    }),
    new iam.PolicyStatement({
      sid: 'BlockPublicBuckets',
      actions: ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
      // Bucket ARNs carry no account: the condition keeps it to this account's buckets.
      resources: [`arn:${partition}:s3:::*`],
      conditions: { StringEquals: { 's3:ResourceAccount': account } },
    }),
    protectPipelineRoles(scope),
    protectPipelineFunctions(scope),
    protectTaggedPrincipals(scope),
    urlsOnlyToAwsIam(scope),
    onlyProtectiveInstanceAttributes(scope),
    // ---- Issue #12: statements of the new containment actions go below, each with its own sid. ----
    ...resourceContainmentStatements(scope),
  ];
}

/**
 * The containment of ECS tasks, Lambda functions, RDS databases, IAM users' sessions and infected
 * objects and backups (issue #12). An ECS task's network interfaces are isolated with the EC2
 * statements above (the same swap as an instance's). Release is run by a person with their own
 * credentials, so none of its calls is here; nothing here deletes anything.
 */
export function resourceContainmentStatements(scope: ContainmentScope): iam.PolicyStatement[] {
  const { partition, account, regions } = scope;
  const arns = (service: string, resource: string) => regions.map((r) => `arn:${partition}:${service}:${r}:${account}:${resource}`);
  const onlyDatalekTags = { 'ForAllValues:StringEquals': { 'aws:TagKeys': INSTANCE_TAG_KEYS } };
  return [
    new iam.PolicyStatement({
      sid: 'RevokeIamUserSessions',
      // The inline user policies containment writes: the session revocation (datalek-revoke-<incident id>) and, on a console
      // sign-in's user, the deny-all (datalek-deny-all-<incident id>: Deny * on *, iam-users.ts). Both are Denies; a write that
      // is not exactly one of them, under its own name, pages (contain-role-watch.ts, IAM has no condition key on either).
      actions: ['iam:PutUserPolicy'],
      resources: [`arn:${partition}:iam::${account}:user/*`],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeEcsTasks',
      actions: ['ecs:DescribeTasks'],
      resources: arns('ecs', 'task/*'),
    }),
    new iam.PolicyStatement({
      sid: 'TagEcsTasks',
      actions: ['ecs:TagResource'],
      resources: arns('ecs', 'task/*'),
      conditions: onlyDatalekTags,
    }),
    new iam.PolicyStatement({
      sid: 'DrainEcsContainerInstances',
      // An isolated instance's container instance found (by cluster) and set DRAINING: ECS places no
      // new task on it (adapters/aws/containment/ecs.ts). IAM cannot narrow the status asked for.
      // Put/DeleteAttributes: the incident's mark on it before the drain, removed by the release (K6).
      // ListTasks (on the container instance): its tasks, whose awsvpc interfaces are isolated with it (DescribeEcsTasks reads them).
      actions: [
        'ecs:ListContainerInstances',
        'ecs:ListTasks',
        'ecs:DescribeContainerInstances',
        'ecs:UpdateContainerInstancesState',
        'ecs:PutAttributes',
        'ecs:DeleteAttributes',
      ],
      resources: [...arns('ecs', 'cluster/*'), ...arns('ecs', 'container-instance/*')],
    }),
    new iam.PolicyStatement({
      sid: 'StopLambdaFunctions',
      // Lambda has no condition key on the concurrency asked for: any value, not only 0. A URL's
      // auth type is limited to AWS_IAM by the Deny `UrlsOnlyToAwsIam`.
      actions: ['lambda:GetFunctionConcurrency', 'lambda:PutFunctionConcurrency', 'lambda:GetFunctionUrlConfig', 'lambda:UpdateFunctionUrlConfig'],
      resources: arns('lambda', 'function:*'),
    }),
    new iam.PolicyStatement({
      sid: 'RestrictRdsInstances',
      actions: ['rds:DescribeDBInstances', 'rds:ModifyDBInstance'],
      resources: arns('rds', 'db:*'),
    }),
    new iam.PolicyStatement({
      sid: 'RdsEvidenceSnapshots',
      actions: ['rds:CreateDBSnapshot', 'rds:CreateDBClusterSnapshot', 'rds:AddTagsToResource'],
      // Snapshots only under datalek's own name prefix.
      resources: [...arns('rds', 'db:*'), ...arns('rds', 'cluster:*'), ...arns('rds', 'snapshot:datalek-*'), ...arns('rds', 'cluster-snapshot:datalek-*')],
    }),
    new iam.PolicyStatement({
      sid: 'TagInfectedObjects',
      actions: ['s3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'],
      // Object ARNs carry no account: the condition keeps it to this account's buckets.
      resources: [`arn:${partition}:s3:::*/*`],
      conditions: { StringEquals: { 's3:ResourceAccount': account } },
    }),
    new iam.PolicyStatement({
      sid: 'TagInfectedBackups',
      // backup:ListTags: a recovery point's tags, read before tagging it (no tag keys in that request).
      actions: ['ec2:CreateTags', 'backup:TagResource', 'backup:ListTags'],
      resources: [
        ...regions.map((r) => `arn:${partition}:ec2:${r}::snapshot/*`),
        ...regions.map((r) => `arn:${partition}:ec2:${r}::image/*`),
        ...arns('backup', 'recovery-point:*'),
      ],
      conditions: onlyDatalekTags,
    }),
  ];
}

/** Why each of those statements names every resource of its type (cdk-nag AwsSolutions-IAM5). */
export const RESOURCE_CONTAINMENT_REASONS: Record<string, string> = {
  RevokeIamUserSessions: 'writes the session-revocation deny policy on whichever IAM user of this account the finding names',
  DescribeEcsTasks: 'reads whichever ECS task the finding names, or an isolated container instance runs, for its network interfaces',
  TagEcsTasks: 'only the datalek:incident and datalek:state tags, on whichever ECS task the finding names',
  DrainEcsContainerInstances:
    'finds, in whichever cluster, the container instance of whichever EC2 instance it isolates, marks it with the incident, sets it DRAINING and lists its tasks (their network interfaces are isolated with it)',
  StopLambdaFunctions: 'sets reserved concurrency 0 and closes the open URL (to AWS_IAM only, by an explicit Deny) of whichever function the finding names',
  RestrictRdsInstances: 'makes private whichever database the finding names',
  RdsEvidenceSnapshots: "snapshots whichever database the finding names, only under datalek's own snapshot name prefix",
  TagInfectedObjects: 'tags whichever object version of this account (s3:ResourceAccount) Malware Protection found infected; never deletes it',
  TagInfectedBackups: 'only the datalek:incident and datalek:state tags, on whichever snapshot, AMI or recovery point Malware Protection found infected',
};

/**
 * The containment statements a boundary holds as one (boundary.ts `mergedStatements`): each group
 * has one effect and the same conditions, and no action of one applies to a resource type of
 * another (Service Authorization Reference), so the one statement allows exactly what they did.
 * The boundary is near the 6,144 characters IAM accepts (test/infra/policy-size.test.ts).
 * - DeactivateKeys, RevokeIamUserSessions: the same resource, IAM users.
 * - BlockPublicBuckets, TagInfectedObjects: the same `s3:ResourceAccount` condition; the bucket
 *   actions take only bucket ARNs and the object-tagging actions only object ARNs, and `s3:::*`
 *   already matches every object ARN that `s3:::*\/*` does.
 * - CreateIsolationGroupsInVpcs, EvidenceSnapshotsOfVolumes: no condition; CreateSecurityGroup
 *   takes a security group and a VPC, CreateSnapshot a snapshot and a volume (and an Outpost).
 * - TagInstances, TagEcsTasks, TagInfectedBackups: the same condition (only datalek's two tag
 *   keys); ec2:CreateTags takes only EC2 ARNs, ecs:TagResource only ECS ARNs, and backup:TagResource
 *   and backup:ListTags only a backup vault, plan or recovery point (an EC2 one's ARN is its
 *   snapshot's or AMI's), never an instance or a task.
 */
export const BOUNDARY_MERGES = [
  ['DeactivateKeys', 'RevokeIamUserSessions'],
  ['BlockPublicBuckets', 'TagInfectedObjects'],
  ['CreateIsolationGroupsInVpcs', 'EvidenceSnapshotsOfVolumes'],
  ['TagInstances', 'TagEcsTasks', 'TagInfectedBackups'],
] as const;

/** The role the member account's us-east-1 stack forwards its IAM calls with (member-iam-stack.ts), by a fixed name: the central watch pages on its changes. */
export const MEMBER_IAM_FORWARD_ROLE_NAME = 'datalek-member-iam-forward';

/**
 * That stack's rules (`datalek-*`: the central watch pages on calls on them too): the forward and
 * the guard watch each other; the guard also watches the third, which forwards the calls that undo
 * containment and the containment role's own writes that page (fgsec17 Sc: no room left in the other
 * two's 2,048 characters).
 */
export const MEMBER_IAM_RULE_NAMES = ['datalek-member-iam-forward', 'datalek-member-iam-guard', 'datalek-member-iam-contain'] as const;

/** The roles the member-account stacks create besides the containment role (which `protectedRoles` names). */
export const MEMBER_STACK_ROLE_NAMES = ['datalek-member-forward', MEMBER_IAM_FORWARD_ROLE_NAME] as const;

/**
 * The explicit Deny: no IAM write on the pipeline's own roles and policies, nor on AWS's
 * service-linked and SSO roles. A Deny wins over any Allow, in any policy, so neither a later grant
 * nor a permissions boundary mistake can open it. The pipeline's roles are `datalek-*` in the
 * pipeline's account, and by their names (configured, and the member stack's own) in every
 * account: a name is anyone's to choose, so a `datalek-…` role an attacker creates in a member
 * account is contained like any other (review3 attack §12).
 */
export function protectPipelineRoles(
  scope: Pick<ContainmentScope, 'partition' | 'protectedRoles'> & Partial<Pick<ContainmentScope, 'account' | 'pipelineAccount' | 'pipelineRoles'>>,
): iam.PolicyStatement {
  const role = (name: string, account = '*') => `arn:${scope.partition}:iam::${account}:role/${name}`;
  const pipeline = scope.pipelineAccount ?? scope.account ?? '*';
  return new iam.PolicyStatement({
    sid: 'NeverThePipelinesOwnRoles',
    effect: iam.Effect.DENY,
    actions: IAM_WRITE_ACTIONS,
    resources: [
      role('datalek-*', pipeline),
      role('datalek/*', pipeline),
      ...[...new Set([...scope.protectedRoles, ...MEMBER_STACK_ROLE_NAMES])].map((n) => role(n)),
      ...(scope.pipelineRoles ?? []).map((n) => role(n, pipeline)),
      role('aws-service-role/*'),
      role('aws-reserved/*'),
      `arn:${scope.partition}:iam::*:policy/datalek-*`,
    ],
  });
}

/**
 * The tag an administrator puts on an IAM user or role that containment must never write on (an
 * administrator's, a break-glass user's): `datalek:protected=true`. IAM has no condition on the
 * content or name of an inline policy, so this is how the deployer narrows who containment can
 * be aimed at. Whoever may tag the principal can remove it: keep the tag for administrators with a
 * service control policy, as the exemption tag.
 */
export const PROTECTED_TAG = 'datalek:protected';

/**
 * The explicit Deny on the pipeline's own functions: containment sets reserved concurrency 0 on
 * whichever function a finding names, and on record-finding or notify that would silence every
 * later finding and page (the planner refuses them too: core/containment.ts). A Deny wins over any
 * Allow, so neither a finding nor code in the contain function can do it. In the pipeline's
 * account only: a function named `datalek-…` elsewhere is not the pipeline's, and a name is
 * anyone's to choose.
 */
export function protectPipelineFunctions(scope: Pick<ContainmentScope, 'partition' | 'account' | 'pipelineAccount'>): iam.PolicyStatement {
  const account = scope.pipelineAccount ?? scope.account;
  return new iam.PolicyStatement({
    sid: 'NeverThePipelinesOwnFunctions',
    effect: iam.Effect.DENY,
    actions: ['lambda:*'],
    resources: PIPELINE_FUNCTION_PREFIXES.map((prefix) => `arn:${scope.partition}:lambda:*:${account}:function:${prefix}*`),
  });
}

/**
 * The explicit Deny of the IAM writes containment makes (a session-revocation policy, a key set
 * Inactive) on users and roles tagged `datalek:protected=true` (aws:ResourceTag, which IAM users
 * and roles support).
 */
export function protectTaggedPrincipals(scope: Pick<ContainmentScope, 'partition'>): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'NeverProtectedPrincipals',
    effect: iam.Effect.DENY,
    actions: ['iam:PutRolePolicy', 'iam:PutUserPolicy', 'iam:UpdateAccessKey'],
    resources: [`arn:${scope.partition}:iam::*:role/*`, `arn:${scope.partition}:iam::*:user/*`],
    conditions: { StringEquals: { [`aws:ResourceTag/${PROTECTED_TAG}`]: 'true' } },
  });
}

/**
 * Every attribute ModifyInstanceAttribute sets but the three containment sets (DisableApiTermination,
 * InstanceInitiatedShutdownBehavior, the volumes' DeleteOnTermination in BlockDeviceMappings:
 * adapters/aws/containment/ec2.ts), as EC2 names them (InstanceAttributeName) and as the request
 * does where that differs (Groups).
 */
export const UNUSED_INSTANCE_ATTRIBUTES = [
  'instanceType',
  'kernel',
  'ramdisk',
  'userData',
  'rootDeviceName',
  'productCodes',
  'sourceDestCheck',
  'groupSet',
  'Groups',
  'ebsOptimized',
  'sriovNetSupport',
  'enaSupport',
  'enclaveOptions',
  'disableApiStop',
];

/**
 * The explicit Deny of setting any other instance attribute: the grant that protects an instance
 * would also set UserData of any stopped instance (run as root at its next start, with its
 * profile's credentials), its type, its source/destination check (a router) or its groups. By EC2's
 * `ec2:Attribute` key (Service Authorization Reference: "the attribute being set"), case ignored. A
 * Deny rather than a condition on the Allow: where EC2 does not fill the key as named here the Deny
 * never applies (as before it), while an Allow that did not match would refuse containment's own
 * calls. Unconfirmed on real AWS (README, What remains).
 */
export function onlyProtectiveInstanceAttributes(scope: Pick<ContainmentScope, 'partition'>): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'OnlyProtectiveInstanceAttributes',
    effect: iam.Effect.DENY,
    actions: ['ec2:ModifyInstanceAttribute'],
    resources: [`arn:${scope.partition}:ec2:*:*:instance/*`],
    conditions: { StringEqualsIgnoreCase: { 'ec2:Attribute': UNUSED_INSTANCE_ATTRIBUTES } },
  });
}

/**
 * The explicit Deny of switching a function URL to anything but AWS_IAM (lambda:FunctionUrlAuthType,
 * the key AWS's own example policies use for this): containment closes an open URL and can never
 * open one.
 */
export function urlsOnlyToAwsIam(scope: Pick<ContainmentScope, 'partition'>): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'UrlsOnlyToAwsIam',
    effect: iam.Effect.DENY,
    actions: ['lambda:UpdateFunctionUrlConfig'],
    resources: [`arn:${scope.partition}:lambda:*:*:function:*`],
    conditions: { StringNotEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
  });
}
