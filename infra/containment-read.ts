/**
 * What reading containment back may do (`datalek show ID --target aws`, `datalek verify --target aws`:
 * handlers/adapters/aws/containment/drift.ts), as IAM statements: exactly the reads the drift check
 * makes, nothing that writes. Used by the read role of member accounts (member-stack.ts) and by the
 * `datalek-on-call-read-containment` policy for the on-call role in the pipeline's own account
 * (response-stack.ts), so the two cannot differ.
 *
 * Scoped as containment's own grants are (containment-policy.ts): the account and the pipeline's
 * regions, a resource type where the action has one. EC2's Describe calls have none, so they are on
 * `*` limited by region; IAM is global, its resources named by type in the one account.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ContainmentScope } from './containment-policy.js';

/** Attributes DescribeInstanceAttribute answers besides the two drift reads (userData often holds secrets). */
export const UNREAD_INSTANCE_ATTRIBUTES = [
  'instanceType',
  'kernel',
  'ramdisk',
  'userData',
  'rootDeviceName',
  'blockDeviceMapping',
  'productCodes',
  'sourceDestCheck',
  'groupSet',
  'ebsOptimized',
  'sriovNetSupport',
  'enaSupport',
  'enclaveOptions',
  'disableApiStop',
];

export function containmentReadStatements(scope: Pick<ContainmentScope, 'partition' | 'account' | 'regions'>): iam.PolicyStatement[] {
  const { partition, account, regions } = scope;
  const arns = (service: string, resource: string) => regions.map((r) => `arn:${partition}:${service}:${r}:${account}:${resource}`);
  return [
    new iam.PolicyStatement({
      sid: 'ReadInstancesAndGroups',
      actions: [
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeInstances',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeIamInstanceProfileAssociations',
        'ec2:DescribeInstanceAttribute',
      ],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': regions } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadUsersKeysAndRevocations',
      // A contained key's user: its keys, and (the key Inactive) its console password and MFA devices, each by when it was made.
      actions: ['iam:ListAccessKeys', 'iam:GetLoginProfile', 'iam:ListMFADevices', 'iam:GetUser', 'iam:GetUserPolicy'],
      resources: [`arn:${partition}:iam::${account}:user/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadRoleRevocations',
      actions: ['iam:GetRole', 'iam:GetRolePolicy'],
      resources: [`arn:${partition}:iam::${account}:role/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadBucketBlocks',
      actions: ['s3:GetBucketPublicAccessBlock'],
      // Bucket ARNs carry no account: the condition keeps it to this account's buckets.
      resources: [`arn:${partition}:s3:::*`],
      conditions: { StringEquals: { 's3:ResourceAccount': account } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadFunctions',
      actions: ['lambda:GetFunctionConcurrency', 'lambda:GetFunctionUrlConfig'],
      resources: arns('lambda', 'function:*'),
    }),
    new iam.PolicyStatement({
      sid: 'ReadDatabases',
      actions: ['rds:DescribeDBInstances'],
      resources: arns('rds', 'db:*'),
    }),
    new iam.PolicyStatement({
      sid: 'ReadDrainedContainerInstances',
      // An isolated instance's ECS container instance, DRAINING or set ACTIVE again (contain16); IAM authorises it on the cluster.
      // ListTasks (on the container instance): the tasks on it, one placed after the last containment run named by its interface.
      // ListContainerInstances (on the cluster): the isolated EC2 instance registered since in any cluster, a container instance the record does not name.
      actions: ['ecs:DescribeContainerInstances', 'ecs:ListTasks', 'ecs:ListContainerInstances'],
      resources: [...arns('ecs', 'cluster/*'), ...arns('ecs', 'container-instance/*')],
    }),
    new iam.PolicyStatement({
      sid: 'ListClusters',
      // The region's clusters, each looked in for an isolated instance registered since (contain22); the action has no resource type.
      actions: ['ecs:ListClusters'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': regions } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadTasksOnDrainedContainerInstances',
      // Those tasks' awsvpc network interfaces (DescribeTasks' attachments).
      actions: ['ecs:DescribeTasks'],
      resources: arns('ecs', 'task/*'),
    }),
    // The drift check reads two attributes; the same call answers an instance's user data (where
    // secrets often are). By EC2's ec2:Attribute key, as containment's own Deny on the Modify call:
    // where EC2 does not fill it for this call the Deny never applies.
    new iam.PolicyStatement({
      sid: 'NoOtherInstanceAttributes',
      effect: iam.Effect.DENY,
      actions: ['ec2:DescribeInstanceAttribute'],
      resources: ['*'],
      conditions: { StringEqualsIgnoreCase: { 'ec2:Attribute': UNREAD_INSTANCE_ATTRIBUTES } },
    }),
  ];
}

/** Why each of those statements names every resource of its type (cdk-nag AwsSolutions-IAM5). */
export const CONTAINMENT_READ_REASONS: Record<string, string> = {
  ReadInstancesAndGroups: 'EC2 Describe calls do not support resource-level permissions; limited to the pipeline regions (reads only)',
  ReadUsersKeysAndRevocations:
    "reads the key status, the console password's and MFA devices' dates and the datalek-revoke-… and datalek-deny-all-… policies of whichever IAM user of this account an incident's containment names",
  ReadRoleRevocations: "reads the datalek-revoke-… policy of whichever role of this account an incident's containment names",
  ReadBucketBlocks: 'reads the Block Public Access settings of whichever bucket of this account (s3:ResourceAccount) an incident blocked',
  ReadFunctions: 'reads the reserved concurrency and URL auth type of whichever function an incident contained',
  ReadDatabases: 'reads whether the database an incident made private is public again',
  ReadDrainedContainerInstances:
    "reads whether the ECS container instance an incident's isolation drained is ACTIVE again, lists its tasks, and whether an isolated EC2 instance is registered in a cluster, in whichever cluster it is",
  ListClusters:
    'lists the ECS clusters of the pipeline regions (names only; ListClusters has no resource type) to find an isolated instance registered in one since',
  ReadTasksOnDrainedContainerInstances:
    "reads the network interfaces of the tasks on the container instance an incident's isolation drained, whichever they are",
};
